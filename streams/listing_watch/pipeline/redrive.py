"""Inspecting and re-driving dead letters.

A dead letter is addressed by its own position on the dead-letter topic,
``PARTITION@OFFSET``. Re-driving publishes the original key and value,
untouched, back to the listings topic with the dead letter's context
headers kept and ``lw.redrive.from`` added, so the second attempt can be
traced to the first. Re-drive after the fix (a template change, a new
worker release): an unchanged cause sends the record straight back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from confluent_kafka import KafkaError, Message, Producer

from listing_watch.config import Settings
from listing_watch.errors import ConfigError, DeliveryError
from listing_watch.pipeline.deadletter import header_map
from listing_watch.pipeline.topic_reader import position, read_topic

REDRIVE_HEADER = "lw.redrive.from"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetterEntry:
    """One record of the dead-letter topic, with its context decoded."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes
    context: dict[str, str]
    headers: list[tuple[str, bytes]]

    @property
    def address(self) -> str:
        return f"{self.partition}@{self.offset}"

    @property
    def reason(self) -> str:
        return self.context.get("reason", "unknown")


def parse_address(text: str) -> tuple[int, int]:
    """``"2@41"`` -> (2, 41); anything else is a clear error."""
    partition, separator, offset = text.partition("@")
    if not separator or not partition.isdigit() or not offset.isdigit():
        raise ConfigError(f"{text!r} is not a dead-letter address PARTITION@OFFSET")
    return int(partition), int(offset)


def dead_letters(settings: Settings) -> Iterator[DeadLetterEntry]:
    for message in read_topic(settings, settings.topics.deadletter):
        yield _entry(message)


def _entry(message: Message) -> DeadLetterEntry:
    headers = [_as_bytes_header(header) for header in message.headers() or []]
    partition, offset = position(message)
    return DeadLetterEntry(
        partition=partition,
        offset=offset,
        key=message.key(),
        value=message.value() or b"",
        context=header_map(headers),
        headers=headers,
    )


def _as_bytes_header(header: Sequence[str | bytes | None]) -> tuple[str, bytes]:
    name, value = str(header[0]), header[1]
    if isinstance(value, bytes):
        return name, value
    return name, (value or "").encode("utf-8")


def select(
    entries: Iterable[DeadLetterEntry],
    *,
    reason: str | None = None,
    addresses: Iterable[str] = (),
) -> list[DeadLetterEntry]:
    wanted = {parse_address(address) for address in addresses}
    return [
        entry
        for entry in entries
        if (reason is None or entry.reason == reason)
        and (not wanted or (entry.partition, entry.offset) in wanted)
    ]


def redrive(settings: Settings, entries: list[DeadLetterEntry]) -> int:
    """Publish the entries to the listings topic; return how many."""
    producer = Producer({"enable.idempotence": True, **settings.kafka})
    failures: list[KafkaError] = []

    def on_delivery(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            failures.append(error)

    for entry in entries:
        headers: list[tuple[str, str | bytes | None]] = [
            *entry.headers,
            (REDRIVE_HEADER, f"{settings.topics.deadletter}[{entry.address}]".encode()),
        ]
        producer.produce(
            settings.topics.listings,
            key=entry.key,
            value=entry.value,
            headers=headers,
            on_delivery=on_delivery,
        )
        producer.poll(0)
    remaining = producer.flush(60)
    if remaining or failures:
        raise DeliveryError(
            f"{remaining + len(failures)} of {len(entries)} re-driven records were "
            f"not acknowledged by {settings.bootstrap_servers}; run the re-drive again "
            "(duplicates are harmless: alert ids are stable)"
        )
    return len(entries)
