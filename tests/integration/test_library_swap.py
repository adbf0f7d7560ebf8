"""Publishing reaches every running worker: swap, rollback, broken files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from listing_watch.library import load_library
from listing_watch.screening import ListingText, screen
from tests.integration.lanes import listing_event
from tests.integration.library_lanes import (
    KEYWORDS,
    NEW_TERM,
    NEW_TERM_LINE,
    LibraryLane,
    library_lane,
    plain_event,
)

__all__ = ["library_lane"]

PARTITIONS = 3


def alerts_by_listing(lane: LibraryLane) -> dict[str, dict[str, object]]:
    alerts = {}
    for message in lane.lane.read_topic(lane.lane.settings.topics.alerts):
        document = orjson.loads(message.value() or b"{}")
        alerts[document["listing"]["listing_id"]] = document
    return alerts


def warm_up(lane: LibraryLane, tag: str) -> None:
    """One plain listing per partition, screened: every worker has partitions."""
    lane.produce_to(
        [
            (p, f"testmall:{tag}-{p}", plain_event(f"{tag}-{p}"))
            for p in range(PARTITIONS)
        ]
    )
    lane.lane.wait_until_drained(timeout_s=120)


def test_new_term_alerts_on_every_partition_two_seconds_after_publish(
    library_lane: LibraryLane,
) -> None:
    offline = screen(ListingText(title=NEW_TERM), load_library(KEYWORDS))
    assert not offline.alert, "the test term must be new to the real library"
    base = library_lane.publish(KEYWORDS)
    for _ in range(3):
        library_lane.lane.start_worker()
    warm_up(library_lane, "warm")

    published_at = time.monotonic()
    new = library_lane.publish(library_lane.keywords_with(NEW_TERM_LINE))
    time.sleep(max(0.0, 2.0 - (time.monotonic() - published_at)))
    library_lane.produce_to(
        [
            (p, f"testmall:new-{p}", listing_event(f"new-{p}", NEW_TERM))
            for p in range(PARTITIONS)
        ]
    )
    library_lane.lane.wait_until_drained(timeout_s=60)

    alerts = alerts_by_listing(library_lane)
    assert new != base
    assert {f"new-{p}" for p in range(PARTITIONS)} <= alerts.keys()
    for p in range(PARTITIONS):
        assert alerts[f"new-{p}"]["library_version"] == new
    for index in range(3):
        assert f'"library_version":"{new}"' in library_lane.lane.worker_log(index)


def test_rollback_restores_the_previous_content_in_every_worker(
    library_lane: LibraryLane,
) -> None:
    with_term = library_lane.publish(library_lane.keywords_with(NEW_TERM_LINE))
    for _ in range(2):
        library_lane.lane.start_worker()
    warm_up(library_lane, "warm")
    base = library_lane.publish(KEYWORDS)
    library_lane.wait_for_swap(base, workers=2)

    out = library_lane.lane.run_cli(
        "library", "rollback", with_term, "--author", "carol", "--note", "undo"
    )
    restored = out.split("version=")[1].split()[0]
    library_lane.wait_for_swap(restored, workers=2)
    library_lane.produce_to(
        [(p, f"testmall:rb-{p}", listing_event(f"rb-{p}", NEW_TERM)) for p in range(2)]
    )
    library_lane.lane.wait_until_drained(timeout_s=60)

    versions = {v.version: v for v in library_lane.versions()}
    assert versions[restored].digest == versions[with_term].digest
    assert versions[restored].rollback_of == with_term
    assert versions[restored].number > versions[base].number
    alerts = alerts_by_listing(library_lane)
    assert {alerts[f"rb-{p}"]["library_version"] for p in range(2)} == {restored}


def test_broken_library_file_is_refused_with_its_line_and_never_published(
    library_lane: LibraryLane,
) -> None:
    library_lane.publish(KEYWORDS)
    broken = library_lane.keywords_with("\n党徽胸针  weight=1.5\n", name="broken")
    line = len((broken / "terms" / "02-focus.terms").read_text().splitlines())

    with pytest.raises(AssertionError, match=rf"02-focus.terms:{line}: weight"):
        library_lane.lane.run_cli(
            "library", "publish", "--keywords", str(broken), "--author", "x"
        )

    assert len(library_lane.versions()) == 1


def test_publish_and_swaps_are_audited_with_author_and_terms(
    library_lane: LibraryLane,
) -> None:
    library_lane.publish(KEYWORDS)
    library_lane.lane.start_worker()
    warm_up(library_lane, "warm")
    new = library_lane.publish(
        library_lane.keywords_with(NEW_TERM_LINE), author="bureau-wuhan"
    )
    library_lane.wait_for_swap(new)

    es = library_lane.lane.es
    alias = library_lane.library.audit_alias

    def audit() -> list[dict[str, Any]]:
        es.indices.refresh(index=alias)
        hits = es.search(index=alias, query={"term": {"library.version": new}})
        return [hit["_source"] for hit in hits["hits"]["hits"]]

    def actions() -> set[str]:
        return {event["event"]["action"] for event in audit()}

    # The publisher and the worker write their audit events independently;
    # wait for both kinds, not for a count (a worker may swap twice).
    deadline = time.monotonic() + 30
    while not {"library_published", "library_swapped"} <= actions():
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    by_action = {event["event"]["action"]: event for event in audit()}
    published = by_action["library_published"]
    assert published["author"] == "bureau-wuhan"
    assert published["library"]["terms_added"] == [NEW_TERM]
    assert NEW_TERM in published["library"]["terms"]
    assert "library_swapped" in by_action


def test_worker_started_after_publish_screens_with_the_published_version(
    library_lane: LibraryLane, tmp_path: Path
) -> None:
    new = library_lane.publish(library_lane.keywords_with(NEW_TERM_LINE))
    library_lane.lane.start_worker()
    library_lane.produce_to([(0, "testmall:late", listing_event("late", NEW_TERM))])
    library_lane.lane.wait_until_drained(timeout_s=120)

    assert alerts_by_listing(library_lane)["late"]["library_version"] == new
