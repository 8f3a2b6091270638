"""How many times each working group's *catalogue* has changed: its action areas, meetings,
sides, their agencies, its co-leads and its members' names. Pages read these on every request
(the list's filters, the dashboard); `selectors.catalogue` keeps them in memory under the
group and this number, so they are read from the database only after a change.

The number is kept by the database itself: triggers (migration 0014) on every table the
catalogue comes from add one to it in the same transaction as the change, whatever makes it
(services, the admin, a shell, SQL). No Django code writes this table; the group's read
(`access.get_group_for_user`) brings the number with it, so it costs no query.
"""

from __future__ import annotations

from django.db import models

# The tables the catalogue is read from: for each, the writes that change it (an UPDATE only
# when one of the columns named changes; None: any column) and the working groups a row belongs
# to, as SQL over the row (`{row}` is NEW or OLD) selecting them as `g`. Migration 0014 builds
# its triggers from a copy of this (a change here needs a new migration); tests/test_catalogue.py
# makes each kind of write and checks the number.
ALL_WRITES = ("INSERT", "UPDATE", "DELETE")
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, str]] = {
    "commitments_actionarea": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_meeting": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_membership": (
        ALL_WRITES,
        ("user_id", "working_group_id"),
        "SELECT {row}.working_group_id AS g",
    ),
    "commitments_workinggroup_parties": (ALL_WRITES, None, "SELECT {row}.workinggroup_id AS g"),
    "commitments_workinggroup_lead_agencies": (
        ALL_WRITES,
        None,
        "SELECT {row}.workinggroup_id AS g",
    ),
    "commitments_party": (
        ALL_WRITES,
        None,
        "SELECT workinggroup_id AS g FROM commitments_workinggroup_parties "
        "WHERE party_id = {row}.id",
    ),
    "commitments_agency": (
        ALL_WRITES,
        None,
        "SELECT workinggroup_id AS g FROM commitments_workinggroup_parties "
        "WHERE party_id = {row}.party_id",
    ),
    # A new account belongs to no group yet; a deleted one's memberships go first.
    "auth_user": (
        ("UPDATE",),
        ("username", "first_name", "last_name", "is_active"),
        "SELECT working_group_id AS g FROM commitments_membership WHERE user_id = {row}.id",
    ),
}


class CatalogueRevision(models.Model):
    """One row per working group whose catalogue has changed at least once (no row: 0)."""

    working_group_id = models.BigIntegerField(primary_key=True)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        # A plain id, not a foreign key: the row is the database's own bookkeeping, written by
        # triggers only; a group's deletion leaves it behind harmlessly (ids are not reused).
        default_permissions = ()

    def __str__(self) -> str:
        return f"Group {self.working_group_id}: catalogue revision {self.revision}"


# --------------------------------------------------------------------------- records

# The groups whose pages show some people's names (with their agency and side): what they
# wrote, own, entered or corrected there, and where they are members. USERS: SQL selecting
# their ids.
PEOPLE = (
    "SELECT working_group_id AS g FROM commitments_followup WHERE author_id IN (USERS) "
    "UNION SELECT working_group_id AS g FROM commitments_commitment WHERE owner_id IN (USERS) "
    "UNION SELECT i.working_group_id AS g FROM commitments_measurement AS m "
    "JOIN commitments_indicator AS i ON i.id = m.indicator_id WHERE m.entered_by_id IN (USERS) "
    "UNION SELECT i.working_group_id AS g FROM commitments_historicalmeasurement AS h "
    "JOIN commitments_indicator AS i ON i.id = h.indicator_id "
    "WHERE h.history_user_id IN (USERS) "
    "UNION SELECT working_group_id AS g FROM commitments_membership WHERE user_id IN (USERS)"
)

# How many times each group's *records* have changed: its commitments, their lead agencies,
# their log and the tallies kept of them, their source documents, indicators and values, its
# snapshots and compliance reviews, and the names its pages show (authors of its follow-ups,
# owners of its commitments, lead agencies and their sides). Pages made only of these, the
# catalogue and the day (the dashboard, the per-side view, the commitment page but its forms,
# the briefing pack) are kept under both numbers (`selectors.page_key`), so they are drawn
# once after each change. Kept like the catalogue's number: by triggers, in the same
# transaction as the write, whatever makes it (migrations 0016 and 0018, each from a copy of
# the sources it added; tests/test_records_revision.py makes each kind of write). On
# PostgreSQL a statement is one raise whatever the rows it wrote (statement triggers with
# transition tables), so bulk loads stay fast; on SQLite each row raises it.
RECORDS_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, str]] = {
    "commitments_commitment": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_followup": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_tally": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_commitment_lead_agencies": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_commitment WHERE id = {row}.commitment_id",
    ),
    # What the commitment page shows besides: its source document, indicators and their values.
    "commitments_sourcedocument": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_indicator": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_measurement": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_indicator WHERE id = {row}.indicator_id",
    ),
    # What a page shows of an agency or a side (acronym, name) wherever it shows them: as a
    # lead agency, and with people's names ("A. Sharma, NCB (India)"), whether or not the side
    # is one of the group's (the catalogue's number covers those).
    "commitments_agency": (
        ALL_WRITES,
        None,
        "SELECT c.working_group_id AS g FROM commitments_commitment_lead_agencies AS la "  # noqa: S608 (our SQL)
        "JOIN commitments_commitment AS c ON c.id = la.commitment_id "
        "WHERE la.agency_id = {row}.id UNION "
        + PEOPLE.replace(
            "USERS", "SELECT user_id FROM commitments_affiliation WHERE agency_id = {row}.id"
        ),
    ),
    "commitments_party": (
        ALL_WRITES,
        None,
        "SELECT c.working_group_id AS g FROM commitments_agency AS ag "  # noqa: S608 (our SQL)
        "JOIN commitments_commitment_lead_agencies AS la ON la.agency_id = ag.id "
        "JOIN commitments_commitment AS c ON c.id = la.commitment_id "
        "WHERE ag.party_id = {row}.id UNION "
        + PEOPLE.replace(
            "USERS",
            "SELECT a.user_id FROM commitments_affiliation AS a "
            "JOIN commitments_agency AS ag ON ag.id = a.agency_id WHERE ag.party_id = {row}.id",
        ),
    ),
    # A person's agency: shown with their name, and what the list's "mine" holds (led by it).
    "commitments_affiliation": (
        ALL_WRITES,
        None,
        PEOPLE.replace("USERS", "SELECT {row}.user_id"),
    ),
    "auth_user": (
        ("UPDATE",),
        ("username", "first_name", "last_name"),
        PEOPLE.replace("USERS", "SELECT {row}.id"),
    ),
    # What the briefing pack shows besides (migration 0018): the last snapshot (the statuses
    # then, what changed since) and the last closed compliance review (its commitments and
    # scores). Snapshots are append-only, but a shell could still write to them.
    "commitments_snapshot": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_snapshotrow": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_snapshot WHERE id = {row}.snapshot_id",
    ),
    "commitments_compliancereview": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_compliancereview_commitments": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_compliancereview "
        "WHERE id = {row}.compliancereview_id",
    ),
    "commitments_compliancescore": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_compliancereview WHERE id = {row}.review_id",
    ),
}


class RecordsRevision(models.Model):
    """One row per working group whose records have changed at least once (no row: 0)."""

    working_group_id = models.BigIntegerField(primary_key=True)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        default_permissions = ()  # the database's own bookkeeping, as CatalogueRevision

    def __str__(self) -> str:
        return f"Group {self.working_group_id}: records revision {self.revision}"
