"""What the library files say, parsed but not yet compiled.

Each spec keeps the line it came from, so the compiler can still refuse it
with file and line (duplicates, unknown tags) after all files are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from listing_watch.library.lines import Line
from listing_watch.screening.kinds import Field, Risk, ViolationKind


@dataclass(frozen=True, slots=True, kw_only=True)
class TermSpec:
    canonical: str
    kinds: tuple[ViolationKind, ...]
    weight: float
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    pinyin: bool
    parts: tuple[str, ...]
    after: tuple[str, ...]
    fields: tuple[Field, ...]
    firm: bool
    source: str
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WordSpec:
    """A context word (``tag`` set) or an allow phrase (``tag`` empty)."""

    word: str
    tag: str
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardSpec:
    term: str
    words: tuple[str, ...]
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantGroup:
    fragment: str
    forms: tuple[str, ...]
    kind: str
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmojiReading:
    emoji: str
    reading: str
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSpec:
    rule_id: str
    name: str
    when: tuple[tuple[str, ...], ...]
    level: Risk | None
    cap: Risk | None
    kinds: tuple[ViolationKind, ...]
    scope: tuple[str, ...] | None
    concept: str | None
    settles: bool
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightingSpec:
    """One ``weigh`` line of a campaign: what it raises, and by how much."""

    kinds: tuple[ViolationKind, ...]
    tags: tuple[str, ...]
    times: float
    plus: float
    ceiling: float
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignSpec:
    """One ``@campaign`` block of ``campaigns.txt``."""

    name: str
    first_day: date
    last_day: date
    source: str
    weightings: tuple[WeightingSpec, ...]
    terms: tuple[TermSpec, ...]
    line: Line = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class LibrarySpecs:
    number: int
    terms: tuple[TermSpec, ...]
    contexts: tuple[WordSpec, ...]
    allows: tuple[WordSpec, ...]
    guards: tuple[GuardSpec, ...]
    variants: tuple[VariantGroup, ...]
    emoji: tuple[EmojiReading, ...]
    rules: tuple[RuleSpec, ...]
    campaigns: tuple[CampaignSpec, ...] = ()
