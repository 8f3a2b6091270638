"""The arithmetic behind the charts and the verdicts printed beside them: pure functions of
plain values (no queries), so that the tests can check them with worked numbers and the
templates in templates/svg/ only place what is computed here.

Every chart is drawn in a fixed `viewBox` (VIEW_W x VIEW_H user units) and scaled by the
browser to the width of its box: it fits a phone and a printed page alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

VIEW_W = 480
VIEW_H = 300
# Room for the axis labels: left, right, top, bottom.
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 16, 44


# --------------------------------------------------------------------------- trend and on-track


@dataclass(frozen=True)
class Point:
    day: datetime.date
    value: Decimal


@dataclass(frozen=True)
class Verdict:
    """What the page says about an indicator: `code` for styling and tests, `text` to read."""

    code: str
    text: str
    projected: Decimal | None = None


def trend(points: list[Point], *, higher_is_better: bool) -> Verdict:
    """The move from the previous measurement to the latest: better, worse or unchanged, by
    the indicator's direction. `points` are in date order."""
    if len(points) < 2:
        return Verdict("none", "Not enough measurements for a trend (it needs two).")
    before, latest = points[-2].value, points[-1].value
    if latest == before:
        return Verdict("flat", f"Unchanged since {points[-2].day:%-d %b %Y}.")
    rising = latest > before
    better = rising == higher_is_better
    word = "Up" if rising else "Down"
    verdict = "better" if better else "worse"
    return Verdict(
        "better" if better else "worse",
        f"{word} from {number(before)} to {number(latest)} since {points[-2].day:%-d %b %Y} ({verdict}).",
    )


def on_track(
    points: list[Point],
    *,
    target: Decimal | None,
    target_date: datetime.date | None,
    higher_is_better: bool,
    today: datetime.date,
) -> Verdict:
    """Whether the indicator is on track to reach its target by the target date.

    How: a straight line through the first measurement and the latest one (the average change
    per day between them), extended from the latest measurement to the target date; the value
    it reaches there (the projection) is compared with the target, in the indicator's
    direction. In words, "if it keeps changing at the pace it has since the first
    measurement". Before that: no target set, no measurement yet, the target already reached
    by the latest value, the target date passed without reaching it, no target date (nothing
    to project to) and a single measurement (no pace yet) are each said as such.

    Worked example (tests/test_outcomes_measurements.py): first 10 on 1 Jan 2026, latest 20 on
    11 Apr 2026 (100 days later): 0.1 a day. The target date 27 Dec 2026 is 260 days after the
    latest, so the projection is 20 + 0.1 x 260 = 46: on track for a target of 40 (higher is
    better), off track for a target of 50.
    """
    if target is None:
        return Verdict("no-target", "No target set: there is nothing to be on track for.")
    if not points:
        return Verdict("no-data", "No measurement yet.")
    latest = points[-1]

    def reached(value: Decimal) -> bool:
        return value >= target if higher_is_better else value <= target

    if reached(latest.value):
        return Verdict(
            "reached",
            f"Target reached: the latest value {number(latest.value)} meets {number(target)}.",
        )
    if target_date is None:
        return Verdict("no-date", "No target date: the pace cannot be compared with a deadline.")
    if target_date < today:
        return Verdict(
            "missed",
            f"Off track: the target date {target_date:%-d %b %Y} has passed and "
            f"{number(target)} was not reached.",
        )
    first = points[0]
    days = (latest.day - first.day).days
    if days <= 0:
        return Verdict(
            "no-pace", "Not enough measurements to project (it needs two, on different dates)."
        )
    per_day = (latest.value - first.value) / Decimal(days)
    ahead = (target_date - latest.day).days
    projected = (latest.value + per_day * ahead).quantize(Decimal("0.01"))
    if reached(projected):
        return Verdict(
            "on-track",
            f"On track: at the pace since {first.day:%-d %b %Y}, it would reach "
            f"{number(projected)} by {target_date:%-d %b %Y} (target {number(target)}).",
            projected,
        )
    return Verdict(
        "off-track",
        f"Off track: at the pace since {first.day:%-d %b %Y}, it would reach only "
        f"{number(projected)} by {target_date:%-d %b %Y} (target {number(target)}).",
        projected,
    )


def number(value: Decimal) -> str:
    """A number as people write it: 12, 12.5, 1,234.25."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------- line charts


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass
class LineChart:
    """A chart's geometry in viewBox units: polylines (`series`: css class -> points),
    horizontal reference lines (`rules`: css class -> y, label) and axis ticks."""

    width: int = VIEW_W
    height: int = VIEW_H
    series: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    markers: list[dict] = field(default_factory=list)
    plot_left: int = PAD_L
    plot_right: int = VIEW_W - PAD_R
    plot_top: int = PAD_T
    plot_bottom: int = VIEW_H - PAD_B
    empty: bool = False


class Scale:
    """Maps dates and values to viewBox coordinates."""

    def __init__(self, first: datetime.date, last: datetime.date, low: float, high: float):
        if last <= first:
            last = first + datetime.timedelta(days=1)
        if high <= low:
            high, low = high + 1, low - 1
        self.first, self.last, self.low, self.high = first, last, low, high

    def x(self, day: datetime.date) -> float:
        share = (day - self.first).days / (self.last - self.first).days
        return round(PAD_L + share * (VIEW_W - PAD_L - PAD_R), 1)

    def y(self, value) -> float:
        share = (float(value) - self.low) / (self.high - self.low)
        return round(VIEW_H - PAD_B - share * (VIEW_H - PAD_T - PAD_B), 1)


def _nice_range(low: float, high: float) -> tuple[float, float]:
    """A little room above and below, zero included when the values are all positive and
    close to it."""
    if low >= 0 and low < (high - low):
        low = 0.0
    span = (high - low) or abs(high) or 1.0
    return low - (0 if low == 0 else span * 0.1), high + span * 0.1


def _x_ticks(scale: Scale, days: list[datetime.date]) -> list[Tick]:
    """The first and last date, and the date half-way between them when it is a month or
    more from each end (labels are a month and a year: closer ones would overlap)."""
    first, last = days[0], days[-1]
    chosen = [first] if first == last else [first, last]
    middle = first + (last - first) / 2
    if (middle - first).days >= 45:
        chosen.insert(1, middle)
    return [Tick(scale.x(d), VIEW_H - PAD_B + 24, f"{d:%b %Y}") for d in chosen]


def _y_ticks(scale: Scale) -> list[Tick]:
    steps = 4
    ticks = []
    for i in range(steps + 1):
        value = scale.low + (scale.high - scale.low) * i / steps
        ticks.append(Tick(PAD_L - 8, scale.y(value), number(Decimal(str(round(value, 2))))))
    return ticks


def indicator_chart(
    points: list[Point],
    *,
    baseline: Decimal | None,
    target: Decimal | None,
    target_date: datetime.date | None,
) -> LineChart:
    """Measurements as a line with a dot each, baseline and target as horizontal rules, the
    target as a mark at the target date (the x axis runs to it)."""
    if not points:
        return LineChart(empty=True)
    days = [p.day for p in points]
    if target_date is not None:
        days.append(target_date)
    days.sort()
    values = [float(p.value) for p in points]
    values += [float(v) for v in (baseline, target) if v is not None]
    low, high = _nice_range(min(values), max(values))
    scale = Scale(days[0], days[-1], low, high)
    chart = LineChart(x_ticks=_x_ticks(scale, days), y_ticks=_y_ticks(scale))
    chart.series.append(
        {
            "class": "chart__line",
            "points": " ".join(f"{scale.x(p.day)},{scale.y(p.value)}" for p in points),
        }
    )
    chart.markers = [
        {"x": scale.x(p.day), "y": scale.y(p.value), "class": "chart__dot"} for p in points
    ]
    if baseline is not None:
        chart.rules.append(
            {
                "class": "chart__rule--baseline",
                "y": scale.y(baseline),
                "label": f"Baseline {number(baseline)}",
            }
        )
    if target is not None:
        chart.rules.append(
            {
                "class": "chart__rule--target",
                "y": scale.y(target),
                "label": f"Target {number(target)}",
            }
        )
        if target_date is not None:
            chart.markers.append(
                {"x": scale.x(target_date), "y": scale.y(target), "class": "chart__target"}
            )
    return chart


def burn_up_chart(months: list[datetime.date], total: list[int], completed: list[int]) -> LineChart:
    """Commitments agreed so far (`total`) and completed so far, at the end of each month, as
    two step lines on one scale from zero."""
    if not months:
        return LineChart(empty=True)
    # Whole numbers on the axis: four equal steps of a whole size, the top at or above the total.
    step = max(1, -(-max(total) // 4))
    scale = Scale(months[0], months[-1], 0, step * 4)
    chart = LineChart(x_ticks=_x_ticks(scale, months), y_ticks=[])
    for i in range(5):
        chart.y_ticks.append(Tick(PAD_L - 8, scale.y(step * i), str(step * i)))
    for css, counts in (("chart__line chart__line--total", total), ("chart__line", completed)):
        pts = []
        for i, (day, count) in enumerate(zip(months, counts, strict=True)):
            if i:
                pts.append(f"{scale.x(day)},{scale.y(counts[i - 1])}")
            pts.append(f"{scale.x(day)},{scale.y(count)}")
        chart.series.append({"class": css, "points": " ".join(pts)})
    return chart
