"""The finder's third stage: a sentence cut into clauses, one for each action its cues introduce.

`cut_clauses` folds a cue into the one it belongs to ("agreed that X will ...": the "will" is
part of the agreement), cuts the sentence between the others (at "; ", ", and ", ", while ",
...) and "agreed to X, to Y and to Z" before each coordinated "to". Each `Clause` knows its cue,
its subject and where its action words begin. A lead-in that ends in a colon ("the two sides
agreed to:", `is_lead_in`) becomes a `LeadIn` that hands its cue to the list items after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readouts.cues import THAT_LINKS, Cue
from readouts.segment import Paragraph, Sentence

__all__ = ["Clause", "LeadIn", "cut_clauses", "is_lead_in"]


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


@dataclass
class Clause:
    start: int  # within the sentence
    end: int
    cue: Cue
    action_start: int  # where the action words begin (for the title)
    subject_start: int
    subject_end: int
    pieces: int = 1  # how many candidates the sentence was split into


_BOUNDARIES = (
    re.compile(r";\s*(?:and\s+|while\s+|whereas\s+|but\s+)?"),
    re.compile(r",\s*(?:and|while|whereas|but|as\s+well\s+as)\s+"),
    re.compile(r"\s+(?:and|while|whereas|but)\s+"),
    re.compile(r",\s+"),
)
_COORD_TO = re.compile(
    r"(?:,\s*(?:and\s+|or\s+|as\s+well\s+as\s+)?|;\s*(?:and\s+)?|\s+and\s+|\s+as\s+well\s+as\s+)"
    r"(?=to\s+(?:also\s+|further\s+|jointly\s+)?(?!the\b|a\b|an\b|its\b|their\b|his\b|her\b|"
    r"our\b|this\b|these\b|those\b|all\b|each\b|both\b|other\b|be\b)[a-z])"
)
_ENUM = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[;:,]))\(?(?:[a-h]|i{1,3}|iv|vi{0,3}|\d)\)\s+")


def _split_between_cues(low: str, cues: list[Cue]) -> list[tuple[int, int, Cue]]:
    """Cut the sentence between primary cues; returns (start, end, cue) spans."""
    spans: list[tuple[int, int, Cue]] = []
    start = 0
    current = cues[0]
    last_end = current.end
    for nxt in cues[1:]:
        # Only the words since the last cue can hold the cut (and looking no further back keeps
        # a sentence with thousands of cues linear).
        region_start, region_end = last_end, nxt.start
        last_end = max(last_end, nxt.end)
        cut = None
        for pattern in _BOUNDARIES:
            matches = list(pattern.finditer(low, region_start, region_end))
            if matches:
                cut = matches[-1]
                break
        if cut is None:
            current.absorbed.append(nxt)
            continue
        spans.append((start, cut.start(), current))
        start = cut.end()
        current = nxt
    spans.append((start, len(low), current))
    return spans


def _split_coordinated(low: str, orig: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut "to X, to Y and to Z" (or "(a) X; (b) Y") after a cue; returns spans."""
    cuts = []
    for mo in _COORD_TO.finditer(low, start, end):
        to_pos = mo.end()
        nxt = re.match(r"to\s+(?:also\s+|further\s+|jointly\s+)?(\S)", orig[to_pos:end])
        if nxt and nxt.group(1).islower():
            cuts.append((mo.start(), to_pos))
    enums = list(_ENUM.finditer(low, start, end))
    if len(enums) >= 2:
        cuts = [(mo.start(), mo.start()) for mo in enums[1:]]
    if not cuts:
        return [(start, end)]
    spans = []
    pos = start
    for cut_start, next_start in cuts:
        spans.append((pos, cut_start))
        pos = next_start
    spans.append((pos, end))
    # Keep pieces of at least three words; merge shorter ones into the piece before.
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and _words(orig[s:e]) < 3:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _absorb(low: str, cues: list[Cue]) -> list[Cue]:
    """Fold cues that belong to another one into it; return the primary cues."""
    primary: list[Cue] = []
    for cue in cues:
        if primary:
            host = primary[-1]
            near = cue.start - host.end <= 250
            between = low[host.end : cue.start] if near else ""
            in_complement = (
                near
                and host.link in THAT_LINKS
                and cue.kind in {"modal", "intend"}
                and not re.search(r";|,\s*(?:and|while|whereas|but)\s", between)
                and _words(between) <= 25
            )
            # "agreed that X will ...", "... with the course to be held in May", and anything
            # after "Action:" or "Next meeting:" belong to the cue before.
            if in_complement or cue.kind == "to_be" or host.kind in {"action", "next_meeting"}:
                host.absorbed.append(cue)
                continue
        primary.append(cue)
    return primary


@dataclass
class LeadIn:
    """A sentence that ends in a colon after a cue ("the two sides agreed to:"): the list items
    that follow it take its cue and its actor."""

    clause: Clause
    orig: str
    low: str
    para: Paragraph
    sentence: Sentence
    items: int = 0


def _action_start(low: str, clause: Clause) -> int:
    cue = clause.cue
    pos = cue.end
    if cue.link in THAT_LINKS:
        inner = [c for c in cue.absorbed if c.kind == "modal"]
        if inner:
            return inner[0].end
        return pos
    if cue.kind == "task" and cue.link == "with":
        return pos
    if cue.kind == "action":
        mo = re.search(r"\bto\s+(?=[a-z])", low[pos : clause.end])
        if mo:
            return pos + mo.end()
    return pos


def cut_clauses(low: str, orig: str, cues: list[Cue]) -> list[Clause]:
    primary = _absorb(low, cues)
    out: list[Clause] = []
    for start, end, cue in _split_between_cues(low, primary):
        # Trim whitespace and the sentence's closing punctuation off the clause.
        while end > start and (orig[end - 1].isspace() or orig[end - 1] in ".;,"):
            end -= 1
        subject_start = start
        clause = Clause(
            start=start,
            end=end,
            cue=cue,
            action_start=cue.end,
            subject_start=subject_start,
            subject_end=cue.start if cue.kind != "action" else cue.end,
        )
        if cue.kind == "action":
            mo = re.search(r"\bto\s+(?=[a-z])", low[cue.end : end])
            clause.subject_end = cue.end + mo.start() if mo else cue.end
        clause.action_start = _action_start(low, clause)
        if out and not re.search(
            r"[a-z]{2}",
            re.sub(
                r"\b(?:and|but|while|whereas|also|then|"
                r"further|it|they)\b",
                "",
                low[start : cue.start],
            ),
        ):
            # "... and will designate": no subject of its own; inherit the one before.
            clause.subject_start, clause.subject_end = out[-1].subject_start, out[-1].subject_end
        pieces: list[tuple[int, int]] = [(start, end)]
        if cue.link.endswith("to") and cue.kind in {
            "agree", "commit", "decide", "passive", "task", "task_active", "intend",
        }:  # fmt: skip
            pieces = _split_coordinated(low, orig, cue.end, end)
            pieces[0] = (start, pieces[0][1])
        for i, (p_start, p_end) in enumerate(pieces):
            while p_end > p_start and (orig[p_end - 1].isspace() or orig[p_end - 1] in ".;,"):
                p_end -= 1
            piece = Clause(
                start=p_start,
                end=p_end,
                cue=cue,
                action_start=clause.action_start if i == 0 else p_start,
                subject_start=clause.subject_start,
                subject_end=clause.subject_end,
            )
            if i > 0:
                to = re.match(r"to\s+", low[p_start:p_end])
                piece.action_start = p_start + (to.end() if to else 0)
                enum = _ENUM.match(low, p_start)
                if enum:
                    piece.action_start = enum.end()
            out.append(piece)
    total = len(out)
    for clause in out:
        clause.pieces = total
    return out


def is_lead_in(orig: str, clause: Clause) -> bool:
    tail = orig[clause.cue.end :].strip()
    return (tail in {":", ""} and orig.rstrip().endswith(":")) or bool(
        re.fullmatch(r"(?:the\s+following|as\s+follows)\s*:", tail, re.IGNORECASE)
    )
