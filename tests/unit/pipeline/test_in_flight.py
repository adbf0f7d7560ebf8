"""The in-flight queue settles in order, bounds memory and never hides an error."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial

import pytest

from listing_watch.pipeline.in_flight import InFlight, SettlingStoppedError


class Settler:
    """Settles batches when the test releases them, recording the order."""

    def __init__(self) -> None:
        self.settled: list[int] = []
        self.started: list[int] = []
        self.sent: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.fail_on: int | None = None

    def gate(self, batch: int) -> asyncio.Event:
        return self.gates.setdefault(batch, asyncio.Event())

    async def send(self, batch: int) -> int:
        self.sent.append(batch)
        return batch

    def sender(self, batch: int) -> partial[object]:
        return partial(self.send, batch)

    async def __call__(self, batch: int) -> None:
        self.started.append(batch)
        await self.gate(batch).wait()
        if batch == self.fail_on:
            raise OSError(f"bulk for batch {batch} failed")
        self.settled.append(batch)


async def _settled(in_flight: InFlight[int]) -> None:
    """Until no batch is unsettled."""
    for _ in range(500):
        if not len(in_flight):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(in_flight)} batches still unsettled after 5 s")


async def _settle_out_of_order() -> list[int]:
    settler = Settler()
    in_flight = InFlight(settler, limit=4)
    for batch in range(3):
        await in_flight.put(settler.sender(batch))

    # The last batch is ready first; it must still wait for the others.
    settler.gate(2).set()
    settler.gate(1).set()
    await asyncio.sleep(0.01)
    assert settler.settled == []
    settler.gate(0).set()
    await _settled(in_flight)
    await in_flight.close()
    return settler.settled


def test_batches_settle_in_the_order_they_were_sent() -> None:
    assert asyncio.run(_settle_out_of_order()) == [0, 1, 2]


async def _put_at_the_limit() -> tuple[list[int], int, list[int], int]:
    settler = Settler()
    in_flight = InFlight(settler, limit=2)
    await in_flight.put(settler.sender(0))
    await in_flight.put(settler.sender(1))
    await asyncio.sleep(0.01)  # batch 0 is being settled, batch 1 waits

    blocked = asyncio.create_task(in_flight.put(settler.sender(2)))
    await asyncio.sleep(0.01)
    sent_while_full, unsettled = list(settler.sent), len(in_flight)

    settler.gate(0).set()
    await asyncio.wait_for(blocked, timeout=5)
    for batch in (1, 2):
        settler.gate(batch).set()
    await _settled(in_flight)
    await in_flight.close()
    return sent_while_full, unsettled, settler.settled, len(in_flight)


def test_the_limit_counts_the_batch_being_settled_and_nothing_is_sent_past_it() -> None:
    sent_while_full, unsettled, settled, left = asyncio.run(_put_at_the_limit())
    assert sent_while_full == [0, 1], "batch 2 must not be sent while 2 are unsettled"
    assert unsettled == 2
    assert settled == [0, 1, 2]
    assert left == 0


async def _fail_while_full() -> tuple[str, list[int], list[BaseException]]:
    failures: list[BaseException] = []
    settler = Settler()
    settler.fail_on = 0
    in_flight = InFlight(settler, limit=2, on_failure=failures.append)
    await in_flight.put(settler.sender(0))
    await in_flight.put(settler.sender(1))

    putting = asyncio.create_task(in_flight.put(settler.sender(2)))
    await asyncio.sleep(0.01)
    settler.gate(1).set()
    settler.gate(0).set()
    with pytest.raises(OSError, match="batch 0") as raised:
        await asyncio.wait_for(putting, timeout=5)
    await in_flight.close()
    return str(raised.value), settler.settled, failures


def test_a_settling_error_reaches_the_waiting_agent_and_the_failure_hook() -> None:
    message, settled, failures = asyncio.run(_fail_while_full())
    assert message == "bulk for batch 0 failed"
    assert settled == [], "nothing after the failed batch may settle"
    assert [str(error) for error in failures] == ["bulk for batch 0 failed"]


async def _failure_hook_without_traffic() -> list[BaseException]:
    failures: list[BaseException] = []
    settler = Settler()
    settler.fail_on = 0
    in_flight = InFlight(settler, limit=4, on_failure=failures.append)
    await in_flight.put(settler.sender(0))
    settler.gate(0).set()
    await asyncio.sleep(0.01)  # no further put: only the hook can tell
    await in_flight.close()
    return failures


def test_the_failure_hook_fires_even_when_no_batch_follows() -> None:
    failures = asyncio.run(_failure_hook_without_traffic())
    assert [type(error) for error in failures] == [OSError]


async def _fail_then_put() -> None:
    settler = Settler()
    settler.fail_on = 0
    in_flight = InFlight(settler, limit=4)
    await in_flight.put(settler.sender(0))
    settler.gate(0).set()
    await asyncio.sleep(0.01)
    try:
        await in_flight.put(settler.sender(1))
    finally:
        await in_flight.close()


def test_put_after_a_settling_error_raises_it() -> None:
    with pytest.raises(OSError, match="batch 0"):
        asyncio.run(_fail_then_put())


async def _send_fails() -> tuple[int, list[int]]:
    settler = Settler()
    in_flight = InFlight(settler, limit=1)

    async def refused() -> int:
        raise ConnectionError("producer closed")

    with pytest.raises(ConnectionError):
        await in_flight.put(refused)
    unsettled = len(in_flight)
    await _settle_one_more(in_flight, settler, 1)
    return unsettled, settler.settled


async def _settle_one_more(
    in_flight: InFlight[int], settler: Settler, batch: int
) -> None:
    """Put, settle and close: proves a slot was free for ``batch``."""
    await asyncio.wait_for(in_flight.put(settler.sender(batch)), timeout=5)
    settler.gate(batch).set()
    await _settled(in_flight)
    await in_flight.close()


def test_a_failed_send_gives_its_slot_back() -> None:
    assert asyncio.run(_send_fails()) == (0, [1])


async def _close_with_batches_queued() -> tuple[list[int], list[int]]:
    settler = Settler()
    in_flight = InFlight(settler, limit=4)
    for batch in range(3):
        await in_flight.put(settler.sender(batch))
    await asyncio.sleep(0.01)
    await in_flight.close()
    for batch in range(3):
        settler.gate(batch).set()
    await asyncio.sleep(0.01)
    return settler.started, settler.settled


def test_close_settles_nothing_more_so_the_events_are_handed_back() -> None:
    started, settled = asyncio.run(_close_with_batches_queued())
    assert started == [0]
    assert settled == []


async def _cancel_a_waiting_put() -> set[asyncio.Task[object]]:
    settler = Settler()
    in_flight = InFlight(settler, limit=1)
    await in_flight.put(settler.sender(0))
    waiting = asyncio.create_task(in_flight.put(settler.sender(1)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await in_flight.close()
    await asyncio.sleep(0)
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


def test_a_cancelled_put_leaves_no_task_behind() -> None:
    assert asyncio.run(_cancel_a_waiting_put()) == set()


async def _put_after_close() -> None:
    settler = Settler()
    in_flight = InFlight(settler, limit=1)
    await in_flight.put(settler.sender(0))
    await in_flight.close()
    await in_flight.put(settler.sender(1))


def test_put_after_close_refuses() -> None:
    with pytest.raises(SettlingStoppedError):
        asyncio.run(_put_after_close())


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one batch"):
        InFlight(Settler(), limit=0)


async def _slots_after_a_cancelled_put() -> tuple[int, list[int]]:
    settler = Settler()
    in_flight = InFlight(settler, limit=1)
    await in_flight.put(settler.sender(0))
    waiting = asyncio.create_task(in_flight.put(settler.sender(1)))
    await asyncio.sleep(0.01)
    # Batch 0 settles and hands its slot to the waiting put just as that
    # put is cancelled: the slot must come back, not leak.
    settler.gate(0).set()
    await asyncio.sleep(0)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    unsettled = len(in_flight)
    await _settle_one_more(in_flight, settler, 2)
    return unsettled, settler.settled


def test_a_cancelled_put_gives_back_a_slot_it_was_granted() -> None:
    unsettled, settled = asyncio.run(_slots_after_a_cancelled_put())
    assert unsettled == 0
    assert settled[-1] == 2
