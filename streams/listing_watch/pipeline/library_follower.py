"""What a worker runs to keep its keyword library in step with the topic.

At start, the worker reads the library topic to its end and screens with
the version in force there (its local ``keywords/`` only when nothing was
ever published). Then a follower thread tails the topic. For each newer
version it compiles the bundle *beside* the library in force, in its own
thread, and only a complete :class:`CompiledLibrary` is handed to the
event loop, where one reference assignment makes it the library in force.

Why that is "between batches": the agent's batch reads
``screener.library`` once, synchronously, and screens the whole batch with
that object; the swap runs on the same event loop, so it happens before or
after a batch's screening, never inside it, and every alert of a batch
names the one version that screened it. A half-built automaton is never
reachable: the new library is only published to the loop once built.

The follower thread owns its Kafka consumer (librdkafka handles are not
shared between threads) and never blocks the event loop: the compile, the
poll and the audit record all happen in the thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from prometheus_client import Counter, Histogram

from listing_watch.config import Settings
from listing_watch.errors import LibraryError
from listing_watch.library.bundle import compile_bundle
from listing_watch.library.versions import PublishedVersion, in_force, newer
from listing_watch.logs import log_event
from listing_watch.pipeline.lag import end_offsets
from listing_watch.pipeline.library_audit import AuditRecorder, swap_event
from listing_watch.pipeline.library_settings import (
    LibrarySettings,
    load_library_settings,
)
from listing_watch.pipeline.library_topic import decode_message, read_versions
from listing_watch.pipeline.metrics import PREFIX, WorkerMetrics
from listing_watch.screening.model import CompiledLibrary

logger = logging.getLogger(__name__)

# How long one poll of the library topic blocks; a version is seen as soon
# as it arrives, this only bounds how fast the thread notices a stop.
POLL_TIMEOUT_S: Final = 0.1
SWAP_TIMEOUT_S: Final = 30.0
SWAP_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10)


class Screener(Protocol):
    """What the follower swaps: the worker's ``BatchScreener``."""

    library: CompiledLibrary


class LibraryFollower:
    """Follows the library topic and swaps the screener's library."""

    def __init__(
        self,
        *,
        screener: Screener,
        settings: Settings,
        library_settings: LibrarySettings,
        metrics: WorkerMetrics,
    ) -> None:
        self._screener = screener
        self._settings = settings
        self._library_settings = library_settings
        self._metrics = metrics
        self._current: PublishedVersion | None = None
        self._start_offset = OFFSET_BEGINNING
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._audit = AuditRecorder(settings, library_settings)
        self.worker_id = (
            f"{settings.worker.group_id}/{socket.gethostname()}/{os.getpid()}"
        )
        self.swaps = Counter(
            f"{PREFIX}_library_swaps_total",
            "Library versions this worker started screening with.",
            registry=metrics.registry,
        )
        self.refused = Counter(
            f"{PREFIX}_library_refused_total",
            "Published versions this worker could not compile (old one kept).",
            registry=metrics.registry,
        )
        self.compile_seconds = Histogram(
            f"{PREFIX}_library_compile_seconds",
            "Time to compile a published version beside the one in force.",
            buckets=SWAP_BUCKETS,
            registry=metrics.registry,
        )
        self.publish_to_swap_seconds = Histogram(
            f"{PREFIX}_library_publish_to_swap_seconds",
            "Time from a version's publication to this worker screening with it.",
            buckets=SWAP_BUCKETS,
            registry=metrics.registry,
        )

    # --- start: catch up synchronously, before the agent screens ----------

    def catch_up(self) -> None:
        """Adopt the version in force on the topic, if any was published."""
        # End offsets first: a version published while we read is then
        # seen again by the tail, where ``newer`` decides, never missed.
        try:
            ends = end_offsets(self._settings, self._library_settings.topic)
            versions = read_versions(self._settings, self._library_settings)
        except KafkaException as error:
            # The broker may be restarting: screen with the local files and
            # let the tail, reading from the start, adopt the version in force.
            log_event(
                logger,
                "library_catch_up_failed",
                level=logging.WARNING,
                error=str(error)[:300],
                library_version=self._screener.library.version,
                next="following the library topic from its start once reachable",
            )
            return
        if not ends:
            log_event(
                logger,
                "library_topic_missing",
                level=logging.WARNING,
                topic=self._library_settings.topic,
                library_version=self._screener.library.version,
                next="screening with the local keyword files; run "
                "'listing-watch setup' so published versions reach this worker",
            )
        self._start_offset = ends.get(0, (0, OFFSET_BEGINNING))[1]
        current = in_force(versions)
        if current is None:
            return
        library = self._compile(current)
        if library is not None:
            self._install(library, current, compile_s=0.0)

    # --- run: the Faust task that owns the follower thread ----------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(
            target=self._follow, args=(loop,), name="library-follower", daemon=True
        )
        self._thread.start()
        try:
            await asyncio.Event().wait()
        finally:
            self._stop.set()

    def _follow(self, loop: asyncio.AbstractEventLoop) -> None:
        consumer = self._consumer()
        try:
            while not self._stop.is_set():
                candidate = self._poll(consumer)
                if candidate is not None:
                    self._adopt(candidate, loop)
        except RuntimeError as error:  # the event loop closed under us
            log_event(logger, "library_follower_stopped", reason=str(error))
        finally:
            consumer.close()

    def _consumer(self) -> Consumer:
        consumer = Consumer(
            {
                **self._settings.kafka,
                "group.id": f"listing-watch-library-{self.worker_id}",
                "enable.auto.commit": False,
            }
        )
        topic = self._library_settings.topic
        consumer.assign([TopicPartition(topic, 0, self._start_offset)])
        return consumer

    def _poll(self, consumer: Consumer) -> PublishedVersion | None:
        """The newest version among the records that arrived, if newer."""
        candidate: PublishedVersion | None = None
        # Block for the first record only: ``consume`` alone would wait out
        # its whole timeout for a full batch on every publication.
        first = consumer.poll(POLL_TIMEOUT_S)
        if first is None:
            return None
        for message in [first, *consumer.consume(num_messages=100, timeout=0)]:
            if message.error():
                continue
            version = decode_message(message)
            if version is not None and newer(version, candidate or self._current):
                candidate = version
        return candidate

    def _adopt(
        self, version: PublishedVersion, loop: asyncio.AbstractEventLoop
    ) -> None:
        started = time.perf_counter()
        library = self._compile(version)
        if library is None:
            return
        compile_s = time.perf_counter() - started
        from_version = self._screener.library.version

        swap = asyncio.run_coroutine_threadsafe(
            self._swap(library, version, compile_s), loop
        )
        swap.result(timeout=SWAP_TIMEOUT_S)

        lag_s = (datetime.now(UTC) - version.published_at).total_seconds()
        event = swap_event(
            version=version.version,
            from_version=from_version,
            compile_ms=compile_s * 1000,
            lag_ms=lag_s * 1000,
            worker=self.worker_id,
        )
        self._audit.record(event)

    async def _swap(
        self, library: CompiledLibrary, version: PublishedVersion, compile_s: float
    ) -> None:
        self._install(library, version, compile_s=compile_s)

    # --- shared steps ------------------------------------------------------

    def _compile(self, version: PublishedVersion) -> CompiledLibrary | None:
        try:
            library = compile_bundle(version.bundle)
        except LibraryError as error:
            self.refused.inc()
            log_event(
                logger,
                "library_refused",
                level=logging.ERROR,
                library_version=version.version,
                offset=version.offset,
                reason=str(error),
                kept=self._screener.library.version,
                next="fix the library and publish a new version "
                "(listing-watch library publish)",
            )
            return None
        if library.version != version.version:
            # The hash covers the parsed specs, so a worker running other
            # loader code can read the same files differently.
            log_event(
                logger,
                "library_version_mismatch",
                level=logging.WARNING,
                published=version.version,
                compiled=library.version,
                next="run the same listing-watch release on every worker",
            )
        return library

    def _install(
        self, library: CompiledLibrary, version: PublishedVersion, *, compile_s: float
    ) -> None:
        previous = self._screener.library.version
        self._screener.library = library
        self._current = version
        self._metrics.set_library_version(library.version)
        self.swaps.inc()
        self.compile_seconds.observe(compile_s)
        lag_s = (datetime.now(UTC) - version.published_at).total_seconds()
        self.publish_to_swap_seconds.observe(max(0.0, lag_s))
        log_event(
            logger,
            "library_swapped",
            library_version=library.version,
            previous=previous,
            offset=version.offset,
            author=version.author,
            compile_ms=round(compile_s * 1000, 1),
            publish_to_swap_ms=round(lag_s * 1000, 1),
        )


def follow_library(
    app: Any, screener: Screener, settings: Settings, metrics: WorkerMetrics
) -> LibraryFollower | None:
    """Adopt the published version in force and follow the library topic.

    Called once from ``build_app``; registers the follower as a Faust task.
    ``LW_LIBRARY_FOLLOW=off`` keeps the worker on its local keyword files.
    """
    library_settings = load_library_settings()
    if not library_settings.follow:
        return None
    follower = LibraryFollower(
        screener=screener,
        settings=settings,
        library_settings=library_settings,
        metrics=metrics,
    )
    follower.catch_up()
    app.task(follower.run)
    return follower
