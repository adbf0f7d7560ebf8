"""Escalation: which leads go to the provincial bureau (notice 3(3)).

"Suspected major violations are reported to the provincial bureau's
network trading division." What counts as major is configurable
(:class:`EscalationSettings`); three rules ship:

* ``high_risk_kind``: a high-risk alert of a configured kind (default
  special_supply and medals_commemoratives, the campaign's focus);
* ``shop_alerts``: the shop has at least N alerts (the caller counts);
* ``price``: the listing's price is above a threshold in yuan.

:func:`escalate` is pure; the worker stores :meth:`Escalation.to_document`
under ``escalation`` in the alert and, when escalated, publishes
:func:`escalation_event` to the escalations topic keyed by alert id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from listing_watch.workflow.settings import EscalationSettings

RULE_NAMES: Final[dict[str, str]] = {
    "high_risk_kind": "高风险重点类型",
    "shop_alerts": "店铺告警多",
    "price": "标价高",
}


@dataclass(frozen=True, slots=True)
class Escalation:
    """Which escalation rules fired, with their reasons in Chinese."""

    rules: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def escalated(self) -> bool:
        return bool(self.rules)

    def to_document(self) -> dict[str, Any]:
        return {
            "escalated": self.escalated,
            "rules": list(self.rules),
            "reasons": list(self.reasons),
        }


def escalate(
    alert: Mapping[str, Any], rules: EscalationSettings, *, shop_alert_count: int = 0
) -> Escalation:
    """Evaluate the rules on one alert document.

    >>> from listing_watch.workflow.settings import EscalationSettings
    >>> doc = {"risk": "high", "violation_kinds": ["special_supply"], "listing": {}}
    >>> escalate(doc, EscalationSettings()).rules
    ('high_risk_kind',)
    """
    fired: list[tuple[str, str]] = []
    kinds = sorted(set(alert.get("violation_kinds", ())) & rules.high_risk_kinds)
    if alert.get("risk") == "high" and kinds:
        fired.append(("high_risk_kind", f"高风险且涉及{'、'.join(kinds)}"))
    if shop_alert_count >= rules.shop_alerts:
        shop = alert.get("listing", {}).get("shop_id", "")
        fired.append(
            (
                "shop_alerts",
                f"店铺 {shop} 已有 {shop_alert_count} 条告警"
                f"（阈值 {rules.shop_alerts}）",
            )
        )
    price = alert.get("listing", {}).get("price")
    if isinstance(price, int | float) and price > rules.price_yuan:
        fired.append(("price", f"标价 {price:g} 元，高于 {rules.price_yuan:g} 元"))
    return Escalation(tuple(r for r, _ in fired), tuple(t for _, t in fired))


def escalation_event(
    alert: Mapping[str, Any], escalation: Escalation
) -> dict[str, Any]:
    """The record on the escalations topic: enough to act without a lookup."""
    listing = alert.get("listing", {})
    return {
        "alert_id": alert["alert_id"],
        "@timestamp": alert.get("@timestamp"),
        "risk": alert.get("risk"),
        "violation_kinds": list(alert.get("violation_kinds", ())),
        "listing": {
            name: listing[name]
            for name in ("key", "platform", "shop_id", "shop_name", "title", "price")
            if name in listing
        },
        "routing": alert.get("routing"),
        "escalation": escalation.to_document(),
    }
