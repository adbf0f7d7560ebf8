"""Offline commands refuse what the worker refuses, one clear line each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listing_watch.cli import main


def test_non_string_title_is_a_schema_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"title": 123}\n{"title": "党徽胸针"}\n', encoding="utf-8")
    out = tmp_path / "v.jsonl"

    status = main(["screen", str(source), "--out", str(out), "--no-progress"])

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert status == 0
    assert lines[0]["error"].startswith("schema_error: title must be a string")
    assert lines[1]["risk"] == "medium"


def test_explain_refuses_non_string_title(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["explain", '{"title": 123}'])

    assert status != 0
    assert "title must be a string" in capsys.readouterr().err


def test_screen_to_missing_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"title": "党徽胸针"}\n', encoding="utf-8")

    status = main(["screen", str(source), "--out", str(tmp_path / "no" / "v.jsonl")])

    assert status != 0
    assert "cannot write verdicts to" in capsys.readouterr().err
