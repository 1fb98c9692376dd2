"""The build pipeline and the ``reportgen build`` command, with fake analysis and rendering
(the real ones are exercised end to end in test_golden.py and test_browser.py)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime
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

NOW = datetime(2026, 9, 4, 6, 0, tzinfo=UTC)
SAMPLE_AS_OF = date(2026, 9, 3)  # the sample's newest H.4.1 week (2 Sep) is public on 3 Sep


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
    week = "briefings/2026-09-03"
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
    assert [n.split(":")[0] for n in result.notes] == [
        "No network", f"The store {tmp_path / 'db.sqlite'} is empty"]


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
    assert alone.brief["changes"]["since"] == "2026-08-27"
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


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
    assert f"Briefing as of 2026-09-03 written to {tmp_path / 'site'}/briefings/2026-09-03/" in out
    assert "files: brief.json, briefing.html, briefing.pdf, 2 chart CSV(s) in data/" in out
    assert "Data: bundled sample" in out
    assert "newest as of 2026-09-03: WALCL 2026-09-02" in out
    assert "Done in" in out
    err = result.stderr
    assert "[ 1/9] Fetching new data: skipped (--sample" in err
    assert "[ 3/9] Analysing the week (phase, signals, reservoir) ... " in err
    assert "[ 9/9] Writing the site ... " in err


def test_build_command_says_when_there_is_no_network(tmp_path: Path, fake_build: Calls) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "build", "--out",
                                      str(tmp_path / "site"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "note: No network" in result.stderr
    assert "Note: No network: nothing could be fetched" in result.stdout
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
    week = tmp_path / "site" / "briefings" / "2026-09-03"
    assert (week / "briefing.html").is_file() and (week / "brief.json").is_file()
    assert (tmp_path / "site" / "assets" / "vega-runtime.js").is_file()
    brief = json.loads((week / "brief.json").read_text())
    assert brief["files"]["pdf"] is None and len(brief["charts"]) >= 5
    assert len(list((week / "data").glob("*.csv"))) == len(brief["charts"])


def test_the_week_is_analysed_once_per_build(tmp_path: Path) -> None:
    """One analysis feeds the charts, the page and brief.json (the week before included)."""
    calls = Calls()
    result = build(settings_for(tmp_path), BuildOptions(sample=True),
                   components=fake_components(calls), now=NOW)
    assert calls.analysed == [SAMPLE_AS_OF]
    assert len(calls.pages) == 1 and calls.pages[0].meta.as_of == SAMPLE_AS_OF.isoformat()
    composite = result.brief["changes"]["composite"]
    assert composite["status_before"] is not None and composite["value_after"] == \
        result.week.composite.value
