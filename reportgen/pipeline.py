"""The one orchestrator of a briefing build.

    settings -> data -> assess -> signals -> charts -> brief -> render -> site

1. **data**: unless ``--sample`` or offline, fetch what is new into the store. Without a network
   the build says so and uses the store; an empty (or absent) store falls back to the bundled
   sample. Fetch failures of single items never stop a build: the store keeps what it had.
2. **analysis**: the phase assessment and the stress signals, on ``Dataset.visible(as_of)``
   (no look-ahead), with the threshold overrides of the settings applied.
3. **render**: Altair charts, ``brief.json``, the HTML page and the PDF. Everything is produced
   in memory first.
4. **site**: :class:`reportgen.site.Site` writes the week atomically and regenerates the index,
   the archive and the feed.

Each stage is timed and reported to an optional ``progress`` callback, so the CLI can show
progress and the benchmark can report per-stage figures. The analysis and rendering functions
are injected through :class:`Components`, which keeps this module testable without them.

Example
-------
>>> result = build(load_settings(), BuildOptions(sample=True, out_dir=Path("/tmp/site")))
>>> result.week_dir
PosixPath('/tmp/site/briefings/2026-10-08')
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from reportgen.brief import build_brief
from reportgen.config import FORMATS, Settings, apply_threshold_overrides
from reportgen.dataset import Dataset
from reportgen.errors import ConfigError, DataUnavailableError, SourceError
from reportgen.site.writer import (
    ASSETS_DIR,
    BRIEFINGS_DIR,
    DATA_DIR,
    Asset,
    PublishResult,
    Site,
    WeekFiles,
)
from reportgen.store import Store

#: The stages of a build, in order, with the label progress shows.
STAGES: dict[str, str] = {
    "fetch": "Fetching new data",
    "load": "Loading data",
    "assess": "Assessing the balance-sheet phase",
    "signals": "Computing the plumbing signals",
    "charts": "Drawing the charts",
    "brief": "Assembling brief.json",
    "context": "Preparing the briefing text",
    "html": "Rendering the HTML briefing",
    "pdf": "Rendering the PDF briefing",
    "publish": "Writing the site",
}


# -- what goes in -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildOptions:
    """The command-line choices of one build; ``None`` means "use the settings"."""

    as_of: date | None = None
    sample: bool = False
    offline: bool | None = None
    out_dir: Path | None = None
    formats: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report: a stage started, finished, was skipped, or has a note."""

    stage: str
    state: str  # "start" | "done" | "skip" | "note"
    label: str
    index: int  # 1-based position in STAGES
    total: int
    seconds: float | None = None
    message: str = ""


Progress = Callable[[ProgressEvent], None]


def _call_with_thresholds(func: Callable[..., Any], ds: Dataset, as_of: date,
                          thresholds: Any) -> Any:
    """Call an analysis entry point, passing ``thresholds`` only if it takes them."""
    try:
        accepts = "thresholds" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        accepts = False
    return func(ds, as_of, thresholds=thresholds) if accepts else func(ds, as_of)


def _default_assess(ds: Dataset, as_of: date, thresholds: Any) -> Any:
    from reportgen.analysis.phase import assess

    return _call_with_thresholds(assess, ds, as_of, thresholds.phase)


def _default_dashboard(ds: Dataset, as_of: date, thresholds: Any) -> Any:
    from reportgen.analysis.signals import compute_dashboard

    return _call_with_thresholds(compute_dashboard, ds, as_of, thresholds.signals)


def _default_charts(ds: Dataset, assessment: Any, dashboard: Any, as_of: date) -> Any:
    from reportgen.charts import build_charts

    return build_charts(ds, assessment, dashboard, as_of)


def _default_context(ds: Dataset, assessment: Any, dashboard: Any, brief: dict[str, Any],
                     previous: dict[str, Any] | None, settings: Settings,
                     charts: Mapping[str, Any]) -> dict[str, Any]:
    from reportgen.render.context import build_context

    return build_context(ds, assessment, dashboard, brief, previous, settings, charts)


def _default_html(context: dict[str, Any], charts: Mapping[str, Any], asset_prefix: str,
                  csv_prefix: str) -> str:
    from reportgen.render.html import render_briefing_html

    return render_briefing_html(context, charts, asset_prefix, csv_prefix)


def _default_pdf(context: dict[str, Any], charts: Mapping[str, Any]) -> bytes:
    from reportgen.render.pdf import render_briefing_pdf

    return render_briefing_pdf(context, charts)


def _default_warm_up_pdf() -> None:
    from reportgen.render.pdf import warm_up

    warm_up()


def _default_prefetch_pdf_charts(charts: Mapping[str, Any]) -> None:
    from reportgen.render.pdf import prefetch_svgs

    prefetch_svgs(charts)


def _default_assets() -> tuple[Asset, ...]:
    from reportgen.site.assets import site_assets

    return site_assets()


def _default_fetch(store: Store, settings: Settings, now: datetime) -> Any:
    from reportgen import fetching

    tasks = fetching.plan()
    return fetching.fetch_all(store, settings, tasks, now.astimezone(UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class Components:
    """The functions a build calls. The defaults are the real ones; tests swap in fakes."""

    assess: Callable[[Dataset, date, Any], Any] = _default_assess
    dashboard: Callable[[Dataset, date, Any], Any] = _default_dashboard
    charts: Callable[[Dataset, Any, Any, date], Mapping[str, Any]] = _default_charts
    context: Callable[..., dict[str, Any]] = _default_context
    html: Callable[[dict[str, Any], Mapping[str, Any], str, str], str] = _default_html
    pdf: Callable[[dict[str, Any], Mapping[str, Any]], bytes] = _default_pdf
    prefetch_pdf_charts: Callable[[Mapping[str, Any]], None] = _default_prefetch_pdf_charts
    warm_up_pdf: Callable[[], None] = _default_warm_up_pdf
    assets: Callable[[], tuple[Asset, ...]] = _default_assets
    fetch: Callable[[Store, Settings, datetime], Any] = _default_fetch


# -- what comes out -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DataChoice:
    """Which data the build used and why."""

    dataset: Dataset
    kind: str  # "store" | "sample"
    fetch: Any | None  # the FetchSummary when a fetch ran
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    as_of: date
    out_dir: Path
    week_dir: Path
    formats: tuple[str, ...]
    publish: PublishResult
    data: DataChoice
    brief: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def notes(self) -> tuple[str, ...]:
        return self.data.notes

    @property
    def stale_items(self) -> list[dict[str, Any]]:
        return [i for i in self.brief["data"]["items"] if i["stale"]]

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


class _Stages:
    """Times each stage and reports it to the progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._names = list(STAGES)

    def _emit(self, stage: str, state: str, seconds: float | None = None,
              message: str = "") -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(stage, state, STAGES[stage], self._names.index(stage) + 1,
                                        len(self._names), seconds, message))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._emit(name, "start")
        started = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - started
        self._emit(name, "done", self.timings[name])

    def skip(self, name: str, why: str) -> None:
        self._emit(name, "skip", message=why)

    def note(self, name: str, message: str) -> None:
        self._emit(name, "note", message=message)


# -- the build ----------------------------------------------------------------------------------
def _sample_dataset(reason: str) -> Dataset:
    from reportgen.sample import load_sample_store

    return Dataset.from_store(load_sample_store(), "sample",
                              f"bundled sample (real published figures, see SOURCES.md); {reason}")


def choose_data(settings: Settings, sample: bool, offline: bool, components: Components,
                now: datetime, stages: _Stages) -> DataChoice:
    """Fetch (unless offline), then use the store; an absent or empty store falls back to the sample.

    The notes come back in ``DataChoice.notes`` (the closing summary prints them once) and say
    each thing once: a fetch that failed and a fallback to the sample are one sentence. A first
    fetch into an empty store (the whole history, minutes) reports each item as it finishes.
    """
    from reportgen.sample import fallback_note

    if sample:
        stages.skip("fetch", "--sample: the bundled sample is used")
        with stages.stage("load"):
            return DataChoice(_sample_dataset("chosen with --sample"), "sample", None)

    db_path = Path(settings.db_path)
    summary = None
    problem: str | None = None  # why nothing new could be fetched
    notes: list[str] = []
    if offline:
        stages.skip("fetch", "offline: nothing is fetched")
        store = Store.open(db_path) if db_path.exists() else None
    else:
        store = Store.open(db_path)
        fetch = components.fetch
        if store.is_empty() and fetch is _default_fetch:
            fetch = _first_fetch_with_progress(stages)
        with stages.stage("fetch"):
            try:
                summary = fetch(store, settings, now)
            except SourceError as exc:
                # A source failing as a whole is not fatal: the store still holds its data.
                problem = f"Fetching failed ({exc.message})"
        if summary is not None and getattr(summary, "offline", False):
            problem = "No network: nothing could be fetched"
        elif summary is not None and getattr(summary, "failures", None):
            failed = ", ".join(f"{f.task.source}/{f.task.item}" for f in summary.failures[:5])
            more = len(summary.failures) - 5
            notes.append(f"{len(summary.failures)} item(s) could not be fetched ({failed}"
                         f"{f' and {more} more' if more > 0 else ''}); "
                         "their last stored values are used.")

    with stages.stage("load"):
        if store is None or store.is_empty():
            why = f"the store {db_path} is {'absent' if store is None else 'empty'}"
            notes.insert(0, fallback_note(db_path, absent=store is None, problem=problem))
            if store is not None:
                store.close()
            return DataChoice(_sample_dataset(why), "sample", summary, tuple(notes))
        if problem is not None:
            notes.insert(0, f"{problem}; using the store {db_path} as it was.")
        dataset = Dataset.from_store(store, "store", f"store {db_path}")
        store.close()
    return DataChoice(dataset, "store", summary, tuple(notes))


def _first_fetch_with_progress(stages: _Stages) -> Callable[[Store, Settings, datetime], Any]:
    # Part of choose_data: the default fetch, reporting each item of a first (full-history)
    # fetch, which takes minutes, so that a first `make briefing` does not look stuck.
    from reportgen import fetching

    def fetch(store: Store, settings: Settings, now: datetime) -> Any:
        tasks = fetching.plan()
        done = iter(range(1, len(tasks) + 1))
        stages.note("fetch", f"first fetch into an empty store: {len(tasks)} items over their "
                             "whole history (the H.4.1 from 2002-12), a few minutes")

        def report(result: Any) -> None:
            stages.note("fetch", f"{next(done)}/{len(tasks)} {result.task.source}/"
                                 f"{result.task.item}: {result.status}, {result.rows} row(s)")

        return fetching.fetch_all(store, settings, tasks,
                                  now.astimezone(UTC).replace(tzinfo=None), on_result=report)

    return fetch


def build(
    settings: Settings,
    options: BuildOptions | None = None,
    *,
    progress: Progress | None = None,
    components: Components | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Build one week's briefing and publish it into the site.

    Parameters
    ----------
    settings
        The merged settings (output folder, store, formats, site title, threshold overrides).
    options
        The command-line choices; anything left ``None`` comes from ``settings``.
    progress
        Called with a :class:`ProgressEvent` when each stage starts, ends or is skipped.
    components
        The analysis and rendering functions (default: the real ones).
    now
        The build time (UTC), stamped into brief.json as ``generated_at`` and handed to the
        fetch; default: the clock. Pass a fixed value for reproducible output.

    Returns
    -------
    BuildResult
        Where the files are, which data was used, the brief and the per-stage timings (s).

    Raises
    ------
    DataUnavailableError
        No data at all, or ``as_of`` before the data starts.
    RenderError
        Charts, templates, the PDF or the site could not be produced; the site is unchanged.
    """
    options = options or BuildOptions()
    components = components or Components()
    now = now or datetime.now(UTC)
    formats = _check_formats(options.formats or settings.formats)
    offline = settings.offline if options.offline is None else options.offline
    out_dir = Path(options.out_dir or settings.output_dir)
    stages = _Stages(progress)

    from reportgen.analysis.thresholds import DEFAULT, describe

    thresholds = apply_threshold_overrides(DEFAULT, settings.threshold_overrides)
    if "pdf" in formats:
        # The chart renderer's engine takes most of a second to start: start it now, on its
        # own thread, while the data loads and the analysis runs.
        components.warm_up_pdf()
    data = choose_data(settings, options.sample, offline, components, now, stages)

    as_of = options.as_of or data.dataset.default_as_of()
    if as_of is None:
        raise DataUnavailableError("there is no data to build a briefing from: run "
                                   "`reportgen fetch` or `reportgen data import DIR`, or pass "
                                   "--sample")
    first = _first_public_date(data.dataset)
    if first is not None and as_of < first:
        raise DataUnavailableError(f"--as-of {as_of} is before the first data "
                                   f"({data.dataset.provenance.description} starts {first}); "
                                   "choose a later date")
    visible = data.dataset.visible(as_of)

    with stages.stage("assess"):
        assessment = components.assess(visible, as_of, thresholds)
    with stages.stage("signals"):
        dashboard = components.dashboard(visible, as_of, thresholds)
    with stages.stage("charts"):
        charts = dict(components.charts(visible, assessment, dashboard, as_of))
    if "pdf" in formats:
        # The PDF's static SVG charts are the slowest part of a build: start them now, in the
        # background, so they are ready when the print edition is laid out.
        components.prefetch_pdf_charts(charts)

    site = Site(out_dir, title=settings.site_title, base_url=settings.base_url or None)
    present = site.briefings()
    previous = site.previous_brief(as_of)
    with stages.stage("brief"):
        if previous is None:
            previous = _reconstructed_previous(data.dataset, as_of, components, thresholds, now,
                                               dashboard)
        brief = build_brief(
            as_of=as_of, assessment=assessment, dashboard=dashboard, dataset=visible,
            charts=charts, generated_at=now, previous_brief=previous,
            thresholds=describe(thresholds), formats=formats, site_title=settings.site_title,
        )

    html = index_html = None
    pdf = None
    if "html" in formats or "pdf" in formats:
        with stages.stage("context"):
            # The settings say which formats this build writes (e.g. no PDF work for html,json).
            context = components.context(visible, assessment, dashboard, brief, previous,
                                         replace(settings, formats=formats), charts)
        if "html" in formats:
            with stages.stage("html"):
                # Rendered once with placeholder prefixes, then filled in for the week's folder
                # and for the site root (index.html): half the cost of rendering twice.
                page = components.html(context, charts, _ASSET_SLOT, _CSV_SLOT)
                week = f"{BRIEFINGS_DIR}/{as_of.isoformat()}"
                html = _fill(page, f"../../{ASSETS_DIR}/", f"{DATA_DIR}/")
                # Only the latest week needs the root rendering used as index.html.
                if not any(e.as_of > as_of and e.has_html for e in present):
                    index_html = _fill(page, f"{ASSETS_DIR}/", f"{week}/{DATA_DIR}/")
        else:
            stages.skip("html", "not in --format")
        if "pdf" in formats:
            with stages.stage("pdf"):
                pdf = components.pdf(context, charts)
        else:
            stages.skip("pdf", "not in --format")
    else:
        for name in ("context", "html", "pdf"):
            stages.skip(name, "not in --format")

    with stages.stage("publish"):
        csvs = {name: _csv(bundle) for name, bundle in charts.items()}
        published = site.publish(
            WeekFiles(as_of, brief, html=html, index_html=index_html, pdf=pdf, csvs=csvs),
            # Without an HTML page only the stylesheets are needed (the archive links one).
            assets=tuple(a for a in components.assets()
                         if html is not None or a.name.endswith(".css")),
        )
    return BuildResult(as_of, out_dir, published.week_dir, formats, published, data, brief,
                       stages.timings)


# URL-safe, survive HTML escaping and JSON encoding unchanged, and never occur in data.
_ASSET_SLOT = "reportgen-asset-prefix-3f9c1/"
_CSV_SLOT = "reportgen-csv-prefix-8b2e4/"


def _fill(page: str, asset_prefix: str, csv_prefix: str) -> str:
    return page.replace(_ASSET_SLOT, asset_prefix).replace(_CSV_SLOT, csv_prefix)


def _csv(bundle: Any) -> str:
    data = getattr(bundle, "data", None)
    if data is None:
        return ""
    text: str = data.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return text


def _check_formats(formats: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"unknown output format(s) {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(FORMATS)}, e.g. --format html,pdf,json")
    return tuple(f for f in FORMATS if f in formats)


def _reconstructed_previous(dataset: Dataset, as_of: date, components: Components,
                            thresholds: Any, now: datetime,
                            dashboard: Any = None) -> dict[str, Any] | None:
    """The verdicts of the week before ``as_of``, recomputed from the same data.

    Used when the site holds no earlier briefing (a first build, ``--sample``, a fresh output
    folder), so that "what changed since last week" still compares two weeks. It uses only the
    data public a week earlier, like the briefing that would have been published then. The
    signals of that day are read from this week's ``dashboard`` frames when it has them
    (``Dashboard.at``: the same rows, without computing every signal's history again).
    """
    week_before = as_of - timedelta(days=7)
    first = _first_public_date(dataset)
    if first is None or week_before < first:
        return None
    visible = dataset.visible(week_before)
    at = getattr(dashboard, "at", None)
    earlier = at(week_before) if at is not None else None
    if earlier is None:
        earlier = components.dashboard(visible, week_before, thresholds)
    brief = build_brief(
        as_of=week_before,
        assessment=components.assess(visible, week_before, thresholds),
        dashboard=earlier,
        dataset=visible, charts={}, generated_at=now, formats=("json",),
    )
    brief["previous_source"] = "reconstructed"
    return brief


def _first_public_date(dataset: Dataset) -> date | None:
    """The first day on which any series had a published observation (None without data)."""
    firsts = [s.dropna().index.min().date() for s in dataset.series_map.values()
              if len(s.dropna())]
    return min(firsts) if firsts else None


__all__ = [
    "STAGES", "BuildOptions", "BuildResult", "Components", "DataChoice", "ProgressEvent",
    "build", "choose_data",
]
