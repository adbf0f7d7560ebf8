"""Jurisdiction: which bureau an alert belongs to, and whom to forward it to.

The notice (section 3(3)) sends a lead about a seller outside the bureau's
area "to the market regulator where the seller actually operates, or where
the platform it trades on is registered". So an alert is routed by the
seller's region code, else by the platform's registered region (a setting
per platform), and it is *in unit* when the configured unit covers that
region. Otherwise it is forwarded to the seller's city-level bureau (a
county-level city directly under a province is one; a municipality's
districts go to the municipality).

:func:`route` is pure and cheap; the worker calls it once per alert and
stores :meth:`Routing.to_document` under ``routing`` in the alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from listing_watch.workflow.regions import (
    EDITION,
    Division,
    Place,
    place_of,
    units_of,
)
from listing_watch.workflow.settings import WorkflowSettings

RegionSource = Literal["seller", "platform", "unknown"]

AUTHORITY_SUFFIX = "市场监督管理局"


@dataclass(frozen=True, slots=True)
class Routing:
    """Where an alert's seller is, and whether it stays or is forwarded."""

    region_code: str | None
    source: RegionSource
    place: Place | None
    units: tuple[str, ...]
    in_unit: bool
    forward_to: Division | None
    edition: str = EDITION

    def to_document(self) -> dict[str, Any]:
        """The ``routing`` object of the alert document (template fields)."""
        document: dict[str, Any] = {
            "region_code": self.region_code,
            "source": self.source,
            "units": list(self.units),
            "in_unit": self.in_unit,
            "edition": self.edition,
        }
        if self.place is not None:
            for level in ("province", "city", "county"):
                division = getattr(self.place, level)
                if division is not None:
                    document[level] = {"code": division.code, "name": division.name}
        if self.forward_to is not None:
            document["forward_to"] = {
                "code": self.forward_to.code,
                "name": authority_name(self.forward_to),
            }
        return document


def route(
    seller_region: str | None, platform: str, settings: WorkflowSettings
) -> Routing:
    """Route by the seller's region, else the platform's registered region.

    >>> from listing_watch.workflow.settings import WorkflowSettings
    >>> r = route("330106", "shop", WorkflowSettings(unit="420000"))
    >>> r.in_unit, r.forward_to.name
    (False, '杭州市')
    """
    code, source = _region(seller_region, platform, settings)
    place = place_of(code) if code is not None else None
    if place is None:
        unknown: RegionSource = "unknown" if code is None else source
        return Routing(code, unknown, None, (), False, None)
    units = tuple(units_of(place.code))
    in_unit = settings.unit in units
    forward_to = None if in_unit else place.city_unit
    return Routing(place.code, source, place, units, in_unit, forward_to)


def authority_name(division: Division) -> str:
    """The receiving bureau's name: 杭州市 -> 杭州市市场监督管理局."""
    return f"{division.name}{AUTHORITY_SUFFIX}"


def _region(
    seller_region: str | None, platform: str, settings: WorkflowSettings
) -> tuple[str | None, RegionSource]:
    if seller_region and place_of(seller_region.strip()) is not None:
        return seller_region.strip(), "seller"
    registered = settings.platform_regions.get(platform)
    if registered:
        return registered, "platform"
    if seller_region:
        return seller_region.strip(), "seller"
    return None, "unknown"
