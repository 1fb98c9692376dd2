"""The pipe's capacity: dealer balance sheets, repo segments, collateral (securities lending).

Each function takes ready frames (``reportgen.analysis.frames``) and returns an Altair chart:
amounts in USD billions, spreads in basis points, dates as ``Timestamp``. The building blocks
(time axis, zoom, hover read-out) and the colours come from :mod:`.base` and :mod:`.theme`, so
these charts behave and look like the others.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from reportgen.charts.base import (
    DATE_FORMAT,
    INTERACTIVE_ONLY,
    break_gaps,
    hover_readout,
    subtitle,
    time_x,
    zero_rule,
    zoom,
)
from reportgen.charts.theme import PALETTE

#: The dealer chart's series, legend order and colours: the total darkest, then its buckets.
DEALER_ORDER = ["Total", "Bills", "Coupons", "TIPS", "FRN"]
DEALER_COLORS = [PALETTE["ink"], PALETTE["bills"], PALETTE["secondary"], PALETTE["tertiary"],
                 PALETTE["quaternary"]]
DEALER_COLUMNS = {"total_bn": "Total", "bills_bn": "Bills", "coupons_bn": "Coupons",
                  "tips_bn": "TIPS", "frn_bn": "FRN"}


def dealer_long(positions: pd.DataFrame) -> pd.DataFrame:
    """The dealer frame as one row per week and series (``date``, ``series``, ``value_bn``,
    ``series_break``), missing values dropped."""
    long = positions.melt(id_vars=["date", "series_break"], value_vars=list(DEALER_COLUMNS),
                          var_name="column", value_name="value_bn")
    long["series"] = long["column"].map(DEALER_COLUMNS)
    return long.dropna(subset=["value_bn"])[["date", "series", "value_bn", "series_break"]]


def dealer_positions_chart(positions: pd.DataFrame, breaks: pd.DataFrame,
                           weak: pd.DataFrame) -> alt.TopLevelMixin:
    """Dealers' net Treasury positions per week (the total and its buckets), USD billions, with
    the NY Fed's series breaks and the weak auctions marked.

    Parameters
    ----------
    positions : columns ``date``, ``total_bn``, ``bills_bn``, ``coupons_bn``, ``tips_bn``,
        ``frn_bn``, ``series_break``.
    breaks : ``date``, ``label``: the first week of each later series break (dashed rules).
    weak : ``date``, ``tenor``, ``dealer_share``, ``verdict``: auctions judged weak (red rules).
    """
    long = dealer_long(positions)
    order = [s for s in DEALER_ORDER if s in set(long["series"])]
    colors = [DEALER_COLORS[DEALER_ORDER.index(s)] for s in order]
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(weak):
        layers.append(alt.Chart(weak).mark_rule(
            color=PALETTE["red"], strokeWidth=1, opacity=0.45).encode(
            x=alt.X("date:T"),
            tooltip=[alt.Tooltip("date:T", title="Weak auction", format=DATE_FORMAT),
                     alt.Tooltip("tenor:N", title="Tenor"),
                     alt.Tooltip("dealer_share:Q", title="Dealer share (%)", format=".1f"),
                     alt.Tooltip("verdict:N", title="Reading")]))
    if len(breaks):
        layers.append(alt.Chart(breaks).mark_rule(
            color=PALETTE["muted"], strokeDash=[4, 3], strokeWidth=1.2).encode(
            x=alt.X("date:T"), tooltip=[alt.Tooltip("date:T", title="Series break from",
                                             format=DATE_FORMAT),
                                 alt.Tooltip("label:N", title="Never compared across")]))
        layers.append(alt.Chart(breaks).mark_text(
            align="left", dx=3, baseline="top", fontSize=9, color=PALETTE["muted"]).encode(
            x=alt.X("date:T"), y=alt.YValue(2), text=alt.Text("label:N")))
    layers.append(zero_rule(0.6))
    layers.append(alt.Chart(break_gaps(long, ["value_bn"], by="series")).mark_line(
        interpolate="linear").encode(
        x=time_x(dates=long["date"]),
        y=alt.Y("value_bn:Q", title="USD billions, net long", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=colors)),
        strokeWidth=alt.StrokeWidthValue(
            1.2, condition=alt.ConditionalPredicateValueDefnumberExprRef(
                test="datum.series === 'Total'", value=2.4)),
    ).add_params(zoom("dealer_zoom")))
    layers.append(hover_readout(long, "series", "value_bn", "USD bn", ",.1f", order))
    notes = ["Primary dealers, USD bn, weekly (Wednesday)."]
    if len(breaks):
        notes.append("Dashed: a NY Fed series break, never compared across.")
    if len(weak):
        notes.append("Red: auctions judged weak.")
    return alt.layer(*layers).properties(height=200, title=alt.Title(
        "Dealers' net Treasury positions", subtitle=subtitle(*notes)))


def repo_segments_chart(segments: pd.DataFrame) -> alt.TopLevelMixin:
    """The DVP repo rate (and GCF, where stored) over the tri-party reference, basis points.

    ``segments`` columns: ``date``, ``dvp_bp``, ``gcf_bp`` (NaN where not stored),
    ``reference`` (which rate stands for tri-party that day), ``vintage``.
    """
    names = {"dvp_bp": "DVP", "gcf_bp": "GCF"}
    cols = [c for c in names if segments[c].notna().any()]
    long = segments.melt(id_vars=["date", "reference", "vintage"], value_vars=cols,
                         var_name="column", value_name="spread_bp").dropna(subset=["spread_bp"])
    long["series"] = long["column"].map(names)
    order = [names[c] for c in cols]
    refs = list(dict.fromkeys(segments["reference"].astype(str)))
    ref_text = " / ".join(refs)
    zero = zero_rule()
    lines = alt.Chart(break_gaps(long, ["spread_bp"], by="series")).mark_line(
        strokeWidth=1.4).encode(
        x=time_x(dates=long["date"]),
        y=alt.Y("spread_bp:Q", title=f"bp over {ref_text}"),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["primary"], PALETTE["secondary"]][: len(order)])),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("series:N", title="Segment"),
                 alt.Tooltip("spread_bp:Q", title="Over the reference (bp)", format="+.0f"),
                 alt.Tooltip("reference:N", title="Reference"),
                 alt.Tooltip("vintage:N", title="OFR vintage")],
    ).add_params(zoom("segments_zoom"))
    points = alt.Chart(long).mark_point(size=14, filled=True, opacity=0).encode(
        x=alt.X("date:T"), y=alt.Y("spread_bp:Q"),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("spread_bp:Q", title="Over the reference (bp)", format="+.0f")],
    ).properties(name=INTERACTIVE_ONLY)
    return alt.layer(zero, lines, points).properties(height=170, title=alt.Title(
        "Repo segments: dealer-intermediated repo over tri-party",
        subtitle=subtitle(f"OFR overnight DVP{' and GCF' if len(order) > 1 else ''} rate minus "
                          f"{ref_text}, bp; the higher, the dearer dealers' balance sheets.")))


def securities_lending_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """SOMA securities lending (bars, USD bn a day, left axis) against weekly Treasury fails
    (line, USD bn a week, right axis).

    ``frame`` columns: ``date``, ``lending_bn``, ``top_share_pct``, ``fails_bn`` (each NaN on
    the dates of the other).
    """
    lent = frame[frame["lending_bn"].notna()]
    weekly = break_gaps(frame.loc[frame["fails_bn"].notna(), ["date", "fails_bn"]], ["fails_bn"])
    lending = alt.Chart(lent).mark_bar(color=PALETTE["primary"], opacity=0.8).encode(
        x=time_x("yearmonthdate(date)", dates=frame["date"]),
        y=alt.Y("lending_bn:Q", axis=alt.Axis(title="Lent, USD bn a day", format=",.0f",
                                               titleColor=PALETTE["primary"])),
        tooltip=[alt.Tooltip("date:T", title="Operation", format=DATE_FORMAT),
                 alt.Tooltip("lending_bn:Q", title="Lent, USD bn", format=",.2f"),
                 alt.Tooltip("top_share_pct:Q", title="Most-lent issues, %", format=".0f")],
    ).add_params(zoom("lending_zoom"))
    layers: list[alt.Chart] = [lending]
    if len(weekly):
        layers.append(alt.Chart(weekly).mark_line(
            color=PALETTE["red"], strokeWidth=1.6, interpolate="linear").encode(
            x="yearmonthdate(date):T",
            y=alt.Y("fails_bn:Q", axis=alt.Axis(title="Fails, USD bn a week", orient="right",
                                                 titleColor=PALETTE["red"], format=",.0f")),
            tooltip=[alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                     alt.Tooltip("fails_bn:Q", title="Fails, USD bn", format=",.1f")]))
    return alt.layer(*layers).resolve_scale(y="independent").properties(
        height=170, title=alt.Title(
            "Collateral: SOMA securities lending against fails",
            subtitle=subtitle("Treasuries the Fed lent from its portfolio, USD bn a day (bars, "
                              "left)" + ("; dealers' settlement fails, USD bn a week (red, "
                                         "right)." if len(weekly) else "; no fails stored."))))
