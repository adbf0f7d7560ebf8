"""Kinds of fault found with the team's held-out set, each fixed in general.

Each test states the rule of EVAL.md it follows with more than one surface
form, so that it guards the mechanism rather than one listing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.screening import Verdict

Screen = Callable[..., Verdict]


@pytest.mark.parametrize(
    "title",
    ["茶馆专供 普洱 散装", "白酒 KTV专供 整箱", "火锅店专供 牛油底料", "酒吧特供 啤酒"],
)
def test_any_shop_type_before_zhuangong_is_a_channel(
    verdict_of: Screen, title: str
) -> None:
    assert verdict_of(title).risk == "none"


@pytest.mark.parametrize(
    "title", ["钓鱼台国宾馆专供 龙井", "国务院专供 红茶", "国宾馆特供 白酒"]
)
def test_venue_reaching_into_a_channel_phrase_keeps_the_claim(
    verdict_of: Screen, title: str
) -> None:
    assert verdict_of(title).risk == "high"


@pytest.mark.parametrize(
    "title", ["部队专用 军用水壶", "全国人大会议用酒 52度", "军区特供 酱香白酒"]
)
def test_organ_named_without_an_annex_term_ties_a_claim(
    verdict_of: Screen, title: str
) -> None:
    assert verdict_of(title).risk == "high"


def test_organ_word_with_no_claim_stays_clear(verdict_of: Screen) -> None:
    assert not verdict_of("导游讲解器 政府会议接待 无线").alert


@pytest.mark.parametrize("title", ["【JD】百年老字号 剪刀", "JD百年好合 喜字"])
def test_leading_initials_alone_do_not_alert(verdict_of: Screen, title: str) -> None:
    assert not verdict_of(title).alert


@pytest.mark.parametrize("title", ["JD百年纪念币", "jd100周年纪念章", "建d百年勋章"])
def test_initials_with_a_medal_are_the_term(verdict_of: Screen, title: str) -> None:
    assert verdict_of(title).risk == "high"


@pytest.mark.parametrize(
    ("title", "risk"),
    [
        ("党徽 摆件 车载 金属", "high"),
        ("国徽 摆件 客厅", "high"),
        ("党旗摆件 办公室桌旗 旗杆", "medium"),
        ("党旗 车载旗 小红旗", "medium"),
    ],
)
def test_emblem_ornament_is_goods_but_desk_flag_is_a_flag(
    verdict_of: Screen, title: str, risk: str
) -> None:
    assert verdict_of(title).risk == risk


@pytest.mark.parametrize(
    "title", ["建党百年 纪念银币", "建党100周年 纪念金章", "建党百年 纪念徽章"]
)
def test_precious_metal_and_badge_forms_cite_the_medal_term(
    verdict_of: Screen, title: str
) -> None:
    verdict = verdict_of(title)

    assert verdict.risk == "high"
    assert {"纪念币", "纪念章"} & verdict.cited_terms()


@pytest.mark.parametrize(
    "title",
    [
        "侵华日军南京大屠杀史 南京出版社",
        "纳粹德国的兴亡 译林出版社",
        "德国徽章 胸针 啤酒节",
        "福建党参 特级",
        "7月1日 新店开业 庆祝 全场五折",
        "某医院百年华诞 纪念品 定制",
    ],
)
def test_history_books_containment_and_other_occasions_stay_clear(
    verdict_of: Screen, title: str
) -> None:
    assert not verdict_of(title).alert


@pytest.mark.parametrize(
    "title",
    [
        "防火防盗防河南人 贴纸",
        "防火防盗防东北人 门贴",
        "邱少云 恶搞 表情包",
        "神风特攻队 头巾",
        "无码 AV 高清 合集",
    ],
)
def test_named_groups_martyrs_and_militarism_are_high(
    verdict_of: Screen, title: str
) -> None:
    assert verdict_of(title).risk == "high"
