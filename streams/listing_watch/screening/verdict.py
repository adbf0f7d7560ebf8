"""What a screen returns: the verdict, its matches and its reasons.

All values are frozen and JSON-ready through ``to_dict``. Offsets are
code-point offsets into the seller's original field text, end exclusive.
Ids (violation kinds, rule ids, fields) are English; what an investigator
reads (rule names, reason text) is Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from listing_watch.screening.kinds import Field, Risk, ViolationKind
from listing_watch.screening.model import VariantKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """One stretch of the seller's text: field, offsets and the characters."""

    field: Field
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """One library term found in a listing.

    A term usually occupies one span. When it is divided between title and
    description, ``spans`` holds one span per field part in reading order
    and ``field``/``start``/``end``/``text`` describe the first part. A term
    found from separate pieces (its declared parts) has one span per piece.
    ``evasions`` names the evasion kinds seen in the matched characters.
    """

    term: str
    variant: str
    variant_kind: VariantKind
    kinds: tuple[ViolationKind, ...]
    spans: tuple[Span, ...]
    evasions: tuple[str, ...] = ()

    @property
    def field(self) -> Field:
        return self.spans[0].field

    @property
    def start(self) -> int:
        return self.spans[0].start

    @property
    def end(self) -> int:
        return self.spans[0].end

    @property
    def text(self) -> str:
        return self.spans[0].text

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "variant": self.variant,
            "variant_kind": self.variant_kind,
            "kinds": list(self.kinds),
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "spans": [span.to_dict() for span in self.spans],
            "evasions": list(self.evasions),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """Why the verdict is what it is: one fired rule or counted term.

    ``terms`` are the canonical terms and concepts the reason cites.
    """

    rule_id: str
    rule: str
    text: str
    terms: tuple[str, ...] = ()
    level: Risk = "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule": self.rule,
            "text": self.text,
            "terms": list(self.terms),
            "level": self.level,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The judgement of one listing version against one library version."""

    risk: Risk
    score: float
    violations: tuple[ViolationKind, ...]
    matches: tuple[Match, ...]
    reasons: tuple[Reason, ...]
    library_version: str

    @property
    def alert(self) -> bool:
        return self.risk != "none"

    def cited_terms(self) -> frozenset[str]:
        """Every term and concept some reason cites."""
        return frozenset(term for reason in self.reasons for term in reason.terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert": self.alert,
            "risk": self.risk,
            "score": self.score,
            "violations": list(self.violations),
            "matches": [match.to_dict() for match in self.matches],
            "reasons": [reason.to_dict() for reason in self.reasons],
            "library_version": self.library_version,
        }
