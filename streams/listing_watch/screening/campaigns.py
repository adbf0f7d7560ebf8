"""Campaigns: which are in force for a listing, and what they raise.

A campaign's period is a run of Asia/Shanghai calendar days, judged on the
listing's observed time, or on ``as_of`` for a listing without one (the
offline commands' ``--as-of``). A listing with neither gets no campaign.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset
is exact for every date a listing can carry and keeps the screen free of
time-zone database reads. A time 2021-06-14T16:00:00Z is 2021-06-15 00:00
in Shanghai, so it falls on a campaign's first day 2021-06-15.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Final

from listing_watch.screening.kinds import ViolationKind
from listing_watch.screening.model import Campaign, CompiledLibrary

SHANGHAI: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


def campaign_day(observed_at: datetime | None, as_of: date | None) -> date | None:
    """The Shanghai day a listing is judged on; a naive time is Shanghai's."""
    if observed_at is None:
        return as_of
    if observed_at.tzinfo is None:
        return observed_at.date()
    return observed_at.astimezone(SHANGHAI).date()


def in_force(library: CompiledLibrary, day: date | None) -> tuple[Campaign, ...]:
    """The library's campaigns whose period holds ``day``, in file order."""
    if day is None or not library.campaigns:
        return ()
    return tuple(c for c in library.campaigns if c.in_force(day))


def raise_level(
    level: float,
    kinds: Iterable[ViolationKind],
    tags: frozenset[str],
    campaigns: Iterable[Campaign],
) -> tuple[float, tuple[Campaign, ...]]:
    """``level`` after every weighting naming one of ``kinds`` or ``tags``.

    Evidence worth nothing (initials alone) stays at nothing. Returns the
    new level and the campaigns that changed it. Weightings apply in file
    order, each to the level the one before left.
    """
    if level <= 0.0:
        return level, ()
    kind_set = frozenset(kinds)
    changed_by: list[Campaign] = []
    for campaign in campaigns:
        for weighting in campaign.weightings:
            if not (weighting.kinds & kind_set or weighting.tags & tags):
                continue
            raised = weighting.raised(level)
            if raised > level:
                level = raised
                if campaign not in changed_by:
                    changed_by.append(campaign)
    return level, tuple(changed_by)
