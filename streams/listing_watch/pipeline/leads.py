"""From alerts to leads: routing, recurrence, re-posts and escalation.

An alert becomes a lead an investigator can act on when it says where the
seller operates (routing, section 3.3 of the notice: leads outside the
bureau go to the seller's authority), whether the same listing was already
dismissed, whether the offer is a re-post of an earlier alert, and whether
it must be escalated. The rules themselves live in
:mod:`listing_watch.workflow`; this module asks the index what it already
knows about a batch's alerts (at most three queries a batch, none for a
batch without alerts) and applies the rules.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import orjson
from elasticsearch import AsyncElasticsearch

from listing_watch.logs import log_event
from listing_watch.pipeline.batch import RaisedAlert
from listing_watch.workflow import (
    WorkflowSettings,
    alerts_again,
    escalate,
    escalation_event,
)

logger = logging.getLogger(__name__)

# Enough earlier alerts per batch to find every dismissal and first post.
LOOKUP_SIZE: Final = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadHistory:
    """What the index knew about a batch's listings before the batch."""

    dismissed_risk: dict[str, str] = field(default_factory=dict)
    first_alert: dict[str, tuple[str, str]] = field(default_factory=dict)
    shop_alerts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadDecisions:
    alerts: list[RaisedAlert]
    suppressed: list[RaisedAlert]
    escalations: list[tuple[bytes, bytes]]


async def look_up_history(
    client: AsyncElasticsearch, alias: str, alerts: Sequence[RaisedAlert]
) -> LeadHistory:
    if not alerts:
        return LeadHistory()
    documents = [raised.alert.document for raised in alerts]
    listing_keys = sorted({doc["listing"]["key"] for doc in documents})
    repost_keys = sorted(
        {doc["repost_key"] for doc in documents if "repost_key" in doc}
    )
    shops = sorted(
        {doc["listing"]["shop_id"] for doc in documents if "shop_id" in doc["listing"]}
    )
    # Concurrently: the lookups sit between screening and publishing, so
    # their latency is the alert's latency.
    dismissed, first_alert, shop_alerts = await asyncio.gather(
        _dismissed(client, alias, listing_keys),
        _first_alerts(client, alias, repost_keys),
        _shop_counts(client, alias, shops),
    )
    return LeadHistory(
        dismissed_risk=dismissed, first_alert=first_alert, shop_alerts=shop_alerts
    )


async def _dismissed(
    client: AsyncElasticsearch, alias: str, listing_keys: list[str]
) -> dict[str, str]:
    """Listing key -> the worst risk among its dismissed alerts."""
    response = await client.search(
        index=alias,
        size=LOOKUP_SIZE,
        source_includes=["listing.key", "risk"],
        query={
            "bool": {
                "filter": [
                    {"terms": {"listing.key": listing_keys}},
                    {"term": {"disposition.state": "dismissed"}},
                ]
            }
        },
    )
    worst: dict[str, str] = {}
    for hit in response["hits"]["hits"]:
        key, risk = hit["_source"]["listing"]["key"], hit["_source"]["risk"]
        if worst.get(key) != "high":
            worst[key] = risk
    return worst


async def _first_alerts(
    client: AsyncElasticsearch, alias: str, repost_keys: list[str]
) -> dict[str, tuple[str, str]]:
    """Re-post key -> (alert id, listing key) of its earliest alert."""
    if not repost_keys:
        return {}
    response = await client.search(
        index=alias,
        size=LOOKUP_SIZE,
        source_includes=["alert_id", "repost_key", "listing.key"],
        sort=[{"event.created": "asc"}],
        query={"terms": {"repost_key": repost_keys}},
    )
    first: dict[str, tuple[str, str]] = {}
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        first.setdefault(
            source["repost_key"], (source["alert_id"], source["listing"]["key"])
        )
    return first


async def _shop_counts(
    client: AsyncElasticsearch, alias: str, shops: list[str]
) -> Counter[str]:
    if not shops:
        return Counter()
    response = await client.search(
        index=alias,
        size=0,
        query={"terms": {"listing.shop_id": shops}},
        aggregations={
            "shops": {"terms": {"field": "listing.shop_id", "size": len(shops)}}
        },
    )
    buckets = response["aggregations"]["shops"]["buckets"]
    return Counter({bucket["key"]: bucket["doc_count"] for bucket in buckets})


def decide(
    alerts: Sequence[RaisedAlert], history: LeadHistory, workflow: WorkflowSettings
) -> LeadDecisions:
    """Apply recurrence, re-post and escalation rules to a batch's alerts."""
    kept: list[RaisedAlert] = []
    suppressed: list[RaisedAlert] = []
    escalations: list[tuple[bytes, bytes]] = []
    shop_alerts = Counter(history.shop_alerts)

    for raised in alerts:
        document: dict[str, Any] = dict(raised.alert.document)
        listing_key = document["listing"]["key"]
        dismissed = history.dismissed_risk.get(listing_key)
        if dismissed and not alerts_again(
            dismissed_risk=dismissed, new_risk=document["risk"]
        ):
            suppressed.append(raised)
            continue

        _link_repost(document, history)
        shop = document["listing"].get("shop_id")
        if shop:
            shop_alerts[shop] += 1
        outcome = escalate(
            document,
            workflow.escalation,
            shop_alert_count=shop_alerts[shop] if shop else 0,
        )
        document["escalation"] = outcome.to_document()
        if outcome.escalated:
            event = escalation_event(document, outcome)
            escalations.append((raised.alert.alert_id.encode(), orjson.dumps(event)))
        kept.append(
            RaisedAlert(raised.record, replace(raised.alert, document=document))
        )

    if suppressed:
        log_event(
            logger,
            "alerts_suppressed",
            count=len(suppressed),
            reason="listing dismissed before and its verdict is not worse",
        )
    return LeadDecisions(alerts=kept, suppressed=suppressed, escalations=escalations)


def _link_repost(document: dict[str, Any], history: LeadHistory) -> None:
    key = document.get("repost_key")
    earlier = history.first_alert.get(key) if key else None
    if earlier and earlier[1] != document["listing"]["key"]:
        document["repost_of"] = earlier[0]
