"""TLS and SASL/SCRAM: a wrong password is refused, the right one works.

A second broker (``secure_broker.py``) listens on loopback with SASL_SSL
and SCRAM-SHA-512 only, with a certificate made for this run. Every client
the product has is pointed at it through the same ``LW_KAFKA_*`` settings:
confluent-kafka (replay, setup, admin), aiokafka through
:func:`broker_credentials`, and the Faust worker itself. Elasticsearch is
the shared local node, under private aliases.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import aiokafka
import orjson
import pytest
from aiokafka.errors import KafkaConnectionError
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from elasticsearch import NotFoundError
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from listing_watch.config import Settings, load_settings
from listing_watch.pipeline.kafka_security import broker_credentials
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.search.index import FIRST_BACKING_SUFFIX, connect
from tests.integration.lanes import Lane, wait_for
from tests.integration.secure_broker import SecureBroker, start_secure_broker

USER: Final = "alice"
PASSWORD: Final = secrets.token_urlsafe(18)
WRONG_PASSWORD: Final = "not-" + PASSWORD
REFUSAL: Final = "Authentication failed"
SASL_PASSWORD_ENV: Final = "LW_KAFKA_SASL_PASSWORD"


def settings_with(lane: Lane, password: str) -> Settings:
    """The lane's settings, with ``password`` as the SASL password."""
    return load_settings({**os.environ, **lane.env, SASL_PASSWORD_ENV: password})


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    broker = start_secure_broker(
        tmp_path_factory.mktemp("secure-broker"), {USER: PASSWORD}
    )
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def secure_lane(
    stack: Settings,
    secure_broker: SecureBroker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Lane]:
    """Private topics on the secure broker, private aliases on the shared node."""
    prefix = f"s{uuid.uuid4().hex[:8]}"
    env = {
        **secure_broker.client_env(USER, PASSWORD),
        "LW_TOPIC_LISTINGS": f"{prefix}.listings",
        "LW_TOPIC_ALERTS": f"{prefix}.alerts",
        "LW_TOPIC_DEADLETTER": f"{prefix}.deadletter",
        "LW_TOPIC_PARTITIONS": "2",
        "LW_TOPIC_DISPOSITIONS": f"{prefix}.dispositions",
        "LW_TOPIC_ESCALATIONS": f"{prefix}.escalations",
        "LW_TOPIC_LIBRARY": f"{prefix}.library",
        "LW_TOPIC_LIBRARY_AUDIT": f"{prefix}.library-audit",
        "LW_GROUP_ID": f"{prefix}-screen",
        "LW_ES_ALERTS_ALIAS": f"lw-{prefix}-alerts",
        "LW_ES_DISPOSITIONS_ALIAS": f"lw-{prefix}-dispositions",
        "LW_ES_COVERAGE_ALIAS": f"lw-{prefix}-coverage",
        "LW_ES_LIBRARY_AUDIT_ALIAS": f"lw-{prefix}-library-audit",
        "LW_LIBRARY_FOLLOW": "off",
        "LW_WEB_PORT": "0",
        "LW_BATCH_WINDOW_S": "0.1",
    }
    lane = Lane(
        env=env,
        settings=load_settings({**os.environ, **env}),
        log_dir=tmp_path_factory.mktemp("workers"),
    )
    try:
        # Topics are created over TLS and SCRAM, by the operator's command.
        lane.run_cli("setup")
        yield lane
    finally:
        lane.stop_workers()
        drop_aliases(stack, env)


def drop_aliases(stack: Settings, env: dict[str, str]) -> None:
    client = connect(stack.search)
    for name, alias in env.items():
        if name.startswith("LW_ES_") and name.endswith("_ALIAS"):
            client.indices.delete(
                index=f"{alias}{FIRST_BACKING_SUFFIX}", ignore_unavailable=True
            )
            with contextlib.suppress(NotFoundError):
                client.indices.delete_index_template(name=alias)


# --- confluent-kafka: replay, setup and admin ---------------------------------


def test_confluent_producer_with_wrong_password_is_refused(
    secure_lane: Lane,
) -> None:
    errors: list[KafkaError] = []
    settings = settings_with(secure_lane, WRONG_PASSWORD)
    producer = Producer({**settings.kafka, "error_cb": errors.append, "log_level": 0})
    producer.produce(settings.topics.listings, value=b"{}")

    wait_for(
        lambda: producer.poll(0.2) >= 0 and bool(errors), timeout_s=15, what="refusal"
    )

    assert errors[0].code() == KafkaError._AUTHENTICATION
    assert REFUSAL in errors[0].str()
    assert producer.flush(0) == 1  # nothing was accepted
    producer.purge()


def test_confluent_admin_with_wrong_password_cannot_read_metadata(
    secure_lane: Lane,
) -> None:
    settings = settings_with(secure_lane, WRONG_PASSWORD)
    admin = AdminClient({**settings.kafka, "log_level": 0})

    with pytest.raises(KafkaException, match="Failed to get metadata"):
        admin.list_topics(timeout=3)


def test_confluent_admin_with_right_password_sees_the_topics_setup_created(
    secure_lane: Lane,
) -> None:
    settings = secure_lane.settings
    admin = AdminClient(dict(settings.kafka))

    topics = admin.list_topics(timeout=10).topics

    assert settings.topics.listings in topics
    assert settings.topics.alerts in topics


# --- aiokafka through our credentials mapping ---------------------------------


def test_aiokafka_with_wrong_password_is_refused(secure_lane: Lane) -> None:
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        asyncio.run(aiokafka_metadata(settings_with(secure_lane, WRONG_PASSWORD)))


def test_aiokafka_with_right_password_verifies_the_broker_and_connects(
    secure_lane: Lane,
) -> None:
    settings = secure_lane.settings

    topics = asyncio.run(aiokafka_metadata(settings))

    assert settings.topics.listings in topics


async def aiokafka_metadata(settings: Settings) -> set[str]:
    auth = credentials_to_aiokafka_auth(broker_credentials(settings.kafka))
    client = aiokafka.AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, **auth
    )
    try:
        await client.start()
        metadata = await client.client.fetch_all_metadata()
        return set(metadata.topics())
    finally:
        await client.stop()


# --- the product end to end ---------------------------------------------------


def test_worker_with_wrong_password_is_refused_and_never_logs_it(
    secure_lane: Lane,
) -> None:
    worker = secure_lane.start_worker(**{SASL_PASSWORD_ENV: WRONG_PASSWORD})

    # Faust stops the worker when it cannot bootstrap: it never consumes.
    exit_status = worker.wait(timeout=30)

    log = secure_lane.worker_log(secure_lane.workers.index(worker))
    assert exit_status != 0
    assert f"SaslAuthenticationFailed: {REFUSAL}" in log
    assert WRONG_PASSWORD not in log


def test_listing_replayed_over_tls_and_scram_is_screened_into_an_alert(
    secure_lane: Lane, tmp_path: Path
) -> None:
    settings = secure_lane.settings
    listing_id = f"sec-{uuid.uuid4().hex[:8]}"
    listings = tmp_path / "listings.jsonl"
    listings.write_bytes(
        orjson.dumps(
            {
                "platform": "testmall",
                "listing_id": listing_id,
                "title": "七一勋章 复刻版 包邮",
                "observed_at": "2021-06-25T10:00:00+08:00",
            }
        )
        + b"\n"
    )

    replayed = secure_lane.run_cli("replay", str(listings), "--no-progress")
    assert "published=1" in replayed
    index = len(secure_lane.workers)
    worker = secure_lane.start_worker()
    search = connect(settings.search)
    alias = settings.search.alerts_alias

    def alert_indexed() -> bool:
        assert worker.poll() is None, secure_lane.worker_log(index)[-3000:]
        search.indices.refresh(index=alias)
        found = search.search(
            index=alias, query={"term": {"listing.listing_id": listing_id}}
        )
        return bool(found["hits"]["hits"])

    wait_for(alert_indexed, timeout_s=45, what=f"the alert on {listing_id}")
    alerts = list(read_topic(settings, settings.topics.alerts))
    secure_lane.stop_workers()

    alerted = [
        orjson.loads(a.value() or b"{}")["listing"]["listing_id"] for a in alerts
    ]
    assert alerted == [listing_id]
    log = secure_lane.worker_log(index)
    assert f"Authenticated as {USER} via SCRAM-SHA-512" in log
    assert PASSWORD not in log
