"""The in-flight queue settles in order, bounds memory and never hides an error."""

from __future__ import annotations

import asyncio

import pytest

from listing_watch.pipeline.in_flight import InFlight, SettlingStoppedError


class Settler:
    """Settles batches when the test releases them, recording the order."""

    def __init__(self) -> None:
        self.settled: list[int] = []
        self.started: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.fail_on: int | None = None

    def gate(self, batch: int) -> asyncio.Event:
        return self.gates.setdefault(batch, asyncio.Event())

    async def __call__(self, batch: int) -> None:
        self.started.append(batch)
        await self.gate(batch).wait()
        if batch == self.fail_on:
            raise OSError(f"bulk for batch {batch} failed")
        self.settled.append(batch)


async def _settle_out_of_order() -> list[int]:
    settler = Settler()
    in_flight = InFlight(settler, limit=4)
    for batch in range(3):
        await in_flight.put(batch)

    # The last batch is ready first; it must still wait for the others.
    settler.gate(2).set()
    settler.gate(1).set()
    await asyncio.sleep(0.01)
    assert settler.settled == []
    settler.gate(0).set()
    await in_flight.drain()
    await in_flight.close()
    return settler.settled


def test_batches_settle_in_the_order_they_were_sent() -> None:
    assert asyncio.run(_settle_out_of_order()) == [0, 1, 2]


async def _put_at_the_limit() -> tuple[bool, bool]:
    settler = Settler()
    in_flight = InFlight(settler, limit=2)
    await in_flight.put(0)
    await asyncio.sleep(0)  # batch 0 leaves the queue: it is being settled
    await in_flight.put(1)
    await in_flight.put(2)

    blocked = asyncio.create_task(in_flight.put(3))
    await asyncio.sleep(0.01)
    waited = not blocked.done()

    settler.gate(0).set()
    await asyncio.wait_for(blocked, timeout=5)
    for batch in range(1, 4):
        settler.gate(batch).set()
    await in_flight.drain()
    await in_flight.close()
    return waited, settler.settled == [0, 1, 2, 3]


def test_put_waits_while_the_limit_is_in_flight_then_goes_on() -> None:
    waited, all_settled = asyncio.run(_put_at_the_limit())
    assert waited, "a fifth batch must wait while four are in flight"
    assert all_settled


async def _fail_while_full() -> tuple[str, list[int]]:
    settler = Settler()
    settler.fail_on = 0
    in_flight = InFlight(settler, limit=1)
    await in_flight.put(0)
    await asyncio.sleep(0)
    await in_flight.put(1)

    putting = asyncio.create_task(in_flight.put(2))
    await asyncio.sleep(0.01)
    settler.gate(0).set()
    with pytest.raises(OSError, match="batch 0") as raised:
        await asyncio.wait_for(putting, timeout=5)
    await in_flight.close()
    return str(raised.value), settler.settled


def test_a_settling_error_reaches_the_waiting_agent() -> None:
    message, settled = asyncio.run(_fail_while_full())
    assert message == "bulk for batch 0 failed"
    assert settled == [], "nothing after the failed batch may settle"


async def _fail_then_put() -> None:
    settler = Settler()
    settler.fail_on = 0
    in_flight = InFlight(settler, limit=4)
    await in_flight.put(0)
    settler.gate(0).set()
    await asyncio.sleep(0.01)
    try:
        await in_flight.put(1)
    finally:
        await in_flight.close()


def test_put_after_a_settling_error_raises_it() -> None:
    with pytest.raises(OSError, match="batch 0"):
        asyncio.run(_fail_then_put())


async def _close_with_batches_queued() -> tuple[list[int], list[int]]:
    settler = Settler()
    in_flight = InFlight(settler, limit=4)
    for batch in range(3):
        await in_flight.put(batch)
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


async def _put_after_close() -> None:
    in_flight = InFlight(Settler(), limit=1)
    await in_flight.put(0)
    await in_flight.close()
    await in_flight.put(1)


def test_put_after_close_refuses() -> None:
    with pytest.raises(SettlingStoppedError):
        asyncio.run(_put_after_close())


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one batch"):
        InFlight(Settler(), limit=0)
