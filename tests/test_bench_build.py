"""Benchmarks of ``reportgen build`` from a populated store (``make bench``; skipped otherwise).

The store holds the real history in ../shared/data/real (2002 onward) when present, else the
bundled sample. Each stage is benchmarked on its own (the week's analysis, the charts, the page,
HTML, PDF), then the whole build offline into a site whose Vega runtime already exists (the
steady state of a weekly build; the first build also bundles the runtime, about 3 s, once).
The whole build's per-stage medians are printed and kept in the benchmark's ``extra_info``.
"""

from __future__ import annotations

import statistics
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
from reportgen.sample import SAMPLE_ASSEMBLED, sample_dir
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import REAL_DATA

    path = tmp_path_factory.mktemp("bench") / "store.sqlite"
    store = Store.open(path)
    if REAL_DATA.is_dir():
        import_files(store, csv_files(REAL_DATA), datetime(2026, 11, 22))
    else:
        import_files(store, csv_files(sample_dir()), SAMPLE_ASSEMBLED, origin="sample")
    store.close()
    return path


@pytest.fixture(scope="module")
def settings(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    out = tmp_path_factory.mktemp("bench-site") / "site"
    return load_settings({"db_path": store_path, "output_dir": out, "offline": True}, env={})


@dataclass
class Stages:
    """Everything a stage needs, computed once so that each benchmark times one stage."""

    ds: Dataset
    as_of: date
    week: Any
    charts: dict[str, Any]
    context: dict[str, Any]


@pytest.fixture(scope="module")
def stages(store_path: Path, settings: Settings) -> Stages:
    c = Components()
    store = Store.open(store_path)
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
def test_bench_build_whole_briefing(benchmark: Any, settings: Settings) -> None:
    build(settings, BuildOptions(), now=NOW)  # first build: writes assets/vega-runtime.js once
    timings: list[dict[str, float]] = []

    def run() -> Any:
        result = build(settings, BuildOptions(), now=NOW)
        timings.append(result.timings)
        return result

    result = benchmark.pedantic(run, rounds=3, iterations=1)
    assert (result.week_dir / "briefing.pdf").is_file()
    medians = {name: statistics.median(t[name] for t in timings) for name in timings[0]}
    benchmark.extra_info.update({f"stage_{k}_s": round(v, 3) for k, v in medians.items()})
    benchmark.extra_info["as_of"] = result.as_of.isoformat()
    benchmark.extra_info["data"] = result.brief["data"]["description"]
    print("\nbuild stages (median of 3, seconds):")
    for name, seconds in medians.items():
        print(f"  {name:<8} {seconds:6.2f}")
    print(f"  {'total':<8} {sum(medians.values()):6.2f}")
