"""Reads of the commitments list: its filters as a queryset (also what the exports read), its
search, and a page of its rows."""

from __future__ import annotations

import datetime
import re

from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import ActionArea, Affiliation, Agency, Commitment, Meeting, WorkingGroup
from .common import paginate
from .tallies import counted

LIST_PAGE_SIZE = 25

_SORTS = {
    "reference": ("reference",),
    "due": (F("due_date").asc(nulls_last=True), "reference"),
    "-due": (F("due_date").desc(nulls_last=True), "reference"),
    "activity": ("last_activity_on", "reference"),
    "-activity": ("-last_activity_on", "reference"),
}


def led_by(side: str):
    """A filter on commitments for the list's "Led by" values (see forms.side_choices): a party
    code (led by its agencies, alone or shared), "<code>-only" (led by that side alone), or
    "shared" (led by agencies of more than one side)."""
    leads = Commitment.lead_agencies.through.objects.filter(commitment=OuterRef("pk"))
    if side == "shared":
        several = (
            leads.order_by()
            .values("commitment")
            .annotate(sides=Count("agency__party", distinct=True))
            .filter(sides__gte=2)
        )
        return Exists(several)
    code, _, only = side.partition("-")
    ours = Exists(leads.filter(agency__party__code=code))
    if only == "only":
        return ours & ~Exists(leads.exclude(agency__party__code=code))
    return ours


_MATCHES_AT_MOST = 10_000_000
# One word with a digit or a hyphen: perhaps part of a reference ("PC-01", "2-SC").
_REFERENCE_LIKE = re.compile(r"\S*[\d-]\S*")


def matching(commitments: QuerySet[Commitment], q: str) -> QuerySet[Commitment]:
    """The commitments whose searchable text holds every word of `q` (full-text index: the
    reference, title, description, agreed words, lead agencies, notes), or, when `q` looks
    like part of a reference, whose reference holds it. On PostgreSQL the match is a subquery
    of ids: ORed with the reference's substring match directly, it would stop PostgreSQL from
    using its index (to_tsvector of every row); as a subquery, the index finds the ids once
    and each row is a hash lookup. No join: no row twice, so no DISTINCT. The substring match
    reads every reference of the group (no index serves "contains"): only for a
    reference-like `q`; a word search stays with the index."""
    q = q.strip()
    if connection.vendor == "sqlite":
        # The lookup is already a subquery of ids there (the full-text table's rowids).
        found = Q(search_text__matches=q)
    else:
        # The LIMIT (never reached) keeps PostgreSQL from turning the IN into a join that
        # checks each row of the list's order against the text (to_tsvector per row): the
        # matches are then found once, through the index, and hashed. Unordered: the model's
        # default order would have it sort every match first.
        found = Q(
            pk__in=Commitment.objects.filter(search_text__matches=q)
            .order_by()
            .values("pk")[:_MATCHES_AT_MOST]
        )
    if _REFERENCE_LIKE.fullmatch(q):
        return commitments.filter(found | Q(reference__icontains=q))
    return commitments.filter(found)


def commitment_list(
    *,
    group: WorkingGroup,
    q: str = "",
    area: ActionArea | None = None,
    status: str = "",
    priority: str = "",
    attention: str = "",
    agency=None,
    party: str = "",
    meeting: Meeting | None = None,
    owner=None,
    mine=None,
    sort: str = "reference",
    today: datetime.date | None = None,
) -> QuerySet[Commitment]:
    """The group's commitments matching the filters, ready for a page of the list (with the
    area, meeting and owner joined and the lead agencies prefetched). `mine` is a user: what
    they own or their agency leads. `party` is a "Led by" value (see `led_by`)."""
    today = today or timezone.localdate()
    qs = Commitment.objects.in_group(group)
    if q:
        qs = matching(qs, q)
    if area is not None:
        qs = qs.filter(action_area=area)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if attention == "overdue":
        qs = qs.overdue(today)
    elif attention == "due_soon":
        qs = qs.due_soon(today)
    elif attention == "inactive":
        qs = qs.inactive(today)
    leads = Commitment.lead_agencies.through.objects.filter(commitment=OuterRef("pk"))
    if agency is not None:
        qs = qs.filter(Exists(leads.filter(agency=agency)))
    if party:
        qs = qs.filter(led_by(party))
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if mine is not None:
        my_agency = Affiliation.objects.filter(user=mine).values("agency")
        qs = qs.filter(Q(owner=mine) | Exists(leads.filter(agency__in=my_agency)))
    return _as_listed(qs).order_by(*_SORTS.get(sort or "reference", _SORTS["reference"]))


def _as_listed(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """What a row of the list shows with each commitment: its area, meeting and owner, and its
    lead agencies with their side, by side then acronym."""
    return commitments.select_related("action_area", "meeting", "owner").prefetch_related(
        Prefetch(
            "lead_agencies",
            queryset=Agency.objects.select_related("party").order_by("party__name", "acronym"),
        )
    )


# What a row of the list shows of a commitment (its lead agencies apart): read only these.
_ROW_FIELDS = (
    "reference",
    "title",
    "status",
    "progress",
    "due_date",
    "last_activity_on",
    "version",
    "action_area__name",
    "meeting__number",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def list_rows(ids: list[int]) -> list[Commitment]:
    """These commitments as a row of the list shows them, in this order (2 queries: the
    commitments with their area, meeting and owner, their lead agencies; none for no ids)."""
    if not ids:
        return []
    found = _as_listed(Commitment.objects.filter(pk__in=ids)).only(*_ROW_FIELDS)
    rows = {commitment.pk: commitment for commitment in found}
    return [rows[pk] for pk in ids if pk in rows]


def list_page(*, group: WorkingGroup, filters: dict, page_number) -> Page:
    """A page of the commitments list for the list's `filters` (commitment_list's
    arguments), with what its rows show only. How many match comes from the tallies when they
    can say it (no filter, an area, a status): one short read instead of a count. The page's
    ids are read first, then only those rows with their joins (`list_rows`): a far page skips
    ids in the list's index instead of joined rows (bench/README.md has the figures)."""
    page = paginate(
        commitment_list(group=group, **filters).values_list("pk", flat=True),
        page_number,
        LIST_PAGE_SIZE,
        count=counted(group=group, filters=filters),
    )
    page.object_list = list_rows(list(page.object_list))
    return page
