"""The commitments list's filters: a public query format. The list page, the exports of what
it shows (reports) and, later, the API read the same parameters with the same meaning, so this
form lives beside the domain's form fields rather than among its pages' forms.

Values that do not parse are ignored (and named), never a server error."""

from __future__ import annotations

import functools

from django import forms
from django.contrib.auth import get_user_model

from .models import ActionArea, Agency, Meeting, Priority, Status, WorkingGroup
from .selectors import catalogue


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def side_choices(group: WorkingGroup) -> list[tuple[str, str]]:
    """The list's "Led by" filter: each party, alone or with the other side; each party alone;
    both sides together (values: "US", "US-only", "shared")."""
    parties = catalogue(group=group).parties
    choices = [("", "Either side")]
    for party in parties:
        choices.append((party.code, f"{party.name} (alone or shared)"))
    for party in parties:
        choices.append((f"{party.code}-only", f"{party.name} alone"))
    if len(parties) > 1:
        choices.append(("shared", "Both sides (shared)"))
    return choices


class CommitmentFilterForm(forms.Form):
    """The filters of the commitments list. Values that do not parse are ignored (and named),
    never a server error: URLs get shared, edited and truncated."""

    ATTENTION_CHOICES = [
        ("", "Anything"),
        ("overdue", "Overdue"),
        ("due_soon", "Due in the next 30 days"),
        ("inactive", "Inactive"),
    ]
    SORT_CHOICES = [
        ("reference", "Reference"),
        ("due", "Due date, soonest first"),
        ("-due", "Due date, latest first"),
        ("-activity", "Last activity, newest first"),
        ("activity", "Last activity, oldest first"),
    ]

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Reference, title, agreed words, lead agency, follow-up notes, operation names.",
    )
    mine = forms.BooleanField(
        label="Mine only",
        required=False,
        help_text="Owned by me, or led by my agency.",
    )
    priority = forms.ChoiceField(
        label="Priority",
        required=False,
        choices=[("", "Any priority"), *Priority.choices],
    )
    area = forms.ModelChoiceField(
        label="Action area",
        queryset=ActionArea.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All areas",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *Status.choices],
    )
    attention = forms.ChoiceField(
        label="Needs attention", required=False, choices=ATTENTION_CHOICES
    )
    agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Any agency",
    )
    party = forms.ChoiceField(label="Led by", required=False)
    meeting = forms.ModelChoiceField(
        label="Agreed at",
        queryset=Meeting.objects.none(),
        to_field_name="number",
        required=False,
        empty_label="Any meeting",
    )
    owner = _UserChoiceField(
        label="Owner",
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        required=False,
        empty_label="Anyone",
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    MORE = ("agency", "party", "meeting", "owner", "priority")

    def __init__(self, *args, group: WorkingGroup, inactive_after_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        # A model select's queryset checks a value given: only those given get theirs (their
        # choices are drawn from the catalogue).
        for name, queryset in self.value_querysets(group).items():
            if self.data.get(name):
                self.fields[name].queryset = queryset()
        # Read when the filter is checked or drawn, once: not for the results alone (htmx).
        self.fields["party"].choices = functools.cache(functools.partial(side_choices, group))
        self.fields["meeting"].label_from_instance = lambda m: f"Meeting {m.number}: {m.title}"
        self._choices_from_catalogue(group)
        self.fields["attention"].choices = [
            (
                value,
                f"Inactive: no follow-up for {inactive_after_days} days"
                if value == "inactive"
                else label,
            )
            for value, label in self.ATTENTION_CHOICES
        ]

    @staticmethod
    def value_querysets(group: WorkingGroup) -> dict:
        """What each model select checks a value against, built when called."""
        return {
            "area": lambda: ActionArea.objects.filter(working_group=group),
            "agency": lambda: (
                Agency.objects.filter(party__working_groups=group)
                .select_related("party")
                .order_by("party__name", "acronym")
            ),
            "meeting": lambda: Meeting.objects.filter(working_group=group).order_by("number"),
            "owner": lambda: (
                get_user_model()
                .objects.filter(memberships__working_group=group, is_active=True)
                .order_by("first_name", "last_name", "username")
            ),
        }

    def _choices_from_catalogue(self, group: WorkingGroup) -> None:
        """The select filters' choices as their model choice fields would list them (the same
        values and labels, tests/test_catalogue.py compares), from the group's catalogue
        (kept in memory) rather than four queries; read when drawn, once (an export or the
        results alone draw none). Their querysets still check a value."""
        known = functools.cache(functools.partial(catalogue, group=group))

        def choices(name: str, options) -> None:
            field = self.fields[name]
            field.choices = lambda: [("", field.empty_label), *options(known())]

        choices("area", lambda c: ((area.slug, str(area)) for area in c.areas))
        choices("agency", lambda c: ((agency.pk, str(agency)) for agency in c.agencies))
        choices(
            "meeting",
            lambda c: (
                (m["number"], f"Meeting {m['number']}: {m['title']}")
                for m in sorted(c.meetings, key=lambda m: m["number"])
            ),
        )
        choices(
            "owner",
            lambda c: (
                (m["username"], f"{m['first_name']} {m['last_name']}".strip() or m["username"])
                for m in c.members
            ),
        )

    def filters(self) -> dict:
        """The values that parsed; invalid ones are left out (see `ignored`)."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in ("", None, False)
        }

    def described(self) -> list[str]:
        """The filters in use, in words ("Status: Overdue"), for a printed page or an exported
        file's first line, so the paper says what it shows."""
        described = []
        for name, value in self.filters().items():
            field = self.fields[name]
            if name == "mine":
                described.append(field.label)
            elif name == "q":
                described.append(f"{field.label}: “{value}”")
            elif isinstance(field, forms.ModelChoiceField):
                described.append(f"{field.label}: {field.label_from_instance(value)}")
            else:
                labels = dict(field.choices)
                described.append(f"{field.label}: {labels.get(value, value)}")
        return described

    @property
    def ignored(self) -> list[str]:
        return [self.fields[name].label for name in self.errors if name in self.fields]

    @property
    def more_open(self) -> bool:
        """Open the “more filters” box when one of its filters is in use."""
        return any(self.data.get(name) for name in self.MORE)


def list_filters(form: CommitmentFilterForm, user) -> dict:
    """The selector's arguments for what the form parsed (\"mine\" names the user asking)."""
    filters = form.filters()
    if filters.pop("mine", False):
        filters["mine"] = user
    return filters
