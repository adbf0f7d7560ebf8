"""What a retro-hunt does with one listing version: raise, upgrade, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from listing_watch.errors import ConfigError
from listing_watch.library.bundle import LibraryBundle, compile_bundle
from listing_watch.pipeline.retrohunt import Existing, decide, parse_since
from listing_watch.screening import ListingText, Verdict, screen
from tests.unit.library_lifecycle.conftest import TERMS

NOW = datetime(2021, 6, 28, 12, 0, tzinfo=UTC)


def verdict(title: str, extra_terms: str = "") -> Verdict:
    library = compile_bundle(
        LibraryBundle({"VERSION": "1\n", "terms/01-test.terms": TERMS + extra_terms})
    )
    return screen(ListingText(title=title), library)


NEW_TERM = "党徽胸针 weight=0.95 kind=party_state_symbols\n"


def test_new_term_hit_without_earlier_alert_is_raised() -> None:
    new, old = verdict("党徽胸针 批发", NEW_TERM), verdict("党徽胸针 批发")

    assert decide(new, old, None, new_version="2+x") == "raise"


def test_hit_already_alerted_at_the_same_risk_is_skipped() -> None:
    new = verdict("党徽胸针 批发", NEW_TERM)
    old = verdict("党徽胸针 批发")

    decision = decide(new, old, Existing(risk=new.risk), new_version="2+x")

    assert decision == "skip_existing"


def test_worse_verdict_than_the_indexed_alert_is_an_upgrade() -> None:
    new = verdict("党徽胸针 批发", NEW_TERM)
    old = verdict("党徽胸针 批发")

    assert decide(new, old, Existing(risk="medium"), new_version="2+x") == "upgrade"


def test_alert_the_new_version_clears_is_marked_for_review_once() -> None:
    cleared = verdict("普通水杯")
    old = verdict("七一勋章 收藏")

    assert decide(cleared, old, Existing(risk="high"), new_version="2+x") == "review"
    reviewed = Existing(risk="high", reviewed_by="2+x")
    assert decide(cleared, old, reviewed, new_version="2+x") == "none"


def test_listing_that_alerts_with_neither_version_is_left_alone() -> None:
    plain = verdict("普通水杯")

    assert decide(plain, plain, None, new_version="2+x") == "none"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("72h", NOW - timedelta(hours=72)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2d", NOW - timedelta(days=2)),
        ("2021-06-28T08:00:00", datetime(2021, 6, 28, 0, 0, tzinfo=UTC)),
    ],
)
def test_since_reads_durations_and_shanghai_times(
    text: str, expected: datetime
) -> None:
    assert parse_since(text, now=NOW) == expected


def test_unreadable_since_names_the_option() -> None:
    with pytest.raises(ConfigError, match="--since 'yesterday'"):
        parse_since("yesterday", now=NOW)
