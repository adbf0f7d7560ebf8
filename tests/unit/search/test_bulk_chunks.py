"""Bulk requests are cut by size, keeping every alert once and in order."""

from __future__ import annotations

from listing_watch.pipeline.alerts import Alert
from listing_watch.search.bulk import ACTION_LINE_BYTES, _chunks_by_size


def alert(n: int, padding: int) -> Alert:
    return Alert(alert_id=f"a{n}", key="k", document={"pad": "x" * padding})


def test_chunks_stay_under_the_limit_and_keep_order() -> None:
    alerts = [alert(n, 300) for n in range(20)]
    size = len(alerts[0].value_bytes()) + ACTION_LINE_BYTES

    chunks = list(_chunks_by_size(alerts, limit=size * 3))

    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 3, 3, 3, 2]
    assert [a.alert_id for chunk in chunks for a in chunk] == [
        a.alert_id for a in alerts
    ]


def test_an_alert_larger_than_the_limit_travels_alone() -> None:
    alerts = [alert(0, 10), alert(1, 5000), alert(2, 10)]

    chunks = list(_chunks_by_size(alerts, limit=1000))

    assert [[a.alert_id for a in chunk] for chunk in chunks] == [["a0"], ["a1"], ["a2"]]
