"""Django admin, the audit trail: follow-ups are read by a superuser and changed, deleted or
added by nobody; the model history is a superuser's alone, and a commitment's cannot be
reverted."""

from __future__ import annotations

import pytest

from commitments import services
from commitments.models import Commitment, FollowUp, Party
from tests.admin_support import clerk_with, form_data, url


@pytest.fixture
def follow_up(commitment, analyst):
    return services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="First contact made.",
        expected_version=commitment.version,
        status="in_progress",
        progress=10,
    )


# --------------------------------------------------------------------------- audit: follow-ups


def test_it_refuses_changing_a_follow_up_even_to_a_superuser(follow_up, admin_client):
    client = admin_client
    change_url = url(FollowUp, "change", follow_up.pk)

    page = client.get(change_url)
    assert page.status_code == 200  # they may read it
    assert page.context["title"] == "View follow up"
    response = client.post(
        change_url, {"occurred_on": follow_up.occurred_on.isoformat(), "note": "Rewritten."}
    )

    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.note == "First contact made."


def test_it_refuses_deleting_a_follow_up_even_to_a_superuser(follow_up, admin_client):
    client = admin_client

    assert client.get(url(FollowUp, "delete", follow_up.pk)).status_code == 403
    assert client.post(url(FollowUp, "delete", follow_up.pk), {"post": "yes"}).status_code == 403
    bulk = client.post(
        url(FollowUp, "changelist"),
        {"action": "delete_selected", "_selected_action": [follow_up.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # "no action selected": delete is not on offer
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_it_offers_no_add_page_for_follow_ups(follow_up, admin_client):
    assert admin_client.get(url(FollowUp, "add")).status_code == 403
    assert admin_client.post(url(FollowUp, "add"), {"note": "x"}).status_code == 403


# --------------------------------------------------------------------------- audit: history


def test_it_says_where_a_follow_ups_history_is(follow_up, admin_client):
    """A follow-up has no history of its own: its page says who wrote it, when, and links to
    the commitment's history."""
    response = admin_client.get(url(FollowUp, "history", follow_up.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "written once and never changed or deleted" in page
    assert (follow_up.author.get_full_name() or follow_up.author.username) in page
    assert url(Commitment, "history", follow_up.commitment_id) in page


def test_it_shows_the_history_of_a_commitment(follow_up, admin_client):
    commitment = follow_up.commitment
    response = admin_client.get(url(Commitment, "history", commitment.pk))
    assert response.status_code == 200
    assert response.context["history_list_display"] == ("status", "progress", "version")
    assert len(response.context["page_obj"].object_list) == 2
    assert "In progress" in response.content.decode()  # labels, not stored values


def test_it_refuses_staff_the_history_and_its_revert(db, client):
    """Staff with the change permission: django-simple-history would let them revert; the
    admin, for superusers only, refuses them the page and the POST."""
    party = services.party_ensure(code="US", name="United States")[0]
    party.name = "USA"
    party.save()
    client.force_login(clerk_with("view_party", "change_party"))
    first = party.history.earliest()

    assert client.get(url(Party, "history", party.pk)).status_code == 403
    assert client.get(url(Party, "simple_history", party.pk, first.history_id)).status_code == 403
    response = client.post(
        url(Party, "simple_history", party.pk, first.history_id),
        {"name": "United States", "code": "US"},
    )

    assert response.status_code == 403
    party.refresh_from_db()
    assert party.name == "USA"


def test_it_lets_a_superuser_revert_a_plain_record(admin_client):
    party = services.party_ensure(code="US", name="United States")[0]
    party.name = "USA"
    party.save()
    first = party.history.earliest()

    response = admin_client.post(
        url(Party, "simple_history", party.pk, first.history_id),
        {"name": "United States", "code": "US"},
    )

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name == "United States"


def test_it_lets_nobody_revert_a_commitment(follow_up, admin_client):
    commitment = follow_up.commitment
    first = commitment.history.earliest()
    revert_url = url(Commitment, "simple_history", commitment.pk, first.history_id)

    page = admin_client.get(revert_url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True
    response = admin_client.post(revert_url, form_data(page))

    assert response.status_code == 403
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("in_progress", 2)
