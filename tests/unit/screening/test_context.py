"""Benign context and rule combinations (EVAL.md G3-G7 and per-kind rules)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.screening import Verdict

Screen = Callable[..., Verdict]


@pytest.mark.parametrize(
    ("negative_kind", "title"),
    [
        ("online_only_zhuangong", "天猫专供款 保湿面霜 套装"),
        ("online_only_zhuangong", "代理商专供 红茶 礼盒"),
        ("jd_retailer_or_model", "【JD自营】电热水壶 1.7L"),
        ("jd_retailer_or_model", "电烙铁 JD-302 恒温"),
        ("other_anniversary", "母校建校一百周年纪念 定制徽章"),
        ("national_flag_lawful", "国旗 3号 阳台挂旗 带杆"),
        ("dang_slang_or_herb", "学生党宿舍小台灯"),
        ("dang_slang_or_herb", "党参 切片 250g"),
        ("party_admin_supplies", "党支部会议记录本 红色 A5"),
        ("substring_containment", "美国旗舰店 运动鞋"),
        ("substring_containment", "韩国歌手同款卫衣"),
        ("substring_containment", "国内供应 大米 10斤"),
        ("jiandang_lika", "孕妇建档资料夹 A4"),
        ("legal_publication", "国旗法 国徽法 单行本 法律出版社"),
        ("benign_medals_coins", "运动会奖章定制 金银铜"),
        ("celebration_other", "生日派对庆祝气球"),
        ("leader_word_benign", "会议主席台桌布 定制"),
        ("military_style_benign", "军工级防摔手机壳"),
    ],
)
def test_benign_context_does_not_alert(
    verdict_of: Screen, negative_kind: str, title: str
) -> None:
    assert not verdict_of(title).alert, negative_kind


def test_longer_allow_phrase_wins_and_is_reported(verdict_of: Screen) -> None:
    verdict = verdict_of("电商专供款 洗面奶")

    assert not verdict.alert
    assert any(reason.rule_id == "allow_phrase" for reason in verdict.reasons)


def test_allow_phrase_does_not_cover_an_organ_claim_beside_it(
    verdict_of: Screen,
) -> None:
    assert verdict_of("电商专供 政府特供 茶叶").risk == "high"


def test_claim_plus_organ_is_high(verdict_of: Screen) -> None:
    verdict = verdict_of("中南海内部特供 普洱 357g")

    assert verdict.risk == "high"
    assert verdict.violations[0] == "special_supply"


def test_bare_claim_on_liquor_is_medium(verdict_of: Screen) -> None:
    assert verdict_of("特供 老酒 53度").risk == "medium"


def test_centenary_with_medal_is_high_with_medal_kind_first(verdict_of: Screen) -> None:
    verdict = verdict_of("建党百年纪念币 礼盒")

    assert verdict.risk == "high"
    assert verdict.violations[0] == "medals_commemoratives"


def test_centenary_logo_cites_the_celebration_logo(verdict_of: Screen) -> None:
    verdict = verdict_of("建党100周年LOGO帆布袋")

    assert verdict.violations[0] == "party_state_symbols"
    assert "庆祝活动标识" in verdict.cited_terms()


def test_symbol_itself_is_medium_and_on_goods_high(verdict_of: Screen) -> None:
    assert verdict_of("党徽 胸针 10枚装").risk == "medium"
    assert verdict_of("党徽图案 T恤 纯棉").risk == "high"


def test_national_flag_on_a_doormat_is_high(verdict_of: Screen) -> None:
    assert verdict_of("五星红旗 入户地垫").risk == "high"


def test_old_collectible_lowers_a_leader_badge_to_medium(verdict_of: Screen) -> None:
    assert verdict_of("主席像章 新款 批发").risk == "high"
    assert verdict_of("主席像章 包老 文革时期").risk == "medium"


def test_state_honour_stays_high_as_an_old_collectible(verdict_of: Screen) -> None:
    assert verdict_of("七一勋章 老物件 包老").risk == "high"


def test_official_issue_claim_lowers_a_centenary_stamp_to_medium(
    verdict_of: Screen,
) -> None:
    assert verdict_of("中国共产党成立100周年纪念邮票 邮局正品 原胶").risk == "medium"


def test_allusion_without_owner_is_medium_and_with_owner_none(
    verdict_of: Screen,
) -> None:
    assert verdict_of("百年华诞 感恩回馈 秒杀").risk == "medium"
    assert verdict_of("母校百年华诞 校庆 纪念杯").risk == "none"


def test_banned_book_in_pinyin_is_settled_by_its_context(verdict_of: Screen) -> None:
    assert verdict_of("jinshu 合集").risk == "medium"
    assert verdict_of("jinshu 合集 台版 内幕").risk == "high"
