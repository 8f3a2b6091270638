"""Rules that several doors into the domain apply: each is defined here once and reused by the
models (field validators, clean), the services (through full_clean) and the forms."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

http_url_validator = URLValidator(schemes=["http", "https"])


def not_in_future(value: datetime.date | None) -> None:
    """A date something happened cannot be after today."""
    if value is not None and value > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="future")


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


def json_without_nul(value) -> None:
    """JSON without a NUL character in any key or string: PostgreSQL's jsonb refuses \\u0000,
    which would otherwise be a server error instead of a message at the field."""
    if _contains_nul(value):
        raise ValidationError(
            "Remove the NUL character (\\u0000): it cannot be stored.", code="nul"
        )
