"""Building blocks shared by the chart functions: time axis, zoom, hover read-out, shading.

Interactivity is declared once here so that every time-series chart behaves the same in the
browser (drag to pan, wheel to zoom the time axis, a vertical read-out on hover); the static SVG
rendering ignores the parameters.
"""

from __future__ import annotations

from typing import Any, Literal

import altair as alt
import pandas as pd

from reportgen.charts.theme import PALETTE, WIDTH

DATE_FORMAT = "%d %b %Y"

# Layers named so exist only for the browser (hover read-outs); the static SVG drops them.
INTERACTIVE_ONLY = "interactive_only"


def time_x(field: str = "date", title: str | None = None, **kwargs: Any) -> alt.X:
    """The time axis: "Jul 2025" labels ("Jul 25" would read as a day), no title unless
    given (the dates speak for themselves)."""
    return alt.X(f"{field}:T", title=title,
                 axis=alt.Axis(format="%b %Y", labelOverlap=True, tickCount=8), **kwargs)


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


#: Approximate width of one character of a 9 px label, in pixels (Liberation Sans).
_CHAR_PX = 5.2
_LABEL_ROWS = 3


def layout_labels(events: pd.DataFrame, text: str, start: pd.Timestamp, end: pd.Timestamp,
                  width_px: int = WIDTH) -> pd.DataFrame:
    """Where each event's label goes on a chart whose time axis runs ``start``..``end`` over
    ``width_px``: left of its rule near the right edge (never clipped), right of it elsewhere,
    on the first of three lines where it overlaps no label already placed. Adds ``row`` and
    ``near_end``."""
    out = events.sort_values("date").reset_index(drop=True).copy()
    span = max((end - start).total_seconds(), 1.0)
    taken: list[list[tuple[float, float]]] = [[] for _ in range(_LABEL_ROWS)]
    rows: list[int] = []
    near: list[bool] = []
    for when, label in zip(pd.to_datetime(out["date"]), out[text].astype(str), strict=True):
        x = (when - start).total_seconds() / span * width_px
        w = len(label) * _CHAR_PX + 6
        right_edge = x + w > width_px
        lo, hi = (x - w, x) if right_edge else (x, x + w)
        row = next((r for r in range(_LABEL_ROWS)
                    if all(hi < a or lo > b for a, b in taken[r])), len(rows) % _LABEL_ROWS)
        taken[row].append((lo, hi))
        rows.append(row)
        near.append(right_edge)
    out["row"], out["near_end"] = rows, near
    return out


def event_labels(events: pd.DataFrame, text: str) -> list[alt.Chart]:
    """Short labels beside vertical event rules (FOMC decisions, Desk schedules), placed by
    :func:`layout_labels` (``row``, ``near_end``)."""
    base = alt.Chart(events).transform_calculate(label_y="2 + 12 * datum.row")

    def side(keep: str, align: Literal["left", "right"], dx: int) -> alt.Chart:
        return base.transform_filter(keep).mark_text(
            align=align, dx=dx, baseline="top", fontSize=9, color=PALETTE["ink"]).encode(
            x="date:T", y=alt.Y("label_y:Q", scale=None), text=f"{text}:N")

    return [side("!datum.near_end", "left", 3), side("datum.near_end", "right", -3)]
