"""Loading campaigns.txt: refused blocks with their line, version, period terms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library import load_library, read_specs
from listing_watch.library.diff import diff_specs
from listing_watch.screening import ListingText, screen

WriteLibrary = Callable[..., Path]

CAMPAIGN = """\
@campaign 七一前后集中整治  from=2021-06-15  to=2021-07-15  source=通知二（二）
weigh  kinds=medals_commemoratives  times=2
"""
TERMS = """\
@kind medals_commemoratives
@source test
纪念章   weight=0.3  tags=medal
"""
PERIOD_TERM = """\
@campaign 七一前后集中整治  from=2021-06-15  to=2021-07-15
term  七一献礼  kind=celebration_marketing  weight=0.5
"""


@pytest.mark.parametrize(
    ("campaigns", "message"),
    [
        (
            CAMPAIGN + CAMPAIGN.replace("times=2", "plus=0.1"),
            r"campaigns.txt:3: campaign '七一前后集中整治' is already defined at "
            r".*campaigns.txt:1",
        ),
        (
            "@campaign 甲 from=2021-07-15 to=2021-06-15\nweigh tags=medal plus=0.1\n",
            r"campaigns.txt:1: campaign '甲' ends \(2021-06-15\) before it starts",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\n"
            "weigh kinds=party_symbols times=1.3\n",
            r"campaigns.txt:2: unknown violation kind 'party_symbols'",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\nweigh tags=flag plus=0.1\n",
            r"campaigns.txt:2: tags: 'flag' is no term or term tag",
        ),
        (
            "weigh tags=medal plus=0.1\n",
            r"campaigns.txt:1: 'weigh' belongs to no campaign",
        ),
        (
            "@campaign 甲 from=2021-6-15 to=2021-07-15\nweigh tags=medal plus=0.1\n",
            r"campaigns.txt:1: from=2021-6-15 is not a date",
        ),
        (
            "@campaign 甲 from=2021-06-15\nweigh tags=medal plus=0.1\n",
            r"campaigns.txt:1: campaign needs to=YYYY-MM-DD",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\n",
            r"campaigns.txt:1: campaign '甲' has no 'weigh' or 'term' line",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\nweigh tags=medal times=0.5\n",
            r"campaigns.txt:2: times=0.5 is outside 1..3",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\nweigh tags=medal\n",
            r"campaigns.txt:2: weigh needs times=... or plus=...",
        ),
        (
            "@campaign 甲 from=2021-06-15 to=2021-07-15\n"
            "term 纪念章 kind=medals_commemoratives weight=0.5\n",
            r"campaigns.txt:2: duplicate term '纪念章'",
        ),
    ],
)
def test_malformed_campaign_is_refused_with_its_line(
    write_library: WriteLibrary, campaigns: str, message: str
) -> None:
    root = write_library(TERMS, campaigns=campaigns)

    with pytest.raises(LibraryError, match=message):
        load_library(root)


def test_library_version_changes_when_a_campaign_changes(
    write_library: WriteLibrary,
) -> None:
    without = load_library(write_library(TERMS)).version
    with_campaign = load_library(write_library(TERMS, campaigns=CAMPAIGN)).version
    longer = CAMPAIGN.replace("2021-07-15", "2021-07-31")
    extended = load_library(write_library(TERMS, campaigns=longer)).version

    assert len({without, with_campaign, extended}) == 3
    assert with_campaign.startswith("1+")


def test_campaign_weighting_is_capped_by_max(write_library: WriteLibrary) -> None:
    capped = CAMPAIGN.replace("times=2", "times=3  max=0.7")
    library = load_library(write_library(TERMS, campaigns=capped))

    verdict = screen(ListingText(title="纪念章"), library, as_of=date(2021, 7, 1))

    assert verdict.score == 0.7


def test_period_term_counts_only_during_its_campaign(
    write_library: WriteLibrary,
) -> None:
    library = load_library(write_library(TERMS, campaigns=PERIOD_TERM))
    text = ListingText(title="七一献礼 茶具")

    inside = screen(text, library, as_of=date(2021, 7, 1))
    outside = screen(text, library, as_of=date(2021, 7, 16))

    assert inside.risk == "medium"
    assert "期间计入「七一献礼」" in inside.reasons[-1].text
    assert (outside.risk, outside.matches) == ("none", ())


def test_period_term_out_of_period_hides_no_shorter_term(
    write_library: WriteLibrary,
) -> None:
    long_term = PERIOD_TERM.replace("七一献礼", "纪念章礼盒")
    library = load_library(write_library(TERMS, campaigns=long_term))

    verdict = screen(ListingText(title="纪念章礼盒"), library, as_of=date(2021, 8, 1))

    assert [match.term for match in verdict.matches] == ["纪念章"]


def test_diff_names_added_and_changed_campaigns(write_library: WriteLibrary) -> None:
    before = read_specs(write_library(TERMS))
    added = read_specs(write_library(TERMS, campaigns=CAMPAIGN))
    changed = read_specs(
        write_library(TERMS, campaigns=CAMPAIGN.replace("times=2", "times=1.5"))
    )

    assert diff_specs(before, added).campaigns_added == ("七一前后集中整治",)
    assert diff_specs(added, changed).campaigns_changed == ("七一前后集中整治",)
    assert "~ campaign 七一前后集中整治" in list(diff_specs(added, changed).lines())
