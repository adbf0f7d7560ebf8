"""Running screening workers as child processes.

The demo, the chaos run, the benchmarks and the integration tests all run
real ``listing-watch work`` processes, as an operator's supervisor would:
started with their own environment, their output in a log file, stopped
with SIGTERM and, past a deadline, killed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

# SIGTERM must end a worker within 10 s (issue 4); this allows for a busy
# machine before falling back to SIGKILL.
STOP_TIMEOUT_S: Final = 30.0

Worker = subprocess.Popen[bytes]


def start_worker(
    log_path: Path, *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Worker:
    """``listing-watch work`` with stdout and stderr appended to ``log_path``."""
    # The child keeps its own copy of the descriptor; ours closes here.
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "listing_watch.cli", "work"],
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=log,
        )


def stop_workers(
    workers: Sequence[Worker], *, timeout_s: float = STOP_TIMEOUT_S
) -> None:
    """SIGTERM every running worker, then wait; kill the ones that linger."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
