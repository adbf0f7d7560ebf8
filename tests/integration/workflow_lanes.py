"""A workflow lane: private dispositions/coverage aliases and topics."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient
from elasticsearch import Elasticsearch, helpers

from listing_watch.search.index import FIRST_BACKING_SUFFIX
from listing_watch.workflow.indices import (
    ensure_workflow_indices,
    ensure_workflow_topics,
)
from listing_watch.workflow.settings import WorkflowSettings
from listing_watch.workflow.store import DispositionStore
from tests.integration.lanes import Lane


@dataclass
class WorkflowLane:
    lane: Lane
    workflow: WorkflowSettings

    @property
    def es(self) -> Elasticsearch:
        return self.lane.es

    @property
    def env(self) -> dict[str, str]:
        return {
            **self.lane.env,
            "LW_UNIT": self.workflow.unit,
            "LW_TOPIC_DISPOSITIONS": self.workflow.dispositions_topic,
            "LW_TOPIC_ESCALATIONS": self.workflow.escalations_topic,
            "LW_ES_DISPOSITIONS_ALIAS": self.workflow.dispositions_alias,
            "LW_ES_COVERAGE_ALIAS": self.workflow.coverage_alias,
        }

    def store(self) -> DispositionStore:
        return DispositionStore(
            es=self.es, settings=self.lane.settings, workflow=self.workflow
        )

    def index_alerts(self, documents: Iterable[dict[str, Any]]) -> None:
        alias = self.lane.settings.search.alerts_alias
        actions = [
            {"_index": alias, "_id": doc["alert_id"], "_source": doc}
            for doc in documents
        ]
        helpers.bulk(self.es, actions, refresh="wait_for")

    def index_coverage(self, documents: Iterable[tuple[str, dict[str, Any]]]) -> None:
        actions = [
            {"_index": self.workflow.coverage_alias, "_id": doc_id, "_source": doc}
            for doc_id, doc in documents
        ]
        helpers.bulk(self.es, actions, refresh="wait_for")


@pytest.fixture
def workflow_lane(lane: Lane) -> Iterator[WorkflowLane]:
    prefix = lane.settings.topics.listings.removesuffix(".listings")
    workflow = WorkflowSettings(
        unit="420100",
        dispositions_topic=f"{prefix}.dispositions",
        escalations_topic=f"{prefix}.escalations",
        dispositions_alias=f"lw-{prefix}-dispositions",
        coverage_alias=f"lw-{prefix}-coverage",
    )
    ensure_workflow_topics(lane.settings, workflow)
    ensure_workflow_indices(
        lane.es, workflow, alerts_alias=lane.settings.search.alerts_alias
    )
    try:
        yield WorkflowLane(lane, workflow)
    finally:
        _drop(lane, workflow)


def _drop(lane: Lane, workflow: WorkflowSettings) -> None:
    admin = AdminClient(dict(lane.settings.kafka))
    topics = [workflow.dispositions_topic, workflow.escalations_topic]
    for future in admin.delete_topics(topics, request_timeout=30).values():
        future.result(timeout=30)
    for alias in (workflow.dispositions_alias, workflow.coverage_alias):
        lane.es.indices.delete(
            index=f"{alias}{FIRST_BACKING_SUFFIX}", ignore_unavailable=True
        )
        lane.es.indices.delete_index_template(name=alias)
