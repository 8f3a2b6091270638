"""Compliance reviews: opening one, who may propose and confirm which side's scores, the freeze
after closing (every path: services, pages, admin), and the arithmetic against a worked
example written down below. (Query budgets: test_views_budgets.py; access: test_access_walk.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments import access, services
from commitments.models import ComplianceReview, ComplianceScore, Party, ScoreState, Status
from commitments.selectors import Compliance, review_detail
from tests import factories
from tests.factories import Role
from tests.test_views_support import id_lists, signed_in, url

pytestmark = pytest.mark.django_db


def side(code: str) -> Party:
    return Party.objects.get(code=code)


def affiliate(user, code: str):
    agency = factories.agency(code, "ONDCP" if code == "US" else "NCB")
    services.affiliation_set(user=user, agency=agency)
    return user


@pytest.fixture
def us_analyst(group):
    return affiliate(factories.member(group, Role.ANALYST, "us_analyst"), "US")


def test_it_knows_the_side_a_user_speaks_for_with_or_without_the_groups_read(
    group, us_analyst, analyst
):
    """Read with the group (no query) or asked: the same answer, None without affiliation."""
    for user, expected in ((us_analyst, side("US").pk), (analyst, None)):
        read = access.get_group_for_user(user, group.slug)
        assert read.side == expected
        assert access.side_of(read, user) == expected
        assert access.side_of(access.access_for(user, group), user) == expected


@pytest.fixture
def in_analyst(group):
    return affiliate(factories.member(group, Role.ANALYST, "in_analyst"), "IN")


@pytest.fixture
def three(group):
    """C1 and C2 in area PC, C3 in area SC, all agreed at meeting 1; plus a completed one,
    which a review does not cover."""
    sc = factories.action_area(group, "SC", name="Supply chains", order=2)
    c1 = factories.commitment(group, title="C1")
    c2 = factories.commitment(group, title="C2")
    c3 = factories.commitment(group, sc, title="C3")
    done = factories.commitment(group, title="Done")
    services.follow_up_record(
        commitment=done,
        author=factories.member(group, Role.ANALYST),
        note="Done.",
        status=Status.COMPLETED,
        expected_version=done.version,
    )
    return c1, c2, c3


def acc(user, group):
    return access.access_for(user, group)


def confirm(review, commitment, code, score, coordinator):
    """A coordinator's score, confirmed."""
    row = services.compliance_score_propose(
        review=review,
        commitment=commitment,
        party=side(code),
        score=score,
        rationale=f"Scored {score}",
        actor=coordinator,
        actor_access=acc(coordinator, review.working_group),
    )
    return services.compliance_score_confirm(
        compliance_score=row, actor=coordinator, actor_access=acc(coordinator, review.working_group)
    )


# --------------------------------------------------------------------------- opening


def test_it_opens_a_review_of_the_commitments_open_at_the_meeting(group, coordinator, three):
    review = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(), actor=coordinator
    )
    assert sorted(c.title for c in review.commitments.all()) == ["C1", "C2", "C3"]
    assert review.is_open and review.opened_by == coordinator
    with pytest.raises(ValidationError) as caught:
        services.compliance_review_open(
            working_group=group, meeting=group.meetings.get(), actor=coordinator
        )
    assert "already has a compliance review" in str(caught.value)


def test_it_opens_a_review_of_300_commitments_without_naming_each_one(group, coordinator):
    """The review's commitments are written from their ids, never asked for with an IN list
    of them (PostgreSQL refuses a statement of over 65,535 parameters)."""
    for _ in range(300):
        factories.commitment(group)
    with CaptureQueriesContext(connection) as queries:
        review = services.compliance_review_open(
            working_group=group, meeting=group.meetings.get(), actor=coordinator
        )
    assert max(id_lists(queries), default=0) < 3, id_lists(queries)
    assert set(review.commitments.values_list("pk", flat=True)) == set(
        group.commitments.values_list("pk", flat=True)
    )


def test_it_refuses_a_meeting_of_another_group(group, other_group, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.compliance_review_open(
            working_group=group, meeting=other_group.meetings.get(), actor=coordinator
        )
    assert "another working group" in caught.value.message_dict["meeting"][0]
    assert not ComplianceReview.objects.exists()


# --------------------------------------------------------------------------- who scores


@pytest.fixture
def review(group, coordinator, three):
    return services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(), actor=coordinator
    )


def test_it_lets_an_analyst_propose_their_own_sides_score_only(review, us_analyst, three, group):
    c1 = three[0]
    row = services.compliance_score_propose(
        review=review,
        commitment=c1,
        party=side("US"),
        score=1,
        rationale="Lists shared.",
        actor=us_analyst,
        actor_access=acc(us_analyst, group),
    )
    assert (row.state, row.proposed_by, row.confirmed_by) == (ScoreState.PROPOSED, us_analyst, None)
    with pytest.raises(PermissionDenied):
        services.compliance_score_propose(
            review=review,
            commitment=c1,
            party=side("IN"),
            score=1,
            rationale="Not mine",
            actor=us_analyst,
            actor_access=acc(us_analyst, group),
        )
    with pytest.raises(PermissionDenied):
        services.compliance_score_confirm(
            compliance_score=row, actor=us_analyst, actor_access=acc(us_analyst, group)
        )
    assert ComplianceScore.objects.count() == 1


def test_it_refuses_viewers_and_analysts_without_a_side(review, viewer, analyst, three, group):
    for user in (viewer, analyst):
        with pytest.raises(PermissionDenied):
            services.compliance_score_propose(
                review=review,
                commitment=three[0],
                party=side("US"),
                score=0,
                rationale="x",
                actor=user,
                actor_access=acc(user, group),
            )


def test_it_refuses_a_score_off_the_scale_without_rationale_or_outside_the_review(
    review, coordinator, group, other_group
):
    c1 = review.commitments.get(title="C1")
    outside = factories.commitment(group, title="Agreed later")
    france, _ = services.party_ensure(code="FR", name="France")
    cases = [
        ({"commitment": c1, "party": side("US"), "score": 2, "rationale": "x"}, "score"),
        ({"commitment": c1, "party": side("US"), "score": 1, "rationale": "  "}, "rationale"),
        ({"commitment": outside, "party": side("US"), "score": 1, "rationale": "x"}, "commitment"),
        ({"commitment": c1, "party": france, "score": 1, "rationale": "x"}, "party"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.compliance_score_propose(
                review=review, actor=coordinator, actor_access=acc(coordinator, group), **kwargs
            )
        assert field in caught.value.message_dict, caught.value
    assert not ComplianceScore.objects.exists()


def test_it_has_the_database_refuse_a_score_off_the_scale(review, coordinator):
    row = confirm(review, review.commitments.get(title="C1"), "US", 1, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplianceScore.objects.filter(pk=row.pk).update(score=3)


def test_it_revises_a_confirmed_score_back_to_proposed_and_confirms_with_a_revision(
    review, coordinator, us_analyst, group
):
    c1 = review.commitments.get(title="C1")
    row = confirm(review, c1, "US", 0, coordinator)
    row = services.compliance_score_propose(
        review=review,
        commitment=c1,
        party=side("US"),
        score=1,
        rationale="Now done.",
        actor=us_analyst,
        actor_access=acc(us_analyst, group),
    )
    assert (row.state, row.confirmed_by) == (ScoreState.PROPOSED, None)
    row = services.compliance_score_confirm(
        compliance_score=row,
        actor=coordinator,
        actor_access=acc(coordinator, group),
        score=0,
        rationale="Half done: the second list is pending.",
    )
    row.refresh_from_db()
    assert (row.score, row.state, row.confirmed_by) == (0, ScoreState.CONFIRMED, coordinator)
    assert row.history.count() == 4


# --------------------------------------------------------------------------- the freeze


def test_it_freezes_every_score_after_closing_through_every_service(
    review, coordinator, us_analyst, group
):
    c1 = review.commitments.get(title="C1")
    row = confirm(review, c1, "US", 1, coordinator)
    services.compliance_review_close(review=review, actor=coordinator)
    review.refresh_from_db()
    assert not review.is_open and review.closed_at is not None
    me = acc(coordinator, group)
    attempts = [
        lambda: services.compliance_score_propose(
            review=review,
            commitment=c1,
            party=side("US"),
            score=-1,
            rationale="later",
            actor=us_analyst,
            actor_access=acc(us_analyst, group),
        ),
        lambda: services.compliance_score_propose(
            review=review,
            commitment=c1,
            party=side("IN"),
            score=0,
            rationale="new",
            actor=coordinator,
            actor_access=me,
        ),
        lambda: services.compliance_score_confirm(
            compliance_score=row, actor=coordinator, actor_access=me, score=0
        ),
        lambda: services.compliance_score_create(
            review=review, commitment=c1, party=side("IN"), score=0, rationale="x"
        ),
        lambda: services.compliance_score_update(compliance_score=row, score=-1),
        lambda: services.compliance_score_delete(compliance_score=row),
        lambda: services.compliance_review_update(compliance_review=review, state="open"),
        lambda: services.compliance_review_delete(compliance_review=review),
        lambda: services.compliance_review_close(review=review, actor=coordinator),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.messages == ["This review is closed: its scores are frozen."]
    row.refresh_from_db()
    assert (row.score, row.state) == (1, ScoreState.CONFIRMED)
    assert ComplianceScore.objects.count() == 1 and ComplianceReview.objects.count() == 1


def test_it_refuses_to_change_a_closed_review_through_the_pages(client, review, coordinator, group):
    c1 = review.commitments.get(title="C1")
    row = confirm(review, c1, "US", 1, coordinator)
    services.compliance_review_close(review=review, actor=coordinator)
    signed_in(client, coordinator)
    edit = url("commitments:score_edit", group.slug, review.pk, c1.reference, "US")
    response = client.post(edit, {"score": "-1", "rationale": "Too late", "confirm": "1"})
    assert response.status_code == 200
    assert "This review is closed: its scores are frozen." in response.content.decode()
    client.post(url("commitments:score_confirm", group.slug, review.pk, row.pk))
    client.post(url("commitments:review_close", group.slug, review.pk))
    row.refresh_from_db()
    assert (row.score, row.rationale) == (1, "Scored 1")


def test_it_refuses_to_change_a_closed_review_through_the_admin(
    client, review, coordinator, admin_user
):
    row = confirm(review, review.commitments.get(title="C1"), "US", 1, coordinator)
    services.compliance_review_close(review=review, actor=coordinator)
    signed_in(client, admin_user)
    change = reverse("admin:commitments_compliancescore_change", args=[row.pk])
    delete = reverse("admin:commitments_compliancescore_delete", args=[row.pk])
    review_delete = reverse("admin:commitments_compliancereview_delete", args=[review.pk])
    review_change = reverse("admin:commitments_compliancereview_change", args=[review.pk])
    data = {
        "score": "-1",
        "rationale": "Changed",
        "state": "confirmed",
        "review": review.pk,
        "commitment": row.commitment_id,
        "party": row.party_id,
    }
    assert client.post(change, data).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(review_delete, {"post": "yes"}).status_code == 403
    assert client.post(review_change, {"state": "open"}).status_code == 403
    # The list's bulk delete asks the same per-object permission and deletes nothing.
    changelist = reverse("admin:commitments_compliancescore_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert (row.score, ComplianceScore.objects.count()) == (1, 1)


# --------------------------------------------------------------------------- arithmetic


def test_it_computes_compliance_per_side_area_and_overall_as_worked_out_here(
    group, coordinator, three, in_analyst
):
    """The worked example.

    Previous review (meeting 1, closed), confirmed scores:
        United States: C1 0, C2 0            -> average 0.00,  (0 + 1) / 2 x 100 = 50.0%
        India:         C1 -1, C2 0           -> average -0.50, (-0.5 + 1) / 2 x 100 = 25.0%
    This review (meeting 2), confirmed scores (India's C3 only proposed: it does not count):
        United States: C1 +1, C2 0, C3 -1    -> 0 / 3 = 0.00      -> 50.0%, moved 0.0 points
        India:         C1 +1, C2 +1, (C3 0?) -> 2 / 2 = 1.00      -> 100.0%, moved +75.0 points
      per area, United States: PC (C1, C2) 1 / 2 = 0.50 -> 75.0%;  SC (C3) -1 -> 0.0%
                India:         PC 2 / 2 = 1.00 -> 100.0%;          SC none confirmed
      overall: 5 confirmed scores adding to 2 -> 0.40 -> 70.0%; before: 4 adding to -1 ->
      -0.25 -> 37.5%, moved +32.5 points.
    """
    c1, c2, c3 = three
    first = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(number=1), actor=coordinator
    )
    for c, code, score in ((c1, "US", 0), (c2, "US", 0), (c1, "IN", -1), (c2, "IN", 0)):
        confirm(first, c, code, score, coordinator)
    services.compliance_review_close(review=first, actor=coordinator)

    meeting_2 = factories.meeting(
        group, 2, start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 2)
    )
    second = services.compliance_review_open(
        working_group=group, meeting=meeting_2, actor=coordinator
    )
    for c, code, score in (
        (c1, "US", 1),
        (c2, "US", 0),
        (c3, "US", -1),
        (c1, "IN", 1),
        (c2, "IN", 1),
    ):
        confirm(second, c, code, score, coordinator)
    services.compliance_score_propose(
        review=second,
        commitment=c3,
        party=side("IN"),
        score=0,
        rationale="Proposed only",
        actor=in_analyst,
        actor_access=acc(in_analyst, group),
    )

    detail = review_detail(review=second)
    assert detail.previous_review == first
    assert detail.proposed == 1
    sides = {s.party.code: s for s in detail.sides}
    us, india = sides["US"], sides["IN"]
    assert (us.overall.average, us.overall.percent) == (Decimal("0.00"), Decimal("50.0"))
    assert (us.previous.percent, us.movement) == (Decimal("50.0"), Decimal("0.0"))
    assert (india.overall.average, india.overall.percent) == (Decimal("1.00"), Decimal("100.0"))
    assert (india.previous.average, india.previous.percent) == (Decimal("-0.50"), Decimal("25.0"))
    assert india.movement == Decimal("75.0")
    us_areas = {a.code: (now.average, now.percent) for a, now, _before, _move in us.per_area}
    assert us_areas == {
        "PC": (Decimal("0.50"), Decimal("75.0")),
        "SC": (Decimal("-1.00"), Decimal("0.0")),
    }
    in_areas = {a.code: (now.count, now.percent) for a, now, _before, _move in india.per_area}
    assert in_areas == {"PC": (2, Decimal("100.0")), "SC": (0, None)}
    assert (detail.overall.count, detail.overall.average, detail.overall.percent) == (
        5,
        Decimal("0.40"),
        Decimal("70.0"),
    )
    assert (detail.previous_overall.percent, detail.movement) == (Decimal("37.5"), Decimal("32.5"))


def test_it_rounds_the_percentage_from_the_unrounded_average():
    # 2 of 3: average 0.666..., shown 0.67; (0.666... + 1) / 2 x 100 = 83.33... -> 83.3.
    assert (Compliance(3, 2).average, Compliance(3, 2).percent) == (
        Decimal("0.67"),
        Decimal("83.3"),
    )
    assert Compliance().percent is None


# --------------------------------------------------------------------------- pages


def test_it_shows_each_side_next_to_the_other_and_lets_a_side_score_itself(
    client, review, us_analyst, coordinator, group
):
    c1 = review.commitments.get(title="C1")
    signed_in(client, us_analyst)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'id="compliance-table"' in page and "India" in page and "United States" in page
    own = url("commitments:score_edit", group.slug, review.pk, c1.reference, "US")
    theirs = url("commitments:score_edit", group.slug, review.pk, c1.reference, "IN")
    assert own in page and theirs not in page
    assert client.get(theirs).status_code == 403
    response = client.post(own, {"score": "1", "rationale": "Lists shared on 2 Feb."})
    assert response.status_code == 302
    row = ComplianceScore.objects.get()
    assert (row.score, row.state, row.proposed_by) == (1, ScoreState.PROPOSED, us_analyst)
    refused = client.post(own, {"score": "5", "rationale": ""})
    body = refused.content.decode()
    assert "Select a valid choice" in body and "Give the reasons for the score." in body

    signed_in(client, coordinator)
    client.post(url("commitments:score_confirm", group.slug, review.pk, row.pk))
    row.refresh_from_db()
    assert (row.state, row.confirmed_by) == (ScoreState.CONFIRMED, coordinator)
    assert "100.0%" in client.get(review.get_absolute_url()).content.decode()


def test_it_opens_a_review_from_its_page(client, coordinator, group, three):
    signed_in(client, coordinator)
    response = client.post(url("commitments:review_create", group.slug), {"meeting": ""})
    assert "Choose the meeting the review prepares." in response.content.decode()
    meeting = group.meetings.get()
    response = client.post(url("commitments:review_create", group.slug), {"meeting": meeting.pk})
    review = ComplianceReview.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert review.commitments.count() == 3
