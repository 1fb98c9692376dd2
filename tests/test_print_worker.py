"""The print worker (reportgen/render/svg_worker.py): a process of its own that imports only
vl-convert and WeasyPrint, renders each chart once, lays out the PDF, and fails cleanly."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reportgen.charts import ChartBundle
from reportgen.errors import RenderError
from reportgen.render import pdf, print_css, svg_worker
from reportgen.render.svg_worker import LocalWorker, Worker, WorkerError, print_worker
from tests.factories import sample_charts, sample_page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def charts() -> dict[str, ChartBundle]:
    return sample_charts()


def test_the_worker_imports_vl_convert_and_weasyprint_and_nothing_of_the_build() -> None:
    worker = print_worker()
    assert isinstance(worker, Worker)
    worker.submit("prepare", print_css()).result(timeout=60)
    loaded = set(worker.submit("modules").result(timeout=60))
    assert {"vl_convert", "weasyprint"} <= loaded
    heavy = {"pandas", "numpy", "altair", "jinja2", "click", "reportgen.cli",
             "reportgen.pipeline", "reportgen.analysis", "reportgen.charts"}
    assert not heavy & loaded, sorted(heavy & loaded)
    assert {m for m in loaded if m.startswith("reportgen")} <= {
        "reportgen", "reportgen.render", "reportgen.render.svg_worker"}


def test_preparing_the_print_edition_loads_nothing_heavy_here() -> None:
    """A build asks the worker to prepare before it loads Altair or the templates, so that
    their import time is counted in the stages that use them."""
    code = ("import sys; from reportgen.render.svg_worker import LocalWorker, prepare_print; "
            "w = LocalWorker(); w.handler.stylesheet = lambda css: None; prepare_print(w); "
            "print(sorted(m for m in ('altair', 'jinja2', 'pandas', 'reportgen.render.html') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_pdf_is_laid_out_in_the_worker_from_the_svgs_it_already_holds(
        charts: dict[str, ChartBundle]) -> None:
    context = sample_page().to_context()
    pdf.prefetch_svgs(charts)
    wait = pdf.start_briefing_pdf(context, charts)  # returns at once
    data = wait()
    assert data.startswith(b"%PDF") and len(data) > 50_000


def test_a_chart_that_fails_in_the_pdf_is_named(charts: dict[str, ChartBundle]) -> None:
    class Broken:
        def to_dict(self, validate: bool = False) -> dict[str, Any]:
            return {"data": {"values": [{"x": 1}]}, "mark": "no-such-mark"}

    bundle = dataclasses.replace(charts["curve"], chart=Broken())  # type: ignore[arg-type]
    broken = {**charts, "broken": bundle}
    with pytest.raises(RenderError, match="cannot render the chart 'broken' to SVG"):
        pdf.render_briefing_pdf(sample_page().to_context(), broken)


def test_a_worker_that_dies_fails_what_it_was_asked_and_is_started_again(
        charts: dict[str, ChartBundle]) -> None:
    worker = print_worker()
    assert isinstance(worker, Worker)
    worker.process.kill()
    worker.process.wait(timeout=30)
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        worker.submit("warm").result(timeout=30)
    # The next request starts a new worker; the charts it held are sent again.
    svgs = pdf.chart_svgs({"curve": charts["curve"]})
    assert svgs["curve"].startswith("<svg")
    assert print_worker() is not worker and print_worker().alive()


def test_the_worker_and_the_in_process_fallback_render_the_same_svg(
        charts: dict[str, ChartBundle]) -> None:
    spec = pdf.static_spec(pdf.chart_spec(charts["curve"].chart))
    remote = print_worker().submit("svg", "k-same", spec, True).result(timeout=60)
    local = LocalWorker().submit("svg", "k-same", spec, True).result(timeout=60)
    assert remote == local and remote.startswith("<svg")


def test_the_worker_s_module_imports_only_the_standard_library() -> None:
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(svg_worker.__file__).read_text())
    top: set[str] = set()
    for node in tree.body:  # module level only: the worker's own imports are inside functions
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            top.add(str(node.module).split(".")[0])
    assert top <= set(sys.stdlib_module_names), top - set(sys.stdlib_module_names)
