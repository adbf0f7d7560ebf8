"""Helpers for tests against the real local stack: lanes, waits, events.

A *lane* is one test's private topics, consumer group and alerts alias on
the shared stack, so tests never see each other's records.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from confluent_kafka import Message, Producer
from elasticsearch import Elasticsearch

from listing_watch.config import Settings
from listing_watch.pipeline.lag import partition_lag
from listing_watch.pipeline.processes import Worker, start_worker, stop_workers
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.provision import isolated_names
from listing_watch.search.index import connect

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Lane:
    """One test's private topics, group and alias on the shared stack."""

    env: dict[str, str]
    settings: Settings
    workers: list[Worker] = field(default_factory=list)
    log_dir: Path = Path()

    # --- workers ---------------------------------------------------------

    def start_worker(self, **extra_env: str) -> Worker:
        log_path = self.log_dir / f"worker-{len(self.workers)}.log"
        env = {**os.environ, **self.env, **extra_env}
        process = start_worker(log_path, env=env, cwd=REPO)
        self.workers.append(process)
        return process

    def run_cli(self, *args: str) -> str:
        """Run ``listing-watch ARGS`` in this lane; return its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "listing_watch.cli", *args],
            cwd=REPO,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def worker_log(self, index: int = 0) -> str:
        return (self.log_dir / f"worker-{index}.log").read_text(errors="replace")

    def stop_workers(self) -> None:
        stop_workers(self.workers)

    # --- Kafka -----------------------------------------------------------

    def produce(self, records: Sequence[tuple[bytes | None, bytes | None]]) -> None:
        producer = Producer({**self.settings.kafka, "enable.idempotence": True})
        for key, value in records:
            producer.produce(self.settings.topics.listings, key=key, value=value)
        assert producer.flush(30) == 0

    def read_topic(self, topic: str) -> list[Message]:
        """Every record currently on ``topic``, from the beginning."""
        return list(read_topic(self.settings, topic))

    def lag(self) -> int:
        return sum(
            partition_lag(
                self.settings,
                group=self.settings.worker.group_id,
                topic=self.settings.topics.listings,
            ).values()
        )

    def wait_until_drained(self, *, timeout_s: float = 90.0) -> None:
        def drained() -> bool:
            if self.workers and all(w.poll() is not None for w in self.workers):
                tail = self.worker_log(len(self.workers) - 1)[-3000:]
                raise AssertionError(f"every worker exited; last log:\n{tail}")
            return self.lag() == 0

        wait_for(drained, timeout_s=timeout_s, what="lag 0")

    # --- Elasticsearch ---------------------------------------------------

    @property
    def es(self) -> Elasticsearch:
        return connect(self.settings.search)

    def documents(self) -> list[dict[str, object]]:
        alias = self.settings.search.alerts_alias
        self.es.indices.refresh(index=alias)
        response = self.es.search(index=alias, size=10_000, query={"match_all": {}})
        return list(response["hits"]["hits"])


def wait_for(
    condition: Callable[[], bool], *, timeout_s: float, what: str, every_s: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


def lane_env(prefix: str) -> dict[str, str]:
    """Private names for everything a worker touches, small and quick."""
    return {
        **isolated_names(prefix),
        "LW_TOPIC_PARTITIONS": "3",
        "LW_WEB_PORT": "0",
        "LW_BATCH_WINDOW_S": "0.1",
    }


def listing_event(listing_id: str, title: str, **fields: object) -> bytes:
    """A valid new-listing event written for the tests."""
    event: dict[str, object] = {
        "event_id": f"ev-{listing_id}",
        "platform": "testmall",
        "listing_id": listing_id,
        "title": title,
        "observed_at": "2021-06-25T10:00:00+08:00",
        **fields,
    }
    return orjson.dumps(event)
