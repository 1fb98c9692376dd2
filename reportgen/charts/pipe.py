"""Plumbing charts ("the pipe"): repo spreads, SRF take-up, auctions, fails, volatility, curve.

Each function takes ready frames and returns an Altair chart; spreads are in basis points,
amounts in USD billions, dates as ``Timestamp``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from reportgen.charts.base import (
    DATE_FORMAT,
    INTERACTIVE_ONLY,
    hover_readout,
    shaded_periods,
    time_x,
    zoom,
)
from reportgen.charts.theme import PALETTE


def _calendar_layer(windows: pd.DataFrame) -> alt.Chart:
    return shaded_periods(
        windows, color=PALETTE["calendar"], opacity=0.8,
        tooltip=[alt.Tooltip("label:N", title="Calendar window"),
                 alt.Tooltip("start:T", title="From", format=DATE_FORMAT),
                 alt.Tooltip("end:T", title="To", format=DATE_FORMAT)])


def repo_spread_chart(spread: pd.DataFrame, windows: pd.DataFrame,
                      reference: str = "IORB") -> alt.TopLevelMixin:
    """SOFR minus the reference rate (IORB) with the SOFR percentile band, calendar windows shaded.

    Parameters
    ----------
    spread : columns ``date``, ``sofr_bp`` (SOFR - reference, bp) and, where published,
        ``p1_bp``, ``p25_bp``, ``p75_bp``, ``p99_bp`` (percentiles - reference, bp).
    windows : columns ``start``, ``end``, ``label`` (quarter-ends, tax dates, ...); may be empty.
    """
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(windows):
        layers.append(_calendar_layer(windows))
    base = alt.Chart(spread).encode(x=time_x())
    if "p99_bp" in spread and spread["p99_bp"].notna().any():
        layers.append(base.transform_filter("isValid(datum.p99_bp)").mark_area(
            color=PALETTE["band_outer"], opacity=0.9).encode(y="p1_bp:Q", y2="p99_bp:Q"))
        layers.append(base.transform_filter("isValid(datum.p75_bp)").mark_area(
            color=PALETTE["band_inner"], opacity=0.9).encode(y="p25_bp:Q", y2="p75_bp:Q"))
    layers.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
        color=PALETTE["ink"], strokeWidth=0.8).encode(y="zero:Q"))
    layers.append(base.mark_line(color=PALETTE["primary"], strokeWidth=1.5).encode(
        y=alt.Y("sofr_bp:Q", title=f"basis points vs {reference}"),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("sofr_bp:Q", title=f"SOFR - {reference} (bp)", format="+.0f"),
                 alt.Tooltip("p1_bp:Q", title="1st pct (bp)", format="+.0f"),
                 alt.Tooltip("p99_bp:Q", title="99th pct (bp)", format="+.0f")],
    ).add_params(zoom("repo_zoom")))
    layers.append(base.mark_point(size=14, filled=True, color=PALETTE["primary"], opacity=0).encode(
        y="sofr_bp:Q",
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("sofr_bp:Q", title=f"SOFR - {reference} (bp)", format="+.0f")],
    ).properties(name=INTERACTIVE_ONLY))
    return alt.layer(*layers).properties(title=alt.Title(
        f"SOFR against {reference}",
        subtitle=["Basis points. Bands: 1st-99th and 25th-75th percentiles of SOFR",
                  "trades; shaded columns: month-ends, quarter-ends, tax dates"]))


def srf_chart(srf: pd.DataFrame, windows: pd.DataFrame) -> alt.TopLevelMixin:
    """Standing Repo Facility take-up per day as bars, USD billions, calendar windows shaded.

    ``srf`` columns: ``date``, ``accepted_bn``.
    """
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(windows):
        layers.append(_calendar_layer(windows))
    layers.append(alt.Chart(srf).mark_bar(color=PALETTE["red"]).encode(
        x=time_x("yearmonthdate(date)"),
        y=alt.Y("accepted_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("accepted_bn:Q", title="SRF accepted, USD bn", format=",.2f")],
    ).add_params(zoom("srf_zoom")))
    return alt.layer(*layers).properties(height=150, title=alt.Title(
        "Standing Repo Facility take-up",
        subtitle=["USD billions accepted per day", "(small-value test operations excluded)"]))


def auctions_chart(auctions: pd.DataFrame) -> alt.TopLevelMixin:
    """Tenor-by-date view of the auction tail proxy, dealer share as size, weak auctions ringed.

    ``auctions`` columns: ``auction_date``, ``tenor`` (e.g. "10-Year"), ``tenor_rank`` (sort
    key, shortest first), ``tail_bp`` (high minus median yield, bp: a proxy, not the true tail),
    ``dealer_share`` (percent of competitive awards), ``weak`` (bool), ``persistent`` (bool:
    the tenor is repeatedly weak).
    """
    tenors = (auctions.drop_duplicates("tenor").sort_values("tenor_rank")["tenor"].tolist())
    y = alt.Y("tenor:N", sort=tenors, title=None)
    base = alt.Chart(auctions).encode(x=time_x("auction_date"), y=y)
    dots = base.mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("tail_bp:Q", title="Tail proxy (bp)",
                        scale=alt.Scale(scheme="orangered", domainMin=0),
                        legend=alt.Legend(orient="top", title="Tail proxy, bp",
                                          gradientLength=120, titleOrient="left")),
        size=alt.Size("dealer_share:Q", title="Dealer share, %",
                      scale=alt.Scale(range=[12, 200], zero=True),
                      legend=alt.Legend(orient="top", title="Dealer share, %",
                                        titleOrient="left", values=[10, 20, 30])),
        tooltip=[alt.Tooltip("auction_date:T", title="Auction", format=DATE_FORMAT),
                 alt.Tooltip("tenor:N", title="Tenor"),
                 alt.Tooltip("tail_bp:Q", title="Tail proxy (bp)", format="+.1f"),
                 alt.Tooltip("dealer_share:Q", title="Dealer share (%)", format=".1f"),
                 alt.Tooltip("verdict:N", title="Reading")],
    ).add_params(zoom("auctions_zoom"))
    weak = base.transform_filter("datum.weak").mark_point(
        shape="circle", size=260, filled=False, strokeWidth=1.6, color=PALETTE["red"]).encode(
        tooltip=[alt.Tooltip("auction_date:T", title="Weak auction", format=DATE_FORMAT),
                 alt.Tooltip("tenor:N", title="Tenor"),
                 alt.Tooltip("verdict:N", title="Reading")])
    height = max(140, 22 * len(tenors))
    return alt.layer(dots, weak).properties(height=height, title=alt.Title(
        "Note and bond auctions by tenor",
        subtitle=["Colour: tail proxy (high minus median yield, bp); size: dealer share;",
                  "red ring: auction judged weak"]))


def fails_chart(fails: pd.DataFrame, measure: str) -> alt.TopLevelMixin:
    """Weekly Treasury settlement fails, USD billions, with a four-week average.

    ``fails`` columns: ``date``, ``fails_bn``, ``avg4_bn``; ``measure`` names the series used
    (aggregate or the narrower per-tenor sum) and goes into the subtitle.
    """
    base = alt.Chart(fails).encode(x=time_x())
    bars = base.mark_bar(color=PALETTE["coupons"]).encode(
        y=alt.Y("fails_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                 alt.Tooltip("fails_bn:Q", title="Fails, USD bn", format=",.1f"),
                 alt.Tooltip("avg4_bn:Q", title="4-week average", format=",.1f")],
    ).add_params(zoom("fails_zoom"))
    avg = base.mark_line(color=PALETTE["primary"]).encode(y="avg4_bn:Q")
    return alt.layer(bars, avg).properties(height=170, title=alt.Title(
        "Treasury settlement fails",
        subtitle=["Primary dealers, fails to deliver + receive, USD bn a week;",
                  f"{measure}; line: 4-week average"]))


def volatility_chart(vol: pd.DataFrame, vol_days: int) -> alt.TopLevelMixin:
    """Realised Treasury yield volatility, basis points.

    ``vol`` columns: ``date``, ``series`` (e.g. "10-year"), ``vol_bp``.
    """
    order = sorted(vol["series"].unique())
    lines = alt.Chart(vol).mark_line(strokeWidth=1.5).encode(
        x=time_x(),
        y=alt.Y("vol_bp:Q", title="basis points"),
        color=alt.Color("series:N", sort=order),
    ).add_params(zoom("vol_zoom"))
    return alt.layer(lines, hover_readout(vol, "series", "vol_bp", "bp", ".1f", order)).properties(
        height=170, title=alt.Title(
            "Treasury volatility",
            subtitle=["Standard deviation of daily yield changes",
                      f"over {vol_days} observations, bp "
                      "(the treasury_volatility signal)"]))


def curve_chart(curve: pd.DataFrame) -> alt.TopLevelMixin:
    """Yield-curve spreads (10y-3m, 10y-2y), basis points; below zero = inverted.

    ``curve`` columns: ``date``, ``series``, ``spread_bp``.
    """
    order = [s for s in ["10y - 3m", "10y - 2y"] if s in set(curve["series"])]
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
        color=PALETTE["ink"], strokeWidth=0.8).encode(y="zero:Q")
    lines = alt.Chart(curve).mark_line(strokeWidth=1.5).encode(
        x=time_x(),
        y=alt.Y("spread_bp:Q", title="basis points"),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["primary"], PALETTE["secondary"]][: len(order)])),
    ).add_params(zoom("curve_zoom"))
    return alt.layer(zero, lines, hover_readout(curve, "series", "spread_bp", "bp", "+.0f", order)
                     ).properties(height=170, title=alt.Title(
                         "The yield curve",
                         subtitle=["Spreads in basis points; below zero = inverted",
                                   "(short rates above long rates)"]))
