"""The print edition: the same briefing as a PDF through WeasyPrint, charts as static SVG.

Chart rendering (Vega-Lite to SVG through vl-convert) is the slow part of a build, so the SVGs
are rendered on a small thread pool and cached in memory by the hash of their spec: a second
rendering of the same chart in the same process (the web and root editions, a rebuilt week,
the tests) costs nothing. Each SVG goes into the page as a ``data:`` image so that the element
ids inside one chart cannot clash with those of another.

Example
-------
>>> pdf_bytes = render_briefing_pdf(context, charts)
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from reportgen.charts.base import chart_spec, static_spec
from reportgen.errors import RenderError
from reportgen.render.html import render, templates_dir

PRINT_CSS = "print.css"
WORKERS = 2
_CACHE_SIZE = 64
_cache: OrderedDict[str, Future[str]] = OrderedDict()
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _spec_key(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _to_svg(spec: Mapping[str, Any]) -> str:
    import vl_convert

    try:
        # No base URLs: a chart can never make the renderer reach the network.
        return str(vl_convert.vegalite_to_svg(dict(spec), allowed_base_urls=[]))
    except Exception as exc:  # vl-convert raises plain ValueError
        raise RenderError(f"cannot render a chart to SVG with vl-convert: {exc}") from exc


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
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
                fut = _executor().submit(_to_svg, spec)
                _cache[key] = fut
            _cache.move_to_end(key)
            futures[name] = fut
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return futures


def prefetch_svgs(charts: Mapping[str, Any]) -> None:
    """Start rendering the static charts in the background (returns at once).

    The build calls this as soon as the charts exist, so that vl-convert works while the
    brief, the context and the HTML are produced; :func:`chart_svgs` then finds them ready.
    """
    _submit(charts)


def chart_svgs(charts: Mapping[str, Any]) -> dict[str, str]:
    """SVG text of each chart, rendered on a two-thread pool and cached by spec hash.

    Returns a dict name -> SVG markup, in the order of ``charts``. Raises ``RenderError`` when
    a chart cannot be rendered.
    """
    return {name: fut.result() for name, fut in _submit(charts).items()}


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
