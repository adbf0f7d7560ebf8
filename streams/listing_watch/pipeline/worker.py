"""The screening worker: a Faust app whose agent screens the listings topic.

Faust owns the consumer group, the partition assignment and the offset
commits. The agent takes events in batches with ``noack_take``, screens
each batch and hands its alerts to the producer; :class:`InFlight` then
settles the batches in order and acknowledges a batch's events only
after :class:`Delivery` has made its effects durable. Faust commits up
to the first unacknowledged offset of each partition. A crash or SIGKILL
therefore re-consumes the unacknowledged tail, and because alert and
document ids derive from the listing version, the replay overwrites
instead of duplicating.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final

import faust
from elasticsearch import AsyncElasticsearch
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from listing_watch.config import Settings
from listing_watch.library import CompiledLibrary
from listing_watch.logs import log_event
from listing_watch.pipeline.batch import BatchResult, screen_batch
from listing_watch.pipeline.crash import CRASH_EXIT_STATUS, WorkerCrash
from listing_watch.pipeline.delivery import (
    Delivery,
    DeliveryReport,
    Destinations,
    Headers,
    SentBatch,
)
from listing_watch.pipeline.in_flight import InFlight
from listing_watch.pipeline.kafka_security import broker_credentials
from listing_watch.pipeline.leads import decide, look_up_history
from listing_watch.pipeline.library_follower import follow_library
from listing_watch.pipeline.metrics import WorkerMetrics
from listing_watch.pipeline.records import SourceRecord
from listing_watch.pipeline.topics import MAX_RECORD_BYTES
from listing_watch.search.bulk import BulkIndexer, retrying
from listing_watch.search.index import connect_async
from listing_watch.workflow import (
    NotifyError,
    WorkflowSettings,
    load_workflow_settings,
    notify,
    should_notify,
)

logger = logging.getLogger(__name__)

# Exit status of a process stopped by the ``exit_after_alert_send`` fault.
FAULT_EXIT_STATUS: Final = 86

# Faust commits acknowledged offsets this often; a crash re-screens at most
# this much work (or broker_commit_every events, whichever comes first).
COMMIT_INTERVAL_S: Final = 1.0

# A worker that dies without leaving the group holds its partitions until
# the broker gives up on it. Faust's default of 60 s leaves partitions idle
# for a minute after a crash; 10 s with 3 s heartbeats still tolerates a
# long pause in the event loop.
SESSION_TIMEOUT_S: Final = 10.0
HEARTBEAT_INTERVAL_S: Final = 3.0

# How often the consumer-lag gauges are refreshed.
LAG_REFRESH_S: Final = 5.0


def logging_config(level: str) -> dict[str, Any]:
    """Route Faust's and our records through the JSON formatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "listing_watch.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        # One line per HTTP request would drown the batch lines.
        "loggers": {"elastic_transport": {"level": "WARNING"}},
    }


def build_app(
    settings: Settings, library: CompiledLibrary, crash: WorkerCrash | None = None
) -> faust.App:
    """The Faust app with one agent on the listings topic."""
    worker = settings.worker
    # Faust's app id is the consumer group id.
    app = faust.App(
        worker.group_id,
        broker=f"lwkafka://{settings.bootstrap_servers}",
        broker_credentials=broker_credentials(settings.kafka),
        store="memory://",
        # Faust keeps a data folder even with in-memory tables; by default in
        # the working directory, where it would litter a checkout. (Faust
        # creates only the last folder, so it sits right in the temp dir.)
        datadir=Path(tempfile.gettempdir()) / f"listing-watch-{worker.group_id}",
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=COMMIT_INTERVAL_S,
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_heartbeat_interval=HEARTBEAT_INTERVAL_S,
        # On shutdown, do not wait for in-flight batches: they are not yet
        # acknowledged, so cancelling them hands them back (they are
        # consumed again) and SIGTERM exits within seconds, not after the
        # slowest Elasticsearch answer.
        stream_wait_empty=False,
        producer_acks=-1,
        producer_max_request_size=MAX_RECORD_BYTES,
        topic_disable_leader=True,
        topic_allow_declare=False,
        **web_options(settings),
    )
    listings = app.topic(settings.topics.listings)
    metrics = WorkerMetrics()
    metrics.set_library_version(library.version)
    crash = crash or WorkerCrash()
    screener = BatchScreener(
        app=app,
        settings=settings,
        library=library,
        metrics=metrics,
        workflow=load_workflow_settings(),
        crash=crash,
    )
    follow_library(app, screener, settings, metrics)

    @app.agent(listings, name="screen-listings")
    async def screen_listings(stream: Any) -> None:
        async def settle(batch: BatchInFlight) -> None:
            await screener.settle(batch, ack=stream.ack)

        in_flight = InFlight(
            settle, limit=worker.batches_in_flight, on_failure=crash.now
        )
        metrics.batches_in_flight.set_function(lambda: len(in_flight))
        try:
            async for events in stream.noack_take(
                worker.batch_size, within=worker.batch_window_s
            ):
                await in_flight.put(partial(screener.send, events))
        except Exception as error:
            crash.now(error)
            # Parked, not raised: Faust would start a new agent on the same
            # stream. Shutdown cancels this wait.
            await asyncio.Event().wait()
        finally:
            # On shutdown or a crash: batches not yet settled are never
            # acknowledged, so they are handed back, not lost.
            await in_flight.close()

    add_web_pages(app, metrics, screener)

    @app.on_before_shutdown.connect
    async def close_search_client(
        sender: faust.App, /, *args: Any, signal: Any, **kwargs: Any
    ) -> None:
        crash.stopping = True
        await screener.close()

    # Faust is untyped (see pyproject.toml): its decorators erase types.
    @app.timer(LAG_REFRESH_S)  # type: ignore[untyped-decorator]
    async def refresh_lag() -> None:
        update_lag(app, metrics)

    return app


def web_options(settings: Settings) -> dict[str, Any]:
    """Faust's web server settings; port 0 turns the server off."""
    worker = settings.worker
    if worker.web_port == 0:
        return {"web_enabled": False}
    return {
        "web_enabled": True,
        "web_bind": worker.web_host,
        "web_port": worker.web_port,
        "web_host": worker.web_host,
    }


def add_web_pages(
    app: faust.App, metrics: WorkerMetrics, screener: BatchScreener
) -> None:
    """``/metrics`` for Prometheus, ``/healthz`` and ``/readyz`` for probes."""

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        # aiohttp wants the charset apart from the media type.
        media_type = CONTENT_TYPE_LATEST.split(";")[0]
        response = web.bytes(generate_latest(metrics.registry), content_type=media_type)
        response.charset = "utf-8"
        return response

    @app.page("/healthz")
    async def liveness(web: Any, request: Any) -> Any:
        # Answering at all proves the event loop is not stuck.
        return web.json({"status": "alive"})

    @app.page("/readyz")
    async def readiness(web: Any, request: Any) -> Any:
        blocked = screener.delivery_blocked
        ready = not app.rebalancing and not blocked
        body = {
            "ready": ready,
            "delivery_blocked": blocked,
            "library_version": screener.library.version,
        }
        return web.json(body, status=200 if ready else 503)


def update_lag(app: faust.App, metrics: WorkerMetrics) -> None:
    """Lag per assigned partition from Faust's monitor (no broker round trip)."""
    monitor = app.monitor
    assignment = app.consumer.assignment()
    metrics.assigned_partitions.set(len(assignment))
    metrics.consumer_lag.clear()
    for tp in assignment:
        end = monitor.tp_end_offsets.get(tp)
        committed = monitor.tp_committed_offsets.get(tp, 0)
        if end is not None:
            metrics.consumer_lag.labels(partition=str(tp.partition)).set(
                max(0, end - committed)
            )


class BatchScreener:
    """Screens one batch of Faust events and delivers its effects."""

    def __init__(
        self,
        *,
        app: faust.App,
        settings: Settings,
        library: CompiledLibrary,
        metrics: WorkerMetrics,
        workflow: WorkflowSettings,
        crash: WorkerCrash,
    ) -> None:
        self._app = app
        self._settings = settings
        self.library = library
        self._metrics = metrics
        self._workflow = workflow
        self._delivery: Delivery | None = None
        self._search: AsyncElasticsearch | None = None
        self._notifications: set[asyncio.Task[None]] = set()
        # Lead lookups and bulks meet an outage separately; either one
        # waiting keeps the worker unready.
        self._blocked: set[str] = set()
        self._crash = crash

    async def send(self, events: Sequence[Any]) -> BatchInFlight:
        """Screen a batch, decide its leads and hand its records to the producer."""
        started = time.perf_counter()
        records = [source_record(event) for event in events]
        screened = screen_batch(
            records, self.library, self._workflow, alerted_at=datetime.now(UTC)
        )
        screen_done = time.perf_counter()
        result = await self._decide_leads(screened)
        leads_done = time.perf_counter()
        sent = await self._ensure_delivery().send(result)
        return BatchInFlight(
            events=events,
            records=records,
            sent=sent,
            started=started,
            screen_ms=(screen_done - started) * 1000,
            leads_ms=(leads_done - screen_done) * 1000,
            sent_ms=(time.perf_counter() - started) * 1000,
        )

    async def settle(
        self, batch: BatchInFlight, *, ack: Callable[[Any], Awaitable[object]]
    ) -> None:
        """Wait until the batch's effects are durable, then acknowledge it.

        Only events fetched in the current consumer generation are
        acknowledged. After a rebalance Faust reads every partition again
        from its committed offset, so an event fetched before it comes
        again and is acknowledged then, in order. Acknowledging the old
        copy could instead leave a gap behind it (an earlier old batch
        skipped while its partition was away), and Faust's commit does not
        always stop at a gap of one offset.
        """
        assert self._delivery is not None  # send() created it
        report = await self._delivery.settle(batch.sent)
        if self._crash.error is not None:
            return  # stopping after a failure: acknowledge nothing more
        current, stale = split_by_generation(
            batch.events,
            generation=self._app.consumer_generation_id,
            assigned=self._app.consumer.assignment(),
        )
        for event in current:
            await ack(event)
        if stale:
            log_event(
                logger,
                "batch_from_before_rebalance",
                listings=len(stale),
                action="none: they are consumed again from the committed offset; "
                "their documents are overwritten, their alerts may repeat on the topic",
            )

        result = batch.sent.result
        elapsed = time.perf_counter() - batch.started
        self._count(batch.records, result, report, elapsed, batch.sent_ms / 1000)
        self._notify(result)
        log_event(
            logger,
            "batch_done",
            listings=len(batch.records),
            screened=len(result.screened),
            alerts=report.alerts_published,
            indexed=report.documents_indexed,
            dead_letters=report.dead_letters,
            suppressed=result.suppressed,
            escalated=len(result.escalations),
            library_version=result.library_version,
            first=batch.records[0].position if batch.records else None,
            oldest_age_ms=_oldest_age_ms(batch.records),
            screen_ms=round(batch.screen_ms, 1),
            leads_ms=round(batch.leads_ms, 1),
            sent_ms=round(batch.sent_ms, 1),
            delivery_ms=round(report.elapsed_ms, 1),
            elapsed_ms=round(elapsed * 1000, 1),
        )

    async def _decide_leads(self, result: BatchResult) -> BatchResult:
        """Recurrence, re-posts and escalation, from what the index knows."""
        if not result.alerts:
            return result
        self._ensure_delivery()
        assert self._search is not None
        client, alias = self._search, self._settings.search.alerts_alias
        history = await retrying(
            lambda: look_up_history(client, alias, result.alerts),
            what="lead history",
            on_blocked=partial(self._set_blocked, "lead lookups"),
        )
        decisions = decide(result.alerts, history, self._workflow)
        self._metrics.alerts_suppressed.inc(len(decisions.suppressed))
        return replace(
            result,
            alerts=decisions.alerts,
            escalations=decisions.escalations,
            suppressed=len(decisions.suppressed),
        )

    def _notify(self, result: BatchResult) -> None:
        """Post high-risk and escalated alerts to the group robot, if set.

        Best effort, after the alerts are durable and off the batch's path:
        a robot that is down delays nobody; each failure is logged.
        """
        url = self._workflow.webhook_url
        if url is None:
            return
        for raised in result.alerts:
            if should_notify(raised.alert.document):
                task = asyncio.create_task(self._post(raised.alert.document, url))
                self._notifications.add(task)
                task.add_done_callback(self._notifications.discard)

    async def _post(self, document: Mapping[str, Any], url: str) -> None:
        kind = self._workflow.webhook_kind
        try:
            await asyncio.to_thread(notify, document, url=url, kind=kind)  # type: ignore[arg-type]
        except NotifyError as error:
            log_event(
                logger,
                "notify_failed",
                level=logging.WARNING,
                alert_id=document.get("alert_id"),
                error=str(error),
                action="the alert is indexed; only the robot message is missing",
            )

    def _count(
        self,
        records: Sequence[SourceRecord],
        result: BatchResult,
        report: DeliveryReport,
        elapsed: float,
        sent_s: float,
    ) -> None:
        metrics = self._metrics
        for record in records:
            metrics.consumed.labels(partition=str(record.partition)).inc()
        metrics.screened.inc(len(result.screened))
        metrics.matched.inc(result.matched)
        for raised in result.alerts:
            metrics.alerts.labels(risk=raised.alert.document["risk"]).inc()
        for reason in report.dead_letter_reasons:
            metrics.dead_letters.labels(reason=reason).inc()
        metrics.index_rejections.inc(report.documents_rejected)
        metrics.delivery_seconds.observe(report.elapsed_ms / 1000)
        metrics.batch_seconds.observe(elapsed)
        metrics.send_seconds.observe(sent_s)

    async def close(self) -> None:
        """Close the Elasticsearch client's HTTP session, if one was opened.

        The client stays set: a batch still in ``send`` fails on the closed
        session (and is handed back) rather than on a missing client.
        """
        if self._search is not None:
            await self._search.close()

    def _ensure_delivery(self) -> Delivery:
        # The Elasticsearch client opens an aiohttp session, which must be
        # created inside the running event loop: hence lazily, here.
        if self._delivery is None:
            search = self._settings.search
            self._search = connect_async(search)
            indexer = BulkIndexer(
                self._search,
                on_retry=self._metrics.index_retries.inc,
                on_blocked=partial(self._set_blocked, "bulks"),
            )
            self._delivery = Delivery(
                send=self._send,
                indexer=indexer,
                destinations=Destinations(
                    alerts_topic=self._settings.topics.alerts,
                    deadletter_topic=self._settings.topics.deadletter,
                    escalations_topic=self._workflow.escalations_topic,
                    alerts_alias=search.alerts_alias,
                    coverage_alias=self._workflow.coverage_alias,
                ),
            )
        return self._delivery

    @property
    def delivery_blocked(self) -> bool:
        return bool(self._blocked)

    def _set_blocked(self, what: str, blocked: bool) -> None:
        if blocked:
            self._blocked.add(what)
        else:
            self._blocked.discard(what)
        self._metrics.delivery_blocked.set(1 if self._blocked else 0)

    async def _send(
        self, topic: str, key: bytes | None, value: bytes, headers: Headers
    ) -> Awaitable[object]:
        channel = self._app.topic(topic)
        pending = await channel.send(key=key, value=value, headers=list(headers))
        if (
            self._settings.worker.fault == "exit_after_alert_send"
            and topic == self._settings.topics.alerts
        ):
            # Case P2: the alert is with the producer, the process dies
            # before the broker could acknowledge it.
            os._exit(FAULT_EXIT_STATUS)
        return pending


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchInFlight:
    """A screened batch whose records are sent, with its stage timings."""

    events: Sequence[Any]
    records: list[SourceRecord]
    sent: SentBatch
    started: float
    screen_ms: float
    leads_ms: float
    sent_ms: float


def split_by_generation(
    events: Sequence[Any], *, generation: int, assigned: Set[Any]
) -> tuple[list[Any], list[Any]]:
    """Events to acknowledge (fetched in this generation, partition still
    ours) and stale ones, each in the batch's order."""
    current: list[Any] = []
    stale: list[Any] = []
    for event in events:
        message = event.message
        fresh = message.generation_id == generation and message.tp in assigned
        (current if fresh else stale).append(event)
    return current, stale


def _oldest_age_ms(records: Sequence[SourceRecord]) -> int | None:
    """How long the batch's oldest record waited since it was produced."""
    stamps = [r.timestamp_ms for r in records if r.timestamp_ms is not None]
    if not stamps:
        return None
    return int(time.time() * 1000) - min(stamps)


def source_record(event: Any) -> SourceRecord:
    message = event.message
    return SourceRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
    )


def run_worker(settings: Settings, library: CompiledLibrary, *, loglevel: str) -> None:
    """Run until SIGTERM/SIGINT; Faust stops the agent and commits.

    Exits with :data:`CRASH_EXIT_STATUS` when a failure stopped the worker.
    """
    crash = WorkerCrash()
    app = build_app(settings, library, crash)
    log_event(
        logger,
        "worker_starting",
        settings=settings.describe(),
        library_version=library.version,
    )
    worker = faust.Worker(
        app,
        loglevel=loglevel,
        quiet=True,
        redirect_stdouts=False,
        logging_config=logging_config(loglevel),
    )
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        if crash.error is not None and not exit_.code:
            raise SystemExit(CRASH_EXIT_STATUS) from crash.error
        raise
    if crash.error is not None:
        raise SystemExit(CRASH_EXIT_STATUS) from crash.error
