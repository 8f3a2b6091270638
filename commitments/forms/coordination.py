"""The coordinators' forms: record a meeting, add and edit commitments, withdraw one, and
indicators. Each offers only the group's own choices (its areas, meetings, documents, members,
and the agencies of its parties under their side); the services check the same again."""

from __future__ import annotations

import functools

from django import forms
from django.contrib.auth import get_user_model
from django.forms import formset_factory

from common.forms import FocusFirstErrorMixin

from ..formfields import LeadAgenciesPerSide, MemberChoiceField, group_members
from ..models import (
    ActionArea,
    Agency,
    Commitment,
    Direction,
    Indicator,
    Meeting,
    MeetingFormat,
    ParticipationRole,
    Person,
    Priority,
    SourceDocument,
    SourceKind,
    WorkingGroup,
)
from ..services import EDITABLE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-02-14."}


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        help_text=help_text,
        error_messages={**DATE_ERRORS, "required": f"Give the {label.lower()}."},
    )


def group_agencies(group: WorkingGroup):
    return Agency.objects.filter(party__working_groups=group).select_related("party")


def group_people(group: WorkingGroup):
    """People named in the group's records: those of its parties' agencies, and anyone who
    already took part in one of its meetings."""
    from django.db.models import Q

    return (
        Person.objects.filter(
            Q(agency__party__working_groups=group) | Q(participations__meeting__working_group=group)
        )
        .select_related("agency__party")
        .distinct()
        .order_by("name")
    )


# --------------------------------------------------------------------------- meetings


class GroupChoices:
    """The people and agencies every participant row offers, read once for the whole form
    (not once per row)."""

    def __init__(self, group: WorkingGroup):
        self.group = group

    @functools.cached_property
    def people(self) -> dict[str, Person]:
        return {str(p.pk): p for p in group_people(self.group)}

    @functools.cached_property
    def agencies(self) -> dict[str, Agency]:
        ordered = group_agencies(self.group).order_by("party__name", "acronym")
        return {str(a.pk): a for a in ordered}


class _ObjectChoiceField(forms.ChoiceField):
    """A choice among objects read beforehand (`objects`: {pk as text: object}); its cleaned
    value is the object."""

    def __init__(self, *, objects_label, **kwargs):
        self.objects_label = objects_label
        self.objects: dict = {}
        super().__init__(**kwargs)

    def offer(self, objects: dict) -> None:
        self.objects = objects
        self.choices = [("", "—"), *((k, self.objects_label(o)) for k, o in objects.items())]

    def to_python(self, value):
        value = super().to_python(value)
        return self.objects.get(value) if value else None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        return str(getattr(initial, "pk", initial) or "") != str(data or "")


def _person_label(person: Person) -> str:
    where = f", {person.agency.acronym} ({person.agency.party.code})" if person.agency else ""
    return f"{person.name}{where}"


class ParticipantForm(forms.Form):
    """One participant: a known person, or a new one (name, title, agency); and their role."""

    person = _ObjectChoiceField(label="Known person", required=False, objects_label=_person_label)
    name = forms.CharField(label="Or a new person: name", required=False, max_length=200)
    title = forms.CharField(label="Their title", required=False, max_length=300)
    agency = _ObjectChoiceField(
        label="Their agency",
        required=False,
        objects_label=lambda a: f"{a.acronym} ({a.party.code})",
    )
    role = forms.ChoiceField(
        label="Role", choices=ParticipationRole.choices, initial=ParticipationRole.DELEGATE
    )

    def __init__(self, *args, choices: GroupChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].offer(choices.people)
        self.fields["agency"].offer(choices.agencies)

    def clean(self):
        data = super().clean()
        if data.get("person") and (data.get("name") or "").strip():
            self.add_error("name", "Choose a known person or name a new one, not both.")
        unnamed = not data.get("person") and not (data.get("name") or "").strip()
        if unnamed and (data.get("title") or data.get("agency")):
            self.add_error("name", "Give the new person's name.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("person") and not (data.get("name") or "").strip()

    def participant(self) -> dict | None:
        """What the service takes: {"person": Person} or {"name", "title", "agency"}, + role."""
        if self.is_blank:
            return None
        data = self.cleaned_data
        if data.get("person"):
            return {"person": data["person"], "role": data["role"]}
        return {
            "name": data["name"].strip(),
            "title": (data.get("title") or "").strip(),
            "agency": data.get("agency"),
            "role": data["role"],
        }


ParticipantFormSet = formset_factory(ParticipantForm, extra=0, max_num=100, absolute_max=200)


class MeetingForm(FocusFirstErrorMixin, forms.Form):
    number = forms.IntegerField(
        label="Meeting number",
        min_value=1,
        max_value=32767,
        help_text="Proposed: the next number after the group's last meeting.",
        error_messages={"invalid": "The number is a whole number, e.g. 2."},
    )
    title = forms.CharField(label="Title", max_length=300)
    start_date = _date("Start date")
    end_date = _date("End date", help_text="The same as the start for a one-day meeting.")
    location = forms.CharField(label="Place", max_length=200, required=False)
    format = forms.ChoiceField(label="Format", choices=MeetingFormat.choices)
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source_documents = forms.ModelMultipleChoiceField(
        label="Documents it is recorded in",
        queryset=SourceDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    doc_title = forms.CharField(label="Title", max_length=300, required=False)
    doc_publisher = forms.CharField(label="Publisher", max_length=200, required=False)
    doc_kind = forms.ChoiceField(
        label="Kind", choices=SourceKind.choices, initial=SourceKind.READOUT, required=False
    )
    doc_published_on = _date("Date published", required=False)
    doc_url = forms.URLField(
        label="Web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Use a web address starting with http:// or https://."},
    )
    doc_text = forms.CharField(
        label="Its text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste the readout as published, to keep it with the record.",
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_documents"].queryset = SourceDocument.objects.in_group(group).order_by(
            "-published_on", "title"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The meeting cannot end before it starts.")
        new_doc = any(
            data.get(name) for name in ("doc_title", "doc_publisher", "doc_url", "doc_text")
        )
        if new_doc:
            for name, label in (("doc_title", "title"), ("doc_publisher", "publisher")):
                if not (data.get(name) or "").strip():
                    self.add_error(name, f"Give the new document's {label}.")
        return data

    def meeting_fields(self) -> dict:
        names = ("number", "title", "start_date", "end_date", "location", "format", "summary")
        return {name: self.cleaned_data[name] for name in names}

    def new_document(self) -> dict | None:
        data = self.cleaned_data
        if not (data.get("doc_title") or "").strip():
            return None
        return {
            "title": data["doc_title"].strip(),
            "publisher": data["doc_publisher"].strip(),
            "kind": data.get("doc_kind") or SourceKind.READOUT,
            "published_on": data.get("doc_published_on"),
            "url": data.get("doc_url") or "",
            "text": data.get("doc_text") or "",
        }


# --------------------------------------------------------------------------- commitments


class _CommitmentFields(LeadAgenciesPerSide, FocusFirstErrorMixin, forms.Form):
    """What a coordinator says about a commitment; the lead agencies one field per side
    (`leads_<party code>`), each offering that party's agencies only."""

    action_area = forms.ModelChoiceField(
        label="Action area", queryset=ActionArea.objects.none(), empty_label="Choose an area"
    )
    title = forms.CharField(label="Title", max_length=300, help_text="What was agreed, briefly.")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = MemberChoiceField(
        label="Owner",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="A member of the group who follows it up.",
    )
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices)
    due_date = _date("Due date", required=False)
    source_document = forms.ModelChoiceField(
        label="Source document",
        queryset=SourceDocument.objects.none(),
        required=False,
        empty_label="None recorded",
    )
    source_locator = forms.CharField(
        label="Where in it", max_length=100, required=False, help_text="E.g. “para. 5”."
    )
    source_excerpt = forms.CharField(
        label="The agreed words",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Quoted exactly.",
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["action_area"].queryset = ActionArea.objects.in_group(group).order_by(
            "order", "name"
        )
        self.fields["owner"].queryset = group_members(group)
        self.fields["source_document"].queryset = SourceDocument.objects.in_group(group).order_by(
            "-published_on", "title"
        )
        self.add_side_fields(group)

    def commitment_fields(self) -> dict:
        names = [name for name in EDITABLE_FIELDS if name != "meeting"]
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


class CommitmentCreateForm(_CommitmentFields):
    """A commitment agreed at a meeting (the meeting comes from the page)."""


class CommitmentEditForm(_CommitmentFields):
    """A commitment's details, with the version the user saw and why they change them."""

    meeting = forms.ModelChoiceField(label="Agreed at", queryset=Meeting.objects.none())
    reason = forms.CharField(
        label="Why the change",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Both sides see the change and this reason in the timeline. Required when "
        "the due date moves.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, group=group, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.in_group(group).order_by("number")
        self.fields["meeting"].label_from_instance = lambda m: f"Meeting {m.number}: {m.title}"
        lost = "The form lost track of the version you saw; reload the page."
        self.fields["version"].error_messages = {
            "required": lost,
            "invalid": lost,
            "min_value": lost,
        }

    @classmethod
    def initial_for(cls, commitment: Commitment, lead_agencies) -> dict:
        initial = {name: getattr(commitment, name) for name in EDITABLE_FIELDS}
        initial["version"] = commitment.version
        initial.update(cls.side_initial(lead_agencies))
        return initial

    def commitment_fields(self) -> dict:
        return {**super().commitment_fields(), "meeting": self.cleaned_data.get("meeting")}


class WithdrawForm(FocusFirstErrorMixin, forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is withdrawn: both sides will read it."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --------------------------------------------------------------------------- indicators


class IndicatorForm(FocusFirstErrorMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=300)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.CharField(label="Unit", max_length=50, help_text="E.g. seizures, tonnes, %.")
    direction = forms.ChoiceField(label="Better when it goes", choices=Direction.choices)
    baseline = forms.DecimalField(
        label="Baseline",
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": "Enter a number, e.g. 12 or 12.5."},
    )
    target = forms.DecimalField(
        label="Target",
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": "Enter a number, e.g. 40."},
    )
    target_date = _date("Target date", required=False)
    action_area = forms.ModelChoiceField(
        label="Action area",
        queryset=ActionArea.objects.none(),
        required=False,
        empty_label="None",
    )
    commitment = forms.CharField(
        label="Commitment",
        required=False,
        max_length=40,
        help_text="Its reference, e.g. DPEWG-1-PC-01.",
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["action_area"].queryset = ActionArea.objects.in_group(group).order_by(
            "order", "name"
        )

    def clean_commitment(self):
        reference = (self.cleaned_data.get("commitment") or "").strip().upper()
        if not reference:
            return None
        found = Commitment.objects.in_group(self.group).filter(reference=reference).first()
        if found is None:
            raise forms.ValidationError(
                f"No commitment of {self.group.short_name} has the reference “{reference}”."
            )
        return found

    def clean(self):
        data = super().clean()
        if not data.get("action_area") and not data.get("commitment") and not self.errors:
            self.add_error(
                "action_area", "Say what it measures: choose an action area or a commitment."
            )
        return data

    def indicator_fields(self) -> dict:
        names = (
            "name",
            "description",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_date",
            "action_area",
            "commitment",
        )
        return {name: self.cleaned_data.get(name) for name in names}

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        names = ("name", "description", "unit", "direction", "baseline", "target", "target_date")
        initial = {name: getattr(indicator, name) for name in names}
        initial["action_area"] = indicator.action_area_id
        initial["commitment"] = indicator.commitment.reference if indicator.commitment else None
        return initial
