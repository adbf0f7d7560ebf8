"""Creating every topic, index template and alias the product uses.

One place, so that ``listing-watch setup``, the demo and the tests prepare
a stack the same way. Everything here is idempotent: what exists is kept
(templates are rewritten, so an edited template applies to the next
backing index).
"""

from __future__ import annotations

from collections.abc import Mapping

from elastic_transport import ConnectionError as SearchConnectionError

from listing_watch.config import Settings
from listing_watch.errors import StackError
from listing_watch.pipeline.library_audit import ensure_audit_index
from listing_watch.pipeline.library_settings import load_library_settings
from listing_watch.pipeline.library_topic import ensure_library_topics
from listing_watch.pipeline.topics import ensure_topics
from listing_watch.search.index import connect, ensure_alerts_index
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
            f"Elasticsearch at {settings.search.url} is unreachable: {error}; "
            "start it with 'make stack'"
        ) from error
    return created
