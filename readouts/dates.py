"""Find the due date a clause gives: "by March 2027", "within six months", "next year", ...

`find_due(text, today)` returns a `Due`: the date (or None), the words it came from, and a note
for a reviewer when the text names a deadline that has no date ("by the next meeting"), a
recurrence ("quarterly") or a season. Relative expressions count from `today`, which should be
the readout's own date. Periods resolve to their last day: "March 2027" is 31 March 2027,
"2026" and "next year" are 31 December, "mid-2027" and "the first half of 2027" are 30 June,
"early 2027" is 31 March, a quarter is its last day.

Years before `today`'s year are history, never due dates; so are durations ("for six months").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Due", "find_due"]


@dataclass(frozen=True)
class Due:
    date: date | None
    text: str = ""  # the words the date was read from, as they appear in the clause
    note: str = ""  # for the reviewer: why there is no date, or how it was read


NONE = Due(None)

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30,
    "forty-five": 45, "sixty": 60, "ninety": 90, "a few": 3, "several": 3,
}  # fmt: skip
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "last": 4, "final": 4}  # fmt: skip

_MONTH = r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_YEAR = r"(?P<year>20\d\d)"
_NUM = (
    r"(?P<num>\d{1,3}|a few|several|twenty-four|forty-five|"
    + "|".join(
        sorted((k for k in _NUMBERS if " " not in k and "-" not in k), key=len, reverse=True)
    )
    + ")"
)
_UNIT = r"(?P<unit>days?|weeks?|months?|years?)"
# Words before a date that make it a deadline (rather than a date something starts on).
_DEADLINE = r"(?:by|before|no later than|not later than|until|till|ahead of)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "next_meeting",
        re.compile(
            r"\b(?:by|before|at|during|ahead of|until|in time for)\s+(?:the|its|their)\s+"
            r"(?:next|following|forthcoming|upcoming)\s+(?:meeting|session|round|dialogue)\b"
        ),
    ),
    (
        "relative",
        re.compile(
            r"\b(?P<prep>within|in|in the next|in the coming|over the next|no later than)\s+"
            r"(?:the\s+next\s+)?" + _NUM + r"\s+" + _UNIT + r"\b(?!\s+(?:ago|earlier|before))"
        ),
    ),
    (
        "day_month_year",
        re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+" + _YEAR + r"\b"),
    ),
    (
        "month_day_year",
        re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b"),
    ),
    ("iso", re.compile(r"\b" + _YEAR + r"-(?P<mnum>\d\d)-(?P<day>\d\d)\b")),
    (
        "month_year",
        re.compile(
            r"\b(?:(?P<part>early|mid|late|end of|the end of|the beginning of|beginning of)"
            r"[\s-]+)?" + _MONTH + r",?\s+" + _YEAR + r"\b"
        ),
    ),
    (
        "quarter",
        re.compile(
            r"\b(?:the\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|last|final)\s+"
            r"quarter(?:\s+of)?(?:\s+(?P<year>20\d\d|this year|next year))?\b"
            r"|\bq(?P<qnum>[1-4])(?:\s+|[-/])?(?P<qyear>20\d\d)?\b"
        ),
    ),
    (
        "half",
        re.compile(
            r"\b(?:the\s+)?(?P<ord>first|second|1st|2nd)\s+half\s+of\s+"
            r"(?P<year>20\d\d|this year|next year)\b"
            r"|\bh(?P<hnum>[12])\s+(?P<hyear>20\d\d)\b"
        ),
    ),
    (
        "part_year",
        re.compile(
            r"\b(?P<part>early|mid|late|end|end of|the end of|the middle of|middle of|"
            r"the beginning of|beginning of|the start of|start of|year-end|the close of)"
            r"[\s-]+(?P<year>20\d\d|this year|next year|the year|the current year)\b"
        ),
    ),
    ("later_this_year", re.compile(r"\b(?:later|by the end of|before the end of)\s+this\s+year\b")),
    ("year_end", re.compile(r"\b(?:by\s+)?(?:year[- ]end|end[- ]year)\b")),
    ("next_year", re.compile(r"\bnext\s+year\b")),
    ("this_year", re.compile(r"\b(?:this|the current)\s+year\b")),
    (
        "year",
        re.compile(
            r"\b(?P<prep>by|before|in|during|within|for|until|till|through|throughout|from|"
            r"since|after|beginning|starting|of|no later than)?\s*(?:calendar\s+|fiscal\s+)?"
            r"(?<![\d/-])" + _YEAR + r"(?![\d/-])"
        ),
    ),
    (
        "month_only",
        re.compile(
            r"\b(?P<prep>by|before|in|during|until|from|beginning|starting)\s+"
            + _MONTH
            + r"(?!\s*\d)\b"
        ),
    ),
]

_RECURRING = re.compile(
    r"\b(?P<what>quarterly|annually|monthly|biannually|twice a year|once a year|every "
    r"(?:year|quarter|month|six months|two years)|each (?:year|quarter|month)|yearly|weekly)\b"
)
_SEASON = re.compile(
    r"\b(?:by|before|in|during)\s+(?:the\s+)?(?:early\s+|late\s+)?"
    r"(?P<season>spring|summer|autumn|fall|winter|monsoon)\b"
)
# Words kept in front of the date in `Due.text`: "by the end of", "within", "in", ...
_LEAD = re.compile(
    r"\b(?:" + _DEADLINE[3:-1] + r"|within|in|during|from|beginning|starting)"
    r"(?:\s+(?:the\s+)?(?:end|close|beginning|middle)\s+of)?\s+(?:the\s+)?$"
)
_DURATION_BEFORE = re.compile(r"\b(?:for|lasting|over|of|spanning)\s*$")


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _year_of(word: str | None, today: date) -> int | None:
    if not word:
        return None
    if word.isdigit():
        return int(word)
    if word == "next year":
        return today.year + 1
    return today.year  # this year, the year, the current year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(kind: str, mo: re.Match[str], today: date, low: str) -> Due | None:
    g = mo.groupdict()
    text = mo.group(0).strip()
    before = low[max(0, mo.start() - 25) : mo.start()]
    if kind == "next_meeting":
        return Due(None, text, "due by the next meeting; the text gives no date")
    if kind == "relative":
        if g["prep"] == "in" and _DURATION_BEFORE.search(before):
            return None
        num = g["num"]
        count = int(num) if num.isdigit() else _NUMBERS.get(num, 0)
        unit = g["unit"].rstrip("s")
        if not count:
            return None
        if unit == "day":
            due = today + timedelta(days=count)
        elif unit == "week":
            due = today + timedelta(weeks=count)
        elif unit == "month":
            due = _add_months(today, count)
        else:
            due = _add_months(today, 12 * count)
        return Due(due, text, f"{text} of {today.isoformat()}")
    if kind in {"day_month_year", "month_day_year", "iso"}:
        month = int(g["mnum"]) if g.get("mnum") else _MONTHS[g["month"]]
        due = _safe_date(int(g["year"]), month, int(g["day"]))
        if due is None or due < today:
            return None
        if re.search(r"\bbefore\s*$", before):
            due -= timedelta(days=1)
        return Due(due, text)
    if kind == "month_year":
        year, month = int(g["year"]), _MONTHS[g["month"]]
        part = g.get("part") or ""
        if re.search(r"\bbefore\s*$", before) and "end" not in part:
            due = date(year, month, 1) - timedelta(days=1)
        elif part == "early":
            due = date(year, month, 10)
        elif part == "mid":
            due = date(year, month, 15)
        else:
            due = _end_of_month(year, month)
        if due < today.replace(day=1):
            return None
        return Due(due, text)
    if kind == "quarter":
        q = _ORDINALS.get(g.get("ord") or "", 0) or int(g.get("qnum") or 0)
        year = _year_of(g.get("year") or g.get("qyear"), today) or today.year
        if year < today.year:
            return None
        return Due(_end_of_month(year, 3 * q), text)
    if kind == "half":
        half = 1 if (g.get("ord") or g.get("hnum") or "") in {"first", "1st", "1"} else 2
        year = _year_of(g.get("year") or g.get("hyear"), today) or today.year
        if year < today.year:
            return None
        return Due(_end_of_month(year, 6 * half), text)
    if kind == "part_year":
        year = _year_of(g["year"], today) or today.year
        if year < today.year:
            return None
        part = g["part"]
        if part in {"early", "the beginning of", "beginning of", "the start of", "start of"}:
            return Due(date(year, 3, 31), text)
        if part in {"mid", "the middle of", "middle of"}:
            return Due(date(year, 6, 30), text)
        return Due(date(year, 12, 31), text)
    if kind in {"later_this_year", "year_end", "this_year"}:
        return Due(date(today.year, 12, 31), text)
    if kind == "next_year":
        return Due(date(today.year + 1, 12, 31), text)
    if kind == "year":
        prep = g.get("prep") or ""
        year = int(g["year"])
        if prep in {"since", "after", "from", "of", "for"} or year < today.year:
            return None
        if not prep:
            # A bare year ("the 2027 action plan") is not a deadline.
            return None
        return Due(date(year, 12, 31), text)
    if kind == "month_only":
        month = _MONTHS[g["month"]]
        if g["month"] == "may" and g["prep"] in {"in", "by"}:
            return None  # "by may", "in may" are too ambiguous with the modal verb.
        year = today.year if month >= today.month else today.year + 1
        if g["prep"] == "before":
            due = date(year, month, 1) - timedelta(days=1)
        else:
            due = _end_of_month(year, month)
        return Due(due, text, f"year not given: read as {due.year}")
    return None  # pragma: no cover - every kind is handled above


def _lower_same_length(text: str) -> str:
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out).replace("\u2013", "-").replace("\u2011", "-")


def find_due(text: str, today: date) -> Due:
    """The due date `text` gives, if any (see the module docstring for how periods resolve).

    When several dates appear, a deadline ("by", "before", "within", "no later than") wins over
    a plain date ("in 2027"), and an earlier position wins between equals.
    """
    low = _lower_same_length(text)
    found: list[tuple[int, int, Due]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for mo in pattern.finditer(low):
            if any(mo.start() < e and s < mo.end() for s, e in taken):
                continue
            due = _resolve(kind, mo, today, low)
            if due is None:
                continue
            start, end = mo.start(), mo.end()
            while start < end and low[start].isspace():
                start += 1
            before = low[max(0, start - 25) : start]
            deadline = bool(
                re.search(_DEADLINE + r"\s+(?:the\s+)?(?:end\s+of\s+)?$", before)
                or re.match(_DEADLINE + r"\b|within\b|no later than\b", low[start:end])
                or kind in {"relative", "next_meeting", "later_this_year", "year_end"}
            )
            lead = _LEAD.search(before)
            if lead:
                start -= len(before) - lead.start()
            due = Due(due.date, text[start:end].strip(), due.note)
            found.append((0 if deadline else 1, start, due))
            taken.append((mo.start(), mo.end()))
    if not found:
        mo = _RECURRING.search(low)
        if mo:
            return Due(None, text[mo.start() : mo.end()], f"recurring ({mo.group('what')})")
        mo = _SEASON.search(low)
        if mo:
            return Due(None, text[mo.start() : mo.end()], "a season: no date given")
        return NONE
    found.sort(key=lambda item: (item[0], item[1]))
    # A dated deadline beats "by the next meeting" and other undated ones.
    dated = [item for item in found if item[2].date is not None]
    best = (dated or found)[0][2]
    recurring = _RECURRING.search(low)
    if recurring and best.date is not None and not best.note:
        best = Due(best.date, best.text, f"recurring ({recurring.group('what')}) from then")
    return best
