"""The workflow's public names are a tested list; its examples run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

from listing_watch import workflow

EXPECTED = {
    "ACTIONS",
    "EDITION",
    "Action",
    "AlertState",
    "Annex2",
    "CoverageBatch",
    "CoverageDocument",
    "Disposition",
    "DispositionError",
    "DispositionStore",
    "Escalation",
    "NotifyError",
    "Period",
    "RegionError",
    "Routing",
    "WorkflowError",
    "WorkflowSettings",
    "alerts_again",
    "covers",
    "escalate",
    "escalation_event",
    "fold",
    "load_workflow_settings",
    "notify",
    "place_of",
    "repost_key",
    "route",
    "should_notify",
    "units_of",
    "validate",
}


def test_public_names_are_the_documented_ones() -> None:
    assert set(workflow.__all__) == EXPECTED
    assert all(hasattr(workflow, name) for name in workflow.__all__)


@pytest.mark.parametrize(
    "module", [m.name for m in pkgutil.iter_modules(workflow.__path__)]
)
def test_docstring_examples_run(module: str) -> None:
    loaded = importlib.import_module(f"listing_watch.workflow.{module}")

    result = doctest.testmod(loaded)

    assert result.failed == 0
