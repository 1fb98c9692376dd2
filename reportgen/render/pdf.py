"""The print edition: the same briefing as a PDF through WeasyPrint, charts as static SVG.

The SVGs (vl-convert) and the layout (WeasyPrint) run in the print worker
(:mod:`reportgen.render.svg_worker`), a process of its own started before the data loads: it
warms vl-convert's engine, imports WeasyPrint and parses ``print.css`` while the week is
analysed, converts each chart as soon as it is drawn (:func:`prefetch_svgs`), and lays out
the PDF (:func:`start_briefing_pdf`) while this process writes the web edition. SVGs are kept
by the hash of their spec, here and in the worker: a second rendering of the same chart (a
rebuilt week, the next week of a range, the tests) costs nothing. Each SVG goes into the page
as a ``data:`` image so that the element ids inside one chart cannot clash with those of
another.

Example
-------
>>> pdf_bytes = render_briefing_pdf(context, charts)
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from reportgen.charts.base import chart_spec, static_spec
from reportgen.errors import RenderError
from reportgen.render import PRINT_CSS, print_css, templates_dir
from reportgen.render.html import render
from reportgen.render.svg_worker import (
    ChartError,
    LocalWorker,
    Worker,
    WorkerError,
    flatten_gradients,
    print_worker,
    svg_data_uri,
)

#: Seconds to wait for the worker's answer before giving up (a PDF takes one or two).
ANSWER_TIMEOUT = 300.0
_CACHE_SIZE = 64
# spec key -> (the worker that holds the SVG, its future, whether the future has its text)
_cache: OrderedDict[str, tuple[Worker | LocalWorker, Future[str | None], bool]] = OrderedDict()
_lock = threading.Lock()

__all__ = [
    "PRINT_CSS", "chart_svgs", "flatten_gradients", "prefetch_svgs", "render_briefing_pdf",
    "render_briefing_html_for_print", "start_briefing_pdf", "svg_data_uri",
]


def _spec_key(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _submit(charts: Mapping[str, Any], text: bool = False,
            worker: Worker | LocalWorker | None = None,
            ) -> dict[str, tuple[str, Future[str | None]]]:
    """Start (or find) the SVG rendering of each chart in ``worker`` (default: this process's
    print worker); returns (spec key, future) by name.

    The future holds the SVG text only when ``text`` is asked for: the PDF needs none here (the
    worker fills the print HTML itself), so the SVGs need not travel back."""
    out: dict[str, tuple[str, Future[str | None]]] = {}
    for name, bundle in charts.items():
        try:
            spec = static_spec(chart_spec(bundle.chart))
        except Exception as exc:  # Altair raises schema errors of its own classes
            raise RenderError(f"cannot serialise the chart {name!r} to Vega-Lite: {exc}") \
                from exc
        key = _spec_key(spec)
        with _lock:
            target = worker or print_worker()
            found = _cache.get(key)
            if found is None or found[0] is not target or (text and not found[2]) or (
                    found[1].done() and found[1].exception() is not None):
                found = (target, target.submit("svg", key, spec, text), text)
                _cache[key] = found
            _cache.move_to_end(key)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        out[name] = (key, found[1])
    return out


def prefetch_svgs(charts: Mapping[str, Any],
                  worker: Worker | LocalWorker | None = None) -> None:
    """Start rendering the static charts in the background (returns at once).

    The build calls this as each chart is drawn, so that vl-convert works while the next
    charts, the page and the brief are produced.
    """
    _submit(charts, worker=worker)


def _chart_error(name: str, exc: BaseException) -> RenderError:
    detail = str(exc)
    return RenderError(f"cannot render the chart {name!r} to SVG with vl-convert: {detail}")


def chart_svgs(charts: Mapping[str, Any]) -> dict[str, str]:
    """SVG text of each chart, rendered in the worker and kept by spec hash, with its
    gradients drawn as stripes (:func:`flatten_gradients`).

    Returns a dict name -> SVG markup, in the order of ``charts``. Raises ``RenderError`` when
    a chart cannot be rendered.
    """
    svgs: dict[str, str] = {}
    for name, (_key, fut) in _submit(charts, text=True).items():
        try:
            svgs[name] = str(fut.result(timeout=ANSWER_TIMEOUT))
        except (ChartError, WorkerError) as exc:
            raise _chart_error(name, exc) from exc
        except TimeoutError as exc:
            raise RenderError(_no_answer()) from exc
    return svgs


def render_briefing_html_for_print(context: Mapping[str, Any], charts: Mapping[str, Any]) -> str:
    """The HTML the PDF is made from (exposed for tests and for debugging the print layout)."""
    svgs = {name: svg_data_uri(svg) for name, svg in chart_svgs(charts).items()}
    return render(context, mode="pdf", asset_prefix="", csv_prefix="", specs_json="", svgs=svgs)


def _slot(index: int) -> str:
    # Replaced by the chart's data: URI in the worker; URL-safe and unchanged by escaping, and
    # fixed-width so that no slot is a prefix of another.
    return f"reportgen-svg-slot-{index:04d}-3c7f1"


def start_briefing_pdf(context: Mapping[str, Any], charts: Mapping[str, Any],
                       worker: Worker | LocalWorker | None = None) -> Callable[[], bytes]:
    """Start laying out the print edition in ``worker`` (default: this process's print
    worker; returns at once); call the result to wait for the PDF bytes. The print HTML is
    rendered here, with a placeholder for each chart that the worker fills with the SVG it
    already holds, so no SVG crosses back and forth.

    The returned function raises ``RenderError`` naming the chart that could not be rendered,
    or saying why WeasyPrint failed.
    """
    submitted = _submit(charts, worker=worker)
    slots = {_slot(i): (name, key) for i, (name, (key, _)) in enumerate(submitted.items())}
    by_name = {name: slot for slot, (name, _) in slots.items()}
    html = render(context, mode="pdf", asset_prefix="", csv_prefix="", specs_json="",
                  svgs=by_name)
    target = worker or print_worker()
    if any(target is not _cache.get(key, (None,))[0] for key, _ in submitted.values()):
        _submit(charts, worker=target)  # the worker was restarted meanwhile: send them again
    future: Future[bytes] = target.submit("pdf", html, slots, print_css(), str(templates_dir()))

    def wait() -> bytes:
        try:
            return future.result(timeout=ANSWER_TIMEOUT)
        except ChartError as exc:
            raise _chart_error(exc.name or "?", exc) from exc
        except WorkerError as exc:
            raise RenderError(str(exc)) from exc
        except TimeoutError as exc:
            raise RenderError(_no_answer()) from exc

    return wait


def _no_answer() -> str:
    return (f"the print worker gave no answer within {ANSWER_TIMEOUT:.0f} s; run the build "
            "again, or build without the PDF: --format html,json")


def render_briefing_pdf(context: Mapping[str, Any], charts: Mapping[str, Any]) -> bytes:
    """The print edition of the briefing as PDF bytes (US Letter, print.css)."""
    return start_briefing_pdf(context, charts)()
