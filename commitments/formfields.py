"""Form pieces that other apps' forms share with the domain's (the readout importer accepts a
candidate with the same lead agencies per side and the same owner choice as the coordinators'
commitment form). The domain's `forms` package is private to it; this module is not."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from .models import Agency, Party, WorkingGroup


class AgencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.acronym} – {obj.name}" if obj.name != obj.acronym else obj.acronym


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def group_members(group: WorkingGroup):
    return (
        get_user_model()
        .objects.filter(memberships__working_group=group, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class LeadAgenciesPerSide:
    """Form mixin: the lead agencies as one field per side of the group (`leads_<party code>`,
    checkboxes of that party's agencies only). Call `add_side_fields(group)` in __init__."""

    def add_side_fields(self, group: WorkingGroup) -> None:
        self.sides: list[tuple[Party, str]] = []
        for party in group.parties.order_by("name"):
            name = f"leads_{party.code}"
            self.fields[name] = AgencyChoiceField(
                label=party.name,
                queryset=Agency.objects.filter(party=party).order_by("acronym"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.sides.append((party, name))

    @property
    def side_fields(self):
        """The lead agency fields, one per side, for the template."""
        return [self[name] for _, name in self.sides]

    def lead_agencies(self) -> list[Agency]:
        return [a for _, name in self.sides for a in self.cleaned_data.get(name) or ()]

    def add_service_errors(self, error, field_map=None):
        # The service names the lead agencies once; the form shows it on the first side.
        first_side = self.sides[0][1] if self.sides else None
        return super().add_service_errors(error, {"lead_agencies": first_side, **(field_map or {})})

    @staticmethod
    def side_initial(agencies) -> dict[str, list[int]]:
        """Initial values of the side fields for these agencies."""
        initial: dict[str, list[int]] = {}
        for agency in agencies:
            initial.setdefault(f"leads_{agency.party.code}", []).append(agency.pk)
        return initial
