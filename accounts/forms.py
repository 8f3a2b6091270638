from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator

from common.forms import FocusFirstErrorMixin


class PasswordChangeForm(FocusFirstErrorMixin, auth_forms.PasswordChangeForm):
    def focus_first_error(self) -> None:
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        super().focus_first_error()


class LoginForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, refusing an over-long username as a field error.

    Django's form only sets the field's `max_length` attribute after the field is built, so no
    validator checks it: a 300-character username reached django-axes, whose attempt record
    (255 characters) made PostgreSQL fail with a 500. The check runs before authenticate(), so
    nothing is stored."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class OneTimeCodeForm(FocusFirstErrorMixin, forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=64,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={"required": "Enter the code."},
    )
