"""The screen: one listing or many, one code path.

``screen`` is ``screen_many`` of one listing, so the offline commands and
the stream worker get identical verdicts. The fast pass rules out the
listings that hold no term key; only the rest pay for offset maps, rules,
campaigns and reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from listing_watch.screening.campaigns import campaign_day, in_force
from listing_watch.screening.listing_text import ListingText
from listing_watch.screening.matcher import find, find_candidates
from listing_watch.screening.model import CompiledLibrary
from listing_watch.screening.rules import judge
from listing_watch.screening.verdict import Verdict


def screen(
    text: ListingText, library: CompiledLibrary, *, as_of: date | None = None
) -> Verdict:
    """Screen one listing version against ``library``."""
    return screen_many([text], library, as_of=as_of)[0]


def screen_many(
    texts: Sequence[ListingText],
    library: CompiledLibrary,
    *,
    as_of: date | None = None,
) -> list[Verdict]:
    """Screen many listing versions; the verdicts come in input order.

    Campaigns apply on each listing's observed day (Asia/Shanghai); a
    listing without ``observed_at`` is judged on ``as_of``, and with
    neither no campaign applies.
    """
    clear = _clear_verdict(library)
    verdicts = [clear] * len(texts)
    for index in find_candidates(texts, library):
        text = texts[index]
        campaigns = in_force(library, campaign_day(text.observed_at, as_of))
        verdicts[index] = judge(find(text, library, campaigns), library, campaigns)
    return verdicts


def _clear_verdict(library: CompiledLibrary) -> Verdict:
    return Verdict(
        risk="none",
        score=0.0,
        violations=(),
        matches=(),
        reasons=(),
        library_version=library.version,
    )
