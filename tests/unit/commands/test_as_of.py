"""``--as-of DATE`` on explain, screen and evaluate: campaigns for timeless listings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from listing_watch.cli import main
from listing_watch.commands.evaluate import score_file
from listing_watch.commands.offline_input import read_input

KEYWORDS = Path(__file__).resolve().parents[3] / "keywords"
CAMPAIGN_REASON = "专项行动「七一前后集中整治」（2021-06-15至2021-07-15）加权"
EMBLEM_PIN = "党徽胸针 镀金"


def _write(path: Path, *records: dict[str, object]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    return path


def test_explain_as_of_names_the_campaign(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", EMBLEM_PIN, "--library", str(KEYWORDS)]

    main([*args, "--as-of", "2021-07-01"])
    inside = capsys.readouterr().out
    main(args)
    without = capsys.readouterr().out

    assert CAMPAIGN_REASON in inside
    assert "得分 0.65" in inside
    assert CAMPAIGN_REASON not in without
    assert "得分 0.5" in without


def test_screen_as_of_applies_only_to_listings_without_observed_at(
    tmp_path: Path,
) -> None:
    listings = _write(
        tmp_path / "in.jsonl",
        {"id": "timeless", "title": EMBLEM_PIN},
        {"id": "august", "title": EMBLEM_PIN, "observed_at": "2021-08-01T10:00:00"},
    )
    out = tmp_path / "out.jsonl"

    main(
        [
            "screen",
            str(listings),
            "--out",
            str(out),
            "--library",
            str(KEYWORDS),
            "--no-progress",
            "--as-of",
            "2021-07-01",
        ]
    )

    scores = {
        r["id"]: r["score"] for r in map(orjson.loads, out.read_bytes().splitlines())
    }
    assert scores == {"timeless": 0.65, "august": 0.5}


def test_evaluate_as_of_raises_the_campaign_focus(tmp_path: Path) -> None:
    labelled = _write(
        tmp_path / "labelled.jsonl",
        {"id": "x", "title": EMBLEM_PIN, "label": {"alert": True, "risk": "medium"}},
    )
    lines = list(read_input(labelled))

    plain = score_file(lines, KEYWORDS)
    in_campaign = score_file(lines, KEYWORDS, as_of=date(2021, 7, 1))

    assert [s.verdict.score for s in plain] == [0.5]
    assert [s.verdict.score for s in in_campaign] == [0.65]


def test_as_of_that_is_no_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", EMBLEM_PIN, "--as-of", "2021/07/01"])

    assert exit_info.value.code == 2
    assert "is not a date: write YYYY-MM-DD" in capsys.readouterr().err
