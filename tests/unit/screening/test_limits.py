"""Long and repetitive listings: the screen stays linear, the verdict small."""

from __future__ import annotations

from collections.abc import Callable

from listing_watch.screening import (
    CompiledLibrary,
    ListingText,
    Verdict,
    screen,
    screen_many,
)
from listing_watch.screening.matcher import MAX_MATCHES_PER_TERM, find

VerdictOf = Callable[..., Verdict]


def test_matches_per_term_are_capped_with_total_count(verdict_of: VerdictOf) -> None:
    verdict = verdict_of("x", "党徽" * 20_000)

    assert len(verdict.matches) == MAX_MATCHES_PER_TERM
    assert len(verdict.reasons) <= MAX_MATCHES_PER_TERM + 2
    assert any("「党徽」共命中20000处" in reason.text for reason in verdict.reasons)


def test_capped_matches_keep_the_strongest_form(verdict_of: VerdictOf) -> None:
    many_homophones = "建当百年 " * 30 + "建党百年纪念章"

    verdict = verdict_of(many_homophones)

    assert verdict.risk == "high"
    assert any(match.variant_kind == "plain" for match in verdict.matches)


def test_repeated_characters_view_is_capped_too(verdict_of: VerdictOf) -> None:
    verdict = verdict_of("x", "党党徽徽" * 5_000)

    assert len(verdict.matches) == MAX_MATCHES_PER_TERM


def test_longest_term_wins_among_many_hits(library: CompiledLibrary) -> None:
    text = ListingText(title="建党100周年纪念章 " * 50, description="", category="")

    found = find(text, library)

    assert "建党" not in {found_term.term.canonical for found_term in found.terms}
    assert dict(found.totals).get("建党100周年") == 50


def test_capping_keeps_screen_equal_to_screen_many(library: CompiledLibrary) -> None:
    text = ListingText(title="党徽胸针", description="党徽" * 100, category="")

    assert screen(text, library) == screen_many([text], library)[0]
