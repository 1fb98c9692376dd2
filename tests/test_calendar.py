from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analysis.calendar import WINDOWS, business_days, calendar_frame, labels, windows_on


def test_2019_repo_spike_dates_are_tax_and_settlement_days() -> None:
    # 15 Sep 2019 was a Sunday: the tax date and coupon settlement moved to Monday the 16th.
    assert windows_on(date(2019, 9, 16)) == ("tax date", "coupon settlement")
    assert windows_on(date(2019, 9, 17)) == ("tax date",)
    assert windows_on(date(2019, 9, 18)) == ()


def test_quarter_and_year_end_include_the_next_business_day() -> None:
    assert set(windows_on(date(2020, 12, 31))) >= {"quarter-end", "year-end", "month-end"}
    # 1 Jan is a holiday and 2-3 Jan 2021 a weekend: the next business day is the 4th.
    assert set(windows_on(date(2021, 1, 4))) == {"quarter-end", "year-end"}
    assert "quarter-end" not in windows_on(date(2021, 1, 5))


def test_month_end_is_the_last_business_day() -> None:
    # 31 Aug 2025 was a Sunday.
    assert "month-end" in windows_on(date(2025, 8, 29))
    assert windows_on(date(2025, 8, 31)) == ()


def test_refunding_runs_to_the_settlement_day() -> None:
    # 15 Feb 2025 a Saturday, 17 Feb Presidents Day: settlement on the 18th.
    assert "refunding" in windows_on(date(2025, 2, 12))
    assert "refunding" in windows_on(date(2025, 2, 18))
    assert "refunding" not in windows_on(date(2025, 2, 19))
    assert "refunding" not in windows_on(date(2025, 3, 12))


def test_business_days_skip_federal_holidays() -> None:
    days = business_days(date(2021, 7, 1), date(2021, 7, 9))
    assert pd.Timestamp("2021-07-05") not in days
    assert len(days) == 6


def test_labels_join_window_names() -> None:
    frame = calendar_frame(pd.DatetimeIndex(["2019-09-16", "2019-09-18"]))
    assert list(labels(frame)) == ["tax date;coupon settlement", ""]
    assert list(frame.columns) == list(WINDOWS)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2000, max_value=2030), st.integers(min_value=1, max_value=12))
def test_exactly_one_month_end_per_month(year: int, month: int) -> None:
    start = pd.Timestamp(year=year, month=month, day=1)
    days = business_days(start.date(), (start + pd.offsets.MonthEnd(0)).date())
    frame = calendar_frame(days)
    assert frame["month-end"].sum() == 1
    assert frame["month-end"].iloc[-1]
    assert frame["quarter-end"].sum() == (1 if month in (3, 6, 9, 12) else 0) + (
        1 if month in (1, 4, 7, 10) else 0
    )
