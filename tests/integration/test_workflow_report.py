"""The Annex 2 report, cell by cell, against a count made from the fixture.

The expected figures are counted here from the fixture's own objects with
nothing but comprehensions (regions by code prefix, days by zoneinfo), so
the product's counting code is checked, not reused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from listing_watch.cli import main
from listing_watch.workflow.coverage import CoverageBatch
from tests.integration.workflow_fixture import ACTS, SCREENED, alert_document
from tests.integration.workflow_lanes import WorkflowLane, workflow_lane

__all__ = ["workflow_lane"]

FIRST, LAST = date(2021, 6, 1), date(2021, 6, 30)


def shanghai(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo("Asia/Shanghai")).date()


def expected_figures(prefix: str) -> list[int | Decimal]:
    """Annex 2 for the unit whose codes start with ``prefix``, from the fixture."""

    def under(index: int) -> bool:
        region = SCREENED[index].region
        return region is not None and region.startswith(prefix)

    def in_period(moment: str) -> bool:
        return FIRST <= shanghai(moment) <= LAST

    screened = [
        (i, s) for i, s in enumerate(SCREENED) if under(i) and in_period(s.observed_at)
    ]
    voided = {act.voided_by and i for i, act in enumerate(ACTS) if act.voided_by}
    acts = [a for i, a in enumerate(ACTS) if i not in voided and a.action != "void"]
    dismissed = {
        target
        for target in {a.target for a in acts}
        if [
            a.action
            for a in acts
            if a.target == target and a.action in ("dismiss", "reopen")
        ][-1:]
        == ["dismiss"]
    }
    counted = [a for a in acts if under(a.target) and in_period(a.at)]
    penalties = {
        a.fields.get("decision") or id(a): a.fields["amount_yuan"]
        for a in counted
        if a.action == "penalty"
    }
    return [
        len({(shanghai(s.observed_at), s.platform, s.shop_id) for _, s in screened}),
        len({s.key for _, s in screened if s.matched}),
        len({s.key for i, s in screened if s.alert and i not in dismissed}),
        len(
            {
                SCREENED[a.target].key
                for a in counted
                if a.action == "takedown_requested"
            }
        ),
        len({a.fields["case_number"] for a in counted if a.action == "case_opened"}),
        sum(penalties.values(), Decimal()),
    ]


@pytest.fixture
def campaign(workflow_lane: WorkflowLane) -> WorkflowLane:
    """The fixture indexed: coverage in two batches plus a replay, alerts, acts."""
    batches = [SCREENED[:7], SCREENED[7:], SCREENED[:7]]  # the third is a replay
    for batch_items in batches:
        batch = CoverageBatch(workflow_lane.workflow)
        for item in batch_items:
            batch.add(item.listing(), item)
        workflow_lane.index_coverage(
            (doc.doc_id, doc.document) for doc in batch.to_documents()
        )
    workflow_lane.index_alerts(alert_document(s) for s in SCREENED if s.alert)

    store = workflow_lane.store()
    recorded: list[str] = []
    for act in ACTS:
        fields = dict(act.fields)
        if act.action == "void":
            victim = next(i for i, a in enumerate(ACTS) if a.voided_by == len(recorded))
            fields["voids"] = recorded[victim]
        disposition, _ = store.dispose(
            SCREENED[act.target].alert_id,
            act.action,  # type: ignore[arg-type]
            by="测试员",
            at=datetime.fromisoformat(act.at),
            **fields,
        )
        recorded.append(disposition.disposition_id)
    return workflow_lane


@pytest.mark.parametrize(
    ("unit", "prefix"),
    [("420100", "4201"), ("420000", "42"), ("429004", "429004")],
)
def test_report_matches_the_fixture_count_cell_by_cell(
    campaign: WorkflowLane,
    *,
    unit: str,
    prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in campaign.env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "annex2.xlsx"

    status = main(
        [
            "report",
            "--unit",
            unit,
            "--from",
            "2021-06-01",
            "--to",
            "2021-06-30",
            "--out",
            str(out),
            "--filled-on",
            "2021-08-05",
        ]
    )

    assert status == 0
    sheet = openpyxl.load_workbook(out).active
    cells = [sheet.cell(row=row, column=2).value for row in range(5, 11)]
    expected = expected_figures(prefix)
    assert cells[:5] == expected[:5]
    assert Decimal(str(cells[5])) == expected[5]
    assert [sheet.cell(row=row, column=3).value for row in range(5, 11)] == [
        "个次",
        "个",
        "条",
        "条",
        "件",
        "元",
    ]
    assert "填报日期：8月5日" in sheet.cell(row=3, column=1).value
    assert "罚没金额" in capsys.readouterr().out


def test_wuhan_fixture_figures_are_the_ones_worked_out_by_hand() -> None:
    # Guards the independent count itself: see the comments in the fixture.
    assert expected_figures("4201") == [8, 8, 6, 3, 2, Decimal("8800.50")]
