"""Replay: publish listings from JSON Lines files as new-listing events.

Accepts the formats in ``shared/data`` (gzip or plain JSON Lines, one
listing a line). Ids are stable, so replaying a file twice publishes the
same events again and the screen produces the same alerts:

* ``event_id``: a hash of the file name, the line number and the line;
* ``listing_id``: the record's ``listing_id`` or ``id``, else
  ``<file stem>-<line number>``.

Labels of evaluation files (``label``, ``why``, ``meta``) are not listing
fields and are never published: the screen must not see the answer.
A record without ``observed_at`` gets the replay's start time.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, cast

import orjson
from confluent_kafka import KafkaError, Message, Producer
from tqdm import tqdm

from listing_watch.config import Settings
from listing_watch.errors import DeliveryError, EventError
from listing_watch.events import validate_event
from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

# Fields of evaluation files that describe the expected verdict.
ANSWER_FIELDS: Final = frozenset({"label", "why", "meta"})

PRODUCER_DEFAULTS: Final = {
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 20,
    "compression.type": "lz4",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayReport:
    published: int
    skipped: int
    files: int
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedLine:
    path: Path
    line: int
    reason: str


def open_lines(path: Path) -> BinaryIO:
    if path.suffix == ".gz":
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def listing_events(
    path: Path, *, observed_at: datetime
) -> Iterator[dict[str, Any] | SkippedLine]:
    """Events for each line of ``path``, or why a line cannot be one."""
    with open_lines(path) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
                event = event_from_record(
                    record,
                    path=path,
                    line_number=number,
                    line=line,
                    observed_at=observed_at,
                )
                validate_event(event)
            except (orjson.JSONDecodeError, EventError, TypeError) as error:
                yield SkippedLine(path=path, line=number, reason=str(error))
                continue
            yield event


def event_from_record(
    record: Mapping[str, Any],
    *,
    path: Path,
    line_number: int,
    line: bytes,
    observed_at: datetime,
) -> dict[str, Any]:
    """Turn one source record into a listing event with stable ids."""
    if not isinstance(record, Mapping):
        raise TypeError(f"line is a JSON {type(record).__name__}, expected an object")
    event = {
        name: value
        for name, value in record.items()
        if name not in ANSWER_FIELDS and value is not None
    }
    source_id = record.get("listing_id") or record.get("id")
    stem = path.name.split(".")[0]
    event["listing_id"] = str(source_id) if source_id else f"{stem}-{line_number}"
    event.pop("id", None)
    event["event_id"] = stable_event_id(path.name, line_number, line)
    event.setdefault("platform", "unknown")
    event.setdefault("observed_at", observed_at.isoformat())
    if record.get("listing_kind") == "second-hand":
        event.setdefault("platform_type", "secondhand")
    _drop_empty_optionals(event)
    return event


def _drop_empty_optionals(event: dict[str, Any]) -> None:
    # Source files write "" for a missing region or shop; the contract wants
    # such fields absent rather than empty (an empty region is not a code).
    for name in ("seller_region", "shop_id", "seller_id", "platform_type", "url"):
        if event.get(name) == "":
            del event[name]


def stable_event_id(file_name: str, line_number: int, line: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{file_name}\n{line_number}\n".encode())
    digest.update(line)
    return digest.hexdigest()[:32]


def replay(
    paths: list[Path],
    settings: Settings,
    *,
    observed_at: datetime,
    progress: bool = True,
) -> tuple[ReplayReport, list[SkippedLine]]:
    """Publish every line of ``paths``; return once the broker has them all."""
    started = time.monotonic()
    producer = Producer({**PRODUCER_DEFAULTS, **settings.kafka})
    failures: list[KafkaError] = []
    skipped: list[SkippedLine] = []
    published = 0

    def on_delivery(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            failures.append(error)

    bar = tqdm(unit=" listings", disable=not progress, desc="replay")
    for path in paths:
        for event in listing_events(path, observed_at=observed_at):
            if isinstance(event, SkippedLine):
                skipped.append(event)
                continue
            _produce(producer, settings.topics.listings, event, on_delivery)
            published += 1
            bar.update()
    bar.close()

    remaining = producer.flush(timeout=60)
    if remaining or failures:
        first = failures[0].str() if failures else f"{remaining} still queued"
        raise DeliveryError(
            f"{len(failures) + remaining} listings not acknowledged by "
            f"{settings.bootstrap_servers} ({first}); replay again: ids are stable",
        )

    report = ReplayReport(
        published=published,
        skipped=len(skipped),
        files=len(paths),
        seconds=time.monotonic() - started,
    )
    log_event(logger, "replay_done", published=published, skipped=len(skipped))
    return report, skipped


def _produce(
    producer: Producer, topic: str, event: Mapping[str, Any], on_delivery: Any
) -> None:
    key = f"{event['platform']}:{event['listing_id']}".encode()
    value = orjson.dumps(event)
    while True:
        try:
            producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
            break
        except BufferError:
            # The local queue is full: serve delivery reports to make room.
            producer.poll(0.5)
    producer.poll(0)
