"""The commitments list: filters, search, sort, pages, bad filter values, the HTMX fragment,
and the quick status change of a row."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, FollowUp, Status
from tests import factories
from tests.test_views_support import (
    CHANGED,
    add_lead_agencies,
    assert_fragment,
    htmx_headers,
    signed_in,
    url,
)

pytestmark = pytest.mark.django_db

LIST = url("commitments:commitment_list", "dpewg")


def refs(response) -> list[str]:
    """The references of the rows shown, in order."""
    return re.findall(r'<tr id="commitment-row-([^"]+)"', response.content.decode())


def status_url(c: Commitment) -> str:
    return url("commitments:commitment_status", "dpewg", c.reference)


@pytest.fixture
def spread(group, analyst, coordinator):
    """Five commitments that differ in every filtered field."""
    today = timezone.localdate()
    us, india = add_lead_agencies(group)
    pc = group.action_areas.get(code="PC")
    sc = factories.action_area(group, "SC", name="Supply chains")
    # Both meetings ended ten days ago: what they agreed is active until shown otherwise.
    recently = today - datetime.timedelta(days=10)
    m1 = services.meeting_update(
        meeting=group.meetings.get(number=1), start_date=recently, end_date=recently
    )
    m2 = factories.meeting(group, 2, title="Second meeting", start_date=recently, end_date=recently)
    made = {
        "overdue": factories.commitment(
            group,
            pc,
            m1,
            title="Alpha alerts",
            lead_agencies=[us],
            owner=analyst,
            due_date=today - datetime.timedelta(days=5),
        ),
        "soon": factories.commitment(
            group,
            pc,
            m1,
            title="Bravo training",
            lead_agencies=[india],
            owner=coordinator,
            due_date=today + datetime.timedelta(days=10),
        ),
        "later": factories.commitment(
            group,
            sc,
            m2,
            title="Charlie checks",
            description="Inspect the pharmacies",
            lead_agencies=[us, india],
            due_date=today + datetime.timedelta(days=200),
        ),
        "nodate": factories.commitment(group, sc, m2, title="Delta data"),
        "done": factories.commitment(
            group, sc, m1, title="Echo exchange", due_date=today - datetime.timedelta(days=50)
        ),
    }
    services.follow_up_record(
        commitment=made["done"],
        author=analyst,
        note="Done",
        status="completed",
        expected_version=1,
    )
    services.follow_up_record(
        commitment=made["soon"],
        author=analyst,
        note="Going",
        status="in_progress",
        progress=30,
        expected_version=1,
    )
    # "later" has had no activity for longer than INACTIVE_AFTER_DAYS.
    Commitment.objects.filter(pk=made["later"].pk).update(
        last_activity_on=timezone.localdate() - datetime.timedelta(days=90)
    )
    for c in made.values():
        c.refresh_from_db()
    made["us"], made["india"] = us, india
    return made


# --------------------------------------------------------------------------- access


def test_it_sends_anonymous_users_to_sign_in(client, group):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(url("accounts:login"))


def test_it_hides_the_list_from_an_outsider(client, outsider, group):
    signed_in(client, outsider)
    assert client.get(LIST).status_code == 404


def test_it_answers_405_to_a_post_on_the_list(client, analyst, group):
    signed_in(client, analyst)
    assert client.post(LIST).status_code == 405


def test_it_shows_a_viewer_no_status_controls(client, viewer, spread):
    signed_in(client, viewer)
    body = client.get(LIST).content.decode()
    assert len(refs(client.get(LIST))) == 5
    assert "quick-status" not in body and "hx-post" not in body


def test_it_shows_analysts_a_status_control_on_each_row(client, analyst, spread):
    signed_in(client, analyst)
    body = client.get(LIST).content.decode()
    c = spread["overdue"]
    assert body.count('class="quick-status"') == 5
    # One form for the list; each row's button posts its own row, with or without JavaScript.
    assert body.count('<form id="quick-status" method="post"') == 1
    assert f'formaction="{status_url(c)}"' in body and f'hx-post="{status_url(c)}"' in body
    assert f'aria-label="New status for {c.reference}" id="status-{c.reference}"' in body
    assert f'name="version" value="{c.version}"' in body


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["overdue", "soon", "later", "nodate", "done"]),
        ({"area": "pc"}, ["overdue", "soon"]),
        ({"status": "in_progress"}, ["soon"]),
        ({"status": "completed"}, ["done"]),
        ({"attention": "overdue"}, ["overdue"]),
        ({"attention": "due_soon"}, ["soon"]),
        ({"attention": "inactive"}, ["later"]),
        ({"party": "IN"}, ["soon", "later"]),
        ({"meeting": "2"}, ["later", "nodate"]),
        ({"owner": "coordinator"}, ["soon"]),
        ({"q": "charlie"}, ["later"]),
        ({"q": "pharmacies"}, ["later"]),  # the description
        ({"q": "SC-02"}, ["nodate"]),  # the reference
        ({"area": "sc", "meeting": "1"}, ["done"]),
    ],
)
def test_it_filters_the_list(client, viewer, spread, params, expected):
    signed_in(client, viewer)
    response = client.get(LIST, params)
    assert sorted(refs(response)) == sorted(spread[key].reference for key in expected)
    assert "Not understood" not in response.content.decode()


def test_it_filters_by_lead_agency(client, viewer, spread):
    signed_in(client, viewer)
    response = client.get(LIST, {"agency": spread["us"].pk})
    assert sorted(refs(response)) == sorted(spread[k].reference for k in ("overdue", "later"))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["overdue", "soon", "done", "later", "nodate"]),
        ("due", ["done", "overdue", "soon", "later", "nodate"]),
        ("-due", ["later", "soon", "overdue", "done", "nodate"]),
        # Last activity, then reference: "later" 90 days ago, "overdue" and "nodate" agreed 10
        # days ago, "soon" and "done" followed up today.
        ("activity", ["later", "overdue", "nodate", "soon", "done"]),
    ],
)
def test_it_sorts_the_list(client, viewer, spread, sort, expected):
    signed_in(client, viewer)
    response = client.get(LIST, {"sort": sort})
    assert refs(response) == [spread[key].reference for key in expected]


def test_it_sorts_by_latest_activity_first(client, viewer, spread):
    signed_in(client, viewer)
    shown = refs(client.get(LIST, {"sort": "-activity"}))
    assert shown[0] == spread["soon"].reference
    assert shown[-1] == spread["later"].reference


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client, viewer, analyst, group):
    for i in range(30):
        factories.commitment(group, title=f"Item {i}")
    signed_in(client, viewer)
    first = client.get(LIST, {"status": "not_started"})
    assert len(refs(first)) == 25
    body = first.content.decode()
    assert "30 commitments" in body and "page 1 of 2" in body
    assert 'href="?status=not_started&amp;page=2"' in body
    assert 'hx-get="?status=not_started&amp;page=2"' in body
    second = client.get(LIST, {"status": "not_started", "page": "2"})
    assert len(refs(second)) == 5
    # Out of range or not a number: the nearest page, never an error.
    assert len(refs(client.get(LIST, {"page": "99"}))) == 5
    assert len(refs(client.get(LIST, {"page": "x"}))) == 25


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"area": "nope"}, "Action area"),
        ({"area": "xx"}, "Action area"),  # the other group's area
        ({"status": "zzz"}, "Status"),
        ({"agency": "abc"}, "Lead agency"),
        ({"agency": "999999"}, "Lead agency"),
        ({"party": "ZZ"}, "Led by"),
        ({"meeting": "abc"}, "Agreed at"),
        ({"meeting": "99"}, "Agreed at"),
        ({"meeting": "99999999999999999999"}, "Agreed at"),
        ({"agency": "99999999999999999999999"}, "Lead agency"),
        ({"area": "<script>"}, "Action area"),
        ({"owner": "ghost"}, "Owner"),
        ({"owner": "outsider"}, "Owner"),  # not a member of this group
        ({"attention": "later"}, "Needs attention"),
        ({"sort": "password"}, "Sort by"),
        ({"q": "x" * 201}, "Search"),
    ],
)
def test_it_ignores_filter_values_it_does_not_understand_and_says_so(
    client, viewer, outsider, spread, params, ignored
):
    signed_in(client, viewer)
    response = client.get(LIST, {**params, "status": params.get("status", "completed")})
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(rf"Not understood, so not applied: [^<]*{ignored}", body)
    if "status" not in params:
        # The filters that were understood still apply.
        assert refs(response) == [spread["done"].reference]


def test_it_returns_only_the_results_to_htmx(client, viewer, spread):
    signed_in(client, viewer)
    response = client.get(LIST, {"area": "pc"}, headers=htmx_headers("commitment-results"))
    body = assert_fragment(response, "commitment-results")
    assert 'id="filters"' not in body
    assert sorted(refs(response)) == sorted(spread[k].reference for k in ("overdue", "soon"))
    # Screen readers hear how many match (the live region is outside the swapped part).
    assert '<div id="announcer" hx-swap-oob="innerHTML">2 commitments found.</div>' in body
    assert "autofocus" not in body  # focus stays on the filter being changed


def test_it_moves_focus_to_the_results_after_a_page_link(client, viewer, group):
    for i in range(30):
        factories.commitment(group, title=f"Item {i}")
    signed_in(client, viewer)
    headers = {**htmx_headers("commitment-results"), "HX-Trigger": "page-next"}
    body = client.get(LIST, {"page": "2"}, headers=headers).content.decode()
    assert '<h2 id="results-heading" class="results__count" tabindex="-1" autofocus>' in body


def test_it_makes_the_filter_form_work_with_and_without_javascript(client, viewer, spread):
    signed_in(client, viewer)
    body = client.get(LIST, {"area": "sc"}).content.decode()
    form = re.search(r'<form id="filters"[^>]*>', body, re.S).group(0)
    assert 'method="get"' in form and f'action="{LIST}"' in form
    assert f'hx-get="{LIST}"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#commitment-results"' in form
    # The chosen values are selected again (bookmarkable, shareable).
    assert '<option value="sc" selected>' in body


def test_it_opens_more_filters_when_one_of_them_is_used(client, viewer, spread):
    signed_in(client, viewer)
    assert (
        '<details class="filters__more" open>' in client.get(LIST, {"party": "US"}).content.decode()
    )
    assert '<details class="filters__more">' in client.get(LIST).content.decode()


# --------------------------------------------------------------------------- quick status change


def test_it_changes_a_status_in_place_with_htmx(client, analyst, spread):
    c = spread["overdue"]
    signed_in(client, analyst)
    response = client.post(
        status_url(c),
        {"status": "in_progress", "version": c.version, "next": LIST},
        headers=htmx_headers(f"commitment-row-{c.reference}"),
    )
    body = assert_fragment(response, f"commitment-row-{c.reference}")
    assert body.lstrip().startswith("<tr")
    assert response["HX-Trigger"] == CHANGED
    assert 'class="badge badge--in_progress"' in body
    assert f'name="version" value="{c.version + 1}"' in body
    assert f'id="status-{c.reference}" autofocus' in body
    assert f"{c.reference} is now “In progress”." in body  # the live region
    fu = FollowUp.objects.get(commitment=c)
    assert (fu.author, fu.status_before, fu.status_after) == (analyst, "not_started", "in_progress")
    assert fu.note == "Status set to “In progress” from the commitments list."


def test_it_changes_a_status_without_javascript_and_goes_back_to_the_list(client, analyst, spread):
    c = spread["overdue"]
    signed_in(client, analyst)
    back = f"{LIST}?area=pc&sort=due"
    response = client.post(
        status_url(c), {"status": "completed", "version": c.version, "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    c.refresh_from_db()
    assert (c.status, c.progress) == ("completed", 100)
    assert f"{c.reference} is now “Completed”." in client.get(back).content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_it_records_nothing_when_the_status_is_already_the_one_chosen(
    client, analyst, spread, htmx
):
    c = spread["soon"]  # in progress
    signed_in(client, analyst)
    headers = htmx_headers(f"commitment-row-{c.reference}") if htmx else {}
    response = client.post(
        status_url(c),
        {"status": "in_progress", "version": c.version, "next": LIST},
        headers=headers,
    )
    if htmx:
        body = assert_fragment(response, f"commitment-row-{c.reference}")
        assert "HX-Trigger" not in response
    else:
        body = client.get(response["Location"]).content.decode()
    assert f"{c.reference} is already “In progress”." in body
    assert FollowUp.objects.filter(commitment=c).count() == 1  # the fixture's only


@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/x", ""])
def test_it_never_redirects_away_after_a_status_change(client, analyst, spread, bad_next):
    c = spread["overdue"]
    signed_in(client, analyst)
    response = client.post(
        status_url(c), {"status": "stalled", "version": c.version, "next": bad_next}
    )
    assert response["Location"] == LIST


def test_it_refuses_a_status_change_from_a_viewer(client, viewer, spread):
    c = spread["overdue"]
    signed_in(client, viewer)
    response = client.post(status_url(c), {"status": "completed", "version": c.version})
    assert response.status_code == 403
    assert not FollowUp.objects.filter(commitment=c).exists()


def test_it_hides_a_status_change_from_an_outsider(client, outsider, spread):
    c = spread["overdue"]
    signed_in(client, outsider)
    response = client.post(status_url(c), {"status": "completed", "version": c.version})
    assert response.status_code == 404
    assert not FollowUp.objects.filter(commitment=c).exists()


def test_it_accepts_only_post_for_a_status_change(client, analyst, spread):
    signed_in(client, analyst)
    assert client.get(status_url(spread["overdue"])).status_code == 405


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "finished"}, "is not a status we know"),
        ({"status": ""}, "Choose a status."),
        ({"status": "completed", "version": ""}, "This field is required."),
    ],
)
def test_it_refuses_a_bad_status_change(client, analyst, spread, data, message, htmx):
    c = spread["overdue"]
    signed_in(client, analyst)
    payload = {"version": c.version, "next": LIST, **data}
    headers = htmx_headers(f"commitment-row-{c.reference}") if htmx else {}
    response = client.post(status_url(c), payload, headers=headers)
    if htmx:
        body = assert_fragment(response, f"commitment-row-{c.reference}")
        assert "HX-Trigger" not in response
    else:
        assert response.status_code == 302
        body = client.get(response["Location"]).content.decode()
    assert message in body
    assert not FollowUp.objects.filter(commitment=c).exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_it_reports_a_status_conflict_instead_of_overwriting(
    client, analyst, coordinator, spread, htmx
):
    c = spread["overdue"]
    seen = c.version
    services.follow_up_record(
        commitment=c,
        author=coordinator,
        note="Moved first",
        status="stalled",
        expected_version=seen,
    )
    signed_in(client, analyst)
    headers = htmx_headers(f"commitment-row-{c.reference}") if htmx else {}
    response = client.post(
        status_url(c), {"status": "completed", "version": seen, "next": LIST}, headers=headers
    )
    if htmx:
        body = assert_fragment(response, f"commitment-row-{c.reference}")
        assert response["HX-Trigger"] == CHANGED
        assert f'name="version" value="{seen + 1}"' in body
    else:
        body = client.get(response["Location"]).content.decode()
    assert "It was changed by coordinator since you loaded it" in body
    assert "it is now “Stalled”" in body
    c.refresh_from_db()
    assert c.status == Status.STALLED
    assert FollowUp.objects.filter(commitment=c).count() == 1


def test_it_enforces_csrf_on_the_status_change(analyst, spread):
    c = spread["overdue"]
    client = signed_in(Client(enforce_csrf_checks=True), analyst)
    response = client.post(status_url(c), {"status": "completed", "version": c.version})
    assert response.status_code == 403
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(LIST).content.decode()
    ).group(1)
    response = client.post(
        status_url(c), {"status": "completed", "version": c.version, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# --------------------------------------------------------------------------- kept fragments


def _row(body: str, c: Commitment) -> str:
    return re.search(rf'<tr id="commitment-row-{c.reference}".*?</tr>', body, re.S).group(0)


def test_it_draws_a_page_seen_before_the_same(client, analyst, spread):
    """A second visit gets the very same page."""
    signed_in(client, analyst)

    def page() -> str:  # the CSRF token is masked anew each time
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", client.get(LIST).content.decode())

    first = page()
    assert 'class="quick-status"' in first and '<form id="filters"' in first
    assert page() == first


@pytest.mark.parametrize(
    "change", ["agency", "area", "owner", "new day", "status", "new meeting", "new member"]
)
def test_it_shows_every_change_at_once_though_rows_are_kept(
    client, analyst, coordinator, spread, group, monkeypatch, change
):
    """Any change shows at once: also the changes that leave the commitment itself as it was
    (its lead agency, area or owner renamed, a day passing, a meeting or member added)."""
    signed_in(client, analyst)
    c = spread["soon"]  # led by India's agency, owned by the coordinator, due in 10 days
    before = client.get(LIST).content.decode()
    if change == "agency":
        services.agency_update(agency=spread["india"], acronym="ZZQ")
        expected = [(c, "ZZQ (IN)")]
    elif change == "area":
        services.action_area_update(action_area=c.action_area, name="Renamed area")
        expected = [(c, "Renamed area"), (None, ">Renamed area</option>")]
    elif change == "owner":
        coordinator.first_name, coordinator.last_name = "Zora", "Quill"
        coordinator.save()
        expected = [(c, "Zora Quill"), (None, ">Zora Quill</option>")]
    elif change == "new day":
        later = timezone.localdate() + datetime.timedelta(days=11)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
        expected = [(c, "Overdue")]
    elif change == "status":
        services.follow_up_record(
            commitment=c, author=analyst, note="Stuck", status="stalled", expected_version=2
        )
        expected = [(c, 'value="stalled" selected')]
    elif change == "new meeting":
        factories.meeting(group, 3, title="Third meeting")
        expected = [(None, "Meeting 3: Third meeting")]
    else:
        factories.member(group, factories.Role.ANALYST, "newcomer")
        expected = [(None, '<option value="newcomer">')]
    after = client.get(LIST).content.decode()
    for commitment, text in expected:
        shown_before = _row(before, commitment) if commitment else before
        shown_after = _row(after, commitment) if commitment else after
        assert text not in shown_before
        assert text in shown_after
