"""The briefing's charts: one function per chart (frames in, an Altair chart out), ``build_charts``.

``build_charts`` cuts the frames from the dataset and the analysis results, draws every chart
whose data exists and returns them as ``ChartBundle`` objects: the chart, the exact data behind
it (offered as a CSV download), a text alternative generated from the numbers, and the section
of the briefing it belongs to. A chart whose data is missing is simply absent from the result;
the briefing then says the section is unavailable.

Example
-------
>>> charts = build_charts(ds, assessment, dashboard, date(2026, 9, 3))
>>> charts["holdings"].alt_text
'Stacked area chart of the Fed's holdings ...'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from reportgen.analysis.thresholds import DEFAULT
from reportgen.charts import balance, frames, pipe, theme
from reportgen.charts.inputs import composite_history, fomc_decisions, phase_periods
from reportgen.dataset import Dataset

theme.enable()

# How much history each kind of chart shows (the HTML lets the reader zoom in).
BALANCE_YEARS = 3.0
DAILY_YEARS = 1.25
AUCTION_YEARS = 1.0

SECTIONS = ("phase", "reservoir", "pipe", "stock_flow")


@dataclass(frozen=True)
class ChartBundle:
    """One chart of the briefing with what the reader needs besides the picture.

    ``data`` is the table behind the chart as offered for download (dates as ``Timestamp``,
    units in the column names); ``alt_text`` describes the chart and its latest values for
    readers who cannot see it; ``section`` is one of ``SECTIONS``.
    """

    name: str
    title: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    alt_text: str
    section: str


# -- text alternatives ------------------------------------------------------------------------
def _d(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y")


def _span(dates: pd.Series) -> str:
    return f"from {_d(dates.min())} to {_d(dates.max())}"


def _series_summary(long: pd.DataFrame, series_field: str, value_field: str,
                    fmt: Callable[[float], str]) -> str:
    parts = []
    for name, grp in long.dropna(subset=[value_field]).groupby(series_field, sort=False):
        grp = grp.sort_values("date")
        first, last = grp[value_field].iloc[0], grp[value_field].iloc[-1]
        lo, hi = grp[value_field].min(), grp[value_field].max()
        parts.append(f"{name} went from {fmt(first)} to {fmt(last)} "
                     f"(range {fmt(lo)} to {fmt(hi)})")
    return "; ".join(parts) + "."


def _bn(x: float) -> str:
    return f"${x:,.0f} bn"


def _bp(x: float) -> str:
    return f"{x:+.0f} bp"


def _wide(long: pd.DataFrame, series_field: str, value_field: str, unit: str) -> pd.DataFrame:
    wide = long.pivot_table(index="date", columns=series_field, values=value_field,
                            aggfunc="last", sort=True)
    wide.columns = [f"{c} ({unit})" for c in wide.columns]
    return wide.reset_index()


# -- the charts -------------------------------------------------------------------------------
def build_charts(ds: Dataset, assessment: Any, dashboard: Any,
                 as_of: date) -> dict[str, ChartBundle]:
    """Draw every chart whose data exists, as of ``as_of`` (only data public by then).

    Parameters
    ----------
    ds : the dataset; ``ds.visible(as_of)`` is applied here, so passing the full one is safe.
    assessment : the ``PhaseAssessment`` (phase shading and FOMC marks come with it); may be
        None, then the holdings chart has no shading.
    dashboard : the signals ``Dashboard`` (weak auctions, the composite history); may be None.
    as_of : the briefing date.

    Returns
    -------
    dict name -> ``ChartBundle``, in briefing order; charts without data are left out.
    """
    vis = ds.visible(as_of)
    out: dict[str, ChartBundle] = {}

    def add(name: str, title: str, chart: alt.TopLevelMixin, data: pd.DataFrame, alt_text: str,
            section: str) -> None:
        out[name] = ChartBundle(name, title, chart, data.reset_index(drop=True), alt_text, section)

    weekly_start = frames.window_start(as_of, BALANCE_YEARS)
    daily_start = frames.window_start(as_of, DAILY_YEARS)

    # Phase: holdings composition with phases and FOMC decisions.
    hold = frames.holdings(vis, weekly_start, as_of)
    if len(hold):
        hold = hold.drop(columns="source")
        phases = phase_periods(vis, assessment, weekly_start, as_of)
        decisions = fomc_decisions(weekly_start, as_of)
        latest = hold[hold["date"] == hold["date"].max()]
        composition = ", ".join(f"{r.component} {_bn(r.value_bn)}" for r in latest.itertuples())
        phase_text = ""
        if len(phases):
            phase_text = " Shaded periods show the observed phase: " + "; ".join(
                f"{r.label} from {_d(r.start)}" for r in phases.itertuples()) + "."
        data = _wide(hold, "component", "value_bn", "USD bn")
        if len(phases):
            data["observed phase"] = [
                next((p.label for p in phases.itertuples() if p.start <= d < p.end), "")
                for d in data["date"]]
        add("holdings", "Fed holdings by type", balance.holdings_chart(hold, phases, decisions),
            data,
            f"Stacked area chart of the Fed's securities holdings by type, weekly, "
            f"{_span(hold['date'])}. Latest week ({_d(hold['date'].max())}): {composition}."
            + phase_text + (f" {len(decisions)} FOMC balance-sheet decisions are marked."
                            if len(decisions) else ""),
            "phase")

    # The reservoir.
    levels = frames.reservoir_levels(vis, weekly_start, as_of)
    if len(levels):
        add("reservoir_levels", "Reserves and net liquidity",
            balance.reservoir_levels_chart(levels), _wide(levels, "series", "value_bn", "USD bn"),
            f"Line chart of bank reserves and net liquidity (Fed total assets minus the TGA and "
            f"ON RRP), weekly, {_span(levels['date'])}. "
            + _series_summary(levels, "series", "value_bn", _bn), "reservoir")
    buffers = frames.reservoir_buffers(vis, weekly_start, as_of)
    if len(buffers):
        add("reservoir_buffers", "Treasury cash and ON RRP",
            balance.reservoir_buffers_chart(buffers),
            _wide(buffers, "series", "value_bn", "USD bn"),
            f"Line chart of the Treasury General Account and ON RRP usage, "
            f"{_span(buffers['date'])}. " + _series_summary(buffers, "series", "value_bn", _bn),
            "reservoir")

    # The pipe: repo.
    spread, ref_name = frames.repo_spread(vis, daily_start, as_of)
    windows = frames.calendar_windows(daily_start, as_of)
    if len(spread):
        wins = windows[(windows["end"] >= spread["date"].min())]
        latest_row = spread.iloc[-1]
        widest = spread.loc[spread["sofr_bp"].idxmax()]
        band = ""
        if pd.notna(latest_row.get("p99_bp")):
            band = (f" On the latest day the 1st-99th percentile range ran from "
                    f"{_bp(latest_row['p1_bp'])} to {_bp(latest_row['p99_bp'])}.")
        add("repo_spread", f"SOFR against {ref_name}",
            pipe.repo_spread_chart(spread, wins, ref_name),
            spread.rename(columns=lambda c: c.replace("_bp", f" - {ref_name} (bp)")
                          if c.endswith("_bp") else c),
            f"Line chart of SOFR minus {ref_name} in basis points, daily, "
            f"{_span(spread['date'])}, with the SOFR percentile band and calendar windows "
            f"shaded. Latest ({_d(latest_row['date'])}): {_bp(latest_row['sofr_bp'])}; widest: "
            f"{_bp(widest['sofr_bp'])} on {_d(widest['date'])}." + band, "pipe")
    srf = frames.srf(vis, daily_start, as_of)
    if len(srf):
        wins = windows[(windows["end"] >= srf["date"].min()) &
                       (windows["start"] <= srf["date"].max())]
        used = srf[srf["accepted_bn"] >= 0.1]
        biggest = srf.loc[srf["accepted_bn"].idxmax()]
        add("srf", "Standing Repo Facility take-up", pipe.srf_chart(srf, wins),
            srf.rename(columns={"accepted_bn": "SRF accepted (USD bn)"}),
            f"Bar chart of daily Standing Repo Facility take-up, {_span(srf['date'])}. "
            f"The facility was used (USD 0.1 bn or more) on {len(used)} of {len(srf)} days; "
            f"the largest take-up was {_bn(biggest['accepted_bn'])} on {_d(biggest['date'])}.",
            "pipe")

    # The pipe: auctions, fails, volatility, curve.
    auc = frames.auctions(vis, frames.window_start(as_of, AUCTION_YEARS), as_of)
    if len(auc):
        weak = auc[auc["weak"]]
        weak_text = (f"{len(weak)} auctions are marked weak"
                     + (": " + ", ".join(f"{r.tenor} on {_d(r.auction_date)}"
                                         for r in weak.tail(6).itertuples()) if len(weak) else "")
                     + ".")
        persistent = sorted(auc.loc[auc["persistent"], "tenor"].unique())
        add("auctions", "Auctions by tenor", pipe.auctions_chart(auc),
            auc.drop(columns=["tenor_rank"]),
            f"Dot chart of {len(auc)} nominal coupon auctions by tenor and date, "
            f"{_span(auc['auction_date'])}; colour shows the tail proxy (high minus median "
            f"yield), size the primary-dealer share. {weak_text}"
            + (f" Repeated weakness in: {', '.join(persistent)}." if persistent else ""), "pipe")
    fl = frames.fails(vis, weekly_start, as_of)
    if len(fl):
        top = fl.loc[fl["fails_bn"].idxmax()]
        measure = str(fl["measure"].iloc[0]).split(" (")[0]
        add("fails", "Treasury settlement fails",
            pipe.fails_chart(fl.drop(columns="measure"), measure),
            fl.rename(columns={"fails_bn": "fails (USD bn)", "avg4_bn": "4-week average (USD bn)"}),
            f"Bar chart of weekly Treasury settlement fails, {_span(fl['date'])}. Latest week: "
            f"{_bn(fl['fails_bn'].iloc[-1])}; the largest: {_bn(top['fails_bn'])} in the week "
            f"ending {_d(top['date'])}.", "pipe")
    vol = frames.yield_volatility(vis, daily_start, as_of)
    if len(vol):
        add("volatility", "Treasury volatility", pipe.volatility_chart(vol),
            _wide(vol, "series", "vol_bp", "bp"),
            "Line chart of realised Treasury yield volatility (standard deviation of daily "
            f"changes over {DEFAULT.signals.vol_days} observations), {_span(vol['date'])}. "
            + _series_summary(vol, "series", "vol_bp", lambda x: f"{x:.1f} bp"), "pipe")
    cv = frames.curve(vis, daily_start, as_of)
    if len(cv):
        add("curve", "The yield curve", pipe.curve_chart(cv),
            _wide(cv, "series", "spread_bp", "bp"),
            f"Line chart of yield-curve spreads, {_span(cv['date'])}. "
            + _series_summary(cv, "series", "spread_bp", _bp), "pipe")

    # Reservoir vs pipe.
    reserves = frames._cut(vis.billions("WRESBAL"), daily_start, as_of)
    comp_daily, comp_label = composite_history(vis, dashboard, daily_start, as_of)
    # Weekly averages (to Wednesday, like the H.4.1): the daily index is too jumpy to read
    # against a weekly stock.
    comp = comp_daily.resample("W-WED").mean().dropna().round(1)
    comp_label = f"{comp_label}, weekly average"
    if len(reserves) and len(comp):
        sf = (pd.DataFrame({"reserves_bn": reserves})
              .join(pd.DataFrame({"composite": comp}), how="outer")
              .rename_axis("date").reset_index())
        add("stock_flow", "Reservoir vs pipe", balance.stock_flow_chart(sf, comp_label),
            sf.rename(columns={"reserves_bn": "reserves (USD bn)",
                               "composite": comp_label.lower()}),
            f"Dual-axis line chart: bank reserves (weekly, left axis) against "
            f"{comp_label.lower()} (right axis, higher = more stress), {_span(sf['date'])}. "
            f"Reserves went from {_bn(reserves.iloc[0])} to {_bn(reserves.iloc[-1])}; the "
            f"composite went from {comp.iloc[0]:.2f} to {comp.iloc[-1]:.2f} "
            f"(peak {comp.max():.2f} on {_d(comp.idxmax())}).", "stock_flow")
    return out


__all__ = ["ChartBundle", "SECTIONS", "build_charts"]
