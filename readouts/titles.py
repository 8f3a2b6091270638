"""The finder's titles: a short title for a candidate, from the action its cue introduces.

`make_title` turns the action into the imperative ("sharing data" -> "Share data", "a course
shall be held" -> "Hold a course"), drops the due date and leading fillers, and `shorten` cuts
it to `TITLE_MAX` characters at a natural break; `tidy` trims what is left dangling.
"""

from __future__ import annotations

import re

from readouts.segment import LIST_MARKER, lowered, wordset

__all__ = [
    "EVENT",
    "HOLD",
    "PASSIVE",
    "TITLE_MAX",
    "base_form",
    "make_title",
    "shorten",
    "tidy",
]


TITLE_MAX = 80


_IRREGULAR = {
    "held": "hold", "set": "set", "made": "make", "taken": "take", "given": "give",
    "sent": "send", "built": "build", "drawn": "draw", "written": "write", "led": "lead",
    "run": "run", "met": "meet", "done": "do", "brought": "bring", "sought": "seek",
    "kept": "keep", "found": "find", "chosen": "choose", "put": "put", "shown": "show",
    "begun": "begin", "undertaken": "undertake", "spent": "spend", "paid": "pay",
    "laid": "lay", "told": "tell", "understood": "understand", "funded": "fund",
    "being": "be", "having": "have", "seconded": "second",
}  # fmt: skip
_E_ENDINGS = (
    "at", "iz", "is", "ar", "ur", "uc", "ir", "ov", "iv", "rv", "lv", "dg", "ut", "id",
    "ud", "eas", "ang", "enc", "anc", "rc", "ag", "ok", "ak", "yz", "ys", "rs", "ns", "ps",
    "ap", "ib", "ip", "ot", "in", "ur", "iv", "ul",
)  # fmt: skip
_NO_E = wordset(
    "establish develop review draft launch sign visit limit exhibit open strengthen happen "
    "deepen broaden widen listen target market budget report assist consult convert exert "
    "detect expect protect conduct attend extend expand intend recommend implement supplement "
    "complement document present prevent invent represent contain maintain obtain "
    "train explain remain ordain sustain entertain join sharpen fasten "
    "screen monitor deter"
)


def base_form(word: str) -> str:
    """A rough base form of an English participle or gerund: 'shared' -> 'share'."""
    low = word.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    for suffix in ("ing", "ed"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = low[: -len(suffix)]
            if suffix == "ed" and stem.endswith("i"):
                return stem[:-1] + "y"
            if (
                len(stem) > 3
                and stem[-1] == stem[-2]
                and stem[-1] not in "lsz"
                and stem[-1] not in "aeiou"
            ):
                return stem[:-1]
            if stem in _NO_E:
                return stem
            if stem.endswith(_E_ENDINGS) and not stem.endswith(("ain", "oin", "een")):
                return stem + "e"
            return stem
    return low


_LEADING_FILLER = re.compile(
    r"^(?:(?:also|further|then|jointly|together|both|each|formally|additionally|subsequently|"
    r"swiftly|promptly|now)\s+)+",
    re.IGNORECASE,
)
_TITLE_CUTS = (
    ", which", " which ", ", so that", " so that", ", including", ", with ", " in order to",
    ", while", " - ", "; ", " in line with", ", in ", ", as ", " that ", ", to ", " and ",
    ", ",
)  # fmt: skip
PASSIVE = re.compile(r"^be\s+(?P<part>[a-z]+(?:ed|en|t|wn|un|ld|de|ne)|held|set|met|run|put)\b")
HOLD = re.compile(
    r"(?:take\s+place|be\s+(?:held|convened|organi[sz]ed|hosted)|convene|meet|happen|occur)\b"
)
EVENT = re.compile(r"\b(?:meeting|session|round|workshop|conference|seminar|dialogue|course)\b")


_DANGLING = re.compile(
    r"(?:[,;]?\s+(?:beginning|starting|from|by|before|in|on|at|during|until|no\s+later\s+than|"
    r"to\s+be\s+(?:held|completed|finished)|to\s+begin|planned\s+for|scheduled\s+for|"
    r"with\s+the\s+first\s+\w+(?:\s+to\s+be\s+held)?))+\s*[,.;]?\s*$",
    re.IGNORECASE,
)


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = _DANGLING.sub("", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"\s*,\s*,\s*", " ", text)
    text = re.sub(r"\(\s*\)", "", text)
    return text.strip(" ,;:.-–—\"'“”‘’")


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    for cut in (", which ", ", who ", ", whose "):
        pos = text.find(cut, 15)
        if pos > 0:
            text = tidy(text[:pos])
    if len(text) <= limit:
        return text
    for cut in _TITLE_CUTS:
        pos = text.find(cut, 25)
        if 0 < pos <= limit:
            return tidy(text[:pos])
    head = text[: limit - 1]
    head = head[: head.rfind(" ")] if " " in head else head
    return tidy(re.sub(r"\s+(?:and|or|of|the|a|an|to|for|in|on|with|by)$", "", head)) + "…"


def make_title(
    orig: str, low: str, action_start: int, end: int, subject: str, due_text: str
) -> str:
    action = orig[action_start:end]
    action_low = low[action_start:end]
    if due_text:
        pos = action.find(due_text)
        if pos >= 0:
            action = action[:pos] + action[pos + len(due_text) :]
            action_low = action_low[:pos] + action_low[pos + len(due_text) :]
    action = LIST_MARKER.sub("", action, count=1) if LIST_MARKER.match(action) else action
    action = _LEADING_FILLER.sub("", action.strip())
    action_low = lowered(action)
    subject = tidy(re.sub(r"^(?:and|but|while|whereas|that)\s+", "", subject.strip(), flags=re.I))
    passive = PASSIVE.match(action_low)
    if passive:
        verb = base_form(passive.group("part"))
        rest = action[passive.end() :]
        rest = re.sub(r"^\s*(?:up|out|off)\b", lambda m: m.group(0), rest)
        particle = re.match(r"^\s*(up|out|off|down)\b", rest)
        if particle:
            verb += " " + particle.group(1)
            rest = rest[particle.end() :]
        rest = re.sub(r"^\s*by\s+[^,;]*?(?=\s+and\s+|,|;|$)", "", rest)
        rest = re.sub(
            r"^(\s*and\s+)([a-z]+ed)\b", lambda m: m.group(1) + base_form(m.group(2)), rest
        )
        subject = re.sub(r"^(?:it\s+was\s+\w+\s+that\s+)", "", subject, flags=re.I)
        action = f"{verb} {_lower_first(subject)} {rest}"
    elif EVENT.search(lowered(subject)) and HOLD.match(action_low):
        rest = re.sub(r"^\S+(?:\s+place)?", "", action).strip()
        action = f"hold {_lower_first(subject)} {rest}"
    else:
        first = re.match(r"([A-Za-z]+)(ing)\b", action)
        if first and first.group(1).lower() not in {"br", "s", "th", "k", "r", "w"}:
            action = base_form(first.group(0)) + action[first.end() :]
    title = tidy(action)
    title = shorten(title)
    return title[:1].upper() + title[1:] if title else title


def _lower_first(text: str) -> str:
    if not text:
        return text
    first = text.split()[0]
    if (first.isupper() and len(first) > 1) or first in {"U.S.", "India"}:
        return text
    if first in {"A", "An", "The", "Each", "Both", "All", "Its", "Their"}:
        return text[:1].lower() + text[1:]
    return text
