"""Form fields that apply the domain's rules (commitments.rules) at the form, so a mistake is a
message next to the field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .. import rules


class ProgressField(forms.IntegerField):
    """A percentage written with the digits 0-9 only: IntegerField would take "\u0665\u0660" (Arabic-Indic
    digits), "5_0" and "+50" through int()."""

    default_error_messages = {
        "invalid": rules.PROGRESS_MESSAGE,
        "min_value": "Progress must be between 0 and 100.",
        "max_value": "Progress must be between 0 and 100.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        try:
            return rules.parse_progress(value)
        except ValidationError as error:
            raise ValidationError(
                self.error_messages.get("invalid")
                if error.code == "invalid"
                else self.error_messages.get("min_value", error.messages[0]),
                code=error.code,
                params={"limit_value": 0},
            ) from None


class HttpURLFormField(forms.URLField):
    """A web address (http or https), checked once: one message for one mistake."""

    default_validators = [rules.http_url_validator]
    default_error_messages = {"invalid": rules.HTTP_URL_MESSAGE}


def visible_text(value: str) -> str:
    """The text, or "" when it shows nothing (only spaces and invisible characters)."""
    return value if rules.is_visible(value) else ""
