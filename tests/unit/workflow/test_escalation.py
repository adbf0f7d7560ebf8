"""Escalation rules mark major leads for the provincial bureau."""

from __future__ import annotations

from typing import Any

from listing_watch.workflow.escalation import escalate, escalation_event
from listing_watch.workflow.settings import EscalationSettings

RULES = EscalationSettings(shop_alerts=3, price_yuan=1000)


def alert(**fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "alert_id": "a1",
        "risk": "medium",
        "violation_kinds": ["celebration_marketing"],
        "listing": {"key": "testmall:1", "shop_id": "s1", "price": 50.0},
    }
    document.update(fields)
    return document


def test_high_risk_special_supply_escalates() -> None:
    result = escalate(alert(risk="high", violation_kinds=["special_supply"]), RULES)

    assert result.rules == ("high_risk_kind",)
    assert "special_supply" in result.reasons[0]


def test_medium_risk_special_supply_does_not_escalate() -> None:
    assert not escalate(alert(violation_kinds=["special_supply"]), RULES).escalated


def test_shop_with_many_alerts_escalates() -> None:
    assert escalate(alert(), RULES, shop_alert_count=3).rules == ("shop_alerts",)


def test_price_above_threshold_escalates() -> None:
    listing = {"key": "testmall:1", "shop_id": "s1", "price": 1000.5}

    assert escalate(alert(listing=listing), RULES).rules == ("price",)


def test_ordinary_lead_is_not_escalated() -> None:
    result = escalate(alert(), RULES, shop_alert_count=2)

    assert result.to_document() == {"escalated": False, "rules": [], "reasons": []}


def test_escalation_event_carries_what_the_province_needs() -> None:
    document = alert(risk="high", violation_kinds=["medals_commemoratives"])

    event = escalation_event(document, escalate(document, RULES))

    assert event["alert_id"] == "a1"
    assert event["escalation"]["rules"] == ["high_risk_kind"]
    assert event["listing"]["shop_id"] == "s1"
