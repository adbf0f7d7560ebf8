"""The worker's crash handle: the first failure stops it, once."""

from __future__ import annotations

import asyncio
import signal

import pytest

from listing_watch.pipeline import crash as crash_module
from listing_watch.pipeline.crash import CRASH_EXIT_DEADLINE_S, WorkerCrash


@pytest.fixture
def signals(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Signals the handle sends to this process (recorded, not delivered)."""
    sent: list[int] = []
    monkeypatch.setattr(crash_module.os, "kill", lambda _pid, sig: sent.append(sig))
    return sent


async def _fail_twice(crash: WorkerCrash) -> list[tuple[float, object]]:
    loop = asyncio.get_running_loop()
    scheduled: list[tuple[float, object]] = []
    # Recorded, not scheduled: the real one would end the test process.
    loop.call_later = lambda delay, callback, *args: scheduled.append(  # type: ignore[method-assign,assignment]
        (delay, callback)
    )
    crash.now(OSError("bulk refused: 403"))
    crash.now(RuntimeError("a later failure"))
    return scheduled


def test_the_first_failure_stops_the_worker_once_with_a_hard_deadline(
    signals: list[int],
) -> None:
    crash = WorkerCrash()
    scheduled = asyncio.run(_fail_twice(crash))

    assert str(crash.error) == "bulk refused: 403"
    assert signals == [signal.SIGTERM]
    assert scheduled == [(CRASH_EXIT_DEADLINE_S, crash_module._exit_hard)]


async def _fail_while_stopping(crash: WorkerCrash) -> None:
    crash.stopping = True
    crash.now(OSError("session closed"))


def test_a_failure_during_shutdown_is_not_a_crash(signals: list[int]) -> None:
    crash = WorkerCrash()
    asyncio.run(_fail_while_stopping(crash))

    assert crash.error is None
    assert signals == []
