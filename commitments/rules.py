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
