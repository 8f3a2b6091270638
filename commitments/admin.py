"""Django admin for people who keep the records straight all day.

Every model is registered with model history (django-simple-history). Two rules shape this file:

* Commitments are written only through `commitments.services`, like every other door into the
  app. The commitment form never saves the model itself: see `CommitmentChangeForm` for how the
  admin's save goes through `commitment_create`, `commitment_update` and `follow_up_record`
  without ever half-writing. Status and progress are read-only fields; they change only with a
  follow-up (the form's "Record a follow-up" section or the changelist action).
* The audit trail is append-only. Follow-ups can be corrected or deleted by a superuser only, and
  nobody but a superuser may revert a record from its history; nobody at all may revert a
  commitment, because a revert would change its status without a follow-up.

Changelists issue a fixed number of queries whatever the page size: foreign keys shown in a
column are in `list_select_related`, counts are correlated subqueries annotated on the queryset,
many-to-many columns are prefetched, and list filters and widgets that label objects by a related
row (an agency by its party, a meeting by its group) load that row in the same query.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AdminURLFieldWidget,
    AutocompleteSelect,
)
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Person,
    SourceDocument,
    Status,
    WorkingGroup,
)
from .rules import not_in_future

# --------------------------------------------------------------------------- shared helpers


def _count(model: type[models.Model], fk: str) -> Coalesce:
    """COUNT(*) of `model` rows pointing at the outer row, as a correlated subquery.

    Unlike `Count()` over a join, several of these on one queryset do not multiply each other,
    and they cost no query per row."""
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


# How each model's __str__ reaches related rows: loaded in the same query wherever the admin
# labels objects (list filters, autocomplete results, the selected values of widgets).
_LABEL_JOINS: dict[type[models.Model], tuple[str, ...]] = {
    Agency: ("party",),
    Meeting: ("working_group",),
    Membership: ("user", "working_group"),
    Participation: ("person",),
    FollowUp: ("commitment", "author"),
}


def _labelled(model: type[models.Model]) -> models.QuerySet:
    return model._default_manager.select_related(*_LABEL_JOINS.get(model, ()))


def related_filter(*, only_used: bool = False) -> type[admin.RelatedFieldListFilter]:
    """A related-object list filter that labels its choices without a query per choice.

    `only_used` offers only the objects the changelist's rows point at (like Django's
    RelatedOnlyFieldListFilter), for long lists such as users."""

    class Filter(admin.RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            queryset = _labelled(field.related_model)
            ordering = self.field_admin_ordering(field, request, model_admin)
            if ordering:
                queryset = queryset.order_by(*ordering)
            if only_used:
                used = (
                    model_admin.get_queryset(request)
                    .prefetch_related(None)
                    .order_by()
                    .values_list(f"{self.field_path}__pk", flat=True)
                )
                queryset = queryset.filter(pk__in=used)
            return [(obj.pk, str(obj)) for obj in queryset]

    return Filter


class TrackerAdmin(SimpleHistoryAdmin):
    """Base for every model admin: history view, read-only history for non-superusers.

    django-simple-history lets anyone with change permission revert a record from its history
    page (and its history form view saves a POST without checking `revert_disabled`). Here only
    a superuser may revert, and a POST from anyone else is refused with 403."""

    list_per_page = 50
    save_on_top = True
    formfield_overrides = {
        models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"},
    }

    def has_change_history_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_history_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied("Only a superuser may revert a record to an earlier version.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in _LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = _labelled(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in _LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = _labelled(db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected option with the object the inline already
    loaded for its row (`preloaded`), instead of querying for it: one query per inline row
    otherwise, on a page that lists every member of a working group."""

    preloaded: models.Model | None = None

    def optgroups(self, name, value, attr=None):
        obj = self.preloaded
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if obj is None or selected != {str(obj.pk)}:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(obj)
        options.append(self.create_option(name, obj.pk, label, True, len(options)))
        return [(None, options, 0)]


class PreloadedLabelsFormSet(BaseInlineFormSet):
    """Hands each existing row's related objects to its `PreloadedAutocompleteSelect`s."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is not None:
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)  # the admin's wrapper
                if isinstance(widget, PreloadedAutocompleteSelect):
                    widget.preloaded = getattr(form.instance, name)
        return form


class LabelledInline:
    """Inline mixin: the label joins of `TrackerAdmin`, and autocompletes that label existing
    rows from the inline's own query (select_related the autocomplete fields in get_queryset)."""

    formset = PreloadedLabelsFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in _LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = _labelled(db_field.related_model)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _changelist_link(model: type[models.Model], text: str, **params: Any) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(params), text)


# --------------------------------------------------------------------------- parties and people


@admin.register(Party)
class PartyAdmin(TrackerAdmin):
    list_display = ("name", "code", "agency_count")
    search_fields = ("name", "code")
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agency_count=_count(Agency, "party"))

    @admin.display(description="Agencies", ordering="agency_count")
    def agency_count(self, obj: Party) -> int:
        return obj.agency_count


@admin.register(Agency)
class AgencyAdmin(TrackerAdmin):
    list_display = ("acronym", "name", "party", "people_count", "commitments_led_count")
    list_display_links = ("acronym", "name")
    list_filter = ("party",)
    list_select_related = ("party",)
    search_fields = ("acronym", "name", "party__name", "party__code")
    autocomplete_fields = ("party",)
    ordering = ("party__name", "acronym")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("party")
            .annotate(
                people_count=_count(Person, "agency"),
                commitments_led_count=_count(Commitment.lead_agencies.through, "agency"),
            )
        )

    @admin.display(description="People", ordering="people_count")
    def people_count(self, obj: Agency) -> int:
        return obj.people_count

    @admin.display(description="Commitments led", ordering="commitments_led_count")
    def commitments_led_count(self, obj: Agency) -> int:
        return obj.commitments_led_count


@admin.register(Person)
class PersonAdmin(TrackerAdmin):
    list_display = ("name", "title", "agency")
    list_filter = (("agency__party", related_filter()), ("agency", related_filter()))
    list_select_related = ("agency__party",)
    search_fields = ("name", "title", "agency__acronym", "agency__name")
    autocomplete_fields = ("agency",)
    ordering = ("name",)


# --------------------------------------------------------------------------- working groups


class ActionAreaInline(admin.TabularInline):
    model = ActionArea
    fields = ("order", "code", "name", "slug", "keywords")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    show_change_link = True


class MembershipInline(LabelledInline, admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "working_group")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(TrackerAdmin):
    list_display = (
        "name",
        "short_name",
        "slug",
        "member_count",
        "meeting_count",
        "commitment_count",
        "created_at",
    )
    search_fields = ("name", "short_name", "slug", "description")
    autocomplete_fields = ("parties", "lead_agencies")
    prepopulated_fields = {"slug": ("short_name",)}
    readonly_fields = ("created_at",)
    inlines = (ActionAreaInline, MembershipInline)
    ordering = ("name",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=_count(Membership, "working_group"),
                meeting_count=_count(Meeting, "working_group"),
                commitment_count=_count(Commitment, "working_group"),
            )
        )

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: WorkingGroup) -> str:
        return _changelist_link(Membership, str(obj.member_count), working_group__id__exact=obj.pk)

    @admin.display(description="Meetings", ordering="meeting_count")
    def meeting_count(self, obj: WorkingGroup) -> str:
        return _changelist_link(Meeting, str(obj.meeting_count), working_group__id__exact=obj.pk)

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: WorkingGroup) -> str:
        return _changelist_link(
            Commitment, str(obj.commitment_count), working_group__id__exact=obj.pk
        )


@admin.register(Membership)
class MembershipAdmin(TrackerAdmin):
    list_display = ("user", "user_full_name", "working_group", "role", "created_at")
    list_filter = ("role", "working_group")
    list_select_related = ("user", "working_group")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "working_group__short_name",
        "working_group__name",
    )
    autocomplete_fields = ("user", "working_group")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    ordering = ("working_group__name", "user__username")

    @admin.display(description="Name", ordering="user__last_name")
    def user_full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()


@admin.register(ActionArea)
class ActionAreaAdmin(TrackerAdmin):
    list_display = ("name", "code", "working_group", "order", "commitment_count", "keyword_list")
    list_filter = ("working_group",)
    list_select_related = ("working_group",)
    search_fields = ("name", "code", "slug", "description", "working_group__short_name")
    autocomplete_fields = ("working_group",)
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("working_group__name", "order", "name")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(commitment_count=_count(Commitment, "action_area"))
        )

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: ActionArea) -> str:
        return _changelist_link(
            Commitment, str(obj.commitment_count), action_area__id__exact=obj.pk
        )

    @admin.display(description="Keywords")
    def keyword_list(self, obj: ActionArea) -> str:
        return Truncator(", ".join(obj.keywords or [])).chars(80)


# --------------------------------------------------------------------------- sources and meetings


@admin.register(SourceDocument)
class SourceDocumentAdmin(TrackerAdmin):
    list_display = ("title", "publisher", "kind", "published_on", "working_group", "has_text")
    list_filter = ("kind", "working_group", "publisher")
    list_select_related = ("working_group",)
    search_fields = ("title", "publisher", "url")
    autocomplete_fields = ("working_group",)
    date_hierarchy = "published_on"
    ordering = ("-published_on", "title")

    @admin.display(description="Text pasted", boolean=True)
    def has_text(self, obj: SourceDocument) -> bool:
        return bool(obj.text)


class ParticipationInline(LabelledInline, admin.TabularInline):
    model = Participation
    fields = ("person", "role")
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows and changes none of them: the rows are written
    elsewhere (follow-ups through the services, commitments on their own page)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CommitmentSummaryInline(ReadOnlyInline):
    """What the meeting agreed, read-only: commitments are changed on their own page."""

    model = Commitment
    fields = ("reference", "title", "action_area", "status", "progress", "due_date")
    readonly_fields = fields
    verbose_name_plural = "Commitments agreed at this meeting"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action_area", "working_group")


@admin.register(Meeting)
class MeetingAdmin(TrackerAdmin):
    list_display = (
        "number",
        "title",
        "working_group",
        "start_date",
        "end_date",
        "location",
        "format",
        "participant_count",
        "commitment_count",
    )
    list_display_links = ("number", "title")
    list_filter = ("working_group", "format")
    list_select_related = ("working_group",)
    search_fields = ("title", "location", "summary", "working_group__short_name")
    autocomplete_fields = ("working_group", "opened_by", "source_documents")
    date_hierarchy = "start_date"
    inlines = (ParticipationInline, CommitmentSummaryInline)
    ordering = ("working_group__name", "-start_date")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("working_group")
            .annotate(
                participant_count=_count(Participation, "meeting"),
                commitment_count=_count(Commitment, "meeting"),
            )
        )

    @admin.display(description="Participants", ordering="participant_count")
    def participant_count(self, obj: Meeting) -> int:
        return obj.participant_count

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: Meeting) -> str:
        return _changelist_link(Commitment, str(obj.commitment_count), meeting__id__exact=obj.pk)


@admin.register(Participation)
class ParticipationAdmin(TrackerAdmin):
    list_display = ("person", "role", "meeting")
    list_filter = ("role", "meeting__working_group", ("meeting", related_filter()))
    list_select_related = ("person", "meeting__working_group")
    search_fields = ("person__name", "person__title", "meeting__title")
    autocomplete_fields = ("meeting", "person")
    ordering = ("meeting", "role", "person__name")


# --------------------------------------------------------------------------- commitments


class _DryRun(Exception):
    """Raised to roll back the savepoint of a validation-only run of the services."""


# Service error keys that the follow-up fields of the form answer for.
_FOLLOW_UP_FIELDS = {
    "status": "new_status",
    "progress": "new_progress",
    "note": "follow_up_note",
    "occurred_on": "follow_up_occurred_on",
    "evidence_url": "follow_up_evidence_url",
    "external_reference": "follow_up_external_reference",
}

_CREATE_FIELDS = (
    "working_group",
    "action_area",
    "meeting",
    "title",
    "description",
    "lead_agencies",
    "owner",
    "priority",
    "due_date",
    "source_document",
    "source_locator",
    "source_excerpt",
)
_UPDATE_FIELDS = tuple(f for f in _CREATE_FIELDS if f not in ("working_group", "lead_agencies"))


def _conflict_message(exc: services.ConflictError) -> str:
    changes = exc.changes_since()
    lines = [
        f"{exc.current.reference} was changed by someone else while you were editing it "
        f"(you loaded version {exc.expected_version}, it is now at version "
        f"{exc.current.version}). Nothing was saved. Open it again to see the current state, "
        "then redo your change."
    ]
    for follow_up in changes:
        lines.append(
            f"{follow_up.author} on {follow_up.occurred_on}: {Truncator(follow_up.note).chars(80)}"
        )
    return " · ".join(lines)


class CommitmentAdminForm(forms.ModelForm):
    """The commitment form writes only through the services, and never half-writes.

    How a save works:

    1. Validation (`_post_clean`, run by `is_valid()`) first lets the ModelForm check the fields
       as usual. If they pass, it runs `apply()` — the very service calls a save would make —
       inside a savepoint that is always rolled back (a dry run). Every ValidationError,
       ConflictError (stale version) or PermissionDenied the services raise becomes a form error
       next to the field it concerns, so a bad change re-renders the form with the user's input
       kept instead of failing with a 500.
    2. Only when the form and all inline formsets are valid does the admin call `save_model`,
       which runs `apply()` for real.

    Why this cannot half-write: the admin runs a POST to the change form inside one transaction
    (`ModelAdmin.changeform_view`), from validation to the response. Before the dry run, the form
    locks the row the services will lock (the commitment, or the working group for a new one),
    so nobody can change it between the dry run and the real run (PostgreSQL keeps a row lock
    taken before a savepoint when the savepoint, which updated the row, is rolled back; checked
    on PostgreSQL 15): the real run sees exactly the
    state the dry run validated and succeeds the same way. Should it fail anyway, the exception
    rolls back the whole admin transaction: nothing of it is stored. `apply()` itself is atomic,
    so outside the admin a commitment update and its follow-up are still stored together or not
    at all. (On SQLite the IMMEDIATE transaction takes the write lock up front, which serialises
    writers the same way.)
    """

    actor = None  # the admin user; CommitmentAdmin.get_form binds it

    class Meta:
        model = Commitment
        fields = _CREATE_FIELDS  # the admin narrows this to its fieldsets

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
            with transaction.atomic():
                self.apply()
                raise _DryRun
        except _DryRun:
            pass
        except services.ConflictError as exc:
            self.add_error(None, _conflict_message(exc))
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

    def apply(self) -> Commitment:
        data = {
            name: self.cleaned_data[name] for name in _CREATE_FIELDS if name in self.cleaned_data
        }
        return services.commitment_create(**data, actor=self.actor)


class CommitmentChangeForm(CommitmentAdminForm):
    """Descriptive fields go to `services.commitment_update`; a new status, a new progress or a
    note go to `services.follow_up_record`. Both carry the version the form was loaded with."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    new_status = forms.ChoiceField(
        choices=[("", "— unchanged —"), *Status.choices],
        required=False,
        label="New status",
    )
    new_progress = forms.IntegerField(
        min_value=0,
        max_value=100,
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

    @transaction.atomic
    def apply(self) -> Commitment:
        data = self.cleaned_data
        version = data["expected_version"]
        # A copy: the services hand fresh state back to the object they are given, and the
        # form's instance must keep showing what is stored should the page be shown again.
        commitment = copy.copy(self.instance)
        changes = {f: data[f] for f in _UPDATE_FIELDS if f in data and f in self.changed_data}
        lead_agencies = data["lead_agencies"] if "lead_agencies" in self.changed_data else None
        if changes or lead_agencies is not None:
            commitment = services.commitment_update(
                commitment=commitment,
                expected_version=version,
                actor=self.actor,
                lead_agencies=lead_agencies,
                **changes,
            )
            version = commitment.version
        if self.wants_follow_up():
            services.follow_up_record(
                commitment=commitment,
                author=self.actor,
                note=data.get("follow_up_note") or "",
                expected_version=version,
                occurred_on=data.get("follow_up_occurred_on"),
                status=data.get("new_status") or None,
                progress=data.get("new_progress"),
                evidence_url=data.get("follow_up_evidence_url") or "",
                external_reference=data.get("follow_up_external_reference") or "",
            )
        return commitment


class FollowUpInline(ReadOnlyInline):
    """A commitment's log, newest first, read-only: follow-ups are added with the form above."""

    model = FollowUp
    fields = ("occurred_on", "author", "change", "note", "evidence", "created_at")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name_plural = "Follow-ups, newest first"

    def get_queryset(self, request):
        # The commitment too: each row's heading is the follow-up's __str__.
        return super().get_queryset(request).select_related("author", "commitment")

    @admin.display(description="Change")
    def change(self, obj: FollowUp) -> str:
        return follow_up_change(obj)

    @admin.display(description="Evidence")
    def evidence(self, obj: FollowUp) -> str:
        if not obj.evidence_url:
            return obj.external_reference or "–"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            obj.evidence_url,
            obj.external_reference or "link",
        )


def follow_up_change(obj: FollowUp) -> str:
    parts = []
    if obj.status_changed:
        parts.append(
            f"{Status(obj.status_before).label if obj.status_before else '?'} → "
            f"{Status(obj.status_after).label}"
        )
    if obj.progress_changed:
        parts.append(f"{obj.progress_before}% → {obj.progress_after}%")
    return "; ".join(parts) or "–"


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("30d", "Due in the next 30 days"),
            ("none", "No due date"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "30d":
            return queryset.due_within(today, 30)
        if self.value() == "none":
            return queryset.filter(due_date__isnull=True)
        return queryset


class ChangeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "— choose —"), *Status.choices], label="New status")
    progress = forms.IntegerField(
        min_value=0,
        max_value=100,
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


@admin.register(Commitment)
class CommitmentAdmin(TrackerAdmin):
    form = CommitmentChangeForm
    list_display = (
        # The reference names the group, the meeting and the area: DPEWG-1-PC-01.
        "reference",
        "short_title",
        "status",
        "progress_percent",
        "priority",
        "due_date",
        "owner",
        "lead_agency_list",
        "follow_up_count",
        "last_activity",
    )
    list_display_links = ("reference", "short_title")
    list_filter = (
        "status",
        "priority",
        DueFilter,
        "working_group",
        "action_area",
        ("meeting", related_filter()),
        ("lead_agencies", related_filter()),
        ("owner", related_filter(only_used=True)),
    )
    list_select_related = ("owner",)
    search_fields = (
        "reference",
        "title",
        "description",
        "source_excerpt",
        "lead_agencies__acronym",
        "lead_agencies__name",
    )
    search_help_text = "Reference, title, description, agreed text or lead agency."
    autocomplete_fields = (
        "working_group",
        "action_area",
        "meeting",
        "lead_agencies",
        "owner",
        "source_document",
    )
    date_hierarchy = "due_date"
    ordering = ("working_group__name", "reference")
    actions = ("change_status",)
    history_list_display = ("status", "progress", "version")
    inlines = (FollowUpInline,)
    readonly_fields = (
        "reference",
        "working_group",
        "status",
        "progress_percent",
        "version",
        "last_activity_at",
        "created_at",
        "updated_at",
        "all_follow_ups",
    )
    _what = ("title", "description", "action_area", "meeting")
    _who = ("lead_agencies", "owner", "priority", "due_date")
    _source = ("source_document", "source_locator", "source_excerpt")

    # ---- forms: which fields, and how they are saved

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ("working_group", *self._what)}),
                ("Responsibility", {"fields": self._who}),
                ("Source", {"fields": self._source}),
            ]
        return [
            (None, {"fields": ("reference", "working_group", *self._what, "expected_version")}),
            ("Responsibility", {"fields": self._who}),
            (
                "State",
                {
                    "fields": (("status", "progress_percent"), ("version", "last_activity_at")),
                    "description": "Status and progress change only with a follow-up, below.",
                },
            ),
            (
                "Record a follow-up",
                {
                    "fields": (
                        ("new_status", "new_progress"),
                        "follow_up_note",
                        "follow_up_occurred_on",
                        ("follow_up_evidence_url", "follow_up_external_reference"),
                    ),
                    "description": "Fill in to log what happened; a new status or progress "
                    "needs a note. Saved together with any other change on this page.",
                },
            ),
            ("Source", {"fields": self._source, "classes": ("collapse",)}),
            (
                "Record",
                {"fields": (("created_at", "updated_at"), "all_follow_ups")},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.readonly_fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "title":
            field.widget.attrs["class"] = "vLargeTextField"  # titles run to a full sentence
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CommitmentChangeForm if obj is not None else CommitmentAddForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user})

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        """Write through the services (see `CommitmentAdminForm`), then show what is stored."""
        saved = form.apply()
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Lead agencies went to the service in save_model: no form.save_m2m() here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_change_history_permission(self, request, obj=None) -> bool:
        # A revert would restore an old status and progress without a follow-up.
        return False

    # ---- changelist

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("lead_agencies", queryset=Agency.objects.select_related("party"))
            )
            .annotate(follow_up_count=_count(FollowUp, "commitment"))
        )

    @admin.display(description="Title", ordering="title")
    def short_title(self, obj: Commitment) -> str:
        return Truncator(obj.title).chars(70)

    # The history view prefers these methods to the raw values of its `history_list_display`
    # columns (it passes historical records, which have the same fields); lists and forms show
    # model fields themselves, so they use `progress_percent`.
    @admin.display(description="Status")
    def status(self, obj: Commitment) -> str:
        return obj.get_status_display()

    @admin.display(description="Progress")
    def progress(self, obj: Commitment) -> str:
        return f"{obj.progress}%"

    @admin.display(description="Progress", ordering="progress")
    def progress_percent(self, obj: Commitment) -> str:
        return f"{obj.progress}%"

    @admin.display(description="Lead agencies")
    def lead_agency_list(self, obj: Commitment) -> str:
        return ", ".join(agency.acronym for agency in obj.lead_agencies.all()) or "–"

    @admin.display(description="Last activity", ordering="last_activity_at")
    def last_activity(self, obj: Commitment) -> datetime.date:
        return timezone.localtime(obj.last_activity_at).date()

    @admin.display(description="Follow-ups", ordering="follow_up_count")
    def follow_up_count(self, obj: Commitment) -> str:
        return _changelist_link(FollowUp, str(obj.follow_up_count), commitment__id__exact=obj.pk)

    @admin.display(description="Follow-ups")
    def all_follow_ups(self, obj: Commitment) -> str:
        return _changelist_link(
            FollowUp, "All follow-ups of this commitment", commitment__id__exact=obj.pk
        )

    # ---- the bulk action

    @admin.action(description="Change status (records a follow-up)", permissions=["change"])
    def change_status(self, request, queryset):
        """Record the same follow-up on each selected commitment via `follow_up_record`.

        The confirmation page carries each commitment's version as it was shown, so a commitment
        someone else changes in between is refused (reported as a conflict), not overwritten."""
        commitments = list(queryset.select_related("working_group").order_by("reference"))
        form = ChangeStatusForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._apply_status_change(request, commitments, form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Change status (records a follow-up)",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "commitments": commitments,
            "versions": {c.pk: request.POST.get(f"version_{c.pk}", c.version) for c in commitments},
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/commitments/commitment/change_status.html", context)

    def _apply_status_change(self, request, commitments, data) -> None:
        done, conflicts, refused = [], [], []
        for commitment in commitments:
            try:
                expected_version = int(request.POST[f"version_{commitment.pk}"])
            except (KeyError, ValueError):
                refused.append(f"{commitment.reference}: the page did not say which version.")
                continue
            try:
                services.follow_up_record(
                    commitment=commitment,
                    author=request.user,
                    note=data["note"],
                    expected_version=expected_version,
                    occurred_on=data["occurred_on"],
                    status=data["status"],
                    progress=data["progress"],
                )
            except services.ConflictError as exc:
                conflicts.append(
                    f"{commitment.reference} (now {exc.current.get_status_display().lower()}, "
                    f"{exc.current.progress}%)"
                )
            except (ValidationError, PermissionDenied) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                refused.append(f"{commitment.reference}: {text}")
            else:
                done.append(commitment.reference)
        if done:
            self.message_user(
                request,
                f"Recorded a follow-up on {len(done)} commitment(s): {', '.join(done)}.",
                messages.SUCCESS,
            )
        if conflicts:
            self.message_user(
                request,
                "Not changed, because someone else changed them after you opened the page: "
                f"{', '.join(conflicts)}. Review them and try again.",
                messages.WARNING,
            )
        for text in refused:
            self.message_user(request, f"Not changed: {text}", messages.ERROR)


@admin.register(FollowUp)
class FollowUpAdmin(TrackerAdmin):
    """The business log. Nobody adds one here (use the commitment's form or the analysts'
    pages); only a superuser may correct the wording of one or delete one."""

    list_display = (
        "commitment_reference",
        "occurred_on",
        "author",
        "change",
        "short_note",
        "external_reference",
        "created_at",
    )
    list_display_links = ("commitment_reference", "occurred_on")
    list_filter = (
        "status_after",
        "commitment__working_group",
        ("author", related_filter(only_used=True)),
    )
    list_select_related = ("commitment", "author")
    search_fields = ("note", "commitment__reference", "external_reference", "author__username")
    search_help_text = "Note, commitment reference, external reference or author."
    date_hierarchy = "occurred_on"
    ordering = ("-created_at", "-id")
    history_list_display = ("note",)
    readonly_fields = (
        "commitment",
        "author",
        "created_at",
        "commitment_version",
        "status_before",
        "status_after",
        "progress_before",
        "progress_after",
    )
    fields = (
        ("commitment", "commitment_version"),
        ("author", "created_at"),
        "occurred_on",
        ("status_before", "status_after"),
        ("progress_before", "progress_after"),
        "note",
        ("evidence_url", "external_reference"),
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.display(description="Commitment", ordering="commitment__reference")
    def commitment_reference(self, obj: FollowUp) -> str:
        return obj.commitment.reference

    @admin.display(description="Change")
    def change(self, obj: FollowUp) -> str:
        return follow_up_change(obj)

    @admin.display(description="Note")
    def short_note(self, obj: FollowUp) -> str:
        return Truncator(obj.note).chars(90)


# --------------------------------------------------------------------------- indicators


class MeasurementInline(admin.TabularInline):
    model = Measurement
    fields = ("period_end", "value", "note", "entered_by", "created_at")
    readonly_fields = ("entered_by", "created_at")
    extra = 0

    def get_queryset(self, request):
        # The indicator too: each row's heading is the measurement's __str__.
        return super().get_queryset(request).select_related("entered_by", "indicator")


@admin.register(Indicator)
class IndicatorAdmin(TrackerAdmin):
    list_display = (
        "name",
        "working_group",
        "action_area",
        "commitment_reference",
        "unit",
        "baseline",
        "target",
        "target_date",
        "direction",
        "latest_value",
        "measurement_count",
    )
    list_filter = ("working_group", "action_area", "direction")
    list_select_related = ("working_group", "action_area", "commitment")
    search_fields = ("name", "description", "unit", "commitment__reference")
    autocomplete_fields = ("working_group", "action_area", "commitment")
    date_hierarchy = "target_date"
    inlines = (MeasurementInline,)
    ordering = ("working_group__name", "name")

    def get_queryset(self, request):
        latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
        return (
            super()
            .get_queryset(request)
            .annotate(
                measurement_count=_count(Measurement, "indicator"),
                latest_value=Subquery(latest.values("value")[:1]),
                latest_period_end=Subquery(latest.values("period_end")[:1]),
            )
        )

    def save_formset(self, request, form, formset, change):
        for measurement in formset.save(commit=False):
            if measurement.pk is None:
                measurement.entered_by = request.user
            measurement.save()
        for measurement in formset.deleted_objects:
            measurement.delete()

    @admin.display(description="Commitment", ordering="commitment__reference")
    def commitment_reference(self, obj: Indicator) -> str:
        return obj.commitment.reference if obj.commitment else "–"

    @admin.display(description="Latest value", ordering="latest_period_end")
    def latest_value(self, obj: Indicator) -> str:
        if obj.latest_value is None:
            return "–"
        return f"{obj.latest_value} {obj.unit} ({obj.latest_period_end})"

    @admin.display(description="Measurements", ordering="measurement_count")
    def measurement_count(self, obj: Indicator) -> str:
        return _changelist_link(
            Measurement, str(obj.measurement_count), indicator__id__exact=obj.pk
        )


@admin.register(Measurement)
class MeasurementAdmin(TrackerAdmin):
    list_display = ("indicator", "period_end", "value", "unit", "entered_by", "created_at")
    list_filter = ("indicator__working_group", "indicator")
    list_select_related = ("indicator", "entered_by")
    search_fields = ("indicator__name", "note")
    autocomplete_fields = ("indicator",)
    readonly_fields = ("entered_by", "created_at")
    date_hierarchy = "period_end"
    ordering = ("indicator__name", "-period_end")

    @admin.display(description="Unit", ordering="indicator__unit")
    def unit(self, obj: Measurement) -> str:
        return obj.indicator.unit

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
