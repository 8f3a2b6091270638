"""Query budgets: every page of the workspace makes the same number of queries with 3
commitments (and their follow-ups) as with 300, so none of them loads rows one by one.

The data is built once (3 commitments, every page measured, then 297 more, every page measured
again): building 300 commitments through the services is the slow part, so one test does it
once rather than once per page. Each budget names its queries. The first three are the same
everywhere: 1 the session, 2 the user, then the access check: 3 the working group by slug with
the user's membership (role) in it, in one query.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import selectors, services
from commitments.models import Commitment
from tests import factories
from tests.factories import Role
from tests.test_views_support import (
    CHANGED,
    follow_ups,
    htmx_headers,
    populate,
    signed_in,
    url,
)

pytestmark = pytest.mark.django_db

G = "dpewg"


def check_pages(client, c: Commitment, django_assert_num_queries) -> None:
    detail = url("commitments:commitment_detail", G, c.reference)

    # 1 session, 2 user, 3 the user's working groups with role and counts (two: no redirect).
    with django_assert_num_queries(3):
        assert client.get(url("commitments:home")).status_code == 200

    # Drawn (the first view after a change): 1-3 session, user, group with membership (and
    # its version), 4-5 the group's tallies (models.Tally, kept by the services): the counts
    # per area and status, per meeting and per month completed (the summaries, the meetings'
    # counts and the burn-up), and the overdue, due soon and inactive sums, 6 overdue, 7 due in
    # 30 days, 8 inactive: the first few of each (no long texts), 9 the latest entries with
    # commitment, author, agency and side, and what they correct, 10-13 the group's areas,
    # meetings, sides and co-leads (selectors.catalogue).
    cache.clear()
    with django_assert_num_queries(13):
        assert client.get(url("commitments:group_dashboard", G)).status_code == 200

    # Then kept until the group's version moves (commitments.cache): 1-3 session, user, group
    # with membership and version.
    with django_assert_num_queries(3):
        assert client.get(url("commitments:group_dashboard", G)).status_code == 200

    # 1-3 session, user, group with membership, 4 the group's sides, 5-6 every side's figures
    # from the tallies (led, alone, per status, progress; the overdue and inactive sums), 7-10
    # per side: the ids of its most pressing open commitments with a due date, then, only when
    # those leave room on the list, without one; 11 those commitments with their area, meeting
    # and owner, 12 their lead agencies with their side (all sides at once). So at most 12,
    # whatever the data.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("commitments:sides", G)).status_code == 200
    assert 10 <= len(queries) <= 12

    # 1-3 session, user, group with membership, 4 the user's membership (their previous visit),
    # 5 count of the entries in the range, 6 a page of entries with commitment, area, author,
    # agency, side and what they correct, 7-9 recording this visit (savepoint, update,
    # release), 10-11 the area and side filters' choices (the group's areas and sides).
    with django_assert_num_queries(11):
        assert client.get(url("commitments:recent_activity", G)).status_code == 200

    # 1-3 session, user, group with membership, 4 how many match (pager): without a filter,
    # by area or status, the group's status tallies (selectors.counted), 5 the page's ids in
    # the list's order, 6 those commitments with their area, meeting and owner, 7 their lead
    # agencies with their side, 8-12 the select filters' choices (the group's areas,
    # agencies, sides, meetings and members).
    with django_assert_num_queries(12):
        assert client.get(url("commitments:commitment_list", G)).status_code == 200

    # The same with every filter set: 1-3 as above, 4-8 checking that the chosen area,
    # agency, side, meeting and owner are this group's (the sides are also the "Led by"
    # choices), 9 count, 10 the page's ids, 11 those commitments, 12 their lead agencies,
    # 13-16 the other filters' choices (areas, agencies, meetings, members).
    ondcp = factories.agency("US", "ONDCP")
    filters = {
        "q": "Commitment",
        "area": "pc",
        "status": "in_progress",
        "attention": "overdue",
        "agency": ondcp.pk,
        "party": "US",
        "meeting": "1",
        "owner": "analyst",
        "priority": "medium",
        "mine": "on",
        "sort": "due",
    }
    with django_assert_num_queries(16):
        response = client.get(f"{url('commitments:commitment_list', G)}?{urlencode(filters)}")
    assert "Not understood" not in response.content.decode()

    # The results alone (htmx): 1-3, 4 count, 5 the page's ids, 6 those commitments, 7 their
    # lead agencies; the filters are not rendered, so their choices are not read.
    with django_assert_num_queries(7):
        client.get(
            url("commitments:commitment_list", G), headers=htmx_headers("commitment-results")
        )

    # 1-3 session, user, group with membership (and the user's side: the measurement form's
    # default), 4 the commitment with area, meeting, owner and source document,
    # 5 count of follow-ups (timeline pager), 6 a page of follow-ups with their author,
    # 7 indicators with their latest measurement (also the measurement form's choice of
    # indicator), 8 the group's sides (the form's "reported by"), 9 the commitment's lead
    # agencies with their party.
    with django_assert_num_queries(9):
        assert client.get(detail).status_code == 200

    # The indicators alone (htmx, after "commitment-changed"): 1-3, 4 the commitment,
    # 5 indicators with latest value.
    with django_assert_num_queries(5):
        client.get(detail, headers=htmx_headers("commitment-indicators"))

    # 1-3 session, user, group with membership and the user's side, 4 the indicator with
    # area and commitment, 5 the group's sides (the chart's), 6 its measurements with who
    # entered and reported them, 7 their history (corrections), 8 the group's sides again
    # (the form's "reported by").
    indicator = c.indicators.order_by("pk").first()
    indicator_url = url("commitments:indicator_detail", G, indicator.pk)
    with django_assert_num_queries(8):
        assert client.get(indicator_url).status_code == 200

    # The status block alone (htmx, after "commitment-changed"): 1-3, 4 the commitment.
    with django_assert_num_queries(4):
        client.get(detail, headers=htmx_headers("commitment-status"))

    # The timeline alone (htmx): 1-3, 4 the commitment, 5 count, 6 a page of follow-ups.
    with django_assert_num_queries(6):
        client.get(detail, headers=htmx_headers("timeline"))

    # 1-3 session, user, group with membership,
    # 4 the meeting with the person who opened it (agency, party),
    # 5 participants with person, agency and party, 6 source documents,
    # 7 the status summary of what it agreed (its total is the pager's count),
    # 8 a page of them with their area.
    with django_assert_num_queries(8):
        assert client.get(url("commitments:meeting_detail", G, 1)).status_code == 200

    # 1-3 session, user, group with membership,
    # 4 the area, 5 its count per status and average progress (its total is the pager's count),
    # 6 a page of its commitments with meeting and owner,
    # 7 its indicators (directly or through a commitment) with their latest measurement.
    with django_assert_num_queries(7):
        assert client.get(url("commitments:area_detail", G, "pc")).status_code == 200


def scored_review(group, number: int):
    """A review of every open commitment (for a meeting after all of them), each with a
    confirmed score for one side and a proposed one for the other; and a closed review before
    it, so that the page compares."""
    today = timezone.localdate()
    meetings = []
    for offset in (0, 1):
        meetings.append(
            factories.meeting(
                group,
                number + offset,
                start_date=today + datetime.timedelta(days=60 + offset),
                end_date=today + datetime.timedelta(days=60 + offset),
            )
        )
    us, india = group.parties.get(code="US"), group.parties.get(code="IN")
    reviews = []
    for meeting in meetings:
        review = services.compliance_review_open(working_group=group, meeting=meeting, actor=None)
        for c in review.commitments.all():
            services.compliance_score_create(
                review=review, commitment=c, party=us, score=1, rationale="Done.", state="confirmed"
            )
            services.compliance_score_create(
                review=review, commitment=c, party=india, score=0, rationale="Partly."
            )
        reviews.append(review)
    services.compliance_review_close(review=reviews[0], actor=None)
    return reviews[1]


def check_review_pages(client, review, django_assert_num_queries) -> None:
    # 1-3 session, user, group with membership, 4 the reviews with their meeting and opener.
    with django_assert_num_queries(4):
        assert client.get(url("commitments:review_list", G)).status_code == 200

    # 1-3 (with the user's side: what they may score), 4 the review with its meeting, 5 the
    # group's sides, 6 the commitments under review with their area, 7 their scores with who
    # proposed and confirmed them, 8 the previous closed review, 9 its confirmed scores.
    with django_assert_num_queries(9):
        assert client.get(url("commitments:review_detail", G, review.pk)).status_code == 200

    # What changed since the latest snapshot (taken when the previous review closed):
    # 1-3, 4 the group's snapshots, 5 the rows of the one chosen, 6 the commitments now with
    # their area, 7 their lead agencies with party, 8 the group's sides.
    with django_assert_num_queries(8):
        body = client.get(url("commitments:changes", G)).content.decode()
    assert "changed" in body


def check_coordinator_pages(client, c: Commitment, django_assert_num_queries) -> None:
    # 1-3 session, user, group with membership (a coordinator's: the same three everywhere),
    # 4 the members with their account, agency and side.
    with django_assert_num_queries(4):
        assert client.get(url("commitments:members", G)).status_code == 200

    # 1-3, 4 the next meeting number, 5 the people the group's records name (read once for
    # every participant row), 6 the agencies of its parties (likewise), 7 its documents.
    with django_assert_num_queries(7):
        assert client.get(url("commitments:meeting_create", G)).status_code == 200

    # 1-3, 4 the meeting, 5 its participants, 6 its documents (chosen), 7 people,
    # 8 agencies, 9 the group's documents.
    with django_assert_num_queries(9):
        assert client.get(url("commitments:meeting_edit", G, 1)).status_code == 200

    # 1-3, 4 the meeting, 5 the group's parties (a lead agency field per side), 6 areas,
    # 7-8 each side's agencies, 9 the members (owner), 10 the documents.
    with django_assert_num_queries(10):
        assert client.get(url("commitments:commitment_create", G, 1)).status_code == 200

    # 1-3, 4 the commitment, 5 its lead agencies with party, 6 parties, 7 areas, 8 meetings,
    # 9-10 each side's agencies, 11 the members, 12 the documents.
    with django_assert_num_queries(12):
        assert client.get(url("commitments:commitment_edit", G, c.reference)).status_code == 200

    # 1-3, 4 the areas (what it measures; a commitment is named by its reference).
    with django_assert_num_queries(4):
        assert client.get(url("commitments:indicator_create", G)).status_code == 200

    # 1-3, 4 the meetings without a review.
    with django_assert_num_queries(4):
        assert client.get(url("commitments:review_create", G)).status_code == 200

    # 1-3 (with the user's side), 4 the latest review, 5 the commitment under review, 6 the
    # side, 7 the score there now, with who proposed and confirmed it.
    review = selectors.reviews(group=c.working_group)[0]
    ref = review.commitments.order_by("reference").first().reference
    with django_assert_num_queries(7):
        assert client.get(url("commitments:score_edit", G, review.pk, ref, "US")).status_code == 200


# A follow-up POST (htmx) in at most 20 SQL statements; it makes 12: 1-3 session, user, group
# with membership, 4 the commitment, 5 savepoint, 6 the row lock with the version check and
# its lead agencies (their sides for the counts, their rows for its history), 7 the follow-up
# (no history row of its own: it is never changed), 8-9 the commitment and its history row, 10
# the lead agencies' history (the rows read at 6: models.known_relations), 11 the counts of
# the dashboard and the sides page (models.Tally: one upsert), 12 release. The quick status
# change adds its row.
FOLLOW_UP_POST_STATEMENTS = 12
FOLLOW_UP_POST_BUDGET = 20


def measure_writes(client, c: Commitment, status: str, progress: str) -> tuple[int, int]:
    """The statements of logging a follow-up and of a quick status change (htmx): within
    FOLLOW_UP_POST_BUDGET, and the same whatever the amount of data (the caller checks)."""
    counts = []
    for name, data in (
        # A progress the commitment does not have yet: a change of its counts (models.Tally).
        ("commitments:follow_up_create", {"note": "Budget check", "progress": progress}),
        ("commitments:commitment_status", {"status": status}),
    ):
        c.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                url(name, G, c.reference),
                {"version": c.version, "occurred_on": "2026-01-25", **data},
                headers=htmx_headers(),
            )
        assert response["HX-Trigger"] == CHANGED, response.content.decode()[:500]
        assert len(captured) <= FOLLOW_UP_POST_BUDGET, "\n".join(
            q["sql"][:120] for q in captured.captured_queries
        )
        counts.append(len(captured))
    assert counts[0] == FOLLOW_UP_POST_STATEMENTS, counts
    return counts[0], counts[1]


def test_it_keeps_every_page_to_its_query_budget_with_3_and_with_300_commitments(
    client, analyst, coordinator, group, other_group, django_assert_num_queries
):
    services.membership_set(user=analyst, working_group=other_group, role=Role.VIEWER)
    created = populate(group, 3, author=analyst)
    c = follow_ups(created[0], 3, author=analyst)
    signed_in(client, analyst)
    coordinating = signed_in(Client(), coordinator)
    review = scored_review(group, 10)
    assert review.scores.count() == 2 * review.commitments.count() >= 6
    check_pages(client, c, django_assert_num_queries)
    check_review_pages(client, review, django_assert_num_queries)
    check_coordinator_pages(coordinating, c, django_assert_num_queries)
    small_writes = measure_writes(client, Commitment.objects.get(pk=created[1].pk), "stalled", "55")

    populate(group, 297, author=analyst)
    c = follow_ups(c, 297, author=analyst)
    assert Commitment.objects.filter(working_group=group).count() == 300
    assert c.follow_ups.count() >= 300
    review = scored_review(group, 20)
    assert review.commitments.count() >= 290
    # Building 300 commitments can take over a minute on a busy machine; the sessions' last-seen
    # stamp (written at most once a minute) is refreshed here, not inside a measured request.
    for each in (client, coordinating):
        each.get(reverse("commitments:home"))
    check_pages(client, c, django_assert_num_queries)
    check_review_pages(client, review, django_assert_num_queries)
    check_coordinator_pages(coordinating, c, django_assert_num_queries)
    assert (
        measure_writes(client, Commitment.objects.get(pk=created[1].pk), "withdrawn", "60")
        == small_writes
    )


def test_it_keeps_the_htmx_answers_small(client, analyst, group):
    """The list's results (a page of 25 rows) under 40 KB and a follow-up's answer under 10 KB
    (issue 13), with titles as long as real ones get (90 characters) and two lead agencies."""
    created = populate(group, 30, author=analyst)
    long_title = "Strengthen joint verification of precursor chemical shipments at ports of entry "
    for c in created:  # the rows as the list shows them: long titles, two lead agencies each
        Commitment.objects.filter(pk=c.pk).update(title=(long_title + c.reference)[:90])
    signed_in(client, analyst)
    results = client.get(
        url("commitments:commitment_list", G), headers=htmx_headers("commitment-results")
    )
    assert results.content.decode().count('<tr id="commitment-row-') == selectors.LIST_PAGE_SIZE
    assert len(results.content) < 40 * 1024, len(results.content)

    c = Commitment.objects.get(pk=created[0].pk)
    answer = client.post(
        url("commitments:follow_up_create", G, c.reference),
        {
            "note": "Met the regulator; next steps agreed.",
            "occurred_on": timezone.localdate().isoformat(),
            "status": "in_progress",
            "progress": "40",
            "evidence_url": "",
            "external_reference": "",
            "version": str(c.version),
        },
        headers=htmx_headers("follow-up-form"),
    )
    assert answer.status_code == 200 and "follow-up-saved" in answer.content.decode()
    assert len(answer.content) < 10 * 1024, len(answer.content)
