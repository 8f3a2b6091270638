"""Password rules beyond Django's own: a maximum length, and no password known from breaches.

The breached list ships with the code (`data/breached-passwords.txt.gz`: the 30,000 most common
passwords from breach corpora, as bundled by the zxcvbn package, MIT): no network at run time.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"
# What people add to a known password to pass a length rule: digits, punctuation, spaces.
_PADDING = re.compile(r"[\d\W_]+$")


class MaximumLengthValidator:
    """At most `max_length` characters: hashing a megabyte-long password costs the server."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max)d character.",
                    "This password is too long. It must contain at most %(max)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."


@functools.cache
def breached_passwords() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


class BreachedPasswordValidator:
    """Not a password from the bundled list of breached passwords, nor one of them padded with
    digits or punctuation (e.g. "sunshine2026!!!") to pass the length rule."""

    def validate(self, password: str, user=None) -> None:
        known = breached_passwords()
        candidate = password.strip().lower()
        stripped = _PADDING.sub("", candidate)
        if candidate in known or (len(stripped) >= 4 and stripped in known):
            raise ValidationError(
                "This password appears in lists of passwords stolen in data breaches.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password can't be one that appears in lists of breached passwords."
