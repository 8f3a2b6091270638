"""Record imports: typed, checked access to the fields of one record, and the error format
every import reports in. Seeds (YAML) use it today; spreadsheet imports (CSV, XLSX) read rows
into the same `Fields` and report the same `RecordError`.

A `RecordError` names the file, the record (a YAML section and index, a spreadsheet row) and the
problem, e.g. ``seeds/x.yaml: commitments[3] DPEWG-1-PC-01: due_date: expected a date as
YYYY-MM-DD, got 'soon'``. What only the models can judge (lengths, constraints) comes back from
`full_clean()` and is reported the same way, through `messages_of`.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class RecordError(Exception):
    """A problem in an imported file: which file, which record, what is wrong."""

    def __init__(self, record: str, problem: str, path: Path | str | None = None):
        self.record, self.problem, self.path = record, problem, path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path is not None else ""
        return f"{where}{self.record}: {self.problem}"


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; put it in quotes if you meant text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Fields:
    """Typed, checked access to one record's fields; every message names the record."""

    def __init__(self, data: Any, label: str, allowed: set[str]):
        self.label = label
        if not isinstance(data, dict):
            raise RecordError(label, f"expected a mapping of fields, got {_shown(data)}")
        unknown = sorted(str(key) for key in data if key not in allowed and key != "note")
        if unknown:
            raise RecordError(
                label,
                f"unknown field {', '.join(map(repr, unknown))} "
                f"(allowed: {', '.join(sorted(allowed))}, note)",
            )
        self.data = data

    def error(self, problem: str) -> RecordError:
        return RecordError(self.label, problem)

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            raise self.error(f"missing field '{key}'")
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.error(f"{key}: expected text, got {_shown(value)}")
        value = value.strip()
        if required and not value:
            raise self.error(f"{key}: must not be empty")
        return value

    def choice(self, key: str, choices, *, default: str | None = None) -> str:
        value = self.text(key, required=default is None, default=default or "")
        if value not in choices.values:
            raise self.error(f"{key}: {value!r} is not one of {', '.join(choices.values)}")
        return value

    def integer(self, key: str, *, required: bool = True, default: int = 0) -> int:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key}: expected a whole number, got {_shown(value)}")
        return value

    def date(self, key: str, *, required: bool = True) -> datetime.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            raise self.error(f"{key}: expected a date as YYYY-MM-DD, got {_shown(value)}")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise self.error(f"{key}: {value!r} is not a valid date ({error})") from None

    def texts(self, key: str, *, required: bool = True) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{key}: expected a list, got {_shown(value)}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}: expected a list of words, found {_shown(item)}")
        return [item.strip() for item in value]

    def records(self, key: str, *, required: bool = False) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{key}: expected a list of records, got {_shown(value)}")
        return value

    def mapping(self, key: str, allowed: set[str], *, required: bool = True) -> Fields | None:
        value = self._get(key, required)
        if value is None:
            return None
        return Fields(value, f"{self.label} {key}", allowed)


def record_label(section: str, index: int, data: Any, key: str) -> str:
    ident = data.get(key) if isinstance(data, dict) else None
    shown = isinstance(ident, str | int) and not isinstance(ident, bool)
    return f"{section}[{index}] {ident}" if shown else f"{section}[{index}]"


def messages_of(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for name, messages in error.message_dict.items():
            text = " ".join(messages)
            parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
        return "; ".join(parts)
    return " ".join(error.messages)
