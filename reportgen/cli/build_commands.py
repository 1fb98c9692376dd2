"""``reportgen build``: fetch, analyse, render and publish the weekly briefing site."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from reportgen.cli import AppContext, as_of_option, pass_app, to_date
from reportgen.config import FORMATS
from reportgen.pipeline import BuildOptions, BuildResult, ProgressEvent
from reportgen.pipeline import build as run_build

# Series whose freshness the closing summary names (the rest are counted).
_KEY_SERIES = ("WALCL", "WRESBAL", "SOFR", "RRPONTSYD", "DGS10")


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
    timing = " · ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
    lines.append(f"Done in {result.total_seconds:.1f} s ({timing})")
    return lines


@click.command("build")
@as_of_option
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
def build(app: AppContext, as_of: Any, sample: bool, offline: bool | None, out_dir: Path | None,
          formats: tuple[str, ...] | None, quiet: bool) -> None:
    """Build the weekly briefing and publish it into the static site.

    Fetches what is new (unless --offline or --sample), assesses the Fed's balance-sheet
    phase, computes the plumbing stress signals, draws the charts and writes
    briefings/YYYY-MM-DD/ (briefing.html, briefing.pdf, brief.json, chart CSVs) into the site,
    then regenerates index.html, archive.html and feed.xml. Without a network it says so and
    uses the store; an empty store falls back to the bundled sample.

    The site is written atomically: a failed build leaves it as it was, and other weeks are
    never removed. --as-of rebuilds a past week from the stored data (only data published by
    then is used).

    \b
    Example:
        reportgen build
        reportgen build --sample --out /tmp/site
        reportgen build --offline --as-of 2025-12-18 --format html,json
    """
    options = BuildOptions(
        as_of=to_date(as_of), sample=sample or app.use_sample, offline=offline,
        out_dir=out_dir, formats=formats,
    )
    result = run_build(app.settings, options, progress=_Reporter(quiet), now=datetime.now(UTC))
    for line in summary_lines(result):
        click.echo(line)
