"""The working group dashboard and the home page (the user's working groups)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from commitments import services
from commitments.models import Commitment
from tests import factories
from tests.factories import Role
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

DASHBOARD = url("commitments:group_dashboard", "dpewg")
HOME = url("commitments:home")


# --------------------------------------------------------------------------- home


def test_it_sends_anonymous_users_from_home_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == f"{url('accounts:login')}?next=/"


def test_it_takes_a_member_of_one_group_straight_to_it(client, analyst, other_group):
    signed_in(client, analyst)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == DASHBOARD


def test_it_lists_the_groups_of_a_member_of_several(client, analyst, group, other_group):
    services.membership_set(user=analyst, working_group=other_group, role=Role.VIEWER)
    factories.commitment(group, title="One")
    signed_in(client, analyst)
    response = client.get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Another Working Group") < body.index("Drug Policy Executive Working Group")
    assert "your role: Analyst" in body and "your role: Viewer" in body
    assert "1 commitment, 1 open" in body


def test_it_tells_a_user_without_groups_what_to_do(client, db):
    signed_in(client, factories.user("lonely"))
    body = client.get(HOME).content.decode()
    assert "You are not a member of any working group yet." in body


def test_it_shows_an_admin_every_group(client, admin_user, group, other_group):
    signed_in(client, admin_user)
    body = client.get(HOME).content.decode()
    assert "Another Working Group" in body and "Drug Policy Executive Working Group" in body


def test_it_answers_405_to_a_post_on_home(client, analyst):
    signed_in(client, analyst)
    assert client.post(HOME).status_code == 405


def test_it_lands_on_the_group_after_signing_in(client, analyst):
    response = client.post(
        url("accounts:login"), {"username": "analyst", "password": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == DASHBOARD
    assert response.status_code == 200


# --------------------------------------------------------------------------- dashboard access


def test_it_sends_anonymous_users_from_the_dashboard_to_sign_in(client, group):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(url("accounts:login"))


def test_it_hides_the_dashboard_from_an_outsider(client, outsider, group):
    signed_in(client, outsider)
    assert client.get(DASHBOARD).status_code == 404
    assert client.get(url("commitments:group_dashboard", "no-such-group")).status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "analyst", "coordinator", "admin_user"])
def test_it_shows_the_dashboard_to_every_member(client, request, group, persona):
    signed_in(client, request.getfixturevalue(persona))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Drug Policy Executive Working Group" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_405_to_writes_on_the_dashboard(client, analyst, method):
    signed_in(client, analyst)
    assert getattr(client, method)(DASHBOARD).status_code == 405


# --------------------------------------------------------------------------- what it shows


@pytest.fixture
def board(group, analyst):
    today = timezone.localdate()
    # Agreed five days ago: active until shown otherwise.
    recently = today - datetime.timedelta(days=5)
    services.meeting_update(
        meeting=group.meetings.get(number=1), start_date=recently, end_date=recently
    )
    pc = group.action_areas.get(code="PC")
    sc = factories.action_area(group, "SC", name="Supply chains", order=2)
    factories.action_area(group, "EM", name="Empty area", order=3)
    late = factories.commitment(
        group, pc, title="Late one", due_date=today - datetime.timedelta(days=3)
    )
    soon = factories.commitment(
        group, pc, title="Soon one", due_date=today + datetime.timedelta(days=7)
    )
    quiet = factories.commitment(group, sc, title="Quiet one")
    done = factories.commitment(group, sc, title="Done one")
    services.follow_up_record(
        commitment=soon,
        author=analyst,
        note="Half way there",
        status="in_progress",
        progress=50,
        expected_version=1,
    )
    services.follow_up_record(
        commitment=done, author=analyst, note="All done", status="completed", expected_version=1
    )
    Commitment.objects.filter(pk=quiet.pk).update(
        last_activity_on=timezone.localdate() - datetime.timedelta(days=61)
    )
    factories.meeting(
        group,
        2,
        title="Second meeting",
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=31),
        location="New Delhi",
    )
    return {"late": late, "soon": soon, "quiet": quiet, "done": done}


def _section(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</section>", start)]


def test_it_counts_each_area_by_status_with_the_numbers_as_text(client, viewer, board):
    signed_in(client, viewer)
    body = client.get(DASHBOARD).content.decode()
    areas = _section(body, "areas-heading")
    pc = areas[areas.index("Precursor chemicals") : areas.index("Supply chains")]
    # Late (not started) and Soon (in progress, 50%): the counts are text, the bar decorative.
    assert re.search(r"Not started</span></span><span class=\"legend__count\">1<", pc)
    assert re.search(r"In progress</span></span><span class=\"legend__count\">1<", pc)
    assert '<svg class="status-bar"' in pc and 'aria-hidden="true"' in pc
    assert "25%" in pc  # average progress of 0 and 50
    sc = areas[areas.index("Supply chains") : areas.index("Empty area")]
    assert re.search(r"Completed</span></span><span class=\"legend__count\">1<", sc)
    assert "50%" in sc  # 0 and 100
    assert "0 commitments" in areas[areas.index("Empty area") :]


def test_it_lists_overdue_due_soon_and_inactive_commitments(client, viewer, board):
    signed_in(client, viewer)
    body = client.get(DASHBOARD).content.decode()
    overdue = _section(body, "overdue")
    assert "Late one" in overdue and "Soon one" not in overdue
    due_soon = _section(body, "due-soon")
    assert "Soon one" in due_soon and "Late one" not in due_soon
    inactive = _section(body, "inactive")
    assert "Quiet one" in inactive and "Done one" not in inactive and "Late one" not in inactive
    assert "nobody has reported on them for 60 days" in inactive
    assert "Not the same as the status “Stalled”" in inactive
    stats = body[body.index('id="stats"') : body.index("</ul>", body.index('id="stats"'))]
    assert re.search(r"stat__value\">4</span> <span class=\"stat__label\">commitments", stats)
    assert 'href="/g/dpewg/commitments/?attention=overdue"' in stats


def test_it_uses_the_configured_number_of_days_for_inactive(client, viewer, board, settings):
    settings.INACTIVE_AFTER_DAYS = 90
    signed_in(client, viewer)
    inactive = _section(client.get(DASHBOARD).content.decode(), "inactive")
    assert "for 90 days" in inactive and "Quiet one" not in inactive


def test_it_shows_the_latest_follow_ups_newest_first(client, viewer, board):
    signed_in(client, viewer)
    feed = _section(client.get(DASHBOARD).content.decode(), "activity")
    assert feed.index("All done") < feed.index("Half way there")
    assert "analyst" in feed


def test_it_shows_the_meetings_and_the_next_one(client, viewer, board):
    signed_in(client, viewer)
    meetings = _section(client.get(DASHBOARD).content.decode(), "meetings")
    assert re.search(
        r"Next: <a href=\"/g/dpewg/meetings/2/\">Meeting 2, Second meeting</a>", meetings
    )
    assert "New Delhi" in meetings
    assert "Meeting 1: Meeting 1" in meetings


def test_it_says_when_no_meeting_is_scheduled(client, viewer, group):
    signed_in(client, viewer)
    assert "No meeting scheduled." in client.get(DASHBOARD).content.decode()
