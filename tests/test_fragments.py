"""Pieces of pages kept once drawn ({% memo %}, common/templatetags/memo.py; the "fragments"
cache): found again only by everything they show, never shared between people who should see
different things, never holding what belongs to one request (a CSRF token), and never kept
for a form bound to someone's input. (Each page's own "shows every change at once" tests are
beside the page: test_views_list.py for the list.)"""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from django.core.cache import caches
from django.template import TemplateSyntaxError, engines
from django.test import Client

from commitments import services
from commitments.forms import FollowUpForm
from common.templatetags.memo import CSRF_STAND_IN, form_memo
from tests import factories
from tests.factories import Role
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

KEPT = (caches["fragments"], caches["pages"])  # pieces, and pages kept (nearly) whole


@pytest.fixture(autouse=True)
def _empty_cache():
    for cache in KEPT:
        cache.clear()
    yield
    for cache in KEPT:
        cache.clear()


def kept_html() -> list[str]:
    """Every piece kept now (LocMemCache keeps values pickled, by key)."""
    return [
        pickle.loads(value)  # noqa: S301 (our own)
        for cache in KEPT
        for value in cache._cache.values()
    ]


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load memo %}" + source).render(context)


def test_it_keeps_a_piece_under_its_key_and_draws_it_anew_for_another():
    drawn = []

    class Counter:
        def __str__(self):
            drawn.append(1)
            return str(len(drawn))

    piece = "{% memo piece key %}{{ counter }}{% endmemo %}"
    assert render(piece, key="a", counter=Counter()) == "1"
    assert render(piece, key="a", counter=Counter()) == "1"  # kept: not drawn again
    assert render(piece, key="b", counter=Counter()) == "2"
    assert len(drawn) == 2


def test_it_keeps_nothing_when_the_key_is_none():
    piece = "{% memo piece key %}{{ n }}{% endmemo %}"
    assert render(piece, key=None, n=1) == "1"
    assert render(piece, key=None, n=2) == "2"
    assert kept_html() == []


def test_it_tells_two_pieces_with_the_same_key_apart_by_their_names():
    assert render("{% memo a k %}A{% endmemo %}{% memo b k %}B{% endmemo %}", k=1) == "AB"


def test_it_keeps_no_form_bound_to_someones_input(commitment):
    assert form_memo(FollowUpForm(commitment=commitment)) is not None
    assert form_memo(FollowUpForm({"note": "x"}, commitment=commitment)) is None
    # The key holds each field's value: another version is another form.
    other = FollowUpForm(commitment=commitment)
    other.initial["version"] = commitment.version + 1
    assert form_memo(other) != form_memo(FollowUpForm(commitment=commitment))


def test_it_keeps_no_csrf_token(client, analyst, commitment, group):
    """A kept piece is served to everyone whose page shows the same values: a CSRF token in it
    would be someone else's. Every page that keeps pieces, seen by an analyst (who gets the
    forms)."""
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Went well", expected_version=1
    )
    signed_in(client, analyst)
    pages = [
        url("commitments:group_dashboard", group.slug),
        url("commitments:commitment_list", group.slug),
        url("commitments:commitment_detail", group.slug, commitment.reference),
        url("commitments:recent_activity", group.slug),
    ]
    tokens = set()
    for page in pages:
        body = client.get(page).content.decode()
        tokens.update(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body))
    kept = kept_html()
    assert len(kept) >= 5, "the pages must have kept their pieces"
    assert tokens
    for html in kept:
        # A form kept whole holds the stand-in, which each answer replaces with its own token.
        if "csrfmiddlewaretoken" in html:
            assert f'name="csrfmiddlewaretoken" value="{CSRF_STAND_IN}"' in html
        assert not any(token in html for token in tokens)
    assert not any(CSRF_STAND_IN in token for token in tokens)


def test_a_kept_form_carries_the_token_of_whoever_asks(client, group, commitment):
    """The list's results (its quick status form among them) are kept whole: two analysts get
    the same piece, each with their own token, and each can post with it."""
    first, second = (factories.member(group, Role.ANALYST, name) for name in ("ana", "bo"))
    page = url("commitments:commitment_list", group.slug)
    caches["fragments"].clear()
    caches["pages"].clear()
    found = []
    for user in (first, second):
        browser = Client(enforce_csrf_checks=True)
        signed_in(browser, user)
        body = browser.get(page).content.decode()
        form = body[body.index('<form id="quick-status"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        assert CSRF_STAND_IN not in body
        found.append(token)
        commitment.refresh_from_db()
        response = browser.post(
            url("commitments:commitment_status", group.slug, commitment.reference),
            {
                "csrfmiddlewaretoken": token,
                "version": commitment.version,
                f"status-{commitment.reference}": "in_progress" if user == first else "stalled",
                "next": page,
            },
        )
        assert response.status_code == 302, user
    assert found[0] != found[1]


def test_a_piece_drawn_without_a_token_draws_no_token_field():
    """Rendered without a request (no token): {% csrf_token %} draws nothing, as Django's."""
    source = "{% memo tokenless 1 %}<form>{% csrf_token %}</form>{% endmemo %}"
    assert render(source) == "<form></form>"
    assert render(source, csrf_token="abc123") == (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123"></form>'
    )
    assert render(source, csrf_token="xyz789").endswith('value="xyz789"></form>')
    assert render(source) == "<form></form>"


def test_it_never_shows_a_viewer_the_pieces_drawn_for_an_analyst(analyst, viewer, commitment):
    """The list's rows and the timeline's entries differ by role (status controls, "Correct
    this entry"): the role is part of their key."""
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Went well", expected_version=1
    )
    group = commitment.working_group.slug
    pages = {
        url("commitments:commitment_list", group): "quick-status",
        url("commitments:commitment_detail", group, commitment.reference): "Correct this entry",
    }
    as_analyst = signed_in(Client(), analyst)
    as_viewer = signed_in(Client(), viewer)
    for page, control in pages.items():
        assert control in as_analyst.get(page).content.decode()
        assert control not in as_viewer.get(page).content.decode()
        assert control in as_analyst.get(page).content.decode()


def test_it_shows_a_renamed_author_in_the_timeline_and_the_feed_at_once(
    client, analyst, viewer, commitment
):
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Went well", expected_version=1
    )
    group = commitment.working_group.slug
    pages = [
        url("commitments:commitment_detail", group, commitment.reference),
        url("commitments:group_dashboard", group),
    ]
    signed_in(client, viewer)
    for page in pages:
        assert "Zora Quill" not in client.get(page).content.decode()
    analyst.first_name, analyst.last_name = "Zora", "Quill"
    analyst.save()
    for page in pages:
        assert "Zora Quill" in client.get(page).content.decode()


def test_it_draws_the_burn_up_anew_when_a_commitment_is_completed(client, analyst, commitment):
    group = commitment.working_group.slug
    signed_in(client, analyst)
    dashboard = url("commitments:group_dashboard", group)

    def now_text() -> str:
        body = client.get(dashboard).content.decode()
        return re.search(r"· now (\d+) of (\d+)", body).group(0)

    before = now_text()
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Done",
        status="completed",
        expected_version=commitment.version,
    )
    assert now_text() != before


def test_it_draws_a_form_with_errors_every_time(client, analyst, commitment):
    """A form bound to input is never kept: two posts with different mistakes each get their
    own input and message back."""
    signed_in(client, analyst)
    post = url("commitments:follow_up_create", commitment.working_group.slug, commitment.reference)
    for progress in ("150", "-3"):
        body = client.post(
            post,
            {"note": "", "progress": progress, "version": commitment.version, "status": ""},
        ).content.decode()
        assert f'value="{progress}"' in body


def test_it_shows_a_corrected_value_and_a_renamed_author_on_the_indicator_page_at_once(
    client, analyst, viewer, group
):
    indicator = factories.indicator(group, "Seizures reported")
    us = group.parties.get(code="US")
    recorded = services.measurement_record(
        indicator=indicator,
        period_end=datetime.date(2026, 3, 31),
        value=12,
        note="First quarter",
        reported_by=us,
        entered_by=analyst,
    )
    page = url("commitments:indicator_detail", group.slug, indicator.pk)
    for person in (analyst, viewer):  # with and without the "Correct" links
        signed_in(client, person)
        body = client.get(page).content.decode()
        assert "First quarter" in body and "No value has been corrected" in body
        assert ("?correct=" in body) == (person == analyst)

    analyst.first_name, analyst.last_name = "Zora", "Quill"
    analyst.save()
    values = client.get(page).content.decode().split('id="corrections"')[0]
    assert "Zora Quill" in values, "who entered the value, renamed"

    services.measurement_correct(
        measurement=recorded, reason="Late report", actor=analyst, note="Q1, revised"
    )
    values, corrections = client.get(page).content.decode().split('id="corrections"')
    assert "Q1, revised" in values and "First quarter" not in values
    assert "Late report" in corrections and "Zora Quill" in corrections


def test_it_keeps_the_follow_up_fields_across_versions_and_draws_the_version_anew(
    client, analyst, commitment
):
    page = url("commitments:commitment_detail", commitment.working_group.slug, commitment.reference)
    signed_in(client, analyst)
    assert 'name="version" value="1"' in client.get(page).content.decode()
    kept = set(kept_html())
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Went well", expected_version=1
    )
    body = client.get(page).content.decode()
    assert 'name="version" value="2"' in body
    assert 'name="version" value="1"' not in body
    # The follow-up form's fields piece was kept under the same key: not drawn again (the new
    # pieces are the page's parts drawn anew for the change, selectors.page_key, the form
    # around the fields among them, and the new timeline entry).
    assert 'name="note"' in body
    drawn = set(kept_html()) - kept
    fields = '<input type="hidden" name="corrects"'  # the fields piece begins so
    assert any(fields in html for html in kept)
    assert drawn and not any(html.lstrip().startswith(fields) for html in drawn)


def test_a_piece_may_be_kept_in_the_pages_cache_and_nowhere_else():
    source = "{% memo whole-page n in pages %}page {{ n }}{% endmemo %}"
    assert render(source, n=1) == "page 1"
    assert len(caches["pages"]._cache) == 1
    assert not caches["fragments"]._cache
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load memo %}{% memo x n in default %}{% endmemo %}")
