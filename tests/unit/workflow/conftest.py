"""Factories for workflow tests: alerts and dispositions we write ourselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from listing_watch.workflow.dispositions import AlertRef, Disposition, new_disposition

MakeDisposition = Callable[..., Disposition]


def alert_ref(alert_id: str = "a1", **fields: Any) -> AlertRef:
    values: dict[str, Any] = {
        "alert_id": alert_id,
        "listing_key": f"testmall:{alert_id}",
        "platform": "testmall",
        "units": ("420000", "420100", "420102"),
    }
    values.update(fields)
    return AlertRef(**values)


@pytest.fixture
def dispose() -> MakeDisposition:
    def make(
        action: str, at: str = "2021-06-20T10:00:00+08:00", **fields: Any
    ) -> Disposition:
        alert = fields.pop("alert", None) or alert_ref()
        return new_disposition(
            alert,
            action,  # type: ignore[arg-type]
            by=fields.pop("by", "张三"),
            at=datetime.fromisoformat(at),
            **fields,
        )

    return make
