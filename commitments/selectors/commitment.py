"""Reads of a commitment's page: its lead agencies, its indicators and its log (timeline)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page
from django.db.models import QuerySet

from ..models import Agency, Commitment, FollowUp, Indicator
from .common import ENTRY_RELATED, paginate, with_latest_measurement

TIMELINE_PAGE_SIZE = 20


@dataclass
class CommitmentDetail:
    """What the commitment page shows besides the commitment, each read when first asked: the
    fragments that show neither (the status block, the timeline) do not read them."""

    commitment: Commitment

    @cached_property
    def lead_agencies(self) -> list[Agency]:
        return lead_agencies(commitment=self.commitment)

    @cached_property
    def indicators(self) -> QuerySet[Indicator]:
        return with_latest_measurement(
            Indicator.objects.filter(commitment=self.commitment).order_by("name")
        )


def lead_agencies(*, commitment: Commitment) -> list[Agency]:
    """The commitment's lead agencies with their party, by side (1 query)."""
    return list(
        Agency.objects.filter(commitments_led=commitment)
        .select_related("party")
        .order_by("party__name", "acronym")
    )


def commitment_detail(*, commitment: Commitment) -> CommitmentDetail:
    """The lead agencies with their party (1 query) and the indicators with their latest
    measurement (1 query), each read when first asked: the fragments that do not show them do
    not pay for them."""
    return CommitmentDetail(commitment=commitment)


def correctable_entry(*, commitment: Commitment, pk: int) -> FollowUp | None:
    """A follow-up of this commitment that a new one may correct, with its author (1 query)."""
    return (
        FollowUp.objects.follow_ups()
        .filter(commitment=commitment, pk=pk)
        .select_related(*ENTRY_RELATED)
        .first()
    )


def timeline(*, commitment: Commitment, page_number=1) -> Page:
    """The commitment's log (follow-ups and edits), the latest first by the date it happened,
    then by when it was recorded; a page at a time, each entry with its author's agency and
    side (count + page: 2 queries)."""
    entries = (
        FollowUp.objects.filter(commitment=commitment)
        .select_related(*ENTRY_RELATED)
        .order_by("-occurred_on", "-created_at", "-id")
    )
    page = paginate(entries, page_number, TIMELINE_PAGE_SIZE)
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.commitment = commitment  # the one the page shows: no query per entry
    return page
