"""Letters for 建党 (EVAL.md G5, G6): an evasion, initials or another word."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.screening import Verdict

VerdictOf = Callable[..., Verdict]


@pytest.mark.parametrize(
    "title",
    [
        "搭建D百年品牌",
        "帮你搭建D百年企业官网",
        "搭建d百年老店 品牌故事",
        "搭建 d 百年老店",
        "组建D百年 团队拓展训练",
        "扩建d100周年厂房 施工",
        "城建D百年规划图册",
    ],
)
def test_g5_letter_form_across_word_edge_is_containment(
    verdict_of: VerdictOf, title: str
) -> None:
    assert verdict_of(title).risk == "none"


@pytest.mark.parametrize(
    "title",
    ["JD 100周年店庆 全场满减", "JD百年店庆 全场五折", "jd 100周年 满199减100"],
)
def test_g6_initials_without_souvenir_do_not_alert(
    verdict_of: VerdictOf, title: str
) -> None:
    assert verdict_of(title).risk == "none"


@pytest.mark.parametrize(
    "title",
    [
        "JD100周年纪念品",
        "JD百年纪念章",
        "建D百年纪念币",
        "创建D100周年纪念章",
        "庆祝建D百年 全场满减",
    ],
)
def test_g6_initials_with_souvenir_or_evasion_are_high(
    verdict_of: VerdictOf, title: str
) -> None:
    assert verdict_of(title).risk == "high"
