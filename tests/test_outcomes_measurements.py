"""Measurements of indicators: the services and their refusals, corrections with their history,
the trend and on-track arithmetic (worked numbers), the chart, and the indicator and commitment
pages' forms with and without JavaScript. (Query budgets: test_views_budgets.py; access of
every persona: test_access_walk.py.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.models import Measurement, Party
from commitments.selectors import charts
from tests import factories
from tests.test_views_support import CHANGED, assert_fragment, htmx_headers, signed_in, url

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()
MEASURED = '{"measurements-changed": {}}'


@pytest.fixture
def indicator(group, commitment):
    return factories.indicator(
        group, "Seizures of precursors", commitment=commitment, unit="t", baseline=5, target=40
    )


def us() -> Party:
    return Party.objects.get(code="US")


def record(indicator, **overrides) -> Measurement:
    fields = {"period_end": TODAY - datetime.timedelta(days=10), "value": Decimal("12.5")}
    fields.update(overrides)
    return services.measurement_record(indicator=indicator, **fields)


# --------------------------------------------------------------------------- services


def test_it_records_a_value_with_its_side_evidence_and_author(indicator, analyst, group):
    m = record(
        indicator,
        entered_by=analyst,
        reported_by=us(),
        evidence_url="https://example.org/report",
        note="Q1 report",
        working_group=group,
    )
    m.refresh_from_db()
    assert (m.value, m.reported_by, m.entered_by, m.note) == (
        Decimal("12.5"),
        us(),
        analyst,
        "Q1 report",
    )
    assert m.history.get().history_user == analyst


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"period_end": TODAY + datetime.timedelta(days=1)},
            "period_end",
            "cannot be in the future",
        ),
        ({"value": "twelve"}, "value", "must be a decimal number"),
        ({"evidence_url": "ftp://example.org/x"}, "evidence_url", "http:// or https://"),
    ],
)
def test_it_refuses_bad_values_at_the_field_and_writes_nothing(
    indicator, overrides, field, message
):
    with pytest.raises(ValidationError) as caught:
        record(indicator, **overrides)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Measurement.objects.exists()


def test_it_refuses_a_second_value_for_the_same_period_at_the_field(indicator):
    record(indicator, period_end=D(2026, 1, 31))
    with pytest.raises(ValidationError) as caught:
        record(indicator, period_end=D(2026, 1, 31), value=99)
    assert caught.value.message_dict == {
        "period_end": ["This indicator already has a value for this period."]
    }
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal("12.5")]


def test_it_refuses_a_value_for_another_groups_indicator(indicator, other_group):
    with pytest.raises(ValidationError) as caught:
        record(indicator, working_group=other_group)
    assert "another working group" in caught.value.message_dict["indicator"][0]
    assert not Measurement.objects.exists()


def test_it_refuses_a_side_that_is_not_a_party_of_the_group(indicator):
    stranger, _ = services.party_ensure(code="FR", name="France")
    with pytest.raises(ValidationError) as caught:
        record(indicator, reported_by=stranger)
    assert "not a party" in caught.value.message_dict["reported_by"][0]
    assert not Measurement.objects.exists()


def test_it_corrects_a_value_and_keeps_who_what_when_and_why(indicator, analyst, coordinator):
    m = record(indicator, entered_by=analyst, value=12000)
    services.measurement_correct(
        measurement=m, value=Decimal("1200"), reason="typo: 1,200 not 12,000", actor=coordinator
    )
    m.refresh_from_db()
    assert m.value == Decimal("1200")
    first, correction = m.history.order_by("history_id")
    assert (first.value, correction.value) == (Decimal("12000"), Decimal("1200"))
    assert correction.history_user == coordinator
    assert correction.history_change_reason == "typo: 1,200 not 12,000"
    from commitments.selectors.outcomes import _corrections

    (shown,) = _corrections(indicator, {})
    assert shown.by == coordinator and shown.changes == [("Value", "12,000", "1,200")]


def test_it_refuses_a_correction_without_a_reason_onto_a_taken_period_or_changing_nothing(
    indicator, coordinator
):
    m = record(indicator, period_end=D(2026, 1, 31))
    record(indicator, period_end=D(2026, 2, 28))
    cases = [
        ({"value": 3, "reason": " "}, "reason"),
        ({"period_end": D(2026, 2, 28), "reason": "wrong month"}, "period_end"),
        ({"value": Decimal("12.5"), "reason": "same"}, "value"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.measurement_correct(measurement=m, actor=coordinator, **kwargs)
        assert field in caught.value.message_dict
    m.refresh_from_db()
    assert (m.value, m.period_end, m.history.count()) == (Decimal("12.5"), D(2026, 1, 31), 1)


# --------------------------------------------------------------------------- arithmetic


def pts(*pairs) -> list[charts.Point]:
    return [charts.Point(day, Decimal(str(value))) for day, value in pairs]


FIRST_AND_LATEST = pts((D(2026, 1, 1), 10), (D(2026, 4, 11), 20))


def test_it_projects_on_track_with_worked_numbers():
    # 10 on 1 Jan, 20 on 11 Apr (100 days): 0.1 a day. The target date 27 Dec 2026 is 260 days
    # after 11 Apr: 20 + 0.1 x 260 = 46.
    kwargs = {"target_date": D(2026, 12, 27), "higher_is_better": True, "today": D(2026, 4, 15)}
    verdict = charts.on_track(FIRST_AND_LATEST, target=Decimal(40), **kwargs)
    assert (verdict.code, verdict.projected) == ("on-track", Decimal("46.00"))
    assert "46" in verdict.text and "target 40" in verdict.text
    verdict = charts.on_track(FIRST_AND_LATEST, target=Decimal(50), **kwargs)
    assert (verdict.code, verdict.projected) == ("off-track", Decimal("46.00"))


def test_it_projects_downwards_when_lower_is_better():
    # 100 then 80 over 100 days: -0.2 a day; 80 - 0.2 x 260 = 28: on track for at most 30.
    points = pts((D(2026, 1, 1), 100), (D(2026, 4, 11), 80))
    kwargs = {"target_date": D(2026, 12, 27), "higher_is_better": False, "today": D(2026, 4, 15)}
    assert charts.on_track(points, target=Decimal(30), **kwargs).projected == Decimal("28.00")
    assert charts.on_track(points, target=Decimal(30), **kwargs).code == "on-track"
    assert charts.on_track(points, target=Decimal(20), **kwargs).code == "off-track"


def test_it_says_what_it_cannot_project():
    today = D(2026, 4, 15)
    common = {"higher_is_better": True, "today": today}
    assert charts.on_track(FIRST_AND_LATEST, target=None, target_date=None, **common).text == (
        "No target set: there is nothing to be on track for."
    )
    assert charts.on_track([], target=Decimal(5), target_date=None, **common).code == "no-data"
    assert (
        charts.on_track(FIRST_AND_LATEST, target=Decimal(20), target_date=None, **common).code
        == "reached"
    )
    assert (
        charts.on_track(FIRST_AND_LATEST, target=Decimal(30), target_date=None, **common).code
        == "no-date"
    )
    assert (
        charts.on_track(
            FIRST_AND_LATEST, target=Decimal(30), target_date=D(2026, 4, 1), **common
        ).code
        == "missed"
    )
    one = FIRST_AND_LATEST[-1:]
    assert (
        charts.on_track(one, target=Decimal(30), target_date=D(2026, 12, 1), **common).code
        == "no-pace"
    )


def test_it_states_the_trend_by_the_indicators_direction():
    assert charts.trend(FIRST_AND_LATEST, higher_is_better=True).code == "better"
    assert charts.trend(FIRST_AND_LATEST, higher_is_better=False).code == "worse"
    assert charts.trend(FIRST_AND_LATEST[:1], higher_is_better=True).code == "none"
    flat = pts((D(2026, 1, 1), 3), (D(2026, 2, 1), 3))
    assert charts.trend(flat, higher_is_better=True).code == "flat"


def test_it_draws_the_chart_inside_its_viewbox():
    chart = charts.indicator_chart(
        FIRST_AND_LATEST, baseline=Decimal(5), target=Decimal(40), target_date=D(2026, 12, 27)
    )
    xs = [m["x"] for m in chart.markers]
    ys = [m["y"] for m in chart.markers] + [r["y"] for r in chart.rules]
    assert min(xs) == charts.PAD_L and max(xs) == charts.VIEW_W - charts.PAD_R
    assert all(charts.PAD_T <= y <= charts.VIEW_H - charts.PAD_B for y in ys)
    # Higher values are drawn higher up (smaller y): target above latest above baseline.
    target, latest, baseline = chart.rules[1]["y"], chart.markers[1]["y"], chart.rules[0]["y"]
    assert target < latest < baseline
    assert charts.indicator_chart([], baseline=None, target=None, target_date=None).empty


# --------------------------------------------------------------------------- pages


def page_url(indicator) -> str:
    return url("commitments:indicator_detail", indicator.working_group.slug, indicator.pk)


def post_url(indicator) -> str:
    return url("commitments:measurement_create", indicator.working_group.slug, indicator.pk)


def data(**overrides) -> dict:
    values = {
        "period_end": (TODAY - datetime.timedelta(days=3)).isoformat(),
        "value": "17.5",
        "reported_by": str(us().pk),
        "note": "",
        "evidence_url": "",
    }
    values.update(overrides)
    return values


def test_it_shows_the_chart_the_table_and_how_on_track_is_computed(client, viewer, indicator):
    record(indicator, period_end=D(2026, 1, 31), value=10)
    record(indicator, period_end=D(2026, 2, 28), value=14)
    signed_in(client, viewer)
    body = client.get(page_url(indicator)).content.decode()
    assert '<svg class="chart" viewBox="0 0 480 300"' in body
    assert 'id="measurement-table"' in body and "<caption" in body and "28 Feb 2026" in body
    assert "How “on track” is worked out." in body
    assert "Up from 10 to 14" in body
    assert 'id="measurement-form"' not in body  # a viewer reads only


def test_it_records_in_place_with_htmx_and_triggers_a_refresh(client, analyst, indicator):
    signed_in(client, analyst)
    response = client.post(post_url(indicator), data(), headers=htmx_headers())
    body = assert_fragment(response, "measurement-form")
    assert response["HX-Trigger"] == MEASURED
    assert "is recorded" in body
    m = Measurement.objects.get()
    assert (m.value, m.entered_by, m.reported_by) == (Decimal("17.5"), analyst, us())


def test_it_records_without_javascript_and_redirects(client, analyst, indicator):
    signed_in(client, analyst)
    response = client.post(post_url(indicator), data())
    assert response.status_code == 302 and response["Location"] == page_url(indicator)
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": "12 t"}, "Enter a number"),
        (
            {"period_end": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "cannot be in the future",
        ),
        ({"period_end": "2026-01-31"}, "already has a value for this period"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field_keeping_it(
    client, analyst, indicator, overrides, message
):
    record(indicator, period_end=D(2026, 1, 31))
    signed_in(client, analyst)
    for headers in ({}, htmx_headers()):
        response = client.post(post_url(indicator), data(**overrides), headers=headers)
        body = response.content.decode()
        assert response.status_code == 200
        assert message in body and 'class="field__error"' in body
        assert "HX-Trigger" not in response
        for value in overrides.values():
            assert f'value="{value}"' in body
    assert Measurement.objects.count() == 1


def test_it_refuses_viewers_and_strangers(client, viewer, outsider, indicator):
    for user, status in ((viewer, 403), (outsider, 404)):
        signed_in(client, user)
        assert client.post(post_url(indicator), data()).status_code == status
    assert not Measurement.objects.exists()


def test_it_corrects_from_the_page_and_lists_the_correction(client, analyst, indicator):
    m = record(indicator, period_end=D(2026, 1, 31), value=120)
    signed_in(client, analyst)
    form = client.get(page_url(indicator) + f"?correct={m.pk}").content.decode()
    assert "Correct the value of 31 Jan 2026" in form
    correct = url(
        "commitments:measurement_correct", indicator.working_group.slug, indicator.pk, m.pk
    )
    refused = client.post(correct, data(period_end="2026-01-31", value="12", reason=""))
    assert "Say why the value is corrected." in refused.content.decode()
    response = client.post(
        correct,
        data(period_end="2026-01-31", value="12", reason="a zero too many", measurement=m.pk),
    )
    assert response.status_code == 302
    body = client.get(page_url(indicator)).content.decode()
    assert "value 120 → 12" in body and "a zero too many" in body


def test_it_records_from_the_commitment_page_for_one_of_its_indicators(
    client, analyst, indicator, commitment, group, other_group
):
    theirs = factories.indicator(other_group, "Theirs")
    signed_in(client, analyst)
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert 'id="measurement-form"' in page
    post = url("commitments:commitment_measurement_create", group.slug, commitment.reference)
    refused = client.post(post, data(indicator=theirs.pk), headers=htmx_headers())
    assert "Choose one of this commitment&#x27;s indicators." in refused.content.decode()
    assert not Measurement.objects.exists()
    response = client.post(post, data(indicator=indicator.pk), headers=htmx_headers())
    assert_fragment(response, "measurement-form")
    assert response["HX-Trigger"] == CHANGED
    response = client.post(post, data(indicator=indicator.pk, period_end="2026-01-02"))
    assert response.status_code == 302
    assert Measurement.objects.filter(indicator=indicator).count() == 2
    # The indicators refresh themselves after the event.
    fragment = client.get(
        commitment.get_absolute_url(), headers=htmx_headers("commitment-indicators")
    )
    assert_fragment(fragment, "commitment-indicators")


def test_it_checks_csrf_on_the_measurement_form(analyst, indicator):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, analyst)
    assert client.post(post_url(indicator), data()).status_code == 403
    assert not Measurement.objects.exists()


# --------------------------------------------------------------------------- burn-up


def test_it_counts_the_burn_up_per_month_and_area(group, analyst):
    """Meeting 1 ends 21 Jan 2026 (4 agreed: three in PC, two of them alike, one in SC);
    meeting 2 ends 10 Mar 2026 (1 more in PC, later withdrawn: left out). One PC commitment is
    completed on 15 Feb, one SC on 5 Apr 2026. Totals at the end of Jan..Apr: 4, 4, 4, 4;
    completed 0, 1, 1, 2. (Alike commitments, same area, status and meeting, each count.)"""
    from commitments.models import Status
    from commitments.selectors import burn_up

    sc = factories.action_area(group, "SC", name="Supply chains", order=5)
    m2 = factories.meeting(group, 2, start_date=D(2026, 3, 9), end_date=D(2026, 3, 10))
    a = factories.commitment(group, title="A")
    factories.commitment(group, title="B")
    factories.commitment(group, title="B, alike")
    c = factories.commitment(group, sc, title="C")
    dropped = factories.commitment(group, meeting_=m2, title="Dropped")
    for commitment, day in ((a, D(2026, 2, 15)), (c, D(2026, 4, 5))):
        services.follow_up_record(
            commitment=commitment,
            author=analyst,
            note="Done.",
            status=Status.COMPLETED,
            occurred_on=day,
            expected_version=commitment.version,
        )
    services.commitment_withdraw(
        commitment=dropped, author=analyst, reason="Merged.", expected_version=dropped.version
    )
    result = burn_up(group=group, today=D(2026, 4, 20))
    assert result.overall.months == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]
    assert (result.overall.total, result.overall.completed) == ([4, 4, 4, 4], [0, 1, 1, 2])
    areas = {s.name: (s.total, s.completed) for s in result.areas}
    assert areas == {
        "Precursor chemicals": ([3, 3, 3, 3], [0, 1, 1, 1]),
        "Supply chains": ([1, 1, 1, 1], [0, 0, 0, 1]),
    }
    assert not result.overall.chart.empty and len(result.overall.chart.series) == 2
