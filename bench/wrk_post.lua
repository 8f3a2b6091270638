-- The follow-up POST under wrk (bench/pages.py): a form without JavaScript, answered 302, sent
-- to each commitment of a list in turn, each carrying the version the last POST to it left.
-- One connection, so one request after the other: a 302 received moves the version of the
-- commitment just posted to (not the building of a request: wrk also builds one that it
-- never sends, to check the script). A stale version would be answered 409, which wrk counts
-- as an error; pages.py reads the versions back after the run.
-- Arguments after "--": the group's path (/g/<slug>/), the CSRF token, the day the follow-ups
-- happened, then <reference>=<version> for each commitment.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "wrk_report.lua") -- done(): the summary as one JSON line

local group, csrf, day
local references, versions = {}, {}
local current = 0

init = function(args)
  group, csrf, day = args[1], args[2], args[3]
  for i = 4, #args do
    local reference, version = args[i]:match("^(.+)=(%d+)$")
    references[#references + 1] = reference
    versions[#versions + 1] = tonumber(version)
  end
  -- Beside the Cookie header given with -H (a table passed to wrk.format would replace them).
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  current = current % #references + 1
  local body = string.format(
    "csrfmiddlewaretoken=%s&version=%d&note=Bench+POST+%d&occurred_on=%s",
    csrf, versions[current], versions[current], day)
  local path = group .. "commitments/" .. references[current] .. "/follow-ups/"
  return wrk.format("POST", path, nil, body)
end

response = function(status, headers, body)
  if status == 302 then
    versions[current] = versions[current] + 1
  end
end
