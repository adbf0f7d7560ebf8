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
from listing_watch.search.index import ensure_index, load_template
from listing_watch.workflow.settings import WorkflowSettings

logger = logging.getLogger(__name__)

DISPOSITIONS_TEMPLATE: Final = "dispositions-index-template.json"
COVERAGE_TEMPLATE: Final = "coverage-index-template.json"
ADMIN_TIMEOUT_S: Final = 30.0
PAGE: Final = 1000


def ensure_workflow_indices(
    client: Elasticsearch, workflow: WorkflowSettings, *, alerts_alias: str
) -> None:
    """Install both templates, create each alias when missing, and extend
    the alerts indices' mapping with the workflow's fields."""
    ensure_index(client, workflow.dispositions_alias, DISPOSITIONS_TEMPLATE)
    ensure_index(client, workflow.coverage_alias, COVERAGE_TEMPLATE)
    extend_alerts_mapping(client, alerts_alias)
    extend_mapping(client, workflow.dispositions_alias, DISPOSITIONS_TEMPLATE)


def extend_alerts_mapping(client: Elasticsearch, alerts_alias: str) -> None:
    """Add the template's new fields (``disposition``, ``routing``, ...) to
    backing indices created before them.

    The alerts mapping is strict, so an index made from an older template
    refuses a document with ``disposition``. Adding fields is a compatible
    mapping change; one that alters an existing field fails here, loudly.
    """
    extend_mapping(client, alerts_alias)


def extend_mapping(
    client: Elasticsearch, alias: str, template_file: str | None = None
) -> None:
    """Put the template's fields on the backing indices behind ``alias``
    (e.g. ``amount_fen`` on dispositions indices made before it)."""
    if not client.indices.exists_alias(name=alias):
        return
    template = (
        load_template() if template_file is None else load_template(template_file)
    )
    properties = template["template"]["mappings"]["properties"]
    client.indices.put_mapping(index=alias, properties=properties)


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
