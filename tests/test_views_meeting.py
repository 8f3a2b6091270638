"""The meeting page: when and where, who took part by side, the summary, the source documents,
and what was agreed there, grouped by action area with its current status."""

from __future__ import annotations

import datetime
import re

import pytest

from commitments import selectors, services
from commitments.models import ParticipationRole
from tests import factories
from tests.test_views_support import add_lead_agencies, signed_in, url

pytestmark = pytest.mark.django_db

MEETING = url("commitments:meeting_detail", "dpewg", 3)


@pytest.fixture
def meeting(group, analyst):
    us, india = add_lead_agencies(group)
    director, _ = services.person_ensure(name="Sam Director", title="Director", agency=us)
    official, _ = services.person_ensure(
        name="Asha Official", title="Joint Secretary", agency=india
    )
    guest, _ = services.person_ensure(name="Independent Expert")
    doc, _ = services.source_document_ensure(
        working_group=group,
        title="Readout of the third meeting",
        publisher="Office of National Drug Control Policy",
        kind="readout",
        published_on=datetime.date(2026, 5, 3),
        url="https://example.org/readout",
    )
    m = factories.meeting(
        group,
        3,
        title="Third meeting",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 5, 2),
        location="Washington, D.C.",
        summary="Both sides reviewed progress.\n\nThey agreed next steps.",
        opened_by=director,
        participants=[
            (director, ParticipationRole.DELEGATION_LEAD),
            (official, ParticipationRole.DELEGATION_LEAD),
            (guest, ParticipationRole.DELEGATE),
        ],
        source_documents=[doc],
    )
    pc = group.action_areas.get(code="PC")
    sc = factories.action_area(group, "SC", name="Supply chains", order=5)
    first = factories.commitment(group, pc, m, title="Precursor alerts")
    factories.commitment(group, sc, m, title="Pharmacy checks")
    services.follow_up_record(
        commitment=first,
        author=analyst,
        note="Going",
        status="in_progress",
        progress=40,
        expected_version=1,
    )
    factories.commitment(group, pc, title="Agreed at meeting 1, not here")
    return m


def test_it_sends_anonymous_users_to_sign_in(client, meeting):
    assert client.get(MEETING)["Location"].startswith(url("accounts:login"))


def test_it_hides_the_meeting_from_an_outsider(client, outsider, meeting):
    signed_in(client, outsider)
    assert client.get(MEETING).status_code == 404
    # Their own group's meeting number 1 does not open ours either.
    assert client.get(url("commitments:meeting_detail", "dpewg", 1)).status_code == 404


def test_it_gives_404_for_an_unknown_meeting(client, viewer, meeting):
    signed_in(client, viewer)
    assert client.get(url("commitments:meeting_detail", "dpewg", 99)).status_code == 404
    assert client.get("/g/dpewg/meetings/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_405_to_writes(client, analyst, meeting, method):
    signed_in(client, analyst)
    assert getattr(client, method)(MEETING).status_code == 405


def test_it_shows_everything_about_the_meeting(client, viewer, meeting):
    signed_in(client, viewer)
    response = client.get(MEETING)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Third meeting" in body
    assert "1 May 2026" in body and "2 May 2026" in body and "Washington, D.C." in body
    assert "<p>Both sides reviewed progress.</p>" in body
    assert "Opened by Sam Director, Director." in body
    participants = body[body.index('id="participants"') :]
    # Participants by side, each side under its own heading.
    assert re.search(r"<h3[^>]*>India</h3>.*Asha Official", participants, re.S)
    assert re.search(r"<h3[^>]*>United States</h3>.*Sam Director", participants, re.S)
    assert "Independent Expert" in participants and "Other participants" in participants
    assert "Delegation lead" in participants
    assert 'href="https://example.org/readout"' in body and "Readout" in body
    agreed = body[body.index('id="agreed"') : body.index('id="participants"')]
    assert agreed.index("Precursor chemicals") < agreed.index("Precursor alerts")
    assert agreed.index("Supply chains") < agreed.index("Pharmacy checks")
    assert 'class="badge badge--in_progress"' in agreed
    assert "Agreed at meeting 1, not here" not in agreed
    assert 'href="/g/dpewg/commitments/?meeting=3"' in agreed


def test_it_pages_the_commitments_of_a_large_meeting(client, group, analyst):
    m = factories.meeting(
        group, 4, start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 1)
    )
    for n in range(selectors.DETAIL_LIST_PAGE_SIZE + 1):
        factories.commitment(group, meeting_=m, title=f"Item {n:03d}")
    client.force_login(analyst)
    page_url = url("commitments:meeting_detail", "dpewg", 4)

    first = client.get(page_url).content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first
    assert "Item 050" not in first

    second = client.get(page_url + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?page=1" rel="prev"' in second
    assert "Item 050" in second
