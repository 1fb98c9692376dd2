"""The template context, the HTML edition and the PDF edition."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import jinja2
import pytest

from reportgen.analysis.thresholds import describe
from reportgen.charts import ChartBundle, build_charts
from reportgen.dataset import Dataset
from reportgen.errors import RenderError
from reportgen.render.context import build_context
from reportgen.render.html import render_briefing_html, template_environment
from reportgen.render.pdf import chart_svgs, render_briefing_pdf
from tests import briefing_fakes as fk

AS_OF = date(2026, 9, 3)


@pytest.fixture(scope="module")
def charts(sample: Dataset) -> dict[str, ChartBundle]:
    return build_charts(sample, fk.assessment(), None, AS_OF)


@pytest.fixture(scope="module")
def context(sample: Dataset, charts: dict[str, ChartBundle]) -> dict:
    return build_context(sample, None, None, fk.brief(), None, None, charts)


def test_environment_autoescapes_and_fails_on_missing_keys() -> None:
    env = template_environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing.key }}").render()


def test_context_front_page(context: dict) -> None:
    front = context["front"]
    assert front["phase"]["headline"] == "Phase 2: active bill purchases"
    assert front["phase"]["since"] == "since 24 Dec 2025 (37 weeks)"
    assert front["plumbing"]["status"] == {"label": "Normal", "css": "normal"}
    assert [s["name"] for s in front["plumbing"]["signals"]][:2] == ["repo_rates", "srf"]
    assert front["loop"]["status"]["label"] == "Dormant"
    assert front["changes"] == ["This is the first briefing: there is no earlier week to "
                                "compare with."]
    assert front["backdrop"].startswith("Liquidity backdrop: mildly supportive (score +1)")


def test_context_lists_thresholds_sources_and_what_was_unavailable(context: dict) -> None:
    appendix = context["appendix"]
    assert len(appendix["thresholds"]) == len(describe())
    walcl = next(s for s in appendix["sources"] if s["id"] == "WALCL")
    assert walcl["last"] == "2 Sep 2026" and "FRED" in walcl["source"]
    text = " ".join(appendix["unavailable"])
    assert "Treasury auction results" in text and "settlement fails" in text


def test_context_numbers_figures_in_reading_order(context: dict) -> None:
    figs = context["figures"]
    assert figs["holdings"]["number"] == 1 and figs["stock_flow"]["number"] == len(figs)
    assert context["phase"]["figure"]["name"] == "holdings"
    subs = {s["id"]: s for s in context["pipe"]["subsections"]}
    assert subs["pipe-auctions"]["figures"] == []
    assert subs["pipe-auctions"]["unavailable"]


def test_context_flags_disagreement_with_the_announcement(sample: Dataset,
                                                           charts: dict) -> None:
    ctx = build_context(sample, None, None, fk.brief(phase=fk.phase_dict(agreement="disagrees")),
                        None, None, charts)
    assert ctx["front"]["phase"]["disagreement"].startswith("Announced and observed disagree")
    assert ctx["phase"]["agreement_css"] == "disagree"


def test_context_without_a_phase_degrades(sample: Dataset, charts: dict) -> None:
    brief = fk.brief()
    brief["phase"] = None
    ctx = build_context(sample, None, None, brief, None, None, charts)
    assert ctx["front"]["phase"]["headline"] == "Not assessed"
    assert "Phase assessment: no H.4.1 holdings" in ctx["appendix"]["unavailable"][0]


def test_html_links_the_runtime_once_and_embeds_every_chart(context: dict,
                                                            charts: dict) -> None:
    html = render_briefing_html(context, charts, "../../assets/", "data/")
    assert html.count("<script src=") == 1
    assert '<script src="../../assets/vega-runtime.js"></script>' in html
    assert '<link rel="stylesheet" href="../../assets/screen.css">' in html
    assert not re.search(r"(src|href)=\"https?://", html)  # nothing from a CDN
    for name in charts:
        assert f'id="vis-{name}"' in html
        assert f'href="data/{name}.csv" download' in html
    assert '"width":"container"' in html


def test_html_escapes_text_from_the_data(context: dict, charts: dict) -> None:
    ctx = dict(context, front=dict(context["front"], changes=["<script>alert(1)</script>"]))
    html = render_briefing_html(ctx, charts, "assets/", "data/")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_spec_json_cannot_close_its_script_element(context: dict, charts: dict) -> None:
    html = render_briefing_html(context, charts, "assets/", "data/")
    block = html.split('id="chart-specs">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block


def test_missing_context_key_is_a_render_error(context: dict, charts: dict) -> None:
    ctx = {k: v for k, v in context.items() if k != "implications"}
    with pytest.raises(RenderError, match="implications"):
        render_briefing_html(ctx, charts, "assets/", "data/")


def test_chart_svgs_are_cached_by_spec(charts: dict) -> None:
    small = {"curve": charts["curve"]}
    first = chart_svgs(small)
    assert first["curve"].startswith("<svg")
    assert chart_svgs(small) == first


def test_pdf_has_running_header_page_numbers_and_contents(context: dict, charts: dict,
                                                          tmp_path: Path) -> None:
    pdf = render_briefing_pdf(context, charts)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert "Contents" in pages[0] and "Page 1 of" in pages[0]
    assert "As of Thursday 3 September 2026" in pages[1]  # running header from page 2
    assert re.search(r"1 Phase assessment[ .]+2", pages[0])  # contents with page numbers


def test_a_chart_that_cannot_render_is_a_render_error_naming_it() -> None:
    from types import SimpleNamespace

    from reportgen.errors import RenderError
    from reportgen.render.pdf import chart_svgs

    class Broken:  # what Altair would hand over for a spec Vega-Lite cannot compile
        def to_dict(self, validate: bool = False) -> dict:
            return {"data": {"values": [{"x": 1}]}, "mark": "no-such-mark"}

    with pytest.raises(RenderError, match="'broken'"):
        chart_svgs({"broken": SimpleNamespace(chart=Broken())})
