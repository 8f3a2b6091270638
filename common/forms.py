"""Form behaviour every page shares: errors next to the fields, focus on the first of them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


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


def _flat_attrs(attrs: dict) -> SafeString:
    """HTML attributes as django/forms/widgets/attrs.html writes them (True: the bare name,
    False: left out), escaped."""
    return format_html_join(
        "",
        "{}",
        (
            (piece,)
            for piece in (
                format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
                for name, value in attrs.items()
                if value is not False
            )
        ),
    )


class FastSelect(forms.Select):
    """Django's Select, the same HTML to the character (tests/test_fast_select.py), drawn in
    Python. Django's template draws every option
    through an include: on the commitments list, its nine filter selects (members, agencies,
    meetings…) took about a third of the page's rendering time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _flat_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        _flat_attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (each part is escaped by format_html)


class ChoicesInOneRead(ModelChoiceIterator):
    """Django's iterator over a model choice field's choices, reading them with one plain
    query each time (as Django's does) but without `.iterator()`: on PostgreSQL that opens a
    server-side cursor, three round trips (DECLARE, FETCH, CLOSE) for a select's few rows.
    The commitments list draws five such selects: 25.6 → 15.8 ms a page on PostgreSQL."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, with its choices read in one round trip (`ChoicesInOneRead`). Our forms use
    this one (tests/test_architecture.py checks)."""

    iterator = ChoicesInOneRead


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with its choices read in one round trip (`ChoicesInOneRead`)."""

    iterator = ChoicesInOneRead
