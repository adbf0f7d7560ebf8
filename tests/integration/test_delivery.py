"""Delivery guarantees on the real stack: outages, 429s, rebalances, shutdown.

Elasticsearch faults are made by a proxy on loopback in front of the real
node (``esproxy.py``), so other tests keep their node; the broker and the
node themselves are real throughout.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Iterator

import orjson
import pytest
from confluent_kafka import Producer

from listing_watch.events import decode_listing
from listing_watch.library import load_library
from listing_watch.pipeline.alerts import alert_id_for, build_alert
from listing_watch.pipeline.batch import BatchResult, RaisedAlert
from listing_watch.pipeline.crash import CRASH_EXIT_STATUS
from listing_watch.pipeline.deadletter import header_map
from listing_watch.pipeline.delivery import Delivery, Destinations, Headers
from listing_watch.pipeline.lag import committed_offsets
from listing_watch.pipeline.records import SourceRecord
from listing_watch.screening import ListingText, screen
from listing_watch.search.bulk import Backoff, BulkIndexer
from listing_watch.search.index import connect_async
from tests.integration.esproxy import ElasticsearchProxy
from tests.integration.lanes import REPO, Lane, listing_event, wait_for

LIBRARY = load_library(REPO / "keywords")

# The bound is 10 s; the test allows a generous margin for a busy CI.
SHUTDOWN_BOUND_S = 10.0
SHUTDOWN_MARGIN_S = 5.0


@pytest.fixture
def proxy(lane: Lane) -> Iterator[ElasticsearchProxy]:
    es_proxy = ElasticsearchProxy(lane.settings.search.url)
    es_proxy.start()
    lane.env["LW_ES_URL"] = es_proxy.url
    try:
        yield es_proxy
    finally:
        # Workers first: the proxy's shutdown waits for open connections.
        lane.stop_workers()
        es_proxy.close()


def numbered_events(count: int, *, every: int = 10, prefix: str = "d") -> list[bytes]:
    """``count`` events; every ``every``-th is a listing the screen alerts on."""
    return [
        listing_event(
            f"{prefix}{n}",
            f"建党100周年纪念币 编号{n}" if n % every == 0 else f"厨房置物架 规格{n}",
        )
        for n in range(count)
    ]


def produce_keyed(lane: Lane, values: list[bytes]) -> None:
    lane.produce([(decode_listing(value).key.encode(), value) for value in values])


def expected_ids(values: list[bytes]) -> set[str]:
    ids = set()
    for value in values:
        listing = decode_listing(value)
        if screen(ListingText.from_listing(listing), LIBRARY).alert:
            ids.add(alert_id_for(listing))
    return ids


def assert_exactly_once(lane: Lane, expected: set[str]) -> None:
    topic_ids = [
        orjson.loads(message.value())["alert_id"]
        for message in lane.read_topic(lane.settings.topics.alerts)
    ]
    assert set(topic_ids) == expected, "every alert on the topic, none extra"
    documents = [document["_id"] for document in lane.documents()]
    assert sorted(documents) == sorted(expected), "one document per alert"


def test_elasticsearch_outage_pauses_then_resumes_without_loss(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    values = numbered_events(600)
    lane.start_worker()
    proxy.set_mode("down")
    produce_keyed(lane, values)
    time.sleep(6)

    assert lane.workers[0].poll() is None, "the worker survives the outage"
    assert lane.lag() > 0, "nothing is committed while documents are not durable"
    proxy.set_mode("pass")
    lane.wait_until_drained(timeout_s=120)

    assert_exactly_once(lane, expected_ids(values))
    log = lane.worker_log()
    assert '"search_retry"' in log or '"index_retry"' in log


def test_429_answers_are_retried_until_accepted(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    values = numbered_events(300, every=3)
    proxy.set_mode("429")
    lane.start_worker()
    produce_keyed(lane, values)
    wait_for(lambda: proxy.refused_bulks >= 3, timeout_s=60, what="refused bulks")

    proxy.set_mode("pass")
    lane.wait_until_drained(timeout_s=120)

    assert_exactly_once(lane, expected_ids(values))


def committed_listing_offsets(lane: Lane) -> list[int]:
    """The group's committed offsets on the listings topic, by partition."""
    committed = committed_offsets(
        lane.settings,
        group=lane.settings.worker.group_id,
        topic=lane.settings.topics.listings,
    )
    return sorted(committed.values())


def alerts_on_one_partition(lane: Lane, prefix: str, count: int) -> list[bytes]:
    """``count`` alerting listings produced in order to a single partition."""
    events = [
        listing_event(f"{prefix}-{n}", f"建党百年纪念章 第{n}枚") for n in range(count)
    ]
    key = b"testmall:one-partition"
    lane.produce([(key, value) for value in events])
    return events


def recover_one_by_one(
    lane: Lane, proxy: ElasticsearchProxy, events: list[bytes]
) -> None:
    """Elasticsearch healthy again, a new worker: every alert exactly once."""
    proxy.set_mode("pass")
    lane.start_worker(LW_BATCH_SIZE="1")
    lane.wait_until_drained()
    assert_exactly_once(lane, expected_ids(events))


def test_commit_never_passes_a_pending_offset(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    slow = listing_event("slow", "七一勋章 纯铜 复刻")
    fast = listing_event("fast", "陶瓷花瓶 摆件")
    key = b"testmall:same-partition"
    lane.produce([(key, slow), (key, fast)])
    proxy.set_mode("slow", delay_s=30)

    worker = lane.start_worker(LW_BATCH_SIZE="1")
    wait_for(lambda: proxy.bulk_requests >= 1, timeout_s=60, what="the slow bulk")
    time.sleep(2)
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    assert max(committed_listing_offsets(lane), default=0) == 0, (
        "offset 0 is pending: nothing commits"
    )
    recover_one_by_one(lane, proxy, [slow, fast])


def test_later_batches_are_sent_while_a_bulk_stalls_but_never_committed(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    events = alerts_on_one_partition(lane, "in-flight", 3)
    proxy.set_mode("slow_bulk", delay_s=60)

    worker = lane.start_worker(LW_BATCH_SIZE="1", LW_BATCHES_IN_FLIGHT="2")
    wait_for(
        lambda: len(lane.read_topic(lane.settings.topics.alerts)) == 2,
        timeout_s=60,
        what="the second batch's alert sent while the first bulk stalls",
    )
    time.sleep(2.5)  # more than two commit intervals: a wrong commit would land
    assert proxy.bulk_requests == 1, "the later bulks wait for the first to settle"
    assert len(lane.read_topic(lane.settings.topics.alerts)) == 2, (
        "two batches in flight: the third is not sent until the first settles"
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    assert max(committed_listing_offsets(lane), default=0) == 0, (
        "no batch is settled: nothing commits"
    )
    recover_one_by_one(lane, proxy, events)


def test_a_refused_bulk_stops_the_worker_and_nothing_commits_past_it(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    events = alerts_on_one_partition(lane, "refused", 6)
    proxy.set_mode("403", pass_bulks=1)  # batch 0 settles, batch 1 is refused

    worker = lane.start_worker(LW_BATCH_SIZE="1")
    started = time.monotonic()
    status = worker.wait(timeout=120)
    print(f"refused bulk to exit: {time.monotonic() - started:.1f} s")

    assert status == CRASH_EXIT_STATUS
    assert "worker_crashing" in lane.worker_log()
    assert committed_listing_offsets(lane) == [1], (
        "offset 0 settled and committed, offset 1 refused: nothing past it"
    )
    recover_one_by_one(lane, proxy, events)


def test_sigterm_during_a_bulk_exits_in_time_and_loses_nothing(
    lane: Lane, proxy: ElasticsearchProxy
) -> None:
    values = numbered_events(200, every=2)
    produce_keyed(lane, values)
    proxy.set_mode("slow", delay_s=20)
    worker = lane.start_worker()
    wait_for(lambda: proxy.bulk_requests >= 1, timeout_s=60, what="a bulk in flight")

    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=SHUTDOWN_BOUND_S + SHUTDOWN_MARGIN_S)
    stopped_in = time.monotonic() - started
    print(f"SIGTERM to exit: {stopped_in:.1f} s")

    assert stopped_in < SHUTDOWN_BOUND_S + SHUTDOWN_MARGIN_S
    proxy.set_mode("pass")
    lane.start_worker()
    lane.wait_until_drained()
    assert_exactly_once(lane, expected_ids(values))


def test_rebalance_between_two_workers_loses_and_duplicates_nothing(
    lane: Lane,
) -> None:
    first_half = numbered_events(1500, prefix="a")
    second_half = numbered_events(1500, prefix="b")
    lane.start_worker(LW_BATCH_SIZE="100")
    produce_keyed(lane, first_half)
    lane.start_worker(LW_BATCH_SIZE="100", LW_WEB_PORT="0")
    produce_keyed(lane, second_half)
    time.sleep(3)
    lane.workers[0].send_signal(signal.SIGTERM)
    lane.workers[0].wait(timeout=30)

    lane.wait_until_drained(timeout_s=120)

    assert_exactly_once(lane, expected_ids(first_half + second_half))


def test_p4_shop_as_object_and_as_string_are_both_searchable(lane: Lane) -> None:
    as_object = listing_event(
        "p4a", "党徽钥匙扣 金属", shop={"id": "s1", "name": "甲店"}
    )
    as_string = listing_event("p4b", "党徽钥匙扣 塑料", shop="s1")
    lane.produce([(b"a", as_object), (b"b", as_string)])

    lane.start_worker()
    lane.wait_until_drained()

    alias = lane.settings.search.alerts_alias
    lane.es.indices.refresh(index=alias)
    for flat in ("shop.id=s1", "shop=s1"):
        found = lane.es.search(
            index=alias, query={"term": {"listing.extra_flat": flat}}
        )
        assert found["hits"]["total"]["value"] == 1, flat
    assert lane.read_topic(lane.settings.topics.deadletter) == []


def test_p3_bulk_partly_rejected_sends_two_to_dead_letters(lane: Lane) -> None:
    raised = []
    for n in range(1000):
        value = listing_event(f"p3-{n}", f"建党百年纪念章 第{n}号")
        listing = decode_listing(value)
        verdict = screen(ListingText.from_listing(listing), LIBRARY)
        alert = build_alert(listing, verdict)
        if n in (17, 503):
            alert.document["score"] = "not a number"  # type: ignore[index]
        record = SourceRecord(
            topic=lane.settings.topics.listings,
            partition=0,
            offset=n,
            key=None,
            value=value,
        )
        raised.append(RaisedAlert(record, alert))

    report = asyncio.run(_deliver(lane, BatchResult(alerts=raised)))

    assert (report.documents_indexed, report.documents_rejected) == (998, 2)
    assert len(lane.documents()) == 998
    dead = lane.read_topic(lane.settings.topics.deadletter)
    contexts = sorted(
        (header_map(m.headers()) for m in dead), key=lambda c: c["offset"]
    )
    assert [c["offset"] for c in contexts] == ["17", "503"]
    for context in contexts:
        assert context["reason"] == "index_rejected"
        assert context["document.id"] == raised[int(context["offset"])].alert.alert_id
        assert context["error.type"] == "document_parsing_exception"
        assert "score" in context["exception.message"]


async def _deliver(lane: Lane, result: BatchResult):  # type: ignore[no-untyped-def]
    producer = Producer({**lane.settings.kafka, "enable.idempotence": True})

    async def send(
        topic: str, key: bytes | None, value: bytes, headers: Headers
    ) -> Awaitable[object]:
        producer.produce(topic, key=key, value=value, headers=list(headers))
        # Acknowledged when the producer is flushed, below.
        return asyncio.sleep(0)

    client = connect_async(lane.settings.search)
    delivery = Delivery(
        send=send,
        indexer=BulkIndexer(client, backoff=Backoff()),
        destinations=Destinations(
            alerts_topic=lane.settings.topics.alerts,
            deadletter_topic=lane.settings.topics.deadletter,
            escalations_topic=f"{lane.settings.topics.alerts}.unused",
            alerts_alias=lane.settings.search.alerts_alias,
            coverage_alias=f"{lane.settings.search.alerts_alias}-coverage-unused",
        ),
    )
    try:
        report = await delivery.settle(await delivery.send(result))
    finally:
        await client.close()
    assert producer.flush(30) == 0
    return report


def test_deadletter_redrive_after_fix_indexes_the_listing(lane: Lane) -> None:
    alias = lane.settings.search.alerts_alias
    index = f"{alias}-000001"
    lane.es.indices.delete(index=index)
    lane.es.indices.create(
        index=index,
        aliases={alias: {"is_write_index": True}},
        mappings={"properties": {"risk": {"type": "long"}}},
    )
    value = listing_event("rd1", "人民大会堂特供酒 礼盒")
    lane.produce([(b"testmall:rd1", value)])
    lane.start_worker()
    lane.wait_until_drained()
    dead = lane.read_topic(lane.settings.topics.deadletter)
    assert [header_map(m.headers())["reason"] for m in dead] == ["index_rejected"]

    lane.es.indices.delete(index=index)
    lane.run_cli("setup")
    output = lane.run_cli("deadletter", "redrive", "--reason", "index_rejected")
    assert "redriven=1" in output
    lane.wait_until_drained()

    wait_for(lambda: len(lane.documents()) == 1, timeout_s=30, what="the document")
    assert lane.documents()[0]["_id"] == alert_id_for(decode_listing(value))


def test_reindex_rebuilds_the_index_from_the_alerts_topic(lane: Lane) -> None:
    values = numbered_events(200, every=4)
    produce_keyed(lane, values)
    lane.start_worker()
    lane.wait_until_drained()
    lane.stop_workers()
    alias = lane.settings.search.alerts_alias
    lane.es.indices.delete(index=f"{alias}-000001")

    output = lane.run_cli("reindex", "--no-progress")

    assert "indexed=50" in output
    assert_exactly_once(lane, expected_ids(values))
