"""``library preview`` and ``library stats`` on the real stack."""

from __future__ import annotations

import orjson

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


def test_preview_counts_what_the_candidate_would_newly_alert_on(
    library_lane: LibraryLane,
) -> None:
    library_lane.publish(KEYWORDS)
    library_lane.lane.start_worker()
    library_lane.produce_to(
        [
            (0, "testmall:a", listing_event("a", f"{NEW_TERM} 挂画")),
            (1, "testmall:b", listing_event("b", "七一勋章 复刻")),
            (2, "testmall:c", plain_event("c")),
        ]
    )
    library_lane.lane.wait_until_drained(timeout_s=120)
    candidate = library_lane.keywords_with(NEW_TERM_LINE)

    preview = orjson.loads(
        library_lane.lane.run_cli(
            "library",
            "preview",
            "--since",
            "1h",
            "--keywords",
            str(candidate),
            "--json",
        )
    )
    listed = library_lane.lane.run_cli(
        "library", "preview", "--since", "1h", "--keywords", str(candidate)
    )

    assert preview == {"listings": 3, "newly_alerting": 1, "cleared": 0}
    assert f"+ testmall:a none->high [{NEW_TERM}]" in listed


def test_stats_counts_alerts_per_term_and_lists_unused_terms(
    library_lane: LibraryLane,
) -> None:
    library_lane.publish(KEYWORDS)
    library_lane.lane.start_worker()
    library_lane.produce_to(
        [
            (0, "testmall:a", listing_event("a", "七一勋章 复刻")),
            (1, "testmall:b", listing_event("b", "七一勋章 仿制")),
        ]
    )
    library_lane.lane.wait_until_drained(timeout_s=120)

    rows = [
        orjson.loads(line)
        for line in library_lane.lane.run_cli("library", "stats", "--json").splitlines()
    ]

    by_term = {row["term"]: row for row in rows}
    assert by_term["七一勋章"] == {"term": "七一勋章", "alerts": 2, "dismissed": 0}
    assert len(rows) > 2
    assert all(row["alerts"] == 0 for row in rows if row["term"] != "七一勋章")
