"""The build pipeline and the ``reportgen build`` command, with fake analysis and rendering
(the real ones are exercised end to end in test_golden.py and test_browser.py)."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from reportgen.cli import build_commands, cli
from reportgen.config import Settings, load_settings
from reportgen.errors import DataUnavailableError, NetworkError, RenderError
from reportgen.pipeline import STAGES, BuildOptions, ProgressEvent, build
from reportgen.sample import SAMPLE_ASSEMBLED
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store
from tests.build_fakes import Calls, fake_components
from tests.factories import GENERATED_AT, SAMPLE_AS_OF

# The sample now runs to Sep/Oct 2026: its newest H.4.1 week (16 Sep 2026) is public on 17 Sep
# (SAMPLE_AS_OF), and a build's default date is capped at today, so NOW is after it.
NOW = GENERATED_AT
assert NOW.date() > SAMPLE_AS_OF == date(2026, 9, 17)
WEEK_DIR = f"briefings/{SAMPLE_AS_OF.isoformat()}"


def settings_for(tmp_path: Path, **kw: Any) -> Settings:
    return load_settings({"db_path": tmp_path / "db.sqlite", "output_dir": tmp_path / "out",
                          **kw}, env={})


def populated_store(path: Path) -> Store:
    from reportgen.sample import sample_dir

    store = Store.open(path)
    import_files(store, csv_files(sample_dir()), SAMPLE_ASSEMBLED, origin="test")
    return store


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# -- data selection --------------------------------------------------------------------------------
def test_sample_build_writes_the_whole_site(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    calls = Calls()
    result = build(settings_for(tmp_path), BuildOptions(sample=True),
                   components=fake_components(calls), progress=events.append, now=NOW)
    assert result.as_of == SAMPLE_AS_OF
    assert result.data.kind == "sample" and calls.fetches == 0
    assert not (tmp_path / "db.sqlite").exists()  # --sample never touches the store
    files = set(tree(tmp_path / "out"))
    week = WEEK_DIR
    assert {f"{week}/briefing.html", f"{week}/briefing.pdf", f"{week}/brief.json",
            f"{week}/data/total_assets.csv", f"{week}/data/second.csv", "index.html",
            "archive.html", "feed.xml", "assets/vega-runtime.js"} <= files
    done = [e.stage for e in events if e.state == "done"]
    assert done == ["load", "analyse", "charts", "page", "brief", "html", "pdf", "publish"]
    assert [e.stage for e in events if e.state == "skip"] == ["fetch"]
    assert set(result.timings) == set(done)
    assert all(e.total == len(STAGES) for e in events)


def test_offline_without_a_store_uses_the_sample_and_creates_no_store(tmp_path: Path) -> None:
    calls = Calls()
    result = build(settings_for(tmp_path), BuildOptions(offline=True),
                   components=fake_components(calls), now=NOW)
    assert result.data.kind == "sample" and calls.fetches == 0
    assert any("is absent: using the bundled sample" in n for n in result.notes)
    assert not (tmp_path / "db.sqlite").exists()


def test_offline_with_a_populated_store_uses_the_store(tmp_path: Path) -> None:
    populated_store(tmp_path / "db.sqlite").close()
    result = build(settings_for(tmp_path), BuildOptions(offline=True),
                   components=fake_components(), now=NOW)
    assert result.data.kind == "store" and result.notes == ()
    assert result.brief["data"]["kind"] == "store"
    # A published brief never names a folder of the machine that built it.
    assert str(tmp_path) not in json.dumps(result.brief)


def test_no_network_says_so_and_uses_the_store(tmp_path: Path) -> None:
    populated_store(tmp_path / "db.sqlite").close()
    calls = Calls()
    result = build(settings_for(tmp_path), components=fake_components(calls), now=NOW)
    assert calls.fetches == 1
    assert result.data.kind == "store"
    assert any(n.startswith("No network") for n in result.notes)


def test_no_network_and_an_empty_store_fall_back_to_the_sample(tmp_path: Path) -> None:
    result = build(settings_for(tmp_path), components=fake_components(), now=NOW)
    assert result.data.kind == "sample"
    # One note says both what failed first and the fallback (it used to be two notes).
    assert len(result.notes) == 1
    assert result.notes[0].startswith(
        f"No network: nothing could be fetched, and the store {tmp_path / 'db.sqlite'} is "
        "empty: using the bundled sample")


def test_a_source_failing_as_a_whole_does_not_stop_the_build(tmp_path: Path) -> None:
    populated_store(tmp_path / "db.sqlite").close()
    failure = NetworkError("nyfed", "connection refused")
    result = build(settings_for(tmp_path), components=fake_components(fetch_result=failure),
                   now=NOW)
    assert result.data.kind == "store"
    assert any("Fetching failed (nyfed: connection refused)" in n for n in result.notes)


def test_failed_items_are_listed_in_the_notes(tmp_path: Path) -> None:
    populated_store(tmp_path / "db.sqlite").close()
    failed = SimpleNamespace(task=SimpleNamespace(source="fred", item="WALCL"))
    summary = SimpleNamespace(offline=False, failures=[failed], results=[failed], rows_added=0)
    result = build(settings_for(tmp_path), components=fake_components(fetch_result=summary),
                   now=NOW)
    assert result.notes == ("1 item(s) could not be fetched (fred/WALCL); their last stored "
                            "values are used.",)


# -- weeks, previous brief, reproducibility -------------------------------------------------------
def test_the_previous_published_briefing_is_linked(tmp_path: Path) -> None:
    calls = Calls()
    components = fake_components(calls)
    build(settings_for(tmp_path), BuildOptions(sample=True, as_of=date(2026, 8, 27)),
          components=components, now=NOW)
    result = build(settings_for(tmp_path), BuildOptions(sample=True), components=components,
                   now=NOW)
    assert result.brief["previous"]["as_of"] == "2026-08-27"
    assert result.brief["previous"]["path"] == "../2026-08-27/brief.json"
    assert result.publish.weeks == (date(2026, 8, 27), SAMPLE_AS_OF)


def test_changes_are_read_against_the_week_before_from_the_same_data(tmp_path: Path) -> None:
    """What changed does not depend on which weeks happen to be in the site: the week before
    is computed from the same data, so a rebuilt week reads the same as the original."""
    alone = build(settings_for(tmp_path / "a"), BuildOptions(sample=True),
                  components=fake_components(), now=NOW)
    components = fake_components()
    build(settings_for(tmp_path / "b"), BuildOptions(sample=True, as_of=date(2026, 8, 13)),
          components=components, now=NOW)
    after = build(settings_for(tmp_path / "b"), BuildOptions(sample=True),
                  components=components, now=NOW)
    assert alone.brief["previous"] is None
    # The week before the default date (17 Sep 2026), not the previous briefing in the site.
    assert alone.brief["changes"]["since"] == "2026-09-10"
    assert after.brief["changes"] == alone.brief["changes"]


def test_rebuilding_a_past_week_reproduces_it_and_keeps_the_index(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    components = fake_components()
    past = BuildOptions(sample=True, as_of=date(2026, 8, 27))
    build(settings, past, components=components, now=NOW)
    first = tree(tmp_path / "out" / "briefings" / "2026-08-27")
    build(settings, BuildOptions(sample=True), components=components, now=NOW)
    index = (tmp_path / "out" / "index.html").read_bytes()
    result = build(settings, past, components=components, now=NOW)
    assert result.publish.replaced
    assert tree(tmp_path / "out" / "briefings" / "2026-08-27") == first
    assert (tmp_path / "out" / "index.html").read_bytes() == index


def test_a_past_week_uses_only_data_public_by_then(tmp_path: Path) -> None:
    result = build(settings_for(tmp_path), BuildOptions(sample=True, as_of=date(2026, 1, 15)),
                   components=fake_components(), now=NOW)
    items = {i["id"]: i for i in result.brief["data"]["items"]}
    assert items["WALCL"]["last"] == "2026-01-14"
    assert max(i["last"] for i in items.values() if i["last"]) <= "2026-01-15"


def test_as_of_before_the_data_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match="before the first data"):
        build(settings_for(tmp_path), BuildOptions(sample=True, as_of=date(1990, 1, 1)),
              components=fake_components(), now=NOW)


# -- formats ------------------------------------------------------------------------------------
def test_json_only_build_skips_html_and_pdf(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    result = build(settings_for(tmp_path), BuildOptions(sample=True, formats=("json",)),
                   components=fake_components(), progress=events.append, now=NOW)
    files = set(tree(result.week_dir))
    assert files == {"brief.json", "data/total_assets.csv", "data/second.csv"}
    assert {e.stage for e in events if e.state == "skip"} == {"fetch", "html", "pdf"}
    assert result.brief["files"] == {"html": None, "pdf": None, "json": "brief.json",
                                     "data": "data/"}
    assert not (tmp_path / "out" / "assets").exists()


def test_formats_come_from_the_settings_unless_given(tmp_path: Path) -> None:
    result = build(settings_for(tmp_path, formats=("html",)), BuildOptions(sample=True),
                   components=fake_components(), now=NOW)
    assert result.formats == ("html",)
    assert not (result.week_dir / "briefing.pdf").exists()


# -- failures leave the site as it was ------------------------------------------------------------
@pytest.mark.parametrize("stage", ["charts", "html", "pdf", "page"])
def test_a_failing_stage_leaves_the_site_untouched(tmp_path: Path, stage: str) -> None:
    settings = settings_for(tmp_path)
    build(settings, BuildOptions(sample=True, as_of=date(2026, 8, 27)),
          components=fake_components(), now=NOW)
    before = tree(tmp_path / "out")

    def broken(*args: Any) -> Any:
        raise RenderError(f"{stage} broke")

    with pytest.raises(RenderError, match=f"{stage} broke"):
        build(settings, BuildOptions(sample=True),
              components=fake_components(None, None, **{stage: broken}), now=NOW)
    assert tree(tmp_path / "out") == before
    # Publishing locks the output folder itself: no lock file is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_vega_runtime_is_produced_once(tmp_path: Path) -> None:
    calls = Calls()
    components = fake_components(calls)
    for day in (date(2026, 8, 20), date(2026, 8, 27)):
        build(settings_for(tmp_path), BuildOptions(sample=True, as_of=day),
              components=components, now=NOW)
    assert calls.asset_builds == 1


# -- the command ---------------------------------------------------------------------------------
@pytest.fixture()
def fake_build(monkeypatch: pytest.MonkeyPatch) -> Calls:
    calls = Calls()
    monkeypatch.setattr(build_commands, "run_build",
                        functools.partial(build, components=fake_components(calls)))
    return calls


def test_build_command_reports_stages_files_data_and_freshness(tmp_path: Path,
                                                               fake_build: Calls) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "build", "--sample",
                                 "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Briefing as of 2026-09-17 written to {tmp_path / 'site'}/{WEEK_DIR}/" in out
    assert "files: brief.json, briefing.html, briefing.pdf, 2 chart CSV(s) in data/" in out
    assert "Data: bundled sample" in out
    assert "newest as of 2026-09-17: WALCL 2026-09-16" in out
    assert "Done in" in out
    err = result.stderr
    assert "[ 1/10] Fetching new data: skipped (--sample" in err
    assert "[ 3/10] Analysing the week (phase, signals, reservoir) ... " in err
    assert "[10/10] Writing the site ... " in err


def test_build_command_says_when_there_is_no_network(tmp_path: Path, fake_build: Calls) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "build", "--out",
                                      str(tmp_path / "site"), "--format", "json"])
    assert result.exit_code == 0, result.output
    # Said once, in the closing summary (the data notes are not repeated as progress notes).
    assert result.stdout.count("Note: No network: nothing could be fetched") == 1
    assert "No network" not in result.stderr
    assert fake_build.fetches == 1


def test_build_command_rejects_an_unknown_format(tmp_path: Path, fake_build: Calls) -> None:
    result = CliRunner().invoke(cli, ["build", "--sample", "--format", "html,docx"])
    assert result.exit_code == 2
    assert "unknown format docx" in result.output


def test_build_command_maps_domain_errors_to_one_line(tmp_path: Path, fake_build: Calls) -> None:
    result = CliRunner().invoke(cli, ["build", "--sample", "--as-of", "1990-01-01", "--out",
                                      str(tmp_path / "site")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Error: --as-of 1990-01-01 is before")


def test_build_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "reportgen build --sample --out /tmp/site" in \
        result.output


def test_brief_json_on_disk_matches_the_result(tmp_path: Path) -> None:
    result = build(settings_for(tmp_path), BuildOptions(sample=True),
                   components=fake_components(), now=NOW)
    on_disk = json.loads((result.week_dir / "brief.json").read_text())
    assert on_disk == result.brief


def test_offline_in_the_settings_skips_the_fetch(tmp_path: Path) -> None:
    calls = Calls()
    result = build(settings_for(tmp_path, offline=True), components=fake_components(calls),
                   now=NOW)
    assert calls.fetches == 0 and result.data.kind == "sample"


def test_build_command_end_to_end_with_the_real_briefing(tmp_path: Path) -> None:
    """The command wired to the real analysis, charts and templates (no PDF, for speed)."""
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "build", "--sample",
                                      "--out", str(tmp_path / "site"), "--format", "html,json"])
    assert result.exit_code == 0, result.output
    week = tmp_path / "site" / WEEK_DIR
    assert (week / "briefing.html").is_file() and (week / "brief.json").is_file()
    assert (tmp_path / "site" / "assets" / "vega-runtime.js").is_file()
    brief = json.loads((week / "brief.json").read_text())
    assert brief["files"]["pdf"] is None and len(brief["charts"]) >= 5
    assert len(list((week / "data").glob("*.csv"))) == len(brief["charts"])


#: The analysis functions a build may call only inside its "analyse" stage (module, function).
ANALYSIS = (
    ("reportgen.analysis.week", "analyse"),
    ("reportgen.analysis.signals.dashboard", "compute_dashboard"),
    ("reportgen.analysis.signals.dashboard", "compute_frames"),
    ("reportgen.analysis.signals.dashboard", "signal_history"),
    ("reportgen.analysis.phase", "assess"),
    ("reportgen.analysis.reservoir", "reservoir"),
    ("reportgen.analysis.events", "week_extremes"),
    ("reportgen.analysis.events", "coverage"),
    ("reportgen.analysis.frames", "chart_frames"),
    ("reportgen.analysis.implications", "read_implications"),
)


def spy_on_the_analysis(monkeypatch: pytest.MonkeyPatch,
                        stage: list[str | None]) -> list[tuple[str, str | None, Any]]:
    """Wrap every analysis function wherever a module of reportgen holds it, recording
    (function, the build stage running, its date argument) for each call."""
    import importlib
    import sys

    calls: list[tuple[str, str | None, Any]] = []
    for module_name, name in ANALYSIS:
        original = getattr(importlib.import_module(module_name), name)

        def spy(*args: Any, __original: Any = original, __name: str = name,
                **kwargs: Any) -> Any:
            when = next((a for a in args if isinstance(a, date)), None)
            calls.append((__name, stage[0], when))
            return __original(*args, **kwargs)

        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("reportgen") and \
                    getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, spy)
    return calls


def test_the_week_is_analysed_once_per_build(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """One analysis feeds the charts, the page and brief.json (the week before included): the
    week is analysed exactly once, in the analyse stage, and no view computes any of it again.
    The charts and the page are the real ones here (only HTML, PDF and assets are fakes)."""
    from reportgen.charts import build_charts

    stage: list[str | None] = [None]

    def progress(event: ProgressEvent) -> None:
        if event.state == "start":
            stage[0] = event.stage
        elif event.state == "done":
            stage[0] = None

    spied = spy_on_the_analysis(monkeypatch, stage)
    calls = Calls()
    result = build(settings_for(tmp_path), BuildOptions(sample=True, formats=("html", "json")),
                   components=fake_components(calls, charts=build_charts), progress=progress,
                   now=NOW)
    assert calls.analysed == [SAMPLE_AS_OF]
    assert [(n, s, d) for n, s, d in spied if n == "analyse"] == [
        ("analyse", "analyse", SAMPLE_AS_OF)]
    # Nothing of the analysis runs outside the analyse stage: no view re-analyses the week.
    assert {s for _, s, _ in spied} == {"analyse"}, [c for c in spied if c[1] != "analyse"]
    # Inside it the signals' frames are computed once (the week before is read from the same
    # frames); the phase is assessed for the date and for the week before, each once.
    assert [n for n, _, _ in spied].count("compute_frames") == 1
    assert [d for n, _, d in spied if n == "assess"] == [SAMPLE_AS_OF,
                                                         SAMPLE_AS_OF - timedelta(days=7)]
    assert [n for n, _, _ in spied].count("chart_frames") == 1
    assert len(calls.pages) == 1 and calls.pages[0].meta.as_of == SAMPLE_AS_OF.isoformat()
    # brief.json and the page are views of that one analysis.
    assert result.week.week_before is not None
    composite = result.brief["changes"]["composite"]
    assert composite["status_before"] == result.week.week_before.dashboard.composite.status
    assert composite["value_after"] == result.week.composite.value
    assert result.brief["page"]["front"]["lead"] == list(calls.pages[0].front.lead)


# -- a range of weeks in one process -------------------------------------------------------------
RANGE = [date(2026, 9, 3), date(2026, 9, 10), SAMPLE_AS_OF]


def test_a_week_range_is_the_h41_release_days_in_it() -> None:
    from reportgen.pipeline import WeekRange
    from tests.factories import sample_dataset

    ds = sample_dataset()
    today = NOW.date()
    # Every Thursday on which an H.4.1 week became public, oldest first.
    assert WeekRange(date(2026, 9, 1), date(2026, 9, 20)).days(ds, today) == RANGE
    assert WeekRange(weeks=3).days(ds, today) == RANGE
    assert WeekRange(last=date(2026, 9, 16), weeks=2).days(ds, today) == RANGE[:2]
    # A range past the data ends with the data; one without any release day says so.
    assert WeekRange(date(2026, 9, 10), today).days(ds, today) == RANGE[1:]
    with pytest.raises(DataUnavailableError, match="no H.4.1 release day in 2026-09-18 to"):
        WeekRange(date(2026, 9, 18), today).days(ds, today)


def test_a_range_rebuild_writes_what_one_build_per_week_writes(tmp_path: Path) -> None:
    from reportgen.pipeline import WeekRange, build_range

    weeks: list[Any] = []
    ranged = build_range(settings_for(tmp_path / "a"), WeekRange(RANGE[0], RANGE[-1]),
                         BuildOptions(sample=True), components=fake_components(),
                         on_week=weeks.append, now=NOW)
    for day in RANGE:
        build(settings_for(tmp_path / "b"), BuildOptions(sample=True, as_of=day),
              components=fake_components(), now=NOW)
    assert [w.as_of for w in weeks] == RANGE and not ranged.failed
    assert [(w.index, w.total) for w in weeks] == [(1, 3), (2, 3), (3, 3)]
    assert tree(tmp_path / "a" / "out") == tree(tmp_path / "b" / "out")


def test_a_range_rebuild_reuses_each_week_s_phase_assessment_as_the_next_week_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real analysis: each week is analysed once, and the week before of the next is
    the same assessment (one per date, not two), equal to what a single build computes."""
    from reportgen.pipeline import WeekRange, _default_analyse, build_range

    stage: list[str | None] = [None]
    spied = spy_on_the_analysis(monkeypatch, stage)
    weeks: list[Any] = []
    build_range(settings_for(tmp_path), WeekRange(RANGE[0], RANGE[-1]),
                BuildOptions(sample=True, formats=("json",)),
                components=fake_components(analyse=_default_analyse), on_week=weeks.append,
                now=NOW)
    assessed = [d for n, _, d in spied if n == "assess"]
    assert assessed == [RANGE[0], RANGE[0] - timedelta(days=7), RANGE[1], RANGE[2]]
    single = build(settings_for(tmp_path / "single"),
                   BuildOptions(sample=True, as_of=RANGE[-1], formats=("json",)),
                   components=fake_components(), now=NOW)
    last = weeks[-1].result
    assert last.week.week_before.assessment == single.week.week_before.assessment
    assert last.brief["changes"] == single.brief["changes"]


def test_a_week_that_fails_in_a_range_is_reported_and_the_others_are_published(
        tmp_path: Path) -> None:
    from reportgen.pipeline import WeekRange, build_range
    from tests.build_fakes import fake_pdf

    def pdf(context: dict[str, Any], charts: Any) -> bytes:
        if context["meta"].as_of == RANGE[1].isoformat():
            raise RenderError("the layout broke")
        return fake_pdf(context, charts)

    result = build_range(settings_for(tmp_path), WeekRange(RANGE[0], RANGE[-1]),
                         BuildOptions(sample=True), components=fake_components(pdf=pdf),
                         now=NOW)
    assert [(w.as_of, w.error) for w in result.failed] == [(RANGE[1], "the layout broke")]
    published = sorted(p.name for p in (tmp_path / "out" / "briefings").iterdir())
    assert published == [RANGE[0].isoformat(), RANGE[2].isoformat()]


@pytest.fixture()
def fake_range(monkeypatch: pytest.MonkeyPatch) -> Calls:
    from reportgen.pipeline import build_range

    calls = Calls()
    monkeypatch.setattr(build_commands, "run_build_range",
                        functools.partial(build_range, components=fake_components(calls)))
    return calls


def test_build_command_rebuilds_a_range_with_a_line_per_week(tmp_path: Path,
                                                             fake_range: Calls) -> None:
    result = CliRunner().invoke(cli, ["build", "--sample", "--as-of-range",
                                      "2026-09-01:2026-09-20", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert fake_range.analysed == RANGE
    for index, day in enumerate(RANGE, start=1):
        assert f"[ {index}/3] {day}: written (" in result.stderr
    assert ("Rebuilt 3 week(s) from 2026-09-03 to 2026-09-17 into "
            f"{tmp_path / 'site'}/: 3 written") in result.stdout
    assert "3 week(s) in the archive" in result.stdout
    assert "start to exit (3 week(s)" in result.stdout


def test_build_command_weeks_counts_back_from_as_of(tmp_path: Path, fake_range: Calls) -> None:
    result = CliRunner().invoke(cli, ["build", "--sample", "--weeks", "2", "--as-of",
                                      "2026-09-16", "--out", str(tmp_path / "site"), "-q"])
    assert result.exit_code == 0, result.output
    assert fake_range.analysed == RANGE[:2]
    assert "written" not in result.stderr  # --quiet: only failures and the summary


def test_build_command_range_exits_1_naming_the_weeks_that_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.pipeline import build_range

    def pdf(context: dict[str, Any], charts: Any) -> bytes:
        raise RenderError("no fonts")

    monkeypatch.setattr(build_commands, "run_build_range",
                        functools.partial(build_range, components=fake_components(pdf=pdf)))
    result = CliRunner().invoke(cli, ["build", "--sample", "--weeks", "2", "--out",
                                      str(tmp_path / "site")])
    assert result.exit_code == 1
    assert "[ 1/2] 2026-09-10: not built: no fonts" in result.stderr
    assert result.output.splitlines()[-1] == (
        "Error: 2 of 2 week(s) could not be built (listed above); the others are in the site")


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of-range", "2026-09-20:2026-09-01"], "2026-09-20 is after 2026-09-01"),
    (["--as-of-range", "2026-09-01"], "is not FIRST:LAST"),
    (["--as-of-range", "2026-09-01:2999-01-01"], "2999-01-01 is after today"),
    (["--as-of-range", "2026-09-01:2026-09-20", "--weeks", "3"], "takes neither --as-of"),
    (["--weeks", "0"], "0 is not in the range x>=1"),
])
def test_build_command_refuses_a_bad_range(args: list[str], message: str,
                                           fake_range: Calls) -> None:
    result = CliRunner().invoke(cli, ["build", "--sample", *args])
    assert result.exit_code == 2
    assert message in result.output and fake_range.analysed == []


def test_the_done_line_counts_the_whole_run(tmp_path: Path, fake_build: Calls) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "build", "--sample",
                                      "--out", str(tmp_path / "site")])
    done = result.stdout.splitlines()[-1]
    assert done.startswith("Done in ") and ", start to exit (start-up " in done
    # Its parts are the start-up, every stage that ran, and the rest ("other").
    for stage in ("load", "analyse", "charts", "page", "brief", "html", "pdf", "publish"):
        assert f" {stage} " in done


def test_the_real_analysis_reads_the_week_before_once_the_charts_are_drawn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The charts do not use the week before, so the build draws them (and starts their SVGs)
    first; the week before is then read in its own stage, with the same result as analyse."""
    from reportgen.analysis.week import analyse
    from reportgen.pipeline import _default_analyse
    from tests.factories import sample_dataset

    stage: list[str | None] = [None]
    events: list[ProgressEvent] = []

    def progress(event: ProgressEvent) -> None:
        events.append(event)
        stage[0] = event.stage if event.state == "start" else None

    spied = spy_on_the_analysis(monkeypatch, stage)
    result = build(settings_for(tmp_path), BuildOptions(sample=True, formats=("json",)),
                   components=fake_components(analyse=_default_analyse), progress=progress,
                   now=NOW)
    done = [e.stage for e in events if e.state == "done"]
    assert done == ["load", "analyse", "charts", "before", "page", "brief", "publish"]
    assert [(d, s) for n, s, d in spied if n == "assess"] == [
        (SAMPLE_AS_OF, "analyse"), (SAMPLE_AS_OF - timedelta(days=7), "before")]
    whole = analyse(sample_dataset(), SAMPLE_AS_OF)
    assert whole.week_before is not None and result.week.week_before is not None
    assert result.week.week_before.assessment == whole.week_before.assessment
    assert result.week.week_before.extremes == whole.week_before.extremes
