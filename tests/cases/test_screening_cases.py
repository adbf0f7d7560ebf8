"""Screening field cases S1-S5, from ../shared/cases/screening.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from listing_watch.library import load_library
from listing_watch.screening import CompiledLibrary, ListingText, Verdict, screen

KEYWORDS = Path(__file__).resolve().parents[2] / "keywords"


@pytest.fixture(scope="module")
def library() -> CompiledLibrary:
    return load_library(KEYWORDS)


def _screen(library: CompiledLibrary, title: str) -> Verdict:
    return screen(ListingText(title=title), library)


def _texts(verdict: Verdict) -> dict[str, str]:
    return {match.term: match.text for match in verdict.matches}


def test_s1_noise_between_characters(library: CompiledLibrary) -> None:
    verdict = _screen(library, "建 党·1 0 0 周￥年 纪.念.章 收藏")

    assert verdict.risk == "high"
    assert _texts(verdict) == {
        "建党100周年": "建 党·1 0 0 周￥年",
        "纪念章": "纪.念.章",
    }


@pytest.mark.parametrize(
    "title",
    [
        "建党１００周年纪念币",
        "建党①⓪⓪周年纪念币",
        "建党一百周年纪念币",
        "建党一〇〇周年纪念币",
        "建党💯周年纪念章",
    ],
)
def test_s2_numerals_in_every_dress(library: CompiledLibrary, title: str) -> None:
    verdict = _screen(library, title)

    assert verdict.risk == "high"
    assert "建党100周年" in _texts(verdict)
    assert {"纪念币", "纪念章"} & set(_texts(verdict))


def test_s3_traditional_characters(library: CompiledLibrary) -> None:
    title = "建黨百年紀念幣 國宴專用 軍隊特供 勳章"

    verdict = _screen(library, title)

    found = _texts(verdict)
    for term in ("建党百年", "纪念币", "国宴专用", "军队特供", "勋章"):
        assert found[term] in title
    assert found["军队特供"] == "軍隊特供"
    assert verdict.risk == "high"


@pytest.mark.parametrize(
    ("title", "term", "highlighted"),
    [
        ("建\u200b党\u200d百\u00ad年纪念章", "建党百年", "建\u200b党\u200d百\u00ad年"),
        ("党\u0337徽\u0337胸针", "党徽", "党\u0337徽\u0337"),
    ],
)
def test_s4_invisible_and_combining_characters(
    library: CompiledLibrary, title: str, term: str, highlighted: str
) -> None:
    verdict = _screen(library, title)

    assert verdict.alert
    assert _texts(verdict)[term] == highlighted


@pytest.mark.parametrize(
    ("title", "risk"),
    [
        ("jd100周年纪念章", "high"),
        ("建d百年勋章", "high"),
        ("建档100周年纪念章", "medium"),
        ("贫困户建档立卡服务", "none"),
    ],
)
def test_s5_letters_initials_and_sound_alikes(
    library: CompiledLibrary, title: str, risk: str
) -> None:
    assert _screen(library, title).risk == risk
