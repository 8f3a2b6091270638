"""Every URL pattern of the project, for every persona, with GET and POST.

The patterns are read from the URLconf, so a new view cannot be forgotten: the walk fails until
its expectations are written down in RULES below. Group-scoped URLs are also walked with another
working group's objects (by slug, reference, meeting number and area slug), which must be 404
for every member of the first group, as must a mix of our group's slug with their objects.

Admin URLs are walked generically, with GET and POST: the admin is for superusers only, so
someone not signed in is sent to our sign-in and every other signed-in user gets 403, including
a staff member who coordinates another group and holds every permission of every admin model.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commitments import services
from tests import factories

PERSONAS = ("anonymous", "outsider", "viewer", "analyst", "coordinator", "admin")
LOGIN = "login"  # a 302 to the sign-in page, with ?next=
REDIRECT = "redirect"  # a 302 elsewhere

# --------------------------------------------------------------------------- the URLconf


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" for namespaced patterns
    route: str


def walk(resolver=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield Route(name=name, route=prefix + str(pattern.pattern))


def project_routes() -> list[Route]:
    return [r for r in walk() if not r.name.startswith("admin:")]


def admin_routes() -> list[Route]:
    return [r for r in walk() if r.name.startswith("admin:")]


# --------------------------------------------------------------------------- expectations


@dataclass
class World:
    group: object
    other_group: object
    commitment: object
    other_commitment: object
    indicator: object = None
    other_indicator: object = None
    measurement: object = None
    other_measurement: object = None
    review: object = None
    other_review: object = None
    score: object = None
    other_score: object = None


def own(world: World) -> dict:
    return {"slug": world.group.slug}


def own_commitment(world: World) -> dict:
    return {"slug": world.group.slug, "reference": world.commitment.reference}


def own_meeting(world: World) -> dict:
    return {"slug": world.group.slug, "number": world.group.meetings.get().number}


def own_area(world: World) -> dict:
    return {"slug": world.group.slug, "area_slug": world.group.action_areas.get().slug}


def theirs(world: World) -> list[dict]:
    return [{"slug": world.other_group.slug}]


def their_commitment(world: World) -> list[dict]:
    ref = world.other_commitment.reference
    return [
        {"slug": world.other_group.slug, "reference": ref},
        {"slug": world.group.slug, "reference": ref},  # our slug, their reference
    ]


def their_meeting(world: World) -> list[dict]:
    number = 2  # a number only they have (made once, kept by the next calls)
    factories.meeting(world.other_group, number)
    return [
        {"slug": world.other_group.slug, "number": 1},
        {"slug": world.group.slug, "number": number},
    ]


def their_area(world: World) -> list[dict]:
    slug = world.other_group.action_areas.get().slug
    return [
        {"slug": world.other_group.slug, "area_slug": slug},
        {"slug": world.group.slug, "area_slug": slug},
    ]


def own_indicator(world: World) -> dict:
    return {"slug": world.group.slug, "pk": world.indicator.pk}


def their_indicator(world: World) -> list[dict]:
    return [
        {"slug": world.other_group.slug, "pk": world.other_indicator.pk},
        {"slug": world.group.slug, "pk": world.other_indicator.pk},  # our slug, their indicator
    ]


def _readout(group, coordinator_username: str):
    from commitments.models import Membership
    from readouts import services as readout_services

    coordinator = Membership.objects.filter(working_group=group, role="coordinator").first().user
    text = f"The two sides agreed to exchange data on {group.short_name} seizures."
    readout, _ = readout_services.readout_import(
        meeting=group.meetings.get(number=1), text=text, title=f"Readout {group.slug}",
        publisher="A publisher", actor=coordinator,
    )  # fmt: skip
    return readout


def own_readout(world: World) -> dict:
    return {"slug": world.group.slug, "pk": _readout(world.group, "coordinator").pk}


def their_readout(world: World) -> list[dict]:
    theirs = _readout(world.other_group, "outsider").pk
    return [
        {"slug": world.other_group.slug, "pk": theirs},
        {"slug": world.group.slug, "pk": theirs},
    ]


def own_candidate(world: World) -> dict:
    readout = _readout(world.group, "coordinator")
    readout.candidates.update(state="proposed")
    return {"slug": world.group.slug, "pk": readout.pk,
            "candidate_pk": readout.candidates.get().pk}  # fmt: skip


def their_candidate(world: World) -> list[dict]:
    readout = _readout(world.other_group, "outsider")
    mine = _readout(world.group, "coordinator")
    candidate = readout.candidates.get().pk
    return [
        {"slug": world.other_group.slug, "pk": readout.pk, "candidate_pk": candidate},
        {"slug": world.group.slug, "pk": mine.pk, "candidate_pk": candidate},  # mixed
    ]


def _import(group, username: str) -> int:
    from reports import imports
    from reports import services as report_services

    table = imports.Table(headings=["Reference", "Title", "Action area"],
                          rows=[(2, {"Reference": "", "Title": "", "Action area": ""})])  # fmt: skip
    user = get_user_model().objects.get(username=username)
    return report_services.import_batch_create(
        group=group, actor=user, filename="x.csv", table=table
    ).pk


def own_import(world: World) -> dict:
    return {"slug": world.group.slug, "pk": _import(world.group, "coordinator")}


def their_import(world: World) -> list[dict]:
    theirs = _import(world.other_group, "outsider")
    return [
        {"slug": world.other_group.slug, "pk": theirs},
        {"slug": world.group.slug, "pk": theirs},
    ]


def wrong_feed_token(world: World) -> dict:
    return {"user_id": world.commitment.owner_id or 1, "token": "0" * 40}


def own_measurement(world: World) -> dict:
    return {**own_indicator(world), "measurement_pk": world.measurement.pk}


def their_measurement(world: World) -> list[dict]:
    theirs = {"pk": world.other_indicator.pk, "measurement_pk": world.other_measurement.pk}
    return [
        {"slug": world.other_group.slug, **theirs},
        {"slug": world.group.slug, **theirs},
        # our indicator, their measurement
        {
            "slug": world.group.slug,
            "pk": world.indicator.pk,
            "measurement_pk": theirs["measurement_pk"],
        },
    ]


def own_review(world: World) -> dict:
    return {"slug": world.group.slug, "pk": world.review.pk}


def their_review(world: World) -> list[dict]:
    return [
        {"slug": world.other_group.slug, "pk": world.other_review.pk},
        {"slug": world.group.slug, "pk": world.other_review.pk},
    ]


def own_score(world: World) -> dict:
    return {**own_review(world), "reference": world.commitment.reference, "party": "US"}


def their_score(world: World) -> list[dict]:
    ref = world.other_commitment.reference
    return [
        {
            "slug": world.other_group.slug,
            "pk": world.other_review.pk,
            "reference": ref,
            "party": "US",
        },
        {"slug": world.group.slug, "pk": world.other_review.pk, "reference": ref, "party": "US"},
        {**own_review(world), "reference": ref, "party": "US"},  # their commitment in our review
        {**own_review(world), "reference": world.commitment.reference, "party": "XX"},
    ]


def own_confirm(world: World) -> dict:
    return {**own_review(world), "score_pk": world.score.pk}


def their_confirm(world: World) -> list[dict]:
    return [
        {
            "slug": world.other_group.slug,
            "pk": world.other_review.pk,
            "score_pk": world.other_score.pk,
        },
        {**own_review(world), "score_pk": world.other_score.pk},
    ]


def none(world: World) -> dict:
    return {}


@dataclass
class Rule:
    """Expected outcome per persona (in PERSONAS order) for GET and for an empty POST."""

    get: tuple
    post: tuple
    kwargs: Callable[[World], dict] = none
    other_groups: Callable[[World], list[dict]] | None = None


def every(outcome) -> tuple:
    return (outcome,) * len(PERSONAS)


# Pages that read a working group: members read, strangers get 404, nobody posts.
READ = {
    "get": (LOGIN, 404, 200, 200, 200, 200),
    "post": (LOGIN, 405, 405, 405, 405, 405),
}
# Writes of analysts and up: a viewer is refused (403), a stranger does not learn it exists.
# An empty POST is refused by the form (200 with errors) or, for the list's quick status
# change without JavaScript, redirected back to the list with the error as a message.
WRITE = {"get": (LOGIN, 405, 405, 405, 405, 405)}
# Coordinators' pages: other members are refused (403). An empty POST is refused by the form
# (200, the page again with the errors).
COORDINATE = {
    "get": (LOGIN, 404, 403, 403, 200, 200),
    "post": (LOGIN, 404, 403, 403, 200, 200),
}

PASSKEY_API = {"get": (403, *(405,) * 5), "post": (403, *(400,) * 5)}


def someone_elses_passkey(world: World) -> dict:
    """A passkey of a user who is none of the personas (one of theirs would make their
    sessions owe it)."""
    from django_otp_webauthn.models import WebAuthnCredential

    from tests.webauthn_device import stored_passkey

    passkey = WebAuthnCredential.objects.filter(user__username="keyholder").first()
    return {"pk": (passkey or stored_passkey(factories.user("keyholder"))).pk}


RULES: dict[str, Rule] = {
    "ops:healthz": Rule(get=every(200), post=every(405)),
    "accounts:login": Rule(
        get=(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post=(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts:logout": Rule(get=every(405), post=every(REDIRECT)),
    "accounts:password_change": Rule(
        get=(LOGIN, 200, 200, 200, 200, 200), post=(LOGIN, 200, 200, 200, 200, 200)
    ),
    "accounts:password_change_done": Rule(
        get=(LOGIN, 200, 200, 200, 200, 200), post=(LOGIN, 405, 405, 405, 405, 405)
    ),
    # Two-step sign-in: a session that owes nothing is sent on from the verify page; anyone
    # signed in may enrol an authenticator (an empty POST: the form's error). The gate for
    # sessions that owe a code is walked in tests/test_mfa.py.
    "accounts:mfa_verify": Rule(
        get=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts:mfa_setup": Rule(
        get=(LOGIN, 200, 200, 200, 200, 200), post=(LOGIN, 200, 200, 200, 200, 200)
    ),
    # The recovery codes a first passkey made, shown once: none waiting, so on to the settings.
    "accounts:mfa_codes": Rule(
        get=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post=(LOGIN, 405, 405, 405, 405, 405),
    ),
    # Only its owner removes a passkey (tests/test_passkeys.py); anyone else gets 404.
    "accounts:passkey_remove": Rule(
        get=(LOGIN, 405, 405, 405, 405, 405),
        post=(LOGIN, 404, 404, 404, 404, 404),
        kwargs=someone_elses_passkey,
    ),
    # django-otp-webauthn's JSON endpoints: 403 JSON when not signed in (no passwordless
    # sign-in), POST only; an empty POST begins a ceremony (200, its options) or fails to
    # complete one that was never begun (400). tests/test_passkeys.py walks the ceremonies.
    "accounts:passkey_register_begin": Rule(get=PASSKEY_API["get"], post=(403, *(200,) * 5)),
    "accounts:passkey_register_complete": Rule(get=PASSKEY_API["get"], post=PASSKEY_API["post"]),
    "accounts:passkey_verify_begin": Rule(get=PASSKEY_API["get"], post=(403, *(200,) * 5)),
    "accounts:passkey_verify_complete": Rule(get=PASSKEY_API["get"], post=PASSKEY_API["post"]),
    # One group: straight to it; the admin sees both groups.
    "commitments:home": Rule(
        get=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, 200),
        post=(LOGIN, 405, 405, 405, 405, 405),
    ),
    "commitments:group_dashboard": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:commitment_list": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:commitment_detail": Rule(
        **READ, kwargs=own_commitment, other_groups=their_commitment
    ),
    "commitments:meeting_detail": Rule(**READ, kwargs=own_meeting, other_groups=their_meeting),
    "commitments:area_detail": Rule(**READ, kwargs=own_area, other_groups=their_area),
    "commitments:follow_up_create": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 200, 200, 200),
        kwargs=own_commitment,
        other_groups=their_commitment,
    ),
    "commitments:sides": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:recent_activity": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:members": Rule(
        get=(LOGIN, 404, 403, 403, 200, 200),
        post=(LOGIN, 405, 405, 405, 405, 405),
        kwargs=own,
        other_groups=theirs,
    ),
    "commitments:meeting_create": Rule(**COORDINATE, kwargs=own, other_groups=theirs),
    "commitments:meeting_edit": Rule(**COORDINATE, kwargs=own_meeting, other_groups=their_meeting),
    "commitments:commitment_create": Rule(
        **COORDINATE, kwargs=own_meeting, other_groups=their_meeting
    ),
    "commitments:commitment_edit": Rule(
        **COORDINATE, kwargs=own_commitment, other_groups=their_commitment
    ),
    "commitments:commitment_withdraw": Rule(
        get=(LOGIN, 405, 405, 405, 405, 405),
        post=COORDINATE["post"],
        kwargs=own_commitment,
        other_groups=their_commitment,
    ),
    "commitments:indicator_create": Rule(**COORDINATE, kwargs=own, other_groups=theirs),
    "commitments:indicator_edit": Rule(
        **COORDINATE, kwargs=own_indicator, other_groups=their_indicator
    ),
    "readouts:import": Rule(**COORDINATE, kwargs=own_meeting, other_groups=their_meeting),
    "readouts:review": Rule(
        get=COORDINATE["get"],
        post=(LOGIN, 405, 405, 405, 405, 405),
        kwargs=own_readout,
        other_groups=their_readout,
    ),
    # An empty POST: the passage form's errors (200); a decision on a candidate (302 back to
    # the review, or 200 with the accept form's errors).
    "readouts:passage": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 403, 200, 200),
        kwargs=own_readout,
        other_groups=their_readout,
    ),
    "readouts:accept": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 403, 200, 200),
        kwargs=own_candidate,
        other_groups=their_candidate,
    ),
    "readouts:reject": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 403, REDIRECT, REDIRECT),
        kwargs=own_candidate,
        other_groups=their_candidate,
    ),
    "readouts:reconsider": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 403, REDIRECT, REDIRECT),
        kwargs=own_candidate,
        other_groups=their_candidate,
    ),
    "reports:commitments_csv": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:commitments_xlsx": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:briefing": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:briefing_css": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:briefing_docx": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:briefing_xlsx": Rule(**READ, kwargs=own, other_groups=theirs),
    "reports:import": Rule(**COORDINATE, kwargs=own, other_groups=theirs),
    # Applying a file with a refused row: 409, nothing written.
    "reports:import_review": Rule(
        get=COORDINATE["get"],
        post=(LOGIN, 404, 403, 403, 409, 409),
        kwargs=own_import,
        other_groups=their_import,
    ),
    "reports:my_feeds": Rule(
        get=(LOGIN, 200, 200, 200, 200, 200),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    # Calendar programs fetch the feed without a session: the token is the key, and a wrong
    # one is 404 for everyone (tests/test_reports.py covers the right one).
    "reports:calendar_feed": Rule(get=every(404), post=every(405), kwargs=wrong_feed_token),
    "commitments:indicator_detail": Rule(
        **READ, kwargs=own_indicator, other_groups=their_indicator
    ),
    "commitments:measurement_create": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 200, 200, 200),
        kwargs=own_indicator,
        other_groups=their_indicator,
    ),
    "commitments:measurement_correct": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 200, 200, 200),
        kwargs=own_measurement,
        other_groups=their_measurement,
    ),
    "commitments:commitment_measurement_create": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, 200, 200, 200),
        kwargs=own_commitment,
        other_groups=their_commitment,
    ),
    "commitments:review_list": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:changes": Rule(**READ, kwargs=own, other_groups=theirs),
    "commitments:review_create": Rule(**COORDINATE, kwargs=own, other_groups=theirs),
    "commitments:review_detail": Rule(**READ, kwargs=own_review, other_groups=their_review),
    # Analysts score their own side only: the walk's analyst has no affiliation (403).
    "commitments:score_edit": Rule(**COORDINATE, kwargs=own_score, other_groups=their_score),
    "commitments:score_confirm": Rule(
        get=(LOGIN, 405, 405, 405, 405, 405),
        post=(LOGIN, 404, 403, 403, REDIRECT, REDIRECT),
        kwargs=own_confirm,
        other_groups=their_confirm,
    ),
    "commitments:review_close": Rule(
        get=(LOGIN, 405, 405, 405, 405, 405),
        post=(LOGIN, 404, 403, 403, REDIRECT, REDIRECT),
        kwargs=own_review,
        other_groups=their_review,
    ),
    "commitments:commitment_status": Rule(
        **WRITE,
        post=(LOGIN, 404, 403, REDIRECT, REDIRECT, REDIRECT),
        kwargs=own_commitment,
        other_groups=their_commitment,
    ),
}


# --------------------------------------------------------------------------- the walk


def test_it_has_a_rule_for_every_url_pattern_of_the_project():
    routes = project_routes()
    assert all(r.name for r in routes), [r.route for r in routes if not r.name]
    names = {r.name for r in routes}
    missing = sorted(names - RULES.keys())
    stale = sorted(RULES.keys() - names)
    assert not missing, f"Write the expected access for these new URL names in RULES: {missing}"
    assert not stale, f"These RULES name no URL any more: {stale}"


def _review_and_score(group, commitment):
    user = factories.user()
    review = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(), actor=user
    )
    us = group.parties.get(code="US")
    score = services.compliance_score_create(
        review=review, commitment=commitment, party=us, score=0, rationale="Partial."
    )
    return review, score


@pytest.fixture
def world(group, other_group, commitment) -> World:
    indicator = factories.indicator(group, commitment=commitment)
    other_indicator = factories.indicator(other_group)
    day = datetime.date(2026, 1, 31)
    other_commitment = factories.commitment(other_group)
    review, score = _review_and_score(group, commitment)
    other_review, other_score = _review_and_score(other_group, other_commitment)
    return World(
        review=review,
        other_review=other_review,
        score=score,
        other_score=other_score,
        group=group,
        other_group=other_group,
        commitment=commitment,
        other_commitment=other_commitment,
        indicator=indicator,
        other_indicator=other_indicator,
        measurement=services.measurement_record(indicator=indicator, period_end=day, value=1),
        other_measurement=services.measurement_record(
            indicator=other_indicator, period_end=day, value=2
        ),
    )


class Clients(dict):
    """A signed-in test client per persona, signed in afresh by `reset()` (signing out is one
    of the URLs walked)."""

    def __init__(self, users: dict):
        super().__init__()
        self.users = users
        self.reset()

    def reset(self) -> Clients:
        self["anonymous"] = Client()
        for persona, user in self.users.items():
            self[persona] = Client()
            self[persona].force_login(user)
        return self


@pytest.fixture
def clients(admin_user, outsider, viewer, analyst, coordinator) -> Clients:
    return Clients(
        {
            "outsider": outsider,
            "viewer": viewer,
            "analyst": analyst,
            "coordinator": coordinator,
            "admin": admin_user,
        }
    )


def outcome(response, *, admin: bool = False) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("accounts:login") + "?next="):
        return LOGIN
    return REDIRECT


def test_it_gives_every_persona_the_expected_answer_on_every_url(world, clients):
    mismatches = []
    for name, rule in sorted(RULES.items()):
        url = reverse(name, kwargs=rule.kwargs(world))
        for method, expected_row in (("get", rule.get), ("post", rule.post)):
            clients.reset()
            for persona, expected in zip(PERSONAS, expected_row, strict=True):
                response = getattr(clients[persona], method)(url)
                got = outcome(response)
                if got != expected:
                    mismatches.append(f"{method.upper()} {url} as {persona}: {got}, not {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_it_answers_404_for_another_groups_objects_by_slug_reference_number_and_area(
    world, clients
):
    mismatches = []
    checked = 0
    for name, rule in sorted(RULES.items()):
        if rule.other_groups is None:
            continue
        for kwargs in rule.other_groups(world):
            url = reverse(name, kwargs=kwargs)
            for persona in ("viewer", "analyst", "coordinator"):
                for method, allowed in (("get", rule.get), ("post", rule.post)):
                    if allowed[PERSONAS.index(persona)] == 405:
                        continue  # the method is refused before anything is looked up
                    got = outcome(getattr(clients[persona], method)(url))
                    checked += 1
                    if got != 404:
                        mismatches.append(f"{method.upper()} {url} as {persona}: {got}, not 404")
    assert not mismatches, "\n".join(mismatches)
    assert checked >= 30


@pytest.fixture
def staff_of_other_group(other_group):
    """Staff, coordinator of the other group, with every permission of every admin model."""
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    user = factories.member(other_group, factories.Role.COORDINATOR, "staffer", is_staff=True)
    labels = {model._meta.app_label for model in admin.site._registry}
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=labels))
    return user


def test_it_refuses_every_admin_url_to_everyone_but_superusers(clients, staff_of_other_group):
    routes = admin_routes()
    assert len(routes) > 50  # every model's changelist, add, change, delete, history...
    staff = Client()
    staff.force_login(staff_of_other_group)
    expected = {
        "anonymous": LOGIN,
        "outsider": 403,
        "viewer": 403,
        "analyst": 403,
        "coordinator": 403,
        "staff of another group": 403,
    }
    mismatches = []
    for route in routes:
        url = _admin_url(route)
        for persona, want in expected.items():
            client = staff if persona == "staff of another group" else clients[persona]
            for method in ("get", "post"):
                got = outcome(getattr(client, method)(url))
                if got != want:
                    mismatches.append(f"{method.upper()} {url} as {persona}: {got}, not {want}")
    assert not mismatches, "\n".join(mismatches)
    assert clients["admin"].get(reverse("admin:index")).status_code == 200


def _admin_url(route: Route) -> str:
    """A concrete URL for an admin pattern: every argument, converter or regex group, is 1
    (the admin refuses everyone but superusers before it looks anything up)."""
    path = re.sub(r"<(?:\w+:)?\w+>", "1", route.route)
    path = re.sub(r"\([^)]*\)", "1", path)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.mark.django_db
def test_the_access_check_reads_the_group_and_the_users_standing_in_one_query(
    group, analyst, outsider
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments import access
    from commitments.models import GroupVersion

    GroupVersion.objects.filter(working_group=group).update(version=41)
    with CaptureQueriesContext(connection) as queries:
        read = access.get_group_for_user(analyst, group.slug)
    assert len(queries) == 1
    assert read.group == group and read.role == "analyst" and read.side is None
    assert read.group.cache_version == 41  # read with the group (commitments.cache)
    with pytest.raises(access.Http404):
        access.get_group_for_user(outsider, group.slug)
