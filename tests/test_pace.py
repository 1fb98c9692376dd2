"""The purchase pace: bill growth split into MBS reinvestment and reserve-management purchases,
read per Desk-schedule month, with steps dated at the schedule that began them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from reportgen.analysis.fomc import desk_schedule_dates
from reportgen.analysis.pace import (
    detect_steps,
    pace_history,
    pace_sentence,
    purchase_pace,
)
from reportgen.analysis.phase import classify_history
from reportgen.dataset import Dataset
from tests.factories import sample_dataset

# A Wednesday that is also a Desk schedule date (the ninth business day of January 2026): the
# purchases start the day after, as in December 2025.
START = date(2026, 1, 14)


def _weeks(n: int) -> pd.DatetimeIndex:
    return pd.date_range(START, periods=n, freq="W-WED")


def _level(weeks: pd.DatetimeIndex, monthly: list[tuple[date, float]],
           lumps: tuple[float, ...] = (1.0,)) -> pd.Series:
    """Cumulative purchases ($bn) as the Desk makes them: each schedule period (from the day
    after a schedule date to the next) buys the amount of the pace in force, spread over the
    period's weeks with the ``lumps`` pattern (front-loaded, paused weeks...)."""
    dates = desk_schedule_dates(START, weeks[-1].date() + timedelta(days=40))
    period = np.searchsorted(np.array(dates, dtype="datetime64[D]"),
                             weeks.values.astype("datetime64[D]"), side="left") - 1
    weekly = np.zeros(len(weeks))
    for k in range(len(dates) - 1):
        members = np.flatnonzero(period == k)
        if not len(members):
            continue
        pace = next((p for d, p in reversed(monthly) if dates[k] >= d), 0.0)
        # The period's whole length in weeks, also for the last one the data cut short.
        length = len(pd.date_range(dates[k] + timedelta(days=1), dates[k + 1], freq="W-WED"))
        shape = np.resize(np.array(lumps, dtype=float), length)
        weekly[members] = (pace * shape / shape.sum())[: len(members)]
    weekly[0] = 0.0  # the base week: purchases are counted from here
    return pd.Series(np.cumsum(weekly), index=weeks)


def _schedule(k: int) -> date:
    """The k-th Desk schedule date after START (START itself is the 0th)."""
    return desk_schedule_dates(START, START + timedelta(days=400))[k]


def test_a_flat_pace_with_lumpy_weeks_makes_no_step_after_the_start() -> None:
    weeks = _weeks(30)
    level = _level(weeks, [(START, 40.0)], lumps=(1.8, 0.4, 1.4, 0.4))
    steps, read = detect_steps(level)
    assert len(steps) == 1 and steps[0].from_bn_month is None
    assert abs(steps[0].to_bn_month - 40.0) < 7.5
    named = read["pace_bn_month"].dropna()
    assert (abs(named.iloc[4:] - 40.0) < 7.5).all()


def test_a_cut_is_dated_at_its_schedule_and_found_within_four_weeks_from_the_data_alone(
) -> None:
    weeks = _weeks(30)
    cut = _schedule(4)
    level = _level(weeks, [(START, 40.0), (cut, 10.0)])
    steps, read = detect_steps(level)
    assert [s.from_bn_month is None for s in steps] == [True, False]
    step = steps[1]
    assert step.date == cut
    assert 0 < (step.detected - cut).days <= 28
    assert step.to_bn_month == pytest.approx(10.0, abs=3.0)
    assert step.from_bn_month == pytest.approx(40.0, abs=3.0)
    # Before the step is found, the reading still names the old pace: never a look-ahead.
    before = read.loc[:pd.Timestamp(step.detected) - pd.Timedelta(days=1), "pace_bn_month"]
    assert (before.dropna().iloc[4:] > 30).all()


def test_an_announced_cut_is_confirmed_sooner_but_only_by_purchases_that_follow_it() -> None:
    weeks = _weeks(30)
    cut = _schedule(4)
    # The calendar states the new pace from the day after the schedule (its effective date).
    stated = pd.Series([40.0 if w.date() <= cut else 25.0 for w in weeks], index=weeks)
    followed = _level(weeks, [(START, 40.0), (cut, 25.0)])
    plain, _ = detect_steps(followed)
    announced, _ = detect_steps(followed, announced=stated)
    assert announced[1].date == plain[1].date == cut
    assert announced[1].detected < plain[1].detected
    assert (announced[1].detected - cut).days <= 21
    # An announcement the purchases do not follow makes no step.
    ignored = _level(weeks, [(START, 40.0)])
    steps, _ = detect_steps(ignored, announced=stated)
    assert len(steps) == 1


def test_pace_sentences_name_the_pace_and_the_step() -> None:
    assert pace_sentence(9.6, date(2026, 5, 13), 24.0) == \
        "purchases at about $10bn a month, down from $25bn on 13 May 2026"
    assert pace_sentence(39.2, date(2025, 12, 11), None) == \
        "purchases at about $40bn a month since 11 Dec 2025"
    assert pace_sentence(-1.0, date(2026, 8, 13), 11.0).startswith("purchases near zero")


def test_bill_growth_is_reinvestment_plus_purchases() -> None:
    ds = sample_dataset()
    hist = classify_history(ds, date(2026, 9, 17))
    frame = pace_history(hist).set_index("date")
    both = frame[["bills_bn_month", "mbs_reinvestment_bn_month",
                  "reserve_management_bn_month"]].dropna()
    np.testing.assert_allclose(both["mbs_reinvestment_bn_month"]
                               + both["reserve_management_bn_month"], both["bills_bn_month"])
    # MBS principal goes into bills only from 1 Dec 2025 (before: runoff, then no bills).
    assert (frame.loc[:"2025-11-26", "mbs_reinvestment_bn_month"].dropna() == 0).all()
    since = frame.loc["2026-01-07":, "mbs_reinvestment_bn_month"]
    assert since.between(10, 20).all()  # the record: about $14-17bn a month of paydowns


@pytest.mark.parametrize("source", ["sample", "real"])
def test_the_2026_steps_are_dated_at_the_desk_schedules_and_found_within_three_weeks(
        source: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = (sample_dataset() if source == "sample"
                   else request.getfixturevalue("real_dataset"))
    as_of = date(2026, 8, 20)
    pace = purchase_pace(classify_history(ds, as_of), as_of,
                         ops=ds.visible(as_of).table("outright_operations"))
    assert pace is not None
    got = [(s.date, None if s.from_bn_month is None else round(s.from_bn_month / 5) * 5,
            round(s.to_bn_month / 5) * 5) for s in pace.steps]
    assert got == [(date(2025, 12, 11), None, 40), (date(2026, 4, 13), 40, 25),
                   (date(2026, 5, 13), 25, 10)]
    for step in pace.steps:
        assert 0 < (step.detected - step.date).days <= 21, step
    assert pace.sentence == "purchases at about $10bn a month, down from $25bn on 13 May 2026"
    assert pace.announced is not None and pace.announced.pace_bn_month == 10
    # The same steps from the outright operations by trade date, where they are stored.
    if source == "sample":
        assert [s.date for s in pace.ops_steps] == [s.date for s in pace.steps]


def test_the_weekly_sub_state_never_says_accelerating_or_tapering_while_purchases_run(
        real_dataset: Dataset) -> None:
    hist = classify_history(real_dataset, date(2026, 8, 20)).set_index("date")
    window = hist.loc["2025-12-31":"2026-08-19", "substate"]
    assert window.str.startswith("purchases at about $").all()
    assert not window.str.contains("accelerat|taper").any()
    # Between two steps the sentence names the same step ("down from $25bn on 13 May"): the
    # pace is read per schedule month, not from noisy 4-week changes.
    after_cut = window.loc["2026-06-17":]
    assert after_cut.str.endswith("down from $25bn on 13 May 2026").all()
    assert after_cut.nunique() == 1
