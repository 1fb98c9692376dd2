"""The one orchestrator of a briefing build.

    settings -> data -> analyse (the week, once) -> charts -> page -> brief -> render -> site

1. **data**: unless ``--sample`` or offline, fetch what is new into the store. Without a network
   the build says so and uses the store; an empty (or absent) store falls back to the bundled
   sample. Fetch failures of single items never stop a build: the store keeps what it had.
2. **analyse**: :func:`reportgen.analysis.week.analyse` computes the whole week once (phase,
   signals, reservoir, the week's extremes, implications, chart frames) on the data public on
   ``as_of`` (no look-ahead), with the thresholds of the settings; the week before is read
   (:func:`~reportgen.analysis.week.read_week_before`) once the charts are drawn.
3. **views**: the charts, the page (every sentence), ``brief.json`` (a serialisation of the
   week and its page), the HTML and the PDF: each a view of the same WeekAnalysis, produced in
   memory first.
4. **site**: :class:`reportgen.site.Site` writes the week atomically and regenerates the index,
   the archive and the feed.

Each stage is timed and reported to an optional ``progress`` callback, so the CLI can show
progress and the benchmark can report per-stage figures. The analysis and rendering functions
are injected through :class:`Components`, which keeps this module testable without them.

The PDF is made in the print worker (:mod:`reportgen.render.svg_worker`), a second process:
it starts vl-convert and WeasyPrint while the week is analysed, converts each chart as soon as
it is drawn and lays out the PDF while the brief and the web edition are written here, so
the build waits only for what is left of it.

:func:`build_range` builds many weeks in one process (an archive rebuilt after its cache was
lost): the data are loaded once, each week's phase assessment is the next week's "week
before", and week N+1 is analysed while week N's PDF is laid out.

Example
-------
>>> result = build(load_settings(), BuildOptions(sample=True, out_dir=Path("/tmp/site")))
>>> result.week_dir
PosixPath('/tmp/site/briefings/2026-10-08')
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import catalog
from reportgen.config import FORMATS, Settings, thresholds_in_force
from reportgen.dataset import Dataset
from reportgen.errors import ConfigError, DataUnavailableError, ReportgenError, SourceError
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
    "before": "Reading the week before",
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


def _start_pdf(components: Components, context: Mapping[str, Any],
               charts: Mapping[str, ChartBundle], worker: Any = None) -> Callable[[], bytes]:
    """Start the PDF: in the print worker for the real renderer (returns at once), else the
    component is called when the build waits for it."""
    if components.pdf is _default_pdf:
        from reportgen.render.pdf import start_briefing_pdf

        return start_briefing_pdf(context, charts, worker)
    return lambda: components.pdf(context, charts)


def _default_warm_up_pdf() -> None:
    # The worker's client only (the standard library): Altair and the templates are imported
    # by the stages that use them, so the timing line counts them there.
    from reportgen.render.svg_worker import prepare_print

    prepare_print()


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
    run = _Run.start(settings, options or BuildOptions(), components or Components(), now,
                     _Stages(progress))
    data = choose_data(settings, run.options.sample, run.offline, run.components, run.now,
                       run.stages)
    job = _WeekJob(run, data, _briefing_date(data.dataset, run.options.as_of, run.now))
    job.analyse()
    job.render()
    return job.publish()


@dataclass(frozen=True)
class WeekRange:
    """The weeks of a range rebuild: every H.4.1 release day from ``first`` to ``last``
    (``--as-of-range FIRST:LAST``), or the ``weeks`` latest up to ``last`` (``--weeks N``;
    ``last`` defaults to the newest H.4.1 release in the data)."""

    first: date | None = None
    last: date | None = None
    weeks: int | None = None

    def days(self, dataset: Dataset, today: date) -> list[date]:
        """The briefing dates, oldest first: the days each H.4.1 week became public (its
        Wednesday plus the publication lag), the dates a weekly build without ``--as-of``
        uses, so no week is built twice under two dates."""
        walcl = dataset.series("WALCL").dropna()
        lag = timedelta(days=catalog.SERIES["WALCL"].publication_lag_days)
        days = sorted({d.date() + lag for d in walcl.index})
        last = min(self.last or today, today)
        chosen = [d for d in days if d <= last and (self.first is None or d >= self.first)]
        if self.weeks is not None:
            chosen = chosen[-self.weeks:] if self.weeks > 0 else []
        if not chosen:
            span = f"{days[0]} to {days[-1]}" if days else "none"
            asked = (f"the {self.weeks} week(s) up to {last}" if self.weeks is not None
                     else f"{self.first or 'the start'} to {last}")
            raise DataUnavailableError(
                f"no H.4.1 release day in {asked} in {dataset.provenance.description} (its "
                f"H.4.1 release days: {span}); choose dates inside them")
        return chosen


@dataclass(frozen=True)
class WeekOutcome:
    """One week of a range rebuild: its result, or the error that stopped it."""

    as_of: date
    index: int  # 1-based position in the range
    total: int
    result: BuildResult | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class RangeResult:
    out_dir: Path
    data: DataChoice
    weeks: tuple[WeekOutcome, ...]

    @property
    def failed(self) -> tuple[WeekOutcome, ...]:
        return tuple(w for w in self.weeks if w.error is not None)


def build_range(
    settings: Settings,
    weeks: WeekRange,
    options: BuildOptions | None = None,
    *,
    progress: Progress | None = None,
    on_week: Callable[[WeekOutcome], None] | None = None,
    components: Components | None = None,
    now: datetime | None = None,
) -> RangeResult:
    """Build and publish the briefing of every week in ``weeks``, oldest first, in one process.

    The store is read (and, unless offline, fetched into) once; each week uses only the data
    public on its date, exactly as ``build --as-of`` would, and is published on its own as
    soon as it is complete (a failure later in the range leaves the earlier weeks in place).
    A week that cannot be built is reported through ``on_week`` and skipped; the others go
    on. Two things are not done again: the phase assessment of the week before is the one
    just made for the previous week (the same function of the same data), and week N+1 is
    analysed while the print worker lays out week N's PDF.

    ``progress`` receives the data stages (fetch, load); ``on_week`` one
    :class:`WeekOutcome` per week, as it is published or fails.

    With the real PDF renderer, two print workers take the weeks in turn: laying out a PDF
    takes longer than analysing a week, so while one worker lays out week N the other renders
    week N+1's charts, and both cores stay busy. Each week's brief.json is assembled when the
    week before it is published (it names the previous briefing), as a single build does.
    """
    base = options or BuildOptions()
    run = _Run.start(settings, base, components or Components(), now, _Stages(progress))
    data = choose_data(settings, base.sample, run.offline, run.components, run.now, run.stages)
    days = weeks.days(data.dataset, run.now.date())
    first_public = _first_public_date(data.dataset)
    if first_public is not None:
        days = [d for d in days if d >= first_public] or days
    workers = _range_workers(run, len(days))
    outcomes: list[WeekOutcome] = []
    pending: deque[tuple[_WeekJob, float]] = deque()
    previous: WeekAnalysis | None = None

    def report(outcome: WeekOutcome) -> None:
        outcomes.append(outcome)
        if on_week is not None:
            on_week(outcome)

    def finish(job: _WeekJob, began: float) -> None:
        try:
            result = job.publish()
        except ReportgenError as exc:
            report(WeekOutcome(job.as_of, job.index, len(days), error=exc.message,
                               seconds=time.perf_counter() - began))
            return
        report(WeekOutcome(job.as_of, job.index, len(days), result=result,
                           seconds=time.perf_counter() - began))

    try:
        for index, as_of in enumerate(days, start=1):
            began = time.perf_counter()
            job = _WeekJob(replace(run, stages=_Stages(None)), data, as_of, index, previous,
                           worker=workers[index % len(workers)], brief_when_published=True)
            try:
                job.analyse()
            except ReportgenError as exc:
                while pending:
                    finish(*pending.popleft())
                report(WeekOutcome(as_of, index, len(days), error=exc.message,
                                   seconds=time.perf_counter() - began))
                continue
            previous = job.week
            # The PDFs of the weeks before were laid out while this week was analysed.
            while len(pending) >= len(workers):
                finish(*pending.popleft())
            try:
                job.render()
            except ReportgenError as exc:
                report(WeekOutcome(as_of, index, len(days), error=exc.message,
                                   seconds=time.perf_counter() - began))
                continue
            pending.append((job, began))
        while pending:
            finish(*pending.popleft())
    finally:
        for worker in workers[1:]:
            if worker is not None:
                worker.close()
    return RangeResult(run.out_dir, data, tuple(outcomes))


def _range_workers(run: _Run, weeks: int) -> list[Any]:
    """The print workers of a range: this process's and, for two weeks or more with the real
    PDF renderer, a second one (``[None]``: the components' own PDF, one week at a time)."""
    if "pdf" not in run.formats or run.components.pdf is not _default_pdf:
        return [None]
    from reportgen.render import svg_worker

    workers: list[Any] = [svg_worker.print_worker()]
    if weeks > 1:
        workers.append(svg_worker.new_worker())
        svg_worker.prepare_print(workers[1])
    return workers


@dataclass(frozen=True)
class _Run:
    """What every week of a build shares: the settings resolved once."""

    settings: Settings
    options: BuildOptions
    components: Components
    now: datetime
    formats: tuple[str, ...]
    offline: bool
    out_dir: Path
    thresholds: Thresholds
    stages: _Stages

    @classmethod
    def start(cls, settings: Settings, options: BuildOptions, components: Components,
              now: datetime | None, stages: _Stages) -> _Run:
        formats = _check_formats(options.formats or settings.formats)
        if "pdf" in formats:
            # The print worker imports WeasyPrint and parses the stylesheet while the data
            # loads and the week is analysed (vl-convert's engine is already starting).
            components.warm_up_pdf()
        return cls(settings, options, components, now or datetime.now(UTC), formats,
                   settings.offline if options.offline is None else options.offline,
                   Path(options.out_dir or settings.output_dir), thresholds_in_force(settings),
                   stages)


class _WeekJob:
    """One week's briefing in three steps, so that a range can interleave weeks: ``analyse``
    (the week and its charts, whose SVGs start in the worker), ``render`` (page, PDF started,
    brief, HTML) and ``publish`` (wait for the PDF, write the site)."""

    def __init__(self, run: _Run, data: DataChoice, as_of: date, index: int = 1,
                 previous: WeekAnalysis | None = None, worker: Any = None,
                 brief_when_published: bool = False) -> None:
        self.run, self.data, self.as_of, self.index = run, data, as_of, index
        self.previous, self.worker = previous, worker
        self.brief_when_published = brief_when_published
        self.brief: dict[str, Any] | None = None
        self.stages = run.stages
        self.site = Site(run.out_dir, title=run.settings.site_title,
                         base_url=run.settings.base_url or None)

    def analyse(self) -> None:
        run, c = self.run, self.run.components
        # The real analysis reads the week before after the charts are drawn (they do not use
        # it): their SVGs start about 0.1 s sooner. A component's analysis does it all at once.
        later = c.analyse is _default_analyse
        with self.stages.stage("analyse"):
            if later:
                from reportgen.analysis.week import analyse

                self.week = analyse(self.data.dataset, self.as_of, run.thresholds,
                                    with_week_before=False)
            else:
                self.week = c.analyse(self.data.dataset, self.as_of, run.thresholds)
        with self.stages.stage("charts"):
            self.charts = _draw_charts(c, self.week, "pdf" in run.formats, self.worker)
        if later:
            from reportgen.analysis.week import read_week_before

            with self.stages.stage("before"):
                # In a range, the previous week's own assessment (see analyse(previous=...)).
                self.week = read_week_before(self.data.dataset, self.week, self.previous)

    def render(self) -> None:
        run, c, charts = self.run, self.run.components, self.charts
        with self.stages.stage("page"):
            # The settings say which formats this build writes (no PDF work for html,json).
            self.page = c.page(self.week, charts, replace(run.settings, formats=run.formats),
                               run.now)
        context = self.page.to_context()
        self.pdf_wait: Callable[[], bytes] | None = None
        self.pdf_started = time.perf_counter()
        if "pdf" in run.formats:
            self.pdf_wait = _start_pdf(c, context, charts, self.worker)
        if not self.brief_when_published:
            self._build_brief()
        self.html, self.index_html = _render_html(c, self.stages, context, charts, run.formats,
                                                  self.site, self.as_of)

    def _build_brief(self) -> dict[str, Any]:
        # Imported here, like the other views: the first chart's SVG waits for what is
        # imported before the analysis (brief.json and the page are needed only after it).
        from reportgen.brief import build_brief

        run = self.run
        with self.stages.stage("brief"):
            self.brief = build_brief(week=self.week, page=self.page, charts=self.charts,
                                     generated_at=run.now,
                                     previous_published=self.site.previous_brief(self.as_of),
                                     formats=run.formats, site_title=run.settings.site_title)
        return self.brief

    def publish(self) -> BuildResult:
        run, c = self.run, self.run.components
        pdf = None
        if self.pdf_wait is not None:
            with self.stages.stage("pdf"):
                # What is left of the PDF, begun after the page in the worker.
                pdf = self.pdf_wait()
        else:
            self.stages.skip("pdf", "not in --format")
        brief = self.brief if self.brief is not None else self._build_brief()
        with self.stages.stage("publish"):
            csvs = {name: _csv(bundle) for name, bundle in self.charts.items()}
            published = self.site.publish(
                WeekFiles(self.as_of, brief, html=self.html, index_html=self.index_html,
                          pdf=pdf, csvs=csvs),
                # Without an HTML page only the stylesheets are needed (the archive links one).
                assets=tuple(a for a in c.assets()
                             if self.html is not None or a.name.endswith(".css")),
            )
        return BuildResult(self.as_of, run.out_dir, published.week_dir, run.formats, published,
                           self.data, brief, self.week, dict(self.stages.timings))


def _draw_charts(components: Components, week: WeekAnalysis, pdf: bool,
                 worker: Any = None) -> dict[str, ChartBundle]:
    """The week's charts; with a PDF to make, each chart's SVG starts in the worker as soon as
    the chart is drawn, while the next ones are drawn here."""
    if not pdf:
        return dict(components.charts(week))
    if components.charts is _default_charts and \
            components.prefetch_pdf_charts is _default_prefetch_pdf_charts:
        from reportgen.charts import iter_charts
        from reportgen.render.pdf import prefetch_svgs

        charts: dict[str, ChartBundle] = {}
        for bundle in iter_charts(week):
            charts[bundle.name] = bundle
            prefetch_svgs({bundle.name: bundle}, worker)
        return charts
    charts = dict(components.charts(week))
    components.prefetch_pdf_charts(charts)
    return charts


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


def _render_html(components: Components, stages: _Stages, context: Mapping[str, Any],
                 charts: Mapping[str, ChartBundle], formats: tuple[str, ...], site: Site,
                 as_of: date) -> tuple[str | None, str | None]:
    """The HTML page for the week's folder and, when it is the latest, for the site root."""
    html = index_html = None
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
    return html, index_html


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
    "RangeResult", "WeekOutcome", "WeekRange", "build", "build_range", "choose_data",
]
