"""Batches in flight: sent to the broker, waiting to be settled in order.

The agent screens a batch, decides its leads and hands its alerts to the
producer, then goes on to the next batch while this queue settles the
earlier ones (index, wait for every acknowledgement, acknowledge the
events). An alert therefore waits for its own batch only, not for the
previous batch's Elasticsearch bulk.

Settling runs one batch at a time, in the order the batches were sent,
so no batch's events are acknowledged before an earlier batch's. Faust
commits the first run of consecutive acknowledged offsets it finds, and
an out-of-order acknowledgement could let that run start past a pending
offset.

At most ``limit`` batches are unsettled, counting the one being settled:
:meth:`InFlight.put` takes a slot before it sends a batch and settling
frees it. When Elasticsearch is slow or down, settling stalls, the slots
run out and the agent waits; Faust's stream buffer then fills and its
consumer stops fetching while it keeps heartbeating. Memory stays bounded
by ``limit`` times the batch size.

If settling fails, nothing after the failed batch is settled or
acknowledged, ``on_failure`` is told at once and :meth:`InFlight.put`
raises the error: the worker must stop, because acknowledging later
batches would leave a gap that Faust may commit over.
"""

from __future__ import annotations

import asyncio
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
        self,
        settle: Callable[[Batch], Awaitable[None]],
        *,
        limit: int,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError(f"at least one batch must fit in flight, not {limit}")
        self._settle = settle
        self._on_failure = on_failure
        self._slots = asyncio.Semaphore(limit)
        self._unsettled = 0
        self._queue: asyncio.Queue[Batch] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Batches sent or being sent and not yet settled."""
        return self._unsettled

    async def put(self, send: Callable[[], Awaitable[Batch]]) -> None:
        """Take a slot, send a batch with ``send()`` and queue it to settle.

        Waits while ``limit`` batches are unsettled. Raises the error that
        stopped settling: the agent must crash rather than send batches
        nobody will settle.
        """
        task = self._running()
        await self._take_slot(task)
        self._unsettled += 1
        try:
            batch = await send()
        except BaseException:
            self._free_slot()
            raise
        self._queue.put_nowait(batch)

    async def close(self) -> None:
        """Stop settling; batches still queued are never acknowledged.

        Their events are handed back: the next owner of the partition
        consumes them again, and their effects are idempotent.
        """
        task = self._task
        if task is None:
            return
        if not task.done():
            task.cancel()
        # Not ``await task``: its CancelledError would be indistinguishable
        # from one aimed at the caller, which must propagate.
        await asyncio.wait({task})
        if not task.cancelled():
            task.exception()  # logged when it happened, raised by put()

    async def _take_slot(self, task: asyncio.Task[None]) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns without waiting
            return
        acquired = asyncio.ensure_future(self._slots.acquire())
        try:
            await asyncio.wait({acquired, task}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            if acquired.done() and not acquired.cancelled():
                self._slots.release()  # granted just as the caller was cancelled
            else:
                acquired.cancel()  # a cancelled acquire gives its grant back
            raise
        if not acquired.done():
            acquired.cancel()
            self._raise_for(task)

    def _running(self) -> asyncio.Task[None]:
        if self._task is None:
            self._task = asyncio.create_task(self._settle_in_order())
            self._task.add_done_callback(self._report_failure)
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
                    batches_unsettled=len(self),
                    action="the worker stops without acknowledging this batch "
                    "or any later one; they are consumed again when it or "
                    "another worker takes the partitions",
                )
                raise
            self._queue.task_done()
            self._free_slot()

    def _free_slot(self) -> None:
        self._unsettled -= 1
        self._slots.release()

    def _report_failure(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self._on_failure is None:
            return
        error = task.exception()
        if error is not None:
            self._on_failure(error)

    @staticmethod
    def _raise_for(task: asyncio.Task[None]) -> None:
        if task.cancelled():
            raise SettlingStoppedError("settling was cancelled")
        error = task.exception()
        if error is not None:
            raise error
        raise SettlingStoppedError("settling ended")
