"""Plumbing charts ("the pipe"): repo spreads, SRF take-up, auctions, fails, volatility, curve.

Each function takes ready frames and returns an Altair chart; spreads are in basis points,
amounts in USD billions, dates as ``Timestamp``.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from reportgen.charts.base import (
    DATE_FORMAT,
    INTERACTIVE_ONLY,
    break_gaps,
    event_labels,
    hover_readout,
    shaded_periods,
    subtitle,
    time_x,
    zero_rule,
    zoom,
)
from reportgen.charts.theme import PALETTE
from reportgen.formatting import day


def _calendar_layer(windows: pd.DataFrame) -> alt.Chart:
    return shaded_periods(
        windows, color=PALETTE["calendar"], opacity=0.8,
        tooltip=[alt.Tooltip("label:N", title="Calendar window"),
                 alt.Tooltip("start:T", title="From", format=DATE_FORMAT),
                 alt.Tooltip("end:T", title="To", format=DATE_FORMAT)])


_BANDS = (("p1_bp", "p99_bp", "1st-99th", PALETTE["band_outer"]),
          ("p25_bp", "p75_bp", "25th-75th", PALETTE["band_inner"]))
# A band that starts within this many days of the chart's first date is said to cover it all.
_BAND_FROM_SLACK = pd.Timedelta(days=10)


def _reference_switches(spread: pd.DataFrame) -> pd.DataFrame:
    """The dates where the reference rate changes (``reference`` column, where the frame has
    one): ``date``, ``label`` ("EFFR to IORB")."""
    if "reference" not in spread or not len(spread):
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             "label": pd.Series(dtype=object)})
    rows = spread.dropna(subset=["reference"]).sort_values("date")
    ref = rows["reference"].astype(str)
    changed = ref.ne(ref.shift()) & ref.shift().notna()
    return pd.DataFrame({"date": rows.loc[changed, "date"].to_numpy(),
                         "label": [f"{a} to {b}" for a, b in
                                   zip(ref.shift()[changed], ref[changed], strict=True)]})


def repo_spread_chart(spread: pd.DataFrame, windows: pd.DataFrame,
                      reference: str = "IORB") -> alt.TopLevelMixin:
    """SOFR minus the reference rate (IORB) with the SOFR percentile bands where they are
    published, calendar windows shaded, a change of reference rate marked.

    Parameters
    ----------
    spread : columns ``date``, ``sofr_bp`` (SOFR - reference, bp) and, where published,
        ``p1_bp``, ``p25_bp``, ``p75_bp``, ``p99_bp`` (percentiles - reference, bp);
        optionally ``reference`` (the reference rate's name on each day: a change, such as
        EFFR to IORB in July 2021, is marked with a labelled rule, since it steps the line).
    windows : columns ``start``, ``end``, ``label`` (quarter-ends, tax dates, ...); may be empty.

    The subtitle names only the bands drawn, and says from when if they begin inside the
    window.
    """
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(windows):
        layers.append(_calendar_layer(windows))
    values = [c for c in ("sofr_bp", "p1_bp", "p25_bp", "p75_bp", "p99_bp") if c in spread]
    switches = _reference_switches(spread)
    drawn_rows = break_gaps(spread, values)
    if len(switches):
        # The line also breaks at a change of reference: the two sides measure different spreads.
        before = drawn_rows.loc[drawn_rows["date"].isin(switches["date"]), "date"]
        prior = drawn_rows["date"].shift(1)[before.index]
        cut = pd.DataFrame({"date": (prior + (before - prior) / 2).to_numpy()})
        drawn_rows = pd.concat([drawn_rows, cut]).sort_values("date", kind="stable")
    base = alt.Chart(drawn_rows).encode(x=time_x(dates=spread["date"]))
    drawn: list[str] = []
    band_start: pd.Timestamp | None = None
    for lo, hi, name, color in _BANDS:
        if lo not in spread or hi not in spread:
            continue
        has = spread[lo].notna() & spread[hi].notna()
        if not has.any():
            continue
        # No filter: a day without percentiles is missing, so the band breaks there.
        layers.append(base.mark_area(color=color, opacity=0.9).encode(
            y=alt.Y(f"{lo}:Q"), y2=alt.Y2(f"{hi}:Q")))
        drawn.append(name)
        first = pd.Timestamp(spread.loc[has, "date"].min())
        band_start = first if band_start is None else min(band_start, first)
    layers.append(zero_rule())
    layers.append(base.mark_line(color=PALETTE["primary"], strokeWidth=1.5).encode(
        y=alt.Y("sofr_bp:Q", title=f"basis points vs {reference}"),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("sofr_bp:Q", title=f"SOFR - {reference} (bp)", format="+.0f"),
                 alt.Tooltip("p1_bp:Q", title="1st pct (bp)", format="+.0f"),
                 alt.Tooltip("p99_bp:Q", title="99th pct (bp)", format="+.0f")],
    ).add_params(zoom("repo_zoom")))
    layers.append(base.mark_point(size=14, filled=True, color=PALETTE["primary"], opacity=0).encode(
        y=alt.Y("sofr_bp:Q"),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("sofr_bp:Q", title=f"SOFR - {reference} (bp)", format="+.0f")],
    ).properties(name=INTERACTIVE_ONLY))
    if len(switches):
        dates = pd.to_datetime(spread["date"])
        layers.append(alt.Chart(switches).mark_rule(
            color=PALETTE["ink"], strokeDash=[4, 2], strokeWidth=1.2).encode(
            x="date:T",
            tooltip=[alt.Tooltip("date:T", title="Reference changed", format=DATE_FORMAT),
                     alt.Tooltip("label:N", title="Reference")]))
        layers += event_labels(switches.assign(label="reference: " + switches["label"]),
                               "label", dates.min(), dates.max())
    notes = [f"SOFR minus {reference}, basis points."]
    if len(switches):
        notes.append("Dashed line: the reference rate changes (a step, not a market move).")
    if drawn:
        since = ""
        if band_start is not None and band_start > spread["date"].min() + _BAND_FROM_SLACK:
            since = f", from {day(band_start)}"
        notes.append(f"Bands: {' and '.join(drawn)} percentiles of SOFR trades{since}.")
    if len(windows):
        notes.append("Shaded columns: month-ends, quarter-ends, tax dates.")
    return alt.layer(*layers).properties(title=alt.Title(
        f"SOFR against {reference}", subtitle=subtitle(*notes)))


def srf_chart(srf: pd.DataFrame, windows: pd.DataFrame) -> alt.TopLevelMixin:
    """Standing Repo Facility take-up per day as bars, USD billions, calendar windows shaded.

    ``srf`` columns: ``date``, ``accepted_bn``.
    """
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(windows):
        layers.append(_calendar_layer(windows))
    layers.append(alt.Chart(srf).mark_bar(color=PALETTE["red"]).encode(
        x=time_x("yearmonthdate(date)", dates=srf["date"]),
        y=alt.Y("accepted_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("accepted_bn:Q", title="SRF accepted, USD bn", format=",.2f")],
    ).add_params(zoom("srf_zoom")))
    return alt.layer(*layers).properties(height=150, title=alt.Title(
        "Standing Repo Facility take-up",
        subtitle=subtitle("USD billions accepted per day (small-value test operations",
                          "excluded).")))


#: Marker area (px^2) of an auction whose dealer share is not published.
_PLAIN_DOT = 50


def auctions_chart(auctions: pd.DataFrame) -> alt.TopLevelMixin:
    """Tenor-by-date view of the auction tail proxy, dealer share as size, weak auctions ringed.

    ``auctions`` columns: ``auction_date``, ``tenor`` (e.g. "10-Year"), ``tenor_rank`` (sort
    key, shortest first), ``tail_bp`` (high minus median yield, bp: a proxy, not the true tail),
    ``dealer_share`` (percent of competitive awards), ``weak`` (bool), ``persistent`` (bool:
    the tenor is repeatedly weak).

    Every auction is drawn: one without a dealer share as a plain dot, one without a tail proxy
    in grey; a legend appears only for what the data have (a scale without data would print
    "0.0000" and "10.000000" in the legend and drop the dots from the chart).
    """
    tenors = (auctions.drop_duplicates("tenor").sort_values("tenor_rank")["tenor"].tolist())
    y = alt.Y("tenor:N", sort=tenors, title=None)
    # Padding keeps the first and last dots (and their rings) inside the plot, clear of the
    # tenor labels.
    x = time_x("auction_date", dates=auctions["auction_date"], scale=alt.Scale(padding=14))
    base = alt.Chart(auctions).encode(x=x, y=y)
    tooltip = [alt.Tooltip("auction_date:T", title="Auction", format=DATE_FORMAT),
               alt.Tooltip("tenor:N", title="Tenor"),
               alt.Tooltip("tail_bp:Q", title="Tail proxy (bp)", format="+.1f"),
               alt.Tooltip("dealer_share:Q", title="Dealer share (%)", format=".1f"),
               alt.Tooltip("verdict:N", title="Reading")]
    color = alt.Color("tail_bp:Q", title="Tail proxy, bp",
                      scale=alt.Scale(scheme="orangered", domainMin=0),
                      legend=alt.Legend(orient="top", title="Tail proxy, bp", format=".0f",
                                        type="gradient", gradientLength=120,
                                        direction="horizontal"))
    size = alt.Size("dealer_share:Q", title="Dealer share, %",
                    scale=alt.Scale(range=[12, 200], zero=True),
                    # Below the plot: the two legends side by side overflow a phone.
                    legend=alt.Legend(orient="bottom", title="Dealer share, %", format=".0f",
                                      values=[10, 20, 30], symbolFillColor=PALETTE["muted"],
                                      symbolStrokeWidth=0))
    tail = auctions["tail_bp"].notna()
    share = auctions["dealer_share"].notna()
    # Where some auctions have a dealer share and others not, those without are squares, so a
    # plain dot is never read as a small share.
    squares = bool(share.any() and not share.all())
    dots: list[alt.Chart] = []
    kinds: list[tuple[pd.Series, str, dict[str, Any], bool]] = [
        (tail & share, "isValid(datum.tail_bp) && isValid(datum.dealer_share)",
         {"color": color, "size": size}, False),
        (tail & ~share, "isValid(datum.tail_bp) && !isValid(datum.dealer_share)",
         {"color": color, "size": alt.SizeValue(_PLAIN_DOT)}, squares),
        (~tail & share, "!isValid(datum.tail_bp) && isValid(datum.dealer_share)",
         {"color": alt.ColorValue(PALETTE["grey"]), "size": size}, False),
        (~tail & ~share, "!isValid(datum.tail_bp) && !isValid(datum.dealer_share)",
         {"color": alt.ColorValue(PALETTE["grey"]), "size": alt.SizeValue(_PLAIN_DOT)}, squares),
    ]
    for rows, keep, enc, square in kinds:
        if not rows.any():
            continue
        kept = base.transform_filter(keep)
        mark = (kept.mark_square(opacity=0.9, stroke="white", strokeWidth=0.5) if square
                else kept.mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5))
        dots.append(mark.encode(**enc, tooltip=tooltip))
    dots[0] = dots[0].add_params(zoom("auctions_zoom"))
    weak = base.transform_filter("datum.weak").mark_point(
        shape="circle", size=260, filled=False, strokeWidth=1.6, color=PALETTE["red"]).encode(
        tooltip=[alt.Tooltip("auction_date:T", title="Weak auction", format=DATE_FORMAT),
                 alt.Tooltip("tenor:N", title="Tenor"),
                 alt.Tooltip("verdict:N", title="Reading")])
    if not tail.any():
        colour_note = "Grey dots: no tail proxy published"
    elif tail.all():
        colour_note = "Colour: tail proxy (high minus median yield, bp)"
    else:
        colour_note = "Colour: tail proxy (high minus median yield, bp), grey where none"
    size_note = ("size: dealer share" + (" (squares: not published)" if squares else "")
                 if share.any() else "dealer share not published")
    height = max(140, 22 * len(tenors))
    return alt.layer(*dots, weak).properties(height=height, title=alt.Title(
        "Note and bond auctions by tenor",
        subtitle=subtitle(f"{colour_note};", f"{size_note}; red ring: auction judged weak.")))


def fails_chart(fails: pd.DataFrame, measure: str) -> alt.TopLevelMixin:
    """Weekly Treasury settlement fails, USD billions, with a four-week average.

    ``fails`` columns: ``date``, ``fails_bn``, ``avg4_bn``; ``measure`` names the series used
    (aggregate or the narrower per-tenor sum) and goes into the subtitle.
    """
    base = alt.Chart(break_gaps(fails, ["fails_bn", "avg4_bn"])).encode(
        x=time_x(dates=fails["date"]))
    bars = base.mark_bar(color=PALETTE["coupons"]).encode(
        y=alt.Y("fails_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                 alt.Tooltip("fails_bn:Q", title="Fails, USD bn", format=",.1f"),
                 alt.Tooltip("avg4_bn:Q", title="4-week average", format=",.1f")],
    ).add_params(zoom("fails_zoom"))
    avg = base.mark_line(color=PALETTE["primary"]).encode(y=alt.Y("avg4_bn:Q"))
    return alt.layer(bars, avg).properties(height=170, title=alt.Title(
        "Treasury settlement fails",
        subtitle=subtitle("Primary dealers, fails to deliver + receive, USD bn a week;",
                          f"{measure}; line: 4-week average.")))


def volatility_chart(vol: pd.DataFrame, vol_days: int) -> alt.TopLevelMixin:
    """Realised Treasury yield volatility, basis points.

    ``vol`` columns: ``date``, ``series`` (e.g. "10-year"), ``vol_bp``.
    """
    order = sorted(vol["series"].unique())
    lines = alt.Chart(break_gaps(vol, ["vol_bp"], by="series")).mark_line(
        strokeWidth=1.5).encode(
        x=time_x(dates=vol["date"]),
        y=alt.Y("vol_bp:Q", title="basis points"),
        color=alt.Color("series:N", sort=order),
    ).add_params(zoom("vol_zoom"))
    return alt.layer(lines, hover_readout(vol, "series", "vol_bp", "bp", ".1f", order)).properties(
        height=170, title=alt.Title(
            "Treasury volatility",
            subtitle=subtitle("Standard deviation of daily yield changes over",
                              f"{vol_days} observations, bp (the Treasury volatility signal).")))


def curve_chart(curve: pd.DataFrame) -> alt.TopLevelMixin:
    """Yield-curve spreads (10y-3m, 10y-2y), basis points; below zero = inverted.

    ``curve`` columns: ``date``, ``series``, ``spread_bp``.
    """
    order = [s for s in ["10y - 3m", "10y - 2y"] if s in set(curve["series"])]
    zero = zero_rule()
    lines = alt.Chart(break_gaps(curve, ["spread_bp"], by="series")).mark_line(
        strokeWidth=1.5).encode(
        x=time_x(dates=curve["date"]),
        y=alt.Y("spread_bp:Q", title="basis points"),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["primary"], PALETTE["secondary"]][: len(order)])),
    ).add_params(zoom("curve_zoom"))
    return alt.layer(zero, lines, hover_readout(curve, "series", "spread_bp", "bp", "+.0f", order)
                     ).properties(height=170, title=alt.Title(
                         "The yield curve",
                         subtitle=subtitle("Spreads in basis points; below zero = inverted",
                                           "(short rates above long rates).")))
