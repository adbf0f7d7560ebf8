"""``listing-watch reindex``: rebuild the alerts index from the alerts topic.

The alerts topic is the record of truth; the index is a view of it. Every
alert record is indexed again under its alert id, so running this over a
partly filled index fills the gaps and changes nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from typing import Any, Final

import orjson
from tqdm import tqdm

from listing_watch.config import Settings, load_settings
from listing_watch.pipeline.alerts import Alert
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.search.bulk import BulkIndexer, IndexRequest, Rejection
from listing_watch.search.index import connect, connect_async, ensure_alerts_index

CHUNK: Final = 500


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reindex",
        help="index every alert of the alerts topic again (fills gaps, no duplicates)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    ensure_alerts_index(connect(settings.search), settings.search)
    alerts = _alerts(settings)
    records, ids, rejections = asyncio.run(
        _index_all(settings, tqdm(alerts, unit=" alerts", disable=args.no_progress))
    )
    for rejection in rejections:
        alert_id = rejection.request.doc_id
        print(f"rejected {alert_id}: {rejection.error_type}: {rejection.reason}")
    print(
        f"reindex: records={records} alerts={len(ids)} "
        f"indexed={len(ids) - len(rejections)} rejected={len(rejections)}"
    )
    return 1 if rejections else 0


def _alerts(settings: Settings) -> Iterable[Alert]:
    for message in read_topic(settings, settings.topics.alerts):
        value = message.value()
        if value is None:
            continue
        document = orjson.loads(value)
        yield Alert(
            alert_id=document["alert_id"],
            key=(message.key() or b"").decode("utf-8", "replace"),
            document=document,
        )


async def _index_all(
    settings: Settings, alerts: Iterable[Alert]
) -> tuple[int, set[str], list[Rejection]]:
    client = connect_async(settings.search)
    indexer = BulkIndexer(client)
    alias = settings.search.alerts_alias
    records = 0
    ids: set[str] = set()
    rejections: list[Rejection] = []
    chunk: dict[str, Alert] = {}
    try:
        for alert in alerts:
            records += 1
            ids.add(alert.alert_id)
            # A topic may hold an alert twice (see README); the later record
            # wins within a chunk, and across chunks the overwrite is harmless.
            chunk[alert.alert_id] = alert
            if len(chunk) >= CHUNK:
                rejections += await indexer.index(_requests(chunk, alias))
                chunk.clear()
        rejections += await indexer.index(_requests(chunk, alias))
    finally:
        await client.close()
    return records, ids, rejections


def _requests(chunk: dict[str, Alert], alias: str) -> list[IndexRequest]:
    return [alert.index_request(alias) for alert in chunk.values()]
