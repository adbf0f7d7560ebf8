"""The chaos run: faults while the screen is busy, then an honest count.

Run by ``make chaos`` (200,000 listings) and, small, by the test suite
(``--listings 20000``). On the local stack it

1. builds the listings: the real corpus from ``../shared/data`` repeated
   with new ids, every 50th made to alert by a campaign phrase;
2. computes the expected alerts with the offline screen (same code);
3. publishes them to fresh topics and starts three workers;
4. while the lag is above 1,000: kills a worker with SIGKILL (three times,
   restarting it each time), stops Elasticsearch for 60 s, restarts the
   broker once; a worker that exits on its own is restarted too, as a
   supervisor would;
5. waits for lag 0 and counts from the index and the alerts topic.

It ends with the line

    chaos: sent=N expected_alerts=E alert_ids=A documents=D duplicates=X
    lost=L topic_duplicates=T dead_letter=Q seconds=S

(one line). ``duplicates`` are documents beyond one per alert id,
``topic_duplicates`` alert records beyond one per alert id.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import orjson
from confluent_kafka import Producer

from listing_watch.config import Settings, load_settings
from listing_watch.events import decode_listing
from listing_watch.library import load_library
from listing_watch.pipeline.alerts import alert_id_for
from listing_watch.pipeline.lag import LagProbe
from listing_watch.pipeline.processes import Worker, start_worker, stop_workers
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.provision import drop_isolated, isolated_names, provision
from listing_watch.screening import ListingText, screen_many
from listing_watch.search.index import connect

REPO: Final = Path(__file__).resolve().parents[2]
STACK: Final = REPO / "deploy" / "local" / "stack.sh"
CORPUS: Final = (
    "listings-jd-gaiic2022.jsonl.gz",
    "listings-taobao-ecner.jsonl.gz",
    "listings-taobao-ecominstruct.jsonl.gz",
    "listings-taobao-product1m.jsonl.gz",
    "listings-xianyu-sample.jsonl.gz",
)
ALERT_EVERY: Final = 50
ALERT_PHRASE: Final = " 庆祝建党100周年纪念章"
WORKERS: Final = 3
KILLS: Final = 3
ES_OUTAGE_S: Final = 60.0
FAULT_LAG_FLOOR: Final = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200_000)
    parser.add_argument("--es-outage-s", type=float, default=ES_OUTAGE_S)
    parser.add_argument("--kills", type=int, default=KILLS)
    parser.add_argument(
        "--cleanup", action="store_true", help="delete the run's topics and indices"
    )
    args = parser.parse_args()

    started = time.monotonic()
    run = ChaosRun(
        listings=args.listings, es_outage_s=args.es_outage_s, kills=args.kills
    )
    try:
        run.prepare()
        run.start_workers()
        run.inject_faults()
        run.wait_until_drained()
    finally:
        run.stop_workers()
    print(run.count(time.monotonic() - started))
    if args.cleanup:
        run.drop()
    return 0


class ChaosRun:
    def __init__(self, *, listings: int, es_outage_s: float, kills: int) -> None:
        self.size = listings
        self.es_outage_s = es_outage_s
        self.kills = kills
        prefix = f"chaos-{uuid.uuid4().hex[:6]}"
        self.env = {
            **isolated_names(prefix),
            "LW_TOPIC_PARTITIONS": "6",
            "LW_WEB_PORT": "0",
        }
        self.settings: Settings = load_settings({**os.environ, **self.env})
        self.log_dir = REPO / "var" / prefix
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.workers: list[Worker] = []
        self.expected: set[str] = set()
        self.sent = 0
        self._started = time.monotonic()
        self._probe = self._new_probe()
        self._retired: list[LagProbe] = []

    # --- set-up ----------------------------------------------------------

    def prepare(self) -> None:
        provision(self.settings, self.env)
        events = list(itertools.islice(chaos_events(), self.size))
        self.expected = expected_alert_ids(events)
        self.note(f"built {len(events)} listings, {len(self.expected)} expected alerts")
        self.sent = publish(self.settings, events)
        self.note(f"published {self.sent} listings")

    def start_workers(self) -> None:
        for index in range(WORKERS):
            self.workers.append(self._spawn(index))

    def _spawn(self, index: int) -> Worker:
        log_path = self.log_dir / f"worker-{index}.log"
        return start_worker(log_path, env={**os.environ, **self.env}, cwd=REPO)

    # --- faults ----------------------------------------------------------

    def inject_faults(self) -> None:
        """Each fault once its turn comes and the lag is still above 1,000."""
        faults = [
            *(self._kill_worker for _ in range(self.kills)),
            self._stop_elasticsearch,
            self._restart_broker,
        ]
        # Spread the faults over the first two thirds of the backlog.
        step = 0.6 / len(faults)
        thresholds = [self.sent * (0.95 - step * n) for n in range(len(faults))]
        for fault, threshold in zip(faults, thresholds, strict=True):
            lag = self._wait_for_lag_below(max(threshold, FAULT_LAG_FLOOR))
            if lag <= FAULT_LAG_FLOOR:
                self.note(
                    f"lag {lag} already at or below {FAULT_LAG_FLOOR}: "
                    f"{fault.__name__} skipped"
                )
                continue
            fault(lag)

    def _kill_worker(self, lag: int) -> None:
        victim = next(
            i for i, worker in enumerate(self.workers) if worker.poll() is None
        )
        self.workers[victim].send_signal(signal.SIGKILL)
        self.workers[victim].wait()
        self.note(f"SIGKILL worker {victim} at lag {lag}")
        self.workers[victim] = self._spawn(victim)

    def _stop_elasticsearch(self, lag: int) -> None:
        stack("stop-es")
        self.note(f"stopped Elasticsearch at lag {lag}")
        self._supervise_for(self.es_outage_s)
        stack("start-es")
        self.note(f"started Elasticsearch again at lag {self.lag()}")

    def _restart_broker(self, lag: int) -> None:
        stack("stop-kafka")
        self.note(f"stopped the broker at lag {lag}")
        stack("start-kafka")
        self.note(f"started the broker again at lag {self._first_lag_reading()}")

    # --- waiting ---------------------------------------------------------

    def lag(self) -> int:
        try:
            return sum(self._probe.lag().values())
        except Exception:
            # Broker unreachable for the moment: lag unknown. After a broker
            # restart librdkafka's admin client has been seen never to answer
            # again, so the next reading uses fresh clients. The old ones are
            # kept, not closed: closing them with requests in flight has
            # crashed the process.
            self._retired.append(self._probe)
            self._probe = self._new_probe()
            return -1

    def _first_lag_reading(self, timeout_s: float = 15.0) -> int:
        """The lag once a just-restarted broker answers; -1 if it does not."""
        deadline = time.monotonic() + timeout_s
        lag = self.lag()
        while lag < 0 and time.monotonic() < deadline:
            time.sleep(1.0)  # each failed reading makes new clients
            lag = self.lag()
        return lag

    def _new_probe(self) -> LagProbe:
        return LagProbe(
            self.settings,
            group=self.settings.worker.group_id,
            topic=self.settings.topics.listings,
        )

    def _wait_for_lag_below(self, threshold: float) -> int:
        while True:
            self._restart_exited()
            lag = self.lag()
            if 0 <= lag <= threshold:
                return lag
            time.sleep(0.5)

    def _supervise_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._restart_exited()
            time.sleep(1)

    def _restart_exited(self) -> None:
        for index, worker in enumerate(self.workers):
            if worker.poll() is not None:
                self.note(
                    f"worker {index} exited with {worker.returncode}; restarting it"
                )
                self.workers[index] = self._spawn(index)

    def wait_until_drained(self) -> None:
        zero_seen = 0
        while zero_seen < 3:
            self._restart_exited()
            lag = self.lag()
            zero_seen = zero_seen + 1 if lag == 0 else 0
            time.sleep(1)
        self.note("lag 0")

    def stop_workers(self) -> None:
        stop_workers(self.workers)

    # --- the count -------------------------------------------------------

    def count(self, seconds: float) -> str:
        topic_ids = Counter(
            orjson.loads(message.value())["alert_id"]
            for message in read_topic(self.settings, self.settings.topics.alerts)
        )
        documents = self._documents()
        dead = sum(
            1 for _ in read_topic(self.settings, self.settings.topics.deadletter)
        )
        found = set(topic_ids) & set(documents)
        return (
            f"chaos: sent={self.sent} expected_alerts={len(self.expected)} "
            f"alert_ids={len(topic_ids)} documents={sum(documents.values())} "
            f"duplicates={sum(documents.values()) - len(documents)} "
            f"lost={len(self.expected - found)} "
            f"topic_duplicates={sum(topic_ids.values()) - len(topic_ids)} "
            f"dead_letter={dead} seconds={seconds:.0f}"
        )

    def _documents(self) -> Counter[str]:
        """Documents per alert id, read with a point-in-time-free scroll."""
        client = connect(self.settings.search)
        alias = self.settings.search.alerts_alias
        client.indices.refresh(index=alias)
        counts: Counter[str] = Counter()
        response = client.search(
            index=alias,
            scroll="1m",
            size=5000,
            source=["alert_id"],
            query={"match_all": {}},
        )
        while hits := response["hits"]["hits"]:
            counts.update(hit["_source"]["alert_id"] for hit in hits)
            response = client.scroll(scroll_id=response["_scroll_id"], scroll="1m")
        return counts

    def drop(self) -> None:
        drop_isolated(self.settings, self.env)

    def note(self, what: str) -> None:
        elapsed = time.monotonic() - self._started
        print(f"chaos: t={elapsed:6.1f}s {what}", file=sys.stderr, flush=True)


def chaos_events() -> Iterator[bytes]:
    """The corpus repeated with new ids; every 50th listing made to alert."""
    data_dir = Path(os.environ.get("LW_SHARED_DATA", REPO.parent / "shared" / "data"))
    titles = [title for name in CORPUS for title in corpus_titles(data_dir / name)]
    for number in itertools.count():
        title = titles[number % len(titles)]
        if number % ALERT_EVERY == 0:
            title += ALERT_PHRASE
        yield orjson.dumps(
            {
                "event_id": f"chaos-{number}",
                "platform": "chaosmall",
                "listing_id": f"c{number}",
                "title": title,
                "observed_at": "2021-06-28T09:00:00+08:00",
            }
        )


def corpus_titles(path: Path) -> Iterator[str]:
    with gzip.open(path, "rb") as lines:
        for line in lines:
            yield orjson.loads(line)["title"]


def expected_alert_ids(events: list[bytes]) -> set[str]:
    listings = [decode_listing(event) for event in events]
    library = load_library(REPO / "keywords")
    verdicts = screen_many(
        [ListingText.from_listing(listing) for listing in listings], library
    )
    return {
        alert_id_for(listing)
        for listing, verdict in zip(listings, verdicts, strict=True)
        if verdict.alert
    }


def publish(settings: Settings, events: list[bytes]) -> int:
    producer = Producer({**settings.kafka, "enable.idempotence": True, "linger.ms": 20})
    for event in events:
        key = decode_key(event)
        while True:
            try:
                producer.produce(settings.topics.listings, key=key, value=event)
                break
            except BufferError:
                producer.poll(0.5)
        producer.poll(0)
    if producer.flush(120):
        raise SystemExit("chaos: the broker did not take every listing")
    return len(events)


def decode_key(event: bytes) -> bytes:
    document = orjson.loads(event)
    return f"{document['platform']}:{document['listing_id']}".encode()


def stack(action: str) -> None:
    subprocess.run([str(STACK), action], check=True)


if __name__ == "__main__":
    sys.exit(main())
