"""Charts: one theme, frames cut from the week's analysis, bundles with text alternatives and
CSV data, static specs for the PDF.

Every chart here is drawn from a real :class:`WeekAnalysis` (``tests/factories.py``: the bundled
sample analysed on a date, cached per session) or from a small dataset built in the test and
analysed with :func:`reportgen.analysis.week.analyse`; nothing is a dict shaped like one.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

from reportgen.analysis import frames
from reportgen.analysis.thresholds import SignalThresholds, Thresholds
from reportgen.analysis.week import analyse
from reportgen.charts import SECTIONS, ChartBundle, balance, build_charts, pipe, theme
from reportgen.charts.base import INTERACTIVE_ONLY, chart_spec, static_spec
from reportgen.dataset import Dataset
from reportgen.formatting import bn, bn2, bp, day, phase_title
from reportgen.render.pdf import chart_svgs
from tests.factories import SAMPLE_AS_OF, sample_charts, sample_week

ALL_CHARTS = ["holdings", "pace", "reservoir_levels", "reservoir_buffers", "repo_spread", "srf",
              "auctions", "fails", "volatility", "curve", "stock_flow"]

# Briefing dates across the sample: before any daily pipe data (2024, early 2025), the early
# 2026 date of the brief, the default date, and after the last H.4.1 week (Oct 2026).
EARLY_2024 = date(2024, 3, 7)
EARLY_2025 = date(2025, 3, 6)
EARLY_2026 = date(2026, 3, 5)
LATE = date(2026, 10, 15)
AS_OFS = [EARLY_2024, EARLY_2025, EARLY_2026, SAMPLE_AS_OF, LATE]

# Weekly charts (H.4.1 weeks, weekly fails, the weekly-average stress index).
WEEKLY_CHARTS = ["holdings", "reservoir_levels", "reservoir_buffers", "fails", "stock_flow"]
SMOOTHING = {"monotone", "basis", "basis-open", "basis-closed", "cardinal", "cardinal-open",
             "cardinal-closed", "bundle", "catmull-rom", "natural"}


@pytest.fixture(scope="module")
def charts() -> dict[str, ChartBundle]:
    return sample_charts(SAMPLE_AS_OF)


def _date_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every unit spec of ``spec`` (the spec itself, or its layers, recursively)."""
    if "layer" in spec:
        return [unit for layer in spec["layer"] for unit in _layers(layer)]
    return [spec]


def _mark(unit: dict[str, Any]) -> dict[str, Any]:
    mark = unit.get("mark", {})
    return {"type": mark} if isinstance(mark, str) else mark


def _find_keys(obj: Any, key: str) -> list[Any]:
    if isinstance(obj, dict):
        return [v for k, v in obj.items() if k == key] + [
            found for v in obj.values() for found in _find_keys(v, key)]
    if isinstance(obj, list):
        return [found for v in obj for found in _find_keys(v, key)]
    return []


# -- the theme ------------------------------------------------------------------------------
def test_one_theme_is_registered_and_active() -> None:
    assert alt.theme.active == theme.THEME_NAME
    assert theme.THEME_NAME in alt.theme.names()
    spec = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()
    assert spec["config"]["font"] == theme.FONT
    assert spec["width"] == theme.WIDTH and spec["height"] == theme.HEIGHT
    theme.enable()  # idempotent
    assert alt.theme.active == theme.THEME_NAME


def test_every_sample_chart_carries_the_theme(charts: dict[str, ChartBundle]) -> None:
    for name, bundle in charts.items():
        assert chart_spec(bundle.chart)["config"]["font"] == theme.FONT, name


# -- which charts exist ---------------------------------------------------------------------
def test_sample_briefing_has_every_chart(charts: dict[str, ChartBundle]) -> None:
    # The sample includes auctions, fails (to Nov 2025), daily SRF and the 2025-26 bill
    # purchases (the pace chart): all eleven charts.
    assert list(charts) == ALL_CHARTS
    for name, bundle in charts.items():
        assert bundle.name == name and bundle.section in SECTIONS
        assert bundle.title and bundle.alt_text.endswith(".")
        assert len(bundle.data) > 10, name
        assert bundle.chart.to_dict()  # validates against the Vega-Lite schema
    assert {b.section for b in charts.values()} == set(SECTIONS)


# Charts whose download is the long frame pivoted to one row per date.
WIDE = ("holdings", "pace", "reservoir_levels", "reservoir_buffers", "volatility", "curve")


@pytest.mark.parametrize("as_of, expected", [
    (EARLY_2024, ["holdings", "reservoir_levels", "reservoir_buffers", "fails", "stock_flow"]),
    (EARLY_2025, ["holdings", "reservoir_levels", "reservoir_buffers", "auctions", "fails",
                  "stock_flow"]),
    (EARLY_2026, ALL_CHARTS),
])
def test_a_chart_is_present_when_its_data_exists_and_absent_otherwise(
        as_of: date, expected: list[str]) -> None:
    # The sample's SOFR, SRF and daily yields begin in June 2025, its auctions a year before
    # the default date: before then those charts are absent, not drawn empty.
    week, bundles = sample_week(as_of), sample_charts(as_of)
    assert list(bundles) == expected
    for name in ALL_CHARTS:  # each chart has the frame of its name in week.frames
        frame = getattr(week.frames, name)
        assert (name in bundles) == bool(len(frame)), name
        if name in bundles:
            rows = frame["date"].nunique() if name in WIDE else len(frame)
            assert len(bundles[name].data) == rows, name


def test_charts_without_any_data_are_absent_not_empty() -> None:
    idx = pd.bdate_range("2026-01-05", periods=30, name="date")
    ds = Dataset({"SOFR": pd.Series(4.40, index=idx), "IORB": pd.Series(4.40, index=idx)})
    week = analyse(ds, date(2026, 2, 20))
    bundles = build_charts(week)
    assert list(bundles) == ["repo_spread"]
    assert week.assessment is None


# -- honest about time ----------------------------------------------------------------------
@pytest.mark.parametrize("as_of", AS_OFS)
def test_chart_data_are_only_what_was_public_on_the_briefing_date(as_of: date) -> None:
    week, bundles = sample_week(as_of), sample_charts(as_of)
    limit = pd.Timestamp(as_of)
    for name, bundle in bundles.items():
        cols = _date_columns(bundle.data)
        assert cols, name
        for col in cols:
            assert bundle.data[col].max() <= limit, (name, col)
        # The same holds for everything drawn (phase and calendar shading included), except
        # that a shaded window's ``end`` is the day after its last day by construction.
        spec = chart_spec(bundle.chart)
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                for key, value in row.items():
                    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
                        bound = limit + pd.Timedelta(days=1) if key == "end" else limit
                        assert pd.Timestamp(value) <= bound, (name, key, value)
    # Series published with a day's lag end the day before (H.4.1 on Thursday for Wednesday,
    # SOFR and yields the next business day).
    if "holdings" in bundles:
        last_week = week.data.last_date("TREAST")
        assert last_week is not None and last_week < as_of
        assert bundles["holdings"].data["date"].max() == pd.Timestamp(last_week)
        assert bundles["reservoir_levels"].data["date"].max() <= pd.Timestamp(last_week)
    for name in ("repo_spread", "volatility", "curve"):
        if name in bundles:
            assert bundles[name].data["date"].max() < limit, name


def test_an_early_briefing_draws_the_same_history_as_a_later_one() -> None:
    # No look-ahead: the weeks both briefings show hold the same numbers.
    early, late = sample_charts(EARLY_2026), sample_charts(SAMPLE_AS_OF)
    for name in ("holdings", "reservoir_levels"):
        cols = [c for c in early[name].data.columns if c.endswith("(USD bn)")]
        e = early[name].data.set_index("date")[cols]
        later = late[name].data.set_index("date")[cols]
        common = e.index.intersection(later.index)
        assert len(common) > 50
        pd.testing.assert_frame_equal(e.loc[common], later.loc[common])


# -- text alternatives ----------------------------------------------------------------------
def test_holdings_alt_text_states_the_latest_week(charts: dict[str, ChartBundle]) -> None:
    b = charts["holdings"]
    text, last = b.alt_text, b.data.iloc[-1]
    assert text.startswith("Stacked area chart of the Fed's securities holdings by type")
    assert f"from {day(b.data['date'].min())} to {day(last['date'])}" in text
    assert (f"Latest week ({day(last['date'])}): Bills {bn(last['Bills (USD bn)'])}, "
            f"{frames.COUPON_LABEL} {bn(last[frames.COUPON_LABEL + ' (USD bn)'])}, "
            f"MBS {bn(last['MBS (USD bn)'])}.") in text
    assert "Latest week (16 Sep 2026): Bills $550 bn" in text
    periods = sample_week().frames.phase_periods
    for p in periods.itertuples():
        assert f"{phase_title(p.phase, p.label)} from {day(p.start)}" in text
    n = len(sample_week().frames.decisions)
    assert n and f"{n} FOMC balance-sheet decisions are marked." in text


def test_pipe_alt_texts_state_the_latest_numbers(charts: dict[str, ChartBundle]) -> None:
    week = sample_week()
    spread = charts["repo_spread"].data
    ref = week.frames.reference_name
    last = spread.iloc[-1]
    text = charts["repo_spread"].alt_text
    assert f"Latest ({day(last['date'])}): {bp(last[f'sofr - {ref} (bp)'])}" in text
    widest = spread.loc[spread[f"sofr - {ref} (bp)"].idxmax()]
    assert f"widest: {bp(widest[f'sofr - {ref} (bp)'])} on {day(widest['date'])}" in text
    assert "SRF" not in text and "Standing Repo Facility" not in text
    # The chart's latest spread is the repo signal's reading on the same day.
    assert week.signals["repo_rates"].value == pytest.approx(last[f"sofr - {ref} (bp)"])

    srf = charts["srf"].data
    col = "SRF accepted (USD bn)"
    top = srf.loc[srf[col].idxmax()]
    text = charts["srf"].alt_text
    assert "Standing Repo Facility" in text
    assert f"on {int((srf[col] >= 0.1).sum())} of {len(srf)} days" in text
    assert f"the largest take-up was {bn2(top[col])} on {day(top['date'])}." in text

    fails = charts["fails"].data
    assert f"Latest week: {bn(fails['fails (USD bn)'].iloc[-1])}" in charts["fails"].alt_text
    # Fails end in Nov 2025: the chart's last week is the stale reading the front page shows.
    cov = week.coverage["fails"]
    assert cov.state == "stale" and cov.last_value is not None
    assert fails["fails (USD bn)"].iloc[-1] == pytest.approx(cov.last_value, abs=0.01)

    auc = charts["auctions"].data
    text = charts["auctions"].alt_text
    assert f"Dot chart of {len(auc)} nominal coupon auctions" in text
    assert f"{int(auc['weak'].sum())} auctions are marked weak" in text


@pytest.mark.parametrize("name, unit, fmt", [
    ("reservoir_levels", "USD bn", bn),
    ("reservoir_buffers", "USD bn", bn),
    ("volatility", "bp", lambda x: f"{x:.1f} bp"),
    ("curve", "bp", bp),
])
def test_line_chart_alt_texts_match_their_data(charts: dict[str, ChartBundle], name: str,
                                               unit: str, fmt: Any) -> None:
    data, text = charts[name].data, charts[name].alt_text
    assert f"from {day(data['date'].min())} to {day(data['date'].max())}" in text
    for col in data.columns.drop("date"):
        series = col.removesuffix(f" ({unit})")
        s = data.set_index("date")[col].dropna()
        assert (f"{series} went from {fmt(s.iloc[0])} to {fmt(s.iloc[-1])} "
                f"(range {fmt(s.min())} to {fmt(s.max())})") in text, series


def test_alt_texts_agree_with_the_week(charts: dict[str, ChartBundle]) -> None:
    week = sample_week()
    reserves = week.reservoir.row("reserves")
    assert reserves is not None
    levels = charts["reservoir_levels"].data.set_index("date")["Reserves (USD bn)"].dropna()
    assert levels.iloc[-1] == pytest.approx(reserves.latest_bn)
    assert f"to {bn(reserves.latest_bn)} (range" in charts["reservoir_levels"].alt_text
    curve = charts["curve"].data.set_index("date")["10y - 3m (bp)"].dropna()
    assert curve.iloc[-1] == pytest.approx(week.signals["yield_curve"].value)
    sf = charts["stock_flow"].data.set_index("date")
    assert sf["reserves (USD bn)"].dropna().iloc[-1] == pytest.approx(reserves.latest_bn)
    assert (f"Reserves went from {bn(sf['reserves (USD bn)'].dropna().iloc[0])} to "
            f"{bn(reserves.latest_bn)}") in charts["stock_flow"].alt_text
    assert f"over {week.frames.vol_days} observations" in charts["volatility"].alt_text


# -- the holdings -----------------------------------------------------------------------------
def test_holdings_stack_adds_up_to_the_treasury_total() -> None:
    week = sample_week()
    hold = week.frames.holdings
    treasuries = week.data.billions("TREAST")
    for when in ("2025-06-04", "2025-11-19", "2025-12-24", "2026-09-16"):
        wk = hold[hold["date"] == pd.Timestamp(when)].set_index("component")["value_bn"]
        assert wk["Bills"] + wk[frames.COUPON_LABEL] == pytest.approx(treasuries.loc[when])
        assert wk["MBS"] == pytest.approx(week.data.billions("WSHOMCB").loc[when])


@pytest.mark.parametrize("as_of", [EARLY_2025, date(2025, 11, 20), date(2025, 11, 27),
                                   date(2025, 12, 4), EARLY_2026, SAMPLE_AS_OF, LATE])
def test_sample_holdings_have_bills_in_every_week(as_of: date) -> None:
    # H.4.1 bills (WSHOBL) end on 19 Nov 2025; later weeks take the NY Fed SOMA bills.
    week, bundles = sample_week(as_of), sample_charts(as_of)
    data = bundles["holdings"].data.set_index("date")
    weeks = week.data.billions("TREAST").dropna().index
    weeks = weeks[weeks >= data.index.min()]
    assert list(data.index) == list(weeks)
    for col in ("Bills (USD bn)", f"{frames.COUPON_LABEL} (USD bn)", "MBS (USD bn)"):
        assert data[col].notna().all(), (as_of, col)
    assert (data["Bills (USD bn)"] > 100).all()
    soma = week.data.billions("SOMA_BILLS").dropna()
    after = data.index[data.index > pd.Timestamp("2025-11-19")]
    for wed in after:
        assert data.loc[wed, "Bills (USD bn)"] == pytest.approx(soma.loc[:wed].iloc[-1])


N_WEEKS = 40
H41_BILLS_WEEKS = 20  # WSHOBL ends after 20 weeks; SOMA_BILLS runs from week 15


def _soma_dataset(shifts: list[int]) -> tuple[Dataset, pd.DatetimeIndex, np.ndarray]:
    """H.4.1 holdings on Wednesdays; the SOMA bills dated ``shifts`` days from each Wednesday."""
    weds = pd.date_range("2025-01-01", periods=N_WEEKS, freq="W-WED", name="date")
    bills = 200.0 + np.arange(N_WEEKS) * 5.0
    coupons = np.full(N_WEEKS, 4000.0)
    mbs = 2000.0 - np.arange(N_WEEKS)
    soma_dates = weds[15:] + pd.to_timedelta((shifts * N_WEEKS)[: N_WEEKS - 15], unit="D")
    return Dataset({
        "TREAST": pd.Series((bills + coupons) * 1000, index=weds),
        "WSHOMCB": pd.Series(mbs * 1000, index=weds),
        "WALCL": pd.Series((bills + coupons + mbs + 300) * 1000, index=weds),
        "WSHOBL": pd.Series(bills[:H41_BILLS_WEEKS] * 1000, index=weds[:H41_BILLS_WEEKS]),
        "SOMA_BILLS": pd.Series(bills[15:], index=pd.DatetimeIndex(soma_dates, name="date")),
    }), weds, bills


@pytest.mark.parametrize("shifts", [
    pytest.param([0], id="soma-on-wednesday"),
    pytest.param([-1], id="soma-on-tuesday"),
    pytest.param([0, -1, 0, -2], id="holiday-weeks-tuesday-and-monday"),
    pytest.param([0, 0, 0, 1], id="one-week-dated-thursday"),
    pytest.param([1], id="soma-on-thursday"),
])
def test_holdings_bills_never_vanish_when_the_soma_date_differs(shifts: list[int]) -> None:
    ds, weds, bills = _soma_dataset(shifts)
    # Two days after the last Wednesday: a SOMA reading dated Thursday is public by then.
    week = analyse(ds, (weds[-1] + pd.Timedelta(days=2)).date())
    data = build_charts(week)["holdings"].data.set_index("date")
    assert list(data.index) == list(weds)
    assert data["Bills (USD bn)"].notna().all()
    assert data[f"{frames.COUPON_LABEL} (USD bn)"].notna().all()
    # Each Wednesday shows that week's bills (H.4.1, then the SOMA reading of the same week).
    np.testing.assert_allclose(data["Bills (USD bn)"].to_numpy(), bills)


def test_holdings_end_at_the_last_week_whose_split_is_public() -> None:
    # On the Thursday, the last week's SOMA reading (dated that Thursday) is not public yet:
    # the stack stops a week earlier instead of drawing that week without its bills.
    ds, weds, bills = _soma_dataset([1])
    week = analyse(ds, (weds[-1] + pd.Timedelta(days=1)).date())
    data = build_charts(week)["holdings"].data.set_index("date")
    assert list(data.index) == list(weds[:-1])
    assert data.notna().all().all()
    np.testing.assert_allclose(data["Bills (USD bn)"].to_numpy(), bills[:-1])


# -- phases -----------------------------------------------------------------------------------
def _history(rows: list[tuple[str, int | None]]) -> pd.DataFrame:
    labels = {0: "runoff (QT)", 1: "drain stopped / reinvesting", 2: "active bill purchases"}
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in rows]),
                         "phase": [np.nan if p is None else p for _, p in rows],
                         "label": [labels.get(p, "") if p is not None else "" for _, p in rows]})


def test_phase_periods_collapse_weeks_into_runs() -> None:
    hist = _history([("2025-01-01", 0), ("2025-01-08", 0), ("2025-01-15", 1),
                     ("2025-01-22", 1), ("2025-01-29", 0)])
    periods = frames.phase_periods(hist, date(2024, 12, 1), date(2025, 2, 6))
    assert periods["phase"].tolist() == [0, 1, 0]
    assert periods["start"].tolist() == [pd.Timestamp(d) for d in
                                         ("2025-01-01", "2025-01-15", "2025-01-29")]
    # Each run ends where the next starts; the last one runs to the briefing date.
    assert periods["end"].tolist() == [pd.Timestamp(d) for d in
                                       ("2025-01-15", "2025-01-29", "2025-02-06")]
    assert periods["label"].tolist() == ["runoff (QT)", "drain stopped / reinvesting",
                                         "runoff (QT)"]


def test_phase_periods_are_clipped_to_the_window_and_the_briefing_date() -> None:
    hist = _history([("2025-01-01", 0), ("2025-01-08", None), ("2025-01-15", 0),
                     ("2025-01-22", 2), ("2025-01-29", 1)])
    periods = frames.phase_periods(hist, date(2025, 1, 10), date(2025, 1, 25))
    # Rows after the end are ignored, missing phases skipped, the first run starts at the window.
    assert periods["phase"].tolist() == [0, 2]
    assert periods["start"].iloc[0] == pd.Timestamp("2025-01-10")
    assert periods["end"].iloc[-1] == pd.Timestamp("2025-01-25")
    # A run that ended before the window is dropped.
    assert frames.phase_periods(hist, date(2025, 1, 23), date(2025, 1, 25))["phase"].tolist() \
        == [2]
    assert frames.phase_periods(None, date(2025, 1, 1), date(2025, 2, 1)).empty
    assert list(frames.phase_periods(None, date(2025, 1, 1), date(2025, 2, 1)).columns) == [
        "start", "end", "phase", "label"]


def test_sample_phase_periods_are_labelled_and_cover_the_window() -> None:
    week = sample_week()
    periods = week.frames.phase_periods
    assert periods["label"].tolist() == ["runoff (QT)", "active bill purchases",
                                         "drain stopped / reinvesting"]
    assert periods["start"].iloc[0] >= pd.Timestamp(frames.window_start(week.as_of,
                                                                       frames.BALANCE_YEARS))
    assert periods["end"].iloc[-1] == pd.Timestamp(week.as_of)
    assert (periods["start"].iloc[1:].to_numpy() == periods["end"].iloc[:-1].to_numpy()).all()
    # The current period is the assessed phase; the holdings CSV labels every week.
    assert week.assessment is not None
    assert periods["phase"].iloc[-1] == week.assessment.phase
    data = sample_charts()["holdings"].data
    labelled = data[data["date"] >= periods["start"].iloc[0]]
    assert len(labelled) > 100 and (labelled["observed phase"] != "").all()
    assert (data.loc[data["date"] < periods["start"].iloc[0], "observed phase"] == "").all()


@pytest.mark.parametrize("as_of", [EARLY_2026, SAMPLE_AS_OF])
def test_holdings_shading_starts_the_phase_when_the_assessment_says(as_of: date) -> None:
    week = sample_week(as_of)
    a = week.assessment
    assert a is not None
    current = week.frames.phase_periods.iloc[-1]
    assert current["phase"] == a.phase
    assert current["start"] == pd.Timestamp(a.since)
    assert (f"{phase_title(a.phase, a.label)} from {day(a.since)}"
            in sample_charts(as_of)["holdings"].alt_text)


# -- frames the pipe charts draw --------------------------------------------------------------
def test_calendar_windows_join_consecutive_days() -> None:
    wins = frames.calendar_windows(date(2025, 9, 10), date(2025, 10, 10))
    labels = dict(zip(wins["start"].dt.strftime("%Y-%m-%d"), wins["label"], strict=True))
    assert labels["2025-09-15"] == "tax date"
    qe = wins[wins["start"] == pd.Timestamp("2025-09-30")].iloc[0]
    assert qe["end"] == pd.Timestamp("2025-10-02")  # quarter-end and the next business day
    assert "quarter-end" in qe["label"]
    assert frames.calendar_windows(date(2025, 9, 6), date(2025, 9, 7)).empty  # a weekend


def _bseries(values: list[float], start: str = "2026-01-05", freq: str = "B") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq,
                                                 name="date"), dtype=float)


def test_repo_spread_is_in_basis_points_against_iorb() -> None:
    ds = Dataset({"SOFR": _bseries([4.40, 4.45, 4.60]), "IORB": _bseries([4.40], freq="D"),
                  "SOFR99": _bseries([4.50, 4.55, 4.90])})
    spread, ref = frames.repo_spread(ds, date(2026, 1, 1), date(2026, 1, 31))
    assert ref == "IORB"
    assert spread["sofr_bp"].tolist() == [0.0, 5.0, 20.0]  # IORB carried forward
    assert spread["p99_bp"].tolist() == [10.0, 15.0, 50.0]
    assert spread["p1_bp"].isna().all()  # not published: missing, not zero


def test_net_liquidity_is_assets_minus_tga_and_on_rrp_in_billions() -> None:
    from reportgen.analysis import reservoir as rsv

    wed = pd.date_range("2026-01-07", periods=2, freq="W-WED", name="date")
    ds = Dataset({"WALCL": pd.Series([6_700_000.0, 6_710_000.0], index=wed),
                  "WDTGAL": pd.Series([800_000.0, 790_000.0], index=wed),
                  "RRPONTSYD": _bseries([5.0] * 10, "2026-01-05")})
    reservoir = rsv.reservoir(ds)
    assert reservoir.series["net_liquidity"].tolist() == [5895.0, 5915.0]
    levels = frames.reservoir_levels(reservoir, date(2026, 1, 1), date(2026, 1, 31))
    assert levels[levels["series"] == "Net liquidity"]["value_bn"].tolist() == [5895.0, 5915.0]


def test_tenors_sort_from_short_to_long() -> None:
    tenors = ["10-Year", "2-Year", "30-Year", "10-Year TIPS", "13-Week", "5-Year"]
    assert sorted(tenors, key=frames.tenor_rank) == ["13-Week", "2-Year", "5-Year", "10-Year",
                                                     "10-Year TIPS", "30-Year"]
    assert frames.tenor_rank("not a tenor") == float("inf")


def test_auctions_chart_rings_weak_auctions() -> None:
    auc = pd.DataFrame({
        "auction_date": pd.to_datetime(["2026-01-06", "2026-01-07"]),
        "tenor": ["3-Year", "10-Year"],
        "tenor_rank": [1095.0, 3650.0], "tail_bp": [0.5, 2.5], "dealer_share": [12.0, 25.0],
        "bid_to_cover": [2.6, 2.3], "weak": [False, True], "persistent": [False, False],
        "verdict": ["not weak", "weak"]})
    spec = pipe.auctions_chart(auc).to_dict()
    assert spec["layer"][1]["transform"] == [{"filter": "datum.weak"}]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["3-Year", "10-Year"]


def test_sample_auctions_are_notes_and_bonds_judged_by_the_signal(
        charts: dict[str, ChartBundle]) -> None:
    auc = sample_week().frames.auctions
    assert not auc["tenor"].str.contains("Week").any()  # bills left out
    assert set(auc["verdict"]) <= {"weak", "not weak", "weak, repeated in this tenor"}
    assert auc["auction_date"].is_monotonic_increasing
    assert "tenor_rank" not in charts["auctions"].data.columns  # a sort key, not data


def test_stock_flow_index_is_the_weekly_average_of_the_dashboard() -> None:
    week = sample_week()
    sf = week.frames.stock_flow.set_index("date")["composite"].dropna()
    start = frames.window_start(week.as_of, frames.DAILY_YEARS)
    daily = week.dashboard.composite_values(start, week.as_of)
    assert daily is not None
    daily = daily.dropna()
    # The last point is the week still running, labelled with the briefing date.
    assert sf.index[-1] == pd.Timestamp(week.as_of)
    for end in sf.index[-6:]:
        wed = end if end.day_of_week == 2 else end + pd.offsets.Week(weekday=2)
        days = daily.loc[wed - pd.Timedelta(days=6): end]
        assert sf.loc[end] == pytest.approx(round(days.mean(), 1), abs=0.051), end


def test_charts_follow_the_thresholds_in_force() -> None:
    strict = Thresholds(signals=replace(SignalThresholds(), vol_days=20, srf_elevated_bn=0.001,
                                        srf_stressed_bn=0.002))
    default_week, strict_week = sample_week(EARLY_2026), sample_week(EARLY_2026, strict)
    default, tight = sample_charts(EARLY_2026), sample_charts(EARLY_2026, strict)
    assert strict_week.frames.vol_days == 20
    assert "over 20 observations" in tight["volatility"].alt_text
    assert not tight["volatility"].data.equals(default["volatility"].data)
    # The stress index drawn against reserves is the strict dashboard's, not the default one.
    comp = "plumbing stress index (0-100), weekly average"
    assert tight["stock_flow"].data[comp].mean() > default["stock_flow"].data[comp].mean()
    assert default_week.frames.vol_days == SignalThresholds().vol_days


# -- the specs: interactivity, static rendering, drawing choices ----------------------------
def test_static_spec_drops_hover_layers_and_params(charts: dict[str, ChartBundle]) -> None:
    spec = chart_spec(charts["reservoir_levels"].chart)
    assert any(layer.get("name") == INTERACTIVE_ONLY for layer in spec["layer"])
    assert "params" in spec
    static = static_spec(spec)
    assert "params" not in static
    assert all(layer.get("name") != INTERACTIVE_ONLY for layer in static["layer"])
    assert "params" in spec and len(static["layer"]) == len(spec["layer"]) - 1  # not mutated


def test_static_spec_cleans_nested_layers() -> None:
    spec = {"params": [{"name": "zoom"}], "layer": [
        {"mark": "line", "params": [{"name": "p"}]},
        {"layer": [{"mark": "rule", "name": INTERACTIVE_ONLY}, {"mark": "point"}]},
    ]}
    static = static_spec(spec)
    assert static == {"layer": [{"mark": "line"}, {"layer": [{"mark": "point"}]}]}


def test_static_specs_of_the_sample_have_no_interactive_parts(
        charts: dict[str, ChartBundle]) -> None:
    for name, bundle in charts.items():
        static = static_spec(chart_spec(bundle.chart))
        assert not _find_keys(static, "params"), name
        assert INTERACTIVE_ONLY not in json.dumps(static), name
        assert _find_keys(static, "mark"), name  # something is still drawn


def test_chart_spec_is_computed_once_per_chart(charts: dict[str, ChartBundle]) -> None:
    bundle = charts["curve"]
    assert chart_spec(bundle.chart) is chart_spec(bundle.chart)
    assert chart_spec(bundle.chart) == bundle.chart.to_dict(validate=False)


def test_time_axes_zoom_in_the_browser() -> None:
    levels = pd.DataFrame({"date": pd.to_datetime(["2026-01-07", "2026-01-14"]),
                           "series": ["Reserves", "Reserves"], "value_bn": [3000.0, 3010.0]})
    spec = balance.reservoir_levels_chart(levels).to_dict()
    zooms = [p for p in spec["params"] if p.get("bind") == "scales"]
    assert zooms and zooms[0]["select"]["encodings"] == ["x"]


def test_every_sample_time_chart_zooms_on_x_only(charts: dict[str, ChartBundle]) -> None:
    for name, bundle in charts.items():
        zooms = [p for p in chart_spec(bundle.chart).get("params", [])
                 if p.get("bind") == "scales"]
        assert len(zooms) == 1, name
        assert zooms[0]["select"]["encodings"] == ["x"], name


@pytest.mark.parametrize("name", [
    "holdings",
    "reservoir_levels",
    "reservoir_buffers",
    "fails",
    "stock_flow",
])
def test_weekly_series_are_not_smoothed(charts: dict[str, ChartBundle], name: str) -> None:
    units = _layers(chart_spec(charts[name].chart))
    lines = [_mark(u) for u in units if _mark(u).get("type") in ("line", "area")]
    assert lines, name
    for mark in lines:
        assert mark.get("interpolate", "linear") not in SMOOTHING, (name, mark)


def _legend_labels(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(
        r'class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)</text>', svg)]


def _legend_titles(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(
        r'class="mark-text role-legend-title"[^>]*><text[^>]*>([^<]*)</text>', svg)]


def _unit_data(spec: dict[str, Any], unit: dict[str, Any]) -> list[dict[str, Any]]:
    data = unit.get("data") or spec.get("data") or {}
    if "name" in data:
        return spec.get("datasets", {}).get(data["name"], [])
    return data.get("values", [])


def _color_units(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Unit specs with a colour encoding on a field; layers without data take the parent's."""
    out = []
    for layer in spec.get("layer", [spec]):
        for unit in _layers(layer):
            color = unit.get("encoding", {}).get("color")
            if isinstance(color, dict) and "field" in color:
                out.append(dict(unit, data=unit.get("data") or layer.get("data")))
    return out


@pytest.fixture(scope="module")
def static_svgs(charts: dict[str, ChartBundle]) -> dict[str, str]:
    """The SVGs the PDF embeds (rendered once per process and cached by spec)."""
    return chart_svgs(charts)


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_static_chart_has_its_colour_legend(charts: dict[str, ChartBundle],
                                                  static_svgs: dict[str, str],
                                                  name: str) -> None:
    spec = chart_spec(charts[name].chart)
    svg = static_svgs[name]
    assert svg.startswith("<svg")
    units = _color_units(spec)
    if not units:  # fixed colours: the title and axes say what each mark is
        assert "role-legend" not in svg
        return
    labels, titles = _legend_labels(svg), _legend_titles(svg)
    for unit in units:
        color = unit["encoding"]["color"]
        assert color.get("legend", {}) is not None, (name, "legend switched off")
        if color.get("type") == "quantitative":
            title = (color.get("legend") or {}).get("title") or color.get("title")
            assert title in titles, (name, title, titles)
            continue
        values = {str(row[color["field"]]) for row in _unit_data(spec, unit)
                  if row.get(color["field"]) not in (None, "")}
        assert values, (name, color["field"])
        assert values <= set(labels), (name, values - set(labels))


def test_sample_legends_name_the_holdings_and_the_phases(static_svgs: dict[str, str]) -> None:
    labels = _legend_labels(static_svgs["holdings"])
    for label in ("Bills", frames.COUPON_LABEL, "MBS", "Phase 0: runoff (QT)",
                  "Phase 1: drain stopped / reinvesting", "Phase 2: active bill purchases"):
        assert label in labels
    assert {"Reserves", "Net liquidity"} <= set(_legend_labels(static_svgs["reservoir_levels"]))
    assert {"Tail proxy, bp", "Dealer share, %"} <= set(_legend_titles(static_svgs["auctions"]))

