"""Retro-hunt: screen listings already on the topic with a new library version.

A term added at noon should find the listings that went up at nine. The
run reads the listings topic from ``since`` (by timestamp) to its end as
of the start, screens every listing version with the previous and the new
version, and for each one decides (:func:`decide`):

- **raise** when the new verdict alerts and is worse than *before*, where
  before is the worse of the previous version's verdict and any alert
  already in the index for that listing version (same alert id);
- **review** when an alert exists but the new version would clear it: the
  alert is never withdrawn, only marked ``review`` for an investigator;
- otherwise nothing.

No listing version is alerted twice: versions are deduplicated by alert
id within a run, and the index is asked before raising, so a second run
finds the first run's alerts and skips them. A raised alert keeps the
alert id scheme of the live screen and carries
``retrohunt: {found_by, previous_version, new_version, ...}``; in the index
it is written as a partial update (upsert), so an investigator's
disposition on an existing alert stays.

Shortcoming (#6): the index check races with the live screen. A listing
the live worker has consumed but not yet indexed can be raised by both
(same alert id: the document is overwritten, the alerts topic holds two
records, which consumers deduplicate by alert id as for replays).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import orjson
from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from elasticsearch import Elasticsearch

from listing_watch.config import Settings
from listing_watch.errors import ConfigError, DeliveryError, EventError
from listing_watch.events import decode_listing, parse_observed_at
from listing_watch.listing import Listing
from listing_watch.logs import log_event
from listing_watch.pipeline.alerts import Alert, alert_id_for, build_alert
from listing_watch.pipeline.lag import end_offsets
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.screening import ListingText, Verdict, screen_many
from listing_watch.screening.model import CompiledLibrary

logger = logging.getLogger(__name__)

CHUNK: Final = 500
FLUSH_TIMEOUT_S: Final = 30.0
RISK_RANK: Final = {"none": 0, "medium": 1, "high": 2}
FOUND_BY: Final = "retrohunt"

Decision = Literal["raise", "upgrade", "review", "skip_existing", "none"]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Existing:
    """What the index already holds for one alert id."""

    risk: str
    reviewed_by: str | None = None


@dataclass(slots=True, kw_only=True)
class RetrohuntSummary:
    """What one run did; also the audit event's ``retrohunt`` fields."""

    run_id: str
    previous_version: str
    new_version: str
    since: str
    listings: int = 0
    raised: int = 0
    upgraded: int = 0
    marked_for_review: int = 0
    skipped_existing: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    raised_ids: list[str] = field(default_factory=list)

    def to_event(self) -> dict[str, Any]:
        fields = asdict(self)
        fields.pop("raised_ids")
        return fields


def decide(
    new: Verdict, previous: Verdict, existing: Existing | None, *, new_version: str
) -> Decision:
    """What a retro-hunt does with one listing version (see module doc)."""
    before = RISK_RANK[previous.risk] if previous.alert else 0
    if existing is not None:
        before = max(before, RISK_RANK.get(existing.risk, 0))
    if new.alert and RISK_RANK[new.risk] > before:
        return "upgrade" if existing is not None or previous.alert else "raise"
    if existing is not None and not new.alert:
        return "none" if existing.reviewed_by == new_version else "review"
    if existing is not None and new.alert:
        return "skip_existing"
    return "none"


def parse_since(text: str, *, now: datetime) -> datetime:
    """``72h``, ``30m``, ``2d`` before ``now``, or an RFC 3339 time or date.

    A date or time without an offset is read in Asia/Shanghai, like an
    event's observed time.
    """
    units = {"m": "minutes", "h": "hours", "d": "days"}
    unit = text[-1:].lower()
    if unit in units and text[:-1].isdigit():
        return now - timedelta(**{units[unit]: int(text[:-1])})
    try:
        return parse_observed_at(text)
    except EventError:
        raise ConfigError(
            f"--since {text!r}: expected 72h, 30m, 2d or an RFC 3339 time"
        ) from None


class Retrohunt:
    """One run: read, screen twice, decide, deliver, at a bounded rate."""

    def __init__(
        self,
        settings: Settings,
        *,
        new: CompiledLibrary,
        previous: CompiledLibrary,
        since: datetime,
        rate: float,
        progress: Progress | None = None,
    ) -> None:
        self._settings = settings
        self._new = new
        self._previous = previous
        self._since = since
        self._rate = rate
        self._progress = progress or _no_progress
        self._search: Elasticsearch | None = None
        self._producer: Producer | None = None
        self._seen: set[str] = set()
        self.summary = RetrohuntSummary(
            run_id=uuid.uuid4().hex[:16],
            previous_version=previous.version,
            new_version=new.version,
            since=since.isoformat(),
        )

    def run(self, search: Elasticsearch) -> RetrohuntSummary:
        self._search = search
        self._producer = Producer(
            {**self._settings.kafka, "enable.idempotence": True, "acks": "all"}
        )
        started = time.monotonic()
        start, total = start_offsets(self._settings, self._since)
        log_event(logger, "retrohunt_started", **self._log_fields(), total=total)

        done = 0
        for chunk in _chunks(read_topic(self._settings, self._topic, start=start)):
            self._hunt(chunk)
            done += len(chunk)
            self._progress(done, total)
            self._pace(done, started)

        summary = self.summary
        summary.seconds = round(time.monotonic() - started, 3)
        summary.rate = round(done / summary.seconds, 1) if summary.seconds else 0.0
        log_event(logger, "retrohunt_finished", **summary.to_event())
        return summary

    @property
    def _topic(self) -> str:
        return self._settings.topics.listings

    def _log_fields(self) -> dict[str, Any]:
        return {
            "run_id": self.summary.run_id,
            "previous_version": self.summary.previous_version,
            "new_version": self.summary.new_version,
            "since": self.summary.since,
        }

    # --- steps -----------------------------------------------------------

    def _hunt(self, chunk: Sequence[Message]) -> None:
        listings = self._new_listing_versions(chunk)
        if not listings:
            return
        texts = [ListingText.from_listing(listing) for listing in listings]
        new = screen_many(texts, self._new)
        previous = screen_many(texts, self._previous)
        existing = self._existing([alert_id_for(listing) for listing in listings])

        raised: list[Alert] = []
        reviews: list[str] = []
        for listing, verdict, before in zip(listings, new, previous, strict=True):
            alert_id = alert_id_for(listing)
            decision = decide(
                verdict,
                before,
                existing.get(alert_id),
                new_version=self._new.version,
            )
            if decision in ("raise", "upgrade"):
                raised.append(self._alert(listing, verdict, before, decision))
            elif decision == "review":
                reviews.append(alert_id)
            self._count(decision)

        self._deliver(raised, reviews)

    def _new_listing_versions(self, chunk: Sequence[Message]) -> list[Listing]:
        listings = new_listing_versions(chunk, self._seen)
        self.summary.listings += len(listings)
        return listings

    def _existing(self, alert_ids: Sequence[str]) -> dict[str, Existing]:
        assert self._search is not None
        alias = self._settings.search.alerts_alias
        self._search.indices.refresh(index=alias)
        response = self._search.search(
            index=alias,
            query={"ids": {"values": list(alert_ids)}},
            size=len(alert_ids),
            source_includes=["alert_id", "risk", "review"],
        )
        found: dict[str, Existing] = {}
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            review = source.get("review") or {}
            found[hit["_id"]] = Existing(
                risk=str(source.get("risk", "none")),
                reviewed_by=review.get("new_version"),
            )
        return found

    def _alert(
        self, listing: Listing, verdict: Verdict, before: Verdict, decision: str
    ) -> Alert:
        alert = build_alert(listing, verdict, alerted_at=datetime.now(UTC))
        document = {
            **alert.document,
            "retrohunt": {
                "found_by": FOUND_BY,
                "run_id": self.summary.run_id,
                "previous_version": self._previous.version,
                "new_version": self._new.version,
                "previous_risk": before.risk,
                "decision": decision,
            },
        }
        return Alert(alert_id=alert.alert_id, key=alert.key, document=document)

    def _count(self, decision: Decision) -> None:
        summary = self.summary
        if decision == "raise":
            summary.raised += 1
        elif decision == "upgrade":
            summary.upgraded += 1
        elif decision == "review":
            summary.marked_for_review += 1
        elif decision == "skip_existing":
            summary.skipped_existing += 1

    def _deliver(self, raised: Sequence[Alert], reviews: Sequence[str]) -> None:
        """Alerts to the topic first, then the index, like the live screen."""
        self._publish(raised)
        actions: list[Mapping[str, Any]] = []
        for alert in raised:
            actions.append({"update": {"_id": alert.alert_id}})
            actions.append({"doc": alert.document, "doc_as_upsert": True})
        marked = {
            "review": {
                "reason": "cleared_by_new_version",
                "run_id": self.summary.run_id,
                "previous_version": self._previous.version,
                "new_version": self._new.version,
                "marked_at": datetime.now(UTC).isoformat(),
            }
        }
        for alert_id in reviews:
            actions.append({"update": {"_id": alert_id}})
            actions.append({"doc": marked})
        if actions:
            self._bulk(actions)
        self.summary.raised_ids.extend(alert.alert_id for alert in raised)

    def _publish(self, alerts: Sequence[Alert]) -> None:
        assert self._producer is not None
        failures: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _: Message) -> None:
            if error is not None:
                failures.append(error)

        for alert in alerts:
            self._producer.produce(
                self._settings.topics.alerts,
                key=alert.key.encode("utf-8"),
                value=alert.value_bytes(),
                on_delivery=on_delivery,
            )
        remaining = self._producer.flush(FLUSH_TIMEOUT_S)
        if failures or remaining:
            raise DeliveryError(
                f"retro-hunt could not publish {len(failures) or remaining} alerts "
                f"to {self._settings.topics.alerts}; check the broker and run again "
                "(alerts already raised are found in the index and skipped)"
            )

    def _bulk(self, actions: Sequence[Mapping[str, Any]]) -> None:
        assert self._search is not None
        alias = self._settings.search.alerts_alias
        response = self._search.bulk(index=alias, operations=list(actions))
        if response.get("errors"):
            failed = [
                item["update"]
                for item in response["items"]
                if item["update"].get("status", 200) >= 300
            ]
            raise DeliveryError(
                f"retro-hunt: Elasticsearch refused {len(failed)} updates in "
                f"{alias}, first: {orjson.dumps(failed[0]).decode()[:300]}; "
                "fix the cause and run again (raised alerts are skipped)"
            )

    def _pace(self, done: int, started: float) -> None:
        # Hold the run to ``rate`` listings per second so the live screen
        # keeps its share of the cores.
        ahead = done / self._rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)


def start_offsets(settings: Settings, since: datetime) -> tuple[dict[int, int], int]:
    """First offset at or after ``since`` per partition, and how many follow."""
    topic = settings.topics.listings
    ends = end_offsets(settings, topic)
    moment_ms = int(since.timestamp() * 1000)
    consumer = Consumer({**settings.kafka, "group.id": "listing-watch-retrohunt-probe"})
    try:
        found = consumer.offsets_for_times(
            [TopicPartition(topic, p, moment_ms) for p in ends], timeout=10
        )
    finally:
        consumer.close()
    start = {
        tp.partition: tp.offset if tp.offset >= 0 else ends[tp.partition][1]
        for tp in found
    }
    return start, sum(max(0, ends[p][1] - start[p]) for p in ends)


def listing_chunks(settings: Settings, since: datetime) -> Iterator[list[Message]]:
    """The listings topic from ``since`` to its end as of now, in chunks."""
    start, _ = start_offsets(settings, since)
    return _chunks(read_topic(settings, settings.topics.listings, start=start))


def new_listing_versions(chunk: Sequence[Message], seen: set[str]) -> list[Listing]:
    """The decodable listing versions of ``chunk`` whose alert id is not in
    ``seen`` (added to it): each listing version once, however often sent."""
    listings: list[Listing] = []
    for message in chunk:
        value = message.value()
        if value is None:
            continue
        try:
            listing = decode_listing(value)
        except EventError:
            continue  # the live screen dead-lettered it already
        alert_id = alert_id_for(listing)
        if alert_id not in seen:
            seen.add(alert_id)
            listings.append(listing)
    return listings


def _chunks(messages: Iterator[Message]) -> Iterator[list[Message]]:
    chunk: list[Message] = []
    for message in messages:
        chunk.append(message)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _no_progress(done: int, total: int) -> None:
    return None


def summary_json(summary: RetrohuntSummary) -> bytes:
    return orjson.dumps(summary.to_event())
