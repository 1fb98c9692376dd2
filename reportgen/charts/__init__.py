"""The briefing's charts: one function per chart (frames in, an Altair chart out), ``build_charts``.

``build_charts`` takes the week's analysis (:class:`reportgen.analysis.week.WeekAnalysis`),
draws every chart whose frame has data and returns them as ``ChartBundle`` objects: the chart,
the exact data behind it (offered as a CSV download), a text alternative generated from the
numbers, and the section of the briefing it belongs to. A chart whose data is missing is simply
absent from the result; the briefing then says the section is unavailable.

Example
-------
>>> charts = build_charts(analyse(ds, date(2026, 9, 3)))
>>> charts["holdings"].alt_text
'Stacked area chart of the Fed's holdings ...'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import altair as alt
import altair.utils.schemapi
import pandas as pd

from reportgen.analysis.week import ChartFrames, WeekAnalysis
from reportgen.charts import balance, capacity, inline_data, pipe, theme
from reportgen.formatting import bn as _bn
from reportgen.formatting import bn1 as _bn1
from reportgen.formatting import bn2 as _bn2
from reportgen.formatting import bp as _bp
from reportgen.formatting import day as _d
from reportgen.formatting import phase_title

theme.enable()
inline_data.enable()
# Altair validates every object as it is made ("debug mode"), about 0.05 s a build, for errors
# that tests/test_charts.py catches by validating every chart's spec against the schema.
altair.utils.schemapi.disable_debug_mode()

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


def _wide(long: pd.DataFrame, series_field: str, value_field: str, unit: str) -> pd.DataFrame:
    wide = long.pivot_table(index="date", columns=series_field, values=value_field,
                            aggfunc="last", sort=True)
    wide.columns = [f"{c} ({unit})" for c in wide.columns]
    return wide.reset_index()


# -- the charts: one function per chart, each None when its frame has no data -----------------
def _holdings(f: ChartFrames) -> ChartBundle | None:
    """Phase: holdings composition with the observed phases shaded and FOMC decisions marked."""
    hold, phases, decisions = f.holdings, f.phase_periods, f.decisions
    if not len(hold):
        return None
    latest = hold[hold["date"] == hold["date"].max()]
    composition = ", ".join(f"{r.component} {_bn(r.value_bn)}" for r in latest.itertuples())
    phase_text = ""
    if len(phases):
        phase_text = " Shaded periods show the observed phase: " + "; ".join(
            f"{phase_title(r.phase, r.label)} from {_d(r.start)}"
            for r in phases.itertuples()) + "."
    data = _wide(hold, "component", "value_bn", "USD bn")
    if len(phases):
        data["observed phase"] = [
            next((phase_title(p.phase, p.label) for p in phases.itertuples()
                  if p.start <= d < p.end), "") for d in data["date"]]
    drawn_phases = phases.assign(label=[phase_title(r.phase, r.label)
                                        for r in phases.itertuples()])
    return _bundle(
        "holdings", "Fed holdings by type", balance.holdings_chart(hold, drawn_phases, decisions),
        data,
        f"Stacked area chart of the Fed's securities holdings by type, weekly, "
        f"{_span(hold['date'])}. Latest week ({_d(hold['date'].max())}): {composition}."
        + phase_text + (f" {len(decisions)} FOMC balance-sheet decisions are marked."
                        if len(decisions) else ""),
        "phase")


def _pace(f: ChartFrames) -> ChartBundle | None:
    """Phase: the reserve-management purchase pace, observed against announced, with steps."""
    pace, steps = f.pace, f.pace_steps
    if not len(pace):
        return None
    latest = pace[pace["date"] == pace["date"].max()]
    now = "; ".join(f"{r.series} {_bn(r.bn_month)} a month" for r in latest.itertuples())
    marked = ("; ".join(f"{_d(r.date)}: {r.label}" for r in steps.itertuples())
              if len(steps) else "none yet")
    return _bundle(
        "pace", "The purchase pace", balance.pace_chart(pace, steps),
        _wide(pace, "series", "bn_month", "USD bn a month"),
        f"Step chart of the Fed's reserve-management bill purchases in USD billions a month, "
        f"weekly, {_span(pace['date'])}: the pace read per Desk-schedule month, the Desk's "
        f"announced pace, the 4-week rate of purchases and the MBS principal reinvested in "
        f"bills. Latest week ({_d(pace['date'].max())}): {now}. Steps: {marked}.", "phase")


def _reservoir_levels(f: ChartFrames) -> ChartBundle | None:
    levels = f.reservoir_levels
    if not len(levels):
        return None
    return _bundle(
        "reservoir_levels", "Reserves and net liquidity", balance.reservoir_levels_chart(levels),
        _wide(levels, "series", "value_bn", "USD bn"),
        f"Line chart of bank reserves and net liquidity (Fed total assets minus the TGA and "
        f"ON RRP), weekly, {_span(levels['date'])}. "
        + _series_summary(levels, "series", "value_bn", _bn), "reservoir")


def _reservoir_buffers(f: ChartFrames) -> ChartBundle | None:
    buffers = f.reservoir_buffers
    if not len(buffers):
        return None
    return _bundle(
        "reservoir_buffers", "Treasury cash and ON RRP", balance.reservoir_buffers_chart(buffers),
        _wide(buffers, "series", "value_bn", "USD bn"),
        f"Line chart of the Treasury General Account and ON RRP usage, "
        f"{_span(buffers['date'])}. " + _series_summary(buffers, "series", "value_bn", _bn),
        "reservoir")


def _repo_spread(f: ChartFrames) -> ChartBundle | None:
    spread, ref_name, windows = f.repo_spread, f.reference_name, f.windows
    if not len(spread):
        return None
    wins = windows[(windows["end"] >= spread["date"].min())]
    latest_row = spread.iloc[-1]
    widest = spread.loc[spread["sofr_bp"].idxmax()]
    band = ""
    if pd.notna(latest_row.get("p99_bp")):
        band = (f" On the latest day the 1st-99th percentile range ran from "
                f"{_bp(latest_row['p1_bp'])} to {_bp(latest_row['p99_bp'])}.")
    return _bundle(
        "repo_spread", f"SOFR against {ref_name}", pipe.repo_spread_chart(spread, wins, ref_name),
        spread.rename(columns=lambda c: c.replace("_bp", f" - {ref_name} (bp)")
                      if c.endswith("_bp") else c),
        f"Line chart of SOFR minus {ref_name} in basis points, daily, "
        f"{_span(spread['date'])}, with calendar windows shaded"
        + (" and the SOFR percentile band" if spread["p99_bp"].notna().any() else "")
        + f". Latest ({_d(latest_row['date'])}): {_bp(latest_row['sofr_bp'])}; widest: "
        f"{_bp(widest['sofr_bp'])} on {_d(widest['date'])}." + band, "pipe")


def _srf(f: ChartFrames) -> ChartBundle | None:
    srf, windows = f.srf, f.windows
    if not len(srf):
        return None
    wins = windows[(windows["end"] >= srf["date"].min()) &
                   (windows["start"] <= srf["date"].max())]
    used = srf[srf["accepted_bn"] >= 0.1]
    biggest = srf.loc[srf["accepted_bn"].idxmax()]
    use = (f"The facility was used (USD 0.1 bn or more) on {len(used)} of {len(srf)} days; "
           f"the largest take-up was {_bn2(biggest['accepted_bn'])} on "
           f"{_d(biggest['date'])}." if len(used) else
           f"The facility was not used (USD 0.1 bn or more) on any of the {len(srf)} days.")
    return _bundle(
        "srf", "Standing Repo Facility take-up", pipe.srf_chart(srf, wins),
        srf.rename(columns={"accepted_bn": "SRF accepted (USD bn)"}),
        f"Bar chart of daily Standing Repo Facility take-up, {_span(srf['date'])}. {use}",
        "pipe")


def _auctions(f: ChartFrames) -> ChartBundle | None:
    auc = f.auctions
    if not len(auc):
        return None
    weak = auc[auc["weak"]]
    shown = weak.tail(6)
    listed = ("the latest six: " if len(weak) > len(shown) else "") + ", ".join(
        f"{r.tenor} on {_d(r.auction_date)}" for r in shown.itertuples())
    weak_text = (f"{len(weak)} auctions are marked weak" + (f"; {listed}" if len(weak) else "")
                 + ".")
    # The tenors flagged now: each tenor's latest auction says whether it still is.
    latest = auc.sort_values("auction_date").groupby("tenor").tail(1)
    flagged = sorted(latest.loc[latest["persistent"], "tenor"].unique())
    return _bundle(
        "auctions", "Auctions by tenor", pipe.auctions_chart(auc), auc.drop(columns=["tenor_rank"]),
        f"Dot chart of {len(auc)} coupon auctions (notes, bonds, TIPS and FRNs) by tenor and "
        f"date, {_span(auc['auction_date'])}; colour shows the tail proxy (high minus median "
        f"yield), size the primary-dealer share. {weak_text}"
        + (f" Flagged now for repeated weakness: {', '.join(flagged)}." if flagged else ""),
        "pipe")


def _fails(f: ChartFrames) -> ChartBundle | None:
    fl = f.fails
    if not len(fl):
        return None
    top = fl.loc[fl["fails_bn"].idxmax()]
    measure = str(fl["measure"].iloc[0]).split(" (")[0]
    return _bundle(
        "fails", "Treasury settlement fails", pipe.fails_chart(fl.drop(columns="measure"), measure),
        fl.rename(columns={"fails_bn": "fails (USD bn)", "avg4_bn": "4-week average (USD bn)"}),
        f"Bar chart of weekly Treasury settlement fails, {_span(fl['date'])}. Latest week: "
        f"{_bn(fl['fails_bn'].iloc[-1])}; the largest: {_bn(top['fails_bn'])} in the week "
        f"ending {_d(top['date'])}.", "pipe")


def _repo_segments(f: ChartFrames) -> ChartBundle | None:
    """Repo segments: the OFR DVP rate over the tri-party reference, daily."""
    seg = f.repo_segments
    if not len(seg):
        return None
    refs = " / ".join(dict.fromkeys(seg["reference"].astype(str)))
    dvp = seg.set_index("date")["dvp_bp"].dropna()
    widest = dvp.idxmax()
    gcf = seg["gcf_bp"].notna().any()
    return _bundle(
        "repo_segments", "Repo segments", capacity.repo_segments_chart(seg),
        seg.rename(columns={"dvp_bp": "DVP - reference (bp)", "gcf_bp": "GCF - reference (bp)"}),
        f"Line chart of the OFR overnight DVP repo rate{' and the GCF rate' if gcf else ''} "
        f"minus {refs} (standing for tri-party) in basis points, daily, {_span(seg['date'])}. "
        f"Latest ({_d(dvp.index[-1])}): {_bp(dvp.iloc[-1])}; widest: {_bp(dvp.max())} on "
        f"{_d(widest)}; median over the chart {_bp(dvp.median())}.", "pipe")


def _dealer_positions(f: ChartFrames) -> ChartBundle | None:
    """Dealer balance sheets: net Treasury positions by bucket, weak auctions and breaks marked."""
    pos, breaks, weak = f.dealer_positions, f.dealer_breaks, f.dealer_auctions
    if not len(pos) or not pos["total_bn"].notna().any():
        return None
    last = pos.iloc[-1]
    buckets = ", ".join(f"{label.lower() if label not in ('TIPS', 'FRN') else label} "
                        f"{_bn1(last[col])}" for col, label in capacity.DEALER_COLUMNS.items()
                        if col != "total_bn" and pd.notna(last[col]))
    top = pos.loc[pos["total_bn"].idxmax()]
    weak_in = weak[weak["date"] >= pos["date"].min()] if len(weak) else weak
    weak_text = (f" {len(weak_in)} weak auctions are marked"
                 + (": " + ", ".join(f"{r.tenor} on {_d(r.date)}"
                                     for r in weak_in.tail(6).itertuples()) if len(weak_in)
                    else "") + "." if len(weak_in) else " No auction in the window was weak.")
    break_text = "".join(f" The NY Fed series break of {_d(r.date)} ({r.label.split()[-1]}) is "
                         "marked: positions are never compared across it."
                         for r in breaks.itertuples())
    data = pos.rename(columns={f"{k}": f"{v} (USD bn)" for k, v in
                               capacity.DEALER_COLUMNS.items()})
    return _bundle(
        "dealer_positions", "Dealer balance sheets",
        capacity.dealer_positions_chart(pos, breaks, weak), data,
        f"Line chart of primary dealers' net Treasury positions in USD billions, weekly "
        f"(Wednesday), {_span(pos['date'])}: the total and its buckets. Latest week "
        f"({_d(last['date'])}): total {_bn1(last['total_bn'])} ({buckets}). Highest total: "
        f"{_bn1(top['total_bn'])} in the week to {_d(top['date'])}." + weak_text + break_text,
        "pipe")


def _securities_lending(f: ChartFrames) -> ChartBundle | None:
    """Collateral: SOMA securities lending against weekly fails (only with lending data)."""
    frame = f.securities_lending
    if not len(frame) or not frame["lending_bn"].notna().any():
        return None
    lent = frame.set_index("date")["lending_bn"].dropna()
    fails = frame.set_index("date")["fails_bn"].dropna()
    fails_text = (f" Weekly fails (right axis): latest {_bn(fails.iloc[-1])} in the week to "
                  f"{_d(fails.index[-1])}, the largest {_bn(fails.max())} in the week to "
                  f"{_d(fails.idxmax())}." if len(fails)
                  else " No fails are stored for these dates.")
    return _bundle(
        "securities_lending", "SOMA securities lending and fails",
        capacity.securities_lending_chart(frame),
        frame.rename(columns={"lending_bn": "SOMA securities lent (USD bn)",
                              "top_share_pct": "most-lent issues' share (%)",
                              "fails_bn": "fails (USD bn a week)"}),
        f"Bar chart of SOMA securities lending (Treasuries the Fed lent from its portfolio) in "
        f"USD billions a day, {_span(lent.index.to_series())}, with weekly Treasury settlement "
        f"fails as a line. Latest ({_d(lent.index[-1])}): {_bn2(lent.iloc[-1])}; the largest: "
        f"{_bn2(lent.max())} on {_d(lent.idxmax())}." + fails_text, "pipe")


def _volatility(f: ChartFrames) -> ChartBundle | None:
    vol = f.volatility
    if not len(vol):
        return None
    return _bundle(
        "volatility", "Treasury volatility", pipe.volatility_chart(vol, f.vol_days),
        _wide(vol, "series", "vol_bp", "bp"),
        "Line chart of realised Treasury yield volatility (standard deviation of daily "
        f"changes over {f.vol_days} observations), {_span(vol['date'])}. "
        + _series_summary(vol, "series", "vol_bp", lambda x: f"{x:.1f} bp"), "pipe")


def _curve(f: ChartFrames) -> ChartBundle | None:
    cv = f.curve
    if not len(cv):
        return None
    return _bundle(
        "curve", "The yield curve", pipe.curve_chart(cv), _wide(cv, "series", "spread_bp", "bp"),
        f"Line chart of yield-curve spreads, {_span(cv['date'])}. "
        + _series_summary(cv, "series", "spread_bp", _bp), "pipe")


def _stock_flow(f: ChartFrames) -> ChartBundle | None:
    """Reservoir vs pipe: the weekly-average index, since the daily one is too jumpy to read
    against a weekly stock."""
    sf = f.stock_flow
    if not (len(sf) and sf["reserves_bn"].notna().any() and sf["composite"].notna().any()):
        return None
    comp_label = "Plumbing stress index (0-100), weekly average"
    reserves = sf.set_index("date")["reserves_bn"].dropna()
    comp = sf.set_index("date")["composite"].dropna()
    return _bundle(
        "stock_flow", "Reservoir vs pipe", balance.stock_flow_chart(sf, comp_label),
        sf.rename(columns={"reserves_bn": "reserves (USD bn)", "composite": comp_label.lower()}),
        f"Dual-axis line chart: bank reserves (weekly, left axis) against "
        f"{comp_label.lower()} (right axis, higher = more stress), {_span(sf['date'])}. "
        f"Reserves went from {_bn(reserves.iloc[0])} to {_bn(reserves.iloc[-1])}; the "
        f"index went from {comp.iloc[0]:.0f} to {comp.iloc[-1]:.0f} "
        f"(peak {comp.max():.0f} in the week to {_d(comp.idxmax())}).", "stock_flow")


def _bundle(name: str, title: str, chart: alt.TopLevelMixin, data: pd.DataFrame,
            alt_text: str, section: str) -> ChartBundle:
    return ChartBundle(name, title, chart, data.reset_index(drop=True), alt_text, section)


#: Every chart of the briefing, in reading order.
CHARTS: tuple[Callable[[ChartFrames], ChartBundle | None], ...] = (
    _holdings, _pace, _reservoir_levels, _reservoir_buffers, _repo_spread, _srf, _repo_segments,
    _auctions, _dealer_positions, _fails, _securities_lending, _volatility, _curve, _stock_flow,
)


def build_charts(week: WeekAnalysis) -> dict[str, ChartBundle]:
    """Draw every chart whose data exists for the briefing of ``week.as_of``.

    The frames come cut from the week's analysis (``week.frames``); nothing is computed here
    but the drawing, the downloadable tables and the text alternatives.

    Returns
    -------
    dict name -> ``ChartBundle``, in briefing order; charts without data are left out.
    """
    return {bundle.name: bundle for bundle in iter_charts(week)}


def iter_charts(week: WeekAnalysis) -> Iterator[ChartBundle]:
    """The charts of :func:`build_charts`, one at a time as each is drawn (the build starts a
    chart's SVG in the print worker while the next one is drawn)."""
    drawn = (chart(week.frames) for chart in CHARTS)
    yield from (bundle for bundle in drawn if bundle is not None)


__all__ = ["ChartBundle", "SECTIONS", "build_charts", "iter_charts"]
