"""What every model admin shares: history rules, labels without a query per row, and the one
write path.

Every write the admin makes goes through `commitments.services`, like every other door into the
app. `ServiceAdmin` replaces the ModelAdmin methods that would save or delete a model
(`save_model`, `delete_model`, `delete_queryset`, `save_related`, `save_formset`) with calls to
the model's services, named by `WRITES`: `<noun>_create`, `<noun>_update`, `<noun>_delete`. The
ModelForm still validates first (`full_clean`), so a refusal is a form error, never a 500. A
test (tests/test_architecture.py) checks that every registered model admin and inline of the
domain does so.

Changelists issue a fixed number of queries whatever the page size: foreign keys shown in a
column are in `list_select_related`, counts are correlated subqueries annotated on the queryset,
many-to-many columns are prefetched, and list filters and widgets that label objects by a related
row (an agency by its party, a meeting by its group) load that row in the same query.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminURLFieldWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .. import services
from ..models import (
    ActionArea,
    Affiliation,
    Agency,
    Commitment,
    ComplianceReview,
    ComplianceScore,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Person,
    SourceDocument,
    WorkingGroup,
)

# --------------------------------------------------------------------------- the write path


@dataclass(frozen=True)
class Writes:
    """The services that write one model: `services.<noun>_create(actor=, **fields)`,
    `<noun>_update(<noun>=, actor=, **changes)` and `<noun>_delete(<noun>=, actor=)`."""

    noun: str

    def _service(self, verb: str):
        return getattr(services, f"{self.noun}_{verb}")

    def call_create(self, *, actor, **data: Any) -> models.Model:
        return self._service("create")(actor=actor, **data)

    def call_update(self, obj: models.Model, *, actor, **data: Any) -> models.Model:
        return self._service("update")(**{self.noun: obj}, actor=actor, **data)

    def validator(self):
        """`services.<noun>_validate`, the rules beyond the model's own, if the noun has any."""
        return getattr(services, f"{self.noun}_validate", None)

    def call_delete(self, obj: models.Model, *, actor) -> None:
        self._service("delete")(**{self.noun: obj}, actor=actor)


WRITES: dict[type[models.Model], Writes] = {
    Commitment: Writes("commitment"),
    Party: Writes("party"),
    Agency: Writes("agency"),
    Person: Writes("person"),
    SourceDocument: Writes("source_document"),
    WorkingGroup: Writes("working_group"),
    Membership: Writes("membership"),
    ActionArea: Writes("action_area"),
    Meeting: Writes("meeting"),
    Participation: Writes("participation"),
    Affiliation: Writes("affiliation"),
    Indicator: Writes("indicator"),
    Measurement: Writes("measurement"),
    ComplianceReview: Writes("compliance_review"),
    ComplianceScore: Writes("compliance_score"),
}


def form_data(form: forms.ModelForm) -> dict[str, Any]:
    """The model fields a ModelForm sets (many-to-many included), as the services take them."""
    opts = form._meta.model._meta
    names = {f.name for f in opts.get_fields() if f.concrete and not f.auto_created}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's object show what the service stored."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


def _stored(obj: models.Model) -> models.Model:
    return type(obj)._default_manager.get(pk=obj.pk)


def skip_save_m2m(form) -> None:
    # The many-to-many values went to the service with the rest; a later form.save_m2m() (the
    # admin's, or the history revert's) must not write them again, directly.
    form.save_m2m = lambda: None


def _validated_by_service(form_class: type[forms.ModelForm], writes: Writes):
    """The admin's form, which also runs the service's own checks (`<noun>_validate`) when
    the model's pass, so a refusal is a field error rather than a 500 at save time."""
    validate = writes.validator()
    if validate is None:
        return form_class
    accepted = set(inspect.signature(validate).parameters)

    def _post_clean(self):
        form_class._post_clean(self)
        if self._errors:
            return
        data = {k: v for k, v in self.cleaned_data.items() if k in accepted}
        try:
            validate(**data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)

    return type(form_class.__name__, (form_class,), {"_post_clean": _post_clean})


class ServiceWritesMixin:
    """Model admin and inline behaviour that sends every write to the model's services."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        writes = WRITES.get(self.model)
        return _validated_by_service(form_class, writes) if writes else form_class

    def save_model(self, request, obj, form, change) -> None:
        writes = WRITES[type(obj)]
        data = form_data(form)
        if change:
            saved = writes.call_update(_stored(obj), actor=request.user, **data)
        else:
            saved = writes.call_create(actor=request.user, **data)
        adopt(obj, saved)
        skip_save_m2m(form)

    def delete_model(self, request, obj) -> None:
        WRITES[type(obj)].call_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change) -> None:
        # Many-to-many values were written with the object (see save_model).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change) -> None:
        """Each inline row through its model's services: deleted, changed, added."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        writes = WRITES.get(formset.model)
        if writes is None:
            return  # a read-only inline (tests/test_architecture.py checks it is one)
        parent = {formset.fk.name: formset.instance} if hasattr(formset, "fk") else {}
        for row in formset.initial_forms:
            obj = row.instance
            if obj.pk is None:
                continue
            if formset.can_delete and formset._should_delete_form(row):
                writes.call_delete(obj, actor=request.user)
                formset.deleted_objects.append(obj)
            elif row.has_changed():
                writes.call_update(_stored(obj), actor=request.user, **form_data(row))
                formset.changed_objects.append((obj, row.changed_data))
        for row in formset.extra_forms:
            if not row.has_changed() or (formset.can_delete and formset._should_delete_form(row)):
                continue
            saved = writes.call_create(actor=request.user, **{**form_data(row), **parent})
            adopt(row.instance, saved)
            formset.new_objects.append(row.instance)
        skip_save_m2m(formset)


# --------------------------------------------------------------------------- shared helpers


def count_of(model: type[models.Model], fk: str) -> Coalesce:
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
LABEL_JOINS: dict[type[models.Model], tuple[str, ...]] = {
    Agency: ("party",),
    Meeting: ("working_group",),
    Membership: ("user", "working_group"),
    Participation: ("person",),
    FollowUp: ("commitment", "author"),
}


def labelled(model: type[models.Model]) -> models.QuerySet:
    return model._default_manager.select_related(*LABEL_JOINS.get(model, ()))


def related_filter(*, only_used: bool = False) -> type[admin.RelatedFieldListFilter]:
    """A related-object list filter that labels its choices without a query per choice.

    `only_used` offers only the objects the changelist's rows point at (like Django's
    RelatedOnlyFieldListFilter), for long lists such as users."""

    class Filter(admin.RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            queryset = labelled(field.related_model)
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


class LabelledAdmin(admin.ModelAdmin):
    """Base for every model admin: pages of 50, and related objects labelled by one join
    (`LABEL_JOINS`). A model with a history uses `TrackerAdmin`, which adds it."""

    list_per_page = 50
    save_on_top = True
    formfield_overrides = {
        models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"},
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = labelled(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = labelled(db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TrackerAdmin(SimpleHistoryAdmin, LabelledAdmin):
    """Base for the admin of a model with a history: history view, read-only history for
    non-superusers.

    django-simple-history lets anyone with change permission revert a record from its history
    page (and its history form view saves a POST without checking `revert_disabled`). Here only
    a superuser may revert, and a POST from anyone else is refused with 403."""

    def has_change_history_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_history_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied("Only a superuser may revert a record to an earlier version.")
        return super().history_form_view(request, object_id, version_id, extra_context)


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
        if db_field.related_model in LABEL_JOINS and "queryset" not in kwargs:
            kwargs["queryset"] = labelled(db_field.related_model)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GroupScopedAutocomplete:
    """Autocomplete results limited to one working group when the form says which (the
    `group` parameter that static/admin/group_scope.js adds from the form's group field):
    a commitment's area, meeting, documents, lead agencies and owner come from its group."""

    group_lookup = "working_group"

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        group = request.GET.get("group", "")
        if group.isdigit() and request.path == reverse("admin:autocomplete"):
            queryset = queryset.filter(**{self.group_lookup: int(group)})
            distinct = distinct or "__" in self.group_lookup
        return queryset, distinct


def scope_autocompletes(form_class, names, *, group_id=None, group_field="working_group"):
    """Tell the autocompletes `names` of an admin form which working group to search in: a
    fixed one (`group_id`, when the form cannot change it) or the form's own group field."""
    for name in names:
        field = form_class.base_fields.get(name)
        if field is None:
            continue
        widget = getattr(field.widget, "widget", field.widget)  # the admin's wrapper
        if group_id is not None:
            widget.attrs["data-group"] = str(group_id)
        else:
            widget.attrs["data-group-from"] = f"id_{group_field}"
    return form_class


GROUP_SCOPE_JS = ("admin/js/jquery.init.js", "admin/js/autocomplete.js", "admin/group_scope.js")


def changelist_link(model: type[models.Model], text: str, **params: Any) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(params), text)


class ServiceAdmin(ServiceWritesMixin, TrackerAdmin):
    """The base of every model admin that writes: history rules, labels, and the services."""


class ServiceInline(LabelledInline, admin.TabularInline):
    """The base of every inline that writes: labelled autocompletes; its rows are written
    through their services by the parent's `save_formset`."""

    extra = 0


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An inline that shows related rows and changes none of them: the rows are written
    elsewhere (follow-ups through the services, commitments on their own page)."""

    extra = 0
    can_delete = False
    show_change_link = True
