"""Rules that several doors into the domain apply: each is defined here once and reused by the
models (field validators, clean), the services (through full_clean) and the forms."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone

HTTP_URL_MESSAGE = "Use a web address starting with http:// or https://."
http_url_validator = URLValidator(schemes=["http", "https"], message=HTTP_URL_MESSAGE)

# No working group we track met before this day: an earlier date is a typing error (0001,
# 1900...), not history.
EARLIEST_DATE = datetime.date(2000, 1, 1)


def not_before_2000(value: datetime.date | None) -> None:
    """A date of the tracker's world is on or after 1 January 2000."""
    if value is not None and value < EARLIEST_DATE:
        raise ValidationError("The date cannot be before 1 January 2000.", code="too_early")


PROGRESS_MESSAGE = "Progress must be a whole number from 0 to 100, written with the digits 0-9."
_ASCII_DIGITS = re.compile(r"[0-9]{1,3}")
_NEGATIVE = re.compile(r"-[0-9]+")


def parse_progress(value) -> int | None:
    """A progress percentage from a form or a caller: None or "" for none, an int, or a string
    of plain ASCII digits (not "\u0665\u0660", "5_0", "+50", " 50" or "50.0", which int() would take or
    half take), from 0 to 100."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(PROGRESS_MESSAGE, code="invalid")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    elif isinstance(value, str) and _NEGATIVE.fullmatch(value):
        number = -1  # a negative number: say the range, not the digits
    else:
        raise ValidationError(PROGRESS_MESSAGE, code="invalid")
    if not 0 <= number <= 100:
        raise ValidationError("Progress must be between 0 and 100.", code="range")
    return number


# Characters that show nothing: zero-width spaces and joiners, word joiner, BOM, soft hyphen,
# Mongolian vowel separator, Hangul fillers, braille blank; plus all whitespace.
_INVISIBLE = re.compile(
    r"[\s\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    r"\u2800\u3164\ufeff\uffa0]+"
)


def is_visible(text: str) -> bool:
    """Whether the text shows anything once invisible characters are left out."""
    return bool(_INVISIBLE.sub("", text or ""))


# Bidirectional embeddings, overrides and isolates: they make text display in another order than
# it is stored ("Trojan Source"), so a note could read differently from what it says.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def no_bidi_controls(value: str | None) -> None:
    """Free text without bidirectional override or isolate characters."""
    if value and BIDI_CONTROLS.search(value):
        raise ValidationError(
            "Remove the invisible direction-control characters (U+202A to U+202E, U+2066 to "
            "U+2069): they make text display differently from what it says.",
            code="bidi",
        )


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


# --------------------------------------------------------------------------- attention
# What needs someone's attention, defined once: the querysets (`CommitmentQuerySet.overdue`,
# `.due_soon`, `.inactive`), the dashboard, the list, the per-side view, the briefing pack,
# "what changed", the digest and the calendar all use these. Each holds for an open commitment
# only (not completed or withdrawn): the callers add that condition, as the status is the
# domain's vocabulary.
DUE_SOON_DAYS = 30


def inactive_after_days() -> int:
    """How many days without a follow-up make an open commitment *inactive*
    (settings.INACTIVE_AFTER_DAYS)."""
    return settings.INACTIVE_AFTER_DAYS


def inactive_before(today: datetime.date) -> datetime.date:
    """An open commitment whose last activity is before this day is inactive."""
    return today - datetime.timedelta(days=inactive_after_days())


def due_soon_until(today: datetime.date, days: int = DUE_SOON_DAYS) -> datetime.date:
    """The last day of "due soon": today and the `days` after it (DUE_SOON_DAYS; the weekly
    digest looks two weeks ahead)."""
    return today + datetime.timedelta(days=days)


def overdue_q(today: datetime.date) -> Q:
    """Due before today (due today is not overdue yet)."""
    return Q(due_date__lt=today)


def due_soon_q(today: datetime.date, days: int = DUE_SOON_DAYS) -> Q:
    """Due from today to `due_soon_until(today, days)`, both included."""
    return Q(due_date__gte=today, due_date__lte=due_soon_until(today, days))


def inactive_q(today: datetime.date) -> Q:
    """No activity since before `inactive_before(today)` (quiet exactly that long is not yet
    inactive)."""
    return Q(last_activity_on__lt=inactive_before(today))


def is_overdue(*, due_date: datetime.date | None, today: datetime.date) -> bool:
    return due_date is not None and due_date < today


def is_inactive(*, last_activity_on: datetime.date, today: datetime.date) -> bool:
    return last_activity_on < inactive_before(today)
