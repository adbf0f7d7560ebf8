"""The screen: one listing or many, one code path.

``screen`` is ``screen_many`` of one listing, so the offline commands and
the stream worker get identical verdicts. The fast pass rules out the
listings that hold no term key; only the rest pay for offset maps, rules
and reasons.
"""

from __future__ import annotations

from collections.abc import Sequence

from listing_watch.screening.listing_text import ListingText
from listing_watch.screening.matcher import find, find_candidates
from listing_watch.screening.model import CompiledLibrary
from listing_watch.screening.rules import judge
from listing_watch.screening.verdict import Verdict


def screen(text: ListingText, library: CompiledLibrary) -> Verdict:
    """Screen one listing version against ``library``."""
    return screen_many([text], library)[0]


def screen_many(
    texts: Sequence[ListingText], library: CompiledLibrary
) -> list[Verdict]:
    """Screen many listing versions; the verdicts come in input order."""
    clear = _clear_verdict(library)
    verdicts = [clear] * len(texts)
    for index in find_candidates(texts, library):
        verdicts[index] = judge(find(texts[index], library), library)
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
