"""The print edition: the same briefing as a PDF through WeasyPrint, charts as static SVG.

Chart rendering (Vega-Lite to SVG through vl-convert) is the slow part of a build, so the SVGs
are rendered in a worker process (vl-convert holds the GIL, so a thread would only take turns
with the build), started and warmed up before the data loads, and cached in memory by the hash
of their spec: a second rendering of the same chart in the same process (a rebuilt week, the
tests) costs nothing. Each SVG goes into the page as a ``data:`` image so that the element
ids inside one chart cannot clash with those of another.

Example
-------
>>> pdf_bytes = render_briefing_pdf(context, charts)
"""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from reportgen.charts.base import chart_spec, static_spec
from reportgen.errors import RenderError
from reportgen.render import svg_worker
from reportgen.render.html import render, templates_dir

PRINT_CSS = "print.css"
# One process: the SVGs render on the second core while the main one builds the briefing.
WORKERS = 1
_CACHE_SIZE = 64
_cache: OrderedDict[str, Future[str]] = OrderedDict()
_lock = threading.Lock()
_pool: Executor | None = None


def _spec_key(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _executor() -> Executor:
    """One worker process for the SVGs (threads where processes cannot be started)."""
    global _pool
    if _pool is None:
        try:
            _pool = ProcessPoolExecutor(max_workers=WORKERS,
                                        mp_context=multiprocessing.get_context("spawn"))
        except (OSError, NotImplementedError):
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="reportgen-svg")
    return _pool


def _submit(charts: Mapping[str, Any]) -> dict[str, Future[str]]:
    """Start (or find) the SVG rendering of each chart; returns the futures by name."""
    futures: dict[str, Future[str]] = {}
    with _lock:
        for name, bundle in charts.items():
            spec = static_spec(chart_spec(bundle.chart))
            key = _spec_key(spec)
            fut = _cache.get(key)
            if fut is None or (fut.done() and fut.exception() is not None):
                fut = _executor().submit(svg_worker.to_svg, spec)
                _cache[key] = fut
            _cache.move_to_end(key)
            futures[name] = fut
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return futures


_WARM_UP_SPEC: dict[str, Any] = {
    "data": {"values": [{"x": 0}]}, "mark": "point",
    "encoding": {"x": {"field": "x", "type": "quantitative"}},
}


def warm_up() -> None:
    """Start vl-convert's JavaScript engine in the background (returns at once).

    Its first conversion in a process costs about 0.8 s and later ones a few hundredths; a build
    calls this before loading the data so that the engine is ready when the charts exist.
    """
    for _ in range(WORKERS):
        _executor().submit(svg_worker.to_svg, _WARM_UP_SPEC)


def prefetch_svgs(charts: Mapping[str, Any]) -> None:
    """Start rendering the static charts in the background (returns at once).

    The build calls this as soon as the charts exist, so that vl-convert works while the
    brief, the context and the HTML are produced; :func:`chart_svgs` then finds them ready.
    """
    _submit(charts)


def chart_svgs(charts: Mapping[str, Any]) -> dict[str, str]:
    """SVG text of each chart, rendered in the worker process and cached by spec hash, with
    its gradients drawn as stripes (:func:`flatten_gradients`).

    Returns a dict name -> SVG markup, in the order of ``charts``. Raises ``RenderError`` when
    a chart cannot be rendered.
    """
    svgs: dict[str, str] = {}
    for name, fut in _submit(charts).items():
        try:
            svgs[name] = flatten_gradients(fut.result())
        except Exception as exc:  # vl-convert raises plain ValueError; a dead worker, others
            raise RenderError(f"cannot render the chart {name!r} to SVG with vl-convert: "
                              f"{exc}") from exc
    return svgs


_GRADIENT = re.compile(
    r'<linearGradient id="(?P<id>[^"]+)" x1="(?P<x1>[-\d.]+)" x2="(?P<x2>[-\d.]+)" '
    r'y1="(?P<y1>[-\d.]+)" y2="(?P<y2>[-\d.]+)">(?P<stops>.*?)</linearGradient>', re.S)
_STOP = re.compile(r'<stop offset="(?P<offset>[-\d.e]+)" '
                   r'stop-color="rgb\((?P<r>\d+), (?P<g>\d+), (?P<b>\d+)\)"/>')
# A gradient legend's bar, as Vega draws it: a rectangle path filled with the gradient.
_FILLED_RECT = re.compile(r'<path d="M0,0h(?P<w>[\d.]+)v(?P<h>[\d.]+)h-[\d.]+Z" '
                          r'fill="url\(#(?P<id>[^)]+)\)"(?P<rest>[^>]*)/>')
_OPACITY = re.compile(r'\bopacity="([\d.]+)"')


def flatten_gradients(svg: str) -> str:
    """``svg`` with each gradient-filled rectangle (a colour legend's bar) drawn as solid
    stripes, one per colour stop, instead.

    WeasyPrint paints an SVG gradient inside an ``<img>`` in the wrong place once the image is
    scaled to the column, so the PDF showed the legend's "0" and "10" without the bar between
    them. Solid fills print everywhere; a stripe per stop (Vega writes about twenty) reads as
    the gradient. Gradients of any other shape are left alone.
    """
    if "url(#" not in svg:
        return svg
    gradients: dict[str, tuple[bool, bool, list[tuple[float, str]]]] = {}
    for g in _GRADIENT.finditer(svg):
        stops = [(float(m["offset"]), f"rgb({m['r']},{m['g']},{m['b']})")
                 for m in _STOP.finditer(g["stops"])]
        dx = float(g["x2"]) - float(g["x1"])
        dy = float(g["y2"]) - float(g["y1"])
        if len(stops) < 2 or (dx != 0) == (dy != 0):
            continue  # not a plain horizontal or vertical ramp
        gradients[g["id"]] = (dx != 0, (dx or dy) < 0, stops)

    def stripes(m: re.Match[str]) -> str:
        found = gradients.get(m["id"])
        if found is None:
            return m.group(0)
        horizontal, reverse, stops = found
        width, height = float(m["w"]), float(m["h"])
        length = width if horizontal else height
        parts = []
        for (start, color), (end, _) in zip(stops, stops[1:], strict=False):
            lo, hi = (1 - end, 1 - start) if reverse else (start, end)
            pos, size = lo * length, (hi - lo) * length + 0.5  # overlap: no hairline seams
            if size <= 0.5:
                continue
            if horizontal:
                parts.append(f'<path d="M{pos:.2f},0h{size:.2f}v{height:g}h-{size:.2f}Z" '
                             f'fill="{color}"/>')
            else:
                parts.append(f'<path d="M0,{pos:.2f}h{width:g}v{size:.2f}h-{width:g}Z" '
                             f'fill="{color}"/>')
        opacity = _OPACITY.search(m["rest"])
        group = f'<g opacity="{opacity.group(1)}">' if opacity else "<g>"
        return group + "".join(parts) + "</g>"

    return _FILLED_RECT.sub(stripes, svg) if gradients else svg


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_briefing_html_for_print(context: Mapping[str, Any], charts: Mapping[str, Any]) -> str:
    """The HTML the PDF is made from (exposed for tests and for debugging the print layout)."""
    svgs = {name: svg_data_uri(svg) for name, svg in chart_svgs(charts).items()}
    return render(context, mode="pdf", asset_prefix="", csv_prefix="", specs_json="", svgs=svgs)


def render_briefing_pdf(context: Mapping[str, Any], charts: Mapping[str, Any]) -> bytes:
    """The print edition of the briefing as PDF bytes (US Letter, print.css)."""
    import weasyprint

    html = render_briefing_html_for_print(context, charts)
    root = templates_dir()
    try:
        document = weasyprint.HTML(string=html, base_url=str(root))
        pdf = document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(root / PRINT_CSS))])
    except Exception as exc:  # WeasyPrint has no common error base class
        raise RenderError(f"WeasyPrint could not produce the PDF: {exc}") from exc
    if pdf is None:
        raise RenderError("WeasyPrint produced no PDF output")
    return bytes(pdf)
