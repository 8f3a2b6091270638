from __future__ import annotations

from django.contrib.auth import forms as auth_forms

from common.forms import FocusFirstErrorMixin


class PasswordChangeForm(FocusFirstErrorMixin, auth_forms.PasswordChangeForm):
    def focus_first_error(self) -> None:
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        super().focus_first_error()
