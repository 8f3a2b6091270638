"""The bench's data, built through the services, and the read-back that checks what was stored.
Runs inside Django (bench.harness.django_call runs it through `manage.py shell`)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from commitments import services
from commitments.models import Commitment, FollowUp, Membership, Status

SLUG = "bench"


def prepare(*, password: str, analysts: int, commitments: int) -> dict:
    us, _ = services.party_ensure(code="US", name="United States")
    india, _ = services.party_ensure(code="IN", name="India")
    group, _ = services.working_group_ensure(
        slug=SLUG, name="Bench working group", short_name="BENCH", parties=[us, india]
    )
    area, _ = services.action_area_ensure(
        working_group=group, slug="ops", name="Joint operations", code="OPS"
    )
    meeting, _ = services.meeting_ensure(
        working_group=group,
        number=1,
        title="Meeting 1",
        start_date=datetime.date(2026, 1, 20),
        end_date=datetime.date(2026, 1, 21),
    )
    references = [
        services.commitment_create(
            working_group=group, action_area=area, meeting=meeting, title=f"Bench commitment {i}"
        ).reference
        for i in range(commitments)
    ]
    users = []
    for i in range(analysts):
        user = get_user_model().objects.create_user(username=f"analyst{i}", password=password)
        services.membership_set(user=user, working_group=group, role=Membership.Role.ANALYST)
        users.append(user.username)
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
