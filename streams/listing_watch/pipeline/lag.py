"""Consumer-group lag: how far the screen is behind the listings topic."""

from __future__ import annotations

from types import TracebackType
from typing import Final

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition

from listing_watch.config import Settings
from listing_watch.pipeline.topics import admin_client

LAG_TIMEOUT_S: Final = 10.0


class LagProbe:
    """Measures a group's lag on a topic, again and again, with one set of clients.

    Tools that poll the lag through a broker restart (the demo, the chaos
    run) keep one probe: creating and destroying clients every second while
    the broker is away leaves requests in flight at destruction, which
    librdkafka has been seen to answer with a crash.
    """

    def __init__(self, settings: Settings, *, group: str, topic: str) -> None:
        self._group = group
        self._topic = topic
        self._admin = admin_client(settings)
        self._consumer = Consumer(
            {
                **settings.kafka,
                "group.id": "listing-watch-lag-probe",
                "enable.auto.commit": False,
            }
        )

    def __enter__(self) -> LagProbe:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._consumer.close()

    def lag(self) -> dict[int, int]:
        """Per partition: end offset minus the group's committed offset.

        A partition the group never committed counts from the start of the log.
        """
        ends = self.end_offsets()
        committed = self.committed_offsets()
        return {
            partition: max(0, end - committed.get(partition, start))
            for partition, (start, end) in ends.items()
        }

    def end_offsets(self) -> dict[int, tuple[int, int]]:
        """(low, high) watermark for every partition of the topic."""
        topic = self._topic
        metadata = self._consumer.list_topics(topic, timeout=LAG_TIMEOUT_S)
        partitions = sorted(metadata.topics[topic].partitions)
        return {
            partition: self._consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=LAG_TIMEOUT_S
            )
            for partition in partitions
        }

    def committed_offsets(self) -> dict[int, int]:
        request = [ConsumerGroupTopicPartitions(self._group)]
        futures = self._admin.list_consumer_group_offsets(
            request, request_timeout=LAG_TIMEOUT_S
        )
        result = futures[self._group].result(timeout=LAG_TIMEOUT_S)
        return {
            tp.partition: tp.offset
            for tp in result.topic_partitions
            if tp.topic == self._topic and tp.offset >= 0
        }


def partition_lag(settings: Settings, *, group: str, topic: str) -> dict[int, int]:
    """One lag reading (see :class:`LagProbe` for repeated ones)."""
    with LagProbe(settings, group=group, topic=topic) as probe:
        return probe.lag()


def end_offsets(settings: Settings, topic: str) -> dict[int, tuple[int, int]]:
    """(low, high) watermark for every partition of ``topic``."""
    with LagProbe(settings, group="", topic=topic) as probe:
        return probe.end_offsets()


def committed_offsets(settings: Settings, *, group: str, topic: str) -> dict[int, int]:
    with LagProbe(settings, group=group, topic=topic) as probe:
        return probe.committed_offsets()
