"""Consumer-group lag: how far the screen is behind the listings topic."""

from __future__ import annotations

from typing import Final

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition

from listing_watch.config import Settings
from listing_watch.pipeline.topics import admin_client

LAG_TIMEOUT_S: Final = 10.0


def partition_lag(settings: Settings, *, group: str, topic: str) -> dict[int, int]:
    """Per partition: end offset minus the group's committed offset.

    A partition the group never committed counts from the start of the log.
    """
    ends = end_offsets(settings, topic)
    committed = committed_offsets(settings, group=group, topic=topic)
    return {
        partition: max(0, end - committed.get(partition, start))
        for partition, (start, end) in ends.items()
    }


def end_offsets(settings: Settings, topic: str) -> dict[int, tuple[int, int]]:
    """(low, high) watermark for every partition of ``topic``."""
    consumer = Consumer(
        {
            **settings.kafka,
            "group.id": "listing-watch-lag-probe",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=LAG_TIMEOUT_S)
        partitions = sorted(metadata.topics[topic].partitions)
        return {
            partition: consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=LAG_TIMEOUT_S
            )
            for partition in partitions
        }
    finally:
        consumer.close()


def committed_offsets(settings: Settings, *, group: str, topic: str) -> dict[int, int]:
    admin = admin_client(settings)
    request = [ConsumerGroupTopicPartitions(group)]
    futures = admin.list_consumer_group_offsets(request, request_timeout=LAG_TIMEOUT_S)
    result = futures[group].result(timeout=LAG_TIMEOUT_S)
    return {
        tp.partition: tp.offset
        for tp in result.topic_partitions
        if tp.topic == topic and tp.offset >= 0
    }
