"""The history of our models: written through `commitments.models.base.History`, whose manager
class is made once rather than on every record (see its docstring)."""

from __future__ import annotations

import pytest
from django.apps import apps

from commitments import services
from commitments.models.base import _HistoryManager

from . import factories


def _models_with_history() -> list:
    return [
        model
        for model in apps.get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
        and not model.__name__.startswith("Historical")
    ]


def test_every_model_with_a_history_uses_our_history_records():
    found = _models_with_history()
    assert len(found) >= 10, found  # the check must see the models it is about
    for model in found:
        manager = getattr(model(), model._meta.simple_history_manager_attribute)
        assert isinstance(manager, _HistoryManager), model


def test_its_history_manager_class_is_made_once():
    for model in _models_with_history():
        name = model._meta.simple_history_manager_attribute
        assert type(getattr(model(), name)) is type(getattr(model(), name)), model


@pytest.mark.django_db
def test_a_follow_up_writes_the_commitments_history_through_it():
    group = factories.working_group()
    commitment = factories.commitment(group, lead_agencies=list(factories.lead_agencies()))
    analyst = factories.member(group, "analyst")
    follow_up = services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Checked with the counterpart agency.",
        status="in_progress",
        progress=30,
        expected_version=commitment.version,
    )
    latest = commitment.history.order_by("-history_id")[0]
    assert (latest.status, latest.progress, latest.history_user) == ("in_progress", 30, analyst)
    leads = {agency.pk for agency in commitment.lead_agencies.all()}
    assert len(leads) == 2
    assert {row.agency_id for row in latest.lead_agencies.all()} == leads
    # The follow-up itself is the log: written once, never changed, no history of its own.
    assert follow_up.note == "Checked with the counterpart agency."
    assert not hasattr(follow_up, "history")
