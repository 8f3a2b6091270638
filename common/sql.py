"""`CompiledQuery`: a queryset whose SQL the ORM builds once per database, then run with new
values. Building a queryset costs Django's ORM about as much as a simple query costs the
database: for a query on every page (the access check reads the group, the user's role and
side and the catalogue's revision with three subqueries: 1.7 ms to build, 0.1 ms to run on
SQLite) it is worth building once.

    AREAS = CompiledQuery(
        lambda name, ids: ActionArea.objects.filter(name=name, pk__in=ids),
        name="\\x00name", ids=Many(-7_000_000_100),
    )
    areas = list(AREAS.raw(name="Precursors", ids=[3, 4]))  # models (a RawQuerySet)
    pairs = AREAS_VALUES.rows(...)                            # tuples, as the driver gives them

Each keyword names a *sentinel*, a value the queryset cannot otherwise hold; wherever the
compiled SQL's parameters hold it, the value given for that name goes. `Many(start)` stands
for a list (start, start - 1, ... as sentinels): the SQL is built once per length. The SQL is
the ORM's own for the database in use (SQLite, PostgreSQL), so it says what the queryset says.
A date sentinel may stand for a date the SQL holds as text (SQLite). `SHAPE` marks a value the
SQL holds in its text (OFFSET, LIMIT): built once per value, at most KEEP kept.
`rows()` skips the ORM's conversions: a date or a decimal comes as the driver gives it (text
on SQLite); `raw()` gives models of the queryset's model, converted; `models()` gives them as
the queryset would, with their select_related objects.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, RawQuerySet


@dataclass(frozen=True)
class Many:
    """A list of sentinels, `start`, `start - 1`, ..., one per value given."""

    start: int

    def values(self, n: int) -> list[int]:
        return [self.start - i for i in range(n)]


class Shape:
    """A value the SQL holds as part of its text (a slice's OFFSET and LIMIT): the SQL is
    built once per value given."""


SHAPE = Shape()
# Built SQL kept per query at most (page numbers are many; the first few are asked most).
KEEP = 64


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **sentinels):
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[tuple, tuple] = {}

    def _compile(self, shape: dict) -> tuple:
        stand_ins, names = {}, {}
        for name, sentinel in self.sentinels.items():
            if isinstance(sentinel, Shape):
                stand_ins[name] = shape[name]
            elif isinstance(sentinel, Many):
                stand_ins[name] = sentinel.values(shape[name])
                names.update({_key(v): (name, i) for i, v in enumerate(stand_ins[name])})
            else:
                stand_ins[name] = sentinel
                names[_key(sentinel)] = (name, None)
                if isinstance(sentinel, datetime.date):  # SQLite's SQL holds it as text
                    names[_key(sentinel.isoformat())] = (name, "iso")
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        slots = [names.get(_key(param)) for param in params]
        used = {slot[0] for slot in slots if slot}
        missing = {
            name
            for name, sentinel in self.sentinels.items()
            if name not in used and not isinstance(sentinel, Shape) and shape.get(name, 1)
        }
        if missing:
            raise ValueError(f"The compiled query does not use {sorted(missing)}.")
        return queryset.model, sql, list(params), slots, compiler

    def _prepared(self, values: dict) -> tuple:
        shape = {
            name: len(values[name]) if isinstance(sentinel, Many) else values[name]
            for name, sentinel in self.sentinels.items()
            if isinstance(sentinel, Many | Shape)
        }
        # Per thread too: a compiler belongs to its thread's connection (gthread workers).
        key = (connection.vendor, threading.get_ident(), *sorted(shape.items()))
        compiled = self._compiled.get(key)
        if compiled is None:
            if len(self._compiled) >= KEEP:
                self._compiled.clear()
            compiled = self._compiled[key] = self._compile(shape)
        model, sql, params, slots, compiler = compiled
        given = [
            param if slot is None else _given(values, *slot)
            for param, slot in zip(params, slots, strict=True)
        ]
        return model, sql, given, compiler

    def raw(self, **values) -> RawQuerySet:
        """Models of the queryset's own model only (a RawQuerySet: no select_related)."""
        model, sql, params, _ = self._prepared(values)
        return model._default_manager.raw(sql, params)

    def models(self, **values) -> list:
        """Models with what the queryset selects with them (select_related, annotations),
        converted as the ORM would: Django's own ModelIterable over the compiled SQL's rows."""
        model, sql, params, compiler = self._prepared(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        answered = copy.copy(compiler)
        answered.execute_sql = lambda *args, **kwargs: [rows]
        stand_in = SimpleNamespace(
            db=DEFAULT_DB_ALIAS,
            model=model,
            query=SimpleNamespace(get_compiler=lambda using=None: answered),
            _known_related_objects={},
        )
        return list(ModelIterable(stand_in))

    def rows(self, **values) -> list[tuple]:
        _, sql, params, _ = self._prepared(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _given(values: dict, name: str, where):
    value = values[name]
    if where is None:
        return value
    if where == "iso":
        return value.isoformat()
    return value[where]


def _key(value):
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)
