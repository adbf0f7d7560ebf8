"""Campaigns in the screen: judged on the listing's Shanghai day, named in reasons.

The library's campaign 七一前后集中整治 runs 2021-06-15 to 2021-07-15
(keywords/campaigns.txt, notice section 2(二)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from listing_watch.screening import (
    CompiledLibrary,
    ListingText,
    Verdict,
    screen,
    screen_many,
)

CAMPAIGN = "七一前后集中整治"
LABEL = "专项行动「七一前后集中整治」（2021-06-15至2021-07-15）加权"
SHANGHAI = timezone(timedelta(hours=8))
EMBLEM_PIN = "党徽胸针 镀金"  # 党徽 alone: medium, weight 0.5
CENTENARY_PROMO = "百年华诞 感恩回馈 全场8折"  # medium allusion with a promotion


def _observed(title: str, moment: datetime) -> ListingText:
    return ListingText(title=title, observed_at=moment)


def _campaign_reasons(verdict: Verdict) -> list[str]:
    return [r.text for r in verdict.reasons if r.rule_id == "campaign"]


def test_listing_inside_the_period_scores_higher_and_names_the_campaign(
    library: CompiledLibrary,
) -> None:
    inside = screen(
        _observed(EMBLEM_PIN, datetime(2021, 7, 1, tzinfo=SHANGHAI)), library
    )
    outside = screen(
        _observed(EMBLEM_PIN, datetime(2021, 8, 1, tzinfo=SHANGHAI)), library
    )

    assert (outside.risk, outside.score) == ("medium", 0.5)
    assert (inside.risk, inside.score) == ("medium", 0.65)
    assert _campaign_reasons(outside) == []
    assert _campaign_reasons(inside) == [f"{LABEL}：关键词「党徽」0.50→0.65"]
    assert inside.reasons[-1].rule == CAMPAIGN


def test_centenary_promotion_turns_high_inside_the_period(
    library: CompiledLibrary,
) -> None:
    inside = screen(
        _observed(CENTENARY_PROMO, datetime(2021, 6, 20, tzinfo=SHANGHAI)), library
    )
    outside = screen(
        _observed(CENTENARY_PROMO, datetime(2021, 6, 1, tzinfo=SHANGHAI)), library
    )

    assert outside.risk == "medium"
    assert inside.risk == "high"
    assert "规则「百年华诞营销暗示」0.60→0.80" in _campaign_reasons(inside)[0]


@pytest.mark.parametrize(
    ("moment", "in_force"),
    [
        (datetime(2021, 6, 15, 0, 0, tzinfo=SHANGHAI), True),  # first day
        (datetime(2021, 6, 14, 23, 59, tzinfo=SHANGHAI), False),
        (datetime(2021, 7, 15, 23, 59, tzinfo=SHANGHAI), True),  # last day
        (datetime(2021, 7, 16, 0, 0, tzinfo=SHANGHAI), False),
        # UTC times count on the Shanghai calendar, eight hours ahead.
        (datetime(2021, 6, 14, 16, 0, tzinfo=UTC), True),
        (datetime(2021, 6, 14, 15, 59, tzinfo=UTC), False),
        (datetime(2021, 7, 15, 15, 59, tzinfo=UTC), True),
        (datetime(2021, 7, 15, 16, 0, tzinfo=UTC), False),
        # A naive time is Shanghai wall time, as in listing events.
        (datetime(2021, 7, 15, 23, 0), True),
        (datetime(2021, 6, 14, 23, 0), False),
    ],
)
def test_period_boundaries_are_shanghai_days_inclusive(
    library: CompiledLibrary, moment: datetime, in_force: bool
) -> None:
    verdict = screen(_observed(EMBLEM_PIN, moment), library)

    assert bool(_campaign_reasons(verdict)) is in_force


def test_listing_without_time_gets_no_campaign_unless_as_of_is_given(
    library: CompiledLibrary,
) -> None:
    text = ListingText(title=EMBLEM_PIN)

    assert screen(text, library).score == 0.5
    assert screen(text, library, as_of=date(2021, 7, 1)).score == 0.65
    assert screen(text, library, as_of=date(2021, 7, 16)).score == 0.5


def test_observed_time_wins_over_as_of(library: CompiledLibrary) -> None:
    text = _observed(EMBLEM_PIN, datetime(2021, 8, 1, tzinfo=SHANGHAI))

    assert screen(text, library, as_of=date(2021, 7, 1)).score == 0.5


def test_batch_and_single_screens_agree_under_campaigns(
    library: CompiledLibrary,
) -> None:
    moments = [datetime(2021, 7, 1, tzinfo=SHANGHAI), None]
    texts = [
        ListingText(title=title, observed_at=moment)
        for title in (EMBLEM_PIN, CENTENARY_PROMO, "家用取暖器 小太阳")
        for moment in moments
    ]
    as_of = date(2021, 6, 20)

    batch = screen_many(texts, library, as_of=as_of)

    assert batch == [screen(text, library, as_of=as_of) for text in texts]


def test_initials_are_not_raised_by_a_campaign(library: CompiledLibrary) -> None:
    verdict = screen(
        ListingText(title="JD百年好合 喜字 贴纸"), library, as_of=date(2021, 7, 1)
    )

    assert verdict.risk == "none"
    assert _campaign_reasons(verdict) == []


def test_firm_state_honour_stays_high_and_unchanged(library: CompiledLibrary) -> None:
    verdict = screen(
        ListingText(title="七一勋章 复刻"), library, as_of=date(2021, 7, 1)
    )

    assert verdict.risk == "high"
