"""Stopping the whole worker when a batch can be neither settled nor retried.

Faust would restart a failed agent on the same stream, and the new
agent's acknowledgements would leave the failed batch's offsets as a gap
that Faust's commit can pass over. Instead the worker stops
acknowledging, parks the agent and shuts down as on SIGTERM, which
commits only what was settled, then exits with :data:`CRASH_EXIT_STATUS`.
Its partitions go to the other workers, or back to it when its
supervisor (systemd, Kubernetes) restarts it.

Faust's own crash path (``app.crash``) is not used: it stops the
consumer's thread before the final commit, which can then hang the
process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Final

from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

# Exit status of a worker stopped by a failure it could not wait out
# (EX_SOFTWARE), and how long its shutdown may take before a hard exit.
CRASH_EXIT_STATUS: Final = 70
CRASH_EXIT_DEADLINE_S: Final = 20.0


class WorkerCrash:
    """The first failure, and whether the worker was stopping anyway."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.stopping = False

    def now(self, error: BaseException) -> None:
        if self.error is not None:
            return
        if self.stopping:
            # Shutting down already: a batch cut short by it is not a fault.
            log_event(
                logger,
                "batch_abandoned",
                reason=f"{type(error).__name__}: {error}",
                action="none: it was not acknowledged and is consumed again",
            )
            return
        self.error = error
        log_event(
            logger,
            "worker_crashing",
            level=logging.CRITICAL,
            error=f"{type(error).__name__}: {error}",
            action="the worker stops and exits with status "
            f"{CRASH_EXIT_STATUS}; restart it once the cause is fixed, "
            "unacknowledged listings are screened again",
        )
        loop = asyncio.get_running_loop()
        # The shutdown SIGTERM starts, bounded by a hard exit should it hang.
        loop.call_later(CRASH_EXIT_DEADLINE_S, _exit_hard)
        os.kill(os.getpid(), signal.SIGTERM)


def _exit_hard() -> None:
    log_event(
        logger,
        "worker_exit_forced",
        level=logging.CRITICAL,
        deadline_s=CRASH_EXIT_DEADLINE_S,
        action="shutdown after a crash did not finish in time; offsets "
        "committed so far cover settled batches only",
    )
    logging.shutdown()
    os._exit(CRASH_EXIT_STATUS)
