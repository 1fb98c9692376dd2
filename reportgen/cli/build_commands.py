"""``reportgen build``: fetch, analyse, render and publish the weekly briefing site.

This module imports nothing heavy: the command first starts the print worker (so that
vl-convert and WeasyPrint start on the second core), then imports the pipeline.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import reportgen.cli as cli_module
from reportgen.cli import AppContext, as_of_option, pass_app, to_date
from reportgen.config import FORMATS

if TYPE_CHECKING:
    from reportgen.pipeline import (
        BuildOptions,
        BuildResult,
        ProgressEvent,
        RangeResult,
        WeekOutcome,
        WeekRange,
    )

# Series whose freshness the closing summary names (the rest are counted).
_KEY_SERIES = ("WALCL", "WRESBAL", "SOFR", "RRPONTSYD", "DGS10")


def run_build(settings: Any, options: BuildOptions, **kwargs: Any) -> BuildResult:
    """:func:`reportgen.pipeline.build` (the tests put a fake build in its place)."""
    from reportgen.pipeline import build

    return build(settings, options, **kwargs)


def run_build_range(settings: Any, weeks: WeekRange, options: BuildOptions,
                    **kwargs: Any) -> RangeResult:
    """:func:`reportgen.pipeline.build_range` (the tests put a fake in its place)."""
    from reportgen.pipeline import build_range

    return build_range(settings, weeks, options, **kwargs)


def _parse_range(ctx: click.Context, param: click.Parameter,
                 value: str | None) -> tuple[date, date] | None:
    if value is None:
        return None
    first_text, sep, last_text = value.partition(":")
    try:
        if not sep:
            raise ValueError
        first, last = date.fromisoformat(first_text), date.fromisoformat(last_text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not FIRST:LAST, two dates YYYY-MM-DD, e.g. "
                                 "2026-03-01:2026-09-16", ctx=ctx, param=param) from None
    if first > last:
        raise click.BadParameter(f"{first} is after {last}; write the earlier date first",
                                 ctx=ctx, param=param)
    today = max(date.today(), datetime.now(UTC).date())
    if last > today:
        raise click.BadParameter(f"{last} is after today ({today}); end the range today or "
                                 "earlier", ctx=ctx, param=param)
    return first, last


def _parse_formats(ctx: click.Context, param: click.Parameter,
                   value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    chosen = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(empty)'}; use a comma-separated list of "
            f"{', '.join(FORMATS)}, e.g. --format html,json", ctx=ctx, param=param)
    return chosen


class _Reporter:
    """Prints one line per stage on stderr: the label when it starts, its time when it ends."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.open = False
        self.tty = sys.stderr.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet and event.state != "note":
            return
        prefix = f"[{event.index:>2}/{event.total}] {event.label}"
        if event.state == "start":
            if self.tty:  # on a terminal show the running stage; in logs only the result
                click.echo(f"{prefix} ...", nl=False, err=True)
                self.open = True
        elif event.state == "done":
            seconds = f"{event.seconds:.2f} s" if event.seconds is not None else ""
            if self.open:
                click.echo(f" {seconds}", err=True)
            else:
                click.echo(f"{prefix} ... {seconds}", err=True)
            self.open = False
        elif event.state == "skip":
            self._close()
            click.echo(f"{prefix}: skipped ({event.message})", err=True)
        else:
            self._close()
            click.echo(f"        note: {event.message}", err=True)

    def _close(self) -> None:
        if self.open:
            click.echo("", err=True)
            self.open = False


def summary_lines(result: BuildResult) -> list[str]:
    """The closing summary: where the files are, which data was used and how fresh it is."""
    week = result.week_dir
    files = [p.name for p in sorted(week.iterdir()) if p.is_file()]
    csvs = sorted((week / "data").glob("*.csv")) if (week / "data").is_dir() else []
    pub = result.publish
    lines = [
        f"Briefing as of {result.as_of.isoformat()} written to {week}/"
        + (" (rebuilt)" if pub.replaced else ""),
        f"  files: {', '.join(files)}" + (f", {len(csvs)} chart CSV(s) in data/" if csvs else ""),
        f"  site:  {result.out_dir / 'index.html'}"
        + (f" (shows {pub.index_week.isoformat()})" if pub.index_week else "")
        + f", archive.html, feed.xml; {len(pub.weeks)} week(s) in the archive",
    ]
    data = result.brief["data"]
    lines.append(f"Data: {data['description']}")
    if result.data.fetch is not None and not getattr(result.data.fetch, "offline", False):
        fetch = result.data.fetch
        lines.append(f"  fetched {len(getattr(fetch, 'results', []))} item(s), "
                     f"{getattr(fetch, 'rows_added', 0)} row(s) added or revised, "
                     f"{len(getattr(fetch, 'failures', []))} failed")
    items = {i["id"]: i for i in data["items"]}
    named = [f"{sid} {items[sid]['last']}" for sid in _KEY_SERIES
             if sid in items and items[sid]["last"]]
    if named:
        lines.append(f"  newest as of {result.as_of.isoformat()}: {'; '.join(named)}")
    fetched = [str(i["fetched_at"]) for i in data["items"] if i.get("fetched_at")]
    if fetched and result.data.kind == "store":
        lines.append(f"  last fetched: {max(fetched)}")
    stale = result.stale_items
    if stale:
        shown = ", ".join(f"{i['id']} (last {i['last'] or 'none'})" for i in stale[:6])
        more = f" and {len(stale) - 6} more" if len(stale) > 6 else ""
        lines.append(f"  stale for their release cadence: {shown}{more}")
    else:
        lines.append("  every item is fresh for its release cadence")
    for note in result.notes:
        lines.append(f"Note: {note}")
    return lines


def done_line(started: float, timings: dict[str, float]) -> str:
    """``Done in`` the whole run, from ``started`` (the process start under the console
    script) to now, just before the process ends; the parts are the start-up before the build,
    each stage, and what is left (starting the worker, the summary)."""
    total = time.perf_counter() - started
    parts = dict(timings)
    rest = total - sum(parts.values())
    if rest >= 0.005:
        parts["other"] = rest
    shown = " · ".join(f"{k} {v:.2f}" for k, v in parts.items())
    return f"Done in {total:.1f} s, start to exit ({shown})"


def range_summary_lines(result: RangeResult) -> list[str]:
    """The closing summary of a range rebuild: the weeks written and failed, the site, data."""
    done = [w for w in result.weeks if w.result is not None]
    failed = result.failed
    first, last = result.weeks[0].as_of, result.weeks[-1].as_of
    lines = [f"Rebuilt {len(result.weeks)} week(s) from {first} to {last} into "
             f"{result.out_dir}/: {len(done)} written"
             + (f", {len(failed)} failed" if failed else "")]
    for week in failed:
        lines.append(f"  {week.as_of}: {week.error}")
    if done:
        pub = done[-1].result.publish  # type: ignore[union-attr]
        lines.append(f"  site:  {result.out_dir / 'index.html'}"
                     + (f" (shows {pub.index_week.isoformat()})" if pub.index_week else "")
                     + f", archive.html, feed.xml; {len(pub.weeks)} week(s) in the archive")
    lines.append(f"Data: {result.data.dataset.provenance.description}")
    for note in result.data.notes:
        lines.append(f"Note: {note}")
    return lines


@click.command("build")
@as_of_option
@click.option("--as-of-range", "as_of_range", callback=_parse_range, default=None,
              metavar="FIRST:LAST",
              help="Rebuild every week whose H.4.1 became public from FIRST to LAST "
                   "(YYYY-MM-DD:YYYY-MM-DD), oldest first, in one process: the data are loaded "
                   "once and each week uses only what was public on its date. One line per "
                   "week; a week that fails is reported and the others go on.")
@click.option("--weeks", type=click.IntRange(min=1), default=None, metavar="N",
              help="Rebuild the N latest weeks (up to --as-of when given), as --as-of-range "
                   "does.")
@click.option("--sample", is_flag=True,
              help="Build entirely from the bundled sample (no fetch, the store is not touched).")
@click.option("--offline", is_flag=True, default=None,
              help="Do not fetch: use the store as it is (or the sample when it is empty).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The site folder. Default: output/ (or output_dir in reportgen.toml).")
@click.option("--format", "formats", callback=_parse_formats, default=None, metavar="LIST",
              help="Comma-separated outputs: html,pdf,json. Default: all three (or formats in "
                   "reportgen.toml). brief.json is always written: the archive is built from it.")
@click.option("--quiet", "-q", is_flag=True, help="Show only notes and the closing summary.")
@pass_app
def build(app: AppContext, as_of: Any, as_of_range: tuple[date, date] | None,
          weeks: int | None, sample: bool, offline: bool | None, out_dir: Path | None,
          formats: tuple[str, ...] | None, quiet: bool) -> None:
    """Build the weekly briefing and publish it into the static site.

    Fetches what is new (unless --offline or --sample), assesses the Fed's balance-sheet
    phase, computes the plumbing stress signals, draws the charts and writes
    briefings/YYYY-MM-DD/ (briefing.html, briefing.pdf, brief.json, chart CSVs) into the site,
    then regenerates index.html, archive.html and feed.xml. Without a network it says so and
    uses the store; an empty store falls back to the bundled sample.

    The site is written atomically: a failed build leaves it as it was, and other weeks are
    never removed. --as-of rebuilds a past week from the stored data (only data published by
    then is used); --as-of-range or --weeks rebuild many weeks in one process (an archive
    lost with its cache), much faster than one build per week.

    \b
    Example:
        reportgen build
        reportgen build --sample --out /tmp/site
        reportgen build --offline --as-of 2025-12-18 --format html,json
        reportgen build --offline --as-of-range 2026-03-01:2026-09-16 --out site/
        reportgen build --offline --weeks 26 --out site/
    """
    started = cli_module.run_started()
    if as_of_range is not None and (as_of is not None or weeks is not None):
        raise click.UsageError("--as-of-range takes neither --as-of nor --weeks; give the "
                               "range's first and last dates")
    chosen = formats or app.settings.formats
    if "pdf" in chosen:
        # First, before pandas and Altair are imported: vl-convert's engine and WeasyPrint
        # start in the print worker while this process loads and analyses the data.
        from reportgen.render import svg_worker

        svg_worker.start()
    from reportgen.pipeline import BuildOptions, WeekRange

    entered = time.perf_counter()
    options = BuildOptions(
        as_of=None if weeks is not None else to_date(as_of), sample=sample or app.use_sample,
        offline=offline, out_dir=out_dir, formats=formats,
    )
    now = datetime.now(UTC)
    if as_of_range is not None or weeks is not None:
        span = (WeekRange(first=as_of_range[0], last=as_of_range[1]) if as_of_range
                else WeekRange(last=to_date(as_of), weeks=weeks))
        _build_range(app, span, options, quiet, now, started)
        return
    result = run_build(app.settings, options, progress=_Reporter(quiet), now=now)
    for line in summary_lines(result):
        click.echo(line)
    click.echo(done_line(started, {"start-up": entered - started, **result.timings}))


def _build_range(app: AppContext, span: WeekRange, options: BuildOptions, quiet: bool,
                 now: datetime, started: float) -> None:
    def on_week(week: WeekOutcome) -> None:
        where = f"[{week.index:>2}/{week.total}] {week.as_of}"
        if week.error is not None:
            click.echo(f"{where}: not built: {week.error}", err=True)
        elif not quiet:
            replaced = " (rebuilt)" if week.result and week.result.publish.replaced else ""
            click.echo(f"{where}: written{replaced} ({week.seconds:.1f} s)", err=True)

    result = run_build_range(app.settings, span, options, progress=_Reporter(quiet),
                             on_week=on_week, now=now)
    for line in range_summary_lines(result):
        click.echo(line)
    total = time.perf_counter() - started
    count = len(result.weeks)
    click.echo(f"Done in {total:.1f} s, start to exit ({count} week(s), "
               f"{total / max(count, 1):.1f} s a week)")
    if result.failed:
        raise click.ClickException(
            f"{len(result.failed)} of {count} week(s) could not be built (listed above); the "
            "others are in the site")
