"""Coverage: what the worker screened, for Annex 2 rows 1 and 2.

Row 1 sums over days the distinct (platform, shop) pairs screened; row 2
counts distinct listings that matched any library term, even where the
verdict was none. Both are distinct counts, so the worker does not need
to remember anything between batches: each batch yields one document per
(Asia/Shanghai day, seller region) listing the pairs and the matched
listings it saw, and the report counts distinct values across documents.

The document id is a hash of the day, the region and the listing
versions in the group, so a replayed batch overwrites its documents; a
replay cut into other batches writes new documents with the same values,
which distinct counting absorbs. Writes are per batch and region, never
per listing.

The worker's call, once per batch::

    batch = CoverageBatch(workflow_settings)
    for listing, verdict in screened:
        batch.add(listing, verdict)
    actions = [
        {"_index": alias, "_id": doc.doc_id, "_source": doc.document}
        for doc in batch.to_documents()
    ]
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from listing_watch.listing import Listing
from listing_watch.workflow.days import shanghai_day
from listing_watch.workflow.routing import route
from listing_watch.workflow.settings import WorkflowSettings

_SEPARATOR = "\x1f"


class Screened(Protocol):
    """What coverage needs of a verdict: its term matches (maybe empty)."""

    @property
    def matches(self) -> Sequence[object]: ...


@dataclass(frozen=True, slots=True)
class CoverageDocument:
    """One coverage document and its deterministic id."""

    doc_id: str
    document: dict[str, Any]


@dataclass(slots=True)
class _Group:
    units: tuple[str, ...]
    pairs: set[str] = field(default_factory=set)
    matched: set[str] = field(default_factory=set)
    versions: set[str] = field(default_factory=set)


class CoverageBatch:
    """Accumulates one batch's coverage; not thread-safe, one per batch."""

    def __init__(
        self, settings: WorkflowSettings, *, library_version: str | None = None
    ) -> None:
        self._settings = settings
        self._library_version = library_version
        self._groups: dict[tuple[str, str], _Group] = {}

    def add(self, listing: Listing, verdict: Screened) -> None:
        """Count one screened listing version."""
        routing = route(listing.seller_region, listing.platform, self._settings)
        day = shanghai_day(listing.observed_at).isoformat()
        key = (day, routing.region_code or "")
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(routing.units)
        group.pairs.add(shop_pair(listing))
        group.versions.add(listing.event_id)
        if verdict.matches:
            group.matched.add(listing.key)

    def to_documents(self) -> list[CoverageDocument]:
        return [
            self._document(day, region, group)
            for (day, region), group in sorted(self._groups.items())
        ]

    def _document(self, day: str, region: str, group: _Group) -> CoverageDocument:
        basis = _SEPARATOR.join((day, region, *sorted(group.versions)))
        document: dict[str, Any] = {
            "day": day,
            "region_code": region or None,
            "units": list(group.units),
            "pairs": sorted(group.pairs),
            "matched": sorted(group.matched),
            "screened": len(group.versions),
        }
        if self._library_version:
            document["library_version"] = self._library_version
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
        return CoverageDocument(digest, document)


def shop_pair(listing: Listing) -> str:
    """The monitored (platform, shop): the shop, else the seller, else the site.

    A listing without shop or seller still shows that its platform (a
    website, in the notice's words 网站、网店) was monitored.
    """
    shop = listing.shop_id or listing.seller_id or ""
    return f"{listing.platform}:{shop}"
