"""The listing text the screen reads: nothing else of the listing.

The screen sees title, description and category only, plus the platform
type and time for the record. Labels, explanations and metadata of a
labelled file never reach it because they have no field here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from listing_watch.listing import PLATFORM_TYPES, Listing, PlatformType
from listing_watch.screening.kinds import Field


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingText:
    """The screened part of one listing version."""

    title: str
    description: str = ""
    category: str = ""
    platform_type: PlatformType | None = None
    observed_at: datetime | None = None

    @classmethod
    def from_listing(cls, listing: Listing) -> ListingText:
        return cls(
            title=listing.title,
            description=listing.description,
            category=listing.category,
            platform_type=listing.platform_type,
            observed_at=listing.observed_at,
        )

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ListingText:
        """The text of a JSON record; non-string fields count as empty.

        ``observed_at`` is read when it is an ISO 8601 time (naive times are
        Asia/Shanghai wall time, as in listing events); anything else leaves
        the listing without a time, so ``as_of`` decides its campaigns.
        """
        platform_type = record.get("platform_type")
        return cls(
            title=_text(record.get("title")),
            description=_text(record.get("description")),
            category=_text(record.get("category")),
            platform_type=platform_type if platform_type in PLATFORM_TYPES else None,
            observed_at=_time(record.get("observed_at")),
        )

    def field_text(self, field: Field) -> str:
        if field == "title":
            return self.title
        if field == "description":
            return self.description
        return self.category


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
