"""Building blocks shared by the chart functions: time axis, zoom, hover read-out, shading,
gaps in lines, event labels.

Interactivity is declared once here so that every time-series chart behaves the same in the
browser (drag to pan, wheel to zoom the time axis, a vertical read-out on hover); the static SVG
rendering ignores the parameters.

Encodings are always channel objects (``alt.X("date:T")``, ``alt.SizeValue(50)``), never
shorthand strings or ``alt.value``/``alt.condition`` dicts: Altair turns each of those into a
channel by hashing its whole schema (about 570 classes, 1.5 ms a channel), which was a fifth
of drawing the week's charts.
"""

from __future__ import annotations

import textwrap
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd

from reportgen.charts.theme import PALETTE, WIDTH

DATE_FORMAT = "%d %b %Y"

# Layers named so (or with this prefix: Vega needs each name once) exist only for the browser
# (hover read-outs, the phone's event labels); the static SVG drops them.
INTERACTIVE_ONLY = "interactive_only"


def _browser_only(name: object) -> bool:
    return isinstance(name, str) and name.startswith(INTERACTIVE_ONLY)

# A tick on the first of a month reads "Jul 2025"; a tick inside a month (a span of a few
# weeks, or the browser zoomed in) reads "14 Jul", so no label is ever repeated.
TIME_LABEL_EXPR = ("date(datum.value) === 1 ? timeFormat(datum.value, '%b %Y') "
                   ": timeFormat(datum.value, '%-d %b')")
# Spans shorter than this get one tick per month (Vega would otherwise tick weekly).
_MONTHLY_TICKS_BELOW = pd.Timedelta(days=250)


def time_x(field: str = "date", title: str | None = None, dates: Any = None,
           **kwargs: Any) -> alt.X:
    """The time axis: "Jul 2025" labels ("Jul 25" would read as a day), no title unless
    given (the dates speak for themselves).

    ``dates`` (the values drawn, optional) lets a chart of a few months tick once a month
    ("Oct 2025", "Nov 2025") instead of weekly.
    """
    ticks: Any = 8
    if dates is not None and len(dates):
        span = pd.to_datetime(pd.Series(dates)).agg(["min", "max"])
        if pd.Timedelta(days=45) < span["max"] - span["min"] < _MONTHLY_TICKS_BELOW:
            ticks = alt.TimeIntervalStep(interval="month", step=1)
    return alt.X(f"{field}:T", title=title,
                 axis=alt.Axis(labelExpr=TIME_LABEL_EXPR, labelOverlap=True, tickCount=ticks),
                 **kwargs)


#: The longest subtitle line, in characters: at 11 px it fits a chart on a 390 px phone.
SUBTITLE_CHARS = 58


def subtitle(*sentences: str) -> list[str]:
    """A chart's subtitle as lines short enough for a phone (Vega does not wrap text): the
    ``sentences`` joined and wrapped at :data:`SUBTITLE_CHARS` characters."""
    return textwrap.wrap(" ".join(s.strip() for s in sentences if s.strip()), SUBTITLE_CHARS,
                         break_on_hyphens=False)


def zoom(name: str = "zoom") -> alt.Parameter:
    """Pan and zoom on the time axis only (the y axis keeps its full range)."""
    return alt.selection_interval(bind="scales", encodings=["x"], name=name)


_GAP_SLACK = pd.Timedelta(days=4)


def break_gaps(frame: pd.DataFrame, values: list[str], by: str | None = None,
               date: str = "date", factor: float = 2.5,
               slack: pd.Timedelta = _GAP_SLACK) -> pd.DataFrame:
    """``frame`` with an empty row (``values`` missing) inside every gap in its dates, so that a
    line or area drawn from it breaks there instead of bridging the gap with a straight segment.

    A gap is a step between consecutive dates (per ``by`` group) longer than both ``factor``
    times the series' usual (median) step and the usual step plus ``slack``: a daily series
    breaks after more than 5 days without data (a long weekend does not break it), a weekly
    one after a missing fortnight. Missing values already in the frame break the line anyway
    (the theme draws lines and areas with ``invalid: break-paths``).
    """
    if not len(frame):
        return frame
    groups = [g for _, g in frame.groupby(by, sort=False)] if by else [frame]
    out = []
    for group in groups:
        group = group.sort_values(date)
        when = pd.to_datetime(group[date])
        steps = when.diff().dropna()
        steps = steps[steps > pd.Timedelta(0)]
        if len(steps):
            usual = steps.median()
            limit = max(usual * factor, usual + slack)
            gap_ends = when[when.diff() > limit]
            if len(gap_ends):
                before = when.shift(1)[gap_ends.index]
                fill = group.loc[gap_ends.index].copy()
                fill[date] = (before + (gap_ends - before) / 2).to_numpy()
                fill[values] = np.nan
                group = pd.concat([group, fill]).sort_values(date, kind="stable")
        out.append(group)
    return pd.concat(out, ignore_index=True)


def alone(frame: pd.DataFrame, value: str, date: str = "date") -> pd.Series:
    """True where ``value`` is present but missing on both neighbouring dates: a point a broken
    line cannot show (a segment needs two), so the chart draws it as a dot."""
    ordered = frame.sort_values(date)
    present = ordered[value].notna()
    neighbours = present.shift(1, fill_value=False) | present.shift(-1, fill_value=False)
    return (present & ~neighbours).reindex(frame.index)


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
        x=alt.X("date:T"),
        opacity=alt.OpacityValue(0, condition=alt.ConditionalParameterValueDefnumberExprRef(
            param=nearest.name, value=0.6, empty=False)),
        tooltip=tooltip,
    ).add_params(nearest).properties(name=INTERACTIVE_ONLY)
    return rule


def zero_rule(width: float = 0.8) -> alt.Chart:
    """A horizontal rule at zero (spreads, net positions)."""
    return alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
        color=PALETTE["ink"], strokeWidth=width).encode(y=alt.Y("zero:Q"))


def shaded_periods(periods: pd.DataFrame, color_field: str | None = None,
                   color: str = PALETTE["calendar"], opacity: float = 0.7,
                   tooltip: list[alt.Tooltip] | None = None,
                   scale: alt.Scale | None = None, legend: alt.Legend | None = None) -> alt.Chart:
    """Vertical bands from ``start`` to ``end`` (background shading: phases, calendar windows)."""
    enc: dict[str, Any] = {"x": alt.X("start:T"), "x2": alt.X2("end:T")}
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
                        if not _browser_only(layer.get("name"))]
    return out


#: Approximate width of one character of a 9 px label, in pixels (Liberation Sans).
_CHAR_PX = 5.2
_LABEL_ROWS = 3
#: The plot width on a phone (390 px screen less the page margins and the y axis), and the
#: chart width below which the browser shows the labels laid out for it.
NARROW_WIDTH = 290
NARROW_BELOW = 480


def _label_fits(lo: float, hi: float, width_px: float, placed: list[tuple[float, float]],
                rules: list[float]) -> bool:
    """A label spanning ``lo``..``hi`` px stays in the plot, clear of ``placed`` labels and of
    the other events' ``rules``."""
    return (lo >= 0 and hi <= width_px and all(hi < a or lo > b for a, b in placed)
            and not any(lo - 2 < r < hi + 2 for r in rules))


def layout_labels(events: pd.DataFrame, text: str, start: pd.Timestamp, end: pd.Timestamp,
                  width_px: int = WIDTH) -> pd.DataFrame:
    """Where each event's label goes on a chart whose time axis runs ``start``..``end`` over
    ``width_px``: on the first of three lines, right of its rule or else left of it, where it
    stays inside the plot, overlaps no label already placed and crosses no other event's rule;
    failing that, anywhere inside the plot clear of other labels. Adds ``row`` and
    ``left_side`` (the label ends at its rule)."""
    out = events.sort_values("date").reset_index(drop=True).copy()
    span = max((end - start).total_seconds(), 1.0)
    xs = [(when - start).total_seconds() / span * width_px
          for when in pd.to_datetime(out["date"])]
    taken: list[list[tuple[float, float]]] = [[] for _ in range(_LABEL_ROWS)]
    rows: list[int] = []
    left: list[bool] = []
    for i, (x, label) in enumerate(zip(xs, out[text].astype(str), strict=True)):
        w = len(label) * _CHAR_PX + 6
        rules = [o for j, o in enumerate(xs) if j != i and abs(o - x) > 1]
        sides = [(False, (x, x + w)), (True, (x - w, x))]
        choice = next(((r, flip) for strict in (True, False) for r in range(_LABEL_ROWS)
                       for flip, (lo, hi) in sides
                       if _label_fits(lo, hi, width_px, taken[r], rules if strict else [])),
                      None)
        if choice is None:  # no room anywhere: keep it inside the plot, on the next line
            choice = (len(rows) % _LABEL_ROWS, x + w > width_px)
        row, flip = choice
        taken[row].append((x - w, x) if flip else (x, x + w))
        rows.append(row)
        left.append(flip)
    out["row"], out["left_side"] = rows, left
    return out


def _label_layers(placed: pd.DataFrame, text: str, show: str) -> list[alt.Chart]:
    base = alt.Chart(placed).transform_calculate(label_y="2 + 12 * datum.row")

    def side(keep: str, align: Literal["left", "right"], dx: int) -> alt.Chart:
        return base.transform_filter(keep).mark_text(
            align=align, dx=dx, baseline="top", fontSize=9, color=PALETTE["ink"],
            opacity=alt.ExprRef(expr=show)).encode(
            x=alt.X("date:T"), y=alt.Y("label_y:Q", scale=None), text=alt.Text(f"{text}:N"))

    return [side("!datum.left_side", "left", 3), side("datum.left_side", "right", -3)]


def event_labels(events: pd.DataFrame, text: str, start: pd.Timestamp,
                 end: pd.Timestamp) -> list[alt.Chart]:
    """Short labels beside vertical event rules (FOMC decisions, Desk schedules) on a time
    axis from ``start`` to ``end``, placed by :func:`layout_labels` so that none is clipped or
    overlaps another: once for the printed width, and once for a phone, which the browser
    shows instead when the chart is drawn narrower than ``NARROW_BELOW`` pixels (the static
    rendering drops that second set)."""
    wide = _label_layers(layout_labels(events, text, start, end, WIDTH), text,
                         f"width >= {NARROW_BELOW} ? 1 : 0")
    narrow = _label_layers(layout_labels(events, text, start, end, NARROW_WIDTH), text,
                           f"width < {NARROW_BELOW} ? 1 : 0")
    return [*wide, *(layer.properties(name=f"{INTERACTIVE_ONLY}_{text}_{side}")
                     for layer, side in zip(narrow, ("right", "left"), strict=True))]
