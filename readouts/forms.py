"""Forms of the readout importer: the readout and its citation, a candidate's acceptance (what
the commitment will say), and a passage the finder missed."""

from __future__ import annotations

from django import forms

from commitments.models import Priority, SourceKind
from common.forms import FocusFirstErrorMixin

from .files import FileRefused, checked_text, clean_name, read_upload
from .selectors import AcceptChoices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReadoutForm(FocusFirstErrorMixin, forms.Form):
    text = forms.CharField(
        label="Paste its text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Or choose its file below.",
    )
    file = forms.FileField(
        label="Or upload its file",
        required=False,
        help_text="A .txt, .docx or .html file of at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.html,.htm,text/plain"}),
    )
    title = forms.CharField(label="Title", max_length=300, help_text="As published.")
    publisher = forms.CharField(
        label="Publisher", max_length=200, help_text="E.g. Ministry of External Affairs."
    )
    kind = forms.ChoiceField(label="Kind", choices=SourceKind.choices, initial=SourceKind.READOUT)
    published_on = forms.DateField(
        label="Date published",
        required=False,
        widget=DATE,
        help_text="Relative due dates (“within six months”) count from it; the meeting's "
        "last day if left empty.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-02-14."},
    )
    url = forms.URLField(
        label="Web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Use a web address starting with http:// or https://."},
    )

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("text") or "")
        if upload and pasted.strip():
            self.add_error("text", "Paste the text or upload a file, not both.")
            return data
        try:
            if upload:
                data["text"] = read_upload(upload)
                data["filename"] = clean_name(upload.name)
            else:
                data["text"] = checked_text(pasted)
                data["filename"] = ""
        except FileRefused as refusal:
            self.add_error("file" if upload else "text", str(refusal))
        return data


class AcceptForm(FocusFirstErrorMixin, forms.Form):
    """What the commitment made from a candidate will say; every choice comes from
    `AcceptChoices`, read once for the whole page."""

    title = forms.CharField(label="Title", max_length=300)
    area = forms.ChoiceField(label="Action area")
    owner = forms.ChoiceField(label="Owner", required=False)
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial="medium")
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=DATE,
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2027-03-31."},
    )

    def __init__(self, *args, choices: AcceptChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["area"].choices = [("", "Choose an area")] + [
            (str(a.pk), a.name) for a in choices.areas
        ]
        self.fields["owner"].choices = [("", "Nobody yet")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in choices.members
        ]
        self.sides = []
        for party, agencies in choices.sides:
            name = f"leads_{party.code}"
            self.fields[name] = forms.MultipleChoiceField(
                label=party.name,
                required=False,
                choices=[(str(a.pk), f"{a.acronym} – {a.name}") for a in agencies],
                widget=forms.CheckboxSelectMultiple,
            )
            self.sides.append((party, name))

    @property
    def side_fields(self):
        return [self[name] for _, name in self.sides]

    def accept_kwargs(self) -> dict:
        data = self.cleaned_data
        areas = {str(a.pk): a for a in self.choices.areas}
        members = {str(u.pk): u for u in self.choices.members}
        agencies = {str(a.pk): a for _, side in self.choices.sides for a in side}
        return {
            "title": data["title"],
            "action_area": areas[data["area"]],
            "owner": members.get(data.get("owner") or ""),
            "priority": data["priority"],
            "due_date": data.get("due_date"),
            "lead_agencies": [agencies[pk] for _, name in self.sides for pk in data.get(name, [])],
        }

    @classmethod
    def initial_for(cls, candidate, choices: AcceptChoices) -> dict:
        """The finder's suggestions: title, area, due date, and the group's co-leads of the
        parties it named as lead agencies (or none)."""
        initial = {
            "title": candidate.title,
            "area": str(candidate.area_id or ""),
            "due_date": candidate.due_date,
            "priority": "medium",
        }
        for party, agencies in choices.sides:
            if party.code in (candidate.parties or []):
                co_leads = [a for a in agencies if a.pk in choices.co_lead_ids]
                initial[f"leads_{party.code}"] = [str(a.pk) for a in co_leads]
        return initial

    def add_service_errors(self, error, field_map=None):
        first_side = self.sides[0][1] if self.sides else None
        mapping = {"action_area": "area", "lead_agencies": first_side, **(field_map or {})}
        return super().add_service_errors(error, mapping)


class PassageForm(FocusFirstErrorMixin, forms.Form):
    """A passage the finder missed: its paragraph and its exact words."""

    paragraph = forms.IntegerField(
        label="Paragraph",
        min_value=1,
        error_messages={"invalid": "Give the paragraph's number, e.g. 3."},
    )
    text = forms.CharField(
        label="The exact words",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Select them in the text (the form fills in), or copy them here.",
    )
