"""The one orchestrator of a briefing build.

    settings -> data -> analyse (the week, once) -> charts -> page -> brief -> render -> site

1. **data**: unless ``--sample`` or offline, fetch what is new into the store. Without a network
   the build says so and uses the store; an empty (or absent) store falls back to the bundled
   sample. Fetch failures of single items never stop a build: the store keeps what it had.
2. **analyse**: :func:`reportgen.analysis.week.analyse` computes the whole week once (phase,
   signals, reservoir, the week's extremes, implications, chart frames, the week before) on
   the data public on ``as_of`` (no look-ahead), with the thresholds of the settings.
3. **views**: the charts, the page (every sentence), ``brief.json`` (a serialisation of the
   week and its page), the HTML and the PDF: each a view of the same WeekAnalysis, produced in
   memory first.
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

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.brief import build_brief
from reportgen.config import FORMATS, Settings, thresholds_in_force
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

if TYPE_CHECKING:
    from reportgen.analysis.thresholds import Thresholds
    from reportgen.analysis.week import WeekAnalysis
    from reportgen.charts import ChartBundle
    from reportgen.fetching import FetchSummary
    from reportgen.render.context import Page

#: The stages of a build, in order, with the label progress shows.
STAGES: dict[str, str] = {
    "fetch": "Fetching new data",
    "load": "Loading data",
    "analyse": "Analysing the week (phase, signals, reservoir)",
    "charts": "Drawing the charts",
    "page": "Writing the briefing text",
    "brief": "Assembling brief.json",
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


def _default_analyse(ds: Dataset, as_of: date, thresholds: Thresholds) -> WeekAnalysis:
    from reportgen.analysis.week import analyse

    return analyse(ds, as_of, thresholds)


def _default_charts(week: WeekAnalysis) -> Mapping[str, ChartBundle]:
    from reportgen.charts import build_charts

    return build_charts(week)


def _default_page(week: WeekAnalysis, charts: Mapping[str, ChartBundle], settings: Settings,
                  generated_at: datetime) -> Page:
    from reportgen.render.context import build_page

    return build_page(week, charts, settings, generated_at)


def _default_html(context: Mapping[str, Any], charts: Mapping[str, ChartBundle],
                  asset_prefix: str, csv_prefix: str) -> str:
    from reportgen.render.html import render_briefing_html

    return render_briefing_html(context, charts, asset_prefix, csv_prefix)


def _default_pdf(context: Mapping[str, Any], charts: Mapping[str, ChartBundle]) -> bytes:
    from reportgen.render.pdf import render_briefing_pdf

    return render_briefing_pdf(context, charts)


def _default_warm_up_pdf() -> None:
    from reportgen.render.pdf import warm_up

    warm_up()


def _default_prefetch_pdf_charts(charts: Mapping[str, ChartBundle]) -> None:
    from reportgen.render.pdf import prefetch_svgs

    prefetch_svgs(charts)


def _default_assets() -> tuple[Asset, ...]:
    from reportgen.site.assets import site_assets

    return site_assets()


def _default_fetch(store: Store, settings: Settings, now: datetime) -> FetchSummary:
    from reportgen import fetching

    tasks = fetching.plan()
    return fetching.fetch_all(store, settings, tasks, now.astimezone(UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class Components:
    """The functions a build calls. The defaults are the real ones; tests swap in fakes that
    return real objects (see ``tests/factories.py``)."""

    analyse: Callable[[Dataset, date, Thresholds], WeekAnalysis] = _default_analyse
    charts: Callable[[WeekAnalysis], Mapping[str, ChartBundle]] = _default_charts
    page: Callable[[WeekAnalysis, Mapping[str, ChartBundle], Settings, datetime], Page] = \
        _default_page
    html: Callable[[Mapping[str, Any], Mapping[str, ChartBundle], str, str], str] = _default_html
    pdf: Callable[[Mapping[str, Any], Mapping[str, ChartBundle]], bytes] = _default_pdf
    prefetch_pdf_charts: Callable[[Mapping[str, ChartBundle]], None] = \
        _default_prefetch_pdf_charts
    warm_up_pdf: Callable[[], None] = _default_warm_up_pdf
    assets: Callable[[], tuple[Asset, ...]] = _default_assets
    fetch: Callable[[Store, Settings, datetime], FetchSummary] = _default_fetch


# -- what comes out -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DataChoice:
    """Which data the build used and why."""

    dataset: Dataset
    kind: str  # "store" | "sample"
    fetch: FetchSummary | None  # when a fetch ran
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
    week: WeekAnalysis
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
    """Fetch (unless offline), then use the store; an absent or empty store falls back to the
    sample.

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

    thresholds = thresholds_in_force(settings)
    if "pdf" in formats:
        # The chart renderer's engine takes most of a second to start: start it now, on its
        # own thread, while the data loads and the analysis runs.
        components.warm_up_pdf()
    data = choose_data(settings, options.sample, offline, components, now, stages)
    as_of = _briefing_date(data.dataset, options.as_of, now)

    with stages.stage("analyse"):
        week = components.analyse(data.dataset, as_of, thresholds)
    with stages.stage("charts"):
        charts = dict(components.charts(week))
    if "pdf" in formats:
        # The PDF's static SVG charts are the slowest part of a build: start them now, in the
        # background, so they are ready when the print edition is laid out.
        components.prefetch_pdf_charts(charts)

    site = Site(out_dir, title=settings.site_title, base_url=settings.base_url or None)
    with stages.stage("page"):
        # The settings say which formats this build writes (e.g. no PDF work for html,json).
        page = components.page(week, charts, replace(settings, formats=formats), now)
    with stages.stage("brief"):
        brief = build_brief(week=week, page=page, charts=charts, generated_at=now,
                            previous_published=site.previous_brief(as_of), formats=formats,
                            site_title=settings.site_title)
    html, index_html, pdf = _render(components, stages, page, charts, formats, site, as_of)

    with stages.stage("publish"):
        csvs = {name: _csv(bundle) for name, bundle in charts.items()}
        published = site.publish(
            WeekFiles(as_of, brief, html=html, index_html=index_html, pdf=pdf, csvs=csvs),
            # Without an HTML page only the stylesheets are needed (the archive links one).
            assets=tuple(a for a in components.assets()
                         if html is not None or a.name.endswith(".css")),
        )
    return BuildResult(as_of, out_dir, published.week_dir, formats, published, data, brief, week,
                       stages.timings)


def _briefing_date(dataset: Dataset, requested: date | None, now: datetime) -> date:
    """The briefing date: the one asked for, else the data's newest H.4.1 week made public."""
    as_of = _choose_as_of(requested, dataset, now)
    if as_of is None:
        raise DataUnavailableError("there is no data to build a briefing from: run "
                                   "`reportgen fetch` or `reportgen data import DIR`, or pass "
                                   "--sample")
    first = _first_public_date(dataset)
    if first is not None and as_of < first:
        raise DataUnavailableError(f"--as-of {as_of} is before the first data "
                                   f"({dataset.provenance.description} starts {first}); "
                                   "choose a later date")
    return as_of


def _render(components: Components, stages: _Stages, page: Page,
            charts: Mapping[str, ChartBundle], formats: tuple[str, ...], site: Site,
            as_of: date) -> tuple[str | None, str | None, bytes | None]:
    """The HTML page (for the week's folder and, when it is the latest, for the site root) and
    the PDF, each only when asked for."""
    html = index_html = None
    pdf = None
    context = page.to_context()
    if "html" in formats:
        with stages.stage("html"):
            # Rendered once with placeholder prefixes, then filled in for the week's folder
            # and for the site root (index.html): half the cost of rendering twice.
            rendered = components.html(context, charts, _ASSET_SLOT, _CSV_SLOT)
            week = f"{BRIEFINGS_DIR}/{as_of.isoformat()}"
            html = _fill(rendered, f"../../{ASSETS_DIR}/", f"{DATA_DIR}/")
            # Only the latest week needs the root rendering used as index.html.
            if not any(e.as_of > as_of and e.has_html for e in site.briefings()):
                index_html = _fill(rendered, f"{ASSETS_DIR}/", f"{week}/{DATA_DIR}/")
    else:
        stages.skip("html", "not in --format")
    if "pdf" in formats:
        with stages.stage("pdf"):
            pdf = components.pdf(context, charts)
    else:
        stages.skip("pdf", "not in --format")
    return html, index_html, pdf


# URL-safe, survive HTML escaping and JSON encoding unchanged, and never occur in data.
_ASSET_SLOT = "reportgen-asset-prefix-3f9c1/"
_CSV_SLOT = "reportgen-csv-prefix-8b2e4/"


def _fill(page: str, asset_prefix: str, csv_prefix: str) -> str:
    return page.replace(_ASSET_SLOT, asset_prefix).replace(_CSV_SLOT, csv_prefix)


def _csv(bundle: ChartBundle) -> str:
    text: str = bundle.data.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return text


def _check_formats(formats: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"unknown output format(s) {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(FORMATS)}, e.g. --format html,pdf,json")
    return tuple(f for f in FORMATS if f in formats)


def _choose_as_of(asked: date | None, dataset: Dataset, now: datetime) -> date | None:
    """The explicit date (refused after today) or the data's default, capped at today: a row
    dated in the future (a typo such as 2099) must not date the briefing there, where it would
    take over index.html for good."""
    today = now.date()
    if asked is not None:
        if asked > today:
            raise DataUnavailableError(f"--as-of {asked} is after today ({today}); choose today "
                                       "or an earlier date")
        return asked
    default = dataset.default_as_of()
    return min(default, today) if default is not None else None


def _first_public_date(dataset: Dataset) -> date | None:
    """The first day on which any series had a published observation (None without data)."""
    firsts = [s.dropna().index.min().date() for s in dataset.series_map.values()
              if len(s.dropna())]
    return min(firsts) if firsts else None


__all__ = [
    "STAGES", "BuildOptions", "BuildResult", "Components", "DataChoice", "ProgressEvent",
    "build", "choose_data",
]
