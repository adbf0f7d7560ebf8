"""What investigators send out: takedown lists, forwarding packages, shops.

Each builder reads the indices and returns rows; the commands write them
(xlsx) or print them. Column headings are Chinese, as sent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from elasticsearch import Elasticsearch

from listing_watch.workflow.days import day_bounds, shanghai_day
from listing_watch.workflow.dispositions import ACTION_NAMES, Disposition, from_event
from listing_watch.workflow.indices import scan_sources
from listing_watch.workflow.state import fold

TAKEDOWN_HEADER: Final = (
    "序号",
    "平台",
    "商品编号",
    "商品标题",
    "店铺编号",
    "店铺名称",
    "商品链接",
    "命中关键词",
    "违规类型",
    "督促下架时间",
    "告警编号",
)
FORWARD_HEADER: Final = (
    "序号",
    "告警编号",
    "平台",
    "商品编号",
    "商品标题",
    "店铺编号",
    "店铺名称",
    "卖家地区代码",
    "卖家所在地",
    "风险",
    "命中关键词",
    "违规类型",
    "发现时间",
    "证据SHA-256",
)
SHOPS_HEADER: Final = (
    "店铺编号",
    "店铺名称",
    "平台",
    "告警数",
    "首次告警",
    "最近告警",
    "处置情况",
)
_ALERT_SORT: Final = [{"alert_id": "asc"}]
_DISPOSITION_SORT: Final = [{"@timestamp": "asc"}, {"disposition_id": "asc"}]


def alerts_by_id(
    es: Elasticsearch, alias: str, alert_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    ids = sorted(set(alert_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 1000):
        query = {"terms": {"alert_id": ids[start : start + 1000]}}
        for source in scan_sources(es, alias, query, _ALERT_SORT):
            found[source["alert_id"]] = source
    return found


def histories(
    es: Elasticsearch, alias: str, query: dict[str, Any]
) -> dict[str, list[Disposition]]:
    by_alert: dict[str, list[Disposition]] = defaultdict(list)
    for source in scan_sources(es, alias, query, _DISPOSITION_SORT):
        by_alert[source["alert_id"]].append(from_event(source))
    return by_alert


def takedown_rows(
    es: Elasticsearch,
    *,
    alerts_alias: str,
    dispositions_alias: str,
    platform: str,
    since: date,
) -> list[list[Any]]:
    """Listings whose takedown is requested (in force, unconfirmed) since a day."""
    query = {"term": {"listing.platform": platform}}
    requested: dict[str, Disposition] = {}
    for alert_id, history in histories(es, dispositions_alias, query).items():
        state = fold(history)
        if state.state != "takedown_requested":
            continue
        request = [d for d in state.active if d.action == "takedown_requested"][-1]
        if shanghai_day(request.at) >= since:
            requested[alert_id] = request
    alerts = alerts_by_id(es, alerts_alias, requested)
    rows = []
    for number, (alert_id, request) in enumerate(sorted(requested.items()), start=1):
        listing = alerts.get(alert_id, {}).get("listing", {})
        alert = alerts.get(alert_id, {})
        rows.append(
            [
                number,
                platform,
                listing.get("listing_id", ""),
                listing.get("title", ""),
                listing.get("shop_id", ""),
                listing.get("shop_name", ""),
                alert.get("url", {}).get("full", ""),
                "、".join(alert.get("terms", ())),
                "、".join(alert.get("violation_kinds", ())),
                request.at.isoformat(timespec="seconds"),
                alert_id,
            ]
        )
    return rows


def forward_rows(
    es: Elasticsearch,
    *,
    alerts_alias: str,
    dispositions_alias: str,
    unit: str,
) -> list[list[Any]]:
    """Alerts routed to ``unit`` or forwarded to it by an investigator."""
    routed = {
        s["alert_id"]
        for s in scan_sources(
            es,
            alerts_alias,
            {"term": {"routing.forward_to.code": unit}},
            _ALERT_SORT,
            ["alert_id"],
        )
    }
    forwarded = {
        alert_id
        for alert_id, history in histories(
            es, dispositions_alias, {"term": {"unit": unit}}
        ).items()
        if any(d.action == "forwarded" and d.unit == unit for d in fold(history).active)
    }
    alerts = alerts_by_id(es, alerts_alias, routed | forwarded)
    rows = []
    for number, alert_id in enumerate(sorted(alerts), start=1):
        alert = alerts[alert_id]
        listing = alert.get("listing", {})
        routing = alert.get("routing") or {}
        place = "".join(
            routing.get(level, {}).get("name", "")
            for level in ("province", "city", "county")
        )
        rows.append(
            [
                number,
                alert_id,
                listing.get("platform", ""),
                listing.get("listing_id", ""),
                listing.get("title", ""),
                listing.get("shop_id", ""),
                listing.get("shop_name", ""),
                listing.get("seller_region", ""),
                place,
                alert.get("risk", ""),
                "、".join(alert.get("terms", ())),
                "、".join(alert.get("violation_kinds", ())),
                alert.get("@timestamp", ""),
                alert.get("evidence", {}).get("sha256", ""),
            ]
        )
    return rows


@dataclass
class ShopSummary:
    """One shop's alerts across platforms and the actions taken on them."""

    shop_id: str
    shop_name: str = ""
    platforms: set[str] = field(default_factory=set)
    alerts: int = 0
    first: str = ""
    last: str = ""
    actions: Counter[str] = field(default_factory=Counter)

    def row(self) -> list[Any]:
        actions = "，".join(
            f"{ACTION_NAMES[a]}{n}" for a, n in sorted(self.actions.items())
        )
        return [
            self.shop_id,
            self.shop_name,
            "、".join(sorted(self.platforms)),
            self.alerts,
            self.first,
            self.last,
            actions or "未处置",
        ]


def shop_summaries(
    es: Elasticsearch,
    *,
    alerts_alias: str,
    dispositions_alias: str,
    first: date,
    last: date,
) -> list[ShopSummary]:
    """Shops by alert count, most first, for alerts observed in the days."""
    start, end = day_bounds(first, last)
    query = {"range": {"@timestamp": {"gte": start, "lt": end}}}
    fields = [
        "alert_id",
        "@timestamp",
        "listing.shop_id",
        "listing.shop_name",
        "listing.platform",
    ]
    shops: dict[str, ShopSummary] = {}
    alert_shop: dict[str, str] = {}
    for source in scan_sources(es, alerts_alias, query, _ALERT_SORT, fields):
        listing = source.get("listing", {})
        shop_id = listing.get("shop_id") or "（无店铺）"
        shop = shops.setdefault(shop_id, ShopSummary(shop_id))
        shop.shop_name = shop.shop_name or listing.get("shop_name", "")
        shop.platforms.add(listing.get("platform", ""))
        shop.alerts += 1
        day = source["@timestamp"][:10]
        shop.first = min(shop.first or day, day)
        shop.last = max(shop.last, day)
        alert_shop[source["alert_id"]] = shop_id
    dispositions = histories(
        es, dispositions_alias, {"terms": {"alert_id": sorted(alert_shop)[:65536]}}
    )
    for alert_id, history in dispositions.items():
        for disposition in fold(history).active:
            shops[alert_shop[alert_id]].actions[disposition.action] += 1
    return sorted(shops.values(), key=lambda s: (-s.alerts, s.shop_id))
