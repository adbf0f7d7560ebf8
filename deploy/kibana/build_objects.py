"""Write saved-objects.ndjson: the Kibana objects for the alerts alias.

Run ``python deploy/kibana/build_objects.py`` after changing this file; the
NDJSON is committed so that ``import.sh`` needs no Python. Objects follow
Kibana 9's export format (one JSON object a line, ``references`` naming
the data view); queries are Lucene syntax so that the tests can run them
unchanged against Elasticsearch as ``query_string`` queries.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "streams"))

from listing_watch.screening.kinds import KIND_NAMES  # noqa: E402

OUT = Path(__file__).with_name("saved-objects.ndjson")
DATA_VIEW = "listing-watch-alerts"
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"
COLUMNS = [
    "risk",
    "violation_kinds",
    "terms",
    "listing.title",
    "listing.platform",
    "listing.shop_name",
    "routing.city.name",
    "disposition.state_name",
]

# (id, title, description, Lucene query)
SEARCHES: list[tuple[str, str, str, str]] = [
    (
        "lw-high-risk-today",
        "今日高风险线索",
        "今天（北京时间）发现的高风险告警",
        "risk:high AND @timestamp:[now/d TO *]",
    ),
    (
        "lw-escalated",
        "已上报线索",
        "按规则标记上报或已记录“上报省局”的告警",
        "escalation.escalated:true OR disposition.actions:escalated",
    ),
    (
        "lw-awaiting-takedown",
        "待平台下架",
        "已督促下架、平台尚未确认的告警",
        "disposition.state:takedown_requested",
    ),
    *[
        (
            f"lw-kind-{kind}",
            f"违规类型：{name}",
            f"违规类型为“{name}”的告警",
            f"violation_kinds:{kind}",
        )
        for kind, name in KIND_NAMES.items()
    ],
]

# (id, title, visualization type, aggregations)
VISUALIZATIONS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        "lw-vis-over-time-by-kind",
        "告警趋势（按违规类型）",
        "histogram",
        [
            {"id": "1", "type": "count", "schema": "metric", "params": {}},
            {
                "id": "2",
                "type": "date_histogram",
                "schema": "segment",
                "params": {"field": "@timestamp", "interval": "auto"},
            },
            {
                "id": "3",
                "type": "terms",
                "schema": "group",
                "params": {"field": "violation_kinds", "size": 8},
            },
        ],
    ),
    ("lw-vis-by-platform", "告警按平台", "pie", []),
    ("lw-vis-by-region", "告警按地区（地市）", "table", []),
    ("lw-vis-top-shops", "告警最多的店铺", "table", []),
    ("lw-vis-top-terms", "命中最多的关键词", "table", []),
]


def terms_aggs(field: str, size: int) -> list[dict[str, Any]]:
    return [
        {"id": "1", "type": "count", "schema": "metric", "params": {}},
        {
            "id": "2",
            "type": "terms",
            "schema": "segment" if field == "listing.platform" else "bucket",
            "params": {"field": field, "size": size, "order": "desc", "orderBy": "1"},
        },
    ]


TERMS_FIELDS = {
    "lw-vis-by-platform": ("listing.platform", 10),
    "lw-vis-by-region": ("routing.city.name", 20),
    "lw-vis-top-shops": ("listing.shop_name", 20),
    "lw-vis-top-terms": ("terms", 20),
}


def data_view() -> dict[str, Any]:
    return {
        "id": DATA_VIEW,
        "type": "index-pattern",
        "attributes": {
            "title": DATA_VIEW,
            "name": "线索告警",
            "timeFieldName": "@timestamp",
        },
        "references": [],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.0.0",
    }


def search(object_id: str, title: str, description: str, query: str) -> dict[str, Any]:
    source = {
        "query": {"query": query, "language": "lucene"},
        "filter": [],
        "indexRefName": INDEX_REF,
    }
    return {
        "id": object_id,
        "type": "search",
        "attributes": {
            "title": title,
            "description": description,
            "columns": COLUMNS,
            "sort": [["@timestamp", "desc"]],
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        "references": [{"name": INDEX_REF, "type": "index-pattern", "id": DATA_VIEW}],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "10.1.0",
    }


def visualization(
    object_id: str, title: str, kind: str, aggs: list[dict[str, Any]]
) -> dict[str, Any]:
    if not aggs:
        aggs = terms_aggs(*TERMS_FIELDS[object_id])
    state = {"title": title, "type": kind, "aggs": aggs, "params": {}}
    source = {
        "query": {"query": "", "language": "lucene"},
        "filter": [],
        "indexRefName": INDEX_REF,
    }
    return {
        "id": object_id,
        "type": "visualization",
        "attributes": {
            "title": title,
            "description": "",
            "visState": json.dumps(state, ensure_ascii=False),
            "uiStateJSON": "{}",
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        "references": [{"name": INDEX_REF, "type": "index-pattern", "id": DATA_VIEW}],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.5.0",
    }


def dashboard() -> dict[str, Any]:
    panels = []
    references = []
    for number, (object_id, *_rest) in enumerate(VISUALIZATIONS):
        ref = f"panel_{number}"
        panels.append(
            {
                "panelIndex": str(number),
                "gridData": {
                    "x": 0 if number == 0 else 24 * ((number - 1) % 2),
                    "y": 0 if number == 0 else 15 * (1 + (number - 1) // 2),
                    "w": 48 if number == 0 else 24,
                    "h": 15,
                    "i": str(number),
                },
                "panelRefName": ref,
                "embeddableConfig": {},
            }
        )
        references.append({"name": ref, "type": "visualization", "id": object_id})
    return {
        "id": "lw-dashboard",
        "type": "dashboard",
        "attributes": {
            "title": "电商借庆祝名义谋利专项监测",
            "description": "告警趋势、平台、地区、店铺与关键词",
            "panelsJSON": json.dumps(panels),
            "timeRestore": False,
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps(
                    {"query": {"query": "", "language": "lucene"}, "filter": []}
                )
            },
        },
        "references": references,
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "10.2.0",
    }


def objects() -> list[dict[str, Any]]:
    return [
        data_view(),
        *(search(*spec) for spec in SEARCHES),
        *(visualization(*spec) for spec in VISUALIZATIONS),
        dashboard(),
    ]


def main() -> None:
    lines = [json.dumps(o, ensure_ascii=False, sort_keys=True) for o in objects()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} objects to {OUT}")


if __name__ == "__main__":
    main()
