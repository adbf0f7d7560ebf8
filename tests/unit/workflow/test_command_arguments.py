"""Commands refuse bad dates and output paths in one line, before any work.

Field cases (review, item 2): ``report --from 0001-01-01 --to 9999-12-31``
overflowed; ``--out /nonexistent/dir/r.xlsx`` printed the table and then a
traceback; ``--out r.csv`` wrote xlsx bytes under a csv name. None of these
tests reaches Kafka or Elasticsearch: each refusal comes first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from listing_watch.cli import main

PERIOD = ["--unit", "420000", "--from", "2021-06-01", "--to", "2021-06-30"]


def stderr_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    return lines[-1]


@pytest.mark.parametrize(
    ("first", "last"), [("0001-01-01", "2021-06-30"), ("2021-06-01", "9999-12-31")]
)
def test_report_refuses_days_outside_2000_to_2100(
    first: str, last: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--unit", "420000", "--from", first, "--to", last])

    assert exit_.value.code == 2
    assert "超出可用范围 2000-01-01 至 2100-12-31" in stderr_line(capsys)


def test_report_refuses_a_day_that_is_not_a_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--unit", "420000", "--from", "2021-13-01", "--to", "x"])

    assert "不是日期；请用 YYYY-MM-DD 格式" in stderr_line(capsys)


def test_report_refuses_to_before_from(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", "--unit", "420000", "--from", "2021-07-01", "--to", "2021-06-01"]

    assert main(argv) == 2
    assert "早于 --from 2021-07-01" in stderr_line(capsys)


def test_report_into_a_missing_folder_is_refused_before_counting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nonexistent" / "dir" / "r.xlsx"

    assert main(["report", *PERIOD, "--out", str(out)]) == 2
    assert "不存在；请先创建它" in stderr_line(capsys)


def test_report_under_a_csv_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *PERIOD, "--out", str(tmp_path / "r.csv")]) == 2
    assert "须以 .xlsx 结尾" in stderr_line(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "name", "suffix"),
    [
        (
            ["takedowns", "--platform", "testmall", "--since", "2021-06-01"],
            "t.csv",
            "xlsx",
        ),
        (["forward", "--unit", "330100"], "f.txt", "xlsx"),
        (["shops"], "s.csv", "xlsx"),
        (["evidence", "a1"], "e.txt", "json"),
    ],
)
def test_every_file_writing_command_checks_its_out_first(
    argv: list[str],
    name: str,
    suffix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*argv, "--out", str(tmp_path / name)]) == 2
    assert f"须以 .{suffix} 结尾" in stderr_line(capsys)

    assert main([*argv, "--out", str(tmp_path / "no" / f"x.{suffix}")]) == 2
    assert "不存在；请先创建它" in stderr_line(capsys)


def test_takedowns_default_file_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    argv = ["takedowns", "--platform", "a/b", "--since", "2021-06-01"]

    assert main(argv) == 2
    assert "目录 takedowns-a 不存在" in stderr_line(capsys)


def test_shops_refuses_a_top_below_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shops", "--top", "0"]) == 2
    assert "--top 0 须为正整数" in stderr_line(capsys)


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        ("1e400", "格式不对"),
        ("1e15", "格式不对"),
        ("12345678901234567890.12", "超出上限"),
    ],
)
def test_dispose_refuses_an_unusable_amount_before_connecting(
    raw: str,
    refusal: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_store() -> None:
        raise AssertionError("the amount must be refused before connecting")

    monkeypatch.setattr("listing_watch.commands.dispose.open_store", no_store)
    argv = ["dispose", "a1", "penalty", "--amount", raw, "--by", "李四"]

    assert main(argv) == 2
    assert refusal in stderr_line(capsys)


def test_dispose_refuses_an_at_that_is_not_a_moment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["dispose", "a1", "escalated", "--by", "李四", "--at", "yesterday"])

    assert "不是时间；请用 ISO 8601 格式" in stderr_line(capsys)
