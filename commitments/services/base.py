"""The write helpers every service is built from (HackSoft's `model_update` recipe).

Each validates with `full_clean()` before writing, so callers get a ValidationError with field
messages rather than an IntegrityError, attributes the history row to the acting user, and
raises the version of the groups whose pages show the row once the transaction commits
(`commitments.cache`). Callers hold a transaction: every public service is
`@transaction.atomic`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from .. import cache

M = TypeVar("M", bound=models.Model)


def save(instance: M, *, actor=None, exclude: Iterable[str] = ()) -> M:
    """Validate, attribute the history row to `actor`, and save."""
    instance.full_clean(exclude=list(exclude) or None)
    if actor is not None:
        instance._history_user = actor
    instance.save()
    cache.changed_for(instance)
    return instance


def ensure(model: type[M], *, lookup: dict[str, Any], defaults: dict[str, Any], actor):
    """The row matching `lookup`, or a new one with `defaults`: (row, created). Seeds and
    imports use this so a reload never overwrites what admins or analysts changed since."""
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None:
        return existing, False
    return save(model(**lookup, **defaults), actor=actor), True


def _split(model: type[models.Model], data: Mapping[str, Any]):
    m2m_names = {f.name for f in model._meta.many_to_many}
    fields = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return fields, m2m


def create(model: type[M], *, actor=None, **data: Any) -> M:
    """A new row from `data`; many-to-many values (iterables of rows) are set after the save."""
    fields, m2m = _split(model, data)
    instance = save(model(**fields), actor=actor)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    return instance


def update(instance: M, *, actor=None, **data: Any) -> tuple[M, bool]:
    """Change the fields of `data` that differ (many-to-many values included), validate and
    save; nothing is written when nothing differs. Returns (instance, changed)."""
    fields, m2m = _split(type(instance), data)
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, fields[name])
    m2m_changed = {
        name: values
        for name, values in m2m.items()
        if {obj.pk for obj in values} != set(getattr(instance, name).values_list("pk", flat=True))
    }
    if changed:
        save(instance, actor=actor)
    for name, values in m2m_changed.items():
        getattr(instance, name).set(values)
    if m2m_changed and not changed:
        cache.changed_for(instance)
    return instance, bool(changed or m2m_changed)


def delete(instance: models.Model, *, actor=None) -> None:
    """Delete the row (a PROTECTed reference raises ProtectedError), attributing the history
    row to `actor`."""
    if actor is not None:
        instance._history_user = actor
    cache.changed_for(instance)  # before: a deleted row no longer says its group
    instance.delete()
