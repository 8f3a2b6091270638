"""The finder's parties: who acts in a clause.

`PartyHint`s become `PartyMatcher`s (`party_matchers`); `actor_in` reads the actor from a
clause's subject: the parties named there (by their names, aliases or agencies' acronyms, not
after a preposition, where they are places or objects), a joint phrase ("both sides", "the
working group") for every party, or nothing. A generic actor ("officials", "they") sends it
further back, past the reporting verbs ("said that", "noted") that `subject_segments` cuts at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "GENERIC_ACTOR",
    "Actor",
    "PartyHint",
    "PartyMatcher",
    "actor_in",
    "named_parties",
    "party_matchers",
    "subject_segments",
]


@dataclass(frozen=True)
class PartyHint:
    """A party (a country or organisation) and the names that refer to it in a text.

    Names may include aliases and the acronyms of its agencies, e.g. ("India", "Indian",
    "New Delhi", "NCB"). Names written in capitals or with dots ("US", "U.S.") match only as
    written, so the pronoun "us" is not the United States; other names ignore case.
    """

    code: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class PartyMatcher:
    code: str
    pattern: re.Pattern[str] | None


_JOINT = re.compile(
    r"\b(?:both|the\s+two|all\s+(?:the\s+)?|each|either)\s+(?:sides?|countries|governments?|"
    r"delegations?|nations?|parties|partners?|co-?chairs?|leaders|ministers|heads\s+of\s+"
    r"delegation|teams?|agencies|administrations|capitals|authorities|participants)\b|"
    r"\bthe\s+(?:sides|delegations|parties|participants|co-?chairs|two)\b|"
    r"\b(?:the\s+)?(?:working\s+group|sub-?group|expert\s+group|dialogue|group)\b(?!\s+of)|"
    r"\bwe\b|\bjointly\b|\btogether\b|\bmutually\b|\bbilaterally\b|\beach\s+side\b"
)
GENERIC_ACTOR = re.compile(
    r"\b(?:experts|officials|participants|agencies|authorities|regulators|officers|"
    r"representatives|ministries|members|counterparts|investigators|they|it)\b"
)
_LOCATIVE = re.compile(
    r"\b(?:in|at|to|across|into|towards?|within|near|around|for|against|from|via|through|"
    r"outside|inside|on|about|with|than)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?$"
)
_REPORTING = re.compile(
    r"\b(?:said|stated|announced|announces|confirmed|informed\s+\w+|told\s+\w+|"
    r"indicated|explained|added|reported|declared|noted|stressed|underlined|emphasi[sz]ed|"
    r"highlighted|welcomed|discussed|reviewed|presented|briefed|recalled|reiterated|"
    r"expressed|thanked|recogni[sz]ed|acknowledged|that)\b"
)


def party_matchers(parties: Sequence[PartyHint]) -> list[PartyMatcher]:
    out = []
    for party in parties:
        exact, loose = [], []
        for name in sorted({n.strip() for n in party.names if n and n.strip()}, key=len)[::-1]:
            (exact if (name.isupper() or "." in name) else loose).append(re.escape(name))
        parts = []
        if exact:
            parts.append(r"(?<![\w.])(?:" + "|".join(exact) + r")(?![\w]|\.\w)")
        if loose:
            parts.append(r"(?i:(?<![\w.])(?:" + "|".join(loose) + r")(?!\w))")
        out.append(PartyMatcher(party.code, re.compile("|".join(parts)) if parts else None))
    return out


def named_parties(
    orig: str,
    low: str,
    start: int,
    end: int,
    matchers: list[PartyMatcher],
    *,
    after_preposition: bool = False,
) -> list[str]:
    """Parties named in orig[start:end]; unless `after_preposition`, those named after a
    preposition ("in Washington", "to India") are places or objects, not actors."""
    codes = []
    for matcher in matchers:
        if matcher.pattern is None:
            continue
        for mo in matcher.pattern.finditer(orig, start, end):
            if not after_preposition and _LOCATIVE.search(
                low[max(0, mo.start() - 20) : mo.start()]
            ):
                continue
            codes.append(matcher.code)
            break
    return codes


def subject_segments(low: str, start: int, end: int) -> list[tuple[int, int]]:
    """orig[start:end] cut at reporting verbs and "that", nearest to the cue first."""
    cuts = [start]
    for mo in _REPORTING.finditer(low, start, end):
        cuts.extend([mo.start(), mo.end()])
    cuts.append(end)
    segments = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return [s for s in reversed(segments) if s[1] > s[0]]


@dataclass(frozen=True)
class Actor:
    parties: tuple[str, ...]
    reason: str
    named: bool  # an actor (party, joint phrase or generic actor) was named


def actor_in(orig: str, low: str, start: int, end: int, matchers, all_codes) -> Actor | None:
    for seg_start, seg_end in subject_segments(low, start, end):
        codes = named_parties(orig, low, seg_start, seg_end, matchers)
        if codes:
            names = ", ".join(codes)
            return Actor(tuple(codes), f"names {names} as the actor", True)
        if _JOINT.search(low, seg_start, seg_end):
            return Actor(all_codes, "names both sides", True)
        if GENERIC_ACTOR.search(low, seg_start, seg_end):
            # "it", "they", "officials": look further back for whom they stand for.
            continue
    return None
