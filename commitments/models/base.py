"""What every model module shares: the choices check, the web address field, and the history
of a model whose many-to-many rows a service already read."""

from __future__ import annotations

import functools

from django.db import models
from django.db.models import Q
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)

from ..rules import http_url_validator


def choices_check(field: str, choices: type[models.TextChoices], name: str):
    """A CheckConstraint that the database uses to refuse a value outside `choices`."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class HttpURLField(models.URLField):
    """A web address (http or https). Only our validator: URLField's own would check the same
    address again and give a second message for one mistake."""

    default_validators = [http_url_validator]


class _HistoryManager(HistoryManager):
    """django-simple-history's manager of history rows, except that the class it makes of
    itself and a queryset class is made once. The library's descriptor (`instance.history`)
    makes a new one on every access (`from_queryset`: a new class, its methods copied by
    `inspect`), and every history record it writes starts with that access, twice on each
    follow-up."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class History(HistoricalRecords):
    """The history of our models (django-simple-history's `HistoricalRecords`, with the manager
    above). tests/test_history_records.py checks every model with a history uses it."""

    def __init__(self, *args, history_manager=_HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)


class HistoricalRecordsKnowingRelations(History):
    """django-simple-history's records of a model with `m2m_fields`, except that a service
    that already read the instance's rows of those fields, under the instance's lock, hands
    them over (`known_relations`) and the next history record copies them as given. The
    library itself reads the instance back (for its excluded fields) and then its rows: two
    queries on every save, though a follow-up changes no relation."""

    def create_historical_record_m2ms(self, history_instance, instance):
        known = instance.__dict__.pop("_known_relations", None)
        if known is None:
            return super().create_historical_record_m2ms(history_instance, instance)
        for field in history_instance._history_m2m_fields:
            model = self.m2m_models[field]
            rows = [model(history=history_instance, **values) for values in known[field.name]]
            signal = {"history_instance": history_instance, "instance": instance, "field": field}
            pre_create_historical_m2m_records.send(sender=model, rows=rows, **signal)
            created = model.objects.bulk_create(rows)
            post_create_historical_m2m_records.send(sender=model, created_rows=created, **signal)
        return None


def known_relations(instance: models.Model, **rows: list[dict]) -> None:
    """Hand the next history record of `instance` its many-to-many rows as stored, by field
    name: each row the through model's values by attname ({"id": …, "agency_id": …}). Used
    by that one save only; the caller holds the lock that keeps them true until it commits."""
    instance.__dict__["_known_relations"] = rows
