"""Batches in flight: sent to the broker, waiting to be settled in order.

The agent screens a batch, decides its leads and hands its alerts to the
producer, then goes on to the next batch while this queue settles the
earlier ones (index, wait for every acknowledgement, acknowledge the
events). An alert therefore waits for its own batch only, not for the
previous batch's Elasticsearch bulk.

Settling runs one batch at a time, in the order the batches were consumed,
so no batch's events are acknowledged before an earlier batch's. Faust
commits the first run of consecutive acknowledged offsets it finds, and
an out-of-order acknowledgement could let that run start past a pending
offset.

The queue holds at most ``limit`` batches. When Elasticsearch is slow or
down, settling stalls, the queue fills and the agent waits in
:meth:`InFlight.put`; Faust's stream buffer then fills and its consumer
stops fetching while it keeps heartbeating. Memory stays bounded by
``limit`` times the batch size.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

Batch = TypeVar("Batch")


class SettlingStoppedError(RuntimeError):
    """Settling ended without an error of its own (it was cancelled)."""


class InFlight(Generic[Batch]):
    """A bounded FIFO of sent batches and the task that settles them."""

    def __init__(
        self, settle: Callable[[Batch], Awaitable[None]], *, limit: int
    ) -> None:
        if limit < 1:
            raise ValueError(f"at least one batch must fit in flight, not {limit}")
        self._settle = settle
        self._queue: asyncio.Queue[Batch] = asyncio.Queue(maxsize=limit)
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return self._queue.qsize()

    async def put(self, batch: Batch) -> None:
        """Queue a sent batch, waiting while ``limit`` batches are in flight.

        Raises the error that stopped settling: the agent must crash rather
        than send batches nobody will settle.
        """
        task = self._running()
        if not self._queue.full():
            self._queue.put_nowait(batch)
            return

        queued = asyncio.ensure_future(self._queue.put(batch))
        await asyncio.wait({queued, task}, return_when=asyncio.FIRST_COMPLETED)
        if not queued.done():
            queued.cancel()
            self._raise_for(task)

    async def drain(self) -> None:
        """Wait until every queued batch is settled."""
        task = self._running()
        joined = asyncio.ensure_future(self._queue.join())
        await asyncio.wait({joined, task}, return_when=asyncio.FIRST_COMPLETED)
        if not joined.done():
            joined.cancel()
            self._raise_for(task)

    async def close(self) -> None:
        """Stop settling; batches still queued are never acknowledged.

        Their events are handed back: the next owner of the partition
        consumes them again, and their effects are idempotent.
        """
        task = self._task
        if task is None:
            return
        if task.done():
            # Its error was logged when it happened and raised by put().
            if not task.cancelled():
                task.exception()
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def _running(self) -> asyncio.Task[None]:
        if self._task is None:
            self._task = asyncio.create_task(self._settle_in_order())
        if self._task.done():
            self._raise_for(self._task)
        return self._task

    async def _settle_in_order(self) -> None:
        while True:
            batch = await self._queue.get()
            try:
                await self._settle(batch)
            except Exception as error:
                log_event(
                    logger,
                    "settling_failed",
                    level=logging.ERROR,
                    error=f"{type(error).__name__}: {error}",
                    batches_queued=self._queue.qsize(),
                    action="the worker stops; its unacknowledged batches are "
                    "consumed again when it or another worker takes the partitions",
                )
                raise
            self._queue.task_done()

    @staticmethod
    def _raise_for(task: asyncio.Task[None]) -> None:
        if task.cancelled():
            raise SettlingStoppedError("settling was cancelled")
        error = task.exception()
        if error is not None:
            raise error
        raise SettlingStoppedError("settling ended")
