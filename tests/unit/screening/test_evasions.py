"""Each evasion kind of EVAL.md is seen through (G1) and named in the match."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.screening import Verdict

Screen = Callable[..., Verdict]


@pytest.mark.parametrize(
    ("evasion", "title", "term"),
    [
        ("noise_symbols", "党-旗 抱枕 沙发靠垫", "党旗"),
        ("fullwidth", "建党１００周年纪念币 收藏", "建党100周年"),
        ("numeral_variants", "建党壹佰周年纪念币", "建党100周年"),
        ("traditional", "黨徽 鑰匙扣", "党徽"),
        ("zero_width", "国\u2060徽车贴 立体", "国徽"),
        ("emoji", "建党💯周年纪念章", "建党100周年"),
        ("repeated_chars", "光荣在党党50年纪念章", "光荣在党50年纪念章"),
        ("pinyin_initials", "JD百年纪念章 镀金", "建党百年"),
    ],
)
def test_evasion_is_decoded_and_named(
    verdict_of: Screen, evasion: str, title: str, term: str
) -> None:
    verdict = verdict_of(title)

    match = next(match for match in verdict.matches if match.term == term)
    assert verdict.risk == "high"
    assert evasion in match.evasions


def test_homophone_alone_is_medium_at_most(verdict_of: Screen) -> None:
    verdict = verdict_of("庆祝建当百年 纪念币 限量")

    assert verdict.risk == "medium"
    assert any(reason.rule_id == "uncertain_variant" for reason in verdict.reasons)


def test_term_split_between_title_and_description_has_a_span_in_each(
    verdict_of: Screen,
) -> None:
    verdict = verdict_of("纪念礼盒 建党", "百年 限量定制")

    match = next(match for match in verdict.matches if match.term == "建党百年")
    assert [span.field for span in match.spans] == ["title", "description"]
    assert [span.text for span in match.spans] == ["建党", "百年"]
    assert (match.field, match.start, match.end) == ("title", 5, 7)
    assert "split_fields" in match.evasions


def test_parts_far_apart_still_make_the_term(verdict_of: Screen) -> None:
    verdict = verdict_of("红色百年 纪念章 镀金", "庆祝建党 编号发行")

    assert verdict.risk == "high"
    assert any(match.variant_kind == "split" for match in verdict.matches)


def test_description_only_term_counts_as_if_in_the_title(verdict_of: Screen) -> None:
    verdict = verdict_of("酱香型白酒 500ml", "军队特供 量少")

    assert verdict.risk == "high"
    assert verdict.matches[0].field == "description"


def test_category_turns_a_bare_claim_into_a_campaign_term(verdict_of: Screen) -> None:
    assert verdict_of("内供 珍藏 2瓶装", category="酒类 > 白酒").risk == "medium"
    assert verdict_of("内供 珍藏 2瓶装").risk == "none"
