"""The run-chart rules against worked examples (Perla, Provost and Murray 2011; IHI)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from exports.runcharts import analyse, run_chart_svg, runs_limits


@pytest.mark.parametrize(("useful", "limits"), [(10, (3, 9)), (20, (6, 16)), (24, (8, 18))])
def test_runs_limits_match_the_published_table(useful: int, limits: tuple[int, int]) -> None:
    assert runs_limits(useful // 2, useful - useful // 2) == limits


def test_six_points_below_the_median_are_a_shift() -> None:
    values = [10, 12, 11, 13, 12, 11, 12, 13, 8, 7, 8, 6, 7, 8, 12, 13]
    result = analyse(values, baseline=8)
    assert result.median == 12
    shift = next(s for s in result.signals if s.rule == "shift")
    assert shift.points == (8, 9, 10, 11, 12, 13)


def test_points_on_the_median_neither_make_nor_break_a_shift() -> None:
    # Five above, one on the median, one more above: still six above, a shift.
    values = [5, 5, 5, 5, 5, 9, 9, 5, 9, 9, 9, 9, 1, 1]
    result = analyse(values, baseline=5)
    assert result.median == 5
    assert result.fired("shift")
    only_five = analyse([5, 5, 5, 5, 5, 9, 9, 5, 9, 9, 9, 1, 1, 1], baseline=5)
    assert not only_five.fired("shift")


def test_five_points_going_up_are_a_trend_and_repeats_do_not_break_it() -> None:
    values = [3, 8, 4, 5, 5, 6, 7, 9, 2, 6, 3, 5]
    trend = next(s for s in analyse(values).signals if s.rule == "trend")
    assert trend.points == (2, 3, 5, 6, 7)  # 4, 5, (5 repeated), 6, 7, 9
    assert not analyse([3, 8, 4, 5, 6, 7, 2, 6, 3, 5, 4, 6]).fired("trend")  # four going up only


def test_too_few_runs_and_too_many_runs() -> None:
    few = [1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 1, 2, 1, 2, 1, 8, 9, 8, 9, 8]
    result = analyse(few)
    assert result.runs == 4
    assert result.fired("too-few-runs")
    zigzag = [1, 9] * 10
    many = analyse(zigzag)
    assert many.runs == 20
    assert many.fired("too-many-runs")
    assert not analyse([1, 9, 9, 1, 1, 9, 1, 9, 9, 1, 9, 1, 1, 9, 1, 9, 9, 1, 9, 1]).fired("too-few-runs")


def test_an_astronomical_point_is_flagged() -> None:
    values = [20, 22, 21, 19, 20, 23, 21, 20, 22, 60, 21, 20]
    result = analyse(values)
    assert next(s for s in result.signals if s.rule == "astronomical").points == (9,)


def test_fewer_than_ten_points_apply_no_runs_rule() -> None:
    result = analyse([1, 9, 1, 9, 1, 9])
    assert result.runs_range is None
    assert not result.fired("too-many-runs")


def test_the_chart_is_valid_svg_with_escaped_labels() -> None:
    svg = run_chart_svg(
        [1, 2, 3, 4, 5, 6, 7],
        ["<Jan>", "Feb", "Mar", "Apr", "May", "Jun", "Jul"],
        title="Screens <done>",
        target=6,
    )
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert "Screens <done>" in text
    assert "<Jan>" in text
    assert "target 6" in text
    assert "Trend: 7 points going up" in text
    assert "No data yet" in "".join(ET.fromstring(run_chart_svg([], [])).itertext())


def test_a_steady_trend_has_no_astronomical_point() -> None:
    rising = [35, 38, 36, 41, 47, 52, 55, 58, 61, 63]
    assert not analyse(rising).fired("astronomical")
