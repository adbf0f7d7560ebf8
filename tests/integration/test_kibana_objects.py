"""Kibana saved objects: they parse, name template fields, and find alerts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from listing_watch.workflow.escalation import escalate
from listing_watch.workflow.settings import EscalationSettings
from tests.integration.workflow_fixture import SCREENED, Screened, alert_document
from tests.integration.workflow_lanes import WorkflowLane, workflow_lane

__all__ = ["workflow_lane"]

REPO = Path(__file__).resolve().parents[2]
OBJECTS = REPO / "deploy" / "kibana" / "saved-objects.ndjson"
TEMPLATE = REPO / "schemas" / "alerts-index-template.json"
CJK = re.compile(r"[\u4e00-\u9fff]")
LUCENE_FIELD = re.compile(r"(?<![\w.@])([@\w][\w.]*):")


def saved_objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in OBJECTS.read_text("utf-8").splitlines()]


def template_fields() -> set[str]:
    mappings = json.loads(TEMPLATE.read_text("utf-8"))["template"]["mappings"]
    names: set[str] = set()

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = f"{prefix}{name}"
            names.add(path)
            walk(spec.get("properties", {}), f"{path}.")
            walk(spec.get("fields", {}), f"{path}.")

    walk(mappings["properties"], "")
    return names


def query_of(saved: dict[str, Any]) -> str:
    source = json.loads(
        saved["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
    )
    query: str = source["query"]["query"]
    return query


def fields_named(saved: dict[str, Any]) -> set[str]:
    attributes = saved["attributes"]
    names = set(attributes.get("columns", ()))
    names |= {column for column, _ in attributes.get("sort", ())}
    if "kibanaSavedObjectMeta" in attributes:
        names |= set(LUCENE_FIELD.findall(query_of(saved)))
    if "visState" in attributes:
        state = json.loads(attributes["visState"])
        names |= {a["params"]["field"] for a in state["aggs"] if "field" in a["params"]}
    if saved["type"] == "index-pattern":
        names.add(attributes["timeFieldName"])
    return names


def test_every_object_parses_and_has_a_chinese_title() -> None:
    objects = saved_objects()

    assert {o["type"] for o in objects} == {
        "index-pattern",
        "search",
        "visualization",
        "dashboard",
    }
    for saved in objects:
        title = saved["attributes"].get("name", saved["attributes"]["title"])
        assert CJK.search(title), saved["id"]


def test_every_reference_names_an_object_in_the_file() -> None:
    objects = saved_objects()
    ids = {(o["type"], o["id"]) for o in objects}

    for saved in objects:
        for reference in saved["references"]:
            assert (reference["type"], reference["id"]) in ids, saved["id"]


def test_objects_name_only_fields_the_template_defines() -> None:
    known = template_fields()

    for saved in saved_objects():
        assert fields_named(saved) <= known, (saved["id"], fields_named(saved) - known)


def test_data_view_names_the_alerts_alias_and_timestamp() -> None:
    (view,) = [o for o in saved_objects() if o["type"] == "index-pattern"]

    assert view["attributes"]["title"] == "listing-watch-alerts"
    assert view["attributes"]["timeFieldName"] == "@timestamp"


TODAY = Screened(
    "testmall",
    "K1",
    "s9",
    "420102",
    datetime.now(UTC).isoformat(),
    "特供酒 政府接待",
    kinds=("special_supply",),
)
MEDIUM_TODAY = Screened(
    "testmall",
    "K2",
    "s9",
    "420102",
    datetime.now(UTC).isoformat(),
    "庆祝建党百年 全场五折",
    risk="medium",
    kinds=("celebration_marketing",),
)
OLD_HIGH = SCREENED[0]  # high, medals_commemoratives, June 2021
ESCALATED_BY_HAND = SCREENED[6]
TAKEDOWN = SCREENED[4]
FIXTURE = (TODAY, MEDIUM_TODAY, OLD_HIGH, ESCALATED_BY_HAND, TAKEDOWN)

EXPECTED: dict[str, set[str]] = {
    "lw-high-risk-today": {TODAY.alert_id},
    # TODAY escalates by rule (high risk, special_supply) and OLD_HIGH
    # (high, medals_commemoratives); ESCALATED_BY_HAND by an investigator.
    "lw-escalated": {
        TODAY.alert_id,
        OLD_HIGH.alert_id,
        ESCALATED_BY_HAND.alert_id,
        TAKEDOWN.alert_id,
    },
    "lw-awaiting-takedown": {TAKEDOWN.alert_id},
    "lw-kind-special_supply": {TODAY.alert_id},
    "lw-kind-celebration_marketing": {MEDIUM_TODAY.alert_id},
    "lw-kind-medals_commemoratives": {
        OLD_HIGH.alert_id,
        ESCALATED_BY_HAND.alert_id,
        TAKEDOWN.alert_id,
    },
    "lw-kind-leader_likeness": set(),
}


@pytest.fixture
def kibana_fixture(workflow_lane: WorkflowLane) -> WorkflowLane:
    rules = EscalationSettings(
        high_risk_kinds=frozenset({"special_supply", "medals_commemoratives"})
    )
    documents = []
    for item in FIXTURE:
        document = alert_document(item)
        document["escalation"] = escalate(document, rules).to_document()
        documents.append(document)
    workflow_lane.index_alerts(documents)
    store = workflow_lane.store()
    store.dispose(ESCALATED_BY_HAND.alert_id, "escalated", by="王五")
    store.dispose(TAKEDOWN.alert_id, "takedown_requested", by="王五")
    return workflow_lane


@pytest.mark.parametrize("search_id", sorted(EXPECTED))
def test_saved_search_query_returns_the_expected_alerts(
    kibana_fixture: WorkflowLane, search_id: str
) -> None:
    (saved,) = [o for o in saved_objects() if o["id"] == search_id]
    alias = kibana_fixture.lane.settings.search.alerts_alias

    response = kibana_fixture.es.search(
        index=alias,
        query={
            "query_string": {"query": query_of(saved), "time_zone": "Asia/Shanghai"}
        },
        size=100,
    )

    assert {h["_source"]["alert_id"] for h in response["hits"]["hits"]} == EXPECTED[
        search_id
    ]
