"""Settings of the investigators' workflow, built once from the environment.

Kept apart from ``listing_watch.config`` while the workflow is young; the
names follow the same ``LW_*`` scheme so they can move there unchanged.

Escalation rules and the platforms' registered regions are structured, so
they come as JSON in one variable each (or a file, ``@path``)::

    LW_PLATFORM_REGIONS='{"taobao": "330110", "jd": "110115"}'
    LW_ESCALATION_PRICE_YUAN=5000
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import orjson

from listing_watch.config import env_float, env_int
from listing_watch.errors import ConfigError

DEFAULT_UNIT: Final = "420000"  # the notice's sender: Hubei provincial bureau
DEFAULT_TIMEZONE: Final = "Asia/Shanghai"


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationSettings:
    """Thresholds of the escalation rules (notice section 3(3)).

    ``high_risk_kinds``: a high-risk alert of one of these kinds escalates.
    ``shop_alerts``: a shop with at least this many alerts escalates.
    ``price_yuan``: a listing priced above this escalates.
    """

    high_risk_kinds: frozenset[str] = frozenset(
        {"special_supply", "medals_commemoratives"}
    )
    shop_alerts: int = 5
    price_yuan: float = 5000.0


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowSettings:
    """Where dispositions, escalations and coverage go; who we are."""

    unit: str = DEFAULT_UNIT
    dispositions_topic: str = "listings.dispositions"
    escalations_topic: str = "listings.escalations"
    dispositions_alias: str = "listing-watch-dispositions"
    coverage_alias: str = "listing-watch-coverage"
    platform_regions: Mapping[str, str] = field(default_factory=dict)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    webhook_url: str | None = field(default=None, repr=False)
    webhook_kind: str = "wecom"
    timezone: str = DEFAULT_TIMEZONE


def load_workflow_settings(
    environ: Mapping[str, str] | None = None,
) -> WorkflowSettings:
    """Build the workflow settings from ``LW_*`` environment variables."""
    env = os.environ if environ is None else environ
    default = WorkflowSettings()
    escalation = EscalationSettings()
    kinds = env.get("LW_ESCALATION_KINDS")
    webhook_kind = env.get("LW_WEBHOOK_KIND", default.webhook_kind)
    if webhook_kind not in ("wecom", "dingtalk"):
        raise ConfigError(
            f"LW_WEBHOOK_KIND={webhook_kind!r} is not one of wecom, dingtalk"
        )
    return WorkflowSettings(
        unit=env.get("LW_UNIT", default.unit),
        dispositions_topic=env.get("LW_TOPIC_DISPOSITIONS", default.dispositions_topic),
        escalations_topic=env.get("LW_TOPIC_ESCALATIONS", default.escalations_topic),
        dispositions_alias=env.get(
            "LW_ES_DISPOSITIONS_ALIAS", default.dispositions_alias
        ),
        coverage_alias=env.get("LW_ES_COVERAGE_ALIAS", default.coverage_alias),
        platform_regions=_json_mapping(env, "LW_PLATFORM_REGIONS"),
        escalation=EscalationSettings(
            high_risk_kinds=(
                frozenset(k.strip() for k in kinds.split(",") if k.strip())
                if kinds is not None
                else escalation.high_risk_kinds
            ),
            shop_alerts=env_int(
                env, "LW_ESCALATION_SHOP_ALERTS", escalation.shop_alerts
            ),
            price_yuan=env_float(
                env, "LW_ESCALATION_PRICE_YUAN", escalation.price_yuan
            ),
        ),
        webhook_url=env.get("LW_WEBHOOK_URL") or None,
        webhook_kind=webhook_kind,
    )


def _json_mapping(env: Mapping[str, str], name: str) -> dict[str, str]:
    raw = env.get(name, "").strip()
    if not raw:
        return {}
    try:
        text = Path(raw[1:]).read_bytes() if raw.startswith("@") else raw
        value = orjson.loads(text)
    except (OSError, orjson.JSONDecodeError) as error:
        raise ConfigError(
            f"{name}: cannot read a JSON object ({error}); "
            'expected e.g. {"taobao": "330110"} or @/path/to/file.json'
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(v, str) for v in value.values()
    ):
        raise ConfigError(f"{name}: expected an object of platform -> region code")
    return {str(k): v for k, v in value.items()}
