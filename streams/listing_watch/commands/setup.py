"""``listing-watch setup``: create the topics and the alerts index."""

from __future__ import annotations

import argparse
from typing import Any

from listing_watch.config import load_settings
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


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="create the Kafka topics and the Elasticsearch template and alias",
        description="Create what the pipeline needs; safe to run again.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    created = ensure_topics(settings)
    # Investigators' workflow (issue 5): dispositions/escalations topics,
    # dispositions and coverage indices.
    workflow = load_workflow_settings()
    created += ensure_workflow_topics(settings, workflow)
    # Keyword library lifecycle (issue 6): library and audit topics, index.
    library = load_library_settings()
    created += ensure_library_topics(settings, library)
    try:
        ensure_alerts_index(connect(settings.search), settings.search)
        ensure_workflow_indices(
            connect(settings.search),
            workflow,
            alerts_alias=settings.search.alerts_alias,
        )
        ensure_audit_index(connect(settings.search), library)
    except ConnectionError as error:
        raise StackError(
            f"Elasticsearch at {settings.search.url} is unreachable: {error}; "
            "start it with 'make stack'"
        ) from error
    topics = settings.topics
    print(
        f"setup: topics={topics.listings},{topics.alerts},{topics.deadletter} "
        f"created={len(created)} alias={settings.search.alerts_alias}"
    )
    return 0
