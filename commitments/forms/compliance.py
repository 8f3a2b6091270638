"""Forms of the compliance reviews: open one for a meeting, propose or revise a score."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from common.forms import FocusFirstErrorMixin

from ..models import Meeting, Score


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"Meeting {obj.number}: {obj.title} ({obj.start_date:%-d %b %Y})"


class ReviewOpenForm(FocusFirstErrorMixin, forms.Form):
    meeting = _MeetingChoice(
        label="For the meeting",
        queryset=Meeting.objects.none(),
        help_text="The review covers the commitments agreed up to this meeting that are open "
        "today (not started, in progress or stalled).",
        error_messages={
            "required": "Choose the meeting the review prepares.",
            "invalid_choice": "Choose one of this group's meetings without a review.",
        },
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            Meeting.objects.in_group(group)
            .filter(compliance_reviews__isnull=True)
            .order_by("-start_date")
        )


class ScoreForm(FocusFirstErrorMixin, forms.Form):
    score = forms.TypedChoiceField(
        label="Score",
        coerce=int,
        choices=Score.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a score: −1, 0 or +1."},
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done, or not, and how you know.",
        error_messages={"required": "Give the reasons for the score."},
    )
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Use a web address starting with http:// or https://."},
    )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("score", "rationale", "evidence_url")}


class ChangesForm(forms.Form):
    """Which two moments to compare: two of the group's snapshots, or one and now."""

    since = forms.TypedChoiceField(label="From the snapshot", coerce=int)
    until = forms.ChoiceField(label="To")

    def __init__(self, *args, snapshots, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.pk, str(s)) for s in snapshots]
        self.fields["since"].choices = choices
        self.fields["until"].choices = [("now", "Now"), *choices]
        self.by_pk = {s.pk: s for s in snapshots}

    def chosen(self):
        """(before, after): after is None for now. The defaults: the latest snapshot, now."""
        if self.is_bound and self.is_valid():
            until = self.cleaned_data["until"]
            return (
                self.by_pk[self.cleaned_data["since"]],
                None if until == "now" else self.by_pk[int(until)],
            )
        latest = next(iter(self.by_pk.values()), None)
        return latest, None
