"""Form behaviour every page shares: errors next to the fields, focus on the first of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FocusFirstErrorMixin:
    """After validation, put `autofocus` on the first field with an error: the browser honours
    it on a full page load and htmx 2 on a swap, so focus lands on the error without our JS."""

    def focus_first_error(self) -> None:
        for name in self.fields:
            if name in self.errors and not self.fields[name].widget.is_hidden:
                self.fields[name].widget.attrs["autofocus"] = True
                return

    @property
    def hidden_errors(self) -> list[str]:
        """Errors on hidden fields and non-field errors: shown in the form's summary."""
        messages = list(self.non_field_errors())
        for field in self.hidden_fields():
            messages.extend(field.errors)
        return messages

    def add_service_errors(self, error: ValidationError, field_map: dict[str, str] | None = None):
        """Put a service's ValidationError next to the fields it names (through `field_map`
        where the form calls a field differently); the rest on top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field = (field_map or {}).get(key, key)
            self.add_error(field if field in self.fields else None, ValidationError(errors))
