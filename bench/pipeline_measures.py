"""What the pipeline benchmark measures, and how it prints it.

The instruments of ``pipeline_bench.py``: the bare consumer's rate, the
workers' ``batch_done`` lines, the group's lag sampled every second, the
first time a search returns each alert, CPU use from ``/proc``, and the
report with its percentiles (nearest rank) and target verdicts.
"""

from __future__ import annotations

import math
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Final

import orjson
from confluent_kafka import (
    TIMESTAMP_LOG_APPEND_TIME,
    Consumer,
    TopicPartition,
    libversion,
)
from elasticsearch import Elasticsearch

from listing_watch.config import Settings
from listing_watch.pipeline.lag import partition_lag
from listing_watch.pipeline.topic_reader import read_topic

REPO: Final = Path(__file__).resolve().parents[1]
PACED_RATE: Final = 2000
POLL_S: Final = 0.1
LAG_SAMPLE_S: Final = 1.0
# Lag is "bounded" if it never exceeds this many seconds of input: the
# committed offsets alone trail by the 1 s commit interval plus a batch.
LAG_BOUND_S: Final = 5.0


# --- consuming and lag --------------------------------------------------------


def consume_rate(
    consumer: Consumer, partitions: list[TopicPartition], expected: int
) -> float:
    """Records per second from the assignment to the last record.

    Timed from before the first fetch: librdkafka prefetches, so timing
    from the first record returned would measure its queue, not the broker.
    """
    started = time.perf_counter()
    consumer.assign(partitions)
    count = 0
    while count < expected:
        messages = consumer.consume(1000, timeout=10)
        if not messages:
            raise SystemExit(f"bench: raw consumer stalled at {count}/{expected}")
        count += sum(1 for message in messages if message.error() is None)
    return count / (time.perf_counter() - started)


def group_lag(settings: Settings) -> int:
    lag = partition_lag(
        settings, group=settings.worker.group_id, topic=settings.topics.listings
    )
    return sum(lag.values())


class LagProbe(threading.Thread):
    """Samples the group's lag every second while the producer runs."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self._settings = settings
        self._stop_event = threading.Event()
        self.samples: list[int] = []

    def run(self) -> None:
        while not self._stop_event.wait(LAG_SAMPLE_S):
            self.samples.append(group_lag(self._settings))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def alert_append_times(settings: Settings) -> list[tuple[str, str, int]]:
    """(event id, alert id, log-append time in ms) of each alert record."""
    records = []
    for message in read_topic(settings, settings.topics.alerts):
        kind, appended_ms = message.timestamp()
        if kind != TIMESTAMP_LOG_APPEND_TIME:
            raise SystemExit("bench: the alerts topic is not LogAppendTime")
        document = orjson.loads(message.value() or b"{}")
        records.append((document["event"]["id"], document["alert_id"], appended_ms))
    return records


# --- searchability ------------------------------------------------------------


class VisibilityPoller(threading.Thread):
    """Records when each watched alert id is first returned by a search.

    Every 100 ms one ``ids`` query asks for the ids not yet seen; an id's
    time is when the answer holding it arrived (so at most one poll late).
    """

    def __init__(self, search: Elasticsearch, alias: str) -> None:
        super().__init__(daemon=True)
        self._search, self._alias = search, alias
        self._new: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stop_event = threading.Event()
        self.seen: dict[str, int] = {}

    def watch(self, alert_id: str | None) -> None:
        if alert_id is not None:
            self._new.put(alert_id)

    def run(self) -> None:
        pending: set[str] = set()
        while not self._stop_event.wait(POLL_S):
            while not self._new.empty():
                pending.add(self._new.get())
            pending -= self.seen.keys()
            if pending:
                self._poll(sorted(pending))

    def _poll(self, ids: list[str]) -> None:
        answer = self._search.search(
            index=self._alias,
            query={"ids": {"values": ids}},
            source=False,
            size=len(ids),
        )
        now_ms = time.time_ns() // 1_000_000
        for hit in answer["hits"]["hits"]:
            self.seen.setdefault(hit["_id"], now_ms)

    def wait_until_seen(self, ids: set[str], *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.seen.keys() and time.monotonic() < deadline:
            time.sleep(POLL_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- batches and rates --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Batch:
    worker: int
    listings: int
    started: float  # epoch seconds
    ended: float


def read_batches(logs: Sequence[Path]) -> list[Batch]:
    """The workers' ``batch_done`` lines; ``time`` is when the batch ended."""
    batches = []
    for worker, path in enumerate(logs):
        for line in path.read_bytes().splitlines():
            if b'"batch_done"' not in line:
                continue
            entry = orjson.loads(line)
            ended = datetime.fromisoformat(entry["time"]).timestamp()
            started = ended - entry["elapsed_ms"] / 1000
            batches.append(Batch(worker, entry["listings"], started, ended))
    return batches


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineRate:
    listings: int
    per_worker: list[int]  # sums above ``listings`` if a rebalance re-screened
    batches: int
    seconds: float
    steady_rate: float
    worker_cores: float
    machine_busy: float

    @property
    def rate(self) -> float:
        return self.listings / self.seconds

    @classmethod
    def from_logs(
        cls, logs: Sequence[Path], *, listings: int, usage: tuple[float, float]
    ) -> PipelineRate:
        """First batch start to last batch end: worker start-up is left out."""
        batches = read_batches(logs)
        seconds = max(b.ended for b in batches) - min(b.started for b in batches)
        return cls(
            listings=listings,
            per_worker=[
                sum(b.listings for b in batches if b.worker == worker)
                for worker in range(len(logs))
            ],
            batches=len(batches),
            seconds=seconds,
            steady_rate=steady_rate(batches),
            worker_cores=usage[0],
            machine_busy=usage[1],
        )


def steady_rate(batches: Sequence[Batch]) -> float:
    """Listings screened per second once every worker has screened a batch.

    A second worker joins a few seconds after the first has started
    draining; the rebalance pauses both and hands the first one's
    unacknowledged tail to the newcomer, which screens it again. From the
    last worker's first batch on, that ramp is left out.
    """
    workers = {b.worker for b in batches}
    start = max(min(b.started for b in batches if b.worker == w) for w in workers)
    steady = [b for b in batches if b.started >= start]
    return sum(b.listings for b in steady) / (max(b.ended for b in steady) - start)


# --- machine ------------------------------------------------------------------


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Usage:
    """A snapshot: wall clock, workers' CPU seconds, machine busy/total ticks."""

    at: float
    worker_cpu_s: float
    busy_ticks: int
    total_ticks: int

    @classmethod
    def take(cls, processes: Sequence[subprocess.Popen[bytes]]) -> Usage:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split()[1:9]]
        idle = ticks[3] + ticks[4]  # idle + iowait
        return cls(
            at=time.monotonic(),
            worker_cpu_s=sum(process_cpu_s(p.pid) for p in processes),
            busy_ticks=sum(ticks) - idle,
            total_ticks=sum(ticks),
        )

    def until(self, later: Usage) -> tuple[float, float]:
        """Cores the workers used, and the share of the machine that was busy."""
        cores = (later.worker_cpu_s - self.worker_cpu_s) / (later.at - self.at)
        busy = (later.busy_ticks - self.busy_ticks) / max(
            1, later.total_ticks - self.total_ticks
        )
        return cores, busy


def machine_line() -> str:
    meminfo = Path("/proc/meminfo").read_text().split()
    memory_gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"machine: nproc={len(os.sched_getaffinity(0))} memory={memory_gib:.1f} GiB "
        f"load(1/5/15 min)={load}"
    )


def versions_line(search: Elasticsearch) -> str:
    pom = (REPO / "deploy" / "local" / "pom.xml").read_text()
    kafka = pom.split("<kafka.version>")[1].split("<")[0]
    nodes = search.nodes.info(filter_path="nodes.*.version")["nodes"]
    es = next(iter(nodes.values()))["version"]
    return (
        f"versions: Python {sys.version.split()[0]}, "
        f"confluent-kafka {version('confluent-kafka')} "
        f"(librdkafka {libversion()[0]}), "
        f"faust-streaming {version('faust-streaming')}, "
        f"elasticsearch-py {version('elasticsearch')}; "
        f"Kafka {kafka}, Elasticsearch {es}"
    )


# --- reports ------------------------------------------------------------------


def report_rates(raw: float, one: PipelineRate, two: PipelineRate) -> None:
    print(f"raw consume, bare confluent-kafka Consumer  {raw:>9,.0f} listings/s")
    for name, result in (("one worker", one), ("two workers", two)):
        print(
            f"pipeline, {name:<12}                    {result.rate:>9,.0f} listings/s"
            f"  = {result.rate / raw:.3f} x raw"
        )
        print(f"    once all workers screen: {result.steady_rate:,.0f} listings/s")
        print(
            f"    {result.listings:,} listings in {result.seconds:.1f} s, "
            f"{result.batches} batches, per worker {result.per_worker}, "
            f"workers used {result.worker_cores:.2f} cores, "
            f"machine {result.machine_busy:.0%} busy"
        )
    print(
        f"two workers / one worker = {two.rate / one.rate:.2f} "
        f"(once all screen: {two.steady_rate / one.steady_rate:.2f})"
    )
    verdict = "met" if one.rate >= 2000 else "MISSED"
    print(f"target sustained >= 2,000 listings/s (one worker): {verdict}")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with ``share`` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(values: Sequence[float], unit: str) -> str:
    if not values:
        return "no samples"
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    return (
        f"p50 {p50:,.0f} {unit}  p99 {p99:,.0f} {unit}  max {max(values):,.0f} {unit}"
        f"  (n={len(values):,})"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Latency:
    sent: dict[str, int]
    appended: list[tuple[str, str, int]]
    visible: dict[str, int]
    planted: int
    planted_raised: int
    lag: list[int]
    drained_s: float
    batches: list[Batch]  # the worker's, during the paced run

    def report(self) -> None:
        rate = len(self.sent) / max(1e-9, self._produce_s())
        print(
            f"paced run: {len(self.sent):,} listings at {rate:,.0f}/s, "
            f"{self.planted:,} planted alert phrases, {self.planted_raised:,} of "
            f"them alerts; {len(self.appended):,} alert records in all"
        )
        to_alert = [
            appended - self.sent[event_id]
            for event_id, _, appended in self.appended
            if event_id in self.sent
        ]
        print(f"  produce -> alert appended  {spread(to_alert, 'ms')}")
        # The first second after the worker sat idle carries a one-off wait
        # before its first fetch returns (seen as 300-700 ms on every run);
        # shown apart so that the steady state can be read on its own.
        start = min(self.sent.values())
        steady = [
            appended - self.sent[event_id]
            for event_id, _, appended in self.appended
            if event_id in self.sent and self.sent[event_id] >= start + 1000
        ]
        print(f"    after the first second   {spread(steady, 'ms')}")
        first_append: dict[str, int] = {}
        for _, alert_id, appended in self.appended:
            first_append.setdefault(alert_id, appended)
        searchable = [
            seen - first_append[alert_id]
            for alert_id, seen in self.visible.items()
            if alert_id in first_append
        ]
        print(f"  alert -> searchable        {spread(searchable, 'ms')}")
        self._report_lag()
        sizes = [batch.listings for batch in self.batches]
        elapsed = [(b.ended - b.started) * 1000 for b in self.batches]
        print(
            f"  worker batches: {len(sizes)}, median {percentile(sizes or [0], 0.5)} "
            f"listings; batch elapsed {spread(elapsed, 'ms')}"
        )
        p99 = percentile(to_alert, 0.99) if to_alert else math.inf
        p99_search = percentile(searchable, 0.99) if searchable else math.inf
        print(f"target p99 produce->alert <= 50 ms: {_verdict(p99 <= 50)}")
        print(f"target p99 alert->searchable <= 1.5 s: {_verdict(p99_search <= 1500)}")

    def _produce_s(self) -> float:
        return (max(self.sent.values()) - min(self.sent.values())) / 1000

    def _report_lag(self) -> None:
        peak = max(self.lag, default=0)
        bounded = peak <= PACED_RATE * LAG_BOUND_S
        print(
            f"  lag: max {peak:,}, median {percentile(self.lag or [0], 0.5):,}, "
            f"drained {self.drained_s:.0f} s after the producer stopped; "
            f"bounded (<= {LAG_BOUND_S:.0f} s of input): {'yes' if bounded else 'NO'}"
        )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"
