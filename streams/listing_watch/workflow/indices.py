"""The workflow's indices (dispositions, coverage) and its topics.

Like the alerts index: a composable template from ``schemas/`` owns the
mapping, writes go to an alias whose first backing index is ``-000001``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Final

# The stubs do not re-export NewTopic, although the module does.
from confluent_kafka.cimpl import NewTopic
from elasticsearch import Elasticsearch, NotFoundError

from listing_watch.config import Settings
from listing_watch.errors import StackError
from listing_watch.pipeline.topics import create_topics
from listing_watch.search.index import TEMPLATE_FILE as ALERTS_TEMPLATE
from listing_watch.search.index import ensure_index
from listing_watch.workflow.settings import WorkflowSettings

logger = logging.getLogger(__name__)

DISPOSITIONS_TEMPLATE: Final = "dispositions-index-template.json"
COVERAGE_TEMPLATE: Final = "coverage-index-template.json"
ADMIN_TIMEOUT_S: Final = 30.0
PAGE: Final = 1000


def ensure_workflow_indices(
    client: Elasticsearch, workflow: WorkflowSettings, *, alerts_alias: str
) -> None:
    """Install both templates and create each alias when missing.

    :func:`ensure_index` also adds new template fields (``amount_fen``,
    ``disposition``, ``routing``, ...) to backing indices made before them;
    the alerts alias is ensured again for callers that skip ``setup``.
    """
    ensure_index(client, workflow.dispositions_alias, DISPOSITIONS_TEMPLATE)
    ensure_index(client, workflow.coverage_alias, COVERAGE_TEMPLATE)
    ensure_index(client, alerts_alias, ALERTS_TEMPLATE)


def missing_fields(
    client: Elasticsearch, alias: str, document: dict[str, Any]
) -> list[str]:
    """Top-level fields of ``document`` that an index behind ``alias`` does
    not map; a strict mapping would refuse the document."""
    mappings = client.indices.get_mapping(index=alias)
    missing: set[str] = set()
    for index in mappings.values():
        properties = index["mappings"].get("properties", {})
        missing.update(name for name in document if name not in properties)
    return sorted(missing)


def ensure_workflow_topics(settings: Settings, workflow: WorkflowSettings) -> list[str]:
    """Create the dispositions and escalations topics when missing."""
    topics = settings.topics
    config = {
        "retention.ms": "-1",  # dispositions are the case record: keep them
        "min.insync.replicas": str(topics.min_insync_replicas),
    }
    new = [
        NewTopic(
            name,
            num_partitions=topics.partitions,
            replication_factor=topics.replication_factor,
            config=config,
        )
        for name in (workflow.dispositions_topic, workflow.escalations_topic)
    ]
    return create_topics(settings, new)


def scan_sources(
    es: Elasticsearch,
    index: str,
    query: dict[str, Any],
    sort: list[dict[str, str]],
    fields: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching document's source, in ``sort`` order (search_after).

    ``sort`` must end in a unique field so that pages neither skip nor
    repeat documents.
    """
    search_after: list[Any] | None = None
    while True:
        response = search(
            es,
            index=index,
            query=query,
            size=PAGE,
            sort=sort,
            search_after=search_after,
            source_includes=fields,
        )
        hits = response["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < PAGE:
            return
        search_after = hits[-1]["sort"]


def search(es: Elasticsearch, *, index: str, **request: Any) -> dict[str, Any]:
    """``es.search``; a missing index or alias is one line saying what to do."""
    try:
        response: dict[str, Any] = es.search(index=index, **request).body
    except NotFoundError:
        raise StackError(
            f"索引或别名 {index} 不存在；请先运行 listing-watch setup，"
            "或核对 LW_ES_* 设置"
        ) from None
    return response
