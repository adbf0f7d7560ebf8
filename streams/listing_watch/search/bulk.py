"""Bulk indexing of alerts with a result per document.

Each item's status is read: 2xx is durable; 429 and 5xx are transient and
only those documents are sent again, with capped exponential backoff, for
as long as it takes (the caller's partitions wait: back-pressure, not
loss); any other 4xx is a content error that no retry can fix, returned as
a :class:`Rejection` for the dead-letter topic. Connection errors and
timeouts are transient for the whole request.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch

from listing_watch.logs import log_event
from listing_watch.pipeline.alerts import Alert

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})

# A retry that has gone on this long needs a person (disk full, node down).
ESCALATE_AFTER_S: Final = 60.0

# aiohttp writes a body of 1 MiB or more in one blocking call (and warns);
# bulk requests are cut below that so the worker's event loop, which also
# heartbeats to the consumer group, never stalls on a large write.
MAX_BULK_BYTES: Final = 900_000
ACTION_LINE_BYTES: Final = 120  # the {"index": {...}} line, generously


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Capped exponential backoff with full jitter.

    Attempt 0 waits up to ``initial_s``, each next attempt doubles the cap,
    never beyond ``max_s``: 0.2, 0.4, 0.8, ... 15, 15, 15 seconds.
    """

    initial_s: float = 0.2
    max_s: float = 15.0

    def delay(self, attempt: int) -> float:
        cap = min(self.max_s, self.initial_s * (2**attempt))
        return random.uniform(cap / 2, cap)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A document Elasticsearch refused for its content."""

    alert: Alert
    status: int
    error_type: str
    reason: str


class AlertIndexer:
    """Indexes alerts into the write alias, retrying only what can succeed."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        alias: str,
        *,
        backoff: Backoff | None = None,
        on_retry: Callable[[], None] | None = None,
        on_blocked: Callable[[bool], None] | None = None,
    ) -> None:
        self._client = client
        self._alias = alias
        self._backoff = backoff or Backoff()
        self._on_retry = on_retry or _nothing
        self._on_blocked = on_blocked or _ignore_state

    async def index(self, alerts: Sequence[Alert]) -> list[Rejection]:
        """Return once every alert is indexed or rejected for its content."""
        if not alerts:
            return []
        try:
            return await self._index_until_settled(alerts)
        finally:
            self._on_blocked(False)

    async def _index_until_settled(self, alerts: Sequence[Alert]) -> list[Rejection]:
        pending = list(alerts)
        rejections: list[Rejection] = []
        attempt = 0
        started = time.monotonic()

        while pending:
            try:
                items = await self._bulk(pending)
            except (TransportError, ApiError) as error:
                if not _is_transient(error):
                    raise
                await self._wait_before_retry(attempt, started, len(pending), error)
                attempt += 1
                continue

            retry, refused = _sort_items(pending, items)
            rejections.extend(refused)
            pending = retry
            if pending:
                await self._wait_before_retry(attempt, started, len(pending), None)
                attempt += 1

        return rejections

    async def _bulk(self, alerts: Sequence[Alert]) -> list[dict[str, Any]]:
        """One item result per alert, in order, over size-capped requests."""
        items: list[dict[str, Any]] = []
        for chunk in _chunks_by_size(alerts, MAX_BULK_BYTES):
            operations: list[Any] = []
            for alert in chunk:
                action = {"index": {"_index": self._alias, "_id": alert.alert_id}}
                operations.extend((action, alert.document))
            response = await self._client.bulk(operations=operations)
            items.extend(response["items"])
        return items

    async def _wait_before_retry(
        self,
        attempt: int,
        started: float,
        pending: int,
        error: BaseException | None,
    ) -> None:
        self._on_retry()
        self._on_blocked(True)
        delay = self._backoff.delay(attempt)
        waited = time.monotonic() - started
        level = logging.ERROR if waited > ESCALATE_AFTER_S else logging.WARNING
        # Log the first retries and then every eighth: enough to follow an
        # outage without a line every few hundred milliseconds.
        if attempt < 3 or attempt % 8 == 0:
            log_event(
                logger,
                "index_retry",
                level=level,
                pending_documents=pending,
                attempt=attempt + 1,
                retry_in_s=round(delay, 2),
                outage_s=round(waited, 1),
                error=_describe(error),
                action="waiting for Elasticsearch; check node health and disk"
                if level == logging.ERROR
                else "retrying",
            )
        await asyncio.sleep(delay)


def _chunks_by_size(alerts: Sequence[Alert], limit: int) -> Iterator[Sequence[Alert]]:
    """Consecutive runs of alerts whose serialised size stays under ``limit``.

    A single alert larger than the limit travels alone.
    """
    start = 0
    size = 0
    for index, alert in enumerate(alerts):
        alert_size = len(alert.value_bytes()) + ACTION_LINE_BYTES
        if index > start and size + alert_size > limit:
            yield alerts[start:index]
            start, size = index, 0
        size += alert_size
    if start < len(alerts):
        yield alerts[start:]


def _nothing() -> None:
    return None


def _ignore_state(_blocked: bool) -> None:
    return None


def _sort_items(
    pending: Sequence[Alert], items: Sequence[dict[str, Any]]
) -> tuple[list[Alert], list[Rejection]]:
    retry: list[Alert] = []
    refused: list[Rejection] = []
    for alert, item in zip(pending, items, strict=True):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if status < 300:
            continue
        if status in RETRYABLE_STATUSES:
            retry.append(alert)
            continue
        error = result.get("error") or {}
        refused.append(
            Rejection(
                alert=alert,
                status=status,
                error_type=str(error.get("type", "unknown")),
                reason=str(error.get("reason", error)),
            )
        )
    return retry, refused


def _is_transient(error: TransportError | ApiError) -> bool:
    if isinstance(error, TransportError):
        return True
    return error.meta.status in RETRYABLE_STATUSES


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "some documents answered 429/5xx"
    return f"{type(error).__name__}: {error}"[:300]
