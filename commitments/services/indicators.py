"""Indicators of a working group and their measurements."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Indicator, Measurement, Party, WorkingGroup
from . import base


@transaction.atomic
def indicator_ensure(
    *, working_group: WorkingGroup, name: str, actor=None, **fields: Any
) -> tuple[Indicator, bool]:
    return base.ensure(
        Indicator,
        lookup={"working_group": working_group, "name": name},
        defaults=fields,
        actor=actor,
    )


@transaction.atomic
def indicator_create(*, actor=None, **fields: Any) -> Indicator:
    return base.create(Indicator, actor=actor, **fields)


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor=None, **changes: Any) -> Indicator:
    return base.update(indicator, actor=actor, **changes)[0]


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor=None) -> None:
    base.delete(indicator, actor=actor)


def _same_group(indicator: Indicator, working_group: WorkingGroup | None) -> None:
    if working_group is not None and indicator.working_group_id != working_group.pk:
        raise ValidationError({"indicator": "This indicator belongs to another working group."})


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    period_end: datetime.date,
    value,
    note: str = "",
    evidence_url: str = "",
    reported_by: Party | None = None,
    entered_by=None,
    working_group: WorkingGroup | None = None,
) -> Measurement:
    """A new value of the indicator for the period ending `period_end`, entered by the user.

    Refused, with the message on the field and nothing written: an indicator of another working
    group than `working_group` (when the caller names the group it acts in), a period in the
    future (`rules.not_in_future`), a period that already has a value (the unique constraint),
    a side that is not a party of the group, a value that is not a number."""
    _same_group(indicator, working_group)
    return base.save(
        Measurement(
            indicator=indicator,
            period_end=period_end,
            value=value,
            note=note,
            evidence_url=evidence_url,
            reported_by=reported_by,
            entered_by=entered_by,
        ),
        actor=entered_by,
    )


CORRECTABLE = ("period_end", "value", "note", "evidence_url", "reported_by")


@transaction.atomic
def measurement_correct(
    *, measurement: Measurement, reason: str, actor, working_group=None, **changes: Any
) -> Measurement:
    """Correct a recorded value (or its period, note, evidence, side). The row keeps its
    history: simple-history stores the values before, who corrected them, when, and `reason`
    (required) as the change reason, and the indicator's page lists them."""
    _same_group(measurement.indicator, working_group)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"Not correctable: {sorted(unknown)}")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the value is corrected."})
    locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
    locked._change_reason = reason.strip()[:100]
    corrected, changed = base.update(locked, actor=actor, **changes)
    if not changed:
        raise ValidationError({"value": "Nothing to correct: the values are the same."})
    return corrected


@transaction.atomic
def measurement_create(*, actor=None, **fields: Any) -> Measurement:
    """`measurement_record` for the admin: the acting user entered it."""
    return measurement_record(entered_by=actor, **fields)


@transaction.atomic
def measurement_update(*, measurement: Measurement, actor=None, **changes: Any) -> Measurement:
    return base.update(measurement, actor=actor, **changes)[0]


@transaction.atomic
def measurement_delete(*, measurement: Measurement, actor=None) -> None:
    base.delete(measurement, actor=actor)
