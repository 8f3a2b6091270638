"""Every write of the reports app: members' feed and digest settings, and digest deliveries.
Keyword-only, atomic; the domain's records are never written here."""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DigestDelivery, DigestState, MemberSettings


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
