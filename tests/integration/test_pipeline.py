"""The walking skeleton on the real stack: listings in, alerts out.

Cases P1, P2, P5 (shared/cases/pipeline.md) and S6 (screening.md) are
here. Expected alerts are those the offline screen gives for the same
listings (one screen, two front ends), and the obvious ones are also
named outright so that a screen that alerts on nothing cannot pass.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import orjson

from listing_watch.events import decode_listing
from listing_watch.library import load_library
from listing_watch.pipeline.alerts import alert_id_for
from listing_watch.pipeline.deadletter import header_map
from listing_watch.pipeline.worker import FAULT_EXIT_STATUS
from listing_watch.screening import ListingText, screen
from tests.integration.lanes import REPO, Lane, listing_event, wait_for

LIBRARY = load_library(REPO / "keywords")


def expected_alert_ids(values: list[bytes]) -> set[str]:
    """Alert ids the offline screen gives for the decodable events."""
    ids = set()
    for value in values:
        try:
            listing = decode_listing(value)
        except Exception:
            continue
        if screen(ListingText.from_listing(listing), LIBRARY).alert:
            ids.add(alert_id_for(listing))
    return ids


def alert_records(lane: Lane) -> list[dict[str, object]]:
    messages = lane.read_topic(lane.settings.topics.alerts)
    return [orjson.loads(message.value()) for message in messages]


def test_p1_poison_event_in_the_middle_of_a_batch(lane: Lane) -> None:
    key = b"testmall:p1"
    lane.produce(
        [
            (key, listing_event("p1-a", "党徽胸针 金属徽章 批发")),
            (key, listing_event("p1-b", "特供酒 53度酱香")[:25]),
            (key, listing_event("p1-c", "特供酒 人民大会堂宴会用酒 整箱")),
        ]
    )

    lane.start_worker()
    lane.wait_until_drained()

    titles = sorted(str(alert["listing"]["title"]) for alert in alert_records(lane))  # type: ignore[index]
    assert titles == ["党徽胸针 金属徽章 批发", "特供酒 人民大会堂宴会用酒 整箱"]
    assert len(lane.documents()) == 2
    dead = lane.read_topic(lane.settings.topics.deadletter)
    assert len(dead) == 1
    assert dead[0].value() == listing_event("p1-b", "特供酒 53度酱香")[:25]
    assert header_map(dead[0].headers())["reason"] == "decode_error"
    assert lane.workers[0].poll() is None, "the worker must keep running"


def test_batch_with_malformed_events_gives_exact_alerts_documents_and_dead_letters(
    lane: Lane,
) -> None:
    good = [
        listing_event("g1", "建党100周年纪念章 纯铜镀金 收藏"),
        listing_event("g2", "儿童益智积木玩具 大颗粒"),
        listing_event("g3", "国宴专用 茅台镇酱香白酒 礼盒"),
        listing_event("g4", "不锈钢保温杯 500ml"),
        # P5: a byte-order mark before the event decodes normally.
        b"\xef\xbb\xbf" + listing_event("g5", "七一勋章 复刻版 包邮"),
        # S6: a lone surrogate is replaced, the rest is still screened.
        listing_event("g6", "X党徽胸针 金属").replace(b"X", b"\\ud800"),
    ]
    malformed = [
        b'{"event_id": "m1", "title": "broken',
        orjson.dumps({"event_id": "m2", "platform": "testmall", "title": "无时间"}),
        listing_event("m3", "价格为负的商品", price=-3),
    ]
    keys = [b"testmall:g1", None, b"\xff\xfe-not-utf8", b"testmall:g4", b"k5", b"k6"]
    lane.produce([*zip(keys, good, strict=True), *[(None, bad) for bad in malformed]])

    lane.start_worker()
    lane.wait_until_drained()

    expected = expected_alert_ids(good)
    assert len(expected) >= 4, "the obvious listings must alert offline too"
    alerts = alert_records(lane)
    assert {alert["alert_id"] for alert in alerts} == expected
    # P5: the alert's key is platform plus listing id, whatever the event key.
    keys_out = {m.key() for m in lane.read_topic(lane.settings.topics.alerts)}
    assert keys_out <= {f"testmall:g{n}".encode() for n in range(1, 7)}

    documents = lane.documents()
    assert {document["_id"] for document in documents} == expected
    found = lane.es.search(
        index=lane.settings.search.alerts_alias,
        query={"match_phrase": {"listing.title": "勋章"}},
        highlight={"fields": {"listing.title": {}}},
    )
    hit = found["hits"]["hits"][0]
    assert hit["_source"]["listing"]["title"] == "七一勋章 复刻版 包邮"
    assert hit["highlight"]["listing.title"][0] == "七一<em>勋章</em> 复刻版 包邮"

    dead = lane.read_topic(lane.settings.topics.deadletter)
    reasons = Counter(header_map(message.headers())["reason"] for message in dead)
    assert reasons == {"decode_error": 1, "schema_error": 2}
    assert {message.value() for message in dead} == set(malformed)
    assert lane.workers[0].poll() is None


def test_killed_worker_restarts_without_losing_or_duplicating(lane: Lane) -> None:
    values = [
        listing_event(
            f"k{n}",
            f"建党100周年纪念币 第{n}枚" if n % 10 == 0 else f"家用收纳盒 款式{n}",
        )
        for n in range(3000)
    ]
    lane.produce([(f"testmall:k{n}".encode(), value) for n, value in enumerate(values)])
    expected = expected_alert_ids(values)
    assert len(expected) == 300

    first = lane.start_worker(LW_BATCH_SIZE="50")
    wait_for(
        lambda: len(lane.read_topic(lane.settings.topics.alerts)) >= 30,
        timeout_s=60,
        what="the first alerts",
        every_s=0.1,
    )
    first.send_signal(signal.SIGKILL)
    first.wait()

    lane.start_worker(LW_BATCH_SIZE="50")
    lane.wait_until_drained(timeout_s=120)

    alerts = alert_records(lane)
    assert {alert["alert_id"] for alert in alerts} == expected
    documents = lane.documents()
    assert len(documents) == len(expected)
    assert {document["_id"] for document in documents} == expected


def test_p2_alert_handed_to_producer_but_not_delivered(lane: Lane) -> None:
    value = listing_event("p2", "建党百年纪念章 限量版")
    lane.produce([(b"testmall:p2", value)])

    crashed = lane.start_worker(LW_FAULT="exit_after_alert_send")
    assert crashed.wait(timeout=60) == FAULT_EXIT_STATUS
    lane.start_worker()
    lane.wait_until_drained()

    messages = lane.read_topic(lane.settings.topics.alerts)
    assert [message.key() for message in messages] == [b"testmall:p2"]
    assert [document["_id"] for document in lane.documents()] == list(
        expected_alert_ids([value])
    )


def test_worker_log_lines_are_json_with_event_names(lane: Lane, tmp_path: Path) -> None:
    lane.produce([(b"k", listing_event("j1", "普通商品 水杯"))])
    lane.start_worker()
    lane.wait_until_drained()
    lane.stop_workers()

    events = []
    for line in lane.worker_log().splitlines():
        if line.startswith("{"):
            events.append(orjson.loads(line)["event"])
    assert "worker_starting" in events
    assert "batch_done" in events


def test_hostile_events_are_dead_lettered_and_the_partition_moves_on(
    lane: Lane,
) -> None:
    key = b"testmall:same-partition"
    first = listing_event("h-first", "党徽胸针 金属徽章 批发")
    last = listing_event("h-last", "特供酒 人民大会堂宴会用酒 整箱")
    hostile: list[bytes | None] = [
        None,  # a tombstone
        listing_event("h1", "水杯").replace(
            b'"2021-06-25T10:00:00+08:00"', b"Infinity"
        ),
        listing_event("h2", "水杯", price=1).replace(
            b'"price":1', b'"price":1' + b"0" * 5000
        ),
        listing_event("h3", "党徽挂件", extra={"n": {"n": {"n": {"n": 1}}}}).replace(
            b"1}}}}", b"[" * 300 + b"]" * 300 + b"}}}}"
        ),
        listing_event("h4", "党徽挂件", observed_at="0001-01-01T00:00:00"),
    ]
    lane.produce([(key, first), *((key, value) for value in hostile), (key, last)])

    lane.start_worker()
    lane.wait_until_drained()

    titles = sorted(str(alert["listing"]["title"]) for alert in alert_records(lane))  # type: ignore[index]
    assert titles == ["党徽胸针 金属徽章 批发", "特供酒 人民大会堂宴会用酒 整箱"]
    dead = lane.read_topic(lane.settings.topics.deadletter)
    assert len(dead) == len(hostile)
    assert {header_map(m.headers())["reason"] for m in dead} <= {
        "decode_error",
        "schema_error",
    }
    assert lane.workers[0].poll() is None
