"""The workspace's pages: `workspace` (analysts: dashboard, list, commitment, meeting, area),
`coordination` (coordinators: meetings, commitments, indicators), `overview` (each side,
recent activity, members). Pages read through `selectors`, write through `services`, and get
every object a URL names from `access` (stranger 404, a role too low 403)."""
