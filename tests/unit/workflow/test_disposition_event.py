"""Disposition events match the published schema and survive a round trip."""

from __future__ import annotations

from decimal import Decimal

import jsonschema  # type: ignore[import-untyped]
import orjson

from listing_watch.events import SCHEMA_DIR
from listing_watch.workflow.dispositions import from_event
from tests.unit.workflow.conftest import MakeDisposition

SCHEMA = orjson.loads((SCHEMA_DIR / "disposition-event.schema.json").read_bytes())


def test_penalty_event_matches_the_schema_and_keeps_the_exact_amount(
    dispose: MakeDisposition,
) -> None:
    penalty = dispose(
        "penalty", amount_yuan=Decimal("800.50"), penalty_kind="fine", decision="罚1号"
    )

    event = penalty.to_event()

    jsonschema.validate(event, SCHEMA)
    assert event["amount_yuan"] == "800.50"
    assert from_event(event) == penalty
