"""The library topic: every published version, compacted, keyed by version.

One partition, so every follower sees versions in publication order.
Compaction keeps the newest record per key; keys are version strings
(``7+1a2b3c4d``), never one fixed key, so compaction keeps the whole
history (docs/conventions.md) and ``library history`` can list it.
"""

from __future__ import annotations

import logging
from typing import Final

from confluent_kafka import KafkaError, Message, Producer
from confluent_kafka.cimpl import NewTopic

from listing_watch.config import Settings
from listing_watch.errors import DeliveryError, LibraryError
from listing_watch.library.versions import PublishedVersion, decode_version
from listing_watch.logs import log_event
from listing_watch.pipeline.library_settings import LibrarySettings
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.pipeline.topics import create_topics

logger = logging.getLogger(__name__)

FLUSH_TIMEOUT_S: Final = 30.0


def ensure_library_topics(settings: Settings, library: LibrarySettings) -> list[str]:
    """Create the library topic (compacted) and the audit topic if missing."""
    topics = settings.topics
    kept = {
        "retention.ms": "-1",
        "min.insync.replicas": str(topics.min_insync_replicas),
    }
    new = [
        NewTopic(
            library.topic,
            num_partitions=1,
            replication_factor=topics.replication_factor,
            config={**kept, "cleanup.policy": "compact"},
        ),
        NewTopic(
            library.audit_topic,
            num_partitions=1,
            replication_factor=topics.replication_factor,
            config=kept,
        ),
    ]
    return create_topics(settings, new)


def library_producer(settings: Settings) -> Producer:
    """An idempotent producer that waits for every in-sync replica."""
    return Producer({**settings.kafka, "enable.idempotence": True, "acks": "all"})


def send_record(producer: Producer, topic: str, key: str, value: bytes) -> int:
    """Produce one record and wait for the broker; return its offset."""
    delivered: list[Message] = []
    failures: list[KafkaError] = []

    def on_delivery(error: KafkaError | None, message: Message) -> None:
        if error is not None:
            failures.append(error)
        else:
            delivered.append(message)

    producer.produce(
        topic, key=key.encode("utf-8"), value=value, on_delivery=on_delivery
    )
    producer.flush(FLUSH_TIMEOUT_S)
    if failures or not delivered:
        reason = failures[0].str() if failures else "no acknowledgement in time"
        raise DeliveryError(
            f"could not publish to {topic}: {reason}; "
            "check the broker and run 'listing-watch setup'"
        )
    return _offset(delivered[0])


def publish_version(
    settings: Settings, library: LibrarySettings, version: PublishedVersion
) -> int:
    """Send ``version`` to the library topic; return its offset."""
    producer = library_producer(settings)
    offset = send_record(producer, library.topic, version.version, version.encode())
    log_event(
        logger,
        "library_published",
        topic=library.topic,
        offset=offset,
        library_version=version.version,
        previous=version.previous,
        action=version.action,
        author=version.author,
        terms_added=len(version.diff.terms_added),
        terms_removed=len(version.diff.terms_removed),
    )
    return offset


def read_versions(
    settings: Settings, library: LibrarySettings
) -> list[PublishedVersion]:
    """Every version on the library topic, in publication order."""
    return [
        version
        for message in read_topic(settings, library.topic)
        if (version := decode_message(message)) is not None
    ]


def decode_message(message: Message) -> PublishedVersion | None:
    """The version a record holds, or ``None`` (logged) when unreadable."""
    offset = _offset(message)
    value = message.value()
    if value is None:  # a tombstone: compaction will remove the key
        return None
    try:
        return decode_version(value, offset=offset)
    except LibraryError as error:
        log_event(
            logger,
            "library_record_unreadable",
            level=logging.WARNING,
            offset=offset,
            reason=error.reason,
            action="skipped; the version in force stays",
        )
        return None


def _offset(message: Message) -> int:
    offset = message.offset()
    # A delivered or consumed record always has one; -1 only for safety.
    return -1 if offset is None else offset
