"""The outcome pages: an indicator with its chart and measurements, and recording or
correcting a measurement (from the indicator's page and from the commitment's page).

Members read; analysts and coordinators record and correct (`access`, need=analyst). Writes
answer htmx with the form fragment and an event that refreshes the rest of the page, and plain
browsers with POST-redirect-GET; refusals come back next to the field with the input kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event

from common.htmx import htmx_target

from .. import access, selectors, services
from ..forms import MeasurementCorrectForm, MeasurementForm
from ..models import Indicator, MembershipRole
from .workspace import _commitment_context

ANALYST = MembershipRole.ANALYST
MEASURED = "measurements-changed"
CHANGED = "commitment-changed"


def _saved_text(measurement) -> str:
    return (
        f"Value {measurement.value:g} for the period ending {measurement.period_end:%-d %b %Y} "
        f"is recorded for “{measurement.indicator.name}”."
    )


# --------------------------------------------------------------------------- indicator page


def _indicator_context(request, group_access, indicator, **extra) -> dict:
    """The indicator page's context: `extra` brings the forms of a request that came back
    with the user's input. A ?correct=<id> link opens the correction of that value."""
    group = group_access.group
    detail = selectors.indicator_detail(
        indicator=indicator, parties=selectors.group_parties(group=group)
    )
    context = {
        "group": group,
        "group_access": group_access,
        "indicator": indicator,
        "detail": detail,
    }
    if group_access.can_follow_up:
        if "form" not in extra:
            side = access.side_of(group_access, request.user)
            context["form"] = MeasurementForm(group=group, side_id=side)
        correct = request.GET.get("correct", "")
        if "correct_form" not in extra and correct.isdigit():
            chosen = next((m for m in detail.measurements if m.pk == int(correct)), None)
            if chosen is not None:
                context["correcting"] = chosen
                context["correct_form"] = MeasurementCorrectForm(
                    group=group, initial=MeasurementCorrectForm.initial_for(chosen)
                )
    context.update(extra)
    return context


@login_required
@require_safe
def indicator_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group_access, indicator = access.get_indicator_for_user(request.user, slug, pk)
    template = "commitments/indicator_detail.html"
    if htmx_target(request) == "indicator-results":
        parties = selectors.group_parties(group=group_access.group)
        return render(
            request,
            template + "#indicator-results",
            {
                "group": group_access.group,
                "group_access": group_access,
                "indicator": indicator,
                "detail": selectors.indicator_detail(indicator=indicator, parties=parties),
            },
        )
    return render(request, template, _indicator_context(request, group_access, indicator))


def _record(request, group_access, indicator: Indicator, form) -> object | None:
    """Record the form's value through the service: the measurement, or None with the
    refusals next to the fields."""
    if not form.is_valid():
        return None
    try:
        return services.measurement_record(
            indicator=indicator,
            working_group=group_access.group,
            entered_by=request.user,
            **form.service_kwargs(),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@login_required
@require_POST
def measurement_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record a value from the indicator's page."""
    group_access, indicator = access.get_indicator_for_user(request.user, slug, pk, need=ANALYST)
    form = MeasurementForm(request.POST, group=group_access.group)
    measurement = _record(request, group_access, indicator, form)
    if measurement is not None and not request.htmx:
        messages.success(request, _saved_text(measurement))
        return redirect(indicator)
    if measurement is None:
        form.focus_first_error()
    if request.htmx:
        context = {"group": group_access.group, "indicator": indicator}
        if measurement is None:
            context.update(form=form, announce=_not_saved(form))
        else:
            fresh = MeasurementForm(group=group_access.group, initial=form.cleaned_data)
            fresh.fields["value"].widget.attrs["autofocus"] = True
            fresh.initial.pop("value", None)
            context.update(form=fresh, saved=_saved_text(measurement))
            context["announce"] = context["saved"]
        response = render(request, "commitments/indicator_detail.html#measurement-form", context)
        if measurement is not None:
            trigger_client_event(response, MEASURED)
        return response
    return render(
        request,
        "commitments/indicator_detail.html",
        _indicator_context(request, group_access, indicator, form=form),
    )


def _not_saved(form) -> str:
    n = len(form.errors)
    return f"The value was not saved: {n} {'field needs' if n == 1 else 'fields need'} attention."


@login_required
@require_POST
def measurement_correct(
    request: HttpRequest, slug: str, pk: int, measurement_pk: int
) -> HttpResponse:
    """Correct a recorded value: the change, who made it, when and why go to its history."""
    group_access, indicator, measurement = access.get_measurement_for_user(
        request.user, slug, pk, measurement_pk, need=ANALYST
    )
    form = MeasurementCorrectForm(request.POST, group=group_access.group)
    if form.is_valid():
        try:
            services.measurement_correct(
                measurement=measurement,
                working_group=group_access.group,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"The value for {measurement.period_end:%-d %b %Y} is corrected."
            )
            return redirect(indicator.get_absolute_url() + "#corrections")
    form.focus_first_error()
    return render(
        request,
        "commitments/indicator_detail.html",
        _indicator_context(
            request, group_access, indicator, correct_form=form, correcting=measurement
        ),
    )


# --------------------------------------------------------------------------- commitment page


@login_required
@require_POST
def commitment_measurement_create(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Record a value of one of the commitment's indicators from the commitment's page."""
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=ANALYST
    )
    indicators = selectors.commitment_indicators(commitment=commitment)
    form = MeasurementForm(request.POST, group=group_access.group, indicators=indicators)
    measurement = None
    if form.is_valid():
        measurement = _record(request, group_access, form.cleaned_data["indicator"], form)
    if measurement is not None and not request.htmx:
        messages.success(request, _saved_text(measurement))
        return redirect(commitment.get_absolute_url() + "#indicators")
    if measurement is None:
        form.focus_first_error()
    if request.htmx:
        context = {"group": group_access.group, "commitment": commitment}
        if measurement is None:
            context.update(measurement_form=form, measurement_announce=_not_saved(form))
        else:
            fresh = MeasurementForm(
                group=group_access.group,
                indicators=indicators,
                initial={"reported_by": form.cleaned_data["reported_by"].pk},
            )
            saved = _saved_text(measurement)
            context.update(
                measurement_form=fresh, measurement_saved=saved, measurement_announce=saved
            )
        response = render(request, "commitments/commitment_detail.html#measurement-form", context)
        if measurement is not None:
            trigger_client_event(response, CHANGED)
        return response
    return render(
        request,
        "commitments/commitment_detail.html",
        _commitment_context(request, group_access, commitment, measurement_form=form),
    )
