"""Building blocks shared by the chart functions: time axis, zoom, hover read-out, shading.

Interactivity is declared once here so that every time-series chart behaves the same in the
browser (drag to pan, wheel to zoom the time axis, a vertical read-out on hover); the static SVG
rendering ignores the parameters.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from reportgen.charts.theme import PALETTE

DATE_FORMAT = "%d %b %Y"

# Layers named so exist only for the browser (hover read-outs); the static SVG drops them.
INTERACTIVE_ONLY = "interactive_only"


def time_x(field: str = "date", title: str | None = None, **kwargs: Any) -> alt.X:
    """The time axis: month-year labels, no title unless given (the dates speak for themselves)."""
    return alt.X(f"{field}:T", title=title,
                 axis=alt.Axis(format="%b %y", labelOverlap=True, tickCount=8), **kwargs)


def zoom(name: str = "zoom") -> alt.Parameter:
    """Pan and zoom on the time axis only (the y axis keeps its full range)."""
    return alt.selection_interval(bind="scales", encodings=["x"], name=name)


def hover_readout(long: pd.DataFrame, series_field: str, value_field: str, value_title: str,
                  fmt: str, order: list[str] | None = None) -> alt.Chart:
    """A vertical rule that follows the pointer and shows every series' value on that date.

    ``long`` has columns ``date``, ``series_field``, ``value_field``; the tooltip pivots the
    series into one row per date so one hover shows them all.
    """
    names = order or sorted(long[series_field].dropna().unique())
    nearest = alt.selection_point(nearest=True, on="pointerover", fields=["date"], empty=False,
                                  clear="pointerout")
    tooltip = [alt.Tooltip("date:T", title="Date", format=DATE_FORMAT)] + [
        alt.Tooltip(f"{name}:Q", title=name, format=fmt) for name in names
    ]
    base = alt.Chart(long).transform_pivot(series_field, value=value_field, groupby=["date"])
    rule = base.mark_rule(color=PALETTE["muted"], strokeWidth=1).encode(
        x="date:T",
        opacity=alt.condition(nearest, alt.value(0.6), alt.value(0)),
        tooltip=tooltip,
    ).add_params(nearest).properties(name=INTERACTIVE_ONLY)
    return rule


def shaded_periods(periods: pd.DataFrame, color_field: str | None = None,
                   color: str = PALETTE["calendar"], opacity: float = 0.7,
                   tooltip: list[alt.Tooltip] | None = None,
                   scale: alt.Scale | None = None, legend: alt.Legend | None = None) -> alt.Chart:
    """Vertical bands from ``start`` to ``end`` (background shading: phases, calendar windows)."""
    enc: dict[str, Any] = {"x": alt.X("start:T"), "x2": "end:T"}
    if color_field is not None:
        enc["color"] = alt.Color(f"{color_field}:N", scale=scale or alt.Undefined,
                                 legend=legend if legend is not None else alt.Undefined)
    if tooltip:
        enc["tooltip"] = tooltip
    mark = alt.Chart(periods).mark_rect(opacity=opacity)
    if color_field is None:
        mark = alt.Chart(periods).mark_rect(opacity=opacity, color=color)
    return mark.encode(**enc)


_SPECS: dict[int, tuple[Any, dict[str, Any]]] = {}


def chart_spec(chart: Any) -> dict[str, Any]:
    """``chart.to_dict()`` (unvalidated), computed once per chart object.

    The HTML (twice: week folder and site root) and the PDF all need the spec; serialising
    the charts costs about 0.25 s a pass. The chart object is kept with its spec so that its
    ``id`` cannot be reused while the entry exists. Treat the result as read-only.
    """
    key = id(chart)
    hit = _SPECS.get(key)
    if hit is not None and hit[0] is chart:
        return hit[1]
    spec: dict[str, Any] = chart.to_dict(validate=False)
    if len(_SPECS) > 64:
        _SPECS.clear()
    _SPECS[key] = (chart, spec)
    return spec


def static_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` for a static rendering: interactive-only layers and selection params removed.

    Hover read-outs draw one invisible mark per date: harmless in a browser, but thousands of
    extra SVG elements for the PDF renderer.
    """
    out = {k: v for k, v in spec.items() if k != "params"}
    if "layer" in out:
        out["layer"] = [static_spec(layer) for layer in out["layer"]
                        if layer.get("name") != INTERACTIVE_ONLY]
    return out
