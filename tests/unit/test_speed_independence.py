"""Tests never depend on the machine's speed: property tests run without time limits."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_property_tests_have_no_deadline_or_speed_health_check() -> None:
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


@given(st.integers())
@settings(max_examples=3)
def test_a_slow_example_still_passes(n: int) -> None:
    time.sleep(0.3)  # slower than Hypothesis' default 200 ms deadline, as on a loaded host
    assert isinstance(n, int)
