"""Fixtures for screening tests: the project's own library and a text factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from listing_watch.library import load_library
from listing_watch.screening import CompiledLibrary, ListingText, Verdict, screen

KEYWORDS = Path(__file__).resolve().parents[3] / "keywords"


@pytest.fixture(scope="session")
def library() -> CompiledLibrary:
    return load_library(KEYWORDS)


@pytest.fixture
def verdict_of(library: CompiledLibrary) -> Callable[..., Verdict]:
    """Screen a title (and optionally description and category)."""

    def verdict_of(title: str, description: str = "", category: str = "") -> Verdict:
        text = ListingText(title=title, description=description, category=category)
        return screen(text, library)

    return verdict_of
