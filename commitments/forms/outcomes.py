"""Forms of the outcome pages: recording and correcting an indicator's measurements. They parse
and check input (the rules they share with the model, like `rules.not_in_future`, are the same
functions); the services decide the rest (one value per period, the group's own indicator)."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from common.forms import FocusFirstErrorMixin

from ..models import Indicator, Party
from ..rules import not_in_future
from ..selectors import catalogue

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_A_NUMBER = "Enter a number, e.g. 12 or 12.5 (no unit, no thousands separator)."


class _IndicatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.unit})"


class MeasurementForm(FocusFirstErrorMixin, forms.Form):
    """A value of an indicator. On the commitment's page it also asks which of the commitment's
    indicators (`indicators`); on the indicator's page the indicator is the page's."""

    indicator = _IndicatorChoice(
        label="Indicator",
        queryset=Indicator.objects.none(),
        error_messages={
            "required": "Choose the indicator the value is for.",
            "invalid_choice": "Choose one of this commitment's indicators.",
        },
    )
    period_end = forms.DateField(
        label="Period ending",
        widget=DATE,
        validators=[not_in_future],
        help_text="The last day of the period the value covers.",
        error_messages={
            "required": "Give the last day of the period.",
            "invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-03-31.",
        },
    )
    value = forms.DecimalField(
        label="Value",
        max_digits=14,
        decimal_places=2,
        # Text, not type=number: the browser would drop what it cannot parse, and the server's
        # message would say "give the value" about a value the user did type.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Give the value.",
            "invalid": NOT_A_NUMBER,
            "max_digits": "That number is too large.",
            "max_decimal_places": "Use at most 2 decimals.",
            "max_whole_digits": "That number is too large.",
        },
    )
    reported_by = forms.ModelChoiceField(
        label="Reported by",
        queryset=Party.objects.none(),
        empty_label="Choose a side",
        error_messages={
            "required": "Say which side reported the value.",
            "invalid_choice": "Choose one of the group's sides.",
        },
    )
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Use a web address starting with http:// or https://."},
    )

    # Its own ids: the commitment's page has the follow-up form's fields (id_note...) too.
    auto_id = "measurement_%s"

    def __init__(self, *args, group, indicators=None, side_id=None, **kwargs):
        kwargs.setdefault("auto_id", self.auto_id)
        super().__init__(*args, **kwargs)
        self.fields["period_end"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["reported_by"].queryset = Party.objects.filter(working_groups=group).order_by(
            "name"
        )
        # Drawn from the group's catalogue; the queryset checks a value.
        self.fields["reported_by"].choices = [
            ("", self.fields["reported_by"].empty_label),
            *((party.pk, str(party)) for party in catalogue(group=group).parties),
        ]
        if indicators is None:
            del self.fields["indicator"]
        else:
            field = self.fields["indicator"]
            field.queryset = indicators
            # Listed from the caller's own queryset: one read shared with a page that shows the
            # same indicators (the commitment's); the field's copy checks a value.
            field.choices = lambda: [
                ("", field.empty_label),
                *((i.pk, field.label_from_instance(i)) for i in indicators),
            ]
        if not self.is_bound and side_id is not None:
            self.initial.setdefault("reported_by", side_id)

    def service_kwargs(self) -> dict:
        names = ("period_end", "value", "note", "evidence_url", "reported_by")
        return {name: self.cleaned_data.get(name) for name in names}


class MeasurementCorrectForm(MeasurementForm):
    """A correction: the same fields, and why (kept in the measurement's history)."""

    auto_id = "correct_%s"

    reason = forms.CharField(
        label="Why is it corrected?",
        max_length=100,
        help_text="Kept with the correction, e.g. “typo: 1,200 not 12,000”.",
        error_messages={"required": "Say why the value is corrected."},
    )
    measurement = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, measurement) -> dict:
        return {
            "measurement": measurement.pk,
            "period_end": measurement.period_end,
            "value": measurement.value,
            "reported_by": measurement.reported_by_id,
            "note": measurement.note,
            "evidence_url": measurement.evidence_url,
        }
