"""Forms of the analyst workspace: they parse and check input; the services decide.

Every form renders without client-side validation (`novalidate` in the templates) so that the
server's messages, next to the fields, are what every user sees, with JavaScript or without.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.forms import FocusFirstErrorMixin

from .. import rules
from ..models import (
    ActionArea,
    Commitment,
    FollowUp,
    Party,
    Status,
    status_progress_error,
)
from ..rules import not_in_future
from ..selectors import catalogue
from .fields import HttpURLFormField, ProgressField, visible_text

_STATUS_UNKNOWN = "“%(value)s” is not a status we know. Choose one from the list."


class FollowUpForm(FocusFirstErrorMixin, forms.Form):
    """Log what happened on a commitment; optionally move its status and progress."""

    note = forms.CharField(
        label="What happened",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write what happened: the note cannot be empty."},
    )
    occurred_on = forms.DateField(
        label="Date",
        help_text="When it happened: today or earlier.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_in_future, rules.not_before_2000],
        error_messages={
            "required": "Give the date it happened.",
            "invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-02-14.",
        },
    )
    status = forms.ChoiceField(
        label="New status",
        required=False,
        choices=[("", "Keep the current status"), *Status.choices],
        error_messages={"invalid_choice": _STATUS_UNKNOWN},
    )
    progress = ProgressField(
        label="New progress (%)",
        required=False,
        error_messages={
            "invalid": rules.PROGRESS_MESSAGE,
            "min_value": "Progress must be between 0 and 100.",
            "max_value": "Progress must be between 0 and 100.",
        },
    )
    evidence_url = HttpURLFormField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web address starting with http:// or https://.",
    )
    external_reference = forms.CharField(
        label="External reference",
        required=False,
        max_length=200,
        help_text="An operation name, a case or incident number…",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, commitment: Commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.corrected = None
        today = timezone.localdate()
        self.fields["occurred_on"].widget.attrs["max"] = today.isoformat()
        self.fields[
            "progress"
        ].help_text = f"Leave empty to keep {commitment.progress}%; “Completed” sets 100."
        self.fields["status"].choices = [
            ("", f"Keep “{commitment.get_status_display()}”"),
            *Status.choices,
        ]
        self.fields["version"].error_messages = {
            "required": "The form lost track of the version you saw; reload the page.",
            "invalid": "The form lost track of the version you saw; reload the page.",
            "min_value": "The form lost track of the version you saw; reload the page.",
        }
        if not self.is_bound:
            self.initial.setdefault("occurred_on", today)
            self.initial.setdefault("version", commitment.version)

    def clean_note(self):
        note = visible_text(self.cleaned_data["note"])
        if not note:
            raise ValidationError(self.fields["note"].error_messages["required"], code="required")
        return note

    def clean_corrects(self):
        """The earlier follow-up of this commitment that this one corrects (an id)."""
        pk = self.cleaned_data.get("corrects")
        if pk is None:
            return None
        self.corrected = (
            FollowUp.objects.follow_ups().filter(commitment=self.commitment, pk=pk).first()
        )
        if self.corrected is None:
            raise ValidationError("The entry to correct is not one of this commitment's.")
        return self.corrected

    def clean(self):
        cleaned = super().clean()
        progress = cleaned.get("progress")
        if progress is not None and "status" not in self.errors:
            effective = cleaned.get("status") or self.commitment.status
            message = status_progress_error(effective, progress)
            if message:
                self.add_error("progress", message)
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "note": data["note"],
            "occurred_on": data["occurred_on"],
            "status": data["status"] or None,
            "progress": data["progress"],
            "evidence_url": data["evidence_url"],
            "external_reference": data["external_reference"],
            "expected_version": data["version"],
            "corrects": data.get("corrects"),
        }


class StatusChangeForm(FocusFirstErrorMixin, forms.Form):
    """The quick status change of a list row."""

    status = forms.ChoiceField(
        label="Status",
        choices=Status.choices,
        error_messages={
            "required": "Choose a status.",
            "invalid_choice": _STATUS_UNKNOWN,
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


# --------------------------------------------------------------------------- list filters


class ActivityFilterForm(forms.Form):
    """The recent activity's range and filters; what does not parse is left out and named."""

    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.ModelChoiceField(
        label="Action area",
        queryset=ActionArea.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All areas",
    )
    side = forms.ModelChoiceField(
        label="Reported by",
        queryset=Party.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Either side",
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = ActionArea.objects.in_group(group).order_by("order", "name")
        self.fields["side"].queryset = group.parties.order_by("name")
        self.fields["side"].label_from_instance = lambda p: p.name
        # Drawn from the group's catalogue; the querysets check a value.
        known = catalogue(group=group)
        self.fields["area"].choices = [
            ("", self.fields["area"].empty_label),
            *((area.slug, str(area)) for area in known.areas),
        ]
        self.fields["side"].choices = [
            ("", self.fields["side"].empty_label),
            *((party.code, party.name) for party in known.parties),
        ]

    @property
    def ignored(self) -> list[str]:
        return [self.fields[name].label for name in self.errors if name in self.fields]
