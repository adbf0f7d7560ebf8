"""A factory for small keyword libraries written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

MINIMAL_TERMS = """\
@kind medals_commemoratives
@source test
纪念章   weight=0.15  tags=medal
"""


@pytest.fixture
def write_library(tmp_path: Path) -> Callable[..., Path]:
    """Write a library root; each keyword argument is one file's text."""

    def write_library(
        terms: str = MINIMAL_TERMS, *, number: str = "1\n", **files: str
    ) -> Path:
        root = tmp_path / "keywords"
        (root / "terms").mkdir(parents=True, exist_ok=True)
        (root / "VERSION").write_text(number, encoding="utf-8")
        (root / "terms" / "01-test.terms").write_text(terms, encoding="utf-8")
        for name, text in files.items():
            (root / f"{name}.txt").write_text(text, encoding="utf-8")
        return root

    return write_library
