"""Every write of the readout importer: importing a readout, and deciding its candidates.

The readout's text is stored as the meeting's SourceDocument, and an accepted candidate becomes
a commitment, both through `commitments.services`; this module writes only the importer's own
rows (readouts, candidates). Each service is keyword-only and atomic.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commitments import access as domain_access
from commitments import services as domain
from commitments.models import (
    ActionArea,
    Agency,
    Commitment,
    Meeting,
    SourceKind,
)
from commitments.search import normalise

from .finder import AreaHint, PartyHint, find_candidates
from .models import Candidate, CandidateState, PartyAlias, Readout
from .segment import segment

EXCERPT_MAX = 1000  # Commitment.source_excerpt


def digest(text: str) -> str:
    """What recognises the same readout imported again: its words, spacing and case aside."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def excerpt_of(text: str) -> str:
    """The agreed words as a commitment quotes them: exactly, or, for a passage longer than a
    commitment's excerpt, its beginning up to a word and an ellipsis marking the cut."""
    text = text.strip()
    if len(text) <= EXCERPT_MAX:
        return text
    cut = text[: EXCERPT_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def hints(group) -> tuple[list[AreaHint], list[PartyHint]]:
    """What the finder suggests from: the group's action areas (name and keywords) and its
    parties (name, code, their agencies' acronyms and names, and their aliases)."""
    areas = [
        AreaHint(area.slug, area.name, tuple(area.keywords or ()))
        for area in ActionArea.objects.in_group(group).order_by("order", "name")
    ]
    parties = []
    agencies = Agency.objects.filter(party__working_groups=group).values_list(
        "party_id", "acronym", "name"
    )
    aliases = PartyAlias.objects.filter(party__working_groups=group).values_list(
        "party_id", "alias"
    )
    for party in group.parties.order_by("name"):
        names = [party.name, party.code]
        names += [n for pid, *pair in agencies if pid == party.pk for n in pair]
        names += [alias for pid, alias in aliases if pid == party.pk]
        parties.append(PartyHint(party.code, tuple(dict.fromkeys(n for n in names if n))))
    return areas, parties


def _require_coordinator(actor, group) -> None:
    if not domain_access.access_for(actor, group).can_coordinate:
        raise PermissionDenied("Only coordinators of this group import readouts.")


def _tracked(group) -> dict[str, Commitment]:
    """The group's commitments by their agreed words (normalised): what is already tracked."""
    return {
        normalise(c.source_excerpt): c
        for c in Commitment.objects.in_group(group).exclude(source_excerpt="")
    }


@transaction.atomic
def readout_import(
    *,
    meeting: Meeting,
    text: str,
    title: str,
    publisher: str,
    actor,
    published_on: datetime.date | None = None,
    url: str = "",
    kind: str = SourceKind.READOUT,
    filename: str = "",
) -> tuple[Readout, bool]:
    """Store a readout of `meeting` (as a SourceDocument with its full text) and the candidate
    commitments the finder proposes in it: (readout, created). The same text imported again
    for the group gives the readout already there, and creates nothing. A candidate whose words
    a commitment of the group already quotes is shown as already tracked."""
    group = meeting.working_group
    _require_coordinator(actor, group)
    fingerprint = digest(text)
    existing = Readout.objects.in_group(group).filter(digest=fingerprint).first()
    if existing is not None:
        return existing, False
    document = domain.source_document_create(
        actor=actor,
        working_group=group,
        title=title,
        publisher=publisher,
        published_on=published_on,
        url=url,
        kind=kind,
        text=text,
    )
    domain.meeting_add_source_document(meeting=meeting, source_document=document, actor=actor)
    readout = Readout(
        working_group=group,
        meeting=meeting,
        source_document=document,
        reference_date=published_on or meeting.end_date,
        filename=filename,
        digest=fingerprint,
        imported_by=actor,
    )
    readout.full_clean()
    readout.save()
    areas, parties = hints(group)
    by_slug = {a.slug: a for a in ActionArea.objects.in_group(group)}
    tracked = _tracked(group)
    rows = []
    for found in find_candidates(text, areas=areas, parties=parties, today=readout.reference_date):
        commitment = tracked.get(normalise(excerpt_of(found.text)))
        rows.append(
            Candidate(
                readout=readout,
                paragraph=found.paragraph,
                start=found.start,
                end=found.end,
                sentence=found.sentence.text,
                text=found.text,
                area=by_slug.get(found.area),
                parties=list(found.parties),
                title=found.title[:300],
                due_date=found.due_date,
                due_text=found.due_text[:200],
                due_note=found.due_note[:300],
                confidence=round(found.confidence, 3),
                reasons=list(found.reasons),
                state=CandidateState.TRACKED if commitment else CandidateState.PROPOSED,
                commitment=commitment,
            )
        )
    Candidate.objects.bulk_create(rows)
    return readout, True


def _decide(candidate: Candidate, actor, state: str, commitment=None) -> Candidate:
    candidate.state = state
    candidate.commitment = commitment
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["state", "commitment", "decided_by", "decided_at"])
    return candidate


def _open(candidate: Candidate) -> Candidate:
    """The candidate as stored, locked, if it is still to review."""
    current = Candidate.objects.select_for_update().select_related("readout").get(pk=candidate.pk)
    if current.state != CandidateState.PROPOSED:
        label = CandidateState(current.state).label.lower()
        raise ValidationError(f"This passage was already decided ({label}).")
    return current


@transaction.atomic
def candidate_accept(
    *,
    candidate: Candidate,
    actor,
    title: str,
    action_area: ActionArea,
    lead_agencies: Iterable[Agency] = (),
    owner=None,
    priority: str = Commitment.Priority.MEDIUM,
    due_date: datetime.date | None = None,
    description: str = "",
) -> Commitment:
    """Make the candidate a commitment of the readout's meeting, quoting its exact words and
    citing the readout and the paragraph, so the commitment links back to what created it."""
    current = _open(candidate)
    readout = current.readout
    _require_coordinator(actor, readout.working_group)
    commitment = domain.commitment_create(
        working_group=readout.working_group,
        meeting=readout.meeting,
        action_area=action_area,
        title=title,
        description=description,
        lead_agencies=lead_agencies,
        owner=owner,
        priority=priority,
        due_date=due_date,
        source_document=readout.source_document,
        source_locator=f"para. {current.paragraph}",
        source_excerpt=excerpt_of(current.text),
        actor=actor,
    )
    _decide(current, actor, CandidateState.ACCEPTED, commitment)
    candidate.state, candidate.commitment = current.state, commitment
    return commitment


@transaction.atomic
def candidate_reject(*, candidate: Candidate, actor) -> Candidate:
    """Not a commitment: kept, marked rejected, so a re-import does not propose it again as new
    and the reviewer can see what was set aside."""
    current = _open(candidate)
    _require_coordinator(actor, current.readout.working_group)
    return _decide(current, actor, CandidateState.REJECTED)


@transaction.atomic
def candidate_reconsider(*, candidate: Candidate, actor) -> Candidate:
    """Put a rejected candidate back to review."""
    current = Candidate.objects.select_for_update().select_related("readout").get(pk=candidate.pk)
    _require_coordinator(actor, current.readout.working_group)
    if current.state != CandidateState.REJECTED:
        raise ValidationError("Only a rejected passage can be reconsidered.")
    current.state, current.decided_by, current.decided_at = CandidateState.PROPOSED, None, None
    current.save(update_fields=["state", "decided_by", "decided_at"])
    return current


@transaction.atomic
def candidate_from_passage(*, readout: Readout, paragraph: int, text: str, actor) -> Candidate:
    """A candidate from a passage the finder missed: `text` must be words of paragraph
    `paragraph` of the readout, exactly (spacing at its ends aside)."""
    _require_coordinator(actor, readout.working_group)
    paragraphs = segment(readout.source_document.text)
    if not 1 <= paragraph <= len(paragraphs):
        raise ValidationError({"paragraph": f"The readout has paragraphs 1 to {len(paragraphs)}."})
    body = paragraphs[paragraph - 1].text
    words = (text or "").strip()
    if not words:
        raise ValidationError({"text": "Select or paste the words of the passage."})
    start = body.find(words)
    if start < 0:
        raise ValidationError(
            {"text": f"These words are not in paragraph {paragraph}: select them in the text."}
        )
    end = start + len(words)
    if Candidate.objects.filter(
        readout=readout, paragraph=paragraph, start=start, end=end
    ).exists():
        raise ValidationError({"text": "This passage is already a candidate."})
    sentence = next(
        (s.text for s in paragraphs[paragraph - 1].sentences if s.start <= start < s.end), words
    )
    candidate = Candidate(
        readout=readout,
        paragraph=paragraph,
        start=start,
        end=end,
        sentence=sentence,
        text=words,
        title=" ".join(words.split()[:12])[:300],
        manual=True,
        confidence=1.0,
        reasons=["selected by a coordinator"],
    )
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def party_alias_create(*, actor=None, **fields) -> PartyAlias:
    alias = PartyAlias(**fields)
    alias.full_clean()
    alias.save()
    return alias


@transaction.atomic
def party_alias_update(*, party_alias: PartyAlias, actor=None, **changes) -> PartyAlias:
    for name, value in changes.items():
        setattr(party_alias, name, value)
    party_alias.full_clean()
    party_alias.save()
    return party_alias


@transaction.atomic
def party_alias_delete(*, party_alias: PartyAlias, actor=None) -> None:
    party_alias.delete()
