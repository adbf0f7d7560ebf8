"""The highlighted span is exactly the seller's characters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.screening import Verdict

Screen = Callable[..., Verdict]


@pytest.mark.parametrize(
    ("title", "highlighted"),
    [
        ("【热卖】建 党·1 0 0 周￥年纪念章", "建 党·1 0 0 周￥年"),
        ("礼盒 建黨百年 纪念", "建黨百年"),
        ("新品 建\u200b党\u200d百\u00ad年纪念章", "建\u200b党\u200d百\u00ad年"),
        ("😀😀 建党💯周年纪念章", "建党💯周年"),
        ("七一勋勋章 复刻", "七一勋勋章"),
        ("𠀀𠀀 党̷徽̷耳钉", "党̷徽̷"),
    ],
)
def test_span_covers_exactly_the_seller_characters(
    verdict_of: Screen, title: str, highlighted: str
) -> None:
    verdict = verdict_of(title)

    match = verdict.matches[0]
    assert match.text == highlighted
    assert title[match.start : match.end] == highlighted


def test_description_offsets_count_from_the_description(verdict_of: Screen) -> None:
    verdict = verdict_of("酱香酒", "好酒 部队特供")

    match = verdict.matches[0]
    assert (match.field, match.start, match.end, match.text) == (
        "description",
        3,
        7,
        "部队特供",
    )


@pytest.mark.parametrize(
    ("title", "highlighted"),
    [("党̷徽̷胸针", "党̷徽̷"), ("党徽⃝ 胸针", "党徽⃝"), ("胸针 党徽\u0301", "党徽\u0301")],
)
def test_highlight_covers_trailing_combining_and_enclosing_marks(
    verdict_of: Callable[..., Verdict], title: str, highlighted: str
) -> None:
    match = verdict_of(title).matches[0]

    assert match.text == highlighted
    assert title[match.start : match.end] == highlighted
