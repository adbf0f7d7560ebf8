"""Takedown lists, forwarding packages, shops and evidence from the fixture."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import orjson
import pytest

from listing_watch.cli import main
from tests.integration.test_workflow_report import campaign
from tests.integration.workflow_fixture import ACTS, SCREENED
from tests.integration.workflow_lanes import WorkflowLane, workflow_lane

__all__ = ["campaign", "workflow_lane"]


@pytest.fixture
def env(campaign: WorkflowLane, monkeypatch: pytest.MonkeyPatch) -> WorkflowLane:
    for name, value in campaign.env.items():
        monkeypatch.setenv(name, value)
    return campaign


def test_takedown_list_holds_requested_unconfirmed_listings_of_the_platform(
    env: WorkflowLane, tmp_path: Path
) -> None:
    out = tmp_path / "takedowns.xlsx"
    confirmed = {a.target for a in ACTS if a.action == "takedown_confirmed"}
    expected = {
        SCREENED[a.target].listing_id
        for a in ACTS
        if a.action == "takedown_requested"
        and SCREENED[a.target].platform == "testmall"
        and a.target not in confirmed
    }

    assert (
        main(
            [
                "takedowns",
                "--platform",
                "testmall",
                "--since",
                "2021-06-01",
                "--out",
                str(out),
            ]
        )
        == 0
    )

    sheet = openpyxl.load_workbook(out).active
    assert sheet.cell(row=1, column=4).value == "商品标题"
    listed = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert listed == expected


def test_forward_package_lists_alerts_forwarded_to_the_unit(
    env: WorkflowLane, tmp_path: Path
) -> None:
    out = tmp_path / "forward.xlsx"

    assert main(["forward", "--unit", "330100", "--out", str(out)]) == 0

    rows = list(
        openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)
    )
    assert [row[1] for row in rows] == [SCREENED[7].alert_id]


def test_shops_counts_one_shop_across_platforms(
    env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["shops", "--json"]) == 0

    shops = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    s1 = next(shop for shop in shops if shop["店铺编号"] == "s1")
    expected = sum(1 for s in SCREENED if s.shop_id == "s1" and s.alert)
    assert s1["告警数"] == expected
    assert s1["平台"] == "jdmall、testmall"


def test_evidence_export_verifies_the_stored_listing(
    env: WorkflowLane, tmp_path: Path
) -> None:
    out = tmp_path / "evidence.json"

    assert main(["evidence", SCREENED[0].alert_id, "--out", str(out)]) == 0

    record = orjson.loads(out.read_bytes())
    assert record["intact"] is True
    assert record["listing"]["title"] == SCREENED[0].title
    assert [h["action"] for h in record["disposition"]["history"]] == [
        "takedown_requested",
        "takedown_confirmed",
    ]
