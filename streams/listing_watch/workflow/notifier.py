"""Posting high-risk and escalated alerts to a group robot's webhook.

WeCom (企业微信) and DingTalk (钉钉) group robots both take a JSON POST
with ``msgtype`` ``markdown``; they differ in one field::

    WeCom     {"msgtype": "markdown", "markdown": {"content": "..."}}
    DingTalk  {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}

and both answer ``{"errcode": 0, "errmsg": "ok"}`` on success, with HTTP
200 even when they refuse (a non-zero ``errcode``), so both are checked.
DingTalk robots with a keyword filter need that keyword in the text: the
title 线索告警 is in every message.

The URL carries the robot's key, so it is never logged.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Final, Literal

import orjson

from listing_watch.logs import log_event
from listing_watch.workflow.errors import NotifyError

logger = logging.getLogger(__name__)

RobotKind = Literal["wecom", "dingtalk"]
TITLE: Final = "线索告警"
TIMEOUT_S: Final = 5.0
RISK_NAMES: Final[dict[str, str]] = {"high": "高", "medium": "中", "none": "无"}


def should_notify(alert: Mapping[str, Any]) -> bool:
    """High-risk alerts and escalated ones are pushed."""
    escalated = bool(alert.get("escalation", {}).get("escalated"))
    return alert.get("risk") == "high" or escalated


def message_text(alert: Mapping[str, Any]) -> str:
    """The markdown both robots render: what, where, why, which alert."""
    listing = alert.get("listing", {})
    routing = alert.get("routing") or {}
    escalation = alert.get("escalation") or {}
    region = "".join(
        routing.get(level, {}).get("name", "")
        for level in ("province", "city", "county")
    )
    lines = [
        f"### {TITLE}（风险：{RISK_NAMES.get(alert.get('risk', ''), '?')}）",
        f"**商品**：{listing.get('title', '')}",
        f"**平台/店铺**：{listing.get('platform', '')} / "
        f"{listing.get('shop_name') or listing.get('shop_id') or '未知'}",
        f"**命中词**：{'、'.join(alert.get('terms', ())) or '无'}",
        f"**违规类型**：{'、'.join(alert.get('violation_kinds', ())) or '无'}",
        f"**卖家地区**：{region or routing.get('region_code') or '未知'}",
    ]
    forward = routing.get("forward_to")
    if forward:
        lines.append(f"**需移送**：{forward.get('name', forward.get('code'))}")
    if escalation.get("escalated"):
        lines.append(f"**上报原因**：{'；'.join(escalation.get('reasons', ()))}")
    lines.append(f"告警编号：{alert.get('alert_id', '')}")
    return "\n\n".join(lines)


def robot_body(alert: Mapping[str, Any], kind: RobotKind) -> dict[str, Any]:
    text = message_text(alert)
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": TITLE, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def notify(
    alert: Mapping[str, Any], *, url: str, kind: RobotKind, timeout_s: float = TIMEOUT_S
) -> None:
    """POST one alert; raise :class:`NotifyError` unless the robot took it."""
    started = time.monotonic()
    request = urllib.request.Request(
        url,
        data=orjson.dumps(robot_body(alert, kind)),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            answer = orjson.loads(response.read() or b"{}")
    except (urllib.error.URLError, TimeoutError, orjson.JSONDecodeError) as error:
        raise NotifyError(
            f"{kind} robot did not take alert {alert.get('alert_id')}: {error}; "
            "check LW_WEBHOOK_URL and the robot's settings"
        ) from None
    if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
        raise NotifyError(
            f"{kind} robot refused alert {alert.get('alert_id')}: {answer}; "
            "check the robot's keyword and IP filters"
        )
    log_event(
        logger,
        "alert_notified",
        alert_id=alert.get("alert_id"),
        robot=kind,
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )
