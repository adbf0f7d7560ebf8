"""Case P7: 100 library versions reach a worker screening a steady stream.

Every alert must name the version that screened it: each is screened again
offline with the version it names and must come out the same. Memory must
stay bounded: the worker's resident set after 100 swaps is compared with
the one after a warm-up of ten (figures are printed; run with ``-s``).
"""

from __future__ import annotations

import itertools
import string
import threading
import time
from pathlib import Path

import orjson
from confluent_kafka import Producer

from listing_watch.library.bundle import LibraryBundle, compile_bundle
from listing_watch.library.versions import find_version
from listing_watch.screening import ListingText, screen
from listing_watch.screening.model import CompiledLibrary
from tests.integration.lanes import listing_event
from tests.integration.library_lanes import LibraryLane, base_bundle, library_lane

__all__ = ["library_lane"]

SWAPS = 100
# The first swaps allocate what every later one reuses (the follower's
# audit producer and Elasticsearch client, allocator arenas for its
# thread): memory is compared from the end of this warm-up.
WARM_UP_SWAPS = 10
STREAM_INTERVAL_S = 0.01
MEMORY_GROWTH_LIMIT = 1.10

# Two-letter codes: "p7xaa", "p7xab", ... no code is inside another.
CODES = ["".join(pair) for pair in itertools.product(string.ascii_lowercase, repeat=2)]


def marker(index: int) -> str:
    # Two-letter codes cover 676 versions, more than this test publishes.
    return f"p7x{CODES[index]}"


def version_bundle(base: LibraryBundle, count: int) -> LibraryBundle:
    """The real library plus the first ``count`` marker terms."""
    lines = "".join(
        f"{marker(i)}  weight=0.5  kind=celebration_marketing  source=p7\n"
        for i in range(count)
    )
    path = "terms/02-focus.terms"
    return LibraryBundle({**base.files, path: f"{base.files[path]}\n{lines}"})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


class SteadyStream:
    """Produces one listing every ``STREAM_INTERVAL_S`` until stopped."""

    def __init__(self, lane: LibraryLane) -> None:
        self._lane = lane
        self._stop = threading.Event()
        self.sent = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SteadyStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        settings = self._lane.lane.settings
        producer = Producer({**settings.kafka, "linger.ms": 0})
        while not self._stop.is_set():
            index = self.sent
            title = f"七一勋章 {marker(index % SWAPS)}"
            producer.produce(
                settings.topics.listings,
                key=f"testmall:p7-{index}".encode(),
                value=listing_event(f"p7-{index}", title),
                partition=index % 3,
            )
            producer.poll(0)
            self.sent += 1
            time.sleep(STREAM_INTERVAL_S)
        assert producer.flush(30) == 0


def test_p7_hundred_reloads_under_a_steady_stream(library_lane: LibraryLane) -> None:
    base = base_bundle()
    library_lane.publish_bundle(base, note="base")
    worker = library_lane.lane.start_worker()
    library_lane.lane.wait_until_drained(timeout_s=120)

    swap_seconds: list[float] = []  # publish returned -> swap logged
    memory: dict[int, int] = {}
    with SteadyStream(library_lane) as stream:
        for count in range(1, WARM_UP_SWAPS + SWAPS + 1):
            version = library_lane.publish_bundle(version_bundle(base, count))
            swap_seconds.append(library_lane.wait_for_swap(version))
            memory[count] = rss_kib(worker.pid)
    library_lane.lane.wait_until_drained(timeout_s=120)

    versions = library_lane.versions()
    alerts = [
        orjson.loads(message.value() or b"{}")
        for message in library_lane.lane.read_topic(
            library_lane.lane.settings.topics.alerts
        )
    ]
    compiled: dict[str, CompiledLibrary] = {}
    for alert in alerts:
        name = alert["library_version"]
        if name not in compiled:
            compiled[name] = compile_bundle(find_version(versions, name).bundle)
        offline = screen(ListingText(title=alert["listing"]["title"]), compiled[name])
        assert alert["risk"] == offline.risk, alert["listing"]["listing_id"]
        assert alert["terms"] == sorted({m.term for m in offline.matches})

    ordered = sorted(swap_seconds)
    print(
        f"\nP7: swaps={SWAPS} listings={stream.sent} alerts={len(alerts)} "
        f"versions_named={len(compiled)} "
        f"swap_p50_ms={ordered[len(ordered) // 2] * 1000:.0f} "
        f"swap_max_ms={ordered[-1] * 1000:.0f} "
        f"rss_kib_first={memory[1]} rss_kib_warm={memory[WARM_UP_SWAPS]} "
        f"rss_kib_last={memory[WARM_UP_SWAPS + SWAPS]}"
    )
    assert len(alerts) == stream.sent
    assert len(compiled) > SWAPS // 2
    last = memory[WARM_UP_SWAPS + SWAPS]
    assert last <= memory[WARM_UP_SWAPS] * MEMORY_GROWTH_LIMIT
