"""Charts: one theme, frames cut from the data, bundles with text alternatives and CSV data."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import pytest
from reportgen.charts.inputs import composite_history, phase_periods, runs

from reportgen.charts import SECTIONS, ChartBundle, balance, build_charts, frames, pipe, theme
from reportgen.charts.base import INTERACTIVE_ONLY, static_spec
from reportgen.dataset import Dataset
from tests import briefing_fakes as fk

AS_OF = date(2026, 9, 3)


@pytest.fixture(scope="module")
def charts(sample: Dataset) -> dict[str, ChartBundle]:
    return build_charts(sample, fk.assessment(), None, AS_OF)


def _series(values: list[float], start: str = "2026-01-05", freq: str = "B") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq),
                     dtype=float)


def test_one_theme_is_registered_and_active() -> None:
    assert alt.theme.active == theme.THEME_NAME
    spec = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()
    assert spec["config"]["font"] == theme.FONT
    assert spec["width"] == theme.WIDTH


def test_sample_briefing_has_every_chart_its_data_allows(charts: dict[str, ChartBundle]) -> None:
    # The bundled sample has no auctions and no fails: those charts are absent, not empty.
    assert list(charts) == ["holdings", "reservoir_levels", "reservoir_buffers", "repo_spread",
                            "srf", "volatility", "curve", "stock_flow"]
    for name, bundle in charts.items():
        assert bundle.name == name and bundle.section in SECTIONS
        assert len(bundle.data) > 10 and bundle.alt_text.endswith(".")
        assert bundle.chart.to_dict()  # validates against the Vega-Lite schema


def test_charts_use_only_data_public_on_the_briefing_date(sample: Dataset) -> None:
    early = date(2026, 3, 5)
    bundles = build_charts(sample, fk.assessment(), None, early)
    last = pd.Timestamp(bundles["reservoir_levels"].data["date"].max())
    assert last <= pd.Timestamp(early)
    assert pd.Timestamp(bundles["repo_spread"].data["date"].max()) < pd.Timestamp(early)


def test_alt_text_states_the_latest_numbers(charts: dict[str, ChartBundle]) -> None:
    text = charts["holdings"].alt_text
    assert text.startswith("Stacked area chart of the Fed's securities holdings by type")
    assert "Latest week (2 Sep 2026): Bills $" in text
    assert "Phase 2: active bill purchases from 24 Dec 2025" in text
    assert "SRF" not in charts["repo_spread"].alt_text
    assert "Standing Repo Facility" in charts["srf"].alt_text


def test_holdings_stack_adds_up_to_the_treasury_total(sample: Dataset) -> None:
    vis = sample.visible(AS_OF)
    hold = frames.holdings(vis, date(2025, 1, 1), AS_OF)
    week = hold[hold["date"] == pd.Timestamp("2025-06-04")].set_index("component")["value_bn"]
    treasuries = vis.billions("TREAST").loc["2025-06-04"]
    assert week["Bills"] + week[frames.COUPON_LABEL] == pytest.approx(treasuries)


def test_phase_runs_collapse_weeks_into_periods() -> None:
    hist = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-08", "2025-01-15",
                                                 "2025-01-22"]), "phase": [0, 0, 1, 1]})
    periods = runs(hist, date(2025, 2, 1))
    assert periods["phase"].tolist() == [0, 1]
    assert periods["end"].iloc[0] == pd.Timestamp("2025-01-15")
    assert periods["end"].iloc[1] == pd.Timestamp("2025-02-01")


def test_phase_periods_are_clipped_and_labelled(sample: Dataset) -> None:
    periods = phase_periods(sample, fk.assessment(), date(2025, 1, 1), AS_OF)
    assert periods["start"].iloc[0] == pd.Timestamp("2025-01-01")
    assert periods["label"].tolist() == ["Phase 0: runoff (QT)",
                                         "Phase 1: drain stopped / reinvesting",
                                         "Phase 2: active bill purchases"]


def test_calendar_windows_join_consecutive_days() -> None:
    wins = frames.calendar_windows(date(2025, 9, 10), date(2025, 10, 10))
    labels = dict(zip(wins["start"].dt.strftime("%Y-%m-%d"), wins["label"], strict=True))
    assert labels["2025-09-15"] == "tax date"
    qe = wins[wins["start"] == pd.Timestamp("2025-09-30")].iloc[0]
    assert qe["end"] == pd.Timestamp("2025-10-02")  # quarter-end and the next business day
    assert "quarter-end" in qe["label"]


def test_repo_spread_is_in_basis_points_against_iorb() -> None:
    ds = Dataset({"SOFR": _series([4.40, 4.45, 4.60]), "IORB": _series([4.40], freq="D"),
                  "SOFR99": _series([4.50, 4.55, 4.90])})
    spread, ref = frames.repo_spread(ds, date(2026, 1, 1), date(2026, 1, 31))
    assert ref == "IORB"
    assert spread["sofr_bp"].tolist() == [0.0, 5.0, 20.0]  # IORB carried forward
    assert spread["p99_bp"].tolist() == [10.0, 15.0, 50.0]


def test_net_liquidity_uses_the_catalog_units() -> None:
    wed = pd.date_range("2026-01-07", periods=2, freq="W-WED")
    ds = Dataset({"WALCL": pd.Series([6_700_000.0, 6_710_000.0], index=wed),
                  "WDTGAL": pd.Series([800_000.0, 790_000.0], index=wed),
                  "RRPONTSYD": _series([5.0] * 10, "2026-01-05")})
    assert frames.net_liquidity(ds).tolist() == [5895.0, 5915.0]


def test_tenors_sort_from_short_to_long() -> None:
    tenors = ["10-Year", "2-Year", "30-Year", "10-Year TIPS", "13-Week", "5-Year"]
    assert sorted(tenors, key=frames.tenor_rank) == ["13-Week", "2-Year", "5-Year", "10-Year",
                                                     "10-Year TIPS", "30-Year"]


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


def test_static_spec_drops_hover_layers_and_params(charts: dict[str, ChartBundle]) -> None:
    spec = charts["reservoir_levels"].chart.to_dict()
    assert any(layer.get("name") == INTERACTIVE_ONLY for layer in spec["layer"])
    static = static_spec(spec)
    assert "params" not in static
    assert all(layer.get("name") != INTERACTIVE_ONLY for layer in static["layer"])


def test_time_axes_zoom_in_the_browser() -> None:
    levels = pd.DataFrame({"date": pd.to_datetime(["2026-01-07", "2026-01-14"]),
                           "series": ["Reserves", "Reserves"], "value_bn": [3000.0, 3010.0]})
    spec = balance.reservoir_levels_chart(levels).to_dict()
    zooms = [p for p in spec["params"] if p.get("bind") == "scales"]
    assert zooms and zooms[0]["select"]["encodings"] == ["x"]


def test_composite_history_reads_the_dashboards_frames_with_its_thresholds(
        sample: Dataset) -> None:
    from dataclasses import replace

    from reportgen.analysis.signals import compute_dashboard, signal_history
    from reportgen.analysis.thresholds import SignalThresholds

    start, vis = frames.window_start(AS_OF, 1.25), sample.visible(AS_OF)
    dash = compute_dashboard(vis, AS_OF)
    hist = signal_history(vis, start, AS_OF)
    expected = hist[hist["signal"] == "composite"].set_index("date")["value"].dropna()
    got, _ = composite_history(vis, dash, start, AS_OF)
    assert got.round(6).tolist() == expected.round(6).tolist()
    # With overridden thresholds the chart follows the dashboard, not the defaults.
    strict = replace(SignalThresholds(), reserves_rrp_buffer_bn=10_000.0,
                     reserves_elevated_pct=1.0, reserves_stressed_pct=1.0)
    dash_strict = compute_dashboard(vis, AS_OF, thresholds=strict)
    got_strict, _ = composite_history(vis, dash_strict, start, AS_OF)
    assert got_strict.iloc[-1] == dash_strict.composite.value
    assert not got_strict.equals(got)
