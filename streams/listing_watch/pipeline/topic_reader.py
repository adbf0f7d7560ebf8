"""Reading a topic from given offsets up to its end as of now.

The recovery tools (dead-letter list, re-drive, reindex) and the demo need
"everything on this topic", not a subscription: they assign partitions
directly, read to the high watermark taken at the start, and stop. No
consumer group offsets are committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Final

from confluent_kafka import Consumer, Message, TopicPartition

from listing_watch.config import Settings
from listing_watch.pipeline.lag import end_offsets

# A poll that returns nothing for this long means the broker has no more
# of what we asked for (or is gone: the caller sees a short read).
IDLE_TIMEOUT_S: Final = 10.0


def read_topic(
    settings: Settings,
    topic: str,
    *,
    start: Mapping[int, int] | None = None,
) -> Iterator[Message]:
    """Yield every record of ``topic`` from ``start`` (default: the beginning)."""
    ends = end_offsets(settings, topic)
    first = {
        partition: max(low, (start or {}).get(partition, low))
        for partition, (low, _) in ends.items()
    }
    remaining = {
        partition: high
        for partition, (_, high) in ends.items()
        if high > first[partition]
    }
    if not remaining:
        return

    consumer = Consumer(
        {
            **settings.kafka,
            "group.id": f"listing-watch-reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.assign(
            [
                TopicPartition(topic, partition, first[partition])
                for partition in remaining
            ]
        )
        yield from _until_ends(consumer, remaining)
    finally:
        consumer.close()


def _until_ends(consumer: Consumer, remaining: dict[int, int]) -> Iterator[Message]:
    while remaining:
        message = consumer.poll(IDLE_TIMEOUT_S)
        if message is None:
            return
        if message.error():
            continue
        partition, offset = position(message)
        end = remaining.get(partition)
        if end is None or offset >= end:
            continue
        yield message
        if offset + 1 >= end:
            del remaining[partition]


def position(message: Message) -> tuple[int, int]:
    """Partition and offset of a consumed (hence positioned) record."""
    partition, offset = message.partition(), message.offset()
    if partition is None or offset is None:
        raise ValueError("a consumed record always has a partition and an offset")
    return partition, offset
