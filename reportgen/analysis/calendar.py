"""Calendar windows of the Treasury and money markets: the dates when stress is expected.

Plumbing stress clusters on known dates (DOMAIN.md section 3). The signals report whether a date
falls in one of these windows so that the briefing can say "calendar-explained" or not, and the
charts can shade the windows. The rules, all on US business days (Monday-Friday less US federal
holidays, the Treasury market's settlement calendar to within a day or two a year):

=====================  ======================================================================
window                 days
=====================  ======================================================================
``quarter-end``        last business day of Mar/Jun/Sep/Dec and the next business day
``year-end``           last business day of December and the next business day
``month-end``          last business day of every month
``tax date``           corporate tax days: the 15th of Mar/Apr/Jun/Sep/Dec (or the next business
                       day when the 15th is not one) and the business day after it
``coupon settlement``  the 15th (or next business day) and the last business day of each month
``refunding``          quarterly refunding: business days from the 1st to the settlement day
                       (the 15th, or next business day) of Feb/May/Aug/Nov
=====================  ======================================================================

FOMC days and debt-limit episodes are not modelled (no stored source for their dates).

Example
-------
>>> windows_on(date(2019, 9, 17))
('tax date',)
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import CustomBusinessDay

WINDOWS: tuple[str, ...] = (
    "quarter-end", "year-end", "month-end", "tax date", "coupon settlement", "refunding",
)

_TAX_MONTHS = (3, 4, 6, 9, 12)
_REFUNDING_MONTHS = (2, 5, 8, 11)


@cache
def business_day() -> CustomBusinessDay:
    """The US business-day offset (weekends and federal holidays out), built on first use and
    kept: listing the federal holidays from 1970 to 2200 takes about 50 ms, which every process
    importing this module paid before, whatever its command."""
    from pandas.tseries.holiday import USFederalHolidayCalendar

    return CustomBusinessDay(calendar=USFederalHolidayCalendar())


def __getattr__(name: str) -> Any:
    # ``BDAY`` was a module constant; it is still readable, built on first use.
    if name == "BDAY":
        return business_day()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def business_days(start: date, end: date) -> pd.DatetimeIndex:
    """US business days from ``start`` to ``end`` inclusive (weekends and federal holidays out).

    Example
    -------
    >>> len(business_days(date(2021, 7, 1), date(2021, 7, 9)))   # 5 July is a holiday
    6
    """
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=business_day(), name="date")


def calendar_frame(days: pd.DatetimeIndex) -> pd.DataFrame:
    """One boolean column per window (see the module table) for each day of ``days``.

    ``days`` should be business days; the frame is computed on a padded business-day grid so
    that windows spanning the edges of ``days`` (a quarter-end's next day) are right.
    """
    if len(days) == 0:
        return pd.DataFrame({w: pd.Series(dtype=bool) for w in WINDOWS},
                            index=pd.DatetimeIndex([], name="date"))
    grid = pd.date_range(days.min() - pd.Timedelta(days=45), days.max() + pd.Timedelta(days=45),
                         freq=business_day())
    period = grid.to_period("M")
    # Last business day of each month on the grid.
    next_period = np.append(period[1:].asi8, np.iinfo(np.int64).max)
    month_end = period.asi8 != next_period
    month = grid.month.to_numpy()
    quarter_end = month_end & np.isin(month, (3, 6, 9, 12))
    year_end = month_end & (month == 12)
    # The first business day on or after the 15th of each month.
    day = grid.day.to_numpy()
    on_or_after_15 = day >= 15
    prev_on_or_after_15 = np.append(False, on_or_after_15[:-1]) & (
        np.append(-1, period.asi8[:-1]) == period.asi8
    )
    mid_month = on_or_after_15 & ~prev_on_or_after_15
    tax = np.isin(month, _TAX_MONTHS) & mid_month
    tax_next = np.append(False, tax[:-1])
    # Refunding: 1st to the mid-month settlement day of Feb/May/Aug/Nov.
    refunding = np.isin(month, _REFUNDING_MONTHS) & (~on_or_after_15 | mid_month)
    frame = pd.DataFrame({
        "quarter-end": quarter_end | np.append(False, quarter_end[:-1]),
        "year-end": year_end | np.append(False, year_end[:-1]),
        "month-end": month_end,
        "tax date": tax | tax_next,
        "coupon settlement": mid_month | month_end,
        "refunding": refunding,
    }, index=grid)
    out = frame.reindex(pd.DatetimeIndex(days)).fillna(False).astype(bool)
    out.index.name = "date"
    return out


def windows_on(day: date) -> tuple[str, ...]:
    """The names of the calendar windows ``day`` falls in (empty tuple on an ordinary day).

    Example
    -------
    >>> windows_on(date(2025, 10, 31))
    ('month-end', 'coupon settlement')
    """
    if isinstance(day, datetime):  # a Timestamp or datetime: its calendar day
        day = day.date()
    return _year_windows(day.year).get(day, ())


@cache
def _year_windows(year: int) -> dict[date, tuple[str, ...]]:
    # windows_on is asked for one day at a time (each auction, each week's extreme): one
    # frame per year, computed once, instead of a padded frame per call. Days that are not
    # business days are in no window, as calendar_frame says of them.
    days = business_days(date(year, 1, 1), date(year, 12, 31))
    frame = calendar_frame(days)
    flags = frame[list(WINDOWS)].to_numpy()
    return {ts.date(): tuple(w for w, on in zip(WINDOWS, row, strict=True) if on)
            for ts, row in zip(frame.index, flags, strict=True)}


def labels(frame: pd.DataFrame) -> pd.Series:
    """``calendar_frame`` rows as ``;``-joined window names ('' on ordinary days)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for w in WINDOWS:
        col = frame[w].to_numpy()
        out[col] = np.where(out[col] == "", w, out[col] + ";" + w)
    return out
