"""The page (``build_page``), the HTML edition and the PDF edition, on real objects.

The page is built from a real :class:`WeekAnalysis` of the bundled sample (``tests/factories.py``,
cached per session) or of a small dataset built here; its front-page values are checked against
the week they come from, then against what the HTML and the PDF show. The PDF is rendered once
for the module.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import altair as alt
import jinja2
import pandas as pd
import pytest
from markupsafe import escape

from reportgen.analysis.thresholds import describe
from reportgen.analysis.week import WeekAnalysis, analyse
from reportgen.charts import SECTIONS, ChartBundle, build_charts
from reportgen.config import Settings
from reportgen.dataset import Dataset
from reportgen.errors import RenderError
from reportgen.formatting import bn, day, long_day, phase_title
from reportgen.render import narrative as nv
from reportgen.render.context import Page, build_page
from reportgen.render.html import render_briefing_html, template_environment, templates_dir
from reportgen.render.pdf import chart_svgs, render_briefing_html_for_print, render_briefing_pdf
from tests.factories import (
    GENERATED_AT,
    SAMPLE_AS_OF,
    sample_charts,
    sample_page,
    sample_week,
)

EARLY_2025 = date(2025, 3, 6)  # no SOFR, SRF or daily yields in the sample yet
EARLY_2026 = date(2026, 3, 5)
AGREES = date(2026, 8, 20)  # observed phase 2, as announced
HOSTILE = "<script>alert(1)</script>"


def _e(text: str) -> str:
    """``text`` as the autoescaping templates write it."""
    return str(escape(text))


def _html(page: Page, charts: Mapping[str, ChartBundle], asset_prefix: str = "../../assets/",
          csv_prefix: str = "data/") -> str:
    return render_briefing_html(page.to_context(), charts, asset_prefix, csv_prefix)


@pytest.fixture(scope="module")
def week() -> WeekAnalysis:
    return sample_week(SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def charts() -> dict[str, ChartBundle]:
    return sample_charts(SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def page() -> Page:
    return sample_page(SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def context(page: Page) -> dict[str, Any]:
    return page.to_context()


@pytest.fixture(scope="module")
def html(page: Page, charts: dict[str, ChartBundle]) -> str:
    return _html(page, charts)


@pytest.fixture(scope="module")
def tiny_week() -> WeekAnalysis:
    """A week of SOFR and IORB only: no H.4.1 at all, no week before."""
    idx = pd.bdate_range("2026-01-05", periods=5, name="date")
    ds = Dataset({"SOFR": pd.Series([4.40, 4.45, 4.60, 4.42, 4.41], index=idx),
                  "IORB": pd.Series(4.40, index=idx)})
    return analyse(ds, date(2026, 1, 10))


# -- the template environment ---------------------------------------------------------------
def test_environment_autoescapes_and_fails_on_missing_keys() -> None:
    env = template_environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing.key }}").render()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ x.nope }}").render(x=SimpleNamespace(a=1))


# -- the page ---------------------------------------------------------------------------------
def test_page_is_frozen_and_gives_the_template_its_names(page: Page,
                                                         context: dict[str, Any]) -> None:
    assert set(context) == {f.name for f in dataclasses.fields(Page)}
    assert context["front"] is page.front
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.front.phase.headline = "x"  # type: ignore[misc]


def test_front_phase_is_the_assessment(week: WeekAnalysis, page: Page) -> None:
    a = week.assessment
    assert a is not None
    front = page.front.phase
    assert front.headline == phase_title(a.phase, a.label)
    weeks = (a.week - a.since).days // 7 + 1
    assert front.since == f"since {day(a.since)} ({weeks} week{'s' if weeks != 1 else ''})"
    assert f"({a.confidence_score:.2f})" in front.confidence
    assert front.confidence.lower().startswith(a.confidence)
    assert front.css == f"phase-{a.phase}"
    # The sample's holdings read phase 1 in September 2026 against an announced phase 2.
    assert a.agreement == "disagrees"
    assert front.disagreement.startswith("Disagrees with the announced phase")
    assert page.phase.agreement_css == "disagree"


def test_front_phase_says_nothing_when_observed_and_announced_agree() -> None:
    week, page = sample_week(AGREES), sample_page(AGREES)
    assert week.assessment is not None and week.assessment.agreement == "agrees"
    assert page.front.phase.disagreement == ""
    assert page.phase.agreement_css == "agree"


@pytest.mark.parametrize("as_of", [EARLY_2026, SAMPLE_AS_OF])
def test_front_phase_substate_keeps_its_capitals(as_of: date) -> None:
    a = sample_week(as_of).assessment
    assert a is not None and a.substate
    assert sample_page(as_of).front.phase.substate == a.substate[0].upper() + a.substate[1:]


def test_front_pipe_verdict_is_the_composite(week: WeekAnalysis, page: Page, html: str) -> None:
    comp = week.composite
    assert comp.value is not None
    # A calm week: the box is today's index (its peak of the week was normal too).
    assert week.extremes["composite"].worst_status == "normal"
    assert page.front.plumbing.value == f"{comp.value:.0f}/100" == "21/100"
    assert page.front.plumbing.status.css == comp.status == week.pipe_status
    assert f"index is {comp.value:.0f} of 100" in page.front.plumbing.summary
    article = html.split('class="verdict verdict-plumbing"', 1)[1].split("</article>", 1)[0]
    assert f'<span class="score">{comp.value:.0f}/100</span>' in article
    assert f"badge-{comp.status}" in article


def test_front_pipe_verdict_shows_the_week_not_only_its_last_day() -> None:
    # The week to 9 Oct 2025: the index read 24 on the day, but 66 (stressed) on 3 Oct, when
    # the quarter-end fails of the week to 24 Sep ($25 bn) were public.
    week, page = sample_week(date(2025, 10, 9)), sample_page(date(2025, 10, 9))
    comp, peak = week.composite, week.extremes["composite"]
    assert comp.status == "normal" and peak.worst_status == "stressed"
    assert page.front.plumbing.status.css == week.pipe_status == "stressed"
    assert page.front.plumbing.value == f"week peak {peak.value:.0f}, today {comp.value:.0f}/100"
    assert f"peaked this week at {peak.value:.0f} on {day(peak.date)}" in \
        page.front.plumbing.summary
    assert week.implications.state.plumbing == "stressed"  # the reading rests on the week too
    assert page.front.changes[1].startswith(f"The plumbing stress index peaked at "
                                            f"{peak.value:.0f} (stressed) on {day(peak.date)}")


def test_signal_rows_show_each_signals_status_or_its_coverage(week: WeekAnalysis,
                                                              page: Page) -> None:
    rows = page.front.signals
    assert [r.name for r in rows] == list(week.signals)
    for row in rows:
        sig, cov = week.signals[row.name], week.coverage[row.name]
        expected = sig.status if cov.state == "live" else cov.state
        assert row.status.css == expected, row.name
        value = sig.value if cov.state == "live" else cov.last_value
        assert row.value == nv.signal_value(value, sig.units), row.name
    by_name = {r.name: r for r in rows}
    # The sample's fails end in November 2025: stale, with their last reading and its date.
    assert by_name["fails"].status.label == "Stale"
    assert by_name["fails"].coverage == (
        f"stale: last {bn(week.coverage['fails'].last_value)} for "
        f"{day(week.coverage['fails'].last_date)}")
    assert by_name["reserves"].value == bn(week.signals["reserves"].value)
    assert by_name["yield_curve"].value == "+87 bp"


def test_signal_table_in_the_html_matches_the_rows(page: Page, html: str) -> None:
    table = html.split('<table class="traffic">', 1)[1].split("</table>", 1)[0]
    body_rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    assert len(body_rows) == len(page.front.signals)
    for text, row in zip(body_rows, page.front.signals, strict=True):
        assert _e(row.title) in text and _e(row.status.label) in text
        assert f"light-{row.status.css}" in text
        assert f'<td class="num">{_e(row.value)}</td>' in text
        if row.coverage:
            assert _e(row.coverage) in text


def test_front_reservoir_and_loop_are_the_weeks(week: WeekAnalysis, page: Page) -> None:
    reserves = week.reservoir.row("reserves")
    assert reserves is not None
    shown = page.front.reservoir.value
    assert shown == bn(reserves.latest_bn) == bn(week.signals["reserves"].value)
    assert page.front.reservoir.status.css == week.signals["reserves"].status
    assert page.front.loop.status.css == week.loop.state
    signals_live = sum(week.coverage[n].state == "live" for n in week.signals)
    assert page.front.coverage.startswith(
        f"Coverage: {signals_live} of {len(week.signals)} signals live")
    assert "stale: Settlement fails (last 12 Nov 2025)" in page.front.coverage


def test_front_reservoir_without_reserves_is_not_called_stale(tiny_week: WeekAnalysis) -> None:
    page = build_page(tiny_week, build_charts(tiny_week), None, GENERATED_AT)
    row = next(r for r in page.front.signals if r.name == "reserves")
    assert tiny_week.coverage["reserves"].state == "missing"
    assert page.front.reservoir.value == "n/a"
    assert page.front.reservoir.status == row.status


def test_what_changed_compares_with_the_week_before(week: WeekAnalysis, page: Page,
                                                   html: str) -> None:
    before = week.week_before
    assert before is not None and before.assessment is not None and week.assessment is not None
    assert page.front.changes_since == f"the week to {day(before.as_of)}"
    assert before.assessment.phase != week.assessment.phase
    was = phase_title(before.assessment.phase, before.assessment.label).lower()
    now = phase_title(week.assessment.phase, week.assessment.label).lower()
    moved = f"The phase moved from {was} to {now}."
    assert page.front.changes[0] == moved
    assert _e(f"What changed since the week to {day(before.as_of)}") in html
    for line in page.front.changes:
        assert f"<li>{_e(line)}</li>" in html


def test_what_changed_counts_in_good_english() -> None:
    changes = " ".join(sample_page(EARLY_2026).front.changes)
    assert "stress index" in changes
    assert not re.search(r"\b1 points\b", changes)


def test_backdrop_and_implications_are_the_weeks_reading(week: WeekAnalysis,
                                                         page: Page) -> None:
    reading = week.implications
    assert page.front.backdrop.startswith(
        f"Liquidity backdrop: {reading.backdrop} (score {reading.score:+d}, "
        f"{reading.confidence})")
    assert page.implications.score == f"{reading.score:+d}"
    assert [a.title for a in page.implications.assets] == ["Equities", "Crypto"]
    assert len(page.implications.assets[0].statements) == len(reading.equities)
    assert len(page.appendix.implication_rules) == len(reading.rules)


def test_appendix_lists_thresholds_sources_and_what_was_unavailable(week: WeekAnalysis,
                                                                   page: Page) -> None:
    appendix = page.appendix
    assert len(appendix.thresholds) == len(describe(week.thresholds)) > 20
    assert {t.name for t in appendix.thresholds} == {r["name"] for r in describe(week.thresholds)}
    walcl = next(s for s in appendix.sources if s.id == "WALCL")
    assert walcl.last == day(week.data.last_date("WALCL")) == "16 Sep 2026"
    assert "FRED" in walcl.source and not walcl.stale
    fails = next(s for s in appendix.sources if s.id == "pd_fails")
    assert fails.stale and fails.css == "is-stale"
    text = " ".join(appendix.unavailable)
    assert "Settlement fails: stale" in text
    assert "H.4.1 bill holdings (WSHOBL) end on 19 Nov 2025" in text
    assert "bundled sample" in appendix.provenance


def test_figures_are_numbered_in_reading_order_with_their_csv(page: Page,
                                                             charts: dict[str, ChartBundle],
                                                             html: str) -> None:
    figs = page.figures
    assert list(figs) == list(charts)
    sections = [charts[n].section for n in charts]  # the charts come in the briefing's order
    assert sections == sorted(sections, key=SECTIONS.index)
    assert [f.number for f in figs.values()] == list(range(1, len(charts) + 1))
    for name, fig in figs.items():
        assert fig.csv == f"data/{name}.csv"
        assert fig.title == charts[name].title and fig.alt_text == charts[name].alt_text
    # The numbers follow the order in which the figures appear on the page.
    positions = [html.index(f'id="fig-{name}"') for name in figs]
    assert positions == sorted(positions)
    captions = re.findall(r'<span class="fig-number">Figure (\d+)\.</span> ([^<]*?)\.\n', html)
    assert [(int(n), t) for n, t in captions] == [(f.number, f.title) for f in figs.values()]


def test_each_figure_links_its_csv_under_the_prefix_given(page: Page,
                                                          charts: dict[str, ChartBundle]) -> None:
    prefix = "../weeks/2026-09-17/data/"
    html = _html(page, charts, "../assets/", prefix)
    for name in charts:
        assert html.count(f'href="{prefix}{name}.csv" download') == 1, name
    assert 'href="data/' not in html


def test_sections_place_their_figures(page: Page) -> None:
    assert page.phase.figure is not None and page.phase.figure.name == "holdings"
    assert [f.name for f in page.reservoir.figures] == ["reservoir_levels", "reservoir_buffers"]
    subs = {s.id: s for s in page.pipe.subsections}
    assert {k: [f.name for f in s.figures] for k, s in subs.items()} == {
        "pipe-repo": ["repo_spread", "srf"], "pipe-segments": ["repo_segments"],
        "pipe-auctions": ["auctions"], "pipe-dealers": ["dealer_positions"],
        "pipe-fails": ["fails"], "pipe-collateral": [], "pipe-volatility": ["volatility"],
        "pipe-curve": ["curve"]}
    # No securities-lending results exist offline: that subsection says so, and why.
    assert all(not s.unavailable for k, s in subs.items() if k != "pipe-collateral")
    assert subs["pipe-collateral"].unavailable == (
        "No chart: the data hold no SOMA securities-lending results for this period.",)
    assert subs["pipe-collateral"].narrative == (
        "SOMA securities lending: no data (no securities-lending results are stored: none "
        "were found offline, and `reportgen fetch` gets them).",)
    assert subs["pipe-collateral"].status is not None
    assert subs["pipe-collateral"].status.css == "missing"
    assert [f.name for f in page.stock_flow.figures] == ["stock_flow"]


def test_an_early_week_says_which_pipe_charts_are_missing() -> None:
    page = sample_page(EARLY_2025)
    subs = {s.id: s for s in page.pipe.subsections}
    for sid in ("pipe-repo", "pipe-volatility", "pipe-curve"):
        assert subs[sid].figures == () and subs[sid].unavailable, sid
    assert [f.name for f in subs["pipe-auctions"].figures] == ["auctions"]
    # Numbers stay consecutive over the figures that exist.
    assert [f.number for f in page.figures.values()] == list(range(1, len(page.figures) + 1))
    html = _html(page, sample_charts(EARLY_2025))
    assert 'id="fig-repo_spread"' not in html
    assert _e(subs["pipe-repo"].unavailable[0]) in html


def test_a_week_without_holdings_degrades(tiny_week: WeekAnalysis) -> None:
    charts = build_charts(tiny_week)
    page = build_page(tiny_week, charts, None, GENERATED_AT)
    assert page.front.phase.headline == "Not assessed"
    assert page.phase.figure is None
    assert page.appendix.unavailable[0].startswith("Phase assessment: ")
    assert page.front.changes == ("There is no earlier week in the data to compare with.",)
    assert page.front.changes_since == "last week"
    html = _html(page, charts)
    assert _e(page.phase.figure_unavailable) in html
    assert "What changed since last week" in html
    assert list(page.figures) == ["repo_spread"] and page.figures["repo_spread"].number == 1


# -- the HTML ---------------------------------------------------------------------------------
def test_html_links_the_runtime_once_and_embeds_every_chart(charts: dict[str, ChartBundle],
                                                            html: str) -> None:
    assert html.count("<script src=") == 1
    assert '<script src="../../assets/vega-runtime.js"></script>' in html
    assert '<link rel="stylesheet" href="../../assets/screen.css">' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from a CDN
    assert "cdn." not in html.lower()
    block = html.split('id="chart-specs">', 1)[1].split("</script>", 1)[0]
    specs = json.loads(block)
    assert list(specs) == list(charts)
    for name, spec in specs.items():
        assert html.count(f'id="vis-{name}"') == 1
        assert spec["width"] == "container"
        assert "datasets" in spec or "data" in spec  # data inline, nothing fetched
        assert not re.search(r'"url"\s*:', json.dumps(spec)), name


def test_html_states_the_dates_and_the_age_of_the_data(week: WeekAnalysis, page: Page,
                                                       html: str) -> None:
    meta = page.meta
    assert meta.as_of_long == long_day(week.as_of) == "Thursday 17 September 2026"
    assert meta.generated == f"Generated {day(GENERATED_AT.date())}"
    newest = week.newest_data
    assert newest is not None and week.assessment is not None
    assert meta.age_note.startswith(
        f"Newest data: {day(newest)}, {(week.as_of - newest).days} day")
    assert f"latest H.4.1 week {day(week.assessment.week)}" in meta.age_note
    for text in (meta.as_of_long, meta.data_note, meta.generated, meta.age_note,
                 meta.build_note):
        assert _e(text) in html, text
    assert f"<title>{_e(meta.title)} · {meta.as_of_long}</title>" in html
    assert not meta.is_retrospective and "A retrospective briefing" not in html


def test_age_note_counts_in_good_english(page: Page) -> None:
    assert not re.search(r"\b1 days\b", page.meta.age_note)


def test_a_briefing_built_after_the_fact_says_so() -> None:
    page = sample_page(EARLY_2026)
    assert page.meta.is_retrospective
    html = _html(page, sample_charts(EARLY_2026))
    assert "A retrospective briefing" in html and "5 Mar 2026" in html


def test_html_holds_no_local_path(html: str, tmp_path: Path) -> None:
    for path in (os.getcwd(), str(Path.home()), str(Path(__file__).resolve().parents[1])):
        assert path not in html
    assert "file:" not in html and ".sqlite" not in html
    # A store on disk: neither its folder nor its file name reaches the page.
    from reportgen.sample import SAMPLE_ASSEMBLED, sample_files
    from reportgen.sources.csvfiles import import_files
    from reportgen.store import Store

    folder = tmp_path / "private-folder-7c1"
    folder.mkdir()
    store = Store.open(folder / "mystore.sqlite")
    import_files(store, sample_files(), SAMPLE_ASSEMBLED)
    dataset = Dataset.from_store(store)
    assert str(folder) in dataset.provenance.description
    week = analyse(dataset, EARLY_2025)
    charts = build_charts(week)
    page_html = _html(build_page(week, charts, None, GENERATED_AT), charts)
    assert "private-folder-7c1" not in page_html and "mystore" not in page_html
    assert ".sqlite" not in page_html and str(tmp_path) not in page_html
    assert "the reportgen data store" in page_html


def test_html_escapes_hostile_text(week: WeekAnalysis, page: Page,
                                   charts: dict[str, ChartBundle]) -> None:
    hostile_charts = dict(charts, curve=dataclasses.replace(
        charts["curve"], title=HOSTILE, alt_text=f'x" onmouseover="alert(2) {HOSTILE}'))
    settings = Settings(site_title=HOSTILE)
    hostile_page = build_page(week, hostile_charts, settings, GENERATED_AT)
    hostile_page = dataclasses.replace(hostile_page, front=dataclasses.replace(
        hostile_page.front, changes=(HOSTILE,)))
    out = _html(hostile_page, hostile_charts)
    assert HOSTILE not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert 'onmouseover="alert(2)' not in out  # the attribute cannot be broken out of
    assert 'aria-label="x&#34; onmouseover=&#34;alert(2)' in out


def test_spec_json_cannot_close_its_script_element(page: Page,
                                                   charts: dict[str, ChartBundle]) -> None:
    nasty = "</script><!-- & -->"
    chart = alt.Chart(pd.DataFrame({"x": [1], "label": [nasty]})).mark_text().encode(
        x="x:Q", text="label:N")
    bundle = dataclasses.replace(charts["curve"], chart=chart)
    out = render_briefing_html(page.to_context(), dict(charts, curve=bundle), "a/", "d/")
    block = out.split('id="chart-specs">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    specs = json.loads(block)
    assert nasty in json.dumps(specs["curve"], ensure_ascii=False)


def test_missing_context_key_is_a_render_error(context: dict[str, Any],
                                               charts: dict[str, ChartBundle]) -> None:
    ctx = {k: v for k, v in context.items() if k != "implications"}
    with pytest.raises(RenderError, match="implications"):
        render_briefing_html(ctx, charts, "assets/", "data/")


def test_missing_record_field_is_a_render_error(context: dict[str, Any],
                                                charts: dict[str, ChartBundle]) -> None:
    meta = {f.name: getattr(context["meta"], f.name) for f in dataclasses.fields(
        context["meta"]) if f.name != "age_note"}
    with pytest.raises(RenderError, match="age_note"):
        render_briefing_html(dict(context, meta=SimpleNamespace(**meta)), charts, "a/", "d/")


# -- settings ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pipe_only() -> tuple[Page, str]:
    settings = Settings(site_title="Pipe watch", sections=("front", "pipe", "appendix"))
    week, charts = sample_week(SAMPLE_AS_OF), sample_charts(SAMPLE_AS_OF)
    page = build_page(week, charts, settings, GENERATED_AT)
    return page, _html(page, charts)


def test_sections_are_hidden_by_the_settings(pipe_only: tuple[Page, str]) -> None:
    page, html = pipe_only
    assert page.show == {"front": True, "phase": False, "reservoir": False, "pipe": True,
                         "reservoir_vs_pipe": False, "implications": False, "appendix": True}
    assert [t.id for t in page.toc] == ["pipe", "appendix"]
    for hidden in ("phase", "reservoir", "stock-flow", "implications"):
        assert f'<section id="{hidden}"' not in html, hidden
        assert f'href="#{hidden}"' not in html, hidden
    assert '<section id="pipe"' in html and 'id="appendix"' in html
    for name in ("holdings", "reservoir_levels", "reservoir_buffers", "stock_flow"):
        assert f'id="fig-{name}"' not in html, name
    assert 'id="fig-repo_spread"' in html
    assert "<h1>Pipe watch</h1>" in html and "<title>Pipe watch · " in html


def test_figures_shown_are_numbered_from_one(pipe_only: tuple[Page, str]) -> None:
    _, html = pipe_only
    numbers = [int(n) for n in re.findall(r'<span class="fig-number">Figure (\d+)\.', html)]
    assert numbers == list(range(1, len(numbers) + 1))


# -- the PDF ----------------------------------------------------------------------------------
def test_chart_svgs_are_cached_by_spec(charts: dict[str, ChartBundle]) -> None:
    small = {"curve": charts["curve"]}
    first = chart_svgs(small)
    assert first["curve"].startswith("<svg")
    assert chart_svgs(small) == first
    # A copy of the bundle with an equal chart is the same spec: the same SVG.
    again = chart_svgs({"other": dataclasses.replace(charts["curve"])})
    assert again["other"] == first["curve"]


def test_a_chart_that_cannot_render_is_a_render_error_naming_it() -> None:
    class Broken:  # what Altair would hand over for a spec Vega-Lite cannot compile
        def to_dict(self, validate: bool = False) -> dict:
            return {"data": {"values": [{"x": 1}]}, "mark": "no-such-mark"}

    with pytest.raises(RenderError, match="'broken'"):
        chart_svgs({"broken": SimpleNamespace(chart=Broken())})


def test_print_html_embeds_every_chart_as_an_svg_image(context: dict[str, Any],
                                                       charts: dict[str, ChartBundle]) -> None:
    out = render_briefing_html_for_print(context, charts)
    assert "<script" not in out and "vega-runtime" not in out
    for name in charts:
        figure = out.split(f'id="fig-{name}"', 1)[1].split("</figure>", 1)[0]
        assert '<img src="data:image/svg+xml;base64,' in figure, name
        assert f"Data: data/{name}.csv in the web edition." in figure
    assert 'href="data/' not in out


@pytest.fixture(scope="module")
def pdf(context: dict[str, Any], charts: dict[str, ChartBundle]) -> bytes:
    return render_briefing_pdf(context, charts)


@pytest.fixture(scope="module")
def pdf_pages(pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path_factory.mktemp("pdf") / "briefing.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_pdf_renders_pages(pdf: bytes, pdf_pages: list[str],
                           tmp_path: Path) -> None:
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf_pages) > 5
    if shutil.which("pdfinfo") is not None:
        path = tmp_path / "briefing.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
        assert re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1) == str(
            len(pdf_pages))


def test_pdf_has_running_header_page_numbers_and_contents(page: Page,
                                                          pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    assert any("Contents" in text for text in pdf_pages[:2]) and f"Page 1 of {total}" in \
        pdf_pages[0]
    for number, text in enumerate(pdf_pages, start=1):
        assert f"Page {number} of {total}" in text, number
    for text in pdf_pages[1:]:
        assert f"As of {page.meta.as_of_long}" in text  # running header from page 2
    # Each contents entry gives the page its section starts on.
    contents = "\n".join(pdf_pages[:3])
    for entry in page.toc:
        match = re.search(re.escape(entry.title) + r"[ .]+(\d+)", contents)
        assert match, entry.title
        heading = entry.title.split(":")[0] if entry.id == "appendix" else entry.title
        start = int(match.group(1))
        assert re.search(r"^\s*" + re.escape(heading.split(" ", 1)[0]) + r"\s+"
                         + re.escape(heading.split(" ", 1)[1]), pdf_pages[start - 1],
                         re.MULTILINE), (entry.title, start)


def test_pdf_shows_every_figure_the_dates_and_the_front_page(page: Page, pdf_pages: list[str],
                                                             week: WeekAnalysis) -> None:
    text = re.sub(r"\s+", " ", " ".join(pdf_pages))
    numbers = [int(n) for n in re.findall(r"Figure (\d+)\. ", text)]
    assert numbers == [f.number for f in page.figures.values()]
    for fig in page.figures.values():
        assert f"Figure {fig.number}. {fig.title}." in text
    assert page.meta.as_of_long in text and page.meta.generated in text
    assert f"{week.composite.value:.0f}/100" in text
    assert "Plumbing dashboard" in text


# -- the PDF's page layout --------------------------------------------------------------------
# US Letter in points, less the print.css margins (20 mm top, 18 mm bottom).
_PAGE_TOP, _PAGE_BOTTOM = 56.7, 792.0 - 51.0
# A page other than the last may end early (a figure that does not fit goes on), but never
# in its upper half.
_MIN_FILL = 0.5
_LINE = re.compile(
    r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', re.S)


def _pdf_lines(pdf: bytes, tmp_path: Path) -> list[list[tuple[float, str]]]:
    """Each page's text lines inside the page margins (running header and footer left out),
    as (bottom in points, text), from ``pdftotext -bbox-layout``. Chart labels count: the
    SVG charts are drawn with real text."""
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for body in re.findall(r"<page .*?</page>", xml, re.S):
        lines = [(float(bottom), " ".join(re.findall(r">([^<]*)</word>", words)))
                 for _, bottom, words in _LINE.findall(body)]
        pages.append([(y, text) for y, text in lines if _PAGE_TOP < y < _PAGE_BOTTOM - 5])
    return pages


@pytest.fixture(scope="module")
def layout_pdfs() -> dict[date, tuple[Page, bytes]]:
    """The PDF of three sample weeks with a configured site title: the default date, a week
    with two notes under the masthead and two lines under 'This week', and an early week
    without the daily pipe data."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    settings = SimpleNamespace(site_title="Plumbing notes: a test title", sections=None)
    out = {}
    for as_of in (SAMPLE_AS_OF, date(2026, 1, 2), EARLY_2025):
        charts = sample_charts(as_of)
        page = build_page(sample_week(as_of), charts, settings, GENERATED_AT)
        out[as_of] = (page, render_briefing_pdf(page.to_context(), charts))
    return out


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2026, 1, 2), EARLY_2025])
def test_no_pdf_page_but_the_last_is_mostly_empty(layout_pdfs: dict[date, tuple[Page, bytes]],
                                                  as_of: date, tmp_path: Path) -> None:
    # Forced breaks left page 2 holding only the contents, and a page under the implications
    # holding only their caveat.
    pages = _pdf_lines(layout_pdfs[as_of][1], tmp_path)
    height = _PAGE_BOTTOM - _PAGE_TOP
    fills = [(max(y for y, _ in lines) - _PAGE_TOP) / height if lines else 0.0
             for lines in pages]
    assert all(fill >= _MIN_FILL for fill in fills[:-1]), [round(f, 2) for f in fills]


def _assert_front_on_page_one(page: Page, pdf: bytes, tmp_path: Path) -> None:
    lines = _pdf_lines(pdf, tmp_path)
    pages = [" ".join(text for _, text in page_lines) for page_lines in lines]
    first = pages[0]
    for heading in ("Balance-sheet phase", "What changed since", "Plumbing dashboard"):
        assert heading.lower() in first.lower(), heading
    for signal in page.front.signals:  # the whole dashboard, down to its coverage line
        assert signal.title in first, signal.title
    assert page.front.coverage.split(";")[0] in first
    # The contents close page 1, or open page 2 together with section 1: never a page alone.
    at = next(i for i, text in enumerate(pages) if "Contents" in text)
    assert at == 0 or (at == 1 and ("Phase assessment" in [text for _, text in lines[1]]))


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, date(2026, 1, 2), EARLY_2025])
def test_pdf_front_page_holds_the_whole_front(layout_pdfs: dict[date, tuple[Page, bytes]],
                                              as_of: date, tmp_path: Path) -> None:
    _assert_front_on_page_one(*layout_pdfs[as_of], tmp_path)


@pytest.mark.parametrize("as_of", [date(2019, 9, 19), date(2025, 11, 6)])
def test_pdf_front_page_of_a_stressed_real_week_holds_the_whole_front(
        real_dataset: Dataset, as_of: date, tmp_path: Path) -> None:
    """Stressed weeks have the longest page 1 (events, long verdicts); in 2019 most pipe
    sources did not exist yet, and each such row once carried a note of its own."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    week = analyse(real_dataset, as_of)
    charts = build_charts(week)
    page = build_page(week, charts, SimpleNamespace(site_title=None, sections=None),
                      GENERATED_AT)
    _assert_front_on_page_one(page, render_briefing_pdf(page.to_context(), charts), tmp_path)


def test_pdf_running_header_is_the_configured_title(
        layout_pdfs: dict[date, tuple[Page, bytes]], tmp_path: Path) -> None:
    page, pdf = layout_pdfs[SAMPLE_AS_OF]
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert page.meta.title == "Plumbing notes: a test title"
    for number, body in enumerate(pages[1:], start=2):
        header = body.strip().splitlines()[0]
        assert header.startswith(page.meta.title), (number, header)
        assert f"As of {page.meta.as_of_long}" in header
    assert "Fed liquidity & Treasury plumbing briefing" not in text


def test_print_css_forces_no_page_break_and_splits_no_flex_row() -> None:
    # A forced break left near-empty pages; WeasyPrint lays out a flex row that crosses a
    # page one column after the other, and repeats floats, so side-by-side blocks are tables.
    css = (templates_dir() / "print.css").read_text()
    assert not re.search(r"break-(before|after)\s*:\s*page", css)
    assert re.search(r"\.two-col[^{]*\{[^}]*display:\s*table;", css)
    assert "float:" not in css
