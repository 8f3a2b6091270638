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
