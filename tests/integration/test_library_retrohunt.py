"""Retro-hunt raises exactly what a new version implies, and never twice.

The expected alerts are computed here by screening every produced listing
offline with both versions (``screen``), independently of the run.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from listing_watch.events import decode_listing
from listing_watch.library.bundle import compile_bundle, read_bundle
from listing_watch.pipeline.alerts import alert_id_for
from listing_watch.screening import ListingText, screen
from tests.integration.lanes import listing_event
from tests.integration.library_lanes import (
    NEW_TERM,
    NEW_TERM_LINE,
    LibraryLane,
    library_lane,
)

__all__ = ["library_lane"]

DEMO = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval-dev.jsonl"
DEMO_LISTINGS = 300
RANK = {"none": 0, "medium": 1, "high": 2}

# In the first version only: its alerts are cleared by the second.
OLD_TERM = "旧版测试词组"
OLD_TERM_LINE = f"\n{OLD_TERM}  weight=0.9  kind=celebration_marketing  source=test\n"


def demo_events() -> list[bytes]:
    events = []
    for line in DEMO.read_text(encoding="utf-8").splitlines()[:DEMO_LISTINGS]:
        record = orjson.loads(line)
        events.append(
            listing_event(
                record["id"],
                record["title"],
                description=record.get("description") or "",
                category=record.get("category") or "",
            )
        )
    crafted = [
        listing_event("rh-new-1", f"{NEW_TERM} 装饰画"),
        listing_event("rh-new-2", f"客厅 {NEW_TERM}"),
        listing_event("rh-both", f"七一勋章 {NEW_TERM}"),
        listing_event("rh-old", f"{OLD_TERM} 摆件"),
    ]
    # The same listing version twice: one alert id, raised once.
    return [*events, *crafted, crafted[0]]


def documents(lane: LibraryLane) -> dict[str, dict[str, Any]]:
    return {hit["_id"]: hit["_source"] for hit in lane.lane.documents()}


def test_retrohunt_raises_exactly_the_new_alerts_and_marks_cleared_ones(
    library_lane: LibraryLane,
) -> None:
    library_lane.lane.env["LW_RETROHUNT_RATE"] = "100000"
    first_root = library_lane.keywords_with(OLD_TERM_LINE, name="first")
    second_root = library_lane.keywords_with(NEW_TERM_LINE, name="second")
    first = library_lane.publish(first_root)
    library_lane.lane.start_worker()
    events = demo_events()
    library_lane.produce_to(
        [(index % 3, f"k{index}", value) for index, value in enumerate(events)]
    )
    library_lane.lane.wait_until_drained(timeout_s=120)

    out = library_lane.lane.run_cli(
        "library",
        "publish",
        "--keywords",
        str(second_root),
        "--author",
        "bureau",
        "--retrohunt-since",
        "1h",
    )
    second = re.search(r"version=(\S+)", out)
    assert second, out

    old_library = compile_bundle(read_bundle(first_root).with_number(1))
    new_library = compile_bundle(read_bundle(second_root).with_number(2))
    expected_raised: set[str] = set()
    expected_review: set[str] = set()
    for value in events:
        listing = decode_listing(value)
        text = ListingText.from_listing(listing)
        old, new = screen(text, old_library), screen(text, new_library)
        old_rank = RANK[old.risk] if old.alert else 0
        if new.alert and RANK[new.risk] > old_rank:
            expected_raised.add(alert_id_for(listing))
        if old.alert and not new.alert:
            expected_review.add(alert_id_for(listing))

    docs = documents(library_lane)
    raised = {i for i, d in docs.items() if "retrohunt" in d}
    reviewed = {i for i, d in docs.items() if "review" in d}
    assert raised == expected_raised
    assert reviewed == expected_review
    assert len(expected_raised) >= 2
    assert expected_review
    for alert_id in raised:
        marker = docs[alert_id]["retrohunt"]
        assert marker["found_by"] == "retrohunt"
        assert marker["previous_version"] == first
        assert marker["new_version"] == second.group(1)
        assert docs[alert_id]["library_version"] == second.group(1)

    again = orjson.loads(
        library_lane.lane.run_cli(
            "retrohunt", "--since", "1h", "--json", "--no-progress"
        )
    )
    assert again["raised"] == again["upgraded"] == again["marked_for_review"] == 0

    on_topic = Counter(
        orjson.loads(message.value() or b"{}")["alert_id"]
        for message in library_lane.lane.read_topic(
            library_lane.lane.settings.topics.alerts
        )
    )
    fresh = {i for i in raised if docs[i]["retrohunt"]["decision"] == "raise"}
    assert all(on_topic[alert_id] == 1 for alert_id in fresh)
