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
from listing_watch.provision import drop_isolated, provision
from listing_watch.search.index import connect
from tests.integration.lanes import Lane, lane_env


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
    env = lane_env(prefix)
    settings = load_settings({**os.environ, **env})
    provision(settings, env)
    test_lane = Lane(env=env, settings=settings, log_dir=tmp_path)
    try:
        yield test_lane
    finally:
        test_lane.stop_workers()
        drop_isolated(settings, env)
