"""Parties, their agencies and people; working groups and who belongs to them.

Who sees a working group is decided here once: `installation_role` says what a user may do in
every group without a membership (superusers coordinate, other staff read), and
`WorkingGroup.objects.visible_to` and `commitments.access` both build on it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from ..rules import no_bidi_controls
from .base import History, choices_check


class Party(models.Model):
    """A side of a bilateral working group, e.g. the United States or India."""

    name = models.CharField(max_length=100, unique=True, validators=[no_bidi_controls])
    code = models.CharField(
        max_length=10, unique=True, help_text="Short code shown in lists, e.g. US or IN."
    )
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200, validators=[no_bidi_controls])
    acronym = models.CharField(max_length=20)
    history = History()

    class Meta:
        ordering = ["party_id", "acronym"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["party", "acronym"],
                name="agency_acronym_unique_per_party",
                violation_error_message="This party already has an agency with this acronym.",
            ),
            models.UniqueConstraint(
                fields=["party", "name"],
                name="agency_name_unique_per_party",
                violation_error_message="This party already has an agency with this name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acronym} ({self.party.code})"


class Person(models.Model):
    """Someone named in a source document; not an account."""

    name = models.CharField(max_length=200, validators=[no_bidi_controls])
    title = models.CharField(max_length=300, blank=True, validators=[no_bidi_controls])
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["name", "agency"], name="person_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class MembershipRole(models.TextChoices):
    """A member's role in a working group, from the least to the most it allows."""

    VIEWER = "viewer", "Viewer"
    ANALYST = "analyst", "Analyst"
    COORDINATOR = "coordinator", "Coordinator"

    @property
    def rank(self) -> int:
        return list(MembershipRole).index(self) + 1


def installation_role(user) -> MembershipRole | None:
    """The role a user has in every working group, membership or not: superusers coordinate
    every group, other staff (who run the admin) read every group."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return MembershipRole.COORDINATOR
    if user.is_staff:
        return MembershipRole.VIEWER
    return None


class WorkingGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkingGroupQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if installation_role(user) is not None:
            return self
        return self.filter(memberships__user=user)


class GroupScopedQuerySet(models.QuerySet):
    """Rows that belong to one working group, reached through `group_path`. Access scoping
    starts from `.visible_to(user)`; pages that already hold an authorised group use
    `.in_group(group)`."""

    group_path = "working_group"

    def visible_to(self, user):
        return self.filter(**{f"{self.group_path}__in": WorkingGroup.objects.visible_to(user)})

    def in_group(self, group):
        return self.filter(**{self.group_path: group})


class WorkingGroup(models.Model):
    name = models.CharField(max_length=200, unique=True, validators=[no_bidi_controls])
    slug = models.SlugField(max_length=60, unique=True)
    short_name = models.CharField(
        max_length=20,
        unique=True,
        help_text="Used as the prefix of commitment references, e.g. DPEWG.",
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]*$", "Use capital letters and digits only, e.g. DPEWG.")
        ],
    )
    description = models.TextField(blank=True, validators=[no_bidi_controls])
    parties = models.ManyToManyField(Party, related_name="working_groups", blank=True)
    lead_agencies = models.ManyToManyField(
        Agency, related_name="led_working_groups", blank=True, help_text="The co-leads."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = History(m2m_fields=[parties, lead_agencies])

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commitments:group_dashboard", args=[self.slug])


class Membership(models.Model):
    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    activity_seen_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the member last looked at the group's recent activity.",
    )
    history = History()

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "working_group"],
                name="membership_unique_per_user_and_group",
                violation_error_message="This user is already a member of this working group.",
            ),
            choices_check("role", MembershipRole, "membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.working_group.short_name} ({self.get_role_display()})"


class Affiliation(models.Model):
    """The agency a user works for, and so the side they speak for: the timeline, the feeds and
    the exports name it ("A. Sharma, NCB (India)") so a reader knows which government reported
    progress. A user has at most one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliation"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="affiliations")
    history = History()

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.user} – {self.agency}"
