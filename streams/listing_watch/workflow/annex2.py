"""The notice's Annex 2 statistics: six figures for one unit and period.

Definitions (notice Annex 2; brief "Statistics"):

* Days are Asia/Shanghai days, both ends included.
* A unit covers the sellers whose region code falls under it; a province
  counts distinct items across its cities, never a sum of their figures.
* Rows 1-3 count by screening date, rows 4-6 by action date.
* Row 1: for each day, the distinct (platform, shop) pairs screened,
  summed over days. Row 2: distinct listings that matched the library.
  Row 3: distinct listings with an alert not dismissed. Row 4: distinct
  listings whose takedown was requested. Row 5: distinct case numbers
  opened. Row 6: the sum of penalties, each counted once.
* A voided action counts nowhere, whenever it was voided. Dismissal is
  judged as of the report's making (a lead dismissed after the period's
  end is no lead).

Rows 1 and 2 come from coverage (:mod:`report_query`); this module counts
rows 3-6 from alerts and dispositions, with no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from listing_watch.workflow.days import shanghai_day
from listing_watch.workflow.dispositions import Disposition
from listing_watch.workflow.regions import Division
from listing_watch.workflow.state import fold

TITLE: Final = "整治电商领域借庆祝名义从事商业谋利活动专项监测监管工作统计表"

# (item, unit of measure) exactly as the notice's table prints them.
ROWS: Final[tuple[tuple[str, str], ...]] = (
    ("监测电商平台（网站、网店）", "个次"),
    ("监测相关联商品", "个"),
    ("监测发现相关问题线索", "条"),
    ("督促下架（删除、屏蔽）违规交易信息", "条"),
    ("查办违法案件", "件"),
    ("罚没金额", "元"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A reporting unit and an inclusive range of Asia/Shanghai days."""

    unit: Division
    first: date
    last: date

    def includes(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class AlertRow:
    """What row 3 needs of one alert."""

    alert_id: str
    listing_key: str
    day: date
    units: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Annex2:
    """The six figures, in the table's order, for one unit and period."""

    period: Period
    filled_on: date
    shop_days: int
    related_listings: int
    leads: int
    takedowns: int
    cases: int
    penalties_yuan: Decimal

    @property
    def figures(self) -> tuple[int | Decimal, ...]:
        return (
            self.shop_days,
            self.related_listings,
            self.leads,
            self.takedowns,
            self.cases,
            self.penalties_yuan,
        )


@dataclass(frozen=True, slots=True)
class ActionFigures:
    """Rows 4-6."""

    takedowns: int
    cases: int
    penalties_yuan: Decimal


def count_leads(
    alerts: Iterable[AlertRow], dispositions: Iterable[Disposition], period: Period
) -> int:
    """Row 3: distinct listings with an in-period alert that is not dismissed."""
    states = _states(dispositions)
    listings = {
        alert.listing_key
        for alert in alerts
        if period.unit.code in alert.units
        and period.includes(alert.day)
        and states.get(alert.alert_id) != "dismissed"
    }
    return len(listings)


def count_actions(dispositions: Iterable[Disposition], period: Period) -> ActionFigures:
    """Rows 4-6 from the actions in force (not voided), by action date."""
    by_alert: dict[str, list[Disposition]] = defaultdict(list)
    for disposition in dispositions:
        by_alert[disposition.alert_id].append(disposition)
    in_force = [
        d
        for history in by_alert.values()
        for d in fold(history).active
        if period.unit.code in d.alert.units and period.includes(shanghai_day(d.at))
    ]
    takedowns = {
        d.alert.listing_key for d in in_force if d.action == "takedown_requested"
    }
    cases = {d.case_number for d in in_force if d.action == "case_opened"}
    penalties: dict[str, Decimal] = {}
    for d in in_force:
        if d.action == "penalty" and d.amount_yuan is not None:
            penalties.setdefault(d.penalty_ref, d.amount_yuan)
    return ActionFigures(len(takedowns), len(cases), sum(penalties.values(), Decimal()))


def _states(dispositions: Iterable[Disposition]) -> dict[str, str]:
    by_alert: dict[str, list[Disposition]] = defaultdict(list)
    for disposition in dispositions:
        by_alert[disposition.alert_id].append(disposition)
    return {alert_id: fold(history).state for alert_id, history in by_alert.items()}
