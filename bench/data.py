"""The bench's data, built through the services, and the read-back that checks what was stored.
Runs inside Django (bench.harness.django_call runs it through `manage.py shell`)."""

from __future__ import annotations

from commitments.models import Commitment, FollowUp, Status
from tests import factories
from tests.factories import Role

SLUG = "bench"


def prepare(*, password: str, analysts: int, commitments: int) -> dict:
    """A working group with `commitments` commitments and `analysts` analysts, built with the
    test suite's builders (tests/factories.py)."""
    group = factories.working_group("BENCH", slug=SLUG, name="Bench working group")
    area = factories.action_area(group, "OPS", slug="ops", name="Joint operations")
    meeting = factories.meeting(group, 1)
    references = [
        factories.commitment(group, area, meeting, title=f"Bench commitment {i}").reference
        for i in range(commitments)
    ]
    users = [
        factories.member(group, Role.ANALYST, f"analyst{i}", password=password).username
        for i in range(analysts)
    ]
    return {"slug": SLUG, "references": references, "analysts": users}


def verify() -> dict:
    """What the database holds, per commitment, and whether it is self-consistent: the version
    counts the follow-ups, and the status is the one the last status change set."""
    report = {"follow_ups": 0, "notes": [], "commitments": {}, "problems": []}
    for commitment in Commitment.objects.filter(working_group__slug=SLUG).order_by("reference"):
        follow_ups = list(
            FollowUp.objects.filter(commitment=commitment).order_by("commitment_version")
        )
        report["follow_ups"] += len(follow_ups)
        report["notes"].extend(f.note for f in follow_ups)
        last_change = next((f for f in reversed(follow_ups) if f.status_after), None)
        expected_status = last_change.status_after if last_change else Status.NOT_STARTED
        report["commitments"][commitment.reference] = {
            "status": commitment.status,
            "last_follow_up_status": expected_status,
            "version": commitment.version,
            "follow_ups": len(follow_ups),
        }
        if commitment.status != expected_status:
            report["problems"].append(
                f"{commitment.reference}: status {commitment.status}, last follow-up says "
                f"{expected_status}"
            )
        if commitment.version != 1 + len(follow_ups):
            report["problems"].append(
                f"{commitment.reference}: version {commitment.version} with "
                f"{len(follow_ups)} follow-ups"
            )
        versions = [f.commitment_version for f in follow_ups]
        if versions != list(range(2, 2 + len(follow_ups))):
            report["problems"].append(f"{commitment.reference}: follow-up versions {versions}")
    return report


# --------------------------------------------------------------------------- the page benchmark

SAMPLE_SLUG = "sample-1"
SEARCH_WORD = "cryptocurrency"  # in about 3% of the synthetic commitments' titles
# The follow-up POST goes round this many commitments, as analysts spread theirs over many: one
# commitment taking them all would gather thousands of follow-ups over the runs, and each POST
# would measure re-indexing its ever longer search text rather than a follow-up.
POST_TARGETS = 200


def sample_size() -> dict:
    """How many commitments the synthetic group holds (0 when there is none): bench.pages
    reuses a database that already holds the size it wants."""
    return {
        "commitments": Commitment.objects.filter(working_group__slug=SAMPLE_SLUG).count(),
    }


def analyze() -> dict:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum would get there in
    its own time; SQLite never does by itself), so the plans measured are the ones a
    maintained database gets."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"analyzed": connection.vendor}


def post_versions(*, references: list[str]) -> dict:
    """The versions of the follow-up POST's commitments, after a run (bench.pages.Poster)."""
    rows = Commitment.objects.filter(working_group__slug=SAMPLE_SLUG, reference__in=references)
    return dict(rows.values_list("reference", "version"))


def prepare_pages(*, password: str, timeline: int = 50) -> dict:
    """Users to sign in as (an analyst of the synthetic group, and a superuser for the admin),
    through the services; one commitment brought to `timeline` follow-ups through
    follow_up_record; and what the benchmark's URLs need."""
    import math

    from commitments import selectors, services
    from commitments.models import Indicator, Membership, WorkingGroup

    group = WorkingGroup.objects.get(slug=SAMPLE_SLUG)
    analyst, _ = services.user_ensure(username="bench-analyst", password=password)
    services.membership_set(user=analyst, working_group=group, role=Membership.Role.ANALYST)
    services.user_ensure(username="bench-admin", password=password, is_superuser=True)
    first, *targets = Commitment.objects.filter(working_group=group).order_by("reference")[
        : 1 + POST_TARGETS
    ]
    while first.follow_ups.count() < timeline:
        services.follow_up_record(
            commitment=first,
            author=analyst,
            note=f"Bench follow-up {first.version}: progress reviewed with counterparts.",
            expected_version=first.version,
        )
    count = Commitment.objects.filter(working_group=group).count()
    return {
        "slug": SAMPLE_SLUG,
        "analyst": "bench-analyst",
        "admin": "bench-admin",
        "timeline_reference": first.reference,
        "post_targets": [[c.reference, c.version] for c in targets],
        "commitments": count,
        "last_page": max(1, math.ceil(count / selectors.LIST_PAGE_SIZE)),
        "search": SEARCH_WORD,
        "indicator": Indicator.objects.filter(working_group=group).order_by("pk")[0].pk,
    }


# --------------------------------------------------------------------------- the working day

# Words the synthetic titles and notes hold, from rare to most commitments ("training" is in
# about three quarters of them): what the working day's analysts search for.
WORKDAY_SEARCHES = [
    "cryptocurrency",
    "extradition",
    "tableting",
    "overdose",
    "canine units",
    "seizure data",
    "postponed",
    "training",
]


def prepare_workday(*, password: str, analysts: int) -> dict:
    """`analysts` analysts of the synthetic group (bench-workday-1, …), through the services,
    and what bench.workday's clients choose from: every commitment's reference, the group's
    action areas, the statuses, the list's orders and words to search for."""
    import math

    from commitments import selectors, services
    from commitments.filters import CommitmentFilterForm
    from commitments.models import ActionArea, Membership, WorkingGroup

    group = WorkingGroup.objects.get(slug=SAMPLE_SLUG)
    users = []
    for number in range(1, analysts + 1):
        user, _ = services.user_ensure(username=f"bench-workday-{number}", password=password)
        services.membership_set(user=user, working_group=group, role=Membership.Role.ANALYST)
        users.append(user.username)
    references = list(
        Commitment.objects.filter(working_group=group)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    return {
        "slug": SAMPLE_SLUG,
        "analysts": users,
        "references": references,
        "last_page": max(1, math.ceil(len(references) / selectors.LIST_PAGE_SIZE)),
        "areas": list(ActionArea.objects.in_group(group).values_list("slug", flat=True)),
        "statuses": list(Status.values),
        "sorts": [value for value, _ in CommitmentFilterForm.SORT_CHOICES],
        "searches": WORKDAY_SEARCHES,
    }


def workday_notes(*, prefix: str) -> dict:
    """How many follow-ups of the synthetic group have a note starting with `prefix` (a working
    day's run: its saved POSTs, each acknowledged by a 302)."""
    return {
        "stored": FollowUp.objects.filter(
            commitment__working_group__slug=SAMPLE_SLUG, note__startswith=prefix
        ).count()
    }
