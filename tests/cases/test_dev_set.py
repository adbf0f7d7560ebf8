"""Regression guard: ``evaluate`` on the labelled dev set stays at 0.90 or more.

The targets themselves (EVAL.md, issue 3) are measured and recorded in
bench/README.md, not gated here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from listing_watch.commands.evaluate import figures, score_file
from listing_watch.commands.offline_input import read_input

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO.parent / "shared" / "data" / "eval-dev.jsonl"
GUARD = 0.90


@pytest.mark.skipif(not DEV_SET.is_file(), reason=f"labelled dev set absent: {DEV_SET}")
def test_dev_set_alert_precision_and_recall_stay_above_guard() -> None:
    scored = score_file(list(read_input(DEV_SET)), REPO / "keywords")

    result = figures(scored)

    assert result.alert_precision >= GUARD
    assert result.alert_recall >= GUARD
