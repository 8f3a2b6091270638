"""What each side leads, recent activity, the list's search and filters, activity that counts
from when things happened, corrections, and where a session that ended sends the user."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from commitments import rules, services
from commitments.models import Commitment, FollowUp, Membership, Status, WorkingGroup
from tests import factories
from tests.test_views_support import htmx_headers, signed_in, url

pytestmark = pytest.mark.django_db

G = "dpewg"
LIST = url("commitments:commitment_list", G)


def refs(response) -> list[str]:
    import re

    return re.findall(r'id="commitment-row-([^"]+)"', response.content.decode())


@pytest.fixture
def sides(group, analyst, coordinator):
    """Four commitments: led by the US alone, India alone, both, and nobody; agreed recently."""
    today = timezone.localdate()
    recently = today - datetime.timedelta(days=5)
    services.meeting_update(meeting=group.meetings.get(), start_date=recently, end_date=recently)
    us, india = factories.lead_agencies()
    made = {
        "us": factories.commitment(group, title="US alone", lead_agencies=[us], owner=analyst),
        "in": factories.commitment(
            group, title="India alone", lead_agencies=[india], priority="high"
        ),
        "both": factories.commitment(
            group,
            title="Both sides",
            lead_agencies=[us, india],
            due_date=today - datetime.timedelta(days=2),
        ),
        "none": factories.commitment(group, title="Nobody yet"),
    }
    made["us_agency"], made["in_agency"] = us, india
    return made


# --------------------------------------------------------------------------- each side


def test_it_shows_what_each_side_leads_alone_and_shared(client, viewer, sides):
    body = signed_in(client, viewer).get(url("commitments:sides", G)).content.decode()
    us = body[body.index('id="side-US"') :]
    india = body[body.index('id="side-IN"') : body.index('id="side-US"')]
    assert "led (1 alone, 1 shared)" in us and "led (1 alone, 1 shared)" in india
    assert "US alone" in us and "India alone" not in us and "Both sides" in us
    assert "India alone" in india and "US alone" not in india
    assert 'tag--shared">Shared' in us
    assert "1 commitment is led by both sides (shared); 1 has no lead agency yet" in body
    # Overdue: the shared one, on both sides.
    assert 'attention=overdue"><span class="stat__value">1<' in us


@pytest.mark.parametrize(
    ("side", "expected"),
    [("US", {"us", "both"}), ("US-only", {"us"}), ("IN-only", {"in"}), ("shared", {"both"})],
)
def test_it_filters_the_list_by_the_side_that_leads(client, viewer, sides, side, expected):
    response = signed_in(client, viewer).get(LIST, {"party": side})
    assert set(refs(response)) == {sides[k].reference for k in expected}


def test_it_filters_mine_and_priority(client, analyst, sides):
    client = signed_in(client, analyst)
    assert refs(client.get(LIST, {"mine": "on"})) == [sides["us"].reference]  # owned by me
    services.affiliation_set(user=analyst, agency=sides["in_agency"])
    mine = set(refs(client.get(LIST, {"mine": "on"})))
    # Owned by me, or led by my agency (India's NCB): alone or shared.
    assert mine == {sides[k].reference for k in ("us", "in", "both")}
    assert refs(client.get(LIST, {"priority": "high"})) == [sides["in"].reference]


# --------------------------------------------------------------------------- search


@pytest.fixture
def searchable(group, analyst):
    us, india = factories.lead_agencies()
    c = factories.commitment(
        group,
        title="Watch the ports",
        lead_agencies=[india],
        source_excerpt="tighten controls on precursor shipments",
    )
    services.follow_up_record(
        commitment=c,
        author=analyst,
        note="सीमा शुल्क के साथ संयुक्त अभियान शुरू हुआ",
        external_reference="OPERATION SAGAR-7",
        expected_version=1,
    )
    other = factories.commitment(group, title="Something else", lead_agencies=[us])
    return c, other


@pytest.mark.parametrize(
    "query",
    [
        "Sagar",  # an operation name, in a follow-up's external reference
        "संयुक्त अभियान",  # a follow-up note in Hindi (Devanagari)
        "narcotics control",  # the lead agency's name
        "NCB",  # its acronym
        "precursor shipments",  # the agreed words
        "ports",  # the title
        "PC-01",  # part of the reference
    ],
)
def test_it_finds_commitments_by_what_was_said_about_them(client, viewer, searchable, query):
    c, _other = searchable
    found = refs(signed_in(client, viewer).get(LIST, {"q": query}))
    assert found == [c.reference], (query, found)


def test_it_finds_nothing_for_words_nobody_wrote(client, viewer, searchable):
    assert refs(signed_in(client, viewer).get(LIST, {"q": "submarine"})) == []


# --------------------------------------------------------------------------- activity


def test_it_counts_inactivity_from_the_day_it_was_agreed_not_from_the_insert(db, client):
    """The seeds' seven commitments were agreed in January: in November, with no follow-up,
    they are inactive, though their rows were inserted today."""
    seeds = Path(settings.BASE_DIR) / "seeds" / "us-india-dpewg.yaml"
    call_command("load_seeds", str(seeds), stdout=StringIO())
    group = WorkingGroup.objects.get(slug="us-india-dpewg")
    viewer = factories.member(group, "viewer", "reader")
    today = datetime.date(2026, 11, 20)
    seeded = Commitment.objects.filter(working_group=group)
    assert {c.last_activity_on for c in seeded} == {datetime.date(2026, 1, 21)}
    assert seeded.inactive(today).count() == 7
    body = signed_in(client, viewer).get(url("commitments:group_dashboard", group.slug))
    assert '7</span> <span class="stat__label">inactive' in body.content.decode()


def test_it_counts_a_recent_follow_up_and_not_a_backdated_one(group, analyst):
    c = factories.commitment(group)
    services.follow_up_record(
        commitment=c,
        author=analyst,
        note="Backdated: this happened in February.",
        expected_version=1,
        occurred_on=datetime.date(2026, 2, 10),
    )
    c.refresh_from_db()
    assert c.last_activity_on == datetime.date(2026, 2, 10)
    assert (
        Commitment.objects.filter(pk=c.pk)
        .inactive(timezone.localdate() + datetime.timedelta(days=rules.inactive_after_days()))
        .exists()
    )
    services.follow_up_record(commitment=c, author=analyst, note="Today.", expected_version=2)
    c.refresh_from_db()
    assert c.last_activity_on == timezone.localdate()


def test_it_explains_inactive_apart_from_stalled_on_the_list(client, viewer, group):
    body = signed_in(client, viewer).get(LIST).content.decode()
    assert "Inactive: no follow-up for 60 days" in body


@pytest.fixture
def history(group, analyst, coordinator):
    """Entries on several days, in two areas, reported by both sides."""
    us, india = factories.lead_agencies()
    services.affiliation_set(user=analyst, agency=india)
    services.affiliation_set(user=coordinator, agency=us)
    sc = factories.action_area(group, "SC", name="Supply chains")
    pc_one = factories.commitment(group, title="Precursor one")
    sc_one = factories.commitment(group, sc, title="Supply one")
    today = timezone.localdate()
    for c, author, days, note in (
        (pc_one, analyst, 2, "India, two days ago"),
        (sc_one, coordinator, 3, "US, three days ago"),
        (pc_one, analyst, 20, "India, twenty days ago"),
    ):
        c.refresh_from_db()
        services.follow_up_record(
            commitment=c,
            author=author,
            note=note,
            expected_version=c.version,
            occurred_on=today - datetime.timedelta(days=days),
        )
    sc_one.refresh_from_db()
    services.commitment_update(
        commitment=sc_one, expected_version=sc_one.version, actor=coordinator, title="Renamed"
    )
    return group


def test_it_shows_the_last_7_days_then_since_the_previous_visit(client, analyst, history):
    client = signed_in(client, analyst)
    assert Membership.objects.get(user=analyst, working_group=history).activity_seen_at is None
    before = timezone.now()
    first = client.get(url("commitments:recent_activity", G)).content.decode()
    assert "in the last 7 days" in first
    assert "India, two days ago" in first and "US, three days ago" in first
    assert "twenty days ago" not in first
    assert "edited the details" in first  # edits are listed beside follow-ups
    assert first.index("India, two days ago") < first.index("US, three days ago")
    seen = Membership.objects.get(user=analyst, working_group=history).activity_seen_at
    assert before <= seen <= timezone.now()  # the visit is recorded when it happens

    second = client.get(url("commitments:recent_activity", G)).content.decode()
    assert "since your previous visit" in second


def test_it_filters_activity_by_dates_area_and_reporting_side(client, viewer, history):
    client = signed_in(client, viewer)
    today = timezone.localdate()
    wide = {"since": (today - datetime.timedelta(days=30)).isoformat(), "until": today.isoformat()}
    body = client.get(url("commitments:recent_activity", G), wide).content.decode()
    assert "twenty days ago" in body
    by_india = client.get(url("commitments:recent_activity", G), {**wide, "side": "IN"})
    assert "US, three days ago" not in by_india.content.decode()
    assert "India, twenty days ago" in by_india.content.decode()
    by_area = client.get(url("commitments:recent_activity", G), {**wide, "area": "sc"})
    assert "US, three days ago" in by_area.content.decode()
    assert "India, two days ago" not in by_area.content.decode()
    fragment = client.get(
        url("commitments:recent_activity", G), wide, headers=htmx_headers("activity-results")
    ).content.decode()
    assert "<html" not in fragment and 'id="activity-results"' in fragment


# --------------------------------------------------------------------------- corrections


def test_it_corrects_a_follow_up_with_a_new_one_that_names_it(client, analyst, commitment):
    mistaken = services.follow_up_record(
        commitment=commitment, author=analyst, note="Met NCB on Monday.", expected_version=1
    )
    client = signed_in(client, analyst)
    page = client.get(f"{commitment.get_absolute_url()}?corrects={mistaken.pk}").content.decode()
    assert "You are correcting the entry of" in page
    assert f'name="corrects" value="{mistaken.pk}"' in page

    response = client.post(
        url("commitments:follow_up_create", G, commitment.reference),
        {
            "note": "Correction: it was Tuesday.",
            "occurred_on": timezone.localdate().isoformat(),
            "version": 2,
            "corrects": mistaken.pk,
        },
    )

    assert response.status_code == 302
    correction = FollowUp.objects.get(note="Correction: it was Tuesday.")
    assert correction.corrects == mistaken
    assert FollowUp.objects.get(pk=mistaken.pk).note == "Met NCB on Monday."  # unchanged
    assert "Corrects the entry of" in client.get(commitment.get_absolute_url()).content.decode()


def test_it_refuses_to_correct_another_commitments_entry(client, analyst, group, commitment):
    other = factories.commitment(group)
    theirs = services.follow_up_record(
        commitment=other, author=analyst, note="Elsewhere.", expected_version=1
    )
    response = signed_in(client, analyst).post(
        url("commitments:follow_up_create", G, commitment.reference),
        {
            "note": "Sneaky.",
            "occurred_on": timezone.localdate().isoformat(),
            "version": 1,
            "corrects": theirs.pk,
        },
    )
    assert response.status_code == 200
    assert "not one of this commitment" in response.content.decode().replace("&#x27;", "'")
    assert not FollowUp.objects.filter(note="Sneaky.").exists()


# --------------------------------------------------------------------------- session ends


def test_it_returns_to_the_commitment_page_after_a_session_ended_on_a_no_js_post(
    client, analyst, commitment
):
    page = commitment.get_absolute_url()
    response = client.post(
        url("commitments:follow_up_create", G, commitment.reference),
        {"note": "Half-written", "version": 1},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('accounts:login')}?next={page.replace('/', '%2F')}"
    signed = client.post(
        response["Location"],
        {"username": analyst.username, "password": factories.PASSWORD},
    )
    assert signed.status_code == 302 and signed["Location"] == page
    assert client.get(signed["Location"]).status_code == 200
    assert not FollowUp.objects.exists()


def test_it_sends_a_no_js_post_without_a_referer_home_not_to_a_405(client, commitment):
    response = client.post(url("commitments:follow_up_create", G, commitment.reference), {})
    assert response["Location"] == f"{url('accounts:login')}?next=%2F"


def test_it_sends_an_htmx_request_whose_session_ended_to_sign_in_from_its_page(client, commitment):
    page = commitment.get_absolute_url()
    response = client.post(
        url("commitments:follow_up_create", G, commitment.reference),
        {"note": "x", "version": 1},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response["HX-Redirect"] == f"{url('accounts:login')}?next={page.replace('/', '%2F')}"


# --------------------------------------------------------------------------- never deleted


def test_it_offers_no_way_to_delete_or_change_a_follow_up(commitment, analyst):
    services.follow_up_record(commitment=commitment, author=analyst, note="x", expected_version=1)
    assert not hasattr(services, "follow_up_delete")
    assert not hasattr(services, "follow_up_update")
    assert FollowUp.objects.count() == 1


def test_it_keeps_status_explained_by_the_log(commitment, analyst):
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Started.",
        expected_version=1,
        status=Status.IN_PROGRESS,
    )
    commitment.refresh_from_db()
    last = (
        commitment.follow_ups.follow_ups()
        .exclude(status_after="")
        .order_by("-commitment_version")[0]
    )
    assert last.status_after == commitment.status


def test_it_walks_the_new_pages_without_errors_for_the_coordinator(group, coordinator, sides):
    client = signed_in(Client(), coordinator)
    for name in ("sides", "recent_activity", "members"):
        assert client.get(url(f"commitments:{name}", G)).status_code == 200
