"""The reads of the reports app, for users and groups already authorised: the rows of an
export (the domain's own list query), a member's calendar, and a member's digest."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from commitments import selectors as domain
from commitments.filters import CommitmentFilterForm, list_filters
from commitments.models import (
    Commitment,
    FollowUp,
    Meeting,
    Membership,
    Priority,
    Status,
    WorkingGroup,
)

from .models import DigestDelivery, DigestState, MemberSettings

DIGEST_DUE_SOON_DAYS = 14
DIGEST_LIST_LIMIT = 15  # per kind and group; the digest says how many more there are
DIGEST_CHANGES_LIMIT = 20
CALENDAR_PAST_DAYS = 365  # meetings further back than this are left out of the feed


# --------------------------------------------------------------------------- exports


@dataclass
class Export:
    group: WorkingGroup
    form: CommitmentFilterForm
    commitments: QuerySet[Commitment]
    description: str  # group, filters, date: the first line of the file


def list_export(*, group: WorkingGroup, user, params, today=None) -> Export:
    """Exactly what the commitments list shows for these parameters (same filters, same order),
    every page of it."""
    today = today or timezone.localdate()
    form = CommitmentFilterForm(
        params, group=group, inactive_after_days=domain.inactive_after_days()
    )
    commitments = domain.commitment_list(group=group, today=today, **list_filters(form, user))
    described = form.described()
    description = (
        f"{group.name}: commitments"
        + (f" ({'; '.join(described)})" if described else " (all)")
        + f", exported {today.isoformat()} by {user.get_full_name() or user.username}"
    )
    return Export(group=group, form=form, commitments=commitments, description=description)


EXPORT_FIELDS = {
    "pk": "pk",
    "reference": "reference",
    "title": "title",
    "area": "action_area__name",
    "status": "status",
    "progress": "progress",
    "priority": "priority",
    "due_date": "due_date",
    "meeting": "meeting__number",
    "owner": "owner__username",
    "last_activity_on": "last_activity_on",
    "description": "description",
    "source_excerpt": "source_excerpt",
    "source_locator": "source_locator",
}
_STATUS = dict(Status.choices)
_PRIORITY = dict(Priority.choices)


def export_rows(export_or_queryset, *, chunk_size: int = 2000) -> Iterator[dict]:
    """The export's commitments as plain rows (dicts keyed like EXPORT_FIELDS, with labels for
    status and priority and "lead_agencies" as "ONDCP (US); NCB (IN)"), read in chunks of
    `chunk_size`: two queries per chunk (the rows, then their lead agencies), memory flat
    whatever the number of rows, and no model instances to build."""
    queryset = getattr(export_or_queryset, "commitments", export_or_queryset)
    values = queryset.prefetch_related(None).values_list(*EXPORT_FIELDS.values())
    names = list(EXPORT_FIELDS)
    iterator = values.iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(iterator, chunk_size)):
        rows = [dict(zip(names, values, strict=True)) for values in chunk]
        leads: dict[int, list[str]] = {}
        through = Commitment.lead_agencies.through.objects.filter(
            commitment_id__in=[row["pk"] for row in rows]
        ).order_by("commitment_id", "agency__party__name", "agency__acronym")
        for commitment_id, acronym, code in through.values_list(
            "commitment_id", "agency__acronym", "agency__party__code"
        ):
            leads.setdefault(commitment_id, []).append(f"{acronym} ({code})")
        for row in rows:
            row["status"] = _STATUS.get(row["status"], row["status"])
            row["priority"] = _PRIORITY.get(row["priority"], row["priority"])
            row["lead_agencies"] = "; ".join(leads.get(row["pk"], ()))
            yield row


def rows_by_area(export: Export, *, chunk_size: int = 2000):
    """(area name, rows) for each area of the group, in the areas' order."""
    for area in export.group.action_areas.order_by("order", "code"):
        yield area.name, export_rows(export.commitments.filter(action_area=area),
                                     chunk_size=chunk_size)  # fmt: skip


# --------------------------------------------------------------------------- calendar


def member_settings(*, user) -> MemberSettings | None:
    return MemberSettings.objects.filter(user=user).first()


def member_groups(*, user) -> QuerySet[WorkingGroup]:
    """The groups the member belongs to (the feed and the digest are about their own groups,
    even for staff who may read every group)."""
    return WorkingGroup.objects.filter(memberships__user=user).order_by("name")


@dataclass
class CalendarItems:
    meetings: list[Meeting]
    commitments: list[Commitment]


def calendar_items(*, user, today: datetime.date | None = None) -> CalendarItems:
    """Meetings of the member's groups (the last year's and every later one) and their open
    commitments that have a due date (2 queries)."""
    today = today or timezone.localdate()
    groups = Membership.objects.filter(user=user).values("working_group")
    meetings = (
        Meeting.objects.filter(working_group__in=groups)
        .filter(end_date__gte=today - datetime.timedelta(days=CALENDAR_PAST_DAYS))
        .select_related("working_group")
        .order_by("start_date", "pk")
    )
    commitments = (
        Commitment.objects.filter(working_group__in=groups)
        .open()
        .filter(due_date__isnull=False)
        .select_related("working_group", "action_area")
        .order_by("due_date", "pk")
    )
    return CalendarItems(meetings=list(meetings), commitments=list(commitments))


# --------------------------------------------------------------------------- digest


@dataclass
class Listing:
    commitments: list[Commitment]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.commitments)


@dataclass
class GroupDigest:
    group: WorkingGroup
    overdue: Listing
    due_soon: Listing
    inactive: Listing
    changes: list[FollowUp]
    changes_total: int

    @property
    def sections(self) -> list[tuple[str, Listing]]:
        return [
            ("Overdue", self.overdue),
            (f"Due in the next {DIGEST_DUE_SOON_DAYS} days", self.due_soon),
            ("Inactive", self.inactive),
        ]

    @property
    def empty(self) -> bool:
        return not (
            self.overdue.total or self.due_soon.total or self.inactive.total or self.changes_total
        )


@dataclass
class Digest:
    user: object
    since: datetime.datetime
    today: datetime.date
    groups: list[GroupDigest] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return all(g.empty for g in self.groups)


def _listing(queryset) -> Listing:
    total = queryset.count()
    rows = list(
        queryset.select_related("action_area", "working_group").order_by("due_date", "reference")[
            :DIGEST_LIST_LIMIT
        ]
    )
    return Listing(commitments=rows, total=total)


def digest_for(*, user, since: datetime.datetime, today: datetime.date) -> Digest:
    """What the member should know this week, per group: overdue, due in the next two weeks,
    inactive, and the follow-ups and edits recorded since `since`."""
    digest = Digest(user=user, since=since, today=today)
    for group in member_groups(user=user):
        mine = Commitment.objects.in_group(group)
        changes = FollowUp.objects.in_group(group).filter(created_at__gt=since)
        digest.groups.append(
            GroupDigest(
                group=group,
                overdue=_listing(mine.overdue(today)),
                due_soon=_listing(mine.due_soon(today, DIGEST_DUE_SOON_DAYS)),
                inactive=_listing(mine.inactive(today)),
                changes=list(
                    changes.select_related("commitment__working_group", "author").order_by(
                        "-created_at"
                    )[:DIGEST_CHANGES_LIMIT]
                ),
                changes_total=changes.count(),
            )
        )
    return digest


def digest_recipients():
    """Active members with an e-mail address who have not opted out, with the start of what
    their next digest counts as new (their last digest, or a week ago)."""
    opted_out = MemberSettings.objects.filter(digest=False).values("user")
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__isnull=False)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .distinct()
        .order_by("pk")
    )


def last_digest_at(*, user) -> datetime.datetime | None:
    last = (
        DigestDelivery.objects.filter(user=user, state=DigestState.SENT)
        .order_by("-week")
        .values_list("created_at", flat=True)
        .first()
    )
    return last
