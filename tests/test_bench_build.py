"""Benchmarks of ``reportgen build`` (``make bench``; skipped by ``make test``).

Whole processes, timed from outside, in alternated rounds (A B A B ...) so that a machine
shared with other work slows both sides alike, and reported as medians with their range:

* start-up: ``reportgen --help`` and ``reportgen data status``;
* a warm build (the site and its Vega runtime exist) against the *floor*, the work no build of
  the same document can avoid, in one process (``tests/bench_floor.py``: import vl-convert and
  WeasyPrint, convert the same chart specs to SVG, lay out and write the same print HTML), from
  the bundled sample and from a store with the real history; the ratio is build / floor;
* a range rebuild (``build --weeks N``, one process) against N single builds (``build
  --as-of``, one process each), the way the publish workflow rebuilds a lost archive.

Then, in process, each stage of a build on its own (analysis, charts, page, HTML, PDF) and the
whole build without the interpreter's start-up.

The store with the real history is ``REPORTGEN_BENCH_DB`` (a store file, copied first) or
../shared/data/real imported; without either the real-store benchmarks skip. Rounds:
``REPORTGEN_BENCH_ROUNDS`` (7), range weeks ``REPORTGEN_BENCH_WEEKS`` (26) and its rounds
``REPORTGEN_BENCH_RANGE_ROUNDS`` (2). Each benchmark prints its table and keeps its figures in
``extra_info`` (``--benchmark-json``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.analysis.thresholds import DEFAULT
from reportgen.config import Settings, load_settings
from reportgen.dataset import Dataset
from reportgen.pipeline import BuildOptions, Components, build
from reportgen.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
ROUNDS = int(os.environ.get("REPORTGEN_BENCH_ROUNDS", "7"))
RANGE_WEEKS = int(os.environ.get("REPORTGEN_BENCH_WEEKS", "26"))
RANGE_ROUNDS = int(os.environ.get("REPORTGEN_BENCH_RANGE_ROUNDS", "2"))
#: The checkout under test, whatever an editable install points at.
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


# -- whole processes ---------------------------------------------------------------------------
def reportgen(*args: str | Path) -> list[str]:
    """The console script's entry point (``reportgen.cli:main``) run from this checkout."""
    return [sys.executable, "-c", "from reportgen.cli import main; main()", *map(str, args)]


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True,
                            timeout=1800)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    return seconds


def stats(times: list[float]) -> dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": len(times)}


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes) where /proc tells it: other work on a shared
    machine slows a build, which uses two cores, more than the floor, which uses one."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def alternate(benchmark: Any, commands: dict[str, list[str]], cwd: Path,
              rounds: int) -> dict[str, dict[str, float]]:
    """Run ``commands`` one after the other, ``rounds`` times (the order is reversed every
    other round), and return each one's median, min and max wall time."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    order = list(commands)

    def one_round() -> None:
        for name in order:
            times[name].append(wall(commands[name], cwd))
        order.reverse()

    benchmark.extra_info["load_before"] = load_average()
    benchmark.pedantic(one_round, rounds=rounds, iterations=1)
    benchmark.extra_info["load_after"] = load_average()
    return {name: stats(values) for name, values in times.items()}


def report(benchmark: Any, title: str, figures: dict[str, dict[str, float]],
           ratio: tuple[str, str] | None = None) -> None:
    print(f"\n{title} (whole processes, {next(iter(figures.values()))['runs']:.0f} alternated "
          f"rounds; seconds; load average before {benchmark.extra_info.get('load_before')}, "
          f"after {load_average()})")
    for name, fig in figures.items():
        print(f"  {name:<28} median {fig['median']:6.2f}   range {fig['min']:.2f}-"
              f"{fig['max']:.2f}")
        benchmark.extra_info.update({f"{name}_{k}": round(v, 3) for k, v in fig.items()})
    if ratio:
        value = figures[ratio[0]]["median"] / figures[ratio[1]]["median"]
        benchmark.extra_info[f"ratio_{ratio[0]}_to_{ratio[1]}"] = round(value, 3)
        print(f"  ratio {ratio[0]} / {ratio[1]} = {value:.2f} (medians)")


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the real history: REPORTGEN_BENCH_DB copied, else ../shared/data/real."""
    from tests.conftest import REAL_DATA

    path = tmp_path_factory.mktemp("bench-real") / "real.sqlite"
    given = os.environ.get("REPORTGEN_BENCH_DB")
    if given:
        shutil.copyfile(given, path)
    elif REAL_DATA.is_dir():
        from reportgen.sources.csvfiles import csv_files, import_files

        store = Store.open(path)
        import_files(store, csv_files(REAL_DATA), datetime(2026, 11, 22))
        store.close()
    else:
        pytest.skip("no real history: set REPORTGEN_BENCH_DB or provide ../shared/data/real")
    return path


@dataclass(frozen=True)
class Floor:
    """The floor's inputs for one document: the static chart specs and the print HTML."""

    specs: Path
    html: Path

    def command(self, out: Path) -> list[str]:
        from reportgen.render.html import templates_dir

        root = templates_dir()
        return [sys.executable, str(ROOT / "tests" / "bench_floor.py"), str(self.specs),
                str(self.html), str(root / "print.css"), str(root), str(out)]


def floor_inputs(folder: Path, settings: Settings, options: BuildOptions) -> Floor:
    """What the build's print worker receives, captured from an in-process build of the same
    week: each chart's static spec, and the print HTML with a marker where each SVG goes."""
    from reportgen.charts.base import chart_spec, static_spec
    from reportgen.render.html import render

    captured: dict[str, Any] = {}

    def capture(context: Any, charts: Any) -> bytes:
        captured["specs"] = {n: static_spec(chart_spec(b.chart)) for n, b in charts.items()}
        captured["html"] = render(context, mode="pdf", asset_prefix="", csv_prefix="",
                                  specs_json="",
                                  svgs={n: f"reportgen-floor-svg-{n}" for n in charts})
        return b"%PDF-1.4\n%%EOF\n"

    components = Components(pdf=capture, warm_up_pdf=lambda: None,
                            prefetch_pdf_charts=lambda charts: None)
    build(settings, options, components=components, now=NOW)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "specs.json").write_text(json.dumps(captured["specs"]), encoding="utf-8")
    (folder / "print.html").write_text(captured["html"], encoding="utf-8")
    return Floor(folder / "specs.json", folder / "print.html")


# -- start-up ----------------------------------------------------------------------------------
@pytest.mark.benchmark(group="start-up")
def test_bench_start_up(benchmark: Any, real_db: Path, tmp_path: Path) -> None:
    figures = alternate(benchmark, {
        "reportgen --help": reportgen("--help"),
        "reportgen data status": reportgen("--db", real_db, "data", "status"),
        "python -c pass": [sys.executable, "-c", "pass"],
    }, tmp_path, ROUNDS)
    report(benchmark, "start-up", figures)


# -- a warm build against the floor --------------------------------------------------------------
@pytest.mark.benchmark(group="build-vs-floor")
@pytest.mark.parametrize("source", ["sample", "real store"])
def test_bench_warm_build_against_the_floor(benchmark: Any, source: str, tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    site = tmp_path / "site"
    if source == "sample":
        args: list[str | Path] = ["build", "--sample", "--out", site]
        settings = load_settings({"output_dir": tmp_path / "capture"}, env={})
        options = BuildOptions(sample=True)
    else:
        db = request.getfixturevalue("real_db")
        args = ["--db", db, "build", "--offline", "--out", site]
        settings = load_settings({"db_path": db, "output_dir": tmp_path / "capture",
                                  "offline": True}, env={})
        options = BuildOptions()
    floor = floor_inputs(tmp_path / "floor", settings, options)
    wall(reportgen(*args), tmp_path)  # warm: the site and its assets exist
    figures = alternate(benchmark, {
        "floor": floor.command(tmp_path / "floor.pdf"),
        f"build ({source})": reportgen(*args),
    }, tmp_path, ROUNDS)
    report(benchmark, f"warm build from the {source} against the floor", figures,
           ratio=(f"build ({source})", "floor"))


# -- a range rebuild against one build per week ---------------------------------------------------
@pytest.mark.benchmark(group="range")
def test_bench_range_rebuild_against_single_builds(benchmark: Any, real_db: Path,
                                                   tmp_path: Path) -> None:
    from reportgen.pipeline import WeekRange

    store = Store.open(real_db)
    dataset = Dataset.from_store(store)
    store.close()
    days = WeekRange(weeks=RANGE_WEEKS).days(dataset, date.today())
    singles = [reportgen("--db", real_db, "build", "--offline", "--quiet", "--as-of", day,
                         "--out", tmp_path / "singles") for day in days]
    ranged = reportgen("--db", real_db, "build", "--offline", "--quiet", "--weeks",
                       len(days), "--as-of", days[-1], "--out", tmp_path / "range")
    times: dict[str, list[float]] = {"range": [], "singles": []}
    flip = [False]

    def one_round() -> None:
        def run_singles() -> None:
            times["singles"].append(sum(wall(c, tmp_path) for c in singles))

        def run_range() -> None:
            times["range"].append(wall(ranged, tmp_path))

        steps: list[Callable[[], None]] = [run_singles, run_range]
        for step in (reversed(steps) if flip[0] else steps):
            step()
        flip[0] = not flip[0]

    benchmark.extra_info["load_before"] = load_average()
    benchmark.pedantic(one_round, rounds=RANGE_ROUNDS, iterations=1)
    figures = {f"{len(days)} single builds": stats(times["singles"]),
               f"range of {len(days)} weeks": stats(times["range"])}
    report(benchmark, f"range rebuild {days[0]}..{days[-1]} against one build per week",
           figures, ratio=(f"range of {len(days)} weeks", f"{len(days)} single builds"))


# -- in process: each stage, and the build without start-up ----------------------------------------
@pytest.fixture(scope="module")
def settings(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    out = tmp_path_factory.mktemp("bench-site") / "site"
    return load_settings({"db_path": real_db, "output_dir": out, "offline": True}, env={})


@dataclass
class Stages:
    """Everything a stage needs, computed once so that each benchmark times one stage."""

    ds: Dataset
    as_of: date
    week: Any
    charts: dict[str, Any]
    context: dict[str, Any]


@pytest.fixture(scope="module")
def stages(real_db: Path, settings: Settings) -> Stages:
    c = Components()
    store = Store.open(real_db)
    full = Dataset.from_store(store)
    store.close()
    as_of = full.default_as_of()
    assert as_of is not None
    week = c.analyse(full, as_of, DEFAULT)
    charts = dict(c.charts(week))
    page = c.page(week, charts, settings, NOW)
    return Stages(full, as_of, week, charts, page.to_context())


def _stage_calls(s: Stages, settings: Settings) -> dict[str, Callable[[], Any]]:
    c = Components()
    return {
        "analyse": lambda: c.analyse(s.ds, s.as_of, DEFAULT),
        "charts": lambda: c.charts(s.week),
        "page": lambda: c.page(s.week, s.charts, settings, NOW),
        "html": lambda: c.html(s.context, s.charts, "../../assets/", "data/"),
        "pdf": lambda: c.pdf(s.context, s.charts),
    }


@pytest.mark.benchmark(group="build-stages")
@pytest.mark.parametrize("stage", ["analyse", "charts", "page", "html", "pdf"])
def test_bench_build_stage(benchmark: Any, stages: Stages, settings: Settings,
                           stage: str) -> None:
    result = benchmark.pedantic(_stage_calls(stages, settings)[stage], rounds=3, iterations=1,
                                warmup_rounds=0)
    assert result is not None


@pytest.mark.benchmark(group="build")
def test_bench_build_in_process(benchmark: Any, settings: Settings) -> None:
    """The whole build called in a process that has everything imported and a warm print
    worker (no interpreter start-up): where a range rebuild's weeks stand."""
    build(settings, BuildOptions(), now=NOW)
    timings: list[dict[str, float]] = []

    def run() -> Any:
        result = build(settings, BuildOptions(), now=NOW)
        timings.append(result.timings)
        return result

    result = benchmark.pedantic(run, rounds=3, iterations=1)
    assert (result.week_dir / "briefing.pdf").is_file()
    medians = {name: statistics.median(t[name] for t in timings) for name in timings[0]}
    benchmark.extra_info.update({f"stage_{k}_s": round(v, 3) for k, v in medians.items()})
    print("\nbuild stages in process (median of 3, seconds):")
    for name, seconds in medians.items():
        print(f"  {name:<8} {seconds:6.2f}")
