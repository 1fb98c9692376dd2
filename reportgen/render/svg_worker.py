"""The print worker: Vega-Lite to SVG (vl-convert) and the print edition's layout (WeasyPrint),
in a process of its own.

Why a process: vl-convert holds the GIL while it renders and WeasyPrint lays out in Python, so in a
thread they would only take turns with the build. In their own process they run on the second
core while the main process loads the data, analyses the week and writes the page: the worker
starts vl-convert's JavaScript engine and imports WeasyPrint (and parses the print stylesheet)
while the analysis runs, converts each chart as soon as its spec exists, and lays out the PDF
while the main process writes the web edition.

Why this module: the worker runs ``python -P -c`` on :func:`serve` below. This module imports
only the standard library; the worker then imports vl-convert and, when a PDF is asked for,
WeasyPrint: never pandas, Altair or the rest of reportgen (the old ``spawn`` worker re-imported
all of ``reportgen.cli``, about 0.4 CPU-seconds and 66 MiB).

Protocol: length-prefixed pickles over the worker's stdin (requests) and a duplicate of its
stdout (replies; the worker's own stdout goes to stderr, so a library's print cannot corrupt
a reply). Requests run one after the other, in order. Each is ``(kind, id, *args)``; each
reply is ``(id, ok, value)`` where ``value`` is the result or, when not ``ok``, an error
message:

``("warm", id)``                  start the JavaScript engine (one small conversion)
``("svg", id, key, spec, text)``  SVG of a Vega-Lite spec (gradients flattened), kept by
                                  key; its text is sent back only when ``text`` is true
``("prepare", id, css)``          import WeasyPrint and parse the stylesheet ``css``
``("pdf", id, html, slots, css, base)``  the PDF of ``html``: each slot string replaced by the
                                  ``data:`` URI of the SVG kept under its key; a chart that
                                  failed is reported as ``("chart", name, message)``
``("modules", id)``               the names of the modules the worker has imported (tests)

Where no process can be started, :class:`LocalWorker` runs the same requests in the calling
process.

Example
-------
>>> worker = print_worker()
>>> worker.submit("svg", "k1", spec).result()[:4]
'<svg'
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import os
import pickle
import queue
import re
import struct
import subprocess
import sys
import threading
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

_HEADER = struct.Struct("!Q")
#: SVGs kept by spec key in the worker (a rebuilt week, a range of weeks: the same charts).
CACHE_SIZE = 128


class WorkerError(Exception):
    """A request the worker could not do (its message says why)."""


class ChartError(WorkerError):
    """A chart vl-convert could not render: ``name`` (when known) and vl-convert's message."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


# -- the worker's side ---------------------------------------------------------------------------
_FONT = "'Liberation Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif"
_T = {"field": "date", "type": "temporal"}
_Q = {"field": "v", "type": "quantitative"}
#: The first conversion starts vl-convert's engine (about 0.3 s). This spec also goes through
#: what the briefing's charts use (the theme's font, a title and subtitle, a temporal axis with
#: a label expression, a legend, line, area, bar, rule, rect, text and circle marks in layers),
#: so that the first real chart does not pay for loading them: about 0.05 s less for a
#: briefing's charts, in time the worker would otherwise spend waiting for the first one.
_WARM_UP_SPEC: dict[str, Any] = {
    "width": 300, "height": 120,
    "config": {"font": _FONT, "title": {"font": _FONT, "subtitleFont": _FONT},
               "axis": {"labelFont": _FONT, "titleFont": _FONT},
               "legend": {"labelFont": _FONT, "titleFont": _FONT}},
    "title": {"text": "Warm-up", "subtitle": ["the engine, the fonts and the marks"]},
    "data": {"values": [{"date": "2025-01-01", "v": 1, "s": "a"},
                        {"date": "2025-02-01", "v": 3, "s": "b"},
                        {"date": "2025-03-01", "v": 2, "s": "a"}]},
    "layer": [
        {"mark": {"type": "area", "interpolate": "step-after", "opacity": 0.3},
         "encoding": {"x": {**_T, "axis": {"labelExpr": "timeFormat(datum.value, '%b %Y')"}},
                      "y": {**_Q, "stack": True}, "color": {"field": "s", "type": "nominal"}}},
        {"mark": "line", "encoding": {"x": _T, "y": _Q,
                                      "color": {"field": "s", "type": "nominal"}}},
        {"mark": "bar", "encoding": {"x": _T, "y": _Q}},
        {"mark": {"type": "rule", "strokeDash": [3, 3]}, "encoding": {"x": _T}},
        {"mark": {"type": "rect", "opacity": 0.2}, "encoding": {"x": _T, "x2": {"field": "date"}}},
        {"mark": {"type": "text", "align": "left"},
         "encoding": {"x": _T, "y": _Q, "text": {"field": "s"}}},
        {"mark": "circle", "encoding": {"x": _T, "y": _Q, "size": _Q}},
    ],
}


class Handler:
    """The requests themselves; the worker process and :class:`LocalWorker` both run them."""

    def __init__(self) -> None:
        self.svgs: OrderedDict[str, tuple[bool, str]] = OrderedDict()
        self._css: dict[str, Any] = {}

    def handle(self, kind: str, args: tuple[Any, ...]) -> Any:
        if kind == "warm":
            self.to_svg(_WARM_UP_SPEC)
            return None
        if kind == "svg":
            key, spec, want_text = args
            svg = self.svg(key, spec)
            return svg if want_text else None
        if kind == "prepare":
            (css,) = args
            self.stylesheet(css)
            return None
        if kind == "pdf":
            html, slots, css, base = args
            return self.pdf(html, slots, css, base)
        if kind == "modules":
            return sorted(sys.modules)
        raise WorkerError(f"unknown request {kind!r}")

    @staticmethod
    def to_svg(spec: dict[str, Any]) -> str:
        """SVG markup of a Vega-Lite ``spec`` (no base URLs: a chart can never reach the
        network), with its gradients drawn as stripes (:func:`flatten_gradients`)."""
        import vl_convert

        return flatten_gradients(str(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])))

    def svg(self, key: str, spec: dict[str, Any]) -> str:
        found = self.svgs.get(key)
        if found is None or not found[0]:
            try:
                found = (True, self.to_svg(spec))
            except Exception as exc:  # vl-convert raises plain ValueError
                found = (False, str(exc))
            self.svgs[key] = found
        self.svgs.move_to_end(key)
        while len(self.svgs) > CACHE_SIZE:
            self.svgs.popitem(last=False)
        if not found[0]:
            raise ChartError(found[1])
        return found[1]

    def stylesheet(self, css: str) -> Any:
        if css not in self._css:
            import weasyprint  # an OSError (no Pango) is reported by the "pdf" request

            self._css[css] = weasyprint.CSS(filename=css)
        return self._css[css]

    def pdf(self, html: str, slots: dict[str, tuple[str, str]], css: str, base: str) -> bytes:
        for slot, (name, key) in slots.items():
            found = self.svgs.get(key)
            if found is None:
                raise ChartError("its SVG was not rendered before the PDF (please report this)",
                                 name)
            if not found[0]:
                raise ChartError(found[1], name)
            html = html.replace(slot, svg_data_uri(found[1]))
        try:
            import weasyprint
        except OSError as exc:  # Pango or HarfBuzz missing: WeasyPrint cannot load them
            raise WorkerError(f"WeasyPrint cannot start ({exc}); install Pango and HarfBuzz "
                              "(see the README's troubleshooting), or build without the PDF: "
                              "--format html,json") from exc
        try:
            pdf = weasyprint.HTML(string=html, base_url=base).write_pdf(
                stylesheets=[self.stylesheet(css)])
        except Exception as exc:  # WeasyPrint has no common error base class
            raise WorkerError(f"WeasyPrint could not produce the PDF: {exc}") from exc
        if pdf is None:
            raise WorkerError("WeasyPrint produced no PDF output")
        return bytes(pdf)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    """``size`` bytes from ``stream`` (a pipe may hand them over in pieces); None at its end."""
    chunks = []
    while size > 0:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read(stream: IO[bytes]) -> Any:
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    body = _read_exactly(stream, size)
    return None if body is None else pickle.loads(body)


def _write(stream: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:  # an unbuffered pipe may take a large frame in pieces
        written = stream.write(data)
        data = data[written if written is not None else len(data):]
    stream.flush()


def serve() -> None:
    """The worker process: answer requests from stdin until it closes (the build ended)."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into a reply
    requests = sys.stdin.buffer
    handler = Handler()
    while (message := _read(requests)) is not None:
        kind, rid, *args = message
        try:
            reply = (rid, True, handler.handle(kind, tuple(args)))
        except ChartError as exc:
            reply = (rid, False, ("chart", exc.name, str(exc)))
        except Exception as exc:  # reported to the build, which raises RenderError
            reply = (rid, False, ("error", None, str(exc) or type(exc).__name__))
        _write(replies, reply)


# -- the build's side ----------------------------------------------------------------------------
class Worker:
    """A running worker process: :meth:`submit` a request, get a ``Future`` of its reply."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        code = (f"import sys; sys.path.insert(0, {root!r}); "
                "from reportgen.render.svg_worker import serve; serve()")
        # -P: the working folder is not put on sys.path (a file there named like a module
        # WeasyPrint imports must not shadow it).
        self.process = subprocess.Popen([sys.executable, "-P", "-c", code],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        bufsize=0)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._requests = self.process.stdin
        self._replies = self.process.stdout
        # Requests are written by a thread of their own: the pipe holds 64 KiB, the worker reads
        # the next request only when it is done with the last one, and a build must not wait
        # for it (it draws the next chart meanwhile). Replies are read by another thread, so
        # the worker never blocks writing one. ``_lock`` guards the table of waiting requests.
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Any]] = {}
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._next = 0
        self.dead: str | None = None
        self._reader = threading.Thread(target=self._read_replies, name="reportgen-worker-in",
                                        daemon=True)
        self._writer = threading.Thread(target=self._write_requests,
                                        name="reportgen-worker-out", daemon=True)
        self._reader.start()
        self._writer.start()

    def alive(self) -> bool:
        return self.dead is None and self.process.poll() is None

    def submit(self, kind: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self.dead is not None:
                future.set_exception(WorkerError(self.dead))
                return future
            rid = self._next
            self._next += 1
            self._pending[rid] = future
        self._outbox.put((kind, rid, *args))
        return future

    def _write_requests(self) -> None:
        while (request := self._outbox.get()) is not None:
            try:
                _write(self._requests, request)
            except (OSError, ValueError) as exc:
                with self._lock:
                    self._fail(f"the chart worker stopped unexpectedly ({exc})")
                return
        with contextlib.suppress(OSError):
            self._requests.close()

    def _read_replies(self) -> None:
        try:
            while (reply := _read(self._replies)) is not None:
                rid, ok, value = reply
                with self._lock:
                    future = self._pending.pop(rid, None)
                if future is None or future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    what, name, message = value
                    future.set_exception(ChartError(message, name) if what == "chart"
                                         else WorkerError(message))
        except Exception:  # a broken pipe or frame: the worker is treated as dead
            pass
        with self._lock:
            self._fail("the chart worker stopped unexpectedly (exit status "
                       f"{self.process.poll()}); run the build again")

    def _fail(self, why: str) -> None:
        # Called with the lock held: every request still waiting fails with ``why``.
        self.dead = self.dead or why
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerError(self.dead))

    def close(self) -> None:
        """Let the worker end (it exits when its stdin closes, after the requests sent)."""
        self._outbox.put(None)


class LocalWorker:
    """The same requests run in this process, for where no process can be started."""

    def __init__(self) -> None:
        self.handler = Handler()
        self._lock = threading.Lock()

    def alive(self) -> bool:
        return True

    def submit(self, kind: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            try:
                future.set_result(self.handler.handle(kind, args))
            except Exception as exc:
                future.set_exception(exc)
        return future

    def close(self) -> None:
        pass


_worker: Worker | LocalWorker | None = None
_started = threading.Lock()


def new_worker() -> Worker | LocalWorker:
    """A worker of its own, its JavaScript engine warming (returns at once); where no process
    can be started, one that renders in this process."""
    worker: Worker | LocalWorker
    try:
        worker = Worker() if sys.executable else LocalWorker()
    except OSError:
        worker = LocalWorker()
    worker.submit("warm")
    return worker


def print_worker() -> Worker | LocalWorker:
    """The worker of this process, started (and its JavaScript engine warmed) on first use;
    started again if it died. A process that cannot start one renders in-process."""
    global _worker
    with _started:
        if _worker is None or not _worker.alive():
            _worker = new_worker()
        return _worker


def prepare_print(worker: Worker | LocalWorker | None = None) -> None:
    """Have ``worker`` (default: this process's) import WeasyPrint and parse the print
    stylesheet now (returns at once). Imports nothing beyond the standard library, so a build
    calls it before loading Altair or the templates."""
    from reportgen.render import print_css

    (worker or print_worker()).submit("prepare", print_css())


def start() -> None:
    """Start the worker now (returns at once): ``reportgen build`` calls this before importing
    the rest of reportgen, so the engine is warm by the time the first chart exists."""
    print_worker()


@atexit.register
def _close() -> None:
    # A normal interpreter exit (the tests) lets the worker end; `reportgen` itself leaves
    # through os._exit, and the worker then ends on its own when its stdin closes.
    if _worker is not None:
        _worker.close()


# -- helpers shared by both sides ----------------------------------------------------------------
def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


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


def to_svg(spec: dict[str, Any]) -> str:
    """SVG markup of ``spec`` in this process (kept for callers of the old worker function)."""
    return Handler.to_svg(spec)

