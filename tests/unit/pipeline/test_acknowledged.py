"""Waiting for the broker's acknowledgements of a batch's records."""

from __future__ import annotations

import asyncio

import pytest

from listing_watch.pipeline.delivery import acknowledged


async def _acks(*outcomes: str) -> list[asyncio.Future[object]]:
    loop = asyncio.get_running_loop()
    futures: list[asyncio.Future[object]] = []
    for outcome in outcomes:
        future: asyncio.Future[object] = loop.create_future()
        if outcome == "ok":
            future.set_result("metadata")
        elif outcome == "refused":
            future.set_exception(OSError("MessageSizeTooLarge"))
        else:
            future.cancel()
        futures.append(future)
    return futures


async def _wait(*outcomes: str) -> None:
    await acknowledged(await _acks(*outcomes))


def test_every_record_acknowledged_returns() -> None:
    asyncio.run(_wait("ok", "ok", "ok"))


def test_a_refused_record_raises_its_error() -> None:
    with pytest.raises(OSError, match="MessageSizeTooLarge"):
        asyncio.run(_wait("ok", "refused", "refused"))


def test_a_record_the_producer_dropped_is_an_error_not_a_cancellation() -> None:
    with pytest.raises(RuntimeError, match="dropped a record"):
        asyncio.run(_wait("ok", "dropped"))


async def _cancel_the_wait() -> bool:
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[object] = loop.create_future()
    waiting = asyncio.create_task(acknowledged([pending]))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    return pending.cancelled()


def test_cancelling_the_wait_leaves_the_producers_futures_alone() -> None:
    assert asyncio.run(_cancel_the_wait()) is False
