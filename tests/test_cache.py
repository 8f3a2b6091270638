"""The one explicit cache (commitments.cache): pieces of the dashboard and of the briefing pack
kept under their group's version, which every write of the services raises once it commits.

What could go wrong, each checked with the cache on (this process's memory, as in development;
and once against the machine's real Redis, as in production):

* a write through a service that a page shows, and the next view of that page not showing it
  (a stale page): for each family of services, every page of the group is viewed before and
  after the write;
* a piece drawn for one person shown to another (a coordinator's buttons to an analyst), or
  yesterday's piece today;
* a piece holding a form or a CSRF token;
* a repair made in SQL, which only `manage.py bump_cache_version` makes visible.

The services raise the version when the transaction commits: a test's writes run inside
`django_capture_on_commit_callbacks(execute=True)`, which runs what a commit would run; the
test against Redis commits for real.
"""

from __future__ import annotations

import datetime
import io
import os
import pickle
import re
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments import access, services
from commitments.models import Commitment, GroupVersion, Indicator, Party, Status
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(group, analyst, coordinator):
    """The group with two lead agencies, a commitment each side leads, a follow-up and an
    indicator with a value: something on every page."""
    us, india = factories.lead_agencies()
    services.affiliation_set(user=analyst, agency=us)
    c = factories.commitment(group, title="Tighten precursor controls", lead_agencies=[us, india])
    services.follow_up_record(
        commitment=c, author=analyst, note="Met the regulators.", expected_version=c.version
    )
    indicator = factories.indicator(
        group, name="Seizures reported", action_area=group.action_areas.get()
    )
    services.measurement_record(
        indicator=indicator,
        period_end=timezone.localdate() - datetime.timedelta(days=40),
        value=3,
        reported_by=us.party,
        entered_by=analyst,
    )
    return {"group": group, "commitment": c, "us": us, "india": india, "indicator": indicator}


def pages(world) -> dict[str, str]:
    g, c = world["group"].slug, world["commitment"]
    return {
        "dashboard": url("commitments:group_dashboard", g),
        "list": url("commitments:commitment_list", g),
        "commitment": url("commitments:commitment_detail", g, c.reference),
        "sides": url("commitments:sides", g),
        "indicator": url("commitments:indicator_detail", g, world["indicator"].pk),
        "briefing pack": url("reports:briefing", g),
    }


def view(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def fresh(c: Commitment) -> Commitment:
    return Commitment.objects.get(pk=c.pk)


def _follow_up(world, analyst, coordinator):
    c = fresh(world["commitment"])
    services.follow_up_record(
        commitment=c,
        author=analyst,
        note="Signed the customs protocol.",
        status=Status.COMPLETED,
        progress=100,
        expected_version=c.version,
    )
    return "Signed the customs protocol.", ["dashboard", "commitment", "briefing pack"]


def _edit(world, analyst, coordinator):
    c = fresh(world["commitment"])
    services.commitment_update(
        commitment=c,
        expected_version=c.version,
        actor=coordinator,
        title="Tighten controls on twelve precursors",
        reason="Agreed wording.",
    )
    return "Tighten controls on twelve precursors", [
        "list",
        "commitment",
        "sides",
        "briefing pack",
    ]


def _new_commitment(world, analyst, coordinator):
    group = world["group"]
    services.commitment_create(
        working_group=group,
        meeting=group.meetings.get(),
        action_area=group.action_areas.get(),
        title="Train port officers in sampling",
        lead_agencies=[world["india"]],
        actor=coordinator,
    )
    return "Train port officers in sampling", ["list", "sides", "briefing pack"]


def _area(world, analyst, coordinator):
    area = world["group"].action_areas.get()
    services.action_area_update(action_area=area, actor=coordinator, name="Chemical diversion")
    return "Chemical diversion", ["dashboard", "list", "commitment", "briefing pack"]


def _group_name(world, analyst, coordinator):
    services.working_group_update(
        working_group=world["group"], actor=coordinator, name="Renamed Working Group"
    )
    return "Renamed Working Group", list(pages(world))


def _agency(world, analyst, coordinator):
    services.agency_update(agency=world["india"], name="Narcotics Control Bureau", acronym="NCBX")
    return "NCBX", ["list", "commitment", "sides", "briefing pack"]


def _party(world, analyst, coordinator):
    services.party_update(party=world["india"].party, name="Republic of India")
    return "Republic of India", ["dashboard", "sides"]


def _author_name(world, analyst, coordinator):
    services.user_ensure(
        username=analyst.username, password="", first_name="Zora", last_name="Quill"
    )
    return "Zora Quill", ["dashboard", "commitment"]


def _measurement(world, analyst, coordinator):
    services.measurement_record(
        indicator=Indicator.objects.get(pk=world["indicator"].pk),
        period_end=timezone.localdate() - datetime.timedelta(days=10),
        value=417,
        reported_by=world["us"].party,
        entered_by=analyst,
    )
    return "417", ["indicator", "briefing pack"]


def _snapshot(world, analyst, coordinator):
    services.snapshot_take(working_group=world["group"], actor=coordinator, label="Before June")
    return "Before June", ["briefing pack"]


def _review_closed(world, analyst, coordinator):
    group = world["group"]
    review = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(), actor=coordinator
    )
    us = Party.objects.get(pk=world["us"].party_id)
    actor_access = access.access_for(coordinator, group)
    score = services.compliance_score_propose(
        review=review,
        commitment=fresh(world["commitment"]),
        party=us,
        score=1,
        rationale="Delivered in full.",
        actor=coordinator,
        actor_access=actor_access,
    )
    services.compliance_score_confirm(
        compliance_score=score, actor=coordinator, actor_access=actor_access
    )
    services.compliance_review_close(review=review, actor=coordinator)
    return "!No compliance review has been closed yet.", ["briefing pack"]


WRITES = {
    "a follow-up": _follow_up,
    "an edit": _edit,
    "a new commitment": _new_commitment,
    "an area renamed": _area,
    "the group renamed": _group_name,
    "an agency renamed": _agency,
    "a side renamed": _party,
    "an author renamed": _author_name,
    "a value recorded": _measurement,
    "a snapshot": _snapshot,
    "a review closed": _review_closed,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_it_shows_a_write_through_each_service_on_the_next_view_of_every_page(
    client, world, analyst, coordinator, write, django_capture_on_commit_callbacks
):
    signed_in(client, coordinator)
    addresses = pages(world)
    for address in addresses.values():  # drawn, and the dashboard and pack kept
        view(client, address)
    for address in addresses.values():  # served from what was kept
        view(client, address)

    with django_capture_on_commit_callbacks(execute=True):
        text, shown_on = WRITES[write](world, analyst, coordinator)

    for name in shown_on:  # "!text": a text the page no longer shows
        body = view(client, addresses[name])
        shown = text[1:] not in body if text.startswith("!") else text in body
        assert shown, f"{write}: not yet on the {name}"


def test_it_serves_the_dashboard_and_the_pack_from_the_cache_until_a_write(
    client, world, coordinator
):
    signed_in(client, coordinator)
    dashboard, pack = pages(world)["dashboard"], pages(world)["briefing pack"]
    for address in (dashboard, pack):
        with CaptureQueriesContext(connection) as drawn:
            first = view(client, address)
        with CaptureQueriesContext(connection) as kept:
            again = view(client, address)
        assert len(kept) < len(drawn), address
        assert main(again) == main(first)


def test_it_keeps_a_piece_per_role_and_per_day(
    client, world, analyst, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    dashboard = pages(world)["dashboard"]
    signed_in(client, coordinator)
    assert "Record a meeting" in view(client, dashboard)
    signed_in(client, analyst)
    assert "Record a meeting" not in view(client, dashboard)

    c = fresh(world["commitment"])
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_update(
            commitment=c,
            expected_version=c.version,
            actor=coordinator,
            due_date=timezone.localdate() + datetime.timedelta(days=1),
            reason="Agreed date.",
        )
    assert overdue(view(client, dashboard)) == "0"
    later = timezone.localdate() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert overdue(view(client, dashboard)) == "1"  # no write, but a new day


def overdue(body: str) -> str:
    return re.search(r'stat__value">(\d+)</span> <span class="stat__label">overdue', body)[1]


def main(body: str) -> str:
    """The page's own part, without the CSRF tokens (new on each answer)."""
    part = body[body.index("<main") : body.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)


def test_it_shows_a_repair_made_in_sql_after_bump_cache_version(
    client, world, coordinator, django_capture_on_commit_callbacks
):
    signed_in(client, coordinator)
    pack = pages(world)["briefing pack"]
    view(client, pack)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commitments_commitment SET title = %s WHERE id = %s",
            ["Repaired by hand", world["commitment"].pk],
        )
    assert "Repaired by hand" not in view(client, pack)  # the services did not see it
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bump_cache_version", "--group", world["group"].slug, stdout=out)
    assert "will be drawn again" in out.getvalue()
    assert "Repaired by hand" in view(client, pack)


def test_it_raises_the_version_only_of_the_group_written_to_once_committed(
    world, other_group, coordinator, django_capture_on_commit_callbacks
):
    group = world["group"]
    before = {g.pk: version(g) for g in (group, other_group)}
    with django_capture_on_commit_callbacks(execute=True):
        services.action_area_update(
            action_area=group.action_areas.get(), actor=coordinator, name="Chemical diversion"
        )
        assert version(group) == before[group.pk]  # not before the commit
    assert version(group) == before[group.pk] + 1
    assert version(other_group) == before[other_group.pk]


def version(group) -> int:
    row = GroupVersion.objects.filter(working_group_id=group.pk).first()
    return row.version if row else 0


def test_it_shows_a_link_holding_the_old_csrf_stand_in_as_typed(
    client, world, analyst, django_capture_on_commit_callbacks
):
    """The old kept pieces replaced a stand-in text with each reader's CSRF token, even inside
    a link someone typed (issue 28, finding 14): nothing is replaced any more."""
    typed = "https://example.org/memo-csrf-token-stand-in-5f0c9a"
    c = fresh(world["commitment"])
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_up_record(
            commitment=c, author=analyst, note="See the link.", evidence_url=typed,
            expected_version=c.version,
        )  # fmt: skip
    signed_in(client, analyst)
    assert typed in view(client, pages(world)["commitment"])


# --------------------------------------------------------------------------- the real Redis


@pytest.fixture
def redis_cache(settings):
    """The default cache as production has it: Django's RedisCache on the machine's Redis
    (REDIS_TEST_URL, db 15 by default), under a prefix of this test's own."""
    location = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    yield caches["default"]
    client = caches["default"]._cache.get_client(write=True)
    for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        client.delete(key)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_it_keeps_pages_in_redis_shared_by_every_worker_and_shows_writes_at_once(
    client, world, analyst, coordinator, redis_cache
):
    signed_in(client, coordinator)
    dashboard, pack = pages(world)["dashboard"], pages(world)["briefing pack"]
    view(client, dashboard)
    view(client, pack)
    raw = redis_cache._cache.get_client()
    kept = list(raw.scan_iter(f"{redis_cache.key_prefix}:*"))
    assert len(kept) == 2, kept  # the dashboard's piece and the pack's
    for key in kept:
        value = raw.get(key)
        assert b"csrfmiddlewaretoken" not in value and b'<form method="post"' not in value

    _follow_up(world, analyst, coordinator)
    assert "Signed the customs protocol." in view(client, dashboard)
    assert "Signed the customs protocol." in view(client, pack)


def test_no_kept_piece_holds_a_form_or_a_csrf_token(client, world, coordinator):
    signed_in(client, coordinator)
    for address in pages(world).values():
        view(client, address)
    # LocMem's own keys are the full keys: read them back as the cache stored them.
    kept = [pickle.loads(value) for value in cache._cache.values()]  # noqa: S301 (ours)
    assert len(kept) == 2  # the dashboard's piece and the pack's
    for piece in kept:
        assert "csrfmiddlewaretoken" not in piece and 'method="post"' not in piece


def test_everything_signed_in_works_with_no_cache(client, world, coordinator, settings):
    """CACHE_URL=dummy:// keeps nothing (the benchmark's "drawn" measure): every page is
    drawn each time and shows the same."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    signed_in(client, coordinator)
    for address in pages(world).values():
        assert main(view(client, address)) == main(view(client, address))
