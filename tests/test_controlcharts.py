"""Control charts against published worked examples, and each special-cause rule.

The worked examples are D. C. Montgomery's, Introduction to Statistical Quality Control
(Wiley): the orange-juice cans p-chart, the printed-circuit-board c-chart, the personal
computers u-chart and the mortgage-processing-cost individuals chart. Each gives its centre
line and limits to two or three decimals and names the points outside them.
"""

from __future__ import annotations

from math import sqrt

import pytest

from exports.controlcharts import NotCharted, c_chart, p_chart, u_chart, xmr_chart


def _series(text: str) -> list[int]:
    return [int(n) for n in text.split()]


# 30 samples of 50 cans, the number nonconforming in each.
CANS = _series("12 15 8 10 4 7 16 9 14 10 5 6 17 12 22 8 10 5 13 11 20 18 24 15 9 12 7 13 9 6")
# 26 samples of 100 boards, the nonconformities in each.
BOARDS = _series("21 24 16 12 15 5 28 20 31 25 20 24 16 19 10 17 13 22 18 39 30 24 16 19 17 15")
# 20 samples of 5 computers, the nonconformities in each.
COMPUTERS = _series("10 12 8 14 10 16 11 7 10 15 9 5 7 11 12 6 8 10 7 5")
# 20 weeks of the cost of processing mortgage loans.
LOANS = _series("310 288 297 298 307 303 294 297 308 306 294 299 297 299 314 295 293 306 301 304")


def test_p_chart_matches_the_orange_juice_cans():
    chart = p_chart(CANS, [50] * 30)
    assert chart.centre[0] == pytest.approx(0.2313, abs=5e-5)
    assert chart.upper[0] == pytest.approx(0.4102, abs=5e-5)
    assert chart.lower[0] == pytest.approx(0.0524, abs=5e-5)
    outside = next(s for s in chart.specials if s.rule == 1)
    assert [i + 1 for i in outside.points] == [15, 23]  # the two samples the text investigates


def test_p_chart_limits_follow_each_denominator():
    numerators = [12, 30, 5, 40]
    denominators = [40, 100, 20, 160]
    chart = p_chart(numerators, denominators)
    bar = sum(numerators) / sum(denominators)
    for i, n in enumerate(denominators):
        assert chart.upper[i] == pytest.approx(bar + 3 * sqrt(bar * (1 - bar) / n))
    assert chart.upper[2] > chart.upper[0] > chart.upper[1] > chart.upper[3]  # smaller months, wider limits


def test_c_chart_matches_the_circuit_boards():
    chart = c_chart(BOARDS)
    assert chart.centre[0] == pytest.approx(19.85, abs=0.005)
    assert chart.upper[0] == pytest.approx(33.22, abs=0.01)
    assert chart.lower[0] == pytest.approx(6.48, abs=0.01)
    assert [i + 1 for i in next(s for s in chart.specials if s.rule == 1).points] == [6, 20]


def test_u_chart_matches_the_personal_computers():
    chart = u_chart(COMPUTERS, [5] * 20)
    assert chart.centre[0] == pytest.approx(1.93)
    assert chart.upper[0] == pytest.approx(3.79, abs=0.005)
    assert chart.lower[0] == pytest.approx(0.07, abs=0.005)
    assert not chart.fired(1)  # the process is in control


def test_xmr_chart_matches_the_mortgage_costs():
    chart = xmr_chart(LOANS)
    assert chart.centre[0] == pytest.approx(300.5)
    moving = sum(abs(a - b) for a, b in zip(LOANS[1:], LOANS, strict=False)) / 19
    assert moving == pytest.approx(7.79, abs=0.005)
    assert chart.upper[0] == pytest.approx(321.22, abs=0.01)
    assert chart.lower[0] == pytest.approx(279.78, abs=0.01)
    assert not chart.specials


def test_a_frozen_baseline_judges_new_points_by_the_old_limits():
    # Twelve steady months, then a change that works: frozen limits see it, unfrozen ones blur it.
    before = [30, 32, 29, 31, 30, 33, 28, 31, 30, 32, 29, 31]
    after = [44, 46, 45, 47, 44, 46]
    frozen = xmr_chart(before + after, freeze=12)
    assert frozen.centre[-1] == pytest.approx(sum(before) / 12)
    assert set(range(12, 18)) <= frozen.flagged()
    assert frozen.fired(1)
    # A new phase from month 13: its limits come from the new points, and they are in control.
    phased = xmr_chart(before + after, breaks=[12])
    assert phased.phases == (0, 12)
    assert phased.centre[-1] == pytest.approx(sum(after) / 6)
    assert not any(i >= 12 for i in phased.flagged())


def test_rule_2_shift_of_eight():
    values = [12, 10] * 5 + [11.5, 11.6, 11.7, 11.8, 11.9, 11.6, 11.7, 11.8]
    chart = xmr_chart(values, freeze=10)  # centre 11, the last eight all above it
    shift = next(s for s in chart.specials if s.rule == 2)
    assert shift.points == tuple(range(10, 18))
    seven = xmr_chart(values[:-1], freeze=10)
    assert not seven.fired(2)


def test_rule_3_trend_of_six_with_a_repeat_skipped():
    values = [20, 22, 19, 21, 20, 22, 19, 21, 20, 22, 14, 16, 16, 18, 20, 23, 25]
    chart = xmr_chart(values, freeze=10)
    trend = next(s for s in chart.specials if s.rule == 3)
    assert trend.points[0] == 10
    assert trend.points[-1] == 16
    assert 12 not in trend.points  # the repeated 16 neither makes nor breaks the run
    five = xmr_chart([20, 22, 19, 21, 20, 22, 19, 21, 20, 22, 14, 16, 18, 20, 21, 12], freeze=10)
    assert not five.fired(3)


def test_rule_4_two_of_three_beyond_two_sigma():
    base = [50, 52, 48, 51, 49, 50, 52, 48, 51, 49]
    chart = xmr_chart(base, freeze=10)
    sigma = chart.sigma[0]
    high = 50 + 2.5 * sigma  # beyond two sigma, inside three
    values = [*base, high, 50, high]
    chart = xmr_chart(values, freeze=10)
    assert not chart.fired(1)
    assert next(s for s in chart.specials if s.rule == 4).points == (10, 12)
    apart = xmr_chart([*base, high, 50, 50, high], freeze=10)
    assert not apart.fired(4)


def test_rule_5_fifteen_hugging_the_centre_line():
    # Months of 100: p̄ = 0.5 and sigma = 0.05, so 49 to 51 of 100 lie within one sigma.
    wide = [40, 60, 45, 55, 38, 62, 60, 42, 58, 40]
    calm = [50, 51, 49, 50, 51, 49, 50, 51, 49, 50, 51, 49, 50, 51, 49]
    chart = p_chart(wide + calm, [100] * 25, freeze=10)
    assert chart.sigma[0] == pytest.approx(0.05)
    assert next(s for s in chart.specials if s.rule == 5).points == tuple(range(10, 25))
    assert not p_chart(wide + calm[:-1], [100] * 24, freeze=10).fired(5)


def test_data_a_chart_cannot_use_is_refused():
    with pytest.raises(NotCharted, match="larger than its denominator"):
        p_chart([5], [4])
    with pytest.raises(NotCharted, match="zero"):
        p_chart([0], [0])
    with pytest.raises(NotCharted, match="two points"):
        xmr_chart([1.0])
