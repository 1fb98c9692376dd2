"""Balance-sheet charts ("the reservoir"): holdings by type, reserves and buffers, stock vs flow.

Each function takes ready frames (USD billions, dates as ``Timestamp``) and returns an Altair
chart; nothing here reads the dataset or decides what the data means.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from reportgen.charts.base import DATE_FORMAT, hover_readout, shaded_periods, time_x, zoom
from reportgen.charts.theme import PALETTE, PHASE_COLORS

HOLDINGS_ORDER = ["Bills", "Notes, bonds and other coupons", "MBS"]
HOLDINGS_COLORS = [PALETTE["bills"], PALETTE["coupons"], PALETTE["mbs"]]


def holdings_chart(holdings: pd.DataFrame, phases: pd.DataFrame,
                   decisions: pd.DataFrame) -> alt.TopLevelMixin:
    """Stacked SOMA holdings by type, the observed phases shaded behind, FOMC decisions marked.

    Parameters
    ----------
    holdings : columns ``date``, ``component`` (one of ``HOLDINGS_ORDER``), ``value_bn``.
    phases : columns ``start``, ``end``, ``phase`` (0-3), ``label``; may be empty.
    decisions : columns ``date``, ``label``, ``short``, ``row``; may be empty.
    """
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(phases):
        present = sorted(phases["phase"].unique())
        labels = (phases.drop_duplicates("phase").set_index("phase")["label"].to_dict())
        layers.append(shaded_periods(
            phases.assign(phase_label=phases["phase"].map(labels)),
            color_field="phase_label", opacity=0.9,
            scale=alt.Scale(domain=[labels[p] for p in present],
                            range=[PHASE_COLORS.get(int(p), "#eeeeee") for p in present]),
            legend=alt.Legend(title=None, orient="bottom", symbolType="square"),
            tooltip=[alt.Tooltip("phase_label:N", title="Observed phase"),
                     alt.Tooltip("start:T", title="From", format=DATE_FORMAT),
                     alt.Tooltip("end:T", title="To", format=DATE_FORMAT)],
        ))
    area = alt.Chart(holdings).mark_area(opacity=0.95, interpolate="step-after").encode(
        x=time_x(),
        y=alt.Y("value_bn:Q", stack="zero", title="USD billions",
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("component:N", sort=HOLDINGS_ORDER,
                        scale=alt.Scale(domain=HOLDINGS_ORDER, range=HOLDINGS_COLORS),
                        legend=alt.Legend(title=None, orient="top")),
        order=alt.Order("component_order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("date:T", title="Week", format=DATE_FORMAT),
                 alt.Tooltip("component:N", title="Holding"),
                 alt.Tooltip("value_bn:Q", title="USD bn", format=",.0f")],
    ).transform_calculate(
        component_order=f"indexof({HOLDINGS_ORDER!r}, datum.component)"
    ).add_params(zoom("holdings_zoom"))
    layers.append(area)
    if len(decisions):
        rules = alt.Chart(decisions).mark_rule(
            color=PALETTE["ink"], strokeDash=[3, 3], strokeWidth=1).encode(
            x="date:T",
            tooltip=[alt.Tooltip("date:T", title="FOMC", format=DATE_FORMAT),
                     alt.Tooltip("label:N", title="Decision")],
        )
        marks = alt.Chart(decisions).transform_calculate(
            label_y="2 + 12 * datum.row").mark_text(
            align="left", baseline="top", dx=3, fontSize=9, color=PALETTE["ink"]).encode(
            x="date:T", y=alt.Y("label_y:Q", scale=None), text="short:N")
        layers += [rules, marks]
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        title=alt.Title("Fed holdings by type",
                        subtitle=["USD billions, weekly. Shading: observed phase;",
                                  "dashed lines: FOMC balance-sheet decisions"]))


def reservoir_levels_chart(levels: pd.DataFrame) -> alt.TopLevelMixin:
    """Reserves and net liquidity (Fed assets - TGA - ON RRP), USD billions, weekly.

    ``levels`` columns: ``date``, ``series``, ``value_bn``.
    """
    order = [s for s in ["Net liquidity", "Reserves"] if s in set(levels["series"])]
    lines = alt.Chart(levels).mark_line(interpolate="linear").encode(
        x=time_x(),
        y=alt.Y("value_bn:Q", title="USD billions", scale=alt.Scale(zero=False),
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["primary"], PALETTE["secondary"]][: len(order)])),
    ).add_params(zoom("levels_zoom"))
    return alt.layer(lines, hover_readout(levels, "series", "value_bn", "USD bn", ",.0f", order)
                     ).properties(title=alt.Title(
                         "Reserves and net liquidity",
                         subtitle=["USD billions, weekly;",
                                   "net liquidity = Fed total assets - TGA - ON RRP"]))


def reservoir_buffers_chart(buffers: pd.DataFrame) -> alt.TopLevelMixin:
    """The Treasury General Account and ON RRP usage, USD billions.

    ``buffers`` columns: ``date``, ``series``, ``value_bn`` (TGA weekly, ON RRP daily).
    """
    order = [s for s in ["TGA", "ON RRP"] if s in set(buffers["series"])]
    lines = alt.Chart(buffers).mark_line(interpolate="linear", strokeWidth=1.5).encode(
        x=time_x(),
        y=alt.Y("value_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["tertiary"], PALETTE["quaternary"]][: len(order)])),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value_bn:Q", title="USD bn", format=",.0f")],
    ).add_params(zoom("buffers_zoom"))
    return lines.properties(title=alt.Title(
        "The buffers: Treasury cash and ON RRP",
        subtitle=["USD billions; a rising TGA or ON RRP drains reserves,",
                  "a falling one adds them"]))


def stock_flow_chart(frame: pd.DataFrame, composite_label: str) -> alt.TopLevelMixin:
    """Reserves (the stock, left axis) against the plumbing composite (the flow, right axis).

    ``frame`` columns: ``date``, ``reserves_bn`` (weekly), ``composite`` (stress score; higher =
    more stress), either may be NaN where that measure is missing.
    """
    base = alt.Chart(frame).encode(x=time_x())
    reserves = base.transform_filter("isValid(datum.reserves_bn)").mark_line(
        color=PALETTE["primary"], interpolate="linear").encode(
        y=alt.Y("reserves_bn:Q", scale=alt.Scale(zero=False),
                axis=alt.Axis(title="Reserves, USD billions", format=",.0f",
                              titleColor=PALETTE["primary"])),
        tooltip=[alt.Tooltip("date:T", title="Week", format=DATE_FORMAT),
                 alt.Tooltip("reserves_bn:Q", title="Reserves, USD bn", format=",.0f")],
    ).add_params(zoom("stockflow_zoom"))
    composite = base.transform_filter("isValid(datum.composite)").mark_line(
        color=PALETTE["red"], strokeWidth=1.5, interpolate="linear").encode(
        y=alt.Y("composite:Q", axis=alt.Axis(title=composite_label, orient="right",
                                             titleColor=PALETTE["red"])),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("composite:Q", title=composite_label, format=".2f")],
    )
    return alt.layer(reserves, composite).resolve_scale(y="independent").properties(
        title=alt.Title("Reservoir vs pipe",
                        subtitle=["Reserves, USD bn (blue, left axis) against",
                                  f"{composite_label.lower()} (red, right axis)"]))
