"""``reportgen fetch`` and ``reportgen data status|import|export``."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from reportgen import catalog, redaction
from reportgen.cli import AppContext, pass_app, to_date
from reportgen.store import ItemSummary, Store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@click.command()
@click.option(
    "--source",
    "sources",
    type=click.Choice(catalog.SOURCES),
    multiple=True,
    help="Fetch only this source (repeatable). Default: all four.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also log each retry and request problem.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Fetch from this date instead of incrementally from the last stored date.",
)
@pass_app
def fetch(app: AppContext, sources: tuple[str, ...], verbose: bool, start: datetime | None) -> None:
    """Update the store with what is new from FRED, the NY Fed, Treasury Fiscal Data and the OFR.

    Fetching is incremental: each series is asked only for dates after its last stored one,
    less a short look-back that picks up revisions. A series that fails keeps what was stored;
    the closing summary lists every failure with its reason. Set FRED_API_KEY to use the FRED
    API; without it the keyless fredgraph.csv download is used.

    \b
    Example:
        reportgen fetch
        reportgen fetch --source nyfed --start 2025-01-01
    """
    from reportgen import fetching

    # Retry warnings would otherwise interleave with the progress bar.
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(message)s")
    redaction.protect_handlers()
    store = app.store()
    store.prepare_write()  # a damaged, locked or read-only store is reported before fetching
    tasks = fetching.plan(sources or catalog.SOURCES)
    bar: Any
    with click.progressbar(
        length=len(tasks),
        label="Fetching",
        show_pos=True,
        item_show_func=lambda r: r.task.item if r else None,
    ) as bar:

        summary = fetching.fetch_all(
            store,
            app.settings,
            tasks,
            _now(),
            start=to_date(start),
            on_result=lambda result: bar.update(1, result),
        )
    if summary.offline:
        # One line per unreachable source, not one per series.
        for source in dict.fromkeys(r.task.source for r in summary.failures):
            first = next(r for r in summary.failures if r.task.source == source)
            click.echo(f"  {first.message}", err=True)
        click.echo(
            "No network: nothing could be fetched and the store is unchanged. Analysis commands "
            f"use the store ({app.settings.db_path}), or the bundled sample when it is empty.",
            err=True,
        )
        raise SystemExit(2)
    click.echo(
        f"Fetched {len(summary.results)} item(s): {len(summary.updated)} updated, "
        f"{summary.rows_added} row(s) added or revised, {len(summary.failures)} failed."
    )
    for failure in summary.failures:
        click.echo(
            f"  failed: {failure.task.source}/{failure.task.item}: {failure.message}", err=True
        )
    if summary.failures:
        raise SystemExit(1)


@click.group()
def data() -> None:
    """Inspect, import and export the local store.

    \b
    Example:
        reportgen data status
        reportgen --db x.sqlite data import ../shared/data/real
    """


def status_rows(items: list[ItemSummary], today: date) -> list[dict[str, Any]]:
    """One row per catalog series and table: what is stored, its units and staleness."""
    by_name = {item.name: item for item in items}
    rows: list[dict[str, Any]] = []
    for spec in catalog.SERIES.values():
        item = by_name.get(spec.id)
        rows.append(
            _row(
                spec.id,
                "series",
                spec.source,
                spec.units,
                spec.frequency,
                item,
                today,
            )
        )
    for table in catalog.TABLES.values():
        item = by_name.get(table.name)
        rows.append(
            _row(
                table.name,
                "table",
                table.source,
                table.units,
                "records",
                item,
                today,
            )
        )
    return rows


def _row(
    name: str,
    kind: str,
    source: str,
    units: str,
    frequency: str,
    item: ItemSummary | None,
    today: date,
) -> dict[str, Any]:
    last = item.last if item else None
    if item is None:
        state = "missing"
    elif catalog.is_stale(last, today, name):
        state = "stale"
    else:
        state = "fresh"
    return {
        "name": name,
        "kind": kind,
        "source": source,
        "units": units,
        "frequency": frequency,
        "rows": item.rows if item else 0,
        "first": item.first.isoformat() if item and item.first else None,
        "last": last.isoformat() if last else None,
        "age_days": (today - last).days if last else None,
        "status": state,
        "origin": item.origin if item else None,
        "fetched_at": item.fetched_at if item else None,
    }


@data.command("status")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--all", "show_all", is_flag=True, help="Also list catalog items never stored.")
@pass_app
def status(app: AppContext, fmt: str, show_all: bool) -> None:
    """Every series and table: last date, rows, source, units, and whether it is stale.

    A series is stale when its newest observation is older than its release cadence allows
    (weekly H.4.1: 13 days; daily rates: 5 days). With --sample, shows the bundled sample.

    \b
    Example:
        reportgen data status
        reportgen --sample data status --format json
    """
    description, items = _stored_items(app)
    today = date.today()
    rows = status_rows(items, today)
    if not show_all and fmt == "table":
        rows = [r for r in rows if r["status"] != "missing"]
    if fmt == "json":
        click.echo(
            json.dumps({"data": description, "today": today.isoformat(), "items": rows},
                       indent=2)
        )
        return
    click.echo(f"Data: {description} (today {today.isoformat()})")
    headers = ("name", "kind", "source", "units", "rows", "last", "age_days", "status")
    widths = (
        {
            h: max(len(h), *(len(str(r[h] if r[h] is not None else "-")) for r in rows))
            for h in headers
        }
        if rows
        else {h: len(h) for h in headers}
    )
    click.echo("  ".join(h.ljust(widths[h]) for h in headers))
    for r in rows:
        cells = [str(r[h] if r[h] is not None else "-").ljust(widths[h]) for h in headers]
        line = "  ".join(cells)
        colour = {"fresh": "green", "stale": "yellow", "missing": "red"}[r["status"]]
        click.echo(click.style(line, fg=colour) if r["status"] != "fresh" else line)
    stale = sum(r["status"] == "stale" for r in rows)
    click.echo(f"{len(rows)} item(s), {stale} stale.")


def _stored_items(app: AppContext) -> tuple[str, list[ItemSummary]]:
    """What ``data status`` lists: the store's summary (one query per table; no series is read
    into memory), or the bundled sample's, with the same fallback and note as
    :meth:`AppContext.dataset`."""
    if not app.use_sample:
        store = app.store()
        if not store.is_empty():
            return f"store {app.settings.db_path}", store.summary()
    dataset = app.dataset()  # the sample, saying so when the store was empty
    return dataset.provenance.description, list(dataset.provenance.items)


@data.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=True, path_type=Path))
@pass_app
def import_(app: AppContext, directory: Path) -> None:
    """Load CSV files (a folder, or one file) into the store.

    Reads FRED downloads (observation_date,SERIES), `SERIES.csv` files with date,value, SOFR
    percentile files, NY Fed repo/reverse repo operation exports, primary dealer fails
    (date,PDxxx-TD,...), Treasury auction results (TreasuryDirect or Fiscal Data columns), and
    DTS operating cash balance and debt transaction tables. Every file is parsed before anything
    is written: a file that cannot be read is named with its line and nothing is imported.

    \b
    Example:
        reportgen --db x.sqlite data import ../shared/data/real
        reportgen data import ~/Downloads/WALCL.csv
    """
    from reportgen.sources.csvfiles import csv_files, import_files

    paths = [directory] if directory.is_file() else csv_files(directory)
    store: Store = app.store()
    store.prepare_write()  # a damaged, locked or read-only store is reported before parsing
    with click.progressbar(length=1, label=f"Importing {len(paths)} file(s)") as bar:
        now = _now()
        report = import_files(store, paths, now, today=now.date())
        bar.update(1)
    for parsed in report.files:
        click.echo(f"  {parsed.path.name}: {parsed.kind}, {parsed.rows} row(s)")
    click.echo(
        f"Imported {len(report.files)} file(s) into {app.settings.db_path}: "
        f"{report.rows_written} row(s) added or revised."
    )


@data.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_app
def export(app: AppContext, directory: Path) -> None:
    """Write the store out as CSV files that `data import` reads back.

    Series become SERIES.csv (date,value, in the units of the catalog); tables become
    TABLE.csv with their catalog columns (dealer fails one column per key id).

    \b
    Example:
        reportgen data export backup/
    """
    store = app.store()
    if directory.is_symlink():
        raise click.ClickException(
            f"{directory} is a symbolic link; export writes only into a real folder (links are "
            "never followed, so no file outside it can be overwritten)")
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    for item in store.summary():
        target = directory / f"{item.name}.csv"
        if item.kind == "series":
            frame = store.read_series(item.name).rename("value").to_frame()
            frame.index = frame.index.strftime("%Y-%m-%d")
            text = frame.to_csv(index_label="date")
        elif item.name == "pd_fails":
            wide = store.read_table("pd_fails").pivot(index="date", columns="keyid", values="value")
            text = wide.to_csv(index_label="date")
        else:
            text = store.read_table(item.name).to_csv(index=False)
        try:
            _write_no_follow(target, text)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from exc
        written += 1
    click.echo(f"Exported {written} file(s) to {directory}.")


def _write_no_follow(target: Path, text: str) -> None:
    """Replace ``target`` with ``text``: a symlink placed at ``target`` is replaced, never
    followed, so its target is left as it was."""
    from reportgen.files import write_atomically

    write_atomically(target, text.encode("utf-8"))
