"""Library lifecycle benchmark: swap time, memory over 100 swaps, retro-hunt rate.

Run from the repository root with the local stack up (``make stack``)::

    .venv/bin/python bench/library_bench.py [--swaps 100] [--data ../shared/data]

Uses private topics and indices (``bench-<random>``) and drops them at the
end. Three measures:

- **swap**: one worker (``listing-watch work``) follows a private library
  topic; the real library is published alternately with and without one
  extra term, ``--swaps`` times after ten warm-up swaps. For each: time
  from ``publish_version`` returning to the worker's ``library_swapped``
  log line (wall clock, includes the 20 ms log polling), and the compile
  time the worker logs. The worker's resident set is read from
  ``/proc/PID/status`` after the warm-up and after the last swap.
- **retro-hunt**: every ``listings-*.jsonl.gz`` listing is replayed to a
  private listings topic, then :class:`Retrohunt` screens them all with
  two versions, unthrottled, and reports listings per second.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]


from listing_watch.config import load_settings  # noqa: E402
from listing_watch.library.bundle import (  # noqa: E402
    LibraryBundle,
    compile_bundle,
    read_bundle,
)
from listing_watch.library.publish import prepare  # noqa: E402
from listing_watch.library.versions import PublishedVersion  # noqa: E402
from listing_watch.pipeline.library_settings import load_library_settings  # noqa: E402
from listing_watch.pipeline.library_topic import publish_version  # noqa: E402
from listing_watch.pipeline.replay import replay  # noqa: E402
from listing_watch.pipeline.retrohunt import Retrohunt  # noqa: E402
from listing_watch.provision import (  # noqa: E402
    drop_isolated,
    isolated_names,
    provision,
)
from listing_watch.search.index import connect  # noqa: E402

WARM_UP_SWAPS = 10
EXTRA_TERM = "\n澜沧江金箔画  weight=0.9  kind=celebration_marketing  source=bench\n"


def private_env() -> dict[str, str]:
    return {
        **isolated_names(f"bench{uuid.uuid4().hex[:6]}"),
        "LW_TOPIC_PARTITIONS": "3",
        "LW_WEB_PORT": "0",
    }


def with_extra(base: LibraryBundle) -> LibraryBundle:
    path = "terms/02-focus.terms"
    return LibraryBundle({**base.files, path: base.files[path] + EXTRA_TERM})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def wait_for_swap(log: Path, version: str, timeout_s: float = 30) -> dict[str, object]:
    needle = f'"event":"library_swapped","library_version":"{version}"'
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if needle in line:
                record: dict[str, object] = orjson.loads(line)
                return record
        time.sleep(0.02)
    raise RuntimeError(f"no swap to {version} within {timeout_s} s; see {log}")


def bench_swaps(env: dict[str, str], swaps: int, work: Path) -> None:
    settings = load_settings({**os.environ, **env})
    library = load_library_settings(env)
    base = read_bundle(REPO / "keywords")
    variants = (base, with_extra(base))
    current: PublishedVersion | None = None

    def publish(index: int) -> str:
        nonlocal current
        candidate = prepare(
            variants[index % 2],
            current=current,
            author="bench",
            note="",
            now=datetime.now(UTC),
        )
        publish_version(settings, library, candidate.version)
        current = candidate.version
        return candidate.version.version

    publish(0)
    log = work / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "listing_watch.cli", "work"],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=out,
        )
    try:
        _measure_swaps(publish, log, worker.pid, swaps)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def _measure_swaps(
    publish: Callable[[int], str], log: Path, pid: int, swaps: int
) -> None:
    wall: list[float] = []
    compile_ms: list[float] = []
    rss: dict[int, int] = {}
    for index in range(1, WARM_UP_SWAPS + swaps + 1):
        version = publish(index)
        started = time.monotonic()
        record = wait_for_swap(log, version)
        wall.append((time.monotonic() - started) * 1000)
        compile_ms.append(float(str(record["compile_ms"])))
        if index in (1, WARM_UP_SWAPS, WARM_UP_SWAPS + swaps):
            rss[index] = rss_kib(pid)
    measured = sorted(wall[WARM_UP_SWAPS:])
    compiles = sorted(compile_ms[WARM_UP_SWAPS:])
    first, warm, last = (rss[k] for k in sorted(rss))
    print(
        f"swap: swaps={swaps} publish_to_swap_ms p50={_pct(measured, 50):.0f} "
        f"p99={_pct(measured, 99):.0f} max={measured[-1]:.0f} "
        f"compile_ms p50={_pct(compiles, 50):.1f} p99={_pct(compiles, 99):.1f}"
    )
    print(
        f"memory: rss_kib first_swap={first} after_warm_up={warm} "
        f"after_{swaps}_swaps={last} growth={(last - warm) / warm:+.1%} "
        f"(from first swap {(last - first) / first:+.1%})"
    )


def bench_retrohunt(env: dict[str, str], data: Path) -> None:
    settings = load_settings({**os.environ, **env})
    files = sorted(data.glob("listings-*.jsonl.gz"))
    report, _ = replay(files, settings, observed_at=datetime.now(UTC), progress=False)
    base = read_bundle(REPO / "keywords")
    run = Retrohunt(
        settings,
        new=compile_bundle(with_extra(base).with_number(2)),
        previous=compile_bundle(base.with_number(1)),
        since=datetime.fromtimestamp(0, tz=UTC),
        rate=1e9,
    )
    summary = run.run(connect(settings.search))
    print(
        f"retrohunt: listings_on_topic={report.published} "
        f"listing_versions={summary.listings} raised={summary.raised} "
        f"seconds={summary.seconds} rate={summary.rate}/s (unthrottled)"
    )


def _pct(ordered: list[float], percent: int) -> float:
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swaps", type=int, default=100)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    env = private_env()
    settings = load_settings({**os.environ, **env})
    provision(settings, env)
    work = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    try:
        bench_swaps(env, args.swaps, work)
        bench_retrohunt(env, args.data)
    finally:
        drop_isolated(settings, env)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
