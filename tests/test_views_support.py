"""Builders and helpers shared by the view tests (tests/test_views_*.py). No tests in here.

Data goes through the services, like every other write, so the pages are tested against
records that the real paths produce.
"""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, Status, WorkingGroup
from tests import factories

HTMX = {"HX-Request": "true"}
CHANGED = '{"commitment-changed": {}}'


def htmx_headers(target: str | None = None) -> dict[str, str]:
    headers = dict(HTMX)
    if target:
        headers["HX-Target"] = target
    return headers


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def signed_in(client, user):
    """Sign `user` in and make one request, so the session's first-request bookkeeping (the
    session timeout stamps) is done before anything is measured."""
    client.force_login(user)
    client.get(reverse("accounts:login"))
    return client


def assert_fragment(response, element_id: str) -> str:
    """The response is the fragment alone: the element with this id, no page around it."""
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<header" not in body and "<main" not in body
    assert re.search(rf'id="{re.escape(element_id)}"', body), body[:500]
    return body


def add_lead_agencies(group: WorkingGroup):
    return factories.lead_agencies()


def populate(group: WorkingGroup, n: int, *, author) -> list[Commitment]:
    """`n` commitments spread over two areas and two meetings, each with lead agencies of both
    sides, an owner, a due date (some past, some soon, some later) and one follow-up; plus an
    indicator with a measurement per area. Everything a page could be tempted to load per row."""
    today = timezone.localdate()
    us, india = add_lead_agencies(group)
    area_a = group.action_areas.order_by("pk").first()
    area_b = factories.action_area(group, "SC", name="Supply chains")
    meeting_1 = group.meetings.order_by("number").first()
    meeting_2 = factories.meeting(
        group,
        2,
        start_date=today + datetime.timedelta(days=40),
        end_date=today + datetime.timedelta(days=41),
    )
    created = []
    for i in range(n):
        c = factories.commitment(
            group,
            area_a if i % 2 else area_b,
            meeting_1 if i % 3 else meeting_2,
            title=f"Commitment number {i}",
            description="Work together on the thing agreed.",
            lead_agencies=[us, india],
            owner=author,
            due_date=today + datetime.timedelta(days=(i % 7) * 10 - 20),
        )
        services.follow_up_record(
            commitment=c,
            author=author,
            note=f"Progress on {i}",
            status=Status.IN_PROGRESS if i % 4 else Status.STALLED,
            progress=10 + i % 80,
            expected_version=c.version,
            evidence_url="https://example.org/evidence",
        )
        created.append(c)
    for area in (area_a, area_b):
        indicator, _ = services.indicator_ensure(
            working_group=group,
            name=f"Cases in {area.code}",
            unit="cases",
            action_area=area,
            commitment=created[0] if created else None,
        )
        if not indicator.measurements.exists():
            services.measurement_record(
                indicator=indicator, period_end=today - datetime.timedelta(days=30), value=12
            )
    return created


def follow_ups(commitment: Commitment, n: int, *, author) -> Commitment:
    """Log `n` follow-ups on one commitment; returns it fresh."""
    for i in range(n):
        commitment.refresh_from_db()
        services.follow_up_record(
            commitment=commitment,
            author=author,
            note=f"Entry {i}",
            progress=i % 100 if i % 5 else None,
            status=Status.IN_PROGRESS if i == 0 else None,
            expected_version=commitment.version,
        )
    commitment.refresh_from_db()
    return commitment


def id_lists(queries) -> list[int]:
    """The length of each list of numbers after IN in captured statements (the SQL as run,
    its values written in). A read that names every row of a large group this way fails on
    PostgreSQL past 65,535 parameters."""
    return [
        m.group(1).count(",") + 1
        for q in queries
        for m in re.finditer(r"\bIN \((\d+(?:, ?\d+)*)\)", q["sql"])
    ]
