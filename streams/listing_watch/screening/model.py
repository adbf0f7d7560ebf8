"""The compiled keyword library as the screen sees it.

``listing_watch.library`` builds these objects from the files in
``keywords/``; the screen only reads them. Everything here is immutable
once built, so one library can serve many threads and a reload swaps one
reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from listing_watch.screening.kinds import Field, ViolationKind
from listing_watch.screening.normalize import FoldTable

# How a library key relates to its canonical term. "homophone" and
# "pinyin_short" forms are never conclusive (EVAL.md G2): the screen caps
# what they alone can decide at medium.
VariantKind = Literal[
    "plain",
    "alias",
    "numeral",
    "pinyin",
    "pinyin_short",
    "homophone",
    "lookalike",
    "split",
]
UNCERTAIN_VARIANTS: frozenset[str] = frozenset({"homophone", "pinyin_short"})
# Forms that write part of a term in latin letters (建d百年, jd100周年).
LETTER_VARIANTS: frozenset[str] = frozenset({"pinyin", "pinyin_short"})

# What a key in the automaton stands for.
EntryRole = Literal["term", "part", "context", "allow", "guard"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One canonical library term and how it counts.

    ``weight`` is the score the term earns on its own; ``tags`` always
    include the canonical term itself so that a rule can name either.
    ``parts`` (folded) let the term be found when its pieces are apart, for
    example in title and description. ``after`` (folded) restricts the term
    to hits directly followed by one of these strings. A ``firm`` term is a
    state honour or plainly unlawful content: context never lowers it.
    """

    canonical: str
    kinds: tuple[ViolationKind, ...]
    weight: float
    tags: frozenset[str]
    fields: frozenset[Field]
    after: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    firm: bool = False
    source: str = ""
    origin: str = ""
    campaign: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One meaning of one automaton key.

    ``guard_id`` is what guard words are declared against: the folded
    canonical term for terms and their parts, the word for context. A guard
    word's ``edge_guards`` are the longer terms that begin or end with a
    term it guards: it cancels only their letter forms there, since a
    letter (搭建d百年, 搭建DIY) says less than the character it stands for.
    """

    role: EntryRole
    key: str
    variant: str
    variant_kind: VariantKind = "plain"
    term: Term | None = None
    part_index: int = 0
    tag: str = ""
    guards: frozenset[str] = frozenset()
    edge_guards: frozenset[str] = frozenset()
    guard_id: str = ""

    @property
    def length(self) -> int:
        return len(self.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A declarative rule from ``keywords/rules.txt``.

    ``when`` is a conjunction of alternatives: each frozenset is satisfied
    by any present term or context word carrying one of its tags. A rule
    with ``level`` raises; one with ``cap`` lowers whatever it scopes
    (everything not firm when ``scope`` is None).
    """

    rule_id: str
    name: str
    when: tuple[frozenset[str], ...]
    level: float | None = None
    cap: float | None = None
    kinds: tuple[ViolationKind, ...] = ()
    scope: frozenset[str] | None = None
    concept: str | None = None
    settles: bool = False
    origin: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Weighting:
    """How a campaign raises evidence naming one of its kinds or tags.

    Evidence at level ``w`` becomes ``min(ceiling, w * times + plus)``
    when that is higher; a weighting never lowers anything.
    """

    kinds: frozenset[ViolationKind]
    tags: frozenset[str]
    times: float = 1.0
    plus: float = 0.0
    ceiling: float = 1.0

    def raised(self, level: float) -> float:
        return max(level, min(self.ceiling, level * self.times + self.plus))


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    """A named period (Asia/Shanghai days, both inclusive) and its weightings."""

    name: str
    first_day: date
    last_day: date
    weightings: tuple[Weighting, ...]
    source: str = ""
    origin: str = ""

    def in_force(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def label(self) -> str:
        """What a reason calls it: 专项行动「…」（2021-06-15至2021-07-15）."""
        period = f"{self.first_day.isoformat()}至{self.last_day.isoformat()}"
        return f"专项行动「{self.name}」（{period}）"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CompiledLibrary:
    """Everything the screen needs, built once per library version.

    ``automaton`` maps every key (terms and their variants, parts, context
    words, allow and guard phrases) to a tuple of ``Entry``. ``trigger``
    holds only the keys that can make a listing match a term; the fast path
    scans many listings with it and hands the few hits to the full screen.
    ``campaigns`` are in file order; the screen applies those in force on
    the listing's day.
    """

    version: str
    folding: FoldTable
    automaton: Any
    trigger: Any
    rules: tuple[Rule, ...]
    caps: tuple[Rule, ...]
    terms: tuple[Term, ...]
    key_count: int
    campaigns: tuple[Campaign, ...] = ()
