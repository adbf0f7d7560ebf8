"""Bulk indexing with a result per document.

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
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import orjson
from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch

from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})

# A retry that has gone on this long needs a person (disk full, node down).
ESCALATE_AFTER_S: Final = 60.0

# aiohttp writes a body of 1 MiB or more in one blocking call (and warns);
# bulk requests are cut below that so the worker's event loop, which also
# heartbeats to the consumer group, never stalls on a large write.
MAX_BULK_BYTES: Final = 900_000
ACTION_LINE_BYTES: Final = 120  # the {"index": {...}} line, generously


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRequest:
    """One document to write under a deterministic id.

    ``upsert`` merges the document into an existing one instead of
    replacing it: fields written by others (an alert's ``disposition``
    view) survive a replay of the same alert.
    """

    index: str
    doc_id: str
    document: Mapping[str, Any]
    upsert: bool = False

    def operation(self) -> tuple[dict[str, Any], Mapping[str, Any]]:
        """The action line and the body line of the bulk request."""
        target = {"_index": self.index, "_id": self.doc_id}
        if self.upsert:
            return {"update": target}, {"doc": self.document, "doc_as_upsert": True}
        return {"index": target}, self.document

    def size(self) -> int:
        return len(orjson.dumps(self.document)) + ACTION_LINE_BYTES


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

    request: IndexRequest
    status: int
    error_type: str
    reason: str


class BulkIndexer:
    """Writes documents in bulk, retrying only what can succeed."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        *,
        backoff: Backoff | None = None,
        on_retry: Callable[[], None] | None = None,
        on_blocked: Callable[[bool], None] | None = None,
    ) -> None:
        self._client = client
        self._backoff = backoff or Backoff()
        self._on_retry = on_retry or _nothing
        self._on_blocked = on_blocked or _ignore_state

    async def index(self, requests: Sequence[IndexRequest]) -> list[Rejection]:
        """Return once every document is written or rejected for its content."""
        if not requests:
            return []
        try:
            return await self._index_until_settled(requests)
        finally:
            self._on_blocked(False)

    async def _index_until_settled(
        self, requests: Sequence[IndexRequest]
    ) -> list[Rejection]:
        pending = list(requests)
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

    async def _bulk(self, requests: Sequence[IndexRequest]) -> list[dict[str, Any]]:
        """One item result per request, in order, over size-capped bulks."""
        items: list[dict[str, Any]] = []
        for chunk in _chunks_by_size(requests, MAX_BULK_BYTES):
            operations: list[Any] = []
            for request in chunk:
                operations.extend(request.operation())
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


def _chunks_by_size(
    requests: Sequence[IndexRequest], limit: int
) -> Iterator[Sequence[IndexRequest]]:
    """Consecutive runs of requests whose serialised size stays under ``limit``.

    A single document larger than the limit travels alone.
    """
    start = 0
    size = 0
    for position, request in enumerate(requests):
        request_size = request.size()
        if position > start and size + request_size > limit:
            yield requests[start:position]
            start, size = position, 0
        size += request_size
    if start < len(requests):
        yield requests[start:]


async def retrying(
    call: Callable[[], Awaitable[Result]],
    *,
    what: str,
    backoff: Backoff | None = None,
    on_blocked: Callable[[bool], None] | None = None,
) -> Result:
    """Await ``call()`` until it succeeds, waiting out transient errors.

    For the reads a batch needs before it can be delivered: like the bulk
    itself, they hold the batch (and its partitions) rather than drop it.
    """
    policy = backoff or Backoff()
    attempt = 0
    started = time.monotonic()
    while True:
        try:
            result = await call()
        except (TransportError, ApiError) as error:
            if not _is_transient(error):
                raise
            if on_blocked:
                on_blocked(True)
            delay = policy.delay(attempt)
            if attempt < 3 or attempt % 8 == 0:
                log_event(
                    logger,
                    "search_retry",
                    level=logging.WARNING,
                    what=what,
                    attempt=attempt + 1,
                    retry_in_s=round(delay, 2),
                    outage_s=round(time.monotonic() - started, 1),
                    error=_describe(error),
                )
            attempt += 1
            await asyncio.sleep(delay)
            continue
        if on_blocked and attempt:
            on_blocked(False)
        return result


def _nothing() -> None:
    return None


def _ignore_state(_blocked: bool) -> None:
    return None


def _sort_items(
    pending: Sequence[IndexRequest], items: Sequence[dict[str, Any]]
) -> tuple[list[IndexRequest], list[Rejection]]:
    retry: list[IndexRequest] = []
    refused: list[Rejection] = []
    for request, item in zip(pending, items, strict=True):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if status < 300:
            continue
        if status in RETRYABLE_STATUSES:
            retry.append(request)
            continue
        error = result.get("error") or {}
        refused.append(
            Rejection(
                request=request,
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
