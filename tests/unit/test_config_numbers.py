"""Numeric settings: defaults, parsing, and the bounds that keep a worker sane."""

from __future__ import annotations

import pytest

from listing_watch.config import load_settings
from listing_watch.errors import ConfigError


def test_batch_settings_default_to_small_windows_and_four_in_flight() -> None:
    worker = load_settings({}).worker
    assert (worker.batch_size, worker.batch_window_s, worker.batches_in_flight) == (
        500,
        0.005,
        4,
    )


def test_batch_settings_are_read_from_the_environment() -> None:
    worker = load_settings(
        {
            "LW_BATCH_SIZE": "100",
            "LW_BATCH_WINDOW_S": "0.02",
            "LW_BATCHES_IN_FLIGHT": "1",
        }
    ).worker
    assert (worker.batch_size, worker.batch_window_s, worker.batches_in_flight) == (
        100,
        0.02,
        1,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LW_BATCHES_IN_FLIGHT", "0", "LW_BATCHES_IN_FLIGHT=0 must be at least 1"),
        ("LW_BATCH_SIZE", "-5", "LW_BATCH_SIZE=-5 must be at least 1"),
        ("LW_BATCH_WINDOW_S", "0", "LW_BATCH_WINDOW_S=0.0 must be at least 0.001"),
        ("LW_BATCH_WINDOW_S", "nan", "LW_BATCH_WINDOW_S=nan is not a finite number"),
        ("LW_BATCH_WINDOW_S", "inf", "LW_BATCH_WINDOW_S=inf is not a finite number"),
        ("LW_BATCH_WINDOW_S", "61", "LW_BATCH_WINDOW_S=61.0 must be at most 60.0"),
        ("LW_BATCHES_IN_FLIGHT", "5000", "=5000 must be at most 1000"),
        ("LW_BATCH_SIZE", "1000000", "LW_BATCH_SIZE=1000000 must be at most 100000"),
        ("LW_BATCH_SIZE", "1" + "0" * 400, "must be at most 100000"),
        ("LW_BATCHES_IN_FLIGHT", "four", "'four' is not a whole number"),
    ],
)
def test_out_of_range_batch_settings_are_refused_by_name(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({name: value})
    assert message in str(refused.value)
