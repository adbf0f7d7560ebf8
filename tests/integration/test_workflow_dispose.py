"""Dispositions on the real stack: events, index, the alert's history."""

from __future__ import annotations

import orjson
import pytest

from listing_watch.cli import main
from listing_watch.search.index import load_template
from listing_watch.workflow.indices import (
    DISPOSITIONS_TEMPLATE,
    ensure_workflow_indices,
)
from listing_watch.workflow.routing import route
from tests.integration.workflow_fixture import SCREENED, alert_document
from tests.integration.workflow_lanes import WorkflowLane, workflow_lane

__all__ = ["workflow_lane"]

WUHAN_LISTING = SCREENED[0]
HANGZHOU_LISTING = SCREENED[7]


@pytest.fixture
def cli_env(
    workflow_lane: WorkflowLane, monkeypatch: pytest.MonkeyPatch
) -> WorkflowLane:
    for name, value in workflow_lane.env.items():
        monkeypatch.setenv(name, value)
    documents = [alert_document(WUHAN_LISTING), alert_document(HANGZHOU_LISTING)]
    for document in documents:
        listing = document["listing"]
        document["routing"] = route(
            listing.get("seller_region"), listing["platform"], workflow_lane.workflow
        ).to_document()
    workflow_lane.index_alerts(documents)
    return workflow_lane


def test_sequence_of_dispositions_shows_as_history_on_the_alert(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = WUHAN_LISTING.alert_id
    steps = [
        ["takedown_requested"],
        ["takedown_confirmed"],
        ["case_opened", "--case", "汉市监案9号"],
        ["penalty", "--amount", "2000", "--case", "汉市监案9号"],
    ]
    for step in steps:
        assert main(["dispose", alert_id, *step, "--by", "李四"]) == 0
    capsys.readouterr()

    assert main(["dispose", alert_id, "--show", "--json"]) == 0

    shown = orjson.loads(capsys.readouterr().out)
    assert shown["state"] == "penalised"
    assert [h["action"] for h in shown["history"]] == [
        "takedown_requested",
        "takedown_confirmed",
        "case_opened",
        "penalty",
    ]
    alias = cli_env.lane.settings.search.alerts_alias
    indexed = cli_env.es.get(index=f"{alias}-000001", id=alert_id)["_source"]
    assert indexed["disposition"]["state_name"] == "已罚没"
    assert len(indexed["disposition"]["history"]) == 4
    events = cli_env.lane.read_topic(cli_env.workflow.dispositions_topic)
    assert sorted(orjson.loads(e.value() or b"{}")["action"] for e in events) == sorted(
        s[0] for s in steps
    )


def test_void_cancels_a_penalty_in_the_alerts_state(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = WUHAN_LISTING.alert_id
    main(
        ["dispose", alert_id, "penalty", "--amount", "50000", "--by", "李四", "--json"]
    )
    penalty_id = orjson.loads(capsys.readouterr().out)["history"][-1]["disposition_id"]

    status = main(
        [
            "dispose",
            alert_id,
            "void",
            "--voids",
            penalty_id,
            "--reason",
            "金额录错",
            "--by",
            "李四",
            "--json",
        ]
    )

    shown = orjson.loads(capsys.readouterr().out)
    assert status == 0
    assert shown["state"] == "new"
    assert [h["voided"] for h in shown["history"]] == [True, False]


def test_unknown_alert_is_refused_with_one_line(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["dispose", "nosuchalert", "dismiss", "--reason", "x", "--by", "李四"]
    )

    error = capsys.readouterr().err
    assert status == 2
    assert "告警 nosuchalert 不存在" in error
    assert error.count("\n") == 1


def test_confirmation_without_request_is_refused(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["dispose", WUHAN_LISTING.alert_id, "takedown_confirmed", "--by", "李四"]
    )

    assert status == 2
    assert "请先记录 takedown_requested" in capsys.readouterr().err


def test_negative_amount_is_refused(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["dispose", WUHAN_LISTING.alert_id, "penalty", "--amount", "-5", "--by", "李四"]
    )

    assert status == 2
    assert "不带指数、符号或分隔符" in capsys.readouterr().err


def test_amount_the_index_cannot_hold_never_reaches_the_topic(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = WUHAN_LISTING.alert_id

    status = main(["dispose", alert_id, "penalty", "--amount", "1e400", "--by", "李四"])

    error = capsys.readouterr().err
    assert status == 2
    assert "格式不对" in error
    assert error.count("\n") == 1
    assert list(cli_env.lane.read_topic(cli_env.workflow.dispositions_topic)) == []


def test_action_the_index_refuses_is_kept_and_repaired_by_sync(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = WUHAN_LISTING.alert_id
    backing = f"{cli_env.workflow.dispositions_alias}-000001"
    cli_env.es.indices.put_settings(
        index=backing, settings={"index.blocks.write": True}
    )
    try:
        status = main(["dispose", alert_id, "escalated", "--by", "李四"])
    finally:
        cli_env.es.indices.put_settings(
            index=backing, settings={"index.blocks.write": False}
        )
    error = capsys.readouterr().err
    assert status == 2
    assert "已记录在主题" in error
    assert f"listing-watch dispose {alert_id} --sync" in error
    assert error.count("\n") == 1

    assert main(["dispose", alert_id, "--sync", "--json"]) == 0

    shown = orjson.loads(capsys.readouterr().out)
    assert [h["action"] for h in shown["history"]] == ["escalated"]
    assert main(["dispose", alert_id, "--show", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["state"] == "escalated"


def test_penalty_is_indexed_with_its_amount_in_fen(cli_env: WorkflowLane) -> None:
    alert_id = WUHAN_LISTING.alert_id
    argv = ["dispose", alert_id, "penalty", "--amount", "999999999999.99"]

    assert main([*argv, "--by", "李四"]) == 0

    response = cli_env.es.search(
        index=cli_env.workflow.dispositions_alias,
        query={"term": {"alert_id": alert_id}},
        aggs={"fen": {"sum": {"field": "amount_fen"}}},
    )
    assert response["aggregations"]["fen"]["value"] == 99999999999999
    (hit,) = response["hits"]["hits"]
    assert hit["_source"]["amount_yuan"] == "999999999999.99"


def test_index_made_before_amount_fen_refuses_before_publishing(
    cli_env: WorkflowLane, capsys: pytest.CaptureFixture[str]
) -> None:
    alias = cli_env.workflow.dispositions_alias
    mappings = load_template(DISPOSITIONS_TEMPLATE)["template"]["mappings"]
    del mappings["properties"]["amount_fen"]
    older = f"{alias}_before_fen"  # outside the template's pattern alias-*
    cli_env.es.indices.delete(index=f"{alias}-000001")
    cli_env.es.indices.create(
        index=older, mappings=mappings, aliases={alias: {"is_write_index": True}}
    )
    argv = ["dispose", WUHAN_LISTING.alert_id, "penalty", "--amount", "500"]
    try:
        status = main([*argv, "--by", "李四"])
    finally:
        cli_env.es.indices.delete(index=older)
        cli_env.es.indices.create(
            index=f"{alias}-000001", aliases={alias: {"is_write_index": True}}
        )

    error = capsys.readouterr().err
    assert status == 2
    assert "缺少字段 amount_fen" in error
    assert "请先运行 listing-watch setup" in error
    assert list(cli_env.lane.read_topic(cli_env.workflow.dispositions_topic)) == []


def test_setup_adds_amount_fen_to_an_older_dispositions_index(
    cli_env: WorkflowLane,
) -> None:
    alias = cli_env.workflow.dispositions_alias
    mappings = load_template(DISPOSITIONS_TEMPLATE)["template"]["mappings"]
    del mappings["properties"]["amount_fen"]
    older = f"{alias}_before_fen"
    cli_env.es.indices.create(index=older, mappings=mappings, aliases={alias: {}})
    try:
        ensure_workflow_indices(
            cli_env.es,
            cli_env.workflow,
            alerts_alias=cli_env.lane.settings.search.alerts_alias,
        )
        mapped = cli_env.es.indices.get_mapping(index=older)
    finally:
        cli_env.es.indices.delete(index=older)

    assert "amount_fen" in mapped[older]["mappings"]["properties"]


def test_out_of_province_alert_says_where_to_forward(cli_env: WorkflowLane) -> None:
    alias = cli_env.lane.settings.search.alerts_alias
    hits = cli_env.es.search(index=alias, query={"term": {"routing.in_unit": False}})[
        "hits"
    ]["hits"]

    (hit,) = hits
    assert hit["_source"]["listing"]["listing_id"] == HANGZHOU_LISTING.listing_id
    assert hit["_source"]["routing"]["forward_to"]["name"] == "杭州市市场监督管理局"


def test_two_character_term_finds_the_alert_with_its_match_highlighted(
    cli_env: WorkflowLane,
) -> None:
    alias = cli_env.lane.settings.search.alerts_alias
    response = cli_env.es.search(
        index=alias,
        query={"match_phrase": {"listing.title": "收藏"}},
        highlight={"fields": {"listing.title": {}}},
    )
    (hit,) = response["hits"]["hits"]
    assert "<em>收藏</em>" in hit["highlight"]["listing.title"][0]


def test_missing_alerts_alias_says_to_run_setup(
    cli_env: WorkflowLane,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = f"{cli_env.workflow.dispositions_alias}-no-alerts"
    monkeypatch.setenv("LW_ES_ALERTS_ALIAS", missing)

    status = main(["dispose", WUHAN_LISTING.alert_id, "--show"])

    error = capsys.readouterr().err
    assert status == 2
    assert f"索引或别名 {missing} 不存在；请先运行 listing-watch setup" in error
    assert error.count("\n") == 1
