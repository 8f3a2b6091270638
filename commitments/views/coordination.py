"""The coordinators' pages: record a meeting, add the commitments it agreed, edit or withdraw
one, and indicators. Coordinators of the group (and superusers) only: a stranger gets 404,
any other member 403 (`access`, need=coordinator). Plain forms with POST-redirect-GET; errors
come back next to the fields with the input kept; every write goes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, selectors, services
from ..forms import (
    CommitmentCreateForm,
    CommitmentEditForm,
    GroupChoices,
    IndicatorForm,
    MeetingForm,
    ParticipantFormSet,
    WithdrawForm,
)
from ..models import MeetingFormat, MembershipRole, SourceDocument

COORDINATOR = MembershipRole.COORDINATOR
PARTICIPANT_ROWS = 4  # blank participant rows a form offers; "Add more rows" adds as many


# --------------------------------------------------------------------------- meetings


def _participants(request: HttpRequest, group, meeting=None):
    """The participants' formset: bound to the POST (with more blank rows when the user asked
    for them), or the meeting's participants plus blank rows."""
    kwargs = {"prefix": "participants", "form_kwargs": {"choices": GroupChoices(group)}}
    if request.method == "POST":
        data = request.POST
        if "more_rows" in data:
            data = data.copy()
            total = int(data.get("participants-TOTAL_FORMS") or 0)
            data["participants-TOTAL_FORMS"] = str(min(total + PARTICIPANT_ROWS, 100))
        return ParticipantFormSet(data, **kwargs)
    initial = []
    if meeting is not None:
        initial = [
            {"person": p.person_id, "role": p.role}
            for p in meeting.participations.order_by("role", "person__name")
        ]
    initial += [{} for _ in range(PARTICIPANT_ROWS)]
    return ParticipantFormSet(initial=initial, **kwargs)


def _meeting_page(request, group_access, form, formset, meeting=None, status=200):
    return render(
        request,
        "commitments/meeting_form.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "form": form,
            "formset": formset,
            "meeting": meeting,
        },
        status=status,
    )


def _save_meeting(request, group_access, form, formset, meeting=None):
    """Validate and save through the services: the saved meeting, or None (errors shown)."""
    if "more_rows" in request.POST or not (form.is_valid() & formset.is_valid()):
        return None
    participants = [p for p in (f.participant() for f in formset.forms) if p]
    try:
        kwargs = {
            "participants": participants,
            "source_documents": form.cleaned_data["source_documents"],
            "new_document": form.new_document(),
            "actor": request.user,
            **form.meeting_fields(),
        }
        if meeting is None:
            return services.meeting_record(working_group=group_access.group, **kwargs)
        return services.meeting_revise(meeting=meeting, **kwargs)
    except ValidationError as error:
        form.add_service_errors(error, {"participants": None})
        return None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug, need=COORDINATOR)
    group = group_access.group
    formset = _participants(request, group)
    if request.method == "POST":
        form = MeetingForm(request.POST, group=group)
        meeting = _save_meeting(request, group_access, form, formset)
        if meeting is not None:
            messages.success(
                request,
                f"Meeting {meeting.number} is recorded. Add the commitments it agreed below.",
            )
            return redirect(meeting)
        form.focus_first_error()
    else:
        form = MeetingForm(
            group=group,
            initial={
                "number": selectors.next_meeting_number(group),
                "format": MeetingFormat.IN_PERSON,
            },
        )
    return _meeting_page(request, group_access, form, formset)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    group_access, meeting = access.get_meeting_for_user(
        request.user, slug, number, need=COORDINATOR
    )
    group = group_access.group
    formset = _participants(request, group, meeting)
    if request.method == "POST":
        form = MeetingForm(request.POST, group=group)
        saved = _save_meeting(request, group_access, form, formset, meeting)
        if saved is not None:
            messages.success(request, f"Meeting {saved.number} is updated.")
            return redirect(saved)
        form.focus_first_error()
    else:
        initial = {
            name: getattr(meeting, name)
            for name in ("number", "title", "start_date", "end_date", "location", "format")
        }
        initial["summary"] = meeting.summary
        initial["source_documents"] = list(meeting.source_documents.values_list("pk", flat=True))
        form = MeetingForm(group=group, initial=initial)
    return _meeting_page(request, group_access, form, formset, meeting)


# --------------------------------------------------------------------------- commitments


def _commitment_page(request, group_access, form, *, meeting=None, commitment=None, **extra):
    status = extra.pop("status", 200)
    context = {
        "group": group_access.group,
        "group_access": group_access,
        "form": form,
        "meeting": meeting,
        "commitment": commitment,
        **extra,
    }
    return render(request, "commitments/commitment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A commitment agreed at this meeting. "Save and add another" comes back to the form
    with the meeting, the area and the source document kept."""
    group_access, meeting = access.get_meeting_for_user(
        request.user, slug, number, need=COORDINATOR
    )
    group = group_access.group
    if request.method == "POST":
        form = CommitmentCreateForm(request.POST, group=group)
        if form.is_valid():
            try:
                commitment = services.commitment_create(
                    working_group=group,
                    meeting=meeting,
                    lead_agencies=form.lead_agencies(),
                    actor=request.user,
                    **form.commitment_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, f"{commitment.reference} “{commitment.title}” is recorded."
                )
                if "another" in request.POST:
                    keep = {"area": commitment.action_area.slug}
                    if commitment.source_document_id:
                        keep["source"] = commitment.source_document_id
                    url = reverse("commitments:commitment_create", args=[slug, number])
                    return redirect(f"{url}?{urlencode(keep)}")
                return redirect(commitment)
        form.focus_first_error()
    else:
        initial = {"priority": "medium"}
        area = selectors.area_by_slug(group=group, slug=request.GET.get("area", ""))
        if area is not None:
            initial["action_area"] = area.pk
        source = request.GET.get("source", "")
        if source.isdigit() and SourceDocument.objects.in_group(group).filter(pk=source).exists():
            initial["source_document"] = int(source)
        form = CommitmentCreateForm(group=group, initial=initial)
    return _commitment_page(request, group_access, form, meeting=meeting)


def _edit_page(request, group_access, commitment, *, form=None, withdraw=None, **extra):
    form = form or CommitmentEditForm(
        group=group_access.group,
        initial=CommitmentEditForm.initial_for(
            commitment, selectors.lead_agencies(commitment=commitment)
        ),
    )
    withdraw = withdraw or WithdrawForm(initial={"version": commitment.version})
    return _commitment_page(
        request,
        group_access,
        form,
        commitment=commitment,
        meeting=commitment.meeting,
        withdraw=withdraw,
        **extra,
    )


def _conflict_data(request: HttpRequest, error: services.ConflictError) -> QueryDict:
    """The user's input, carrying the version now stored: saving again applies it on top."""
    data = request.POST.copy()
    data["version"] = str(error.current.version)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Edit a commitment's details with the version the user saw; what changes, and why,
    goes to its timeline. A conflict shows what changed meanwhile, with the input kept."""
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=COORDINATOR
    )
    if request.method == "GET":
        return _edit_page(request, group_access, commitment)
    form = CommitmentEditForm(request.POST, group=group_access.group)
    if form.is_valid():
        try:
            services.commitment_update(
                commitment=commitment,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                lead_agencies=form.lead_agencies(),
                reason=form.cleaned_data["reason"],
                **form.commitment_fields(),
            )
        except services.ConflictError as error:
            conflict = services.Conflict.from_error(error)
            form = CommitmentEditForm(_conflict_data(request, error), group=group_access.group)
            form.is_valid()
            return _edit_page(
                request,
                group_access,
                error.current,
                form=form,
                conflict=conflict,
                status=409,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{commitment.reference} is updated.")
            return redirect(commitment)
    form.focus_first_error()
    return _edit_page(request, group_access, commitment, form=form)


@login_required
@require_POST
def commitment_withdraw(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Withdraw a commitment: a status change to “Withdrawn” with a reason, in its timeline."""
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=COORDINATOR
    )
    withdraw = WithdrawForm(request.POST)
    if withdraw.is_valid():
        try:
            services.commitment_withdraw(
                commitment=commitment,
                author=request.user,
                reason=withdraw.cleaned_data["reason"],
                expected_version=withdraw.cleaned_data["version"],
            )
        except services.ConflictError as error:
            withdraw = WithdrawForm(_conflict_data(request, error))
            withdraw.is_valid()
            return _edit_page(
                request,
                group_access,
                error.current,
                withdraw=withdraw,
                conflict=services.Conflict.from_error(error),
                status=409,
            )
        except ValidationError as error:
            withdraw.add_service_errors(error, {"note": "reason"})
        else:
            messages.success(request, f"{commitment.reference} is withdrawn.")
            return redirect(commitment)
    withdraw.focus_first_error()
    return _edit_page(request, group_access, commitment, withdraw=withdraw)


# --------------------------------------------------------------------------- indicators


def _indicator_page(request, group_access, form, indicator=None):
    return render(
        request,
        "commitments/indicator_form.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "form": form,
            "indicator": indicator,
        },
    )


def _after_indicator(indicator) -> str:
    if indicator.commitment_id:
        return indicator.commitment.get_absolute_url() + "#indicators"
    return indicator.action_area.get_absolute_url() + "#area-indicators"


def _indicator_saved(request, form, save) -> HttpResponse | None:
    """Save a valid indicator form with `save(**fields)` (a service): the redirect to where it
    shows, or None with the refusals on the form."""
    if form.is_valid():
        try:
            indicator = save(actor=request.user, **form.indicator_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The indicator “{indicator.name}” is saved.")
            return redirect(_after_indicator(indicator))
    form.focus_first_error()
    return None


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new indicator for an area or a commitment (`?area=<slug>` or `?commitment=<ref>`)."""
    group_access = access.get_group_for_user(request.user, slug, need=COORDINATOR)
    group = group_access.group
    if request.method == "POST":
        form = IndicatorForm(request.POST, group=group)
        saved = _indicator_saved(
            request, form, lambda **fields: services.indicator_create(working_group=group, **fields)
        )
        if saved is not None:
            return saved
    else:
        initial = {}
        area = selectors.area_by_slug(group=group, slug=request.GET.get("area", ""))
        if area is not None:
            initial["action_area"] = area.pk
        if request.GET.get("commitment"):
            initial["commitment"] = request.GET["commitment"]
        form = IndicatorForm(group=group, initial=initial)
    return _indicator_page(request, group_access, form)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group_access, indicator = access.get_indicator_for_user(
        request.user, slug, pk, need=COORDINATOR
    )
    if request.method == "POST":
        form = IndicatorForm(request.POST, group=group_access.group)
        saved = _indicator_saved(
            request,
            form,
            lambda **fields: services.indicator_update(indicator=indicator, **fields),
        )
        if saved is not None:
            return saved
    else:
        form = IndicatorForm(group=group_access.group, initial=IndicatorForm.initial_for(indicator))
    return _indicator_page(request, group_access, form, indicator)
