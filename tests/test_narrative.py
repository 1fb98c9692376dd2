"""Narrative sentences are chosen by conditions on the numbers of the week's analysis.

Every test here builds real objects: a :class:`WeekAnalysis` of the bundled sample
(``tests/factories.py``) or of a small Dataset made in the test, never a dict shaped like one.
The last part reads the briefing of every Thursday from June 2025 to September 2026 and checks
that no sentence contradicts the number it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import pytest

from reportgen.analysis.reservoir import Reservoir, ReservoirRow, change_over
from reportgen.analysis.signals.composite import COMPONENTS
from reportgen.analysis.thresholds import DEFAULT, Thresholds
from reportgen.analysis.week import WeekAnalysis, analyse
from reportgen.dataset import Dataset
from reportgen.formatting import day
from reportgen.render import narrative as nv
from reportgen.render.context import Page, build_page
from tests.factories import (
    GENERATED_AT,
    SAMPLE_AS_OF,
    sample_dataset,
    sample_page,
    sample_week,
)

BUFFER_BN = DEFAULT.signals.reserves_rrp_buffer_bn


def _page(week: WeekAnalysis) -> Page:
    """The real page of ``week`` without charts (the sentences do not depend on them)."""
    return build_page(week, {}, None, GENERATED_AT)


def _weekly(values: list[float], start: str = "2026-01-07") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="W-WED"))


def _reserves_only(values_bn: list[float], dates: list[str] | None = None) -> Dataset:
    """A Dataset holding only H.4.1 reserve balances and total assets (USD millions, like
    WRESBAL and WALCL): a week is comparable once the H.4.1 is there."""
    index = (pd.DatetimeIndex(pd.to_datetime(dates), name="date") if dates is not None else
             pd.date_range("2026-01-07", periods=len(values_bn), freq="W-WED", name="date"))
    return Dataset({"WRESBAL": pd.Series([v * 1000.0 for v in values_bn], index=index),
                    "WALCL": pd.Series([6_500_000.0] * len(values_bn), index=index)})


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _shown(x: float) -> float:
    """A USD bn amount as the sentences print it (whole billions)."""
    return float(f"{abs(x):.0f}")


# -- what changed since the week before ---------------------------------------------------------
def test_without_an_earlier_week_in_the_data_what_changed_says_so_in_one_line() -> None:
    # The sample starts with the H.4.1 week of 3 Jan 2024: a week before 5 Jan 2024 nothing was
    # public, so there is nothing to compare with.
    week = sample_week(date(2024, 1, 5))
    assert week.week_before is None
    assert nv.what_changed(week) == ["There is no earlier week in the data to compare with."]


def test_what_changed_compares_with_the_week_before_from_the_same_data() -> None:
    week = sample_week(date(2026, 7, 23))
    before = week.week_before
    assert before is not None and before.as_of == date(2026, 7, 16)
    # The week before is the dashboard the same data gave a week earlier.
    earlier = analyse(sample_dataset(), before.as_of, with_week_before=False)
    assert before.dashboard.composite.value == earlier.composite.value
    assert before.assessment is not None and earlier.assessment is not None
    assert (before.assessment.phase, before.assessment.confidence) == \
        (earlier.assessment.phase, earlier.assessment.confidence)
    lines = nv.what_changed(week)
    assert 3 <= len(lines) <= 5
    assert lines[-1] == "Compared with the week to 16 Jul 2026, from the data public then."


def test_quiet_week_still_gives_three_lines() -> None:
    # 23 Jul 2026: phase 2 throughout, no pipe event in either week.
    week = sample_week(date(2026, 7, 23))
    assert not week.events and week.assessment is not None and week.assessment.phase == 2
    lines = nv.what_changed(week)
    assert 3 <= len(lines) <= 5
    assert lines[0].startswith("The phase is unchanged: phase 2: active bill purchases")
    c0, c1 = week.week_before.dashboard.composite, week.composite  # type: ignore[union-attr]
    assert c0.value is not None and c1.value is not None and c0.status == c1.status
    moved = "rose" if c1.value > c0.value else "fell"
    if abs(c1.value - c0.value) >= 1:
        assert re.fullmatch(rf"The plumbing stress index {moved} "
                            rf"{abs(c1.value - c0.value):.0f} points? to {c1.value:.0f} "
                            rf"\(still {c1.status}\)\.", lines[1]), lines[1]
    else:
        assert lines[1] == (f"The plumbing stress index was unchanged at {c1.value:.0f} "
                            f"({c1.status}).")
    res = week.reservoir.row("reserves")
    assert res is not None and res.change_4w_bn is not None
    assert f"Reserves {'rose' if res.change_4w_bn > 0 else 'fell'} " \
           f"${_shown(res.change_4w_bn):,.0f} bn over four weeks" in " ".join(lines)


def test_without_any_change_to_report_the_week_says_no_signal_changed() -> None:
    # Only reserves, with a 20-week gap: no 4-week change, no phase, no pipe.
    week = analyse(_reserves_only([3100.0, 3110.0], ["2025-09-17", "2026-02-04"]),
                   date(2026, 2, 5))
    assert week.week_before is not None
    lines = nv.what_changed(week)
    assert "No signal changed status since the week of 29 Jan 2026." in lines
    assert lines[-1] == "Compared with the week to 29 Jan 2026, from the data public then."


def test_changes_are_ordered_phase_composite_then_the_worst_signals() -> None:
    # 1 Jan 2026: the holdings turned to phase 2, the year-end took SOFR and the SRF to stressed;
    # the week before, dealers' positions (high and building) had the index elevated.
    week = sample_week(date(2026, 1, 1))
    before = week.week_before
    assert before is not None and before.assessment is not None
    assert (before.assessment.phase, week.assessment.phase) == (0, 2)  # type: ignore[union-attr]
    lines = nv.what_changed(week)
    assert len(lines) == 5
    # (Compared without case: how the label is cased inside a sentence is not the point here.)
    assert lines[0].lower() == ("the phase moved from phase 0: runoff (qt) to phase 2: active "
                                "bill purchases.")
    c0, c1 = before.dashboard.composite, week.composite
    assert (c0.status, c1.status) == ("elevated", "stressed")
    assert c0.details["drivers"] == ["dealer_positions"]
    assert lines[1] == (f"The plumbing stress index moved from elevated to stressed "
                        f"({c0.value:.0f} to {c1.value:.0f}).")
    # Then the signals whose week was worse than the week before, worst first, each with its
    # extreme and the date it is for.
    assert lines[2] == (f"{nv.event_sentence(week.extremes['repo_rates'])[:-1]}; the week "
                        f"before: {before.extremes['repo_rates'].worst_status}.")
    assert lines[3].startswith("The Standing Repo Facility lent $")
    assert "on 31 Dec 2025 (stressed); the week before: normal." in lines[3]
    assert lines[4] == "Compared with the week to 25 Dec 2025, from the data public then."


def test_a_signal_back_to_normal_is_reported_with_the_week_before_s_extreme() -> None:
    week = sample_week(date(2025, 7, 10))
    before = week.week_before
    assert before is not None and before.extremes["srf"].worst_status == "stressed"
    assert week.extremes["srf"].worst_status == "normal"
    assert (f"Standing Repo Facility: back to normal, after stressed the week before "
            f"({nv.event_sentence(before.extremes['srf'])[:-1]}).") in nv.what_changed(week)


def test_what_changed_when_the_week_before_had_no_phase_assessment() -> None:
    # The phase needs five public H.4.1 weeks: on 1 Feb 2024 there are, a week earlier not.
    week = sample_week(date(2024, 2, 1))
    assert week.assessment is not None
    assert week.week_before is not None and week.week_before.assessment is None
    lines = nv.what_changed(week)
    assert 3 <= len(lines) <= 5
    assert not any("phase" in line.lower() for line in lines)
    assert lines[-1] == "Compared with the week to 25 Jan 2024, from the data public then."


# -- formats ------------------------------------------------------------------------------------
def test_number_formats_and_missing_values() -> None:
    assert nv.bn(2915.4) == "$2,915 bn"
    assert nv.bn(-12.2, signed=True) == "-$12 bn"
    assert nv.bp(7.6) == "+8 bp"
    assert nv.day("2026-09-03") == "3 Sep 2026"
    assert nv.bn(float("nan")) == nv.bp(None) == nv.day(None) == "n/a"
    assert nv.signal_value(1.0, "tenors flagged (persistent weakness)") == "1 tenor flagged"


# -- the reservoir ------------------------------------------------------------------------------
def test_reservoir_says_when_the_on_rrp_buffer_is_spent() -> None:
    spent = sample_week(date(2025, 12, 4))  # ON RRP about $3 bn
    rrp = spent.reservoir.row("on_rrp")
    assert rrp is not None and rrp.latest_bn < BUFFER_BN
    text = nv.reservoir_sentences(spent.reservoir, spent.signals["reserves"], BUFFER_BN)
    assert text[-1].startswith(f"ON RRP usage is {nv.bn(rrp.latest_bn)}, below $100 bn")
    assert "the buffer is spent" in text[-1] and "out of reserves directly" in text[-1]
    full = sample_week(date(2025, 7, 3))  # ON RRP about $237 bn
    rrp = full.reservoir.row("on_rrp")
    assert rrp is not None and rrp.latest_bn >= BUFFER_BN
    text = nv.reservoir_sentences(full.reservoir, full.signals["reserves"], BUFFER_BN)
    assert text[-1].startswith(f"ON RRP usage is {nv.bn(rrp.latest_bn)}: money funds still "
                               "hold a buffer")
    assert "spent" not in text[-1]


def test_reservoir_reports_direction_of_reserves() -> None:
    week = analyse(_reserves_only([3200.0 - 10 * i for i in range(20)]), date(2026, 5, 21))
    text = nv.reservoir_sentences(week.reservoir, week.signals["reserves"], BUFFER_BN)
    assert text[0].startswith("Bank reserves (week average) stood at $3,010 bn in the week to "
                              "20 May 2026 (-$40 bn in four weeks)")
    assert "down $130 bn over 13 weeks" in text[0]
    rising = analyse(_reserves_only([3000.0 + 10 * i for i in range(20)]), date(2026, 5, 21))
    text = nv.reservoir_sentences(rising.reservoir, rising.signals["reserves"], BUFFER_BN)
    assert "(+$40 bn in four weeks), up $130 bn over 13 weeks" in text[0]


def test_change_over_a_gap_is_unknown_for_the_sentence_and_the_table_alike() -> None:
    weekly = pd.Series([100.0, 110.0], index=pd.to_datetime(["2026-01-07", "2026-02-04"]))
    assert change_over(weekly, 4) == 10.0
    # The only earlier value is 20 weeks old: no 4-week change can be stated.
    week = analyse(_reserves_only([3100.0, 3110.0], ["2025-09-17", "2026-02-04"]),
                   date(2026, 2, 5))
    row = week.reservoir.row("reserves")
    assert row is not None and row.change_4w_bn is None and row.change_13w_bn is None
    sentence = nv.reservoir_sentences(week.reservoir, week.signals["reserves"], BUFFER_BN)[0]
    assert "four weeks" not in sentence and "13 weeks" not in sentence
    table = _page(week).reservoir.table
    assert [(r.label, r.d4, r.d13) for r in table] == [("Fed total assets", "n/a", "n/a"),
                                                       ("Reserve balances", "n/a", "n/a")]


def _row(change_13w: float | None, latest: float = 3000.0) -> ReservoirRow:
    return ReservoirRow("reserves", "Reserve balances", "week average", latest,
                        pd.Timestamp("2026-01-07"), None, change_13w, None)


def test_stock_flow_reading_rests_on_page_one_not_on_the_window_ends() -> None:
    """Section 4 reads reserves' 13-week change beside the pipe's status for the week (what
    page 1 shows), and only funding stress speaks to reserve scarcity."""
    window, index = _weekly([3400.0, 3000.0]), _weekly([20.0, 22.0])
    falling, steady = _row(-200.0), _row(10.0)
    repo = {"repo_rates": "Repo rates"}
    fails = {"fails": "Settlement fails"}
    text = nv.stock_flow_sentences(window, index, falling, "stressed", repo)
    assert text[0] == ("Over the chart's window, reserves went from $3,400 bn to $3,000 bn and "
                       "the weekly stress index from 20 to 22 (peak 22 in the week to "
                       "14 Jan 2026).")
    assert "nearing the level where they stop being ample" in text[1]
    assert "-$200 bn over 13 weeks" in text[1]
    assert "constraint is in intermediation" in nv.stock_flow_sentences(window, index, steady,
                                                                  "elevated", repo)[1]
    not_funding = nv.stock_flow_sentences(window, index, falling, "stressed", fails)[1]
    assert "not in funding" in not_funding and "Settlement fails" in not_funding
    assert "still has room" in nv.stock_flow_sentences(window, index, falling, "normal", {})[1]
    assert "not published" in nv.stock_flow_sentences(window, index, falling, "unavailable",
                                                      {})[1]
    assert nv.stock_flow_sentences(window.iloc[:1], index, _row(None), "normal", {}) == []
    # Stress the calendar explains (a year-end repo spike) is neither "in funding" as scarcity
    # nor "not in funding".
    text = nv.stock_flow_sentences(window, index, steady, "stressed", {}, repo)[1]
    assert text.startswith("The pipe's stress this week is funding pressure the calendar "
                           "explains (Repo rates)")
    assert "not in funding" not in text


# -- the pipe: signals over the briefing week ---------------------------------------------------
def test_signal_sentences_separate_calendar_stress_from_the_worrying_kind() -> None:
    # 2 Oct 2025: SOFR elevated at the quarter-end, not persistent: the calendar explains it.
    cal_week = sample_week(date(2025, 10, 2))
    cal = cal_week.signals["repo_rates"]
    assert cal.status == "elevated" and cal.calendar_explained and not cal.persistent
    text = " ".join(nv.signal_sentences(cal, cal_week.extremes.get("repo_rates"),
                                        cal_week.coverage["repo_rates"]))
    assert "calendar-explained" in text and "climate, not weather" not in text
    # 16 Oct 2025: SOFR stressed on a coupon-settlement date: a mid-month window does not
    # explain stress of that size, and the page says the window without leaning on it.
    mid_week = sample_week(date(2025, 10, 16))
    mid = mid_week.signals["repo_rates"]
    assert mid.status == "stressed" and "coupon settlement" in mid.calendar_windows
    assert not mid.calendar_explained and not mid.persistent
    text = " ".join(nv.signal_sentences(mid, mid_week.extremes.get("repo_rates"),
                                        mid_week.coverage["repo_rates"]))
    assert ("falls in a calendar window (coupon settlement), but the calendar does not explain "
            "stress of this kind or size") in text
    # 4 Dec 2025: repo rates elevated on most recent days.
    odd_week = sample_week(date(2025, 12, 4))
    odd = odd_week.signals["repo_rates"]
    assert odd.persistent and odd.status == "elevated"
    text = " ".join(nv.signal_sentences(odd, odd_week.extremes.get("repo_rates"),
                                        odd_week.coverage["repo_rates"]))
    assert "climate, not weather" in text and "calendar-explained" not in text
    # 27 Nov 2025: SRF take-up stressed outside any calendar window and not persistent.
    srf_week = sample_week(date(2025, 11, 27))
    srf = srf_week.signals["srf"]
    assert srf.status == "stressed" and not srf.calendar_windows and not srf.persistent
    text = " ".join(nv.signal_sentences(srf, srf_week.extremes.get("srf"),
                                        srf_week.coverage["srf"]))
    assert "No calendar window explains it: this is the kind of stress to watch." in text
    # A normal signal in a normal week is its explanation alone.
    calm = odd_week.signals["treasury_volatility"]
    assert calm.status == "normal"
    assert nv.signal_sentences(calm, odd_week.extremes.get("treasury_volatility"),
                               odd_week.coverage["treasury_volatility"]) == [calm.explanation]


def test_a_signal_is_reported_over_the_week_with_its_extreme_and_its_date() -> None:
    # 4 Dec 2025: the SRF is back to zero on the day, but lent $26 bn on 1 Dec.
    week = sample_week(date(2025, 12, 4))
    sig, ext = week.signals["srf"], week.extremes["srf"]
    assert sig.status == "normal" and ext.worst_status == "stressed"
    assert ext.date == date(2025, 12, 1) and week.week_start <= ext.date <= week.as_of
    text = nv.signal_sentences(sig, ext, week.coverage["srf"])
    assert len(text) == 3 and text[0] == sig.explanation
    assert text[1].endswith(nv.event_sentence(ext))
    # The context is the extreme's (judged on the day it is for), not the calm day's.
    assert text[2] == nv.context_sentence(ext.worst_status, ext.calendar_windows,
                                          ext.persistent, ext.calendar_explained)
    assert nv.bn2(ext.value) in text[1] and "on 1 Dec 2025" in text[1] and "stressed" in text[1]
    # The front table row carries the same extreme beside the day's reading.
    row = next(r for r in _page(week).front.signals if r.name == "srf")
    assert row.week == f"week: stressed, {nv.bn2(ext.value)} on 1 Dec 2025"


def test_event_sentences_name_the_value_and_the_day_it_is_for() -> None:
    fails = sample_week(date(2025, 10, 2)).extremes["fails"]
    text = nv.event_sentence(fails)
    assert text.startswith("Treasury settlement fails reached ")
    assert f"${fails.value:,.1f} bn" in text and "week to 24 Sep 2025" in text
    assert "(stressed)" in text
    auction = sample_week(date(2025, 9, 18)).extremes["auctions"]
    text = nv.event_sentence(auction)
    assert text.startswith(f"The {auction.extra['tenor']} auction on {day(auction.date)} was "
                           "weak")
    assert f"{auction.extra['criteria_met']} of 3 weakness criteria" in text
    assert f"tail proxy {nv.bp(auction.value)}" in text
    sofr = sample_week(date(2025, 11, 6)).extremes["repo_rates"]
    assert nv.event_sentence(sofr).startswith(
        f"SOFR printed {sofr.extra['sofr_pct']:.2f}% on {day(sofr.date)}, {nv.bp(sofr.value)} "
        "over IORB")
    assert f"({sofr.status})" in nv.event_sentence(sofr)


def test_a_signal_without_a_live_reading_says_why_and_when_it_was_last_read() -> None:
    # The sample's dealer fails end with the week to 12 Nov 2025.
    week = sample_week(SAMPLE_AS_OF)
    cov = week.coverage["fails"]
    assert cov.state == "stale" and cov.last_date == date(2025, 11, 12)
    text = nv.signal_sentences(week.signals["fails"], week.extremes.get("fails"), cov)
    assert len(text) == 1
    assert text[0].startswith("Settlement fails: stale; its last reading was ")
    assert text[0].endswith("for 12 Nov 2025. The store holds nothing newer by this date (a "
                            "gap in the stored data, not a calm reading).")


def test_composite_summary_states_the_band_of_the_thresholds_in_force() -> None:
    # 23 Oct 2025: the index reads 37 with the default bands (elevated from 40).
    week = sample_week(date(2025, 10, 23))
    comp = week.composite
    live, missing = comp.details["live"], comp.details["missing"]
    assert comp.status == "normal" and comp.value is not None and 35 <= comp.value < 40
    assert "in the normal band (below 40)" in nv.composite_summary(comp, live, missing, 40, 60)
    # With elevation from 30 the same week reads elevated, and the sentence says which band.
    strict = Thresholds(DEFAULT.phase, replace(DEFAULT.signals, composite_elevated=30.0,
                                               composite_stressed=50.0))
    hot = sample_week(date(2025, 10, 23), strict).composite
    assert hot.status == "elevated"
    assert "in the elevated band (30 to 50)" in nv.composite_summary(
        hot, hot.details["live"], hot.details["missing"], 30.0, 50.0)


def test_the_composite_is_the_pipe_alone_without_reserves() -> None:
    # 4 Dec 2025: reserves read stressed, the pipe elevated; reserves do not move the index.
    week = sample_week(date(2025, 12, 4))
    assert week.signals["reserves"].status == "stressed"
    comp = week.composite
    assert "reserves" not in comp.details["live"] + comp.details["missing"]
    assert "reserves" not in comp.details["drivers"]
    live, missing = comp.details["live"], comp.details["missing"]
    assert sorted(live + missing) == sorted(COMPONENTS)
    text = nv.composite_summary(comp, live, missing, 40, 60)
    pipe_live = [n for n in live if n != "yield_curve"]
    curve = " and the yield curve as context" if "yield_curve" in live else ""
    assert f"from {len(pipe_live)} of {len(COMPONENTS) - 1} pipe signals{curve}" in text
    assert "reserves" not in text


def test_composite_summary_without_enough_of_the_pipe_is_not_calm() -> None:
    # Before the sample's SOFR, SRF and yields start: dealer positions (normal) and fails only.
    week = sample_week(date(2024, 3, 7))
    comp = week.composite
    assert comp.status == "unavailable"
    text = nv.composite_summary(comp, comp.details.get("live", []),
                                comp.details.get("missing", list(COMPONENTS)), 40, 60)
    assert text.startswith("The plumbing stress index is not published")
    assert "too few to call the pipe calm" in text and "normal" not in text


# -- no sentence contradicts its numbers, on every Thursday of the sample ----------------------
def _thursdays(start: date, end: date) -> Iterator[date]:
    d = start + timedelta(days=(3 - start.weekday()) % 7)
    while d <= end:
        yield d
        d += timedelta(days=7)


@dataclass(frozen=True)
class Briefing:
    week: WeekAnalysis
    page: Page


@pytest.fixture(scope="module")
def briefings() -> list[Briefing]:
    """The briefing of every Thursday from June 2025 to September 2026 (about 30 s)."""
    ds = sample_dataset()
    return [Briefing(w, _page(w)) for w in
            (analyse(ds, d) for d in _thursdays(date(2025, 6, 1), date(2026, 9, 30)))]


def test_the_sample_thursdays_cover_the_period(briefings: list[Briefing]) -> None:
    days = [b.week.as_of for b in briefings]
    assert days[0] == date(2025, 6, 5) and days[-1] == date(2026, 9, 24) and len(days) == 69


def _sign_agrees(word: str, value: float | None, up: str, down: str) -> bool:
    assert word in (up, down), word
    return value is not None and (value > 0 if word == up else value < 0)


def test_reservoir_sentences_agree_with_the_sign_of_their_numbers(
        briefings: list[Briefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        when, rows = b.week.as_of, b.week.reservoir
        res, net, tga = rows.row("reserves"), rows.row("net_liquidity"), rows.row("tga")
        assert res is not None and net is not None and tga is not None
        texts = list(b.page.reservoir.narrative) + [b.page.front.reservoir.summary]
        for s in texts:
            if s.startswith("Bank reserves"):
                m4 = re.search(r"\(([+\-±])\$([\d,]+) bn in four weeks\)", s)
                assert m4 is not None and res.change_4w_bn is not None, (when, s)
                if _shown(res.change_4w_bn) >= 1:
                    assert m4.group(1) == ("+" if res.change_4w_bn > 0 else "-"), (when, s)
                assert _amount(m4.group(2)) == _shown(res.change_4w_bn), (when, s)
                m13 = re.search(r", (up|down) \$([\d,]+) bn over 13 weeks", s)
                if m13 is None:
                    assert "about flat over 13 weeks" in s, (when, s)
                else:
                    assert _sign_agrees(m13.group(1), res.change_13w_bn, "up", "down"), (when, s)
                    assert _amount(m13.group(2)) == _shown(res.change_13w_bn or 0), (when, s)
                    seen.add(f"reserves {m13.group(1)}")
            elif s.startswith("Net liquidity"):
                m = re.search(r", (up|down) \$([\d,]+) bn over 13 weeks", s)
                if m is None:  # no 13-week change yet (ON RRP starts 2 Jun 2025), or none
                    c13 = net.change_13w_bn
                    assert c13 is None or ("unchanged over 13 weeks" in s and abs(c13) < 1), \
                        (when, s)
                    continue
                assert _sign_agrees(m.group(1), net.change_13w_bn, "up", "down"), (when, s)
                assert _amount(m.group(2)) == _shown(net.change_13w_bn or 0), (when, s)
                seen.add(f"net liquidity {m.group(1)}")
            elif s.startswith("The Treasury's cash account"):
                m = re.search(r"account (rose|fell) \$([\d,]+) bn in four weeks to \$[\d,]+ bn, "
                              r"(draining|releasing) reserves", s)
                if m is None:
                    # Little changed: within 5% of the level, and the change is still cited.
                    c4 = tga.change_4w_bn or 0
                    assert "little changed" in s and abs(c4) < 0.05 * max(tga.latest_bn, 100), \
                        (when, s)
                    assert tga.change_4w_bn is None or nv.bn(c4, signed=True) in s, (when, s)
                    continue
                assert _sign_agrees(m.group(1), tga.change_4w_bn, "rose", "fell"), (when, s)
                assert (m.group(1) == "rose") == (m.group(3) == "draining"), (when, s)
                assert _amount(m.group(2)) == _shown(tga.change_4w_bn or 0), (when, s)
                seen.add(f"tga {m.group(1)}")
    # Both directions of each occur in the period, so the checks above are not vacuous.
    assert seen >= {"reserves up", "reserves down", "net liquidity up", "net liquidity down",
                    "tga rose", "tga fell"}


def test_holdings_sentences_agree_with_the_sign_of_their_numbers(
        briefings: list[Briefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        a = b.week.assessment
        assert a is not None
        ev = {e.name: e for e in a.evidence}
        res = b.week.reservoir.row("reserves")
        for s in b.page.phase.narrative:
            for noun, key in (("bills", "bills"), ("notes and bonds", "coupons"),
                              ("MBS", "mbs")):
                m = re.search(rf"(?:weeks |; ){noun} (rose|fell) \$([\d,]+) bn", s)
                if m is not None:
                    c4 = ev[key].change_4w_bn
                    assert _sign_agrees(m.group(1), c4, "rose", "fell"), (a.as_of, s)
                    assert _amount(m.group(2)) == _shown(c4 or 0), (a.as_of, s)
                    seen.add(f"{key} {m.group(1)}")
            m = re.match(r"Securities held (rose|fell) \$([\d,]+) bn in four weeks", s)
            if m is not None:
                c4 = ev["holdings"].change_4w_bn
                assert _sign_agrees(m.group(1), c4, "rose", "fell"), (a.as_of, s)
                assert _amount(m.group(2)) == _shown(c4 or 0), (a.as_of, s)
                seen.add(f"holdings {m.group(1)}")
            m = re.match(r"Reserves changed ([+\-±])\$([\d,]+) bn", s)
            if m is not None:
                assert res is not None and res.change_4w_bn is not None
                if _shown(res.change_4w_bn) >= 1:
                    assert m.group(1) == ("+" if res.change_4w_bn > 0 else "-"), (a.as_of, s)
    assert seen >= {"bills rose", "holdings rose", "holdings fell", "mbs fell"}


def _other_way(b: Briefing) -> tuple[str, float, float, float] | None:
    """The "Reserves moved the other way" sentence of the phase section, with the 4-week
    changes of the holdings, the reserves and the TGA + ON RRP (USD bn)."""
    s = next((s for s in b.page.phase.narrative if s.startswith("Reserves moved the other way")),
             None)
    if s is None:
        return None
    a = b.week.assessment
    assert a is not None
    holdings = next(e for e in a.evidence if e.name == "holdings").change_4w_bn
    rows = b.week.reservoir
    res = rows.row("reserves")
    accounts = sum((r.change_4w_bn or 0.0) for r in (rows.row("tga"), rows.row("on_rrp"))
                   if r is not None)
    assert holdings is not None and res is not None and res.change_4w_bn is not None
    return s, holdings, res.change_4w_bn, accounts


def test_reserves_said_to_move_the_other_way_did(briefings: list[Briefing]) -> None:
    wrong = []
    for b in briefings:
        found = _other_way(b)
        if found is not None and found[1] * found[2] >= 0:
            wrong.append((b.week.as_of, found[0]))
    assert not wrong, wrong


def test_the_accounts_and_the_rest_of_the_balance_sheet_add_up(
        briefings: list[Briefing]) -> None:
    """What the TGA and ON RRP gave or took, and what the rest of the balance sheet did, are
    the numbers' own: given = -(TGA + ON RRP changes), rest = reserves - holdings - given."""
    wrong, seen = [], 0
    for b in briefings:
        found = _other_way(b)
        if found is None:
            continue
        s, holdings, reserves, accounts = found
        seen += 1
        m = re.search(r"together (gave|took) \$([\d,]+) bn", s)
        if m is not None:
            given = -accounts
            if (m.group(1) == "gave") != (given > 0) or \
                    abs(float(m.group(2).replace(",", "")) - abs(given)) > 1:
                wrong.append((b.week.as_of, s))
        rest = re.search(r"other items of the Fed's balance sheet .*?(added|took) about "
                         r"\$([\d,]+) bn", s)
        other = reserves - holdings + accounts
        if rest is not None:
            if (rest.group(1) == "added") != (other > 0) or \
                    abs(float(rest.group(2).replace(",", "")) - abs(other)) > 1:
                wrong.append((b.week.as_of, s))
        elif "more than the portfolio" in s and abs(-accounts) <= abs(holdings):
            wrong.append((b.week.as_of, s))
    assert not wrong, wrong
    assert seen >= 1


def test_what_changed_agrees_with_the_sign_of_its_numbers(briefings: list[Briefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        week, lines = b.week, list(b.page.front.changes)
        before = week.week_before
        assert before is not None
        assert lines == nv.what_changed(week)
        assert 3 <= len(lines) <= 5, (week.as_of, lines)
        assert lines[-1] == (f"Compared with the week to {day(week.as_of - timedelta(days=7))}, "
                             "from the data public then.")
        res = week.reservoir.row("reserves")
        c0, c1 = before.dashboard.composite, week.composite
        for s in lines:
            m = re.match(r"Reserves (rose|fell) \$([\d,]+) bn over four weeks, to \$([\d,]+) bn",
                         s)
            if m is not None:
                assert res is not None and res.change_4w_bn is not None
                assert _sign_agrees(m.group(1), res.change_4w_bn, "rose", "fell"), \
                    (week.as_of, s)
                assert _amount(m.group(2)) == _shown(res.change_4w_bn), (week.as_of, s)
                assert _amount(m.group(3)) == _shown(res.latest_bn), (week.as_of, s)
                seen.add(f"reserves {m.group(1)}")
            m = re.match(r"The plumbing stress index (rose|fell) (\d+) points? to (\d+) "
                         r"\(still (\w+)\)", s)
            if m is not None:
                assert c0.value is not None and c1.value is not None
                assert _sign_agrees(m.group(1), c1.value - c0.value, "rose", "fell"), \
                    (week.as_of, s)
                assert int(m.group(2)) == round(abs(c1.value - c0.value)), (week.as_of, s)
                assert m.group(4) == c1.status == c0.status, (week.as_of, s)
                seen.add(f"index {m.group(1)}")
            m = re.match(r"The plumbing stress index moved from (\w+) to (\w+)", s)
            if m is not None:
                assert (m.group(1), m.group(2)) == (c0.status, c1.status), (week.as_of, s)
            # A week whose index peaked above today's: the peaks are compared, like with like.
            m = re.match(r"The plumbing stress index peaked at (\d+) \((\w+)\) on (.+?)"
                         r"(?:, against (\d+) \((\w+)\) at the peak of the week before)?; it "
                         r"stands at (\d+) \((\w+)\) on (.+)\.$", s)
            if m is not None:
                p0, p1 = before.extremes.get("composite"), week.extremes["composite"]
                assert c1.value is not None
                assert (int(m.group(1)), m.group(2), m.group(3)) == (
                    round(p1.value), p1.worst_status, day(p1.date)), (week.as_of, s)
                assert round(p1.value) > round(c1.value), (week.as_of, s)
                if m.group(4) is not None:
                    assert p0 is not None
                    assert (int(m.group(4)), m.group(5)) == (round(p0.value), p0.worst_status)
                assert (int(m.group(6)), m.group(7)) == (round(c1.value), c1.status)
                seen.add("index peaked")
            m = re.match(r"The plumbing stress index stands at (\d+) \((\w+)\) on (.+?), against "
                         r"a peak of (\d+) \((\w+)\) the week before\.$", s)
            if m is not None:
                p0 = before.extremes["composite"]
                assert c1.value is not None and c0.value is not None
                assert (int(m.group(1)), m.group(2)) == (round(c1.value), c1.status)
                assert (int(m.group(4)), m.group(5)) == (round(p0.value), p0.worst_status)
                assert p0.worst_status != "normal" and round(p0.value) > round(c0.value)
            m = re.match(r"Confidence in the phase (rose|fell) from (\w+) to (\w+)", s)
            if m is not None:
                order = nv.CONFIDENCE_ORDER
                assert before.assessment is not None and week.assessment is not None
                assert (m.group(2), m.group(3)) == (before.assessment.confidence,
                                                    week.assessment.confidence)
                assert (order[m.group(3)] > order[m.group(2)]) == (m.group(1) == "rose")
                seen.add(f"confidence {m.group(1)}")
    assert seen >= {"reserves rose", "reserves fell", "index rose", "index peaked",
                    "confidence rose", "confidence fell"}


def test_stock_flow_and_implications_agree_with_the_sign_of_their_numbers(
        briefings: list[Briefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        week = b.week
        text = list(b.page.stock_flow.narrative)
        frame = week.frames.stock_flow.set_index("date")
        if text and text[0].startswith("Over the chart's window"):
            r = frame["reserves_bn"].dropna()
            m = re.search(r"reserves went from \$([\d,]+) bn to \$([\d,]+) bn", text[0])
            assert m is not None, (week.as_of, text[0])
            assert (_amount(m.group(1)), _amount(m.group(2))) == (
                _shown(r.iloc[0]), _shown(r.iloc[-1])), (week.as_of, text[0])
        res = week.reservoir.row("reserves")
        for line in text:
            m = re.search(r"reserves are (falling|rising|about steady) \(([-+±])\$([\d,]+) bn "
                          r"over 13 weeks\)", line, flags=re.IGNORECASE)
            if m is not None:
                assert res is not None and res.change_13w_bn is not None
                c = res.change_13w_bn
                trend = m.group(1).lower()
                assert trend != "falling" or c < 0, (week.as_of, line)
                assert trend != "rising" or c > 0, (week.as_of, line)
                assert _amount(m.group(3)) == _shown(c), (week.as_of, line)
                seen.add(f"section 4 {trend}")
        res = week.reservoir.row("reserves")
        assert res is not None
        c13 = res.change_13w_bn
        for asset in b.page.implications.assets:
            for st in asset.statements:
                m = re.search(r"reserves (rose|fell) \$([\d,]+) bn over 13 weeks", st.condition)
                if m is not None:
                    assert _sign_agrees(m.group(1), c13, "rose", "fell"), (week.as_of, st)
                    assert _amount(m.group(2)) == _shown(c13 or 0), (week.as_of, st)
                    seen.add(f"implications {m.group(1)}")
                if re.search(r"shrinking cushion of reserves|draining reservoir", st.reading):
                    assert c13 is not None and c13 <= -1, (week.as_of, st.reading)
                if "the added reserves support" in st.reading:
                    assert c13 is not None and c13 >= 1, (week.as_of, st.reading)
    assert seen >= {"section 4 falling", "section 4 rising", "implications rose",
                    "implications fell"}


def test_the_week_lead_names_the_week_s_events(briefings: list[Briefing]) -> None:
    with_events = 0
    for b in briefings:
        week, lead = b.week, list(b.page.front.lead)
        # The week's policy decisions come first, each with its date and evidence grade.
        assert lead[:len(week.decisions)] == [nv.decision_sentence(d) for d in week.decisions]
        lead = lead[len(week.decisions):]
        # The reservoir's moves close the lead when one was large and the lead is not full.
        large = nv.reservoir_week_sentence(week.reservoir, large_only=True)
        room = len(week.decisions) + max(1, min(len(week.events), 3)) < nv.MAX_LEAD
        if large is not None and room:
            assert lead[-1] == large, (week.as_of, lead)
            lead = lead[:-1]
        assert not any(line.startswith("In the week to") for line in lead), (week.as_of, lead)
        if not week.events:
            # No new event: either a quiet week, or stress that persists from before, named.
            still = [s.title for n, s in week.signals.items()
                     if n not in ("reserves", "yield_curve")
                     and week.coverage[n].state == "live"
                     and s.status in ("elevated", "stressed")]
            span = f"in the week from {day(week.week_start)} to {day(week.as_of)}"
            live = week.implications.state.pipe_live
            dark = live < week.thresholds.signals.composite_min_live
            quiet = (f"Only {live} of the 8 pipe signals have data for the week from "
                     f"{day(week.week_start)} to {day(week.as_of)}, too few to call the pipe "
                     "calm" + ("; none of them reached elevated." if live else ".")
                     if dark else f"No pipe signal reached elevated {span}.")
            assert lead == ([f"No new stress {span}; still elevated or worse: "
                             f"{', '.join(still)}."] if still else [quiet]), (week.as_of, lead)
            continue
        with_events += 1
        named = week.events[:3]
        assert len(lead) == len(named), (week.as_of, lead)
        for e, line in zip(named, lead, strict=True):
            assert line == nv.event_sentence(e), (week.as_of, line)
            assert day(e.date) in line, (week.as_of, line)
            # An auction event is a weak auction; the others state their status.
            said = " was weak" if e.signal == "auctions" else f"({e.status})"
            assert said in line, (week.as_of, line)
        # Most severe first: every stressed event is named before any elevated one.
        levels = [e.level for e in week.events]
        assert levels == sorted(levels, reverse=True)
        assert all(e in named for e in week.events if e.status == "stressed")
    assert with_events >= 10


def test_a_week_said_to_be_quiet_had_no_elevated_pipe_signal(
        briefings: list[Briefing]) -> None:
    wrong = []
    for b in briefings:
        if b.page.front.lead[0].startswith("No pipe signal reached elevated"):
            hot = [(n, e.worst_status) for n, e in b.week.extremes.items()
                   if n not in ("composite", "yield_curve") and e.worst_status != "normal"]
            if hot:
                wrong.append((b.week.as_of, hot))
    assert not wrong, wrong


def test_no_signal_is_both_calendar_explained_and_persistent(
        briefings: list[Briefing]) -> None:
    labelled: set[str] = set()
    for b in briefings:
        week = b.week
        for row in b.page.front.signals:
            sig = week.signals[row.name]
            assert not ("calendar-explained" in row.note and "persistent" in row.note), \
                (week.as_of, row)
            # The note is the context the page states: the week's extreme on the day it is
            # for, unless the stress persists today.
            _, _, persistent, explained = nv.signal_context(sig, week.extremes.get(row.name))
            if "persistent" in row.note:
                assert persistent, (week.as_of, row)
                labelled.add("persistent")
            if row.note.startswith("calendar-explained"):
                assert explained and not persistent, (week.as_of, row)
                labelled.add("calendar-explained")
        for name, sig in week.signals.items():
            text = " ".join(nv.signal_sentences(sig, week.extremes.get(name),
                                                week.coverage[name]))
            assert not ("calendar-explained" in text and "climate, not weather" in text), \
                (week.as_of, name, text)
    assert labelled == {"persistent", "calendar-explained"}


def test_the_week_s_policy_decisions_lead_with_their_evidence_grade() -> None:
    # 10 Dec 2025: the FOMC's reserve-management purchases and the SRF's limit removed
    # (official); 13 Apr 2026: the Desk's first step-down (press); 16 Sep 2026: a hike
    # inferred from SOFR (unverified).
    lead = sample_page(date(2025, 12, 11)).front.lead
    assert lead[0] == ("Policy, 10 Dec 2025: reserve-management bill purchases, purchases "
                       "about $40bn a month, effective 12 Dec 2025.")
    assert lead[1].startswith("Policy, 10 Dec 2025: SRF aggregate limit removed")
    assert sample_page(date(2026, 4, 16)).front.lead[0].endswith("(reported by the press).")
    assert sample_page(SAMPLE_AS_OF).front.lead[0].endswith(
        "(inferred, not confirmed by an announcement).")


def _week_row(key: str, latest: float, change_1w: float | None,
              when: str = "2026-04-15") -> ReservoirRow:
    return ReservoirRow(key, key, "basis", latest, pd.Timestamp(when), None, None, None,
                        change_1w_bn=change_1w)


def test_the_week_s_reservoir_moves_are_said_with_their_signs_and_levels() -> None:
    reservoir = Reservoir((_week_row("reserves", 3130.4, 13.3), _week_row("tga", 924.0, 227.4),
                           _week_row("on_rrp", 0.4, 0.046, when="2026-04-16")), {})
    assert nv.reservoir_week_sentence(reservoir) == (
        "In the week to 15 Apr 2026, reserves (week average) rose $13 bn to $3,130 bn, the TGA "
        "rose $227 bn to $924 bn and ON RRP (to 16 Apr 2026) was little changed at $0 bn.")
    assert nv.reservoir_week_sentence(reservoir, large_only=True) is not None  # the TGA
    quiet = Reservoir((_week_row("reserves", 3331.0, -10.6), _week_row("tga", 767.0, 44.5)), {})
    assert nv.reservoir_week_sentence(quiet, large_only=True) is None
    assert nv.reservoir_week_sentence(quiet) == (
        "In the week to 15 Apr 2026, reserves (week average) fell $11 bn to $3,331 bn and the "
        "TGA rose $44 bn to $767 bn.")
    assert nv.reservoir_week_sentence(Reservoir((_week_row("tga", 767.0, None),), {})) is None


def test_the_fed_s_lending_is_named_when_the_accounts_do_not_cover_the_move() -> None:
    """March 2023 (SVB): securities -$50 bn, reserves +$210 bn, the TGA -$162 bn and ON RRP
    +$44 bn over four weeks; the rest (about $142 bn) was the Fed's lending."""
    def row(key: str, c4: float) -> ReservoirRow:
        return ReservoirRow(key, key, "basis", 100.0, pd.Timestamp("2023-03-15"), c4, None, None)

    text = nv._reserves_against_holdings(-50.0, 210.0, row("tga", -162.0),
                                         row("on_rrp", 44.0))
    assert text == ("Reserves moved the other way, +$210 bn over the same four weeks: the TGA "
                    "and ON RRP together gave $118 bn (the TGA -$162 bn, ON RRP +$44 bn), and "
                    "other items of the Fed's balance sheet (lending, currency, other "
                    "liabilities) added about $142 bn.")
