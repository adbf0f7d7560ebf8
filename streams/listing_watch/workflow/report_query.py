"""Gathering the Annex 2 figures from Elasticsearch.

Rows 1 and 2 are exact distinct counts from composite aggregations over
the coverage documents (``cardinality`` is approximate, so it is not used).
Rows 3-6 read the period's alerts and the unit's dispositions and count
them with :mod:`listing_watch.workflow.annex2`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Final

from elasticsearch import Elasticsearch

from listing_watch.config import Settings
from listing_watch.errors import StackError
from listing_watch.logs import log_event
from listing_watch.workflow.annex2 import (
    AlertRow,
    Annex2,
    Period,
    count_actions,
    count_leads,
)
from listing_watch.workflow.days import day_bounds, shanghai_day
from listing_watch.workflow.dispositions import Disposition, from_event
from listing_watch.workflow.indices import scan_sources
from listing_watch.workflow.routing import route
from listing_watch.workflow.settings import WorkflowSettings

logger = logging.getLogger(__name__)

PAGE: Final = 1000


def build_annex2(
    es: Elasticsearch,
    settings: Settings,
    workflow: WorkflowSettings,
    period: Period,
    *,
    filled_on: date,
) -> Annex2:
    """The six figures for ``period``, read from the indices."""
    started = time.monotonic()
    for alias in (workflow.coverage_alias, workflow.dispositions_alias):
        if not es.indices.exists_alias(name=alias):
            raise StackError(
                f"index alias {alias} does not exist; run 'listing-watch setup' "
                "(and let the worker record coverage) before reporting"
            )
        es.indices.refresh(index=alias)
    shop_days = _distinct(
        es, workflow.coverage_alias, _coverage_filter(period), ("day", "pairs")
    )
    related = _distinct(
        es, workflow.coverage_alias, _coverage_filter(period), ("matched",)
    )
    dispositions = list(unit_dispositions(es, workflow, period.unit.code))
    alerts = alert_rows(es, settings.search.alerts_alias, period, workflow)
    actions = count_actions(dispositions, period)
    report = Annex2(
        period=period,
        filled_on=filled_on,
        shop_days=shop_days,
        related_listings=related,
        leads=count_leads(alerts, dispositions, period),
        takedowns=actions.takedowns,
        cases=actions.cases,
        penalties_yuan=actions.penalties_yuan,
    )
    log_event(
        logger,
        "annex2_built",
        unit=period.unit.code,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        alerts=len(alerts),
        dispositions=len(dispositions),
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )
    return report


def unit_dispositions(
    es: Elasticsearch, workflow: WorkflowSettings, unit: str
) -> Iterator[Disposition]:
    query = {"term": {"routing.units": unit}}
    sort = [{"@timestamp": "asc"}, {"disposition_id": "asc"}]
    for source in scan_sources(es, workflow.dispositions_alias, query, sort):
        yield from_event(source)


def alert_rows(
    es: Elasticsearch, alias: str, period: Period, workflow: WorkflowSettings
) -> list[AlertRow]:
    """The period's alerts (by screening day) under the unit."""
    start, end = day_bounds(period.first, period.last)
    query = {"range": {"@timestamp": {"gte": start, "lt": end}}}
    fields = ["alert_id", "@timestamp", "listing", "routing.units"]
    rows = []
    for source in scan_sources(es, alias, query, [{"alert_id": "asc"}], fields):
        units = _alert_units(source, workflow)
        if period.unit.code in units:
            observed = datetime.fromisoformat(source["@timestamp"])
            rows.append(
                AlertRow(
                    source["alert_id"],
                    source["listing"]["key"],
                    shanghai_day(observed),
                    units,
                )
            )
    return rows


def _alert_units(source: dict[str, Any], workflow: WorkflowSettings) -> tuple[str, ...]:
    """The routing the worker stored, else routed now from the listing."""
    routing = source.get("routing")
    if routing is not None:
        return tuple(routing.get("units", ()))
    listing = source.get("listing", {})
    routed = route(listing.get("seller_region"), listing.get("platform", ""), workflow)
    return routed.units


def _coverage_filter(period: Period) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [
                {"term": {"units": period.unit.code}},
                {
                    "range": {
                        "day": {
                            "gte": period.first.isoformat(),
                            "lte": period.last.isoformat(),
                            "format": "yyyy-MM-dd",
                        }
                    }
                },
            ]
        }
    }


def _distinct(
    es: Elasticsearch, index: str, query: dict[str, Any], fields: tuple[str, ...]
) -> int:
    """Exact count of distinct value combinations of ``fields``."""
    sources = [{name: {"terms": {"field": name}}} for name in fields]
    after: dict[str, Any] | None = None
    count = 0
    while True:
        composite: dict[str, Any] = {"size": PAGE, "sources": sources}
        if after is not None:
            composite["after"] = after
        response = es.search(
            index=index, query=query, size=0, aggs={"d": {"composite": composite}}
        )
        result = response["aggregations"]["d"]
        count += len(result["buckets"])
        after = result.get("after_key")
        if after is None or len(result["buckets"]) < PAGE:
            return count
