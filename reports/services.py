"""Every write of the reports app: members' feed and digest settings, and digest deliveries.
Keyword-only, atomic; the domain's records are never written here."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments import services as domain

from . import imports
from .models import DigestDelivery, DigestState, ImportBatch, MemberSettings


def _settings_for_update(user) -> MemberSettings:
    MemberSettings.objects.get_or_create(user=user)
    return MemberSettings.objects.select_for_update().get(user=user)


@transaction.atomic
def calendar_feed_start(*, user) -> MemberSettings:
    """Turn the member's feed on (keeps the address it has if it is already on)."""
    member = _settings_for_update(user)
    if not member.calendar_key:
        member.calendar_key = secrets.token_hex(16)
        member.save(update_fields=["calendar_key", "updated_at"])
    return member


@transaction.atomic
def calendar_feed_reset(*, user) -> MemberSettings:
    """A new address; the old one stops working at once (404)."""
    member = _settings_for_update(user)
    member.calendar_key = secrets.token_hex(16)
    member.save(update_fields=["calendar_key", "updated_at"])
    return member


@transaction.atomic
def calendar_feed_stop(*, user) -> MemberSettings:
    member = _settings_for_update(user)
    member.calendar_key = ""
    member.save(update_fields=["calendar_key", "updated_at"])
    return member


@transaction.atomic
def digest_subscription_set(*, user, subscribed: bool) -> MemberSettings:
    member = _settings_for_update(user)
    member.digest = subscribed
    member.save(update_fields=["digest", "updated_at"])
    return member


def digest_claim(*, user, week: datetime.date, since: datetime.datetime) -> DigestDelivery | None:
    """Claim this member's digest for this week, before sending it. None when it is already
    claimed (sent, being sent by another run, or failed: a failed week is not retried
    automatically, so nobody gets it twice)."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(user=user, week=week, since=since)
    except IntegrityError:
        return None


@transaction.atomic
def digest_delivered(*, delivery: DigestDelivery) -> DigestDelivery:
    delivery.state = DigestState.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["state", "sent_at"])
    return delivery


@transaction.atomic
def digest_failed(*, delivery: DigestDelivery, error: str) -> DigestDelivery:
    delivery.state = DigestState.FAILED
    delivery.error = error[:300]
    delivery.save(update_fields=["state", "error"])
    return delivery


# --------------------------------------------------------------------------- imports


class ImportRefused(Exception):
    """Nothing was written; `plan` says what is wrong with which row."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__("The import was refused; nothing was written.")


def import_batch_create(*, group, actor, filename: str, table) -> ImportBatch:
    """The dry run's record: the file's cells and the versions of the commitments it names."""
    plan = imports.plan(group=group, table=table)
    versions = {row.reference: row.version for row in plan.rows if row.commitment is not None}
    return ImportBatch.objects.create(
        working_group=group,
        uploaded_by=actor,
        filename=filename[:200],
        rows=[[number, cells] for number, cells in table.rows],
        versions=versions,
    )


def _table_of(batch: ImportBatch):
    rows = [(number, cells) for number, cells in batch.rows]
    headings = list(rows[0][1]) if rows else []
    return imports.Table(headings=headings, rows=rows)


def import_plan(*, batch: ImportBatch):
    return imports.plan(group=batch.working_group, table=_table_of(batch), versions=batch.versions)


@transaction.atomic
def import_apply(*, batch: ImportBatch, actor):
    """Write every row through the domain's services, in one transaction: all or nothing.
    Raises ImportRefused (nothing written) when any row is refused, now or by a service."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.applied_at is not None:
        raise ValueError("This file was imported already.")
    plan = import_plan(batch=batch)
    if not plan.ok:
        raise ImportRefused(plan)
    reason = f"Imported from {batch.filename}."
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        try:
            if row.action == "create":
                commitment = domain.commitment_create(
                    working_group=batch.working_group,
                    lead_agencies=row.lead_agencies or [],
                    actor=actor,
                    **row.create,
                )
            else:
                commitment = domain.commitment_update(
                    commitment=row.commitment,
                    expected_version=row.version,
                    actor=actor,
                    lead_agencies=row.lead_agencies,
                    reason=reason,
                    **row.update,
                )
            if row.follow_up:
                domain.follow_up_record(
                    commitment=commitment,
                    author=actor,
                    expected_version=commitment.version,
                    **row.follow_up,
                )
        except (ValidationError, domain.ConflictError) as error:
            messages = (
                imports.describe(error) if isinstance(error, ValidationError) else [str(error)]
            )
            row.errors.extend(messages)
            raise ImportRefused(plan) from error
    counts = plan.counts
    batch.applied_at = timezone.now()
    batch.summary = (
        f"{counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged"
    )
    batch.save(update_fields=["applied_at", "summary"])
    return plan
