"""Creating every topic, index template and alias the product uses.

One place, so that ``listing-watch setup``, the demo and the tests prepare
a stack the same way. Everything here is idempotent: what exists is kept
(templates are rewritten, so an edited template applies to the next
backing index).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from elastic_transport import ConnectionError as SearchConnectionError
from elasticsearch import NotFoundError

from listing_watch.config import Settings, masked_url
from listing_watch.errors import StackError
from listing_watch.pipeline.library_audit import ensure_audit_index
from listing_watch.pipeline.library_settings import load_library_settings
from listing_watch.pipeline.library_topic import ensure_library_topics
from listing_watch.pipeline.topics import ensure_topics
from listing_watch.search.index import (
    FIRST_BACKING_SUFFIX,
    connect,
    ensure_alerts_index,
)
from listing_watch.workflow.indices import (
    ensure_workflow_indices,
    ensure_workflow_topics,
)
from listing_watch.workflow.settings import load_workflow_settings


def provision(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Create what is missing; return the names of the topics created."""
    workflow = load_workflow_settings(environ)
    library = load_library_settings(environ)
    created = ensure_topics(settings)
    created += ensure_workflow_topics(settings, workflow)
    created += ensure_library_topics(settings, library)

    client = connect(settings.search)
    try:
        ensure_alerts_index(client, settings.search)
        ensure_workflow_indices(
            client, workflow, alerts_alias=settings.search.alerts_alias
        )
        ensure_audit_index(client, library)
    except SearchConnectionError as error:
        raise StackError(
            f"Elasticsearch at {masked_url(settings.search.url)} is unreachable; "
            "start it with 'make stack'"
        ) from error
    return created


def isolated_names(prefix: str) -> dict[str, str]:
    """``LW_*`` settings naming a private copy of every topic, group and alias.

    For runs that must not touch the real pipeline's data: tests, the chaos
    run, benchmarks. ``provision(settings, env)`` creates them and
    :func:`drop_isolated` deletes them.
    """
    return {
        "LW_TOPIC_LISTINGS": f"{prefix}.listings",
        "LW_TOPIC_ALERTS": f"{prefix}.alerts",
        "LW_TOPIC_DEADLETTER": f"{prefix}.deadletter",
        "LW_GROUP_ID": f"{prefix}-screen",
        "LW_ES_ALERTS_ALIAS": f"lw-{prefix}-alerts",
        "LW_TOPIC_DISPOSITIONS": f"{prefix}.dispositions",
        "LW_TOPIC_ESCALATIONS": f"{prefix}.escalations",
        "LW_ES_DISPOSITIONS_ALIAS": f"lw-{prefix}-dispositions",
        "LW_ES_COVERAGE_ALIAS": f"lw-{prefix}-coverage",
        "LW_TOPIC_LIBRARY": f"{prefix}.library",
        "LW_TOPIC_LIBRARY_AUDIT": f"{prefix}.library-audit",
        "LW_ES_LIBRARY_AUDIT_ALIAS": f"lw-{prefix}-library-audit",
    }


def drop_isolated(settings: Settings, names: Mapping[str, str]) -> None:
    """Delete the topics, backing indices and templates ``names`` lists.

    Absent ones are fine: a run may have stopped before creating them.
    """
    topics = [
        value
        for name, value in names.items()
        if name.startswith("LW_TOPIC_") and name != "LW_TOPIC_PARTITIONS"
    ]
    # The client must outlive the futures: a client destroyed first fails
    # them with _DESTROY before any request is sent.
    admin = AdminClient(dict(settings.kafka))
    for future in admin.delete_topics(topics, request_timeout=30).values():
        with contextlib.suppress(KafkaException):
            future.result(timeout=30)
    group = names.get("LW_GROUP_ID")
    if group:
        for future in admin.delete_consumer_groups([group]).values():
            with contextlib.suppress(KafkaException):
                future.result(timeout=30)

    client = connect(settings.search)
    for name, alias in names.items():
        if not name.startswith("LW_ES_"):
            continue
        client.indices.delete(
            index=f"{alias}{FIRST_BACKING_SUFFIX}", ignore_unavailable=True
        )
        with contextlib.suppress(NotFoundError):
            client.indices.delete_index_template(name=alias)
