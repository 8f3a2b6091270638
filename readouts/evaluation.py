"""Measure the finder against labelled readouts (see tests/data/readouts/README.md).

A candidate matches an expected commitment when it comes from the sentence that holds the
expected `quote` and, if the expectation names a `clause`, its text overlaps that clause.
Matching is one to one: a second candidate from the same sentence that matches nothing else is a
false alarm. Expectations marked `optional` are neither missed nor matched: a candidate that
matches only an optional expectation is left out of precision.

Run `python -m readouts.evaluation DIR [DIR ...]` for a report of misses and false alarms.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from readouts.finder import AreaHint, Candidate, PartyHint, find_candidates
from readouts.segment import segment

__all__ = ["Readout", "Score", "evaluate", "load_hints", "load_readouts"]


@dataclass(frozen=True)
class Expected:
    para: int
    quote: str
    clause: str | None
    area: str | None
    parties: tuple[str, ...]
    due: date | None
    optional: bool
    span: tuple[int, int]  # of the clause (or quote) within the paragraph
    quote_span: tuple[int, int]


@dataclass(frozen=True)
class Readout:
    id: str
    path: Path
    text: str
    date: date
    parties: tuple[PartyHint, ...] | None
    expected: tuple[Expected, ...]


@dataclass
class Score:
    candidates: int = 0
    true_positives: int = 0  # candidates matched to a required expectation
    optional_matches: int = 0
    expected: int = 0  # required expectations
    found: int = 0  # required expectations matched
    area_right: int = 0
    parties_right: int = 0
    due_right: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        counted = self.candidates - self.optional_matches
        return self.true_positives / counted if counted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def area_accuracy(self) -> float:
        return self.area_right / self.found if self.found else 1.0

    @property
    def parties_accuracy(self) -> float:
        return self.parties_right / self.found if self.found else 1.0

    @property
    def due_accuracy(self) -> float:
        return self.due_right / self.found if self.found else 1.0

    def summary(self) -> str:
        return (
            f"candidates {self.candidates}, expected {self.expected}, "
            f"precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"area accuracy {self.area_accuracy:.3f}, parties accuracy "
            f"{self.parties_accuracy:.3f}, due-date accuracy {self.due_accuracy:.3f}"
        )


def load_hints(path: Path) -> tuple[tuple[AreaHint, ...], tuple[PartyHint, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    areas = tuple(
        AreaHint(a["slug"], a["name"], tuple(a.get("keywords") or ())) for a in data["areas"]
    )
    return areas, _parties(data["parties"])


def _parties(rows) -> tuple[PartyHint, ...]:
    return tuple(PartyHint(p["code"], tuple(p["names"])) for p in rows)


def load_readouts(folder: Path) -> list[Readout]:
    """Every readout in `folder`; fails loudly when a label does not fit its text."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        paragraphs = {p.index: p for p in segment(data["text"])}
        expected = []
        for row in data["expected"]:
            para = paragraphs.get(row["para"])
            where = f"{path.name}: para {row['para']} {row['quote']!r}"
            if para is None:
                raise ValueError(f"{where}: no such paragraph")
            if para.text.count(row["quote"]) != 1:
                raise ValueError(f"{where}: quote found {para.text.count(row['quote'])} times")
            q_start = para.text.index(row["quote"])
            span = quote_span = (q_start, q_start + len(row["quote"]))
            if row.get("clause"):
                c_start = para.text.find(row["clause"], _sentence_of(para, q_start).start)
                if c_start < 0:
                    raise ValueError(f"{where}: clause {row['clause']!r} not found")
                span = (c_start, c_start + len(row["clause"]))
            expected.append(
                Expected(
                    para=row["para"],
                    quote=row["quote"],
                    clause=row.get("clause"),
                    area=row.get("area"),
                    parties=tuple(row.get("parties") or ()),
                    due=row.get("due"),
                    optional=bool(row.get("optional")),
                    span=span,
                    quote_span=quote_span,
                )
            )
        out.append(
            Readout(
                id=data["id"],
                path=path,
                text=data["text"],
                date=data["date"],
                parties=_parties(data["parties"]) if data.get("parties") else None,
                expected=tuple(expected),
            )
        )
    return out


def _sentence_of(para, offset: int):
    for sentence in para.sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    raise ValueError(f"offset {offset} is in no sentence of paragraph {para.index}")


def _matches(cand: Candidate, exp: Expected) -> int:
    """Overlap (> 0) when `cand` matches `exp`, else 0."""
    sentence = cand.sentence
    if cand.paragraph != exp.para or not (
        sentence.start <= exp.quote_span[0] and exp.quote_span[1] <= sentence.end
    ):
        return 0
    overlap = min(cand.end, exp.span[1]) - max(cand.start, exp.span[0])
    if exp.clause:
        return max(0, overlap)
    return max(1, overlap)


def evaluate(
    readouts: list[Readout],
    areas: tuple[AreaHint, ...],
    parties: tuple[PartyHint, ...],
    min_confidence: float | None = None,
) -> Score:
    score = Score()
    for readout in readouts:
        kwargs = {} if min_confidence is None else {"min_confidence": min_confidence}
        cands = find_candidates(
            readout.text,
            areas=areas,
            parties=readout.parties or parties,
            today=readout.date,
            **kwargs,
        )
        score.candidates += len(cands)
        pairs = sorted(
            (
                (overlap, ci, ei)
                for ci, cand in enumerate(cands)
                for ei, exp in enumerate(readout.expected)
                if (overlap := _matches(cand, exp))
            ),
            reverse=True,
        )
        used_c: dict[int, int] = {}
        used_e: set[int] = set()
        for _overlap, ci, ei in pairs:
            if ci in used_c or ei in used_e:
                continue
            used_c[ci] = ei
            used_e.add(ei)
        for ei, exp in enumerate(readout.expected):
            if not exp.optional:
                score.expected += 1
            if ei not in used_e and not exp.optional:
                score.misses.append(f"{readout.id} p{exp.para}: {exp.clause or exp.quote!r}")
        for ci, cand in enumerate(cands):
            where = f"{readout.id} p{cand.paragraph} [{cand.confidence}] {cand.text[:90]!r}"
            if ci not in used_c:
                score.false_alarms.append(where + f" {cand.reasons}")
                continue
            exp = readout.expected[used_c[ci]]
            if exp.optional:
                score.optional_matches += 1
                continue
            score.true_positives += 1
            score.found += 1
            problems = []
            if cand.area == exp.area:
                score.area_right += 1
            else:
                problems.append(f"area {cand.area} != {exp.area}")
            if set(cand.parties) == set(exp.parties):
                score.parties_right += 1
            else:
                problems.append(f"parties {cand.parties} != {exp.parties}")
            if cand.due_date == exp.due:
                score.due_right += 1
            else:
                problems.append(f"due {cand.due_date} != {exp.due}")
            if problems:
                score.wrong.append(f"{where}: " + "; ".join(problems))
    return score


def main(argv: list[str]) -> int:  # pragma: no cover - a report for people
    folders = [Path(a) for a in argv] or [Path("tests/data/readouts/dev")]
    areas, parties = load_hints(folders[0].parent / "hints.yaml")
    for folder in folders:
        score = evaluate(load_readouts(folder), areas, parties)
        print(f"== {folder}: {score.summary()}")
        for line in score.misses:
            print("  MISS ", line)
        for line in score.false_alarms:
            print("  FALSE", line)
        for line in score.wrong:
            print("  WRONG", line)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
