"""The dashboard and the per-side view are kept whole under the group's records revision, which
database triggers raise on every change to its commitments, their lead agencies, their log, the
tallies and the names the pages show (models.catalogue.RECORDS_SOURCES, migration 0016), and
under its catalogue's revision, the day and the asker's role (selectors.page_key). What could go
wrong, each checked:

* a write that changes what the pages show but not the number (a stale page): the ways the app
  makes them, and plain SQL on every source table (the admin, a shell);
* a write that raises another group's number, or a visit that raises it;
* one person's page shown to another (a coordinator's buttons to an analyst), or yesterday's
  page today;
* a page kept from inside a transaction that may still roll back, or from a group read without
  its revisions;
* a bulk write on PostgreSQL paying once per row.
"""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments import access, selectors, services
from commitments.models import (
    CatalogueRevision,
    Commitment,
    RecordsRevision,
    Status,
    Tally,
    WorkingGroup,
)
from commitments.models.catalogue import RECORDS_SOURCES
from tests import factories
from tests.factories import Role
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db


def revision(group) -> int:
    row = RecordsRevision.objects.filter(working_group_id=group.pk).first()
    return row.revision if row else 0


class Watch:
    """The records revisions of some groups before and after a write."""

    def __init__(self, *groups):
        self.groups = groups
        self.before = [revision(g) for g in groups]

    def raised(self) -> list[bool]:
        return [revision(g) > b for g, b in zip(self.groups, self.before, strict=True)]


def main(body: str) -> str:
    """The page's own part, without the CSRF tokens (new on each answer)."""
    part = body[body.index("<main") : body.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)


def drawn_then_kept(client, address: str, queries: int, why: str) -> str:
    """The page drawn (nothing kept yet), then asked again: kept, in `queries` queries, the
    same page but for the CSRF tokens. Returns the page as first drawn."""
    caches["fragments"].clear()
    caches["pages"].clear()
    caches["packs"].clear()
    drawn = client.get(address).content.decode()
    with CaptureQueriesContext(connection) as kept:
        again = client.get(address).content.decode()
    assert len(kept) == queries, why
    assert main(again) == main(drawn)
    return drawn


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:  # as a shell or the admin would: no service
        cursor.execute(statement, params)


def test_it_raises_the_revision_of_the_group_whose_records_change(
    group, other_group, commitment, analyst, coordinator
):
    theirs = factories.commitment(other_group)
    w = Watch(group, other_group)
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Met the regulator.",
        expected_version=commitment.version,
        status=Status.IN_PROGRESS,
    )
    assert w.raised() == [True, False]

    w = Watch(group, other_group)
    commitment.refresh_from_db()
    services.commitment_update(
        commitment=commitment,
        expected_version=commitment.version,
        actor=coordinator,
        title="Tighten precursor controls at the ports",
    )
    assert w.raised() == [True, False]

    w = Watch(group, other_group)
    factories.commitment(group)
    assert w.raised() == [True, False]

    w = Watch(group, other_group)
    theirs.refresh_from_db()
    services.commitment_update(
        commitment=theirs,
        expected_version=theirs.version,
        actor=factories.user("admin", is_superuser=True),
        lead_agencies=list(factories.lead_agencies()),
    )
    assert w.raised() == [False, True]


def test_a_visit_raises_nothing(client, group, commitment, analyst):
    signed_in(client, analyst)
    w = Watch(group)
    for name in ("commitments:group_dashboard", "commitments:sides"):
        assert client.get(url(name, group.slug)).status_code == 200
    assert w.raised() == [False]


def test_it_raises_it_for_a_change_made_in_plain_sql_to_every_source(
    group, other_group, commitment, analyst
):
    """Whatever makes the change: the triggers are the database's. A write of each kind to
    each table the pages are drawn from."""
    us, india = factories.lead_agencies()
    commitment.refresh_from_db()
    services.commitment_update(
        commitment=commitment,
        expected_version=commitment.version,
        actor=factories.user("admin", is_superuser=True),
        lead_agencies=[us, india],
    )
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Noted.", expected_version=2
    )
    factories.source_document(group)
    services.affiliation_set(user=analyst, agency=us)
    indicator = factories.indicator(group, commitment=commitment)
    services.measurement_record(
        indicator=indicator,
        period_end=datetime.date(2026, 6, 30),
        value=3,
        entered_by=analyst,
    )
    # What the briefing pack shows besides: a snapshot, and a review with a score.
    snapshot = services.snapshot_take(working_group=group)
    review = services.compliance_review_create(
        working_group=group, meeting=factories.meeting(group)
    )
    review.commitments.add(commitment)
    services.compliance_score_create(
        review=review, commitment=commitment, party=us.party, score=1, rationale="Seen."
    )
    writes = {
        "commitments_commitment": [
            ("UPDATE commitments_commitment SET title = %s WHERE id = %s", ["T", commitment.pk]),
        ],
        "commitments_followup": [
            (
                "UPDATE commitments_followup SET external_reference = %s WHERE commitment_id = %s",
                ["REF-1", commitment.pk],
            ),
        ],
        "commitments_tally": [
            ("UPDATE commitments_tally SET n = n WHERE working_group_id = %s", [group.pk]),
        ],
        "commitments_commitment_lead_agencies": [
            (
                "DELETE FROM commitments_commitment_lead_agencies "
                "WHERE commitment_id = %s AND agency_id = %s",
                [commitment.pk, india.pk],
            ),
            (
                "INSERT INTO commitments_commitment_lead_agencies (commitment_id, agency_id) "
                "VALUES (%s, %s)",
                [commitment.pk, india.pk],
            ),
        ],
        "commitments_agency": [
            ("UPDATE commitments_agency SET acronym = %s WHERE id = %s", ["ONDCP2", us.pk]),
        ],
        "commitments_party": [
            (
                "UPDATE commitments_party SET name = %s WHERE id = %s",
                ["India (MHA)", india.party_id],
            ),
        ],
        "auth_user": [
            ("UPDATE auth_user SET last_name = %s WHERE id = %s", ["Lindqvist", analyst.pk]),
        ],
        "commitments_affiliation": [
            (
                "UPDATE commitments_affiliation SET agency_id = %s WHERE user_id = %s",
                [india.pk, analyst.pk],
            ),
        ],
        "commitments_sourcedocument": [
            (
                "UPDATE commitments_sourcedocument SET title = %s WHERE working_group_id = %s",
                ["Joint statement (revised)", group.pk],
            ),
        ],
        "commitments_indicator": [
            (
                "UPDATE commitments_indicator SET unit = %s WHERE id = %s",
                ["seizures", indicator.pk],
            ),
        ],
        "commitments_measurement": [
            (
                "UPDATE commitments_measurement SET note = %s WHERE indicator_id = %s",
                ["Checked.", indicator.pk],
            ),
            ("DELETE FROM commitments_measurement WHERE indicator_id = %s", [indicator.pk]),
        ],
        "commitments_snapshot": [
            ("UPDATE commitments_snapshot SET label = %s WHERE id = %s", ["Renamed", snapshot.pk]),
        ],
        "commitments_snapshotrow": [
            (
                "UPDATE commitments_snapshotrow SET title = %s WHERE snapshot_id = %s",
                ["T", snapshot.pk],
            ),
        ],
        "commitments_compliancereview": [
            (
                "UPDATE commitments_compliancereview SET opened_at = %s WHERE id = %s",
                [datetime.datetime(2026, 1, 22, tzinfo=datetime.UTC), review.pk],
            ),
        ],
        "commitments_compliancescore": [
            (
                "UPDATE commitments_compliancescore SET score = 0 WHERE review_id = %s",
                [review.pk],
            ),
        ],
        "commitments_compliancereview_commitments": [
            (
                "DELETE FROM commitments_compliancereview_commitments "
                "WHERE compliancereview_id = %s",
                [review.pk],
            ),
        ],
    }
    assert set(writes) == set(RECORDS_SOURCES)
    for table, statements in writes.items():
        for statement, params in statements:
            w = Watch(group, other_group)
            try:
                sql(statement, params)
            except Exception as error:  # an append-only table may refuse the write itself
                pytest.fail(f"{table}: {error}")
            assert w.raised() == [True, False], statement


def test_it_raises_it_once_for_a_statement_of_many_rows_on_postgresql(group):
    for _ in range(5):
        factories.commitment(group)
    before = revision(group)
    sql(
        "UPDATE commitments_commitment SET priority = priority WHERE working_group_id = %s",
        [group.pk],
    )
    raised = revision(group) - before
    # PostgreSQL: one statement trigger over its transition table; SQLite: one per row.
    assert raised == (1 if connection.vendor == "postgresql" else 5)


def test_it_has_the_triggers_of_every_source_in_the_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname LIKE 'records_changed_%'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'records_%'"
            )
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == set(RECORDS_SOURCES)


# --------------------------------------------------------------------------- the kept pages


def read_group(user, group):
    """The group as the pages read it: with both revisions."""
    return access.get_group_for_user(user, group.slug).group


def test_the_key_holds_both_revisions_and_the_day(group, analyst):
    read = read_group(analyst, group)
    key = selectors.page_key(group=read)
    # Both revisions as stored, read with the group (no query of their own).
    catalogue = CatalogueRevision.objects.get(working_group_id=group.pk).revision
    assert (read.catalogue_revision, read.records_revision or 0) == (catalogue, revision(group))
    assert key is not None and catalogue in key and revision(group) in key
    today = datetime.date(2026, 12, 6)
    assert selectors.page_key(group=read, today=today) != selectors.page_key(
        group=read, today=today + datetime.timedelta(days=1)
    )
    factories.commitment(group)  # a record: the records revision moves
    after_commitment = selectors.page_key(group=read_group(analyst, group))
    assert after_commitment != key
    records = revision(group)
    factories.action_area(group, "SC", name="Supply chain")  # the catalogue only
    assert revision(group) == records
    assert selectors.page_key(group=read_group(analyst, group)) != after_commitment


def test_it_keeps_nothing_for_a_group_read_without_its_revisions_or_inside_a_transaction(
    group, analyst
):
    assert selectors.page_key(group=WorkingGroup.objects.get(pk=group.pk)) is None

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        assert selectors.page_key(group=read_group(analyst, group)) is None
        raise Undo


@pytest.mark.parametrize("page", ["commitments:group_dashboard", "commitments:sides"])
def test_a_kept_page_costs_three_queries_and_shows_each_change_at_once(
    client, group, analyst, page
):
    us, _ = factories.lead_agencies()
    c = factories.commitment(group, title="Share seizure data", lead_agencies=[us])
    factories.commitment(group, title="Train port officers", lead_agencies=[us])
    signed_in(client, analyst)
    address = url(page, group.slug)
    first = drawn_then_kept(client, address, 3, "session, user, group with role and revisions")

    # A follow-up through the page, as an analyst makes one.
    response = client.post(
        url("commitments:follow_up_create", group.slug, c.reference),
        {
            "version": c.version,
            "note": "Data shared with NCB.",
            "status": Status.COMPLETED,
            "occurred_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    body = client.get(address).content.decode()
    if page == "commitments:group_dashboard":
        assert "Data shared with NCB." not in first
        assert "Data shared with NCB." in body  # the feed
    else:
        assert "Share seizure data" in first
        assert "Share seizure data" not in body  # completed: no longer among the open ones

    # Names the page shows, changed in plain SQL: the lead agency, the author.
    sql("UPDATE commitments_agency SET acronym = %s WHERE id = %s", ["ONDCP-X", us.pk])
    sql(
        "UPDATE auth_user SET first_name = %s, last_name = %s WHERE id = %s",
        ["Ana", "Lind", analyst.pk],
    )
    body = client.get(address).content.decode()
    if page == "commitments:group_dashboard":
        assert "Ana Lind" in body
    else:
        assert "ONDCP-X" in body


def test_each_role_has_its_own_dashboard(client, group, analyst, coordinator, commitment):
    caches["fragments"].clear()
    caches["pages"].clear()
    address = url("commitments:group_dashboard", group.slug)
    signed_in(client, coordinator)
    assert "Record a meeting" in client.get(address).content.decode()
    client.logout()
    signed_in(client, analyst)
    body = client.get(address).content.decode()
    assert "Record a meeting" not in body
    assert "your role: Analyst" in body


def test_the_tallies_a_kept_dashboard_shows_are_those_of_the_database(client, group, analyst):
    """A tally changed behind the services' back (a rebuild) shows at once too."""
    factories.commitment(group)
    signed_in(client, analyst)
    address = url("commitments:group_dashboard", group.slug)
    assert '1</span> <span class="stat__label">commitment<' in client.get(address).content.decode()
    Tally.objects.filter(working_group=group).update(n=0, total=0)
    assert Commitment.objects.filter(working_group=group).count() == 1
    body = client.get(address).content.decode()
    assert '0</span> <span class="stat__label">commitments<' in body


def test_the_commitment_page_keeps_its_parts_and_shows_each_change_at_once(
    client, group, analyst, viewer, coordinator
):
    document = factories.source_document(group, title="Joint statement")
    c = factories.commitment(group, title="Share seizure data", source_document=document)
    indicator = factories.indicator(group, "Seizures shared", commitment=c)
    page = url("commitments:commitment_detail", group.slug, c.reference)
    signed_in(client, analyst)
    first = drawn_then_kept(client, page, 4, "session, user, group, the commitment")
    assert "Log a follow-up" in first

    services.measurement_record(
        indicator=indicator, period_end=datetime.date(2026, 6, 30), value=42, entered_by=analyst
    )
    assert "42" in main(client.get(page).content.decode())
    services.follow_up_record(
        commitment=c, author=coordinator, note="Agreed a format.", expected_version=c.version
    )
    assert "Agreed a format." in client.get(page).content.decode()
    sql(
        "UPDATE commitments_sourcedocument SET title = %s WHERE id = %s",
        ["Joint statement of 21 January", document.pk],
    )
    assert "Joint statement of 21 January" in client.get(page).content.decode()

    # A viewer's page has no form, and says so nowhere it was kept for the analyst.
    client.logout()
    signed_in(client, viewer)
    body = client.get(page).content.decode()
    assert "Log a follow-up" not in body
    assert "Log the first one" not in body


def test_the_list_keeps_its_results_per_query_and_asker_and_shows_each_change_at_once(
    client, group, analyst
):
    other = factories.member(group, Role.ANALYST, "bo")
    mine = factories.commitment(group, title="Ana first item", owner=analyst)
    theirs = factories.commitment(group, title="Bo second item", owner=other)
    listing = url("commitments:commitment_list", group.slug)
    signed_in(client, analyst)
    first = drawn_then_kept(client, listing, 3, "session, user, group with role and revisions")
    assert "Ana first item" in first and "Bo second item" in first

    # Another query is another piece; "mine" is the asker's own.
    searched = client.get(listing + "?q=second").content.decode()
    assert "Bo second item" in searched and "Ana first item" not in searched
    assert "Ana first item" in client.get(listing + "?mine=on").content.decode()
    client.logout()
    signed_in(client, other)
    body = client.get(listing + "?mine=on").content.decode()
    assert "Bo second item" in body and "Ana first item" not in body

    # A change through the list's own status control shows at once, to everyone.
    response = client.post(
        url("commitments:commitment_status", group.slug, mine.reference),
        {"version": mine.version, f"status-{mine.reference}": "stalled", "next": listing},
    )
    assert response.status_code == 302
    row = client.get(listing + "?status=stalled").content.decode()
    assert "Ana first item" in row and "Bo second item" not in row
    assert theirs.reference not in row


def test_the_kept_forms_are_each_askers_own(client, group, analyst, commitment):
    """The measurement form proposes the asker's own side; a correction link's form says which
    entry it corrects; each is kept apart."""
    us, india = factories.lead_agencies()
    services.affiliation_set(user=analyst, agency=us)
    indian = factories.member(group, Role.ANALYST, "ravi")
    services.affiliation_set(user=indian, agency=india)
    factories.indicator(group, "Seizures shared", commitment=commitment)
    entry = services.follow_up_record(
        commitment=commitment, author=analyst, note="Met the regulator.", expected_version=1
    )
    page = url("commitments:commitment_detail", group.slug, commitment.reference)
    caches["fragments"].clear()
    caches["pages"].clear()

    def proposed_side(body: str) -> str:
        field = body[body.index('name="reported_by"') :]
        return re.search(r'<option value="(\d+)" selected', field).group(1)

    for user, side in ((analyst, us.party_id), (indian, india.party_id), (analyst, us.party_id)):
        client.logout()
        signed_in(client, user)
        for _ in range(2):  # drawn, then kept
            body = client.get(page).content.decode()
            assert proposed_side(body) == str(side)
            assert "You are correcting" not in body
    correcting = client.get(f"{page}?corrects={entry.pk}").content.decode()
    assert "You are correcting" in correcting
    assert f'name="corrects" value="{entry.pk}"' in correcting
    assert "You are correcting" not in client.get(page).content.decode()


def test_the_indicator_page_is_kept_and_shows_each_change_at_once(
    client, group, analyst, viewer, commitment
):
    indicator = factories.indicator(group, "Seizures shared", commitment=commitment)
    first = services.measurement_record(
        indicator=indicator, period_end=datetime.date(2026, 3, 31), value=7, entered_by=analyst
    )
    page = url("commitments:indicator_detail", group.slug, indicator.pk)
    signed_in(client, analyst)
    drawn = drawn_then_kept(client, page, 4, "session, user, group, the indicator")
    assert "Record a value" in drawn

    services.measurement_record(
        indicator=indicator, period_end=datetime.date(2026, 6, 30), value=19, entered_by=analyst
    )
    assert "19" in main(client.get(page).content.decode())
    correcting = client.get(f"{page}?correct={first.pk}").content.decode()
    assert "Correct the value of 31 Mar 2026" in correcting
    for nothing in ("999999999", "abc", "-1", ""):  # no value of this indicator: no form
        response = client.get(f"{page}?correct={nothing}")
        assert response.status_code == 200, nothing
        assert "Correct the value of" not in response.content.decode()
    assert "Correct the value of" not in client.get(page).content.decode()

    client.logout()
    signed_in(client, viewer)
    assert "Record a value" not in client.get(page).content.decode()


def test_the_migration_builds_its_triggers_from_a_copy_of_the_sources():
    """A change to RECORDS_SOURCES needs a migration of its own (the triggers are built by one):
    each migration's copy of the sources it added, together, are the sources now."""
    copies = {}
    for name in ("0016_records_revision", "0018_records_revision_outcomes"):
        added = importlib.import_module(f"commitments.migrations.{name}").SOURCES
        assert not set(added) & set(copies), name
        copies.update(added)
    assert copies == RECORDS_SOURCES


def test_an_authors_new_agency_shows_at_once_on_the_kept_timeline(
    client, group, analyst, coordinator, commitment
):
    us, india = factories.lead_agencies()
    services.affiliation_set(user=coordinator, agency=us)
    services.follow_up_record(
        commitment=commitment, author=coordinator, note="Called DEA.", expected_version=1
    )
    page = url("commitments:commitment_detail", group.slug, commitment.reference)
    signed_in(client, analyst)
    assert f"{us.acronym} (United States)" in client.get(page).content.decode()
    services.affiliation_set(user=coordinator, agency=india)
    body = client.get(page).content.decode()
    assert f"{india.acronym} (India)" in body
    assert f"{us.acronym} (United States)" not in body


def test_the_briefing_pack_is_kept_and_shows_each_change_at_once(
    client, group, viewer, analyst, coordinator, settings
):
    """Kept under the page key, the meeting, the classification line and the day: what the pack
    shows besides the other pages (snapshots, compliance reviews) raises the records revision
    too. A pack larger than the cache keeps is drawn each time."""
    us, india = factories.lead_agencies()
    services.working_group_update(working_group=group, lead_agencies=[us, india])
    c = factories.commitment(group, title="Share seizure data", lead_agencies=[us])
    signed_in(client, viewer)
    address = url("reports:briefing", group.slug)
    drawn = drawn_then_kept(client, address, 3, "session, user, group")
    assert "Share seizure data" in drawn and "No snapshot yet" in drawn

    def page(query: str = "") -> str:
        return client.get(address + query).content.decode()

    services.follow_up_record(
        commitment=c, author=analyst, note="Met the regulator.", expected_version=c.version
    )
    assert "Met the regulator." in page()
    services.snapshot_take(working_group=group, label="Before the meeting")
    assert "Before the meeting" in page()
    review = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(number=1), actor=coordinator
    )
    acc = access.access_for(coordinator, group)
    score = services.compliance_score_propose(
        review=review, commitment=c, party=us.party, score=1, rationale="Seen",
        actor=coordinator, actor_access=acc,
    )  # fmt: skip
    services.compliance_score_confirm(compliance_score=score, actor=coordinator, actor_access=acc)
    assert "No compliance review has been closed yet." in page()
    services.compliance_review_close(review=review, actor=coordinator)
    assert 'id="compliance-table"' in page()

    # Each meeting and classification line has its own; the kept "now" is still "now".
    for_meeting = page("?meeting=1&classification=Sensitive")
    assert "Briefing for meeting 1" in for_meeting
    assert '<p class="pack-classification">Sensitive</p>' in for_meeting
    assert "The state of the record now" in page() and "Sensitive</p>" not in page()

    # Each part has its own.
    late = timezone.localdate() - datetime.timedelta(days=5)
    factories.commitment(group, title="Train customs officers", due_date=late)  # overdue: first
    settings.BRIEFING_PART_SIZE = 1
    assert "Train customs officers" in page() and "Share seizure data" not in page()
    assert "Share seizure data" in page("?part=2") and "Train customs" not in page("?part=2")
    settings.BRIEFING_PART_SIZE = 1_000

    settings.MEMO_LARGEST_PIECE = {"packs": 1_000}
    caches["packs"].clear()
    page()
    with CaptureQueriesContext(connection) as again:
        page()
    assert len(again) > 3, "too large to keep: drawn again"
