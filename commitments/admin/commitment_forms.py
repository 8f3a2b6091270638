"""The commitment admin's forms: they validate through the services' checks and write through
the services, once per save (see `CommitmentAdminForm`)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import services
from ..forms.fields import ProgressField
from ..models import Commitment, Status, WorkingGroup
from ..rules import not_in_future

# Service error keys that the follow-up fields of the form answer for.
_FOLLOW_UP_FIELDS = {
    "reason": "edit_reason",
    "status": "new_status",
    "progress": "new_progress",
    "note": "follow_up_note",
    "occurred_on": "follow_up_occurred_on",
    "evidence_url": "follow_up_evidence_url",
    "external_reference": "follow_up_external_reference",
}

# What the service lets an edit change; a new commitment also names its group and leads.
_UPDATE_FIELDS = services.EDITABLE_FIELDS
_CREATE_FIELDS = ("working_group", *_UPDATE_FIELDS, "lead_agencies")


class CommitmentAdminForm(forms.ModelForm):
    """The commitment form writes only through the services, once per save, and never
    half-writes.

    1. Validation (`_post_clean`, run by `is_valid()`) first lets the ModelForm check the fields
       as usual. If they pass, it locks the row the write will lock (the commitment, or the
       working group for a new one) and runs the services' own checks without writing
       (`validate()`: `commitment_validate_create`, `commitment_validate_update`,
       `follow_up_validate`). Every ValidationError, ConflictError (stale version) or
       PermissionDenied becomes a form error next to the field it concerns, so a bad change
       re-renders the form with the user's input kept instead of failing with a 500.
    2. Only when the form and all inline formsets are valid does the admin call `save_model`,
       which runs `apply()`: the services, once.

    The admin runs a POST to the change form inside one transaction
    (`ModelAdmin.changeform_view`), from validation to the response, and the lock taken before
    validating is held until its end: nobody can change the commitment between the checks and
    the write, so the write meets exactly the state that was checked. Should it fail anyway,
    the exception rolls back the whole admin transaction: nothing of it is stored. (On SQLite
    the IMMEDIATE transaction takes the write lock up front, which serialises writers the
    same way.)
    """

    actor = None  # the admin user; CommitmentAdmin.get_form binds it

    class Meta:
        model = Commitment
        fields = _CREATE_FIELDS  # the admin narrows this to its fieldsets

    def validate(self) -> None:
        """Run the checks of the services `apply()` will call, writing nothing."""
        raise NotImplementedError

    def apply(self) -> Commitment:
        """Make the change through the services (each subclass knows which)."""
        raise NotImplementedError

    def lock_rows(self) -> None:
        """Lock, until the admin's transaction ends, the row that `apply()` will lock."""
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._errors:
            return
        if transaction.get_connection().in_atomic_block:
            self.lock_rows()
        try:
            self.validate()
        except services.ConflictError as exc:
            self.add_error(None, services.Conflict.from_error(exc).explanation)
        except PermissionDenied as exc:
            self.add_error(None, str(exc) or "You may not make this change.")
        except ValidationError as exc:
            self._add_service_errors(exc)

    def _add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            field = _FOLLOW_UP_FIELDS.get(key, key) if key not in self.fields else key
            if field == NON_FIELD_ERRORS or field not in self.fields:
                self.add_error(None, ValidationError(errors))
            else:
                self.add_error(field, ValidationError(errors))


class CommitmentAddForm(CommitmentAdminForm):
    """A new commitment: `services.commitment_create` generates its reference."""

    def lock_rows(self) -> None:
        group = self.cleaned_data.get("working_group")
        if group is not None:
            list(WorkingGroup.objects.select_for_update().filter(pk=group.pk).values("pk"))

    def _data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in _CREATE_FIELDS if name in self.cleaned_data
        }

    def validate(self) -> None:
        services.commitment_validate_create(**self._data())

    def apply(self) -> Commitment:
        return services.commitment_create(**self._data(), actor=self.actor)


class CommitmentChangeForm(CommitmentAdminForm):
    """Descriptive fields go to `services.commitment_update`; a new status, a new progress or a
    note go to `services.follow_up_record`. Both carry the version the form was loaded with."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    edit_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        required=False,
        max_length=2000,
        label="Reason for the change",
        help_text="Shown with the change in the timeline. Required when the due date moves.",
    )
    new_status = forms.ChoiceField(
        choices=[("", "— unchanged —"), *Status.choices],
        required=False,
        label="New status",
    )
    new_progress = ProgressField(
        required=False,
        label="New progress (%)",
        help_text="Leave empty to keep it (completed sets 100, not started sets 0).",
    )
    follow_up_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        label="Note",
        help_text="What happened. Required when the status or progress changes.",
    )
    follow_up_occurred_on = forms.DateField(
        widget=AdminDateWidget,
        initial=timezone.localdate,
        required=False,
        label="Occurred on",
        validators=[not_in_future],
    )
    follow_up_evidence_url = forms.URLField(
        required=False, label="Evidence URL", assume_scheme="https"
    )
    follow_up_external_reference = forms.CharField(
        required=False, max_length=200, label="External reference"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.wants_follow_up() and not (data.get("follow_up_note") or "").strip():
            self.add_error(
                "follow_up_note",
                "Say what happened: a follow-up needs a note (so does a new status or progress).",
            )
        return data

    def wants_follow_up(self) -> bool:
        """Anything filled in the follow-up section (its date is always filled: not that)."""
        data = self.cleaned_data
        return (
            bool(data.get("new_status"))
            or data.get("new_progress") is not None
            or any(
                (data.get(name) or "").strip()
                for name in (
                    "follow_up_note",
                    "follow_up_evidence_url",
                    "follow_up_external_reference",
                )
            )
        )

    def lock_rows(self) -> None:
        list(Commitment.objects.select_for_update().filter(pk=self.instance.pk).values("pk"))

    def _changes(self) -> tuple[dict, list | None]:
        data = self.cleaned_data
        changes = {f: data[f] for f in _UPDATE_FIELDS if f in data and f in self.changed_data}
        lead_agencies = data["lead_agencies"] if "lead_agencies" in self.changed_data else None
        return changes, lead_agencies

    def _follow_up(self) -> dict:
        data = self.cleaned_data
        return {
            "author": self.actor,
            "note": data.get("follow_up_note") or "",
            "occurred_on": data.get("follow_up_occurred_on"),
            "status": data.get("new_status") or None,
            "progress": data.get("new_progress"),
            "evidence_url": data.get("follow_up_evidence_url") or "",
            "external_reference": data.get("follow_up_external_reference") or "",
        }

    def validate(self) -> None:
        changes, lead_agencies = self._changes()
        version = self.cleaned_data["expected_version"]
        if changes or lead_agencies is not None:
            services.commitment_validate_update(
                commitment=self.instance,
                expected_version=version,
                lead_agencies=lead_agencies,
                reason=self.cleaned_data.get("edit_reason", ""),
                **changes,
            )
        if self.wants_follow_up():
            if self.instance.version != version:
                # The follow-up alone would be refused for the stale version: say it now.
                current = Commitment.objects.get(pk=self.instance.pk)
                raise services.ConflictError(current=current, expected_version=version)
            services.follow_up_validate(commitment=self.instance, **self._follow_up())

    @transaction.atomic
    def apply(self) -> Commitment:
        changes, lead_agencies = self._changes()
        version = self.cleaned_data["expected_version"]
        # A copy: the services hand fresh state back to the object they are given, and the
        # form's instance must keep showing what is stored should the page be shown again.
        commitment = copy.copy(self.instance)
        if changes or lead_agencies is not None:
            commitment = services.commitment_update(
                commitment=commitment,
                expected_version=version,
                actor=self.actor,
                lead_agencies=lead_agencies,
                reason=self.cleaned_data.get("edit_reason", ""),
                **changes,
            )
            version = commitment.version
        if self.wants_follow_up():
            services.follow_up_record(
                commitment=commitment, expected_version=version, **self._follow_up()
            )
        return commitment


class ChangeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "— choose —"), *Status.choices], label="New status")
    progress = ProgressField(
        required=False,
        label="New progress (%)",
        help_text="Leave empty to keep each commitment's progress "
        "(completed sets 100, not started sets 0).",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Recorded as the follow-up on every selected commitment.",
    )
    occurred_on = forms.DateField(
        widget=AdminDateWidget, initial=timezone.localdate, validators=[not_in_future]
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError("Say what happened: the note cannot be empty.")
        return note
