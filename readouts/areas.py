"""The finder's action areas: the area a clause is about.

`AreaHint`s become `AreaMatcher`s (`area_matchers`): each keyword of an area, with its plural
and common inflections, and the words of its name; `suggest_area` scores them in the clause, in
the rest of its sentence and, when the clause refers back ("the proposal"), in the sentences
before it, and names the best area with the keywords behind it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from readouts.segment import lowered, wordset

__all__ = ["NEAR", "AreaHint", "AreaMatcher", "area_matchers", "suggest_area"]


@dataclass(frozen=True)
class AreaHint:
    """An action area to suggest: its slug, its name and the keywords that point to it."""

    slug: str
    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreaMatcher:
    slug: str
    terms: tuple[tuple[str, float], ...]  # (term, weight), longest first
    pattern: re.Pattern[str] | None  # one named group per term, longest first


_NAME_STOP = wordset(
    "and or of the a an for in on to with against control controls oversight cooperation "
    "joint other general matters issues area"
)


_SUFFIXES = r"(?:e|y|ies|s|es|ed|ing|ings|er|ers|ion|ions)?"


def _term_pattern(term: str, *, inflect: bool = True) -> str:
    """A keyword as a pattern that also finds its plural (and, if `inflect`, other common
    inflections: "training" finds "trained", "laboratory" finds "laboratories")."""
    parts = []
    for word in re.split(r"[\s]+", lowered(term).strip()):
        if not word:
            continue
        if inflect and len(word) > 5 and word.isalpha():
            stem = re.sub(r"(?:ing|ed|ies|es|s|y|e)$", "", word)
            parts.append(re.escape(stem) + _SUFFIXES)
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 4:
            parts.append(re.escape(word[:-1]) + r"s?")
        else:
            parts.append(re.escape(word) + r"(?:s|es)?")
    return r"[\s-]+".join(parts) + r"(?![\w])"


def area_matchers(areas: Sequence[AreaHint]) -> list[AreaMatcher]:
    out = []
    for area in areas:
        terms: dict[str, float] = {}
        inflect: dict[str, bool] = {}
        for kw in area.keywords:
            if kw and kw.strip():
                terms[lowered(kw.strip())] = 1.0 + 0.5 * (len(kw.split()) - 1)
                inflect[lowered(kw.strip())] = True
        # Words of the name count a little, as written (and plural): not "sharing" or
        # "building", which say nothing about an area.
        for word in re.findall(r"[A-Za-z][A-Za-z-]+", area.name):
            w = lowered(word)
            if w not in _NAME_STOP and len(w) > 3 and not w.endswith("ing") and w not in terms:
                terms[w] = 0.3
                inflect[w] = False
        ordered = tuple(sorted(terms.items(), key=lambda t: -len(t[0])))
        pattern = (
            re.compile(
                r"(?<![\w-])(?:"
                + "|".join(
                    f"(?P<t{i}>{_term_pattern(t, inflect=inflect[t])})"
                    for i, (t, _w) in enumerate(ordered)
                )
                + ")"
            )
            if ordered
            else None
        )
        out.append(AreaMatcher(area.slug, ordered, pattern))
    return out


_ANAPHORA = re.compile(
    r"\b(?:the|this|that|these|those|such)\s+(?:proposal|plan|arrangement|exercise|initiative|"
    r"pilot|measures?|steps?|mechanism|idea|request|offer|work|efforts?|question|matter|"
    r"issue|project|programme|program|scheme)\b|\b(?:it|them)\b"
)


def _area_scores(text: str, matchers: list[AreaMatcher], factor: float):
    for matcher in matchers:
        score, hits = 0.0, []
        if matcher.pattern is not None:
            # The longest term that matches at a place wins: "precursor chemicals" is not also
            # counted as "precursor".
            for mo in matcher.pattern.finditer(text):
                term, weight = matcher.terms[int(mo.lastgroup[1:])]
                score += weight * factor
                hits.append(term)
        yield matcher.slug, score, hits


_AREA_MIN = 0.3
NEAR = 400  # characters either side of a clause that count as its surroundings


def suggest_area(
    clause_low: str, rest_low: str, context_low: str, matchers: list[AreaMatcher]
) -> tuple[str | None, list[str]]:
    """The best area for a clause and the keywords behind it.

    Keywords in the clause count in full, those in the rest of its sentence for 40%; when the
    clause refers back ("the proposal", "these steps"), so do the sentences before it in the
    paragraph. Words of an area's name count for 30% of a keyword. An area needs a score of
    `_AREA_MIN` (a word of its name in the clause, or a keyword near it) to be suggested.
    """
    texts = [(clause_low, 1.0), (rest_low, 0.4)]
    if context_low and _ANAPHORA.search(clause_low):
        texts.append((context_low, 0.4))
    totals: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for text, factor in texts:
        if not text:
            continue
        for slug, score, hits in _area_scores(text, matchers, factor):
            totals[slug] = totals.get(slug, 0.0) + score
            found.setdefault(slug, []).extend(hits)
    best = None
    for order, matcher in enumerate(matchers):
        score = totals.get(matcher.slug, 0.0)
        if score >= _AREA_MIN and (best is None or score > best[0]):
            best = (score, order, matcher.slug)
    if best is None:
        return None, []
    hits = found[best[2]]
    return best[2], sorted(set(hits), key=hits.index)
