"""The demo: real listings through the real broker into the real index.

Run by ``make demo`` after the local stack is up. It replays the five
source listing files and the labelled dev set from ``../shared/data``
(``LW_SHARED_DATA`` overrides), runs one screening worker until the
listings topic is drained, shows a few alerts and a search, and ends with

    demo: screened=N alerts=M indexed=K dead_letter=D seconds=S

Every figure is counted from where the effect landed: ``screened`` from the
worker's own batch log, ``alerts`` as distinct alert ids among the records
this run added to the alerts topic, ``indexed`` as how many of those ids
are documents in Elasticsearch, ``dead_letter`` as records this run added
to the dead-letter topic.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition

from listing_watch.config import Settings, load_settings
from listing_watch.pipeline.lag import LagProbe, end_offsets, partition_lag
from listing_watch.pipeline.processes import Worker, start_worker, stop_workers
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.pipeline.topics import admin_client
from listing_watch.search.index import connect

REPO: Final = Path(__file__).resolve().parents[2]
SOURCE_FILES: Final = (
    "listings-jd-gaiic2022.jsonl.gz",
    "listings-taobao-ecner.jsonl.gz",
    "listings-taobao-ecominstruct.jsonl.gz",
    "listings-taobao-product1m.jsonl.gz",
    "listings-xianyu-sample.jsonl.gz",
    "eval-dev.jsonl",
)
DRAIN_TIMEOUT_S: Final = 900.0
WORKER_STOP_TIMEOUT_S: Final = 30.0
EXAMPLE_ALERTS: Final = 5


def main() -> int:
    started = time.monotonic()
    settings = load_settings()
    data_dir = Path(os.environ.get("LW_SHARED_DATA", REPO.parent / "shared" / "data"))
    files = [data_dir / name for name in SOURCE_FILES]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        print(f"demo: missing input files: {', '.join(missing)}", file=sys.stderr)
        print("demo: set LW_SHARED_DATA to the folder holding them", file=sys.stderr)
        return 2

    _skip_leftovers(settings)
    alerts_start = _ends(settings, settings.topics.alerts)
    dead_start = _ends(settings, settings.topics.deadletter)
    log_path = REPO / "var" / "demo" / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_offset = log_path.stat().st_size if log_path.exists() else 0

    worker = start_worker(log_path, cwd=REPO)
    try:
        _replay(files)
        _wait_until_drained(settings, worker)
    finally:
        stop_workers([worker])

    screened, worker_dead = _worker_counts(log_path, log_offset)
    alerts = list(_records_since(settings, settings.topics.alerts, alerts_start))
    alert_ids = {orjson.loads(value)["alert_id"] for _, value in alerts}
    dead_letters = sum(
        1 for _ in _records_since(settings, settings.topics.deadletter, dead_start)
    )
    indexed = _count_documents(settings, alert_ids)

    _show_examples(alerts)
    _show_search(settings)
    print(
        f"demo: worker reported dead_letters={worker_dead}; "
        f"worker log at {log_path.relative_to(REPO)}",
        file=sys.stderr,
    )
    print(
        f"demo: screened={screened} alerts={len(alert_ids)} indexed={indexed} "
        f"dead_letter={dead_letters} seconds={time.monotonic() - started:.0f}"
    )
    return 0


def _skip_leftovers(settings: Settings) -> None:
    """Start the demo's group at the end of the listings topic.

    Listings an earlier, interrupted demo left unscreened would otherwise be
    screened now and counted with this run's. No worker of the group runs
    yet, so its offsets may be moved.
    """
    topic, group = settings.topics.listings, settings.worker.group_id
    ends = _ends(settings, topic)
    lag = sum(partition_lag(settings, group=group, topic=topic).values())
    if lag == 0:
        return
    offsets = [TopicPartition(topic, partition, end) for partition, end in ends.items()]
    request = [ConsumerGroupTopicPartitions(group, offsets)]
    admin = admin_client(settings)  # must outlive its futures
    for future in admin.alter_consumer_group_offsets(request).values():
        future.result(timeout=30)
    print(
        f"demo: skipped {lag} listings an earlier run left unscreened", file=sys.stderr
    )


def _ends(settings: Settings, topic: str) -> dict[int, int]:
    return {
        partition: high for partition, (_, high) in end_offsets(settings, topic).items()
    }


def _replay(files: list[Path]) -> None:
    command = [sys.executable, "-m", "listing_watch.cli", "replay", *map(str, files)]
    subprocess.run(command, cwd=REPO, check=True)


def _wait_until_drained(settings: Settings, worker: Worker) -> None:
    """Poll the group's lag until it is zero twice in a row."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    zero_seen = 0
    probe = LagProbe(
        settings, group=settings.worker.group_id, topic=settings.topics.listings
    )
    while zero_seen < 2:
        if worker.poll() is not None:
            raise SystemExit(f"demo: the worker exited early with {worker.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit(
                "demo: the topic did not drain in time; see the worker log"
            )
        lag = sum(probe.lag().values())
        print(f"\rdemo: lag={lag:<8}", end="", file=sys.stderr, flush=True)
        zero_seen = zero_seen + 1 if lag == 0 else 0
        time.sleep(1.0)
    probe.close()
    print(file=sys.stderr)


def _worker_counts(log_path: Path, offset: int) -> tuple[int, int]:
    screened = dead = 0
    with log_path.open("rb") as log:
        log.seek(offset)
        for line in log:
            if b'"batch_done"' not in line:
                continue
            entry = orjson.loads(line)
            screened += entry["screened"]
            dead += entry["dead_letters"]
    return screened, dead


def _records_since(
    settings: Settings, topic: str, start: dict[int, int]
) -> Iterator[tuple[bytes | None, bytes]]:
    """Every record appended to ``topic`` after the offsets in ``start``."""
    for message in read_topic(settings, topic, start=start):
        yield message.key(), message.value()


def _count_documents(settings: Settings, alert_ids: set[str]) -> int:
    client = connect(settings.search)
    client.indices.refresh(index=settings.search.alerts_alias)
    found = 0
    ids = sorted(alert_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        response = client.count(
            index=settings.search.alerts_alias, query={"ids": {"values": chunk}}
        )
        found += int(response["count"])
    return found


def _show_examples(alerts: list[tuple[bytes | None, bytes]]) -> None:
    print("Example alerts:")
    seen: set[str] = set()
    for _, value in alerts:
        alert = orjson.loads(value)
        if alert["alert_id"] in seen:
            continue
        seen.add(alert["alert_id"])
        _print_alert(alert)
        if len(seen) >= EXAMPLE_ALERTS:
            break


def _print_alert(alert: dict[str, Any]) -> None:
    listing = alert["listing"]
    kinds = ",".join(alert["violation_kinds"])
    terms = "、".join(alert["terms"])
    print(f"  [{alert['risk']}] {listing['platform']} {listing['title'][:60]}")
    print(f"      kinds={kinds} terms={terms} library={alert['library_version']}")


def _show_search(settings: Settings) -> None:
    """A phrase search for a two-character term, with highlighting."""
    client = connect(settings.search)
    term = "纪念"
    response = client.search(
        index=settings.search.alerts_alias,
        query={"match_phrase": {"listing.title": term}},
        highlight={"fields": {"listing.title": {}}},
        size=3,
        track_total_hits=True,
    )
    total = response["hits"]["total"]["value"]
    print(f'Search: match_phrase listing.title "{term}" -> {total} alerts, e.g.')
    for hit in response["hits"]["hits"]:
        fragment = hit.get("highlight", {}).get("listing.title", ["?"])[0]
        print(f"  {hit['_id'][:12]} {fragment}")


if __name__ == "__main__":
    sys.exit(main())
