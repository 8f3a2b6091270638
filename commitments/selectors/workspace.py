"""Reads of the analysts' pages: each returns what one page shows, in a fixed number of queries
whatever the amount of data (the view tests hold every page to a query budget).

Selectors read data of objects the caller has already authorised through `commitments.access`
(a working group, a commitment, a meeting...): they never decide visibility themselves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, connections
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    ActionArea,
    Affiliation,
    Agency,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Status,
    WorkingGroup,
)
from .catalogue import catalogue
from .outcomes import BurnUp, burn_up_from
from .tallies import DUE_SOON_DAYS, counted, group_tallies

LIST_PAGE_SIZE = 25
DETAIL_LIST_PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 20
DASHBOARD_LIST_SIZE = 8
FEED_SIZE = 10
# What a page shows with each log entry: its author's agency and side, the entry it corrects.
ENTRY_RELATED = ("author__affiliation__agency__party", "corrects")


# --------------------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # percentage of the total, for drawing


@dataclass
class StatusSummary:
    """How many commitments are in each status, and the average progress of those that count
    (withdrawn ones do not)."""

    total: int
    counts: list[StatusCount]
    progress: int

    @classmethod
    def from_row(cls, row) -> StatusSummary:
        """From the values of `_status_annotations()`: a dict (aggregate) or an object."""
        values = row if isinstance(row, dict) else vars(row)
        total = values["total"] or 0
        counts = [
            StatusCount(value, label, n, 100 * n / total if total else 0)
            for value, label in Status.choices
            for n in [values[f"n_{value}"] or 0]
        ]
        return cls(total=total, counts=counts, progress=round(values["avg_progress"] or 0))


def _status_annotations(path: str = "") -> dict:
    """Count per status and the average progress, through `path` (e.g. "commitments__")."""
    pk = path + "pk" if path else "pk"
    annotations = {
        f"n_{value}": Count(pk, filter=Q(**{path + "status": value})) for value in Status.values
    }
    annotations["total"] = Count(pk)
    annotations["avg_progress"] = Avg(
        path + "progress", filter=~Q(**{path + "status": Status.WITHDRAWN})
    )
    return annotations


def _with_latest_measurement(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
    return indicators.annotate(
        latest_value=Subquery(
            latest.values("value")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        latest_period_end=Subquery(latest.values("period_end")[:1]),
    )


def inactive_after_days() -> int:
    """How many days without a follow-up make an open commitment *inactive*."""
    return settings.INACTIVE_AFTER_DAYS


def inactive_before(today: datetime.date) -> datetime.date:
    """Open commitments whose last activity is before this day are inactive."""
    return today - datetime.timedelta(days=inactive_after_days())


# --------------------------------------------------------------------------- home


def group_summaries(*, groups: QuerySet[WorkingGroup], user) -> list[WorkingGroup]:
    """The given working groups (those the user may see: `access.visible_groups`), each with
    the user's membership role and its size. One query."""
    role = Membership.objects.filter(working_group=OuterRef("pk"), user=user).values("role")[:1]
    return list(
        groups.annotate(
            my_role=Subquery(role),
            n_commitments=Count("commitments", distinct=True),
            n_open=Count(
                "commitments", filter=Q(commitments__status__in=OPEN_STATUSES), distinct=True
            ),
        ).order_by("name")
    )


# --------------------------------------------------------------------------- dashboard


@dataclass
class Dashboard:
    group: WorkingGroup
    areas: list[ActionArea]
    overall: StatusSummary
    counts: dict
    overdue: list[Commitment]
    due_soon: list[Commitment]
    inactive: list[Commitment]
    feed: list[FollowUp]
    meetings: list[dict]  # number, title, start_date, end_date, location, n_commitments
    next_meeting: dict | None
    parties: list[Party]
    co_leads: list[Agency]
    burn_up: BurnUp
    inactive_after_days: int = field(default_factory=inactive_after_days)


def _listed(group_id: int):
    """What the dashboard's lists show, without the long texts (the search text is a kilobyte
    a row)."""
    return Commitment.objects.filter(working_group_id=group_id).only(
        "reference", "title", "status", "due_date", "last_activity_on"
    )


def group_dashboard(*, group: WorkingGroup, today: datetime.date | None = None) -> Dashboard:
    """Six queries, whatever the number of commitments: the group's tallies (two: the counts
    the services keep, so nothing counts the commitments row by row), the three attention
    lists and the activity feed; the areas, meetings, parties and co-leads come from the
    group's catalogue (`catalogue`: kept in memory until one of them changes; four more
    queries after a change). The summaries, the meetings' counts and the burn-up are computed
    from the tallies."""
    today = today or timezone.localdate()
    quiet_before = inactive_before(today)
    known = catalogue(group=group)

    # The action areas (the catalogue's: a copy of this request's own).
    areas = list(known.areas)
    # 1-2. The group's maintained counts (models.Tally): per area and status, the commitments
    # agreed per meeting and completed per month, and the attention counts summed over days.
    tallies = group_tallies(group=group, today=today, quiet_before=quiet_before)
    for area in areas:
        area.summary = StatusSummary.from_row(tallies.figures(area.pk))
    counts = tallies.figures()
    counts.update(overdue=tallies.overdue, due_soon=tallies.due_soon, inactive=tallies.inactive)
    overall = StatusSummary.from_row(counts)

    # 3-5. The first few commitments of each attention list.
    listed = _listed(group.pk)
    by_due = ("due_date", "reference")
    overdue = list(listed.overdue(today).order_by(*by_due)[:DASHBOARD_LIST_SIZE])
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due_soon = list(listed.due_between(today, soon).order_by(*by_due)[:DASHBOARD_LIST_SIZE])
    inactive = list(
        listed.inactive_since(quiet_before).order_by("last_activity_on", "reference")[
            :DASHBOARD_LIST_SIZE
        ]
    )
    # 6. The latest entries (follow-ups and edits), by the date they happened, with their
    # commitment and their author's agency and side.
    feed = list(
        FollowUp.objects.filter(working_group=group)
        .select_related("commitment", *ENTRY_RELATED)
        .defer(*(f"commitment__{name}" for name in Commitment.LONG_TEXTS))
        .order_by("-occurred_on", "-created_at", "-id")[:FEED_SIZE]
    )
    # The meetings (as dicts: a big group has hundreds): the latest, with how many
    # commitments each agreed (from the tallies), the next one, and every last day for the
    # burn-up.
    agreed = tallies.per_meeting()
    all_meetings = [dict(meeting) for meeting in known.meetings]
    for meeting in all_meetings:
        meeting["n_commitments"] = agreed.get(meeting["pk"], 0)
    meetings = all_meetings[:10]
    upcoming = [m for m in all_meetings if m["start_date"] >= today]
    next_meeting = upcoming[-1] if upcoming else None
    # Its parties and co-leads (each with its party).
    parties = list(known.parties)
    co_leads = list(known.co_leads)
    return Dashboard(
        parties=parties,
        co_leads=co_leads,
        group=group,
        areas=areas,
        overall=overall,
        counts=counts,
        overdue=overdue,
        due_soon=due_soon,
        inactive=inactive,
        feed=feed,
        meetings=meetings,
        next_meeting=next_meeting,
        burn_up=burn_up_from(tallies, areas=areas, meetings=all_meetings, today=today),
    )


# --------------------------------------------------------------------------- commitments list

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


def matching(
    commitments: QuerySet[Commitment], q: str, *, direct: bool = False, probed: bool = False
) -> QuerySet[Commitment]:
    """The commitments whose searchable text holds every word of `q` (full-text index: the
    reference, title, description, agreed words, lead agencies, notes), or, when `q` looks
    like part of a reference, whose reference holds it. The match is a subquery of ids: ORed
    with the reference's substring match directly, it would stop PostgreSQL from using its
    index (to_tsvector of every row); as a subquery, the index finds the ids once and each row
    is a hash lookup. No join: no row twice, so no DISTINCT. The substring match reads every
    reference of the group (no index serves "contains"): only for a reference-like `q`; a
    word search stays with the index (at 100,000 commitments, 128 ms -> a few).

    `direct`: a word search is the full-text condition itself, for a caller that reads a page
    with the count of every match behind a fence (`paginate(together=True)`): PostgreSQL then
    finds the matches through the index and checks the group on those rows only, instead of
    hashing them and reading the group's whole list index (at 100,000 commitments, 3,210
    matches: 44 -> 10 ms for the count and the page). Not for an ordered read without the
    fence, a slice (`[:25]`) or a server-side cursor (an export's `iterator()`): planned for
    its first rows, PostgreSQL walks the list's order testing every row's text (440 ms).

    `probed`: on SQLite, the matches are tested row by row in the list's order (see
    search.Probed and `search_walk`)."""
    q = q.strip()
    if connection.vendor == "sqlite" and probed:
        found = Q(search_text__probed=q)
    elif connection.vendor == "sqlite" or (direct and not _REFERENCE_LIKE.fullmatch(q)):
        # SQLite: the lookup is already a subquery of ids there (the full-text table's
        # rowids): as a second subquery around it, SQLite looks every match up twice (at
        # 100,000, a count of 3,200 matches: 4.6 -> 1.4 ms, the page's ids 6.3 -> 3.6 ms).
        found = Q(search_text__matches=q)
    else:
        # The LIMIT (never reached) keeps PostgreSQL from turning the IN into a join that
        # checks each row of the list's order against the text (to_tsvector per row: 90 ms at
        # 100,000): the matches are then found once, through the index, and hashed. Unordered:
        # the model's default order would have it sort every match first.
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
    paged: bool = False,
    probed: bool = False,
) -> QuerySet[Commitment]:
    """The group's commitments matching the filters, ready for a page of the list (with the
    area, meeting and owner joined and the lead agencies prefetched). `mine` is a user: what
    they own or their agency leads. `party` is a "Led by" value (see `led_by`). `paged`: the
    caller reads a page with its count in one query, `paginate(together=True)`, for which a
    search is written the `direct` way (see `matching`); `probed`, the `probed` way."""
    today = today or timezone.localdate()
    qs = Commitment.objects.in_group(group)
    if q:
        qs = matching(qs, q, direct=paged, probed=probed)
    if area is not None:
        qs = qs.filter(action_area=area)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if attention == "overdue":
        qs = qs.overdue(today)
    elif attention == "due_soon":
        qs = qs.due_within(today, DUE_SOON_DAYS)
    elif attention == "inactive":
        qs = qs.inactive_since(inactive_before(today))
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
    return (
        qs.select_related("action_area", "meeting", "owner")
        .prefetch_related(_lead_agencies_prefetch())
        .order_by(*_SORTS.get(sort or "reference", _SORTS["reference"]))
    )


def _lead_agencies_prefetch() -> Prefetch:
    return Prefetch(
        "lead_agencies",
        queryset=Agency.objects.select_related("party").order_by("party__name", "acronym"),
    )


@dataclass
class ListRow:
    """One row of the commitments list as plain values: what the row shows, nothing more (a
    list page reads these instead of building models with their area, meeting, owner and
    lead agencies: four times cheaper)."""

    pk: int
    reference: str
    title: str
    area_name: str
    meeting_number: int
    owner_name: str
    due_date: datetime.date | None
    progress: int
    last_activity_on: datetime.date
    status: str
    version: int
    leads: tuple[tuple[str, str], ...]  # (acronym, side's code), by side then acronym
    shared: bool  # led by agencies of more than one side
    overdue: bool


_ROW_FIELDS = (
    "pk",
    "reference",
    "title",
    "action_area__name",
    "meeting__number",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "due_date",
    "progress",
    "last_activity_on",
    "status",
    "version",
)


def list_rows(ids: list[int], *, today: datetime.date | None = None) -> list[ListRow]:
    """The list's rows of these commitments, in this order (2 queries: the rows, their lead
    agencies)."""
    if not ids:
        return []
    today = today or timezone.localdate()
    leads: dict[int, list[tuple[str, str, int]]] = {pk: [] for pk in ids}
    through = Commitment.lead_agencies.through.objects.filter(commitment_id__in=ids)
    for commitment_id, acronym, code, party_id in through.order_by(
        "agency__party__name", "agency__acronym"
    ).values_list("commitment_id", "agency__acronym", "agency__party__code", "agency__party_id"):
        leads[commitment_id].append((acronym, code, party_id))
    rows = {}
    for values in Commitment.objects.filter(pk__in=ids).values_list(*_ROW_FIELDS):
        pk, reference, title, area, meeting, first, last, username, due, *rest = values
        progress, last_activity_on, status, version = rest
        agencies = leads[pk]
        rows[pk] = ListRow(
            pk=pk,
            reference=reference,
            title=title,
            area_name=area,
            meeting_number=meeting,
            # As User.get_full_name(), else the username; no owner: "".
            owner_name=(f"{first} {last}".strip() or username) if username else "",
            due_date=due,
            progress=progress,
            last_activity_on=last_activity_on,
            status=status,
            version=version,
            leads=tuple((acronym, code) for acronym, code, _ in agencies),
            shared=len({party for _, _, party in agencies}) > 1,
            overdue=status in OPEN_STATUSES and due is not None and due < today,
        )
    return [rows[pk] for pk in ids if pk in rows]


class Walk:
    """Another way to read a search's page of ids on SQLite: walk the list's order (an
    index) testing each row against the matches (`matching(probed=True)`), rather than read
    every match by id and sort them. The walk reads about `stop * rows / matches` rows of
    the index (the matches are spread over the list), at about a quarter of a microsecond
    each; reading by id costs about 2.5 microseconds per match (both measured at 100,000
    commitments). So it pays when `stop * rows < BREAK_EVEN * matches**2`: the first pages
    of a search that matches many (3,210 of 100,000: the first page's ids in 1 ms against
    8), not a rare word (with no match the walk would read all 100,000: 10 ms against 0)
    nor a far page. Built only when it may pay (the list and the group's size, one short
    query)."""

    BREAK_EVEN = 8

    def __init__(self, *, group: WorkingGroup, filters: dict):
        self.group, self.filters = group, filters

    @cached_property
    def queryset(self) -> QuerySet:
        """The same list, its search `probed`."""
        return commitment_list(group=self.group, probed=True, **self.filters)

    @cached_property
    def rows(self) -> int:
        """The rows the walk may read at most: the group's commitments (the tallies)."""
        return counted(group=self.group, filters={}) or 0

    def pays(self, stop: int, matches: int) -> bool:
        # rows >= matches: when even that bound says no, the group's size is not read.
        if stop >= self.BREAK_EVEN * matches:
            return False
        return stop * self.rows < self.BREAK_EVEN * matches * matches


class IdsFirst:
    """A queryset as a Paginator sees it, read ids first: the page's slice (OFFSET/LIMIT)
    selects only primary keys, which the database finds in the index that orders the list,
    then the page's rows are read by id with their joins and prefetches. A far page no longer
    joins area, meeting and owner for every row it skips. One query more than slicing the
    queryset itself.

    A page in the second half of the list is read from its end: the same rows in the reverse
    order, skipping only those after it, then turned around. The index is read backwards
    (both databases do), so the last page skips nothing instead of every row before it; the
    order must be total (every list order ends with the reference, unique in a group).

    `read_with_count` reads a page's ids and the count in one query instead (see there);
    `walk` reads them by walking the list's order where that reads fewer rows (see Walk)."""

    def __init__(
        self,
        queryset: QuerySet,
        rows=None,
        count: int | None = None,
        together: bool = False,
        walk: Walk | None = None,
    ):
        self.queryset = queryset
        self.walk = walk
        self.ordered = queryset.ordered
        self.rows = rows  # ids -> the page's rows (e.g. list_rows); default: the models
        self._count = count
        self.together = together  # every page's ids with the count (see read_with_count)
        self._read: tuple[int, list] | None = None  # (start, ids) read with the count

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def read_with_count(self, start: int, stop: int) -> bool:
        """Read the ids of rows [start:stop] and the number of rows in one query, for a
        queryset whose rows are all read to be counted anyway (a search: every match), so
        the count and the page cost one pass over them instead of two. The rows are found
        behind a fence (a subquery the planner keeps as it is), without the list's order,
        which only the few ids of the page are then sorted by (top-N), with the count as a
        window over all of them. False, and nothing kept, when that page is empty (past the
        end, or nothing matches) or the order cannot be written so: the Paginator then
        counts as usual, and a `together` IdsFirst still reads the page behind the fence."""
        found = _ids_with_count(self.queryset, start, stop)
        if not found:
            return False
        self._count = found[0][1]
        self._read = (start, [pk for pk, _ in found])
        return True

    def _ids(self, key: slice) -> list:
        start, stop, total = key.start or 0, key.stop, self._count
        if key.step is None and stop is not None:
            if self._read is not None and self._read[0] == start:
                return self._read[1][: max(0, stop - start)]
            if self.together and stop > start:
                found = _ids_with_count(self.queryset, start, stop)
                if found is not None:
                    return [pk for pk, _ in found]
        ids = self.queryset.values_list("pk", flat=True)
        if self.walk is not None and total and stop and self.walk.pays(stop, total):
            ids = self.walk.queryset.values_list("pk", flat=True)
        if total is None or stop is None or key.step is not None or start <= total // 2:
            return list(ids[key])
        stop = min(stop, total)
        from_end = list(ids.reverse()[total - stop : total - start]) if stop > start else []
        return from_end[::-1]

    def __getitem__(self, key):
        ids = self._ids(key)  # a Paginator asks for slices only
        if self.rows is not None:
            return self.rows(ids)
        # Unordered: the ids give the order, and an ORDER BY here could lead the planner to
        # walk the list's index looking for these ids instead of fetching them.
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()} if ids else {}
        return [rows[pk] for pk in ids]


def _ids_with_count(queryset: QuerySet, start: int, stop: int) -> list[tuple[int, int]] | None:
    """[(id, number of rows)] of rows [start:stop] in the queryset's order, one query (see
    IdsFirst.read_with_count); None when its order is not plain fields and expressions with a
    direction."""
    db = connections[queryset.db]
    if not db.features.supports_order_by_nulls_modifier:
        return None
    quote = db.ops.quote_name
    selected, order = {"row_pk": F("pk")}, []
    for number, item in enumerate(queryset.query.order_by or queryset.model._meta.ordering):
        if isinstance(item, str):
            if item == "?" or "__" in item:
                return None
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        if not isinstance(item, OrderBy):
            return None
        name = f"sort_{number}"
        selected[name] = item.expression
        nulls = " NULLS FIRST" if item.nulls_first else " NULLS LAST" if item.nulls_last else ""
        order.append(f"{quote(name)} {'DESC' if item.descending else 'ASC'}{nulls}")
    if not order:
        return None
    inner = queryset.order_by().annotate(**selected).values_list(*selected)
    sql, params = inner.query.get_compiler(using=queryset.db).as_sql()
    # The fence: PostgreSQL keeps a subquery with an OFFSET as it is (it would otherwise walk
    # the list's index in order, testing every row); SQLite finds the rows first anyway.
    fence = " OFFSET 0" if db.vendor == "postgresql" else ""
    with db.cursor() as cursor:
        cursor.execute(
            # Names are ours, quoted; values are parameters.
            f"SELECT {quote('row_pk')}, COUNT(*) OVER () FROM ({sql}{fence}) {quote('found')} "  # noqa: S608
            f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
            [*params, stop - start, start],
        )
        return cursor.fetchall()


def _page_number(value) -> int | None:
    """The page the Paginator's get_page will show for `value`, when it is known before
    counting: a number not given or not a number is page 1; below 1, the last page."""
    try:
        number = int(value) if value is not None else 1
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else None


def paginate(
    queryset,
    page_number,
    per_page: int,
    *,
    count: int | None = None,
    ids_first: bool = False,
    rows=None,
    together: bool = False,
    walk: Walk | None = None,
) -> Page:
    """A page of results; a page number out of range or not a number gives the nearest page.
    A caller that already counted the rows passes `count`, which saves the COUNT query.
    `ids_first`: read the page's ids first (see IdsFirst), for long lists; `rows` turns those
    ids into the page's rows (e.g. list_rows). `together` (with `ids_first`): the page's ids
    and the count in one query, for a search (IdsFirst.read_with_count), on PostgreSQL. Not
    on SQLite, where the count of a search's matches is a lookup per match in a covering
    index, and the window would sort every match: at 100,000 commitments and 3,210 matches,
    one query of 11.8 ms against 3.6 + 7.9 ms for the first page, and slower for the rest.
    There, `walk` (see Walk, `search_walk`) may read the page's ids instead."""
    together = together and connections[queryset.db].vendor == "postgresql"
    listing = IdsFirst(queryset, rows, count, together, walk) if ids_first else queryset
    if ids_first and together and count is None:
        number = _page_number(page_number)
        if number is not None and listing.read_with_count(
            (number - 1) * per_page, number * per_page
        ):
            count = listing.count()
    paginator = Paginator(listing, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(page_number)


def list_page(*, group: WorkingGroup, filters: dict, page_number) -> Page:
    """A page of the commitments list for the list's `filters` (commitment_list's
    arguments), its rows as ListRows. How many match comes from the tallies when they can
    say it (no filter, an area, a status); the page's ids are read first (IdsFirst); a
    search is read with its count in one query on PostgreSQL (`together`) and, on SQLite,
    by walking the list's order where that pays (`search_walk`)."""
    search = bool(filters.get("q"))
    return paginate(
        commitment_list(group=group, paged=search, **filters),
        page_number,
        LIST_PAGE_SIZE,
        count=counted(group=group, filters=filters),
        ids_first=True,
        rows=list_rows,
        together=search,
        walk=search_walk(group=group, filters=filters),
    )


def search_walk(*, group: WorkingGroup, filters: dict) -> Walk | None:
    """For the list's search on SQLite in its default order (the one an index gives, with
    every filter), the Walk IdsFirst may take for a page's ids; None otherwise."""
    if connection.vendor != "sqlite" or not filters.get("q"):
        return None
    if filters.get("sort", "reference") not in ("", "reference"):
        return None
    return Walk(group=group, filters=filters)


# --------------------------------------------------------------------------- commitment page


@dataclass
class CommitmentDetail:
    """What the commitment page shows besides the commitment, each read when first asked: a
    page kept whole (selectors.page_key) asks for neither, and building the indicators'
    query alone costs a quarter of a millisecond."""

    commitment: Commitment

    @cached_property
    def lead_agencies(self) -> list[Agency]:
        return lead_agencies(commitment=self.commitment)

    @cached_property
    def indicators(self) -> QuerySet[Indicator]:
        return _with_latest_measurement(
            Indicator.objects.filter(commitment=self.commitment).order_by("name")
        )


def lead_agencies(*, commitment: Commitment) -> list[Agency]:
    """The commitment's lead agencies with their party, by side (1 query)."""
    return list(
        Agency.objects.filter(commitments_led=commitment)
        .select_related("party")
        .order_by("party__name", "acronym")
    )


def area_by_slug(*, group: WorkingGroup, slug: str) -> ActionArea | None:
    """The group's area with this slug, or None (a value from a query string)."""
    return ActionArea.objects.in_group(group).filter(slug=slug).first() if slug else None


def commitment_detail(*, commitment: Commitment) -> CommitmentDetail:
    """The lead agencies with their party (1 query) and the indicators with their latest
    measurement (1 query), each read when first asked: the fragments that do not show them,
    and a page kept whole, do not pay for them."""
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


# --------------------------------------------------------------------------- meeting page


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
    summary = StatusSummary.from_row(agreed.aggregate(**_status_annotations()))
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


# --------------------------------------------------------------------------- action area page


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
    summary = StatusSummary.from_row(in_area.aggregate(**_status_annotations()))
    commitments = paginate(
        in_area.select_related("meeting", "owner").order_by("reference"),
        page_number,
        DETAIL_LIST_PAGE_SIZE,
        count=summary.total,
    )
    indicators = list(
        _with_latest_measurement(
            Indicator.objects.filter(Q(action_area=area) | Q(commitment__action_area=area))
            .select_related("commitment")
            .order_by("name")
        )
    )
    return AreaDetail(area=area, summary=summary, commitments=commitments, indicators=indicators)


__all__ = [
    "DASHBOARD_LIST_SIZE",
    "DETAIL_LIST_PAGE_SIZE",
    "DUE_SOON_DAYS",
    "ENTRY_RELATED",
    "FEED_SIZE",
    "LIST_PAGE_SIZE",
    "TIMELINE_PAGE_SIZE",
    "AreaDetail",
    "CommitmentDetail",
    "Dashboard",
    "ListRow",
    "MeetingDetail",
    "StatusCount",
    "StatusSummary",
    "area_by_slug",
    "area_detail",
    "commitment_detail",
    "commitment_list",
    "correctable_entry",
    "counted",
    "group_dashboard",
    "group_summaries",
    "inactive_after_days",
    "inactive_before",
    "lead_agencies",
    "led_by",
    "list_page",
    "list_rows",
    "matching",
    "meeting_detail",
    "next_meeting_number",
    "paginate",
    "search_walk",
    "timeline",
]
