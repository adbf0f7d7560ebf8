"""The notifier posts the robots' JSON shape; tested with a loopback receiver."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson
import pytest

from listing_watch.workflow.errors import NotifyError
from listing_watch.workflow.notifier import notify, robot_body, should_notify

ALERT: dict[str, Any] = {
    "alert_id": "a1",
    "risk": "high",
    "terms": ["特供"],
    "violation_kinds": ["special_supply"],
    "listing": {"title": "政府特供酒", "platform": "testmall", "shop_id": "s1"},
    "routing": {
        "region_code": "330106",
        "province": {"code": "330000", "name": "浙江省"},
        "city": {"code": "330100", "name": "杭州市"},
        "forward_to": {"code": "330100", "name": "杭州市市场监督管理局"},
    },
}


class Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[bytes] = b'{"errcode": 0, "errmsg": "ok"}'

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.received.append(orjson.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(Receiver.answer)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def robot() -> Iterator[str]:
    Receiver.received = []
    Receiver.answer = b'{"errcode": 0, "errmsg": "ok"}'
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    finally:
        server.shutdown()
        server.server_close()


def test_wecom_robot_receives_a_markdown_content_message(robot: str) -> None:
    notify(ALERT, url=robot, kind="wecom")

    (body,) = Receiver.received
    assert body["msgtype"] == "markdown"
    assert "政府特供酒" in body["markdown"]["content"]
    assert "杭州市市场监督管理局" in body["markdown"]["content"]


def test_dingtalk_robot_receives_title_and_text(robot: str) -> None:
    notify(ALERT, url=robot, kind="dingtalk")

    (body,) = Receiver.received
    assert set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] in body["markdown"]["text"]


def test_robot_refusal_is_an_error_naming_the_filters(robot: str) -> None:
    Receiver.answer = b'{"errcode": 310000, "errmsg": "keywords not in content"}'

    with pytest.raises(NotifyError, match=r"310000.*keyword"):
        notify(ALERT, url=robot, kind="dingtalk")


def test_unreachable_robot_is_an_error() -> None:
    with pytest.raises(NotifyError, match="LW_WEBHOOK_URL"):
        notify(ALERT, url="http://127.0.0.1:9/send", kind="wecom", timeout_s=1)


def test_only_high_risk_or_escalated_alerts_are_pushed() -> None:
    assert should_notify(ALERT)
    assert not should_notify({**ALERT, "risk": "medium"})
    assert should_notify({**ALERT, "risk": "medium", "escalation": {"escalated": True}})


def test_body_is_plain_json_both_robots_accept() -> None:
    assert robot_body(ALERT, "wecom")["msgtype"] == "markdown"
