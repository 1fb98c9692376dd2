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
from reportgen.charts.base import (
    INTERACTIVE_ONLY,
    NARROW_WIDTH,
    SUBTITLE_CHARS,
    alone,
    break_gaps,
    chart_spec,
    layout_labels,
    static_spec,
)
from reportgen.dataset import Dataset
from reportgen.formatting import bn, bn2, bp, day, phase_title
from reportgen.render.pdf import chart_svgs, flatten_gradients
from tests.factories import SAMPLE_AS_OF, sample_charts, sample_week

ALL_CHARTS = ["holdings", "pace", "reservoir_levels", "reservoir_buffers", "repo_spread", "srf",
              "repo_segments", "auctions", "dealer_positions", "fails", "volatility", "curve",
              "stock_flow"]

# Briefing dates across the sample: before any daily pipe data (2024, early 2025), the early
# 2026 date of the brief, the default date, and after the last H.4.1 week (Oct 2026).
EARLY_2024 = date(2024, 3, 7)
EARLY_2025 = date(2025, 3, 6)
EARLY_2026 = date(2026, 3, 5)
LATE = date(2026, 10, 15)
AS_OFS = [EARLY_2024, EARLY_2025, EARLY_2026, SAMPLE_AS_OF, LATE]

# Weekly charts (H.4.1 weeks, weekly fails, the weekly-average stress index).
WEEKLY_CHARTS = ["holdings", "reservoir_levels", "reservoir_buffers", "dealer_positions", "fails",
                 "stock_flow"]
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


# -- how Altair is used -----------------------------------------------------------------------
@pytest.mark.parametrize("as_of", AS_OFS)
def test_every_chart_is_valid_vega_lite(as_of: date) -> None:
    """Altair's checks as each object is made are off (its debug mode: 0.05 s a build), so
    every chart of the sample is validated here, whole, against the Vega-Lite schema."""
    for name, bundle in sample_charts(as_of).items():
        try:
            bundle.chart.to_dict(validate=True)
        except Exception as exc:  # Altair's SchemaValidationError
            pytest.fail(f"{name}: {exc}")


def test_the_validation_above_catches_an_invalid_chart() -> None:
    bad = alt.Chart(pd.DataFrame({"a": [1.0]})).mark_line().encode(
        x=alt.X("a:Q", scale=alt.Scale(type="no-such-scale")))
    with pytest.raises(Exception, match="no-such-scale"):
        bad.to_dict(validate=True)


def test_inline_data_are_exactly_altairs_values(charts: dict[str, ChartBundle]) -> None:
    ours = {name: b.chart.to_dict(validate=False) for name, b in charts.items()}
    with alt.data_transformers.enable("default"):
        altairs = {name: b.chart.to_dict(validate=False) for name, b in charts.items()}
    assert ours == altairs


def test_inline_data_agree_with_altair_on_awkward_values() -> None:
    from altair.vegalite.data import default_data_transformer

    from reportgen.charts.inline_data import to_values

    naive = pd.to_datetime(["2026-09-17 00:00:00", None, "2026-09-18 13:45:07"])
    frames = {
        "floats, missing and infinite": pd.DataFrame({"v": [1.5, np.nan, np.inf, -np.inf]}),
        "ints and bools": pd.DataFrame({"i": [1, 2, 3], "b": [True, False, True]}),
        "dates with a missing day": pd.DataFrame({"date": naive}),
        "text with gaps": pd.DataFrame({"s": pd.Series(["a", None, "c"], dtype="str"),
                                        "o": pd.Series(["x", np.nan, "z"], dtype=object)}),
        "sub-second times": pd.DataFrame({"t": pd.to_datetime(["2026-09-17 00:00:00.5"])}),
        "a time zone": pd.DataFrame({"t": pd.to_datetime(["2026-09-17"]).tz_localize("UTC")}),
        "categories": pd.DataFrame({"c": pd.Categorical(["a", None])}),
        "no rows": pd.DataFrame({"v": pd.Series([], dtype=float)}),
    }
    for what, frame in frames.items():
        assert to_values(frame) == default_data_transformer(frame), what


# -- which charts exist ---------------------------------------------------------------------
def test_sample_briefing_has_every_chart(charts: dict[str, ChartBundle]) -> None:
    # The sample includes auctions, fails (to Nov 2025), daily SRF and the 2025-26 bill
    # purchases (the pace chart), dealer positions and the OFR DVP rate: every chart but
    # securities lending, of which no results exist offline (tests/test_charts_capacity.py).
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
    # Before June 2025 the sample has too few pipe signals to publish the index whatever it
    # reads, so the reservoir-vs-pipe chart is not drawn (it would be a history of stress).
    (EARLY_2024, ["holdings", "reservoir_levels", "reservoir_buffers", "dealer_positions",
                  "fails"]),
    (EARLY_2025, ["holdings", "reservoir_levels", "reservoir_buffers", "auctions",
                  "dealer_positions", "fails"]),
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
    assert f"Dot chart of {len(auc)} coupon auctions (notes, bonds, TIPS and FRNs)" in text
    n_weak = int(auc["weak"].sum())
    assert f"{n_weak} auctions are marked weak" in text
    # A list shorter than the count says it is the latest six.
    assert ("the latest six: " in text) == (n_weak > 6)
    latest = auc.sort_values("auction_date").groupby("tenor").tail(1)
    flagged = sorted(latest.loc[latest["persistent"], "tenor"].unique())
    assert ("Flagged now for repeated weakness" in text) == bool(flagged)


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



# -- layout: what the reader sees on the page and the phone --------------------------------
def _subtitle(spec: dict[str, Any]) -> list[str]:
    title = spec.get("title", {})
    sub = title.get("subtitle", []) if isinstance(title, dict) else []
    return [sub] if isinstance(sub, str) else list(sub)


@pytest.mark.parametrize("as_of", [EARLY_2025, date(2026, 1, 2), SAMPLE_AS_OF])
def test_every_subtitle_line_fits_a_phone(as_of: date) -> None:
    # Vega does not wrap text: a longer line ran off the right edge of a 390 px screen.
    for name, bundle in sample_charts(as_of).items():
        lines = _subtitle(chart_spec(bundle.chart))
        assert lines, name
        assert all(len(line) <= SUBTITLE_CHARS for line in lines), (name, lines)
        assert "_" not in " ".join(lines), (name, lines)  # no internal names


def test_lines_and_areas_break_where_values_are_missing() -> None:
    config = theme.theme_config()["config"]
    assert config["line"]["invalid"] == config["area"]["invalid"] == "break-paths-filter-domains"


def test_break_gaps_puts_an_empty_row_in_each_gap_only() -> None:
    days = pd.bdate_range("2026-01-05", "2026-03-31")
    days = days[(days < "2026-02-02") | (days > "2026-02-20")]  # three weeks without data
    frame = pd.DataFrame({"date": days, "series": "10-year", "v": 1.0})
    weekly = pd.DataFrame({"date": pd.date_range("2026-01-07", periods=10, freq="W-WED"),
                           "series": "weekly", "v": 2.0}).drop(index=[3])  # one week missing
    out = break_gaps(pd.concat([frame, weekly]), ["v"], by="series")
    gaps = out[out["v"].isna()]
    # One row inside the three-week hole; weekends and one missing week do not break a line.
    assert gaps["series"].tolist() == ["10-year"]
    assert pd.Timestamp("2026-01-30") < gaps["date"].iloc[0] < pd.Timestamp("2026-02-23")
    assert len(out) == len(frame) + len(weekly) + 1
    assert break_gaps(frame.iloc[:0], ["v"]).empty


def test_alone_finds_points_without_a_neighbour() -> None:
    frame = pd.DataFrame({"date": pd.date_range("2026-01-07", periods=6, freq="W-WED"),
                          "v": [1.0, np.nan, 2.0, np.nan, 3.0, 4.0]})
    assert alone(frame, "v").tolist() == [True, False, True, False, False, False]


def test_stock_flow_index_breaks_at_missing_weeks_and_shows_lone_weeks() -> None:
    weeks = pd.date_range("2025-01-01", periods=30, freq="W-WED")
    composite = np.full(30, np.nan)
    composite[[2, 10, 11, 12, 20, 21, 22, 23]] = [60, 50, 52, 55, 40, 42, 41, 45]
    frame = pd.DataFrame({"date": weeks, "reserves_bn": np.linspace(3000, 2800, 30),
                          "composite": composite})
    spec = balance.stock_flow_chart(frame, "Plumbing stress index (0-100), weekly average"
                                    ).to_dict()
    assert "isValid" not in json.dumps(spec)  # nothing filtered out: the gaps stay gaps
    units = _layers(spec)
    lines = [u for u in units if _mark(u).get("type") == "line"
             and u["encoding"]["y"]["field"] == "composite"]
    rows = spec["datasets"][lines[0]["data"]["name"]]
    values = [r["composite"] for r in rows]
    # The index's line runs from its first to its last week, with the missing weeks as nulls.
    assert values[0] == 60 and values[-1] == 45 and values.count(None) == 30 - 8 - 2 - 6
    dots = [u for u in units if _mark(u).get("type") == "circle"]
    assert [r["composite"] for r in spec["datasets"][dots[0]["data"]["name"]]] == [60]
    # The right axis carries the index's name only; the subtitle gives the whole label.
    axis = lines[0]["encoding"]["y"]["axis"]
    assert axis["title"] == "Plumbing stress index (0-100)" and axis["orient"] == "right"
    assert "weekly average" in " ".join(_subtitle(spec))


def test_sample_line_charts_keep_the_gaps_of_their_data(charts: dict[str, ChartBundle]) -> None:
    # No line or area is drawn from rows filtered to valid values (which would bridge gaps).
    for name, bundle in charts.items():
        for unit in _layers(chart_spec(bundle.chart)):
            if _mark(unit).get("type") in ("line", "area"):
                assert "isValid" not in json.dumps(unit.get("transform", [])), name


def _spread(days: int = 60, band_from: int | None = 0,
            reference: list[str] | None = None) -> pd.DataFrame:
    dates = pd.bdate_range("2021-06-01", periods=days)
    sofr = np.linspace(-2, 2, days)
    frame = pd.DataFrame({"date": dates, "sofr_bp": sofr})
    for col, off in (("p1_bp", -5), ("p25_bp", -1), ("p75_bp", 1), ("p99_bp", 5)):
        values = sofr + off
        if band_from is None:
            values = np.full(days, np.nan)
        else:
            values[:band_from] = np.nan
        frame[col] = values
    if reference is not None:
        frame["reference"] = reference
    return frame


def test_repo_subtitle_states_only_the_bands_drawn_and_from_when() -> None:
    none = pipe.repo_spread_chart(_spread(band_from=None), pd.DataFrame(), "EFFR").to_dict()
    assert "Bands" not in " ".join(_subtitle(none))
    assert not [u for u in _layers(none) if _mark(u).get("type") == "area"]
    whole = pipe.repo_spread_chart(_spread(band_from=0), pd.DataFrame(), "IORB").to_dict()
    text = " ".join(_subtitle(whole))
    assert "Bands: 1st-99th and 25th-75th percentiles of SOFR trades." in text
    late = _spread(band_from=40)
    part = pipe.repo_spread_chart(late, pd.DataFrame(), "IORB").to_dict()
    assert f"percentiles of SOFR trades, from {day(late['date'].iloc[40])}." in " ".join(
        _subtitle(part))


def test_repo_chart_marks_a_change_of_reference_and_breaks_the_line() -> None:
    refs = ["EFFR"] * 40 + ["IORB"] * 20
    frame = _spread(band_from=None, reference=refs)
    spec = pipe.repo_spread_chart(frame, pd.DataFrame(), "EFFR/IORB").to_dict()
    rules = [u for u in _layers(spec) if _mark(u).get("type") == "rule"
             and u.get("encoding", {}).get("x")]
    assert len(rules) == 1
    switch = spec["datasets"][rules[0]["data"]["name"]]
    assert [r["label"] for r in switch] == ["EFFR to IORB"]
    assert pd.Timestamp(switch[0]["date"]) == frame["date"].iloc[40]
    static = json.dumps(static_spec(spec))
    assert "reference: EFFR to IORB" in static
    assert "reference rate changes" in " ".join(_subtitle(spec))
    line = next(u for u in _layers(spec) if _mark(u).get("type") == "line")
    rows = spec["datasets"][line["data"]["name"]]
    cuts = [pd.Timestamp(r["date"]) for r in rows if r["sofr_bp"] is None]
    assert len(cuts) == 1  # the line stops before the switch and starts again after it
    assert frame["date"].iloc[39] < cuts[0] < frame["date"].iloc[40]
    # Without a reference column (one reference throughout) nothing is marked.
    plain = pipe.repo_spread_chart(_spread(), pd.DataFrame(), "IORB").to_dict()
    assert "reference:" not in json.dumps(plain)


def _auctions(dealer: list[float | None], tails: list[float | None]) -> pd.DataFrame:
    n = len(dealer)
    return pd.DataFrame({
        "auction_date": pd.date_range("2025-01-06", periods=n, freq="7D"),
        "tenor": ["2-Year", "10-Year", "30-Year"] * (n // 3) + ["2-Year"] * (n % 3),
        "tenor_rank": [730.0, 3650.0, 10950.0] * (n // 3) + [730.0] * (n % 3),
        "tail_bp": [np.nan if t is None else t for t in tails],
        "dealer_share": [np.nan if d is None else d for d in dealer],
        "bid_to_cover": 2.5, "weak": [False] * (n - 1) + [True], "persistent": False,
        "verdict": "not weak"})


def _drawn_auctions(spec: dict[str, Any]) -> int:
    """Auctions drawn as dots: the rows each dot layer keeps after its filter."""
    count = 0
    rows = spec["datasets"][spec["data"]["name"]]
    for unit in _layers(spec):
        kind = _mark(unit).get("type")
        if kind not in ("circle", "square"):
            continue
        keep = unit["transform"][0]["filter"]
        for row in rows:
            tail, share = row["tail_bp"] is not None, row["dealer_share"] is not None
            ok = {"isValid(datum.tail_bp)": tail, "!isValid(datum.tail_bp)": not tail,
                  "isValid(datum.dealer_share)": share, "!isValid(datum.dealer_share)": not share}
            count += all(ok[part] for part in keep.split(" && "))
    return count


def test_auctions_without_dealer_shares_are_all_drawn_without_a_size_legend() -> None:
    auc = _auctions([None] * 12, [4.0 + i / 4 for i in range(12)])
    spec = pipe.auctions_chart(auc).to_dict()
    assert _drawn_auctions(spec) == 12  # the dots were all dropped before
    assert "size" not in json.dumps([u.get("encoding", {}).get("size", {}).get("field")
                                     for u in _layers(spec)]).replace("null", "")
    assert "dealer share not published" in " ".join(_subtitle(spec))
    svg = chart_svgs({"auctions": ChartBundle("auctions", "t", pipe.auctions_chart(auc),
                                              auc, "a.", "pipe")})["auctions"]
    labels = _legend_labels(svg)
    assert "Dealer share, %" not in _legend_titles(svg)
    assert not [label for label in labels if re.search(r"\.\d{3}", label)]  # no "10.000000"


def test_auctions_mix_shares_tails_and_gaps_without_losing_a_row() -> None:
    dealer = [20.0, None, 30.0, None, 12.0, 25.0]
    tails = [5.0, 3.0, None, None, 8.0, 2.0]
    spec = pipe.auctions_chart(_auctions(dealer, tails)).to_dict()
    assert _drawn_auctions(spec) == 6
    squares = [u for u in _layers(spec) if _mark(u).get("type") == "square"]
    assert squares  # a missing share is a square, never a small dot
    text = " ".join(_subtitle(spec))
    assert "squares: not published" in text and "grey where none" in text


def test_auctions_x_axis_is_padded_so_edge_dots_clear_the_tenor_labels() -> None:
    spec = pipe.auctions_chart(_auctions([20.0] * 6, [4.0] * 6)).to_dict()
    x = _layers(spec)[0]["encoding"]["x"]
    assert x["scale"]["padding"] >= 10


def test_static_auctions_chart_has_a_gradient_legend_drawn_in_stripes(
        charts: dict[str, ChartBundle], static_svgs: dict[str, str]) -> None:
    spec = static_spec(chart_spec(charts["auctions"].chart))
    colors = [u["encoding"]["color"] for u in _layers(spec)
              if isinstance(u.get("encoding", {}).get("color"), dict)
              and "field" in u["encoding"]["color"]]
    assert colors and all(c["legend"]["type"] == "gradient" for c in colors)
    svg = static_svgs["auctions"]
    assert "role-legend-gradient" in svg
    # WeasyPrint misplaces SVG gradients in scaled images: the PDF's SVG fills solid stripes.
    assert "url(#gradient" not in svg
    bar = svg.split("role-legend-gradient", 1)[1].split("</g>", 2)[0]
    assert bar.count('fill="rgb(') >= 10


def test_flatten_gradients_keeps_the_shape_and_the_colours() -> None:
    svg = ('<svg><g><path d="M0,0h100v10h-100Z" fill="url(#g0)" stroke="#ddd" opacity="0.9"/>'
           '</g><defs><linearGradient id="g0" x1="0" x2="1" y1="0" y2="0">'
           '<stop offset="0" stop-color="rgb(255, 255, 255)"/>'
           '<stop offset="0.5" stop-color="rgb(128, 0, 0)"/>'
           '<stop offset="1" stop-color="rgb(0, 0, 0)"/></linearGradient></defs></svg>')
    flat = flatten_gradients(svg)
    assert "url(#g0)" not in flat
    assert '<g opacity="0.9"><path d="M0.00,0h50.50v10h-50.50Z" fill="rgb(255,255,255)"/>' \
           '<path d="M50.00,0h50.50v10h-50.50Z" fill="rgb(128,0,0)"/></g>' in flat
    vertical = svg.replace('x2="1" y1="0" y2="0"', 'x2="0" y1="1" y2="0"')
    # Bottom to top: the first stop fills the lower half.
    assert 'M0,5.00h100v5.50h-100Z" fill="rgb(255,255,255)"' in flatten_gradients(vertical)
    assert flatten_gradients("<svg/>") == "<svg/>"


def test_short_time_axes_tick_once_a_month() -> None:
    pace = sample_week(date(2026, 1, 2)).frames.pace
    spec = balance.pace_chart(pace, pd.DataFrame({"date": [], "label": []})).to_dict()
    axis = _layers(spec)[0]["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"interval": "month", "step": 1}
    # A tick inside a month reads "14 Jul", never "Jul 2025" again.
    assert "'%b %Y'" in axis["labelExpr"] and "'%-d %b'" in axis["labelExpr"]


@pytest.mark.parametrize("width", [NARROW_WIDTH, theme.WIDTH])
def test_event_labels_stay_inside_the_plot_and_clear_of_each_other(width: int) -> None:
    decisions = sample_week().frames.decisions
    hold = sample_week().frames.holdings
    start, end = hold["date"].min(), hold["date"].max()
    placed = layout_labels(decisions, "short", start, end, width)
    span = (end - start).total_seconds()
    boxes = []
    for row in placed.itertuples():
        x = (row.date - start).total_seconds() / span * width
        w = len(row.short) * 5.2 + 6
        lo, hi = (x - w, x) if row.left_side else (x, x + w)
        assert lo >= 0 and hi <= width, (row.short, lo, hi)
        boxes.append((row.row, lo, hi))
    for i, (r, lo, hi) in enumerate(boxes):
        for r2, lo2, hi2 in boxes[i + 1:]:
            assert r != r2 or hi < lo2 or hi2 < lo, (boxes,)


def test_phone_labels_are_for_the_browser_only(charts: dict[str, ChartBundle]) -> None:
    spec = chart_spec(charts["holdings"].chart)
    texts = [u for u in _layers(spec) if _mark(u).get("type") == "text"]
    assert len(texts) == 4  # a wide and a narrow layout, each left and right of the rules
    names = [u["name"] for u in spec["layer"] if u.get("name")]
    assert len(names) == len(set(names))  # Vega refuses a name twice
    static = static_spec(spec)
    assert len([u for u in _layers(static) if _mark(u).get("type") == "text"]) == 2
    assert all(u["mark"]["opacity"] == {"expr": "width >= 480 ? 1 : 0"}
               for u in _layers(static) if _mark(u).get("type") == "text")
