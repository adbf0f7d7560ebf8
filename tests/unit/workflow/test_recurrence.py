"""Dismissed listings stay quiet unless worse; re-posts link to the old alert."""

from __future__ import annotations

from listing_watch.workflow.recurrence import alerts_again, repost_key


def test_edit_with_the_same_verdict_after_dismissal_does_not_alert() -> None:
    assert not alerts_again(dismissed_risk="medium", new_risk="medium")


def test_edit_with_a_worse_verdict_after_dismissal_alerts() -> None:
    assert alerts_again(dismissed_risk="medium", new_risk="high")


def test_repost_with_spacing_and_fullwidth_changes_has_the_same_key() -> None:
    first = repost_key("testmall", "s1", "七一勋章 纪念版 100")
    again = repost_key("testmall", "s1", "【七一勋章】纪念版１００")

    assert first == again


def test_repost_by_another_shop_is_not_linked() -> None:
    assert repost_key("testmall", "s1", "七一勋章") != repost_key(
        "testmall", "s2", "七一勋章"
    )


def test_listing_without_shop_has_no_repost_key() -> None:
    assert repost_key("testmall", None, "七一勋章") is None
