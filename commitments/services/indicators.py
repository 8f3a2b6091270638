"""Indicators of a working group and their measurements."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from ..models import Indicator, Measurement, WorkingGroup
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


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    period_end: datetime.date,
    value,
    note: str = "",
    entered_by=None,
) -> Measurement:
    """A new value of the indicator for the period ending `period_end`, entered by the user."""
    return base.save(
        Measurement(
            indicator=indicator,
            period_end=period_end,
            value=value,
            note=note,
            entered_by=entered_by,
        ),
        actor=entered_by,
    )


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
