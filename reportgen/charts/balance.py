"""Balance-sheet charts ("the reservoir"): holdings by type, reserves and buffers, stock vs flow.

Each function takes ready frames (USD billions, dates as ``Timestamp``) and returns an Altair
chart; nothing here reads the dataset or decides what the data means.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from reportgen.charts.base import (
    DATE_FORMAT,
    NARROW_BELOW,
    alone,
    break_gaps,
    event_labels,
    hover_readout,
    shaded_periods,
    subtitle,
    time_x,
    zoom,
)
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
    decisions : columns ``date``, ``label``, ``short``; may be empty.
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
            legend=alt.Legend(title=None, orient="bottom", symbolType="square",
                              columns=alt.ExprRef(expr=f"width < {NARROW_BELOW} ? 1 : 0")),
            tooltip=[alt.Tooltip("phase_label:N", title="Observed phase"),
                     alt.Tooltip("start:T", title="From", format=DATE_FORMAT),
                     alt.Tooltip("end:T", title="To", format=DATE_FORMAT)],
        ))
    drawn = break_gaps(holdings, ["value_bn"], by="component")
    area = alt.Chart(drawn).mark_area(opacity=0.95, interpolate="step-after").encode(
        x=time_x(dates=holdings["date"]),
        y=alt.Y("value_bn:Q", stack="zero", title="USD billions",
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("component:N", sort=HOLDINGS_ORDER,
                        scale=alt.Scale(domain=HOLDINGS_ORDER, range=HOLDINGS_COLORS),
                        legend=alt.Legend(title=None, orient="top", symbolType="square")),
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
            x=alt.X("date:T"),
            tooltip=[alt.Tooltip("date:T", title="FOMC", format=DATE_FORMAT),
                     alt.Tooltip("label:N", title="Decision")],
        )
        span = pd.to_datetime(holdings["date"])
        layers += [rules, *event_labels(decisions, "short", span.min(), span.max())]
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        title=alt.Title("Fed holdings by type",
                        subtitle=subtitle("USD billions, weekly. Shading: observed phase;",
                                          "dashed lines: FOMC balance-sheet decisions.")))


def reservoir_levels_chart(levels: pd.DataFrame) -> alt.TopLevelMixin:
    """Reserves and net liquidity (Fed assets - TGA - ON RRP), USD billions, weekly.

    ``levels`` columns: ``date``, ``series``, ``value_bn``.
    """
    order = [s for s in ["Net liquidity", "Reserves"] if s in set(levels["series"])]
    lines = alt.Chart(break_gaps(levels, ["value_bn"], by="series")).mark_line(
        interpolate="linear").encode(
        x=time_x(dates=levels["date"]),
        y=alt.Y("value_bn:Q", title="USD billions", scale=alt.Scale(zero=False),
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["primary"], PALETTE["secondary"]][: len(order)])),
    ).add_params(zoom("levels_zoom"))
    return alt.layer(lines, hover_readout(levels, "series", "value_bn", "USD bn", ",.0f", order)
                     ).properties(title=alt.Title(
                         "Reserves and net liquidity",
                         subtitle=subtitle("USD billions, weekly; net liquidity = Fed total",
                                           "assets - TGA - ON RRP.")))


def reservoir_buffers_chart(buffers: pd.DataFrame) -> alt.TopLevelMixin:
    """The Treasury General Account and ON RRP usage, USD billions.

    ``buffers`` columns: ``date``, ``series``, ``value_bn`` (TGA weekly, ON RRP daily).
    """
    order = [s for s in ["TGA", "ON RRP"] if s in set(buffers["series"])]
    lines = alt.Chart(break_gaps(buffers, ["value_bn"], by="series")).mark_line(
        interpolate="linear", strokeWidth=1.5).encode(
        x=time_x(dates=buffers["date"]),
        y=alt.Y("value_bn:Q", title="USD billions", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PALETTE["tertiary"], PALETTE["quaternary"]][: len(order)])),
        tooltip=[alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value_bn:Q", title="USD bn", format=",.0f")],
    ).add_params(zoom("buffers_zoom"))
    return lines.properties(title=alt.Title(
        "The buffers: Treasury cash and ON RRP",
        subtitle=subtitle("USD billions; a rising TGA or ON RRP drains reserves,",
                          "a falling one adds them.")))


def _measure_rows(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """The rows of one measure from its first to its last value, missing weeks kept (and gaps
    in the dates filled) so that its line breaks where it has no data."""
    valid = frame.loc[frame[value].notna(), "date"]
    if not len(valid):
        return frame.loc[[], ["date", value]]
    rows = frame.loc[frame["date"].between(valid.min(), valid.max()), ["date", value]]
    return break_gaps(rows, [value])


def stock_flow_chart(frame: pd.DataFrame, composite_label: str) -> alt.TopLevelMixin:
    """Reserves (the stock, left axis) against the plumbing composite (the flow, right axis).

    ``frame`` columns: ``date``, ``reserves_bn`` (weekly), ``composite`` (stress score; higher =
    more stress), either may be NaN where that measure is missing. Each line breaks where its
    measure is missing; a week with no neighbour to join is drawn as a dot.
    """
    x = time_x(dates=frame["date"])
    reserves = alt.Chart(_measure_rows(frame, "reserves_bn")).mark_line(
        color=PALETTE["primary"], interpolate="linear").encode(
        x=x,
        y=alt.Y("reserves_bn:Q", scale=alt.Scale(zero=False),
                axis=alt.Axis(title="Reserves, USD billions", format=",.0f",
                              titleColor=PALETTE["primary"])),
        tooltip=[alt.Tooltip("date:T", title="Week", format=DATE_FORMAT),
                 alt.Tooltip("reserves_bn:Q", title="Reserves, USD bn", format=",.0f")],
    ).add_params(zoom("stockflow_zoom"))
    comp_rows = _measure_rows(frame, "composite")
    # The axis takes the index's name only (the long label runs past the plot's height and
    # off the page); the subtitle and the tooltip give it in full.
    axis_title = composite_label.split(",")[0]
    comp_y = alt.Y("composite:Q", axis=alt.Axis(title=axis_title, orient="right",
                                                titleColor=PALETTE["red"]))
    comp_tooltip = [alt.Tooltip("date:T", title="Week", format=DATE_FORMAT),
                    alt.Tooltip("composite:Q", title=composite_label, format=".1f")]
    composite = alt.Chart(comp_rows).mark_line(
        color=PALETTE["red"], strokeWidth=1.5, interpolate="linear").encode(
        x=x, y=comp_y, tooltip=comp_tooltip)
    lone = alt.Chart(comp_rows[alone(comp_rows, "composite")]).mark_circle(
        color=PALETTE["red"], size=22, opacity=1).encode(x=x, y=comp_y, tooltip=comp_tooltip)
    right = alt.layer(composite, lone)
    return alt.layer(reserves, right).resolve_scale(y="independent").properties(
        title=alt.Title("Reservoir vs pipe",
                        subtitle=subtitle("Blue, left axis: reserves, USD billions.",
                                          f"Red, right axis: {composite_label.lower()}.",
                                          "Lines break where a measure has no data.")))


PACE_ORDER = ["Purchases, read per Desk month", "Announced by the Desk", "Purchases, 4-week rate",
              "MBS principal reinvested"]
PACE_COLORS = [PALETTE["primary"], PALETTE["secondary"], PALETTE["grey"], PALETTE["mbs"]]
PACE_DASHES = [[1, 0], [5, 3], [1, 0], [1, 0]]
PACE_WIDTHS = [2.5, 2.0, 1.0, 1.5]


def pace_chart(pace: pd.DataFrame, steps: pd.DataFrame) -> alt.TopLevelMixin:
    """The reserve-management purchase pace against the Desk's announced pace, $bn a month,
    weekly, with the steps marked at the schedule dates that began them.

    ``pace`` columns: ``date``, ``series`` (one of ``PACE_ORDER``), ``bn_month``; ``steps``:
    ``date``, ``label``. The paces change once per Desk-schedule month,
    so they are drawn as steps (``step-after``), not smoothed.
    """
    order = [s for s in PACE_ORDER if s in set(pace["series"])]
    idx = [PACE_ORDER.index(s) for s in order]
    lines = alt.Chart(break_gaps(pace, ["bn_month"], by="series")).mark_line(
        interpolate="step-after").encode(
        x=time_x(dates=pace["date"]),
        y=alt.Y("bn_month:Q", title="USD billions a month", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PACE_COLORS[i] for i in idx]),
            legend=alt.Legend(title=None, orient="top", columns=2, columnPadding=18,
                              labelLimit=260)),
        strokeDash=alt.StrokeDash("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PACE_DASHES[i] for i in idx]), legend=None),
        strokeWidth=alt.StrokeWidth("series:N", sort=order, scale=alt.Scale(
            domain=order, range=[PACE_WIDTHS[i] for i in idx]), legend=None),
        tooltip=[alt.Tooltip("date:T", title="Week", format=DATE_FORMAT),
                 alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("bn_month:Q", title="USD bn a month", format=",.1f")],
    ).add_params(zoom("pace_zoom"))
    layers: list[alt.Chart] = [lines]
    if len(steps):
        layers.append(alt.Chart(steps).mark_rule(
            color=PALETTE["ink"], strokeDash=[2, 2], strokeWidth=1).encode(
            x=alt.X("date:T"),
            tooltip=[alt.Tooltip("date:T", title="Desk schedule", format=DATE_FORMAT),
                     alt.Tooltip("label:N", title="Step")]))
        span = pd.to_datetime(pace["date"])
        layers += event_labels(steps, "label", span.min(), span.max())
    return alt.layer(*layers).properties(title=alt.Title(
        "The purchase pace",
        subtitle=subtitle("USD billions a month, weekly; bill growth = MBS reinvestment +",
                          "purchases. Dashed lines: the Desk schedules where the pace",
                          "changed.")))
