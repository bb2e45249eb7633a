"""The check vocabulary (computations/checks.py): each kind holds on good cases and fails on a bad one."""

from __future__ import annotations

import math

from computations.checks import (
    FALSE_ALARM_RATE,
    TOLERANCE_SE,
    all_hold,
    at_least,
    at_most,
    rounds_to,
    within_se,
    within_tolerance,
)


def test_within_se_holds_inside_the_tolerance_and_fails_just_outside() -> None:
    inside = within_se("均值", {"a": (1.0 + 0.99 * TOLERANCE_SE * 0.1, 1.0, 0.1)})
    outside = within_se("均值", {"a": (1.0, 1.0, 0.1), "b": (1.0 + 1.01 * TOLERANCE_SE * 0.1, 1.0, 0.1)})
    assert inside.passed and not outside.passed
    assert "b：" in outside.detail and outside.detail.endswith("✗")


def test_rounds_to_uses_half_a_unit_of_the_last_printed_digit() -> None:
    assert rounds_to("印的数", {"n=3": (0.4674014, "0.467401")}).passed
    assert not rounds_to("印的数", {"n=3": (0.4674016, "0.467401")}).passed


def test_bounds_fail_on_the_wrong_side_and_on_nan() -> None:
    assert at_least("p 值", {"x": (FALSE_ALARM_RATE, FALSE_ALARM_RATE)}).passed
    assert not at_least("p 值", {"x": (FALSE_ALARM_RATE / 2, FALSE_ALARM_RATE)}).passed
    assert at_most("残差", {"x": (1e-13, 1e-12)}).passed
    assert not at_most("残差", {"x": (1e-11, 1e-12)}).passed
    assert not at_most("残差", {"x": (math.nan, 1e-12)}).passed


def test_within_tolerance_and_all_hold() -> None:
    assert within_tolerance("周长", {"l": (2.0 + 1e-9, 2.0, 2e-9)}).passed
    assert not within_tolerance("周长", {"l": (2.0 + 3e-9, 2.0, 2e-9)}).passed
    assert all_hold("一致", {"甲": True, "乙": True}).passed
    failed = all_hold("一致", {"甲": True, "乙": False})
    assert not failed.passed and "乙 ✗" in failed.detail
