"""Synthetic working groups at any size, for benchmarks and for trying the workspace at scale
(`python manage.py generate_sample_data`).

What it makes: `groups` working groups with slugs `sample-1`, `sample-2`, … and names starting
with "[Synthetic]", between two synthetic parties (so no real group's agency pickers change),
each with action areas, meetings, members with their agencies, indicators with monthly
measurements, and its share of `commitments` commitments with `follow_ups` follow-ups each.
The data is drawn from `random.Random(seed)`: the same arguments give the same data.

It holds every invariant the services keep, by the services' own rules applied in memory (no
service call and no query per row): a commitment starts as `new_commitment` makes it, with the
reference `commitment_reference` gives; each follow-up records what `recorded_change` says
(status and progress before and after only when they change, versions 2, 3, … without gap) and
moves the commitment as `apply_follow_up` does for follow_up_record (status, progress, version,
`last_activity_on`, `first_completed_on`); its `search_text` is `commitment_search_text` of its
details, lead agencies and follow-ups, as commitment_create and follow_up_record leave it;
owners are members of the group; lead agencies belong to the group's parties; nothing is dated
in the future. tests/test_sample_data.py checks each of these on generated data, and that the
services make the same of the same follow-ups.

**Why it writes with bulk_create instead of the services.** Everything else in the domain
writes through `commitments/services/` (one row at a time, validated, with a history row). At
100,000 commitments and 1,000,000 follow-ups that path takes hours; this module exists to make
that much data in about two minutes. It is the one sanctioned exception, and a narrow one:

* it only ever writes rows of synthetic groups (a group whose slug starts with "sample-" and
  whose name starts with "[Synthetic]"), and refuses, before writing anything, when a target
  slug, name or short name belongs to a real group;
* the small, shared rows (groups, parties, agencies, areas, meetings) still go through the
  services; only the many rows (users, memberships, commitments, follow-ups, lead agencies,
  indicators' measurements) are bulk-inserted, and with no history rows (synthetic data has
  no history worth keeping). Commitments use `bulk_create` (their ids come back); the
  million-row tables (follow-ups, lead agencies) use `executemany` (`_insert`), three times
  faster than bulk_create, whose per-value SQL compiling dominated (on PostgreSQL 500 rows a
  statement: see ROWS_PER_STATEMENT);
* it is refused unless DEBUG is on or the caller says so explicitly (`allow_without_debug`).

tests/test_architecture.py allows these bulk writes here and nowhere else outside the services;
the database still enforces every constraint on each row.
Running it again replaces the synthetic groups it names (their rows are deleted first).
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connections, models, router, transaction
from django.utils import timezone

from . import services
from .models import (
    ActionArea,
    Affiliation,
    Agency,
    Commitment,
    EntryKind,
    FollowUp,
    GroupVersion,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    MembershipRole,
    Participation,
    Priority,
    Status,
    Tally,
    WorkingGroup,
)
from .services.commitments import commitment_reference, commitment_search_text, new_commitment
from .services.follow_ups import apply_follow_up, implied_progress, recorded_change

SLUG_PREFIX = "sample-"
NAME_PREFIX = "[Synthetic] "
USER_PREFIX = "sample-"  # usernames: sample-<group number>-<role><n>
BATCH = 2000  # commitments per batch (their follow-ups go in the same batch)


class SampleDataRefused(Exception):
    """Nothing was written: the reason is the message."""


def is_synthetic(group: WorkingGroup) -> bool:
    return group.slug.startswith(SLUG_PREFIX) and group.name.startswith(NAME_PREFIX)


# --------------------------------------------------------------------------- vocabulary

SIDES = [
    (
        "XA",
        "[Synthetic] Side A",
        [
            ("NDA", "National Drug Agency"),
            ("CBP", "Customs and Border Police"),
            ("HLT", "Health Ministry"),
        ],
    ),
    (
        "XB",
        "[Synthetic] Side B",
        [
            ("NCO", "Narcotics Control Office"),
            ("REV", "Revenue Intelligence"),
            ("MOH", "Ministry of Health"),
        ],
    ),
]
AREAS = [  # code, name, weight: a few areas hold most commitments
    ("LE", "Law enforcement cooperation", 30),
    ("PC", "Precursor chemicals", 22),
    ("DD", "Demand reduction", 15),
    ("FI", "Illicit finance", 13),
    ("CY", "Cyber and dark web", 12),
    ("TR", "Training and capacity", 8),
]
VERBS = ["Establish", "Expand", "Share", "Strengthen", "Review", "Develop", "Coordinate", "Publish"]
OBJECTS = [
    "a joint working protocol on",
    "information exchange on",
    "training for officers on",
    "an assessment of",
    "a reporting mechanism for",
    "guidance on",
    "a pilot programme on",
    "regular consultations on",
]
TOPICS = {
    "LE": ["controlled deliveries", "extradition requests", "joint investigations", "seizure data"],
    "PC": [
        "precursor exports",
        "tableting machines",
        "pre-export notifications",
        "novel precursors",
    ],
    "DD": ["prevention in schools", "treatment capacity", "overdose reversal", "public awareness"],
    "FI": [
        "money laundering typologies",
        "cryptocurrency tracing",
        "asset forfeiture",
        "trade fraud",
    ],
    "CY": ["dark web marketplaces", "postal interdiction", "online vendors", "encrypted platforms"],
    "TR": ["forensic laboratories", "canine units", "port inspections", "data analysis"],
}
NOTES = [
    "Met with counterparts to review progress on {topic}; next steps agreed.",
    "Draft shared with the other side for comment on {topic}.",
    "Technical exchange held (virtual) covering {topic}.",
    "Awaiting inter-ministerial clearance; follow-up call scheduled.",
    "Data on {topic} exchanged for the last quarter.",
    "Working level meeting postponed; rescheduled for next month.",
    "Training session delivered to 40 officers on {topic}.",
    "Joint report on {topic} circulated to both delegations.",
]
FINAL_STATUS = [  # the status a commitment ends at, and how often
    (Status.NOT_STARTED, 12),
    (Status.IN_PROGRESS, 45),
    (Status.STALLED, 10),
    (Status.COMPLETED, 28),
    (Status.WITHDRAWN, 5),
]
PRIORITY = [(Priority.HIGH, 20), (Priority.MEDIUM, 60), (Priority.LOW, 20)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


# --------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    groups: int
    commitments: int
    follow_ups: int
    seed: int = 1
    today: datetime.date = field(default_factory=timezone.localdate)

    def per_group(self) -> list[int]:
        base, extra = divmod(self.commitments, self.groups)
        return [base + (1 if i < extra else 0) for i in range(self.groups)]

    def slug(self, number: int) -> str:
        return f"{SLUG_PREFIX}{number}"


@dataclass
class Result:
    groups: list[str] = field(default_factory=list)
    commitments: int = 0
    follow_ups: int = 0
    seconds: float = 0.0


def check_allowed(*, allow_without_debug: bool) -> None:
    if not (settings.DEBUG or allow_without_debug):
        raise SampleDataRefused(
            "Refused: DEBUG is off. Synthetic data is for development and benchmark databases; "
            "pass --allow-without-debug if this database really is one."
        )


def check_targets(plan: Plan) -> None:
    """Refuse (before writing anything) when a group the plan would create or replace is real."""
    if plan.groups < 1 or plan.commitments < 0 or plan.follow_ups < 0:
        raise SampleDataRefused("Give at least one group, and no negative counts.")
    for number in range(1, plan.groups + 1):
        clashes = WorkingGroup.objects.filter(slug=plan.slug(number)) | WorkingGroup.objects.filter(
            short_name=f"SAMPLE{number}"
        )
        clashes = clashes | WorkingGroup.objects.filter(name=f"{NAME_PREFIX}Working group {number}")
        for group in clashes:
            if not is_synthetic(group):
                raise SampleDataRefused(
                    f"Refused: working group “{group.name}” ({group.slug}) is not synthetic; "
                    "this command never touches real groups. Nothing was written."
                )


# --------------------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on a stream (stderr by default)."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.stream, self.width = max(total, 1), stream, width
        self.done = 0
        self.started = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        if self.stream is None:
            return
        share = self.done / self.total
        bar = "#" * round(share * self.width)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r[{bar:<{self.width}}] {share:4.0%} {self.done:,}/{self.total:,} commitments "
            f"{elapsed:6.1f} s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


# --------------------------------------------------------------------------- clearing


def _raw_delete(queryset) -> None:
    # Raw deletes: no collector walking a million rows. Only synthetic groups' rows get here.
    queryset._raw_delete(queryset.db)


def clear_group(group: WorkingGroup) -> None:
    """Delete a synthetic group and every row of it (its users included)."""
    if not is_synthetic(group):
        raise SampleDataRefused(f"Refused to clear {group.slug}: not a synthetic group.")
    _raw_delete(Measurement.objects.filter(indicator__working_group=group))
    _raw_delete(Indicator.objects.filter(working_group=group))
    _raw_delete(Commitment.lead_agencies.through.objects.filter(commitment__working_group=group))
    _raw_delete(FollowUp.objects.filter(working_group=group))
    _raw_delete(Commitment.objects.filter(working_group=group))
    _raw_delete(Tally.objects.filter(working_group=group))
    users = get_user_model().objects.filter(username__startswith=_user_prefix(group))
    _raw_delete(Affiliation.objects.filter(user__in=users))
    _raw_delete(Membership.objects.filter(working_group=group))
    _raw_delete(Membership.objects.filter(user__in=users))
    _raw_delete(users)
    _raw_delete(Meeting.source_documents.through.objects.filter(meeting__working_group=group))
    _raw_delete(Participation.objects.filter(meeting__working_group=group))
    _raw_delete(Meeting.objects.filter(working_group=group))
    _raw_delete(ActionArea.objects.filter(working_group=group))
    _raw_delete(WorkingGroup.parties.through.objects.filter(workinggroup=group))
    _raw_delete(WorkingGroup.lead_agencies.through.objects.filter(workinggroup=group))
    _raw_delete(GroupVersion.objects.filter(working_group=group))
    _raw_delete(WorkingGroup.objects.filter(pk=group.pk))


def _user_prefix(group: WorkingGroup) -> str:
    return f"{USER_PREFIX}{group.slug.removeprefix(SLUG_PREFIX)}-"


# --------------------------------------------------------------------------- inserting

# The follow-up columns that are the same on every generated row.
FOLLOW_UP_CONSTANTS = {
    "kind": EntryKind.FOLLOW_UP,
    "changes": [],
    "corrects_id": None,
    "evidence_url": "",
}


# Rows per INSERT statement. PostgreSQL: several, fewer round trips (within PostgreSQL's
# 65,535 parameters). SQLite: one, as executemany of a one-row statement is its fastest insert.
ROWS_PER_STATEMENT = {"postgresql": 500}


def _insert(model, rows: list[dict], *, constants: dict | None = None, batch: int = 5000) -> None:
    """Insert `rows` (field attnames to values) with executemany, in batches: for the
    million-row tables, Django's bulk_create spends most of its time compiling per-value SQL.
    Every concrete column but the primary key must be given (in `rows` or `constants`), so a
    new field without a value fails here loudly. Values are adapted as Django would (dates and
    datetimes by the backend, constants by their field). Each statement inserts
    ROWS_PER_STATEMENT rows (the last of a batch fewer)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    constants = {
        name: model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in (constants or {}).items()
    }
    missing = {f.attname for f in fields} - set(rows[0]) - set(constants)
    if missing:
        raise ValueError(f"{model.__name__}: no value for {sorted(missing)}")
    adapters = []
    for f in fields:
        if f.attname in constants:
            adapters.append((f.attname, None, constants[f.attname]))
        elif isinstance(f, models.DateTimeField):
            adapters.append((f.attname, connection.ops.adapt_datetimefield_value, None))
        elif isinstance(f, models.DateField):
            adapters.append((f.attname, connection.ops.adapt_datefield_value, None))
        else:
            adapters.append((f.attname, False, None))
    per_statement = min(ROWS_PER_STATEMENT.get(connection.vendor, 1), 65_535 // len(fields))
    one_row = "({})".format(", ".join(["%s"] * len(fields)))

    def sql(n: int) -> str:
        return "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 (names from the model)
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in fields),
            ", ".join([one_row] * n),
        )

    def values(row):
        return [
            constant if adapt is None else (row[name] if adapt is False else adapt(row[name]))
            for name, adapt, constant in adapters
        ]

    def statements(chunk: list[list]) -> list[list]:
        """The parameters of each statement of `per_statement` rows."""
        return [
            [value for row in chunk[i : i + per_statement] for value in row]
            for i in range(0, len(chunk), per_statement)
        ]

    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = [values(row) for row in rows[start : start + batch]]
            whole = len(chunk) - len(chunk) % per_statement
            if whole:
                cursor.executemany(sql(per_statement), statements(chunk[:whole]))
            if whole < len(chunk):
                cursor.executemany(sql(len(chunk) - whole), statements(chunk[whole:]))


# --------------------------------------------------------------------------- generating


def generate(
    *,
    groups: int,
    commitments: int,
    follow_ups_per_commitment: int,
    seed: int = 1,
    allow_without_debug: bool = False,
    progress_stream=sys.stderr,
    today: datetime.date | None = None,
) -> Result:
    """Create (or replace) the synthetic groups `sample-1` … `sample-<groups>` holding
    `commitments` commitments in all, each with `follow_ups_per_commitment` follow-ups."""
    check_allowed(allow_without_debug=allow_without_debug)
    plan = Plan(groups, commitments, follow_ups_per_commitment, seed)
    if today is not None:
        plan.today = today
    check_targets(plan)
    started = time.monotonic()
    result = Result()
    progress = Progress(commitments, progress_stream)
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    agencies = _sides()
    for number, count in enumerate(plan.per_group(), start=1):
        with transaction.atomic():
            existing = WorkingGroup.objects.filter(slug=plan.slug(number)).first()
            if existing is not None:
                clear_group(existing)
            group = _group(plan, number, agencies)
            made = _GroupBuilder(plan, group, agencies, rng).build(count, progress)
            # Bulk inserts bypass the services, which keep the dashboard's counts: count once.
            services.tally_rebuild(working_group_id=group.pk)
        result.groups.append(group.slug)
        result.commitments += made[0]
        result.follow_ups += made[1]
    result.seconds = time.monotonic() - started
    return result


def _sides() -> dict[str, list[Agency]]:
    """The two synthetic parties and their agencies (services: shared reference rows)."""
    sides = {}
    for code, name, agencies in SIDES:
        party, _ = services.party_ensure(code=code, name=name)
        sides[code] = [
            services.agency_ensure(party=party, acronym=acronym, name=f"{NAME_PREFIX}{full}")[0]
            for acronym, full in agencies
        ]
    return sides


def _group(plan: Plan, number: int, agencies: dict[str, list[Agency]]) -> WorkingGroup:
    parties = [side[0].party for side in agencies.values()]
    group, _ = services.working_group_ensure(
        slug=plan.slug(number),
        name=f"{NAME_PREFIX}Working group {number}",
        short_name=f"SAMPLE{number}",
        description="Synthetic data made by generate_sample_data, for benchmarks.",
        parties=parties,
        lead_agencies=[side[0] for side in agencies.values()],
    )
    return group


class _GroupBuilder:
    def __init__(self, plan: Plan, group: WorkingGroup, agencies, rng: random.Random):
        self.plan, self.group, self.agencies, self.rng = plan, group, agencies, rng
        self.today = plan.today

    # ----------------------------------------------------------------- small rows (services)

    def _areas(self) -> list[tuple[ActionArea, int]]:
        return [
            (
                services.action_area_ensure(
                    working_group=self.group, slug=code.lower(), name=name, code=code, order=i
                )[0],
                weight,
            )
            for i, (code, name, weight) in enumerate(AREAS)
        ]

    def _meetings(self, count: int) -> list[Meeting]:
        # One meeting per ~2,000 commitments (at least 3, at most 24), every six months back
        # from today: older meetings have more history behind them.
        number = max(3, min(24, count // 2000))
        meetings = []
        for n in range(1, number + 1):
            start = self.today - datetime.timedelta(days=182 * (number - n) + 30)
            meetings.append(
                services.meeting_ensure(
                    working_group=self.group,
                    number=n,
                    title=f"{NAME_PREFIX}Meeting {n}",
                    start_date=start,
                    end_date=start + datetime.timedelta(days=1),
                    location="Synthetic City",
                )[0]
            )
        return meetings

    # ----------------------------------------------------------------- people (bulk)

    def _members(self) -> dict[str, list]:
        """2 coordinators, 12 analysts and 4 viewers, each working for an agency of one side;
        no usable password (the bench adds its own signed-in user through the services)."""
        User = get_user_model()
        prefix = _user_prefix(self.group)
        roles = [
            (MembershipRole.COORDINATOR, 2),
            (MembershipRole.ANALYST, 12),
            (MembershipRole.VIEWER, 4),
        ]
        password = make_password(None)
        users, memberships, affiliations = [], [], []
        all_agencies = [a for side in self.agencies.values() for a in side]
        for role, count in roles:
            for k in range(1, count + 1):
                users.append(
                    User(
                        username=f"{prefix}{role.value}{k}",
                        email=f"{prefix}{role.value}{k}@example.invalid",
                        first_name="Synthetic",
                        last_name=f"{role.label} {k}",
                        password=password,
                    )
                )
        User.objects.bulk_create(users)
        users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
        by_role: dict[str, list] = {role.value: [] for role, _ in roles}
        for i, user in enumerate(users):
            role = user.username.removeprefix(prefix).rstrip("0123456789")
            by_role[role].append(user)
            memberships.append(Membership(user=user, working_group=self.group, role=role))
            affiliations.append(Affiliation(user=user, agency=all_agencies[i % len(all_agencies)]))
        Membership.objects.bulk_create(memberships)
        Affiliation.objects.bulk_create(affiliations)
        return by_role

    # ----------------------------------------------------------------- the many rows

    def build(self, count: int, progress: Progress) -> tuple[int, int]:
        areas = self._areas()
        meetings = self._meetings(count)
        people = self._members()
        owners = people["coordinator"] + people["analyst"]
        self._indicators(areas, people["analyst"])
        made_commitments = made_follow_ups = 0
        serial: dict[tuple[int, str], int] = {}
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            planned = [self._commitment(areas, meetings, owners, serial) for _ in range(size)]
            Commitment.objects.bulk_create([c for c, _, _ in planned], batch_size=500)
            links, entries = [], []
            for commitment, leads, history in planned:
                links += [{"commitment_id": commitment.pk, "agency_id": a.pk} for a in leads]
                for entry in history:
                    entry["commitment_id"] = commitment.pk
                entries += history
            _insert(Commitment.lead_agencies.through, links)
            _insert(FollowUp, entries, constants=FOLLOW_UP_CONSTANTS)
            made_commitments += size
            made_follow_ups += len(entries)
            progress.advance(size)
        return made_commitments, made_follow_ups

    def _commitment(self, areas, meetings, owners, serial) -> tuple[Commitment, list, list]:
        rng = self.rng
        area = rng.choices([a for a, _ in areas], weights=[w for _, w in areas])[0]
        meeting = rng.choice(meetings)
        key = (meeting.number, area.code)
        serial[key] = serial.get(key, 0) + 1
        topic = rng.choice(TOPICS[area.code])
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {topic}"
        description = f"Both sides agreed to {title[0].lower()}{title[1:]} ({area.name.lower()})."
        # Lead agencies: one per side usually, sometimes only one side leads.
        leads = [rng.choice(side) for side in self.agencies.values()]
        if rng.random() < 0.25:
            leads = leads[:1] if rng.random() < 0.5 else leads[1:]
        owner = rng.choice(owners) if rng.random() < 0.6 else None
        due = None
        if rng.random() < 0.85:
            due = meeting.end_date + datetime.timedelta(days=rng.randint(60, 720))
        commitment = new_commitment(
            self.group,
            action_area=area,
            meeting=meeting,
            reference=commitment_reference(
                group=self.group, meeting=meeting, area=area, number=serial[key]
            ),
            title=title[:300],
            description=description,
            owner=owner,
            priority=_weighted(rng, PRIORITY),
            due_date=due,
            source_locator=f"para. {rng.randint(1, 40)}",
            source_excerpt=f"The two sides will {title[0].lower()}{title[1:]}.",
        )
        history = self._history(commitment, owners, topic)
        commitment.search_text = commitment_search_text(
            commitment,
            sorted(leads, key=lambda a: (a.party_id, a.acronym)),  # as lead_agencies.all() reads
            ((entry["note"], entry["external_reference"]) for entry in history),
        )
        return commitment, leads, history

    def _history(self, commitment: Commitment, authors, topic) -> list[dict]:
        """`follow_ups` follow-ups in date order from the meeting to today, moving the status
        along a plausible path to a final status, each recorded and moving the commitment as
        follow_up_record would (with its own rules: implied_progress, recorded_change,
        apply_follow_up)."""
        rng, n = self.rng, self.plan.follow_ups
        if n == 0:
            return []
        path = _status_path(rng, _weighted(rng, FINAL_STATUS), n)
        first = commitment.meeting.end_date
        span = max((self.today - first).days, 1)
        days = sorted(rng.randint(0, span) for _ in range(n))
        entries: list[dict] = []
        now = timezone.now()
        for offset, status in zip(days, path, strict=True):
            occurred = first + datetime.timedelta(days=offset)
            progress = None  # what the status implies; while work goes on, a few points more
            if status == Status.IN_PROGRESS:
                progress = min(95, commitment.progress + rng.choice((0, 5, 10, 15)))
            change = recorded_change(
                commitment, status, implied_progress(status, progress, commitment.progress)
            )
            created = timezone.make_aware(
                datetime.datetime.combine(occurred, datetime.time(9 + rng.randint(0, 8)))
            )
            entries.append(
                {
                    "working_group_id": commitment.working_group_id,
                    "author_id": rng.choice(authors).pk,
                    "created_at": min(created, now),
                    "occurred_on": occurred,
                    "note": rng.choice(NOTES).format(topic=topic),
                    "external_reference": (
                        f"OP-{rng.randint(1000, 9999)}" if rng.random() < 0.1 else ""
                    ),
                    **change,
                }
            )
            apply_follow_up(
                commitment,
                occurred_on=occurred,
                status_after=change["status_after"],
                progress_after=change["progress_after"],
            )
        return entries

    def _indicators(self, areas, analysts) -> None:
        """Two indicators per area, with a monthly measurement for the last 24 months."""
        indicators = [
            Indicator(
                working_group=self.group,
                action_area=area,
                name=f"{area.name}: {what}",
                unit=unit,
                baseline=Decimal(base),
                target=Decimal(base * 2),
                target_date=self.today + datetime.timedelta(days=365),
            )
            for area, _ in areas
            for what, unit, base in (
                ("cases handled", "cases", 40),
                ("officers trained", "people", 100),
            )
        ]
        Indicator.objects.bulk_create(indicators)
        indicators = list(Indicator.objects.filter(working_group=self.group))
        measurements = []
        month_end = self.today.replace(day=1) - datetime.timedelta(days=1)
        for indicator in indicators:
            value = float(indicator.baseline)
            period = month_end
            for _ in range(24):
                value = max(0.0, value * self.rng.uniform(0.95, 1.08))
                measurements.append(
                    Measurement(
                        indicator=indicator,
                        period_end=period,
                        value=Decimal(f"{value:.2f}"),
                        entered_by=self.rng.choice(analysts),
                    )
                )
                period = period.replace(day=1) - datetime.timedelta(days=1)
        Measurement.objects.bulk_create(measurements)


def _status_path(rng: random.Random, final: str, n: int) -> list[str]:
    """The status after each of `n` follow-ups, ending at `final`: work starts after a few
    reports, may stall for a while, and the final change comes last."""
    if final == Status.NOT_STARTED:
        return [Status.NOT_STARTED] * n
    path = []
    start = rng.randint(0, max(0, n // 3))
    for i in range(n):
        if i < start:
            path.append(Status.NOT_STARTED)
        else:
            path.append(Status.IN_PROGRESS)
    if n > 4 and rng.random() < 0.2:  # a stall that work resumed after
        a = rng.randint(start, n - 2)
        for i in range(a, min(n - 1, a + 2)):
            path[i] = Status.STALLED
    if final != Status.IN_PROGRESS:
        path[-1] = final
    return path
