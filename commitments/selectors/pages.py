"""Reads of a meeting's page and of an action area's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Max, Q

from ..models import ActionArea, Commitment, Indicator, Meeting, Participation, WorkingGroup
from .common import StatusSummary, paginate, status_annotations, with_latest_measurement

DETAIL_LIST_PAGE_SIZE = 50


def area_by_slug(*, group: WorkingGroup, slug: str) -> ActionArea | None:
    """The group's area with this slug, or None (a value from a query string)."""
    return ActionArea.objects.in_group(group).filter(slug=slug).first() if slug else None


def next_meeting_number(group: WorkingGroup) -> int:
    """The number the group's next meeting takes: one more than its highest."""
    highest = Meeting.objects.in_group(group).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


@dataclass
class MeetingDetail:
    meeting: Meeting
    participations: list[Participation]
    source_documents: list
    commitments: Page
    summary: StatusSummary


def meeting_detail(*, meeting: Meeting, page_number=1) -> MeetingDetail:
    """Participants with person, agency and party (1), source documents (1), the status summary
    of what it agreed (1), and a page of those commitments with their area (1: the summary has
    counted them)."""
    participations = list(
        meeting.participations.select_related("person__agency__party").order_by(
            "person__agency__party__name", "role", "person__name"
        )
    )
    source_documents = list(meeting.source_documents.order_by("-published_on", "title"))
    agreed = Commitment.objects.filter(meeting=meeting)
    summary = StatusSummary.from_row(agreed.aggregate(**status_annotations()))
    commitments = paginate(
        agreed.select_related("action_area").order_by(
            "action_area__order", "action_area__name", "reference"
        ),
        page_number,
        DETAIL_LIST_PAGE_SIZE,
        count=summary.total,
    )
    return MeetingDetail(
        meeting=meeting,
        participations=participations,
        source_documents=source_documents,
        commitments=commitments,
        summary=summary,
    )


@dataclass
class AreaDetail:
    area: ActionArea
    summary: StatusSummary
    commitments: Page
    indicators: list[Indicator]


def area_detail(*, area: ActionArea, page_number=1) -> AreaDetail:
    """The area's count per status and average progress (1 query), a page of its commitments
    with meeting and owner (1 query: the summary has counted them) and its indicators, directly or through
    one of its commitments, with the latest measurement (1 query)."""
    in_area = Commitment.objects.filter(action_area=area)
    summary = StatusSummary.from_row(in_area.aggregate(**status_annotations()))
    commitments = paginate(
        in_area.select_related("meeting", "owner").order_by("reference"),
        page_number,
        DETAIL_LIST_PAGE_SIZE,
        count=summary.total,
    )
    indicators = list(
        with_latest_measurement(
            Indicator.objects.filter(Q(action_area=area) | Q(commitment__action_area=area))
            .select_related("commitment")
            .order_by("name")
        )
    )
    return AreaDetail(area=area, summary=summary, commitments=commitments, indicators=indicators)
