"""Output files are checked before any work and written whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from listing_watch.workflow.errors import OutputError
from listing_watch.workflow.outfiles import check_output, write_whole


def test_output_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "nonexistent" / "r.xlsx"

    with pytest.raises(OutputError, match=r"目录 .*nonexistent 不存在；请先创建它"):
        check_output(out, suffix=".xlsx")


def test_output_with_another_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"须以 \.xlsx 结尾.*例如 --out r\.xlsx"):
        check_output(tmp_path / "r.csv", suffix=".xlsx")


def test_output_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "r.xlsx"
    folder.mkdir()

    with pytest.raises(OutputError, match="是一个目录；请给出文件名"):
        check_output(folder, suffix=".xlsx")


def test_suffix_is_compared_without_case(tmp_path: Path) -> None:
    out = tmp_path / "R.XLSX"

    assert check_output(out, suffix=".xlsx") == out


def test_failed_write_leaves_neither_file_nor_partial(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"

    def fail(path: Path) -> None:
        path.write_bytes(b"PK")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"无法写入 .*r\.xlsx：No space left"):
        write_whole(out, fail)
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_bytes(b"old")

    write_whole(out, lambda path: path.write_bytes(b"new"))

    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    assert out.read_bytes() == b"new"
