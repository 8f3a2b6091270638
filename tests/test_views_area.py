"""The action area page: where the area stands, its commitments and its indicators."""

from __future__ import annotations

import datetime

import pytest

from commitments import services
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

AREA = url("commitments:area_detail", "dpewg", "pc")


@pytest.fixture
def area(group, analyst):
    pc = group.action_areas.get(code="PC")
    sc = factories.action_area(group, "SC", name="Supply chains")
    mine = factories.commitment(group, pc, title="Precursor alerts")
    factories.commitment(group, sc, title="Pharmacy checks")
    services.follow_up_record(
        commitment=mine, author=analyst, note="Done", status="completed", expected_version=1
    )
    direct, _ = services.indicator_ensure(
        working_group=group,
        name="Seizures reported",
        unit="seizures",
        action_area=pc,
        baseline=3,
        target=10,
    )
    services.measurement_record(indicator=direct, period_end=datetime.date(2026, 3, 31), value=5)
    services.indicator_ensure(
        working_group=group, name="Alerts exchanged", unit="alerts", commitment=mine
    )
    services.indicator_ensure(
        working_group=group, name="Pharmacies inspected", unit="pharmacies", action_area=sc
    )
    return pc


def test_it_sends_anonymous_users_to_sign_in(client, area):
    assert client.get(AREA)["Location"].startswith(url("accounts:login"))


def test_it_hides_the_area_from_an_outsider(client, outsider, area):
    signed_in(client, outsider)
    assert client.get(AREA).status_code == 404
    assert client.get(url("commitments:area_detail", "other", "pc")).status_code == 404


def test_it_gives_404_for_an_unknown_area_or_one_of_another_group(client, viewer, area):
    signed_in(client, viewer)
    assert client.get(url("commitments:area_detail", "dpewg", "nope")).status_code == 404
    assert (
        client.get(url("commitments:area_detail", "dpewg", "xx")).status_code == 404
    )  # other group's


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_405_to_writes(client, analyst, area, method):
    signed_in(client, analyst)
    assert getattr(client, method)(AREA).status_code == 405


def test_it_shows_the_area_its_commitments_and_indicators(client, viewer, area):
    signed_in(client, viewer)
    response = client.get(AREA)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Precursor chemicals" in body
    commitments = body[body.index('id="area-commitments"') : body.index('id="area-indicators"')]
    assert "Precursor alerts" in commitments and "Pharmacy checks" not in commitments
    assert 'class="badge badge--completed"' in commitments
    indicators = body[body.index('id="area-indicators"') :]
    assert "Seizures reported" in indicators and "31 Mar 2026" in indicators
    # Whole numbers print without ".00": baseline 3, target 10, latest 5.
    assert "<dd>3</dd>" in indicators and "<dd>10</dd>" in indicators
    assert '5 <span class="muted">(31 Mar 2026)</span>' in indicators and ".00" not in indicators
    # An indicator of one of the area's commitments counts too; another area's does not.
    assert "Alerts exchanged" in indicators and "DPEWG-1-PC-01" in indicators
    assert "Pharmacies inspected" not in indicators
    summary = body[body.index('id="area-summary"') : body.index('id="area-commitments"')]
    assert "1 commitment, average progress" in summary and "100%" in summary
