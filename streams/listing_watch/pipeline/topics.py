"""Creating the project's topics with explicit settings.

Topics are never auto-created (the local broker forbids it): partitions,
replication and retention are decisions, made here from the settings.
"""

from __future__ import annotations

import logging
from typing import Final

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from listing_watch.config import Settings
from listing_watch.errors import StackError
from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

ADMIN_TIMEOUT_S: Final = 30.0
MAX_RECORD_BYTES: Final = 4 * 1024 * 1024
LIBRDKAFKA_WARNING: Final = 4  # syslog severity, librdkafka's log_level


def admin_client(settings: Settings) -> AdminClient:
    # librdkafka's info-level lines ("Purging unserved events") are noise
    # on an operator's terminal; warnings and errors still show.
    return AdminClient({**settings.kafka, "log_level": LIBRDKAFKA_WARNING})


def project_topics(settings: Settings) -> list[NewTopic]:
    topics = settings.topics
    config = {
        "retention.ms": str(topics.retention_ms),
        "min.insync.replicas": str(topics.min_insync_replicas),
        # An alert or a dead letter carries a whole listing plus context:
        # room above the 1 MB a listing event may have.
        "max.message.bytes": str(MAX_RECORD_BYTES),
    }
    return [
        NewTopic(
            name,
            num_partitions=topics.partitions,
            replication_factor=topics.replication_factor,
            config=config,
        )
        for name in (topics.listings, topics.alerts, topics.deadletter)
    ]


def ensure_topics(settings: Settings) -> list[str]:
    """Create the pipeline's missing topics; return the names created."""
    return create_topics(settings, project_topics(settings))


def create_topics(settings: Settings, topics: list[NewTopic]) -> list[str]:
    """Create the missing ones of ``topics``; existing topics stay as they are."""
    admin = admin_client(settings)
    futures = admin.create_topics(topics, request_timeout=ADMIN_TIMEOUT_S)
    created: list[str] = []
    for name, future in futures.items():
        try:
            future.result(timeout=ADMIN_TIMEOUT_S)
        except KafkaException as error:
            if error.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise StackError(
                f"could not create topic {name} on {settings.bootstrap_servers}: "
                f"{error.args[0].str()}; check that the broker is up (make stack)"
            ) from error
        created.append(name)
        log_event(logger, "topic_created", topic=name)
    return created
