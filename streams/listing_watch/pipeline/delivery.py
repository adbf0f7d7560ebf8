"""Making a batch's effects durable before its offsets may be committed.

Delivery has two steps, so that an alert need not wait for the previous
batch's Elasticsearch bulk:

1. :meth:`Delivery.send` hands the batch's alerts, escalations and
   refused records (dead letters) to the producer and returns at once;
2. :meth:`Delivery.settle` indexes the alerts and the coverage, waits
   until the broker has acknowledged every record sent in step 1 and
   Elasticsearch every document, then dead-letters the documents
   Elasticsearch refused for their content and waits for those too.

Only when ``settle`` returns may the caller acknowledge the batch's
events. If anything raises, nothing is acknowledged, so the batch is
consumed again after a restart: at-least-once delivery whose effects are
idempotent (alert and document ids come from the listing version).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from listing_watch.logs import log_event
from listing_watch.pipeline.batch import BatchResult, RaisedAlert
from listing_watch.pipeline.deadletter import DeadLetter, dead_letter
from listing_watch.search.bulk import BulkIndexer, IndexRequest, Rejection

logger = logging.getLogger(__name__)

Headers = Sequence[tuple[str, bytes]]

# Hands one record to the producer; what it returns completes once the
# broker has acknowledged the record (and raises if it was refused).
Send = Callable[[str, bytes | None, bytes, Headers], Awaitable[Awaitable[object]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Destinations:
    """Where a batch's effects go."""

    alerts_topic: str
    deadletter_topic: str
    escalations_topic: str
    alerts_alias: str
    coverage_alias: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport:
    alerts_published: int
    documents_indexed: int
    documents_rejected: int
    dead_letters: int
    dead_letter_reasons: tuple[str, ...]
    elapsed_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SentBatch:
    """A batch whose records are with the producer, not yet acknowledged."""

    result: BatchResult
    acks: list[Awaitable[object]]
    sent_at: float


class Delivery:
    """Publishes alerts, indexes them and writes dead letters, durably."""

    def __init__(
        self, *, send: Send, indexer: BulkIndexer, destinations: Destinations
    ) -> None:
        self._send = send
        self._indexer = indexer
        self._to = destinations

    async def send(self, result: BatchResult) -> SentBatch:
        """Hand alerts, escalations and refused records to the producer."""
        sent_at = time.perf_counter()
        to = self._to
        acks = [
            await self._send(
                to.alerts_topic,
                raised.alert.key.encode("utf-8"),
                raised.alert.value_bytes(),
                (("lw.alert.id", raised.alert.alert_id.encode("ascii")),),
            )
            for raised in result.alerts
        ]
        for key, value in result.escalations:
            acks.append(await self._send(to.escalations_topic, key, value, ()))
        for letter in result.dead_letters:
            acks.append(await self._send_dead_letter(letter))
        return SentBatch(result=result, acks=acks, sent_at=sent_at)

    async def settle(self, sent: SentBatch) -> DeliveryReport:
        """Index, then wait until every effect of the batch is durable."""
        result = sent.result
        indexing = asyncio.ensure_future(
            self._indexer.index(self._index_requests(result))
        )
        try:
            await acknowledged(sent.acks)
            rejections = await indexing
        finally:
            # A refused record or a shutdown: the bulk (and its retries)
            # must not outlive the batch it belonged to.
            indexing.cancel()
        alert_rejections = [
            r for r in rejections if r.request.index == self._to.alerts_alias
        ]
        self._log_coverage_rejections(rejections)

        refused = self._rejected(result.alerts, alert_rejections)
        await acknowledged([await self._send_dead_letter(d) for d in refused])

        dead_letters = [*result.dead_letters, *refused]
        return DeliveryReport(
            alerts_published=len(result.alerts),
            documents_indexed=len(result.alerts) - len(alert_rejections),
            documents_rejected=len(alert_rejections),
            dead_letters=len(dead_letters),
            dead_letter_reasons=tuple(letter.reason for letter in dead_letters),
            elapsed_ms=(time.perf_counter() - sent.sent_at) * 1000,
        )

    def _index_requests(self, result: BatchResult) -> list[IndexRequest]:
        alerts = [
            raised.alert.index_request(self._to.alerts_alias)
            for raised in result.alerts
        ]
        coverage = [
            IndexRequest(
                index=self._to.coverage_alias, doc_id=c.doc_id, document=c.document
            )
            for c in result.coverage
        ]
        return [*alerts, *coverage]

    def _log_coverage_rejections(self, rejections: Sequence[Rejection]) -> None:
        # A coverage document is counted data, not a listing: there is no
        # record to dead-letter. Refusal means the coverage template and the
        # code disagree, which a person must fix before the next report.
        for rejection in rejections:
            if rejection.request.index != self._to.alerts_alias:
                log_event(
                    logger,
                    "coverage_rejected",
                    level=logging.ERROR,
                    index=rejection.request.index,
                    doc_id=rejection.request.doc_id,
                    error_type=rejection.error_type,
                    reason=rejection.reason[:300],
                    action="check schemas/coverage-index-template.json against "
                    "workflow/coverage.py; Annex 2 rows 1-2 undercount until fixed",
                )

    def _rejected(
        self, alerts: Sequence[RaisedAlert], rejections: Sequence[Rejection]
    ) -> list[DeadLetter]:
        records = {raised.alert.alert_id: raised.record for raised in alerts}
        letters = []
        for rejection in rejections:
            alert_id = rejection.request.doc_id
            record = records[alert_id]
            log_event(
                logger,
                "document_rejected",
                level=logging.WARNING,
                position=record.position,
                alert_id=alert_id,
                status=rejection.status,
                error_type=rejection.error_type,
                reason=rejection.reason[:300],
                action="sent to the dead-letter topic; fix the template, then re-drive",
            )
            letters.append(
                dead_letter(
                    record,
                    stage="index",
                    reason="index_rejected",
                    error_class=rejection.error_type,
                    message=rejection.reason,
                    extra_headers={
                        "document.id": alert_id,
                        "error.type": rejection.error_type,
                        "error.status": str(rejection.status),
                    },
                )
            )
        return letters

    async def _send_dead_letter(self, letter: DeadLetter) -> Awaitable[object]:
        return await self._send(
            self._to.deadletter_topic, letter.key, letter.value, letter.headers
        )


async def acknowledged(acks: Sequence[Awaitable[object]]) -> None:
    """Wait for every acknowledgement; raise the first refusal.

    Unlike ``gather``, being cancelled (shutdown) leaves the producer's
    futures alone: cancelling them would only make the producer's delivery
    callbacks log errors for records that may well be delivered. A future
    the producer itself cancelled is a record it dropped: an error, not a
    cancellation of the caller.
    """
    if not acks:
        return
    futures = [asyncio.ensure_future(ack) for ack in acks]
    await asyncio.wait(futures)
    errors = [_ack_error(future) for future in futures]
    refused = [error for error in errors if error is not None]
    if refused:
        raise refused[0]


def _ack_error(future: asyncio.Future[object]) -> BaseException | None:
    if future.cancelled():
        return RuntimeError("the producer dropped a record before its acknowledgement")
    return future.exception()
