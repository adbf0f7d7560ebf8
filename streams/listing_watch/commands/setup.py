"""``listing-watch setup``: create the topics, index templates and aliases."""

from __future__ import annotations

import argparse
from typing import Any

from listing_watch.config import load_settings
from listing_watch.provision import provision


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="create the Kafka topics and the Elasticsearch templates and aliases",
        description="Create what the pipeline needs; safe to run again.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    created = provision(settings)
    topics = settings.topics
    print(
        f"setup: topics={topics.listings},{topics.alerts},{topics.deadletter} "
        f"created={len(created)} alias={settings.search.alerts_alias}"
    )
    return 0
