"""The listing: one product offer on a platform, as the screen sees it.

A listing is identified by its platform and listing id; it may be edited,
so the same id can arrive again with other text (a new *version*). This
module holds only the value object; decoding events into it lives in
``events.py`` so the screening core never depends on the wire format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PlatformType = Literal[
    "b2c", "c2c", "secondhand", "auction", "livestream", "self_built"
]

PLATFORM_TYPES: tuple[PlatformType, ...] = (
    "b2c",
    "c2c",
    "secondhand",
    "auction",
    "livestream",
    "self_built",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One version of a listing, decoded and validated.

    ``observed_at`` is always timezone-aware. ``extra`` keeps the fields a
    platform added beyond the contract, untouched, so evidence shows the
    listing exactly as it arrived.
    """

    event_id: str
    platform: str
    listing_id: str
    title: str
    observed_at: datetime
    description: str = ""
    category: str = ""
    price: float | None = None
    currency: str = "CNY"
    shop_id: str | None = None
    shop_name: str | None = None
    seller_id: str | None = None
    seller_region: str | None = None
    url: str | None = None
    platform_type: PlatformType | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The partitioning key: all versions of a listing share it."""
        return f"{self.platform}:{self.listing_id}"
