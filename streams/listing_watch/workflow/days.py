"""Report days are Asia/Shanghai calendar days (Annex 2; brief "units")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


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
