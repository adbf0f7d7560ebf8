"""Output files (workbooks, evidence): checked before any work, written whole.

A command checks its ``--out`` before it queries anything, so a typo in a
folder name costs nothing. The file is written next to its final name and
renamed into place, so a failed write never leaves a truncated workbook
that looks like a finished one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from listing_watch.workflow.errors import OutputError


def check_output(path: Path, *, suffix: str, option: str = "--out") -> Path:
    """``path`` if a ``suffix`` file can be written there, else why not.

    >>> check_output(Path("annex2.csv"), suffix=".xlsx")
    Traceback (most recent call last):
    ...
    listing_watch.workflow.errors.OutputError: --out annex2.csv：文件名须以 \
.xlsx 结尾（写出的是 .xlsx 文件），例如 --out annex2.xlsx
    """
    if path.suffix.lower() != suffix:
        raise OutputError(
            f"{option} {path}：文件名须以 {suffix} 结尾（写出的是 {suffix} 文件），"
            f"例如 {option} {path.with_suffix(suffix).name}"
        )
    if path.is_dir():
        raise OutputError(f"{option} {path} 是一个目录；请给出文件名")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            f"{option} {path}：目录 {folder} 不存在；请先创建它，或换一个路径"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {path}：目录 {folder} 不可写；请换一个路径")
    return path


def write_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a temporary name beside ``path``, then rename it."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    except OSError as error:
        raise OutputError(
            f"无法写入 {path}：{error.strerror or error}；请检查磁盘空间和权限"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
