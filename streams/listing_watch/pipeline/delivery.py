"""Making a batch's effects durable before its offsets may be committed.

The order matters and is the whole delivery guarantee:

1. publish every alert to the alerts topic and index it, concurrently;
2. dead-letter the records that failed decoding or validation, and those
   whose document Elasticsearch refused for its content;
3. wait until the broker has acknowledged every record and Elasticsearch
   every document.

Only when :meth:`Delivery.deliver` returns may the caller acknowledge the
batch's events. If anything raises, nothing is acknowledged, so the batch
is consumed again after a restart: at-least-once delivery whose effects
are idempotent (alert and document ids come from the listing version).
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
from listing_watch.search.bulk import AlertIndexer, Rejection

logger = logging.getLogger(__name__)

Headers = Sequence[tuple[str, bytes]]

# Publishes one record and returns once the broker acknowledged it.
Publish = Callable[[str, bytes | None, bytes, Headers], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport:
    alerts_published: int
    documents_indexed: int
    documents_rejected: int
    dead_letters: int
    dead_letter_reasons: tuple[str, ...]
    elapsed_ms: float


class Delivery:
    """Publishes alerts, indexes them and writes dead letters, durably."""

    def __init__(
        self,
        *,
        publish: Publish,
        indexer: AlertIndexer,
        alerts_topic: str,
        deadletter_topic: str,
    ) -> None:
        self._publish = publish
        self._indexer = indexer
        self._alerts_topic = alerts_topic
        self._deadletter_topic = deadletter_topic

    async def deliver(self, result: BatchResult) -> DeliveryReport:
        started = time.perf_counter()
        published, rejections = await asyncio.gather(
            self._publish_alerts(result.alerts),
            self._indexer.index([raised.alert for raised in result.alerts]),
        )
        dead_letters = [
            *result.dead_letters,
            *self._rejected(result.alerts, rejections),
        ]
        await self._publish_dead_letters(dead_letters)
        return DeliveryReport(
            alerts_published=published,
            documents_indexed=len(result.alerts) - len(rejections),
            documents_rejected=len(rejections),
            dead_letters=len(dead_letters),
            dead_letter_reasons=tuple(letter.reason for letter in dead_letters),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def _publish_alerts(self, alerts: Sequence[RaisedAlert]) -> int:
        await asyncio.gather(
            *(
                self._publish(
                    self._alerts_topic,
                    raised.alert.key.encode("utf-8"),
                    raised.alert.value_bytes(),
                    (("lw.alert.id", raised.alert.alert_id.encode("ascii")),),
                )
                for raised in alerts
            )
        )
        return len(alerts)

    def _rejected(
        self, alerts: Sequence[RaisedAlert], rejections: Sequence[Rejection]
    ) -> list[DeadLetter]:
        records = {raised.alert.alert_id: raised.record for raised in alerts}
        letters = []
        for rejection in rejections:
            record = records[rejection.alert.alert_id]
            log_event(
                logger,
                "document_rejected",
                level=logging.WARNING,
                position=record.position,
                alert_id=rejection.alert.alert_id,
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
                        "document.id": rejection.alert.alert_id,
                        "error.type": rejection.error_type,
                        "error.status": str(rejection.status),
                    },
                )
            )
        return letters

    async def _publish_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        await asyncio.gather(
            *(
                self._publish(
                    self._deadletter_topic, letter.key, letter.value, letter.headers
                )
                for letter in letters
            )
        )
