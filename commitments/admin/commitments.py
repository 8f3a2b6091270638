"""Admin of commitments and their follow-ups.

Commitments are written only through `commitments.services`, like every other door into the app:
see `CommitmentAdminForm` for how the admin's save goes through `commitment_create`,
`commitment_update` and `follow_up_record`, once, after the same services' checks have run
without writing. Status and progress are read-only fields; they change only with a follow-up
(the form's "Record a follow-up" section or the changelist action).

The audit trail is append-only. Follow-ups can be corrected or deleted by a superuser only, and
nobody but a superuser may revert a record from its history; nobody at all may revert a
commitment, because a revert would change its status without a follow-up.
"""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import Truncator

from .. import selectors, services
from ..models import Agency, Commitment, FollowUp
from .base import (
    GROUP_SCOPE_JS,
    GroupScopedAutocomplete,
    ServiceAdmin,
    adopt,
    changelist_link,
    count_of,
    related_filter,
    scope_autocompletes,
    skip_save_m2m,
)
from .commitment_forms import ChangeStatusForm, CommitmentAddForm, CommitmentChangeForm
from .follow_ups import FollowUpInline

# --------------------------------------------------------------------------- commitments


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
            return queryset.due_soon(today)
        if self.value() == "none":
            return queryset.filter(due_date__isnull=True)
        return queryset


@admin.register(Commitment)
class CommitmentAdmin(GroupScopedAutocomplete, ServiceAdmin):
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
    # Searched like the analysts' list (get_search_results): every word, in the full-text
    # index of the reference, title, description, agreed text, lead agencies and notes.
    search_fields = ("reference",)
    search_help_text = (
        "Every word in the reference, title, description, agreed text, lead agency or notes."
    )
    autocomplete_fields = (
        "working_group",
        "action_area",
        "meeting",
        "lead_agencies",
        "owner",
        "source_document",
    )
    # No date_hierarchy: its drill-down reads every row's date (DueFilter asks the usual
    # questions instead). The order is that of an index (group, reference): no sort of every
    # row before the first page.
    ordering = ("working_group_id", "reference")
    actions = ("change_status",)
    history_list_display = ("status", "progress", "version")
    inlines = (FollowUpInline,)
    readonly_fields = (
        "reference",
        "working_group",
        "status",
        "progress_percent",
        "version",
        "last_activity_on",
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
                "Why",
                {
                    "fields": ("edit_reason",),
                    "description": "Edits of the details appear in the commitment's timeline "
                    "for both sides, with this reason. Moving the due date needs one.",
                },
            ),
            (
                "State",
                {
                    "fields": (("status", "progress_percent"), ("version", "last_activity_on")),
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

    class Media:
        js = GROUP_SCOPE_JS

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CommitmentChangeForm if obj is not None else CommitmentAddForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        form_class = type(form_class.__name__, (form_class,), {"actor": request.user})
        # Areas, meetings, documents, lead agencies and owners of the commitment's group.
        return scope_autocompletes(
            form_class,
            ("action_area", "meeting", "lead_agencies", "owner", "source_document"),
            group_id=obj.working_group_id if obj is not None else None,
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        """Write through the services, once (see `CommitmentAdminForm`), then show what is
        stored. Lead agencies went to the service with the rest."""
        adopt(obj, form.apply())
        skip_save_m2m(form)

    def has_change_history_permission(self, request, obj=None) -> bool:
        # A revert would restore an old status and progress without a follow-up.
        return False

    # ---- changelist

    def get_search_results(self, request, queryset, search_term):
        """The list's full-text search (no join over the lead agencies, so no DISTINCT over
        every row to remove duplicates)."""
        if not search_term.strip():
            return queryset, False
        return selectors.matching(queryset, search_term), False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("lead_agencies", queryset=Agency.objects.select_related("party"))
            )
            .annotate(follow_up_count=count_of(FollowUp, "commitment"))
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

    @admin.display(description="Last activity", ordering="last_activity_on")
    def last_activity(self, obj: Commitment) -> datetime.date:
        return obj.last_activity_on

    @admin.display(description="Follow-ups", ordering="follow_up_count")
    def follow_up_count(self, obj: Commitment) -> str:
        return changelist_link(FollowUp, str(obj.follow_up_count), commitment__id__exact=obj.pk)

    @admin.display(description="Follow-ups")
    def all_follow_ups(self, obj: Commitment) -> str:
        return changelist_link(
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
