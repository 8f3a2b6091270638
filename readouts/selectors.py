"""Reads of the readout pages, for readouts the caller has already authorised."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from commitments.formfields import group_members
from commitments.models import ActionArea, Agency, Meeting, WorkingGroup

from .models import Candidate, CandidateState, Readout
from .segment import segment


@dataclass
class Piece:
    """A stretch of a paragraph: plain text, or a candidate's passage (`candidate`)."""

    text: str
    candidate: Candidate | None = None


@dataclass
class ParagraphView:
    number: int
    pieces: list[Piece]


@dataclass
class AcceptChoices:
    """What every candidate's accept form offers, read once for the page: the group's areas,
    its members, and each side's agencies."""

    areas: list[ActionArea]
    members: list
    sides: list[tuple[object, list[Agency]]] = field(default_factory=list)
    co_lead_ids: set[int] = field(default_factory=set)


@dataclass
class Review:
    readout: Readout
    paragraphs: list[ParagraphView]
    candidates: list[Candidate]
    counts: dict[str, int]
    choices: AcceptChoices


def accept_choices(group: WorkingGroup) -> AcceptChoices:
    """Areas (1 query), members (1), parties (1), their agencies (1), the co-leads (1)."""
    parties = list(group.parties.order_by("name"))
    agencies = list(Agency.objects.filter(party__in=parties).order_by("acronym"))
    return AcceptChoices(
        areas=list(ActionArea.objects.in_group(group).order_by("order", "name")),
        members=list(group_members(group)),
        sides=[(p, [a for a in agencies if a.party_id == p.pk]) for p in parties],
        co_lead_ids=set(group.lead_agencies.values_list("pk", flat=True)),
    )


def _pieces(text: str, marks: list[Candidate]) -> list[Piece]:
    pieces, at = [], 0
    for candidate in sorted(marks, key=lambda c: (c.start, c.end)):
        if candidate.start < at:  # overlapping passages: the first one shows
            continue
        if candidate.start > at:
            pieces.append(Piece(text[at : candidate.start]))
        pieces.append(Piece(text[candidate.start : candidate.end], candidate))
        at = candidate.end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


def review(*, readout: Readout) -> Review:
    """The readout's paragraphs with each candidate's passage marked, the candidates in text
    order with their area and commitment, and the counts per state (queries: candidates 1,
    counts 1, the accept forms' choices 5)."""
    candidates = list(
        readout.candidates.select_related("area", "commitment", "decided_by").order_by(
            "paragraph", "start", "id"
        )
    )
    by_paragraph: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_paragraph.setdefault(candidate.paragraph, []).append(candidate)
    paragraphs = [
        ParagraphView(p.index, _pieces(p.text, by_paragraph.get(p.index, [])))
        for p in segment(readout.source_document.text)
    ]
    counts = dict.fromkeys(CandidateState.values, 0)
    counts.update(
        readout.candidates.order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return Review(
        readout=readout,
        paragraphs=paragraphs,
        candidates=candidates,
        counts=counts,
        choices=accept_choices(readout.working_group),
    )


def readouts_of(*, meeting: Meeting) -> list[Readout]:
    """The readouts imported for a meeting, newest first, with how many candidates are still
    to review (1 query)."""
    return list(
        Readout.objects.filter(meeting=meeting)
        .select_related("source_document")
        .annotate(
            to_review=Count("candidates", filter=Q(candidates__state=CandidateState.PROPOSED))
        )
        .order_by("-imported_at")
    )


def candidate(*, pk: int) -> Candidate:
    """One candidate with its readout (meeting, document), area and commitment (1 query)."""
    return Candidate.objects.select_related(
        "readout__meeting", "readout__source_document", "area", "commitment", "decided_by"
    ).get(pk=pk)


def count_candidates(*, readout: Readout) -> int:
    return readout.candidates.count()
