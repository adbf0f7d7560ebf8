"""Report days are Asia/Shanghai calendar days (Annex 2; brief "units")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from listing_watch.workflow.errors import WorkflowError

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
# The days the workflow accepts: anything outside is a typing mistake, and
# the calendar's ends (0001, 9999) overflow when shifted by a day or a zone.
FIRST_DAY: Final = date(2000, 1, 1)
LAST_DAY: Final = date(2100, 12, 31)


def check_day(day: date, *, option: str) -> date:
    """``day`` if it lies in FIRST_DAY..LAST_DAY, else a one-line refusal.

    >>> check_day(date(9999, 12, 31), option="--to")
    Traceback (most recent call last):
    ...
    listing_watch.workflow.errors.WorkflowError: --to 9999-12-31 超出可用范围 \
2000-01-01 至 2100-12-31；请核对年份
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise WorkflowError(
            f"{option} {day.isoformat()} 超出可用范围 {FIRST_DAY.isoformat()} 至 "
            f"{LAST_DAY.isoformat()}；请核对年份"
        )
    return day


def shanghai_day(moment: datetime) -> date:
    """The Asia/Shanghai day of an aware datetime.

    >>> from datetime import UTC
    >>> shanghai_day(datetime(2021, 6, 30, 16, 30, tzinfo=UTC))
    datetime.date(2021, 7, 1)
    """
    return moment.astimezone(SHANGHAI).date()


def day_bounds(first: date, last: date) -> tuple[str, str]:
    """``[first 00:00, last+1 00:00)`` in Shanghai, as ISO strings for ES."""
    start = datetime.combine(first, time(), SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), time(), SHANGHAI)
    return start.isoformat(), end.isoformat()
