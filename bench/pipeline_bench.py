"""Pipeline benchmark: consume rate, sustained rate, latency, searchability.

Run on the running local stack from the repository root::

    .venv/bin/python bench/pipeline_bench.py [--listings N] [--seconds S]

Listings are the real corpus in ``../shared/data`` (``LW_SHARED_DATA``
overrides) repeated with new ids, every 50th made to alert. Everything
goes to private ``bench-<hex>`` topics, consumer groups and aliases on the
local broker and Elasticsearch (127.0.0.1 only), deleted at the end. It
prints

1. the raw consume rate of the listings topic with a bare confluent-kafka
   consumer;
2. the sustained rate of the pipeline (``listing-watch work`` subprocesses)
   with one worker, then two, each draining the same backlog in a fresh
   consumer group, from the workers' ``batch_done`` lines;
3. at a paced 2,000 listings/s for ``--seconds``: producer timestamp to
   the alert record's log-append time, p50/p99/max, and the group's lag;
4. in the same run: alert record appended to alert document searchable.

A benchmark, not a test: nothing fails on a slow machine. Figures are
recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import orjson
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    Producer,
    TopicPartition,
)
from confluent_kafka.cimpl import NewTopic
from elasticsearch import NotFoundError
from pipeline_measures import (
    LAG_SAMPLE_S,
    PACED_RATE,
    LagProbe,
    Latency,
    PipelineRate,
    Usage,
    VisibilityPoller,
    alert_append_times,
    consume_rate,
    group_lag,
    machine_line,
    read_batches,
    report_rates,
    versions_line,
)

from listing_watch.config import Settings, load_settings
from listing_watch.events import decode_listing
from listing_watch.pipeline.alerts import alert_id_for
from listing_watch.pipeline.processes import Worker, stop_workers
from listing_watch.pipeline.processes import start_worker as start_process
from listing_watch.pipeline.replay import PRODUCER_DEFAULTS, SkippedLine, listing_events
from listing_watch.pipeline.topics import admin_client, create_topics
from listing_watch.provision import provision
from listing_watch.search.index import connect

REPO: Final = Path(__file__).resolve().parents[1]
ALERT_EVERY: Final = 50
ALERT_PHRASE: Final = " 庆祝建党100周年纪念章"
WARM_UP_LISTINGS: Final = 200
DRAIN_TIMEOUT_S: Final = 240.0
# The benchmark is of the local stack: pinned, whatever the environment says.
LOCAL_STACK: Final = {
    "LW_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
    "LW_ES_URL": "http://127.0.0.1:9200",
    "LW_WEB_PORT": "0",
    "LW_WEBHOOK_URL": "",
}

Event = tuple[str, bytes, bytes]  # event id, key, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--retrohunt",
        action="store_true",
        help="measure the latency again while a retro-hunt screens the backlog",
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="skip the backlog and rate stages; measure only produce -> alert",
    )
    args = parser.parse_args()

    run = BenchRun()
    print(machine_line())
    print(versions_line(run.search))
    try:
        corpus = load_corpus()
        rates = None
        if not args.latency_only:
            run.fill_backlog(corpus, args.listings)
            rates = (
                run.raw_consume_rate(),
                run.pipeline_rate(workers=1),
                run.pipeline_rate(workers=2),
            )
        latency = run.latency(corpus, seconds=args.seconds)
        hunted = (
            run.latency(corpus, seconds=args.seconds, stage="lat2", retrohunt=True)
            if args.retrohunt
            else None
        )
    finally:
        run.clean_up()

    if rates is not None:
        report_rates(*rates)
    latency.report()
    if hunted is not None:
        print("with a retro-hunt screening the 100,000-listing backlog at 2,000/s:")
        hunted.report()
    return 0


# --- the run: private names, stages, clean-up ---------------------------------


class BenchRun:
    def __init__(self) -> None:
        self.prefix = f"bench-{uuid.uuid4().hex[:6]}"
        self.settings = self.stage_settings("w1", f"{self.prefix}.listings")
        self.search = connect(self.settings.search)
        self.log_dir = REPO / "var" / self.prefix
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.listings = 0
        self._started = time.monotonic()

    def stage_env(self, stage: str, listings_topic: str) -> dict[str, str]:
        """Every topic, group and alias a worker touches, private to a stage."""
        topic, alias = f"{self.prefix}.{stage}", f"{self.prefix}-{stage}"
        return {
            **os.environ,
            **LOCAL_STACK,
            "LW_TOPIC_LISTINGS": listings_topic,
            "LW_TOPIC_ALERTS": f"{topic}.alerts",
            "LW_TOPIC_DEADLETTER": f"{topic}.deadletter",
            "LW_TOPIC_DISPOSITIONS": f"{topic}.dispositions",
            "LW_TOPIC_ESCALATIONS": f"{topic}.escalations",
            "LW_TOPIC_LIBRARY": f"{topic}.library",
            "LW_TOPIC_LIBRARY_AUDIT": f"{topic}.library-audit",
            "LW_GROUP_ID": f"{alias}-screen",
            "LW_ES_ALERTS_ALIAS": f"{alias}-alerts",
            "LW_ES_COVERAGE_ALIAS": f"{alias}-coverage",
            "LW_ES_DISPOSITIONS_ALIAS": f"{alias}-dispositions",
            "LW_ES_LIBRARY_AUDIT_ALIAS": f"{alias}-library-audit",
        }

    def stage_settings(self, stage: str, listings_topic: str) -> Settings:
        return load_settings(self.stage_env(stage, listings_topic))

    def note(self, what: str) -> None:
        elapsed = time.monotonic() - self._started
        print(f"bench: t={elapsed:6.1f}s {what}", file=sys.stderr, flush=True)

    # --- stage 1: the backlog and the bare consumer ---------------------------

    def fill_backlog(self, corpus: Sequence[dict[str, Any]], count: int) -> None:
        provision(self.settings, self.stage_env("w1", self.settings.topics.listings))
        producer = Producer({**PRODUCER_DEFAULTS, **self.settings.kafka})
        for _, key, value in bench_events(corpus, f"{self.prefix}-b", count):
            send(producer, self.settings.topics.listings, key, value)
        if producer.flush(120):
            raise SystemExit("bench: the broker did not take every listing")
        self.listings = count
        self.note(f"published {count} listings to {self.settings.topics.listings}")

    def raw_consume_rate(self) -> float:
        consumer = Consumer(
            {
                **self.settings.kafka,
                "group.id": f"{self.prefix}-raw",
                "enable.auto.commit": False,
            }
        )
        topic = self.settings.topics.listings
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        assignment = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions]
        try:
            rate = consume_rate(consumer, assignment, self.listings)
        finally:
            consumer.close()
        self.note(f"raw consume {rate:,.0f} listings/s")
        return rate

    # --- stage 2: sustained rate, one and two workers -------------------------

    def pipeline_rate(self, *, workers: int) -> PipelineRate:
        stage = f"w{workers}"
        env = self.stage_env(stage, self.settings.topics.listings)
        settings = load_settings(env)
        provision(settings, env)
        logs = [self.log_dir / f"{stage}-{index}.log" for index in range(workers)]
        processes = [start_worker(env, log) for log in logs]
        try:
            # CPU from the first batch on: start-up (imports, library
            # compile, group join) is not the pipeline's steady cost.
            wait_for_screened(logs, 1)
            start = Usage.take(processes)
            ends: list[Usage] = []
            self.wait_for_lag_zero(
                settings, at_zero=lambda: ends.append(Usage.take(processes))
            )
        finally:
            stop_workers(processes)
        result = PipelineRate.from_logs(
            logs, listings=self.listings, usage=start.until(ends[0])
        )
        self.note(f"{workers} worker(s): {result.rate:,.0f} listings/s")
        return result

    def wait_for_lag_zero(
        self, settings: Settings, at_zero: Callable[[], None] = lambda: None
    ) -> float:
        """Seconds until the group's lag is 0 twice in a row."""
        started = time.monotonic()
        zero_seen = 0
        while zero_seen < 2:
            if time.monotonic() - started > DRAIN_TIMEOUT_S:
                raise SystemExit("bench: the workers did not drain the topic in time")
            lag = group_lag(settings)
            if lag == 0:
                at_zero()
            zero_seen = zero_seen + 1 if lag == 0 else 0
            time.sleep(LAG_SAMPLE_S)
        return time.monotonic() - started

    # --- stages 3 and 4: latency at a fixed rate ------------------------------

    def latency(
        self,
        corpus: Sequence[dict[str, Any]],
        *,
        seconds: float,
        stage: str = "lat",
        retrohunt: bool = False,
    ) -> Latency:
        settings = self.stage_settings(stage, f"{self.prefix}.{stage}.listings")
        env = self.stage_env(stage, settings.topics.listings)
        # Created before provision, which keeps a topic that exists.
        create_topics(settings, [log_append_topic(settings)])
        provision(settings, env)
        events = list(
            bench_events(corpus, f"{self.prefix}-p", int(PACED_RATE * seconds))
        )
        planted = planted_alert_ids(events)
        log = self.log_dir / f"{stage}-0.log"
        worker = start_worker(env, log)
        hunters: list[Worker] = []
        try:
            producer = self.warm_up(settings, corpus, log)
            if retrohunt:
                hunters.append(self.start_retrohunt(env))
            return self.measure(producer, settings, events, planted, log)
        finally:
            stop_workers([worker, *hunters])

    def start_retrohunt(self, env: dict[str, str]) -> Worker:
        """A retro-hunt over the stage-1 backlog, beside the live worker.

        Two versions are published to the stage's library topic (the second
        adds a term), and the hunt screens the 100,000 backlog listings at
        the default 2,000 a second: longer than the paced run.
        """
        keywords = self.log_dir / "keywords-v2"
        shutil.copytree(REPO / "keywords", keywords, dirs_exist_ok=True)
        with (keywords / "terms" / "02-focus.terms").open("a", encoding="utf-8") as f:
            f.write(
                "\n滇池金箔画  weight=0.9  kind=celebration_marketing  source=bench\n"
            )
        for root in (REPO / "keywords", keywords):
            publish = [
                "library",
                "publish",
                "--keywords",
                str(root),
                "--author",
                "bench",
            ]
            subprocess.run(
                [sys.executable, "-m", "listing_watch.cli", *publish],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
            )
        hunt_env = {**env, "LW_TOPIC_LISTINGS": self.settings.topics.listings}
        command = ["retrohunt", "--since", "2h", "--no-progress"]
        with (self.log_dir / "retrohunt.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "listing_watch.cli", *command],
                cwd=REPO,
                env=hunt_env,
                stdout=log,
                stderr=log,
            )
        self.note("retro-hunt started over the backlog")
        return process

    def warm_up(
        self, settings: Settings, corpus: Sequence[dict[str, Any]], log: Path
    ) -> Producer:
        """Until the worker has screened a first batch (with an alert) end to end.

        Returns the producer that sent the warm-up listings: the paced run
        uses it, connected and holding its idempotence id, as a platform's
        long-lived producer would be. A fresh one would stamp its first
        records at ``produce()`` and send them only after it has connected
        and acquired an id, a few hundred milliseconds later.
        """
        producer = Producer({**self.settings.kafka, "enable.idempotence": True})
        for _, key, value in bench_events(corpus, f"{self.prefix}-w", WARM_UP_LISTINGS):
            send(producer, settings.topics.listings, key, value)
        producer.flush(30)
        wait_for_screened([log], WARM_UP_LISTINGS)
        self.wait_for_lag_zero(settings)
        return producer

    def measure(
        self,
        producer: Producer,
        settings: Settings,
        events: list[Event],
        planted: dict[str, str],
        log: Path,
    ) -> Latency:
        poller = VisibilityPoller(self.search, settings.search.alerts_alias)
        lag = LagProbe(settings)
        poller.start()
        lag.start()
        try:
            self.note(f"producing {len(events)} listings at {PACED_RATE}/s")
            sent = produce_paced(
                producer,
                settings.topics.listings,
                events,
                on_sent=lambda eid: poller.watch(planted.get(eid)),
            )
            drained_s = self.wait_for_lag_zero(settings)
            # A planted phrase does not always alert (a published book is
            # exempt): wait only for the planted alerts the worker raised.
            appended = alert_append_times(settings)
            raised = {alert_id for _, alert_id, _ in appended}
            poller.wait_until_seen(raised & set(planted.values()), timeout=15.0)
        finally:
            poller.stop()
            lag.stop()
        return Latency(
            sent=sent,
            appended=appended,
            visible=dict(poller.seen),
            planted=len(planted),
            planted_raised=len(raised & set(planted.values())),
            lag=lag.samples,
            drained_s=drained_s,
            batches=[
                b for b in read_batches([log]) if b.started * 1000 >= min(sent.values())
            ],
        )

    # --- clean-up -------------------------------------------------------------

    def clean_up(self) -> None:
        """Delete this run's topics, groups, indices and templates."""
        admin = admin_client(self.settings)
        topics = [
            name
            for name in admin.list_topics(timeout=10).topics
            if name.startswith(f"{self.prefix}.")
        ]
        if topics:
            for future in admin.delete_topics(topics).values():
                future.result()
        groups = [
            listing.group_id
            for listing in admin.list_consumer_groups().result().valid
            if listing.group_id.startswith(self.prefix)
        ]
        if groups:
            for future in admin.delete_consumer_groups(groups).values():
                future.result()
        self._delete_search_objects()
        self.note(f"deleted {len(topics)} topics, {len(groups)} groups")

    def _delete_search_objects(self) -> None:
        # Wildcard deletes are refused (action.destructive_requires_name):
        # list this run's names, then delete them by name.
        pattern = f"{self.prefix}-*"
        indices = list(self.search.indices.get(index=pattern))
        if indices:
            self.search.indices.delete(index=",".join(indices))
        try:
            templates = self.search.indices.get_index_template(name=pattern)
        except NotFoundError:
            return
        for template in templates["index_templates"]:
            self.search.indices.delete_index_template(name=template["name"])


# --- listings -----------------------------------------------------------------


def load_corpus() -> list[dict[str, Any]]:
    """The real listings as events, read at run time from the shared folder.

    The keyword-selected slice (``*-derived``) is left out, as in the chaos
    run: its 304 lines hold as many natural alerts as the other 60,775.
    """
    data_dir = Path(os.environ.get("LW_SHARED_DATA", REPO.parent / "shared" / "data"))
    files = [
        path
        for path in sorted(data_dir.glob("listings-*.jsonl.gz"))
        if not path.name.endswith("-derived.jsonl.gz")
    ]
    if not files:
        raise SystemExit(
            f"bench: no listings-*.jsonl.gz in {data_dir}; set LW_SHARED_DATA"
        )
    observed_at = datetime.now(UTC)
    return [
        event
        for path in files
        for event in listing_events(path, observed_at=observed_at)
        if not isinstance(event, SkippedLine)
    ]


def bench_events(
    corpus: Sequence[dict[str, Any]], tag: str, count: int
) -> Iterator[Event]:
    """The corpus repeated with new ids; every 50th listing made to alert."""
    for number in range(count):
        event = dict(corpus[number % len(corpus)])
        event["event_id"] = event["listing_id"] = f"{tag}-{number}"
        if number % ALERT_EVERY == 0:
            event["title"] += ALERT_PHRASE
        key = f"{event['platform']}:{event['listing_id']}".encode()
        yield event["event_id"], key, orjson.dumps(event)


def planted_alert_ids(events: Sequence[Event]) -> dict[str, str]:
    """Event id -> alert id of the listings made to alert."""
    return {
        event_id: alert_id_for(decode_listing(value))
        for number, (event_id, _, value) in enumerate(events)
        if number % ALERT_EVERY == 0
    }


def send(
    producer: Producer, topic: str, key: bytes, value: bytes, **extra: Any
) -> None:
    while True:
        try:
            producer.produce(topic, key=key, value=value, **extra)
            break
        except BufferError:
            producer.poll(0.1)  # the local queue is full: let it drain
    producer.poll(0)


def produce_paced(
    producer: Producer,
    topic: str,
    events: Sequence[Event],
    *,
    on_sent: Callable[[str], None],
) -> dict[str, int]:
    """Produce at PACED_RATE on a fixed schedule; return event id -> CreateTime.

    librdkafka's defaults (linger.ms 5) stand for a platform's producer:
    its linger is part of the latency measured.
    """
    sent: dict[str, int] = {}
    started = time.monotonic()
    for index, (event_id, key, value) in enumerate(events):
        # A schedule, not a sleep per event: a late event is sent at once,
        # so the average rate holds whatever the scheduler does.
        delay = started + index / PACED_RATE - time.monotonic()
        if delay > 0.001:
            time.sleep(delay)
        now_ms = time.time_ns() // 1_000_000
        send(producer, topic, key, value, timestamp=now_ms)
        sent[event_id] = now_ms
        on_sent(event_id)
    producer.flush(30)
    return sent


def log_append_topic(settings: Settings) -> NewTopic:
    """The alerts topic, stamped by the broker when it appends a record."""
    topics = settings.topics
    return NewTopic(
        topics.alerts,
        num_partitions=topics.partitions,
        replication_factor=topics.replication_factor,
        config={"message.timestamp.type": "LogAppendTime"},
    )


# --- workers ------------------------------------------------------------------


def start_worker(env: dict[str, str], log_path: Path) -> Worker:
    return start_process(log_path, env=env, cwd=REPO)


def wait_for_screened(logs: Sequence[Path], listings: int) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while sum(batch.listings for batch in read_batches(logs)) < listings:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: workers screened nothing; see {logs[0]}")
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
