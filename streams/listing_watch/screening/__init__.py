"""The screening core: listing text and a compiled library in, verdict out.

Pure: no I/O, no Kafka or Elasticsearch. ``listing_watch.library`` builds
the ``CompiledLibrary`` from the files in ``keywords/``.
"""

from listing_watch.screening.engine import screen, screen_many
from listing_watch.screening.kinds import (
    VIOLATION_KINDS,
    Field,
    Risk,
    ViolationKind,
)
from listing_watch.screening.listing_text import ListingText
from listing_watch.screening.model import CompiledLibrary
from listing_watch.screening.verdict import Match, Reason, Span, Verdict

__all__ = [
    "VIOLATION_KINDS",
    "CompiledLibrary",
    "Field",
    "ListingText",
    "Match",
    "Reason",
    "Risk",
    "Span",
    "Verdict",
    "ViolationKind",
    "screen",
    "screen_many",
]
