"""Fixtures for tests against the real local stack (deploy/local).

``make test`` starts Kafka and Elasticsearch once for the whole run; each
test gets its own lane (see ``lanes.py``) and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from listing_watch.config import Settings, load_settings
from listing_watch.pipeline.topics import ensure_topics
from listing_watch.search.index import connect, ensure_alerts_index
from tests.integration.lanes import Lane, drop_lane


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Settings:
    """The running local stack; fails (never skips) when it is not up."""
    settings = load_settings()
    try:
        AdminClient(dict(settings.kafka)).list_topics(timeout=10)
        connect(settings.search).cluster.health(wait_for_status="yellow", timeout="10s")
    except Exception as error:
        pytest.fail(f"local stack not reachable ({error}); start it with 'make stack'")
    return settings


@pytest.fixture
def lane(stack: Settings, tmp_path: Path) -> Iterator[Lane]:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    env = {
        "LW_TOPIC_LISTINGS": f"{prefix}.listings",
        "LW_TOPIC_ALERTS": f"{prefix}.alerts",
        "LW_TOPIC_DEADLETTER": f"{prefix}.deadletter",
        "LW_TOPIC_PARTITIONS": "3",
        "LW_GROUP_ID": f"{prefix}-screen",
        "LW_ES_ALERTS_ALIAS": f"lw-{prefix}-alerts",
        "LW_WEB_PORT": "0",
        "LW_BATCH_WINDOW_S": "0.1",
    }
    settings = load_settings({**os.environ, **env})
    ensure_topics(settings)
    ensure_alerts_index(connect(settings.search), settings.search)
    test_lane = Lane(env=env, settings=settings, log_dir=tmp_path)
    try:
        yield test_lane
    finally:
        test_lane.stop_workers()
        drop_lane(settings)
