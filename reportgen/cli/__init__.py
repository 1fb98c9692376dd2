"""The ``reportgen`` command line: a thin Click group that parses options, calls the pipeline
and maps ``ReportgenError`` to ``Error: ...`` with exit code 1.

Commands live beside this file, one module per area, and are registered at the bottom.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reportgen import __version__
from reportgen.config import Settings, load_settings, thresholds_in_force
from reportgen.dataset import Dataset
from reportgen.errors import ReportgenError
from reportgen.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from reportgen.analysis.thresholds import Thresholds
    from reportgen.analysis.week import WeekAnalysis

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """What every command receives: the settings, and the store opened on first use."""

    settings: Settings
    use_sample: bool = False
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        """The user's store (``--db`` / ``REPORTGEN_DB`` / ``data/reportgen.sqlite``)."""
        if self._store is None:
            self._store = Store.open(self.settings.db_path)
        return self._store

    def dataset(self, sample: bool = False) -> Dataset:
        """The data an analysis command works on: the bundled sample, or the store.

        An empty store falls back to the sample, and says so on stderr.
        """
        from reportgen.sample import load_sample_store

        if sample or self.use_sample:
            return Dataset.from_store(
                load_sample_store(),
                "sample",
                "bundled sample (real published figures, see SOURCES.md)",
            )
        store = self.store()
        if store.is_empty():
            click.echo(
                f"Note: the store {self.settings.db_path} is empty; using the bundled sample. "
                "Run `reportgen fetch` or `reportgen data import DIR` to use current data.",
                err=True,
            )
            return Dataset.from_store(
                load_sample_store(), "sample", "bundled sample (the store was empty)"
            )
        return Dataset.from_store(store, "store", f"store {self.settings.db_path}")

    def thresholds(self) -> Thresholds:
        """The thresholds in force: the defaults with the overrides of ``reportgen.toml``,
        exactly as ``reportgen build`` applies them."""
        return thresholds_in_force(self.settings)

    def week(self, dataset: Dataset, as_of: date,
             when_issued: pd.DataFrame | None = None) -> WeekAnalysis:
        """The week's analysis on ``as_of``: the same step and settings as ``reportgen build``,
        so the terminal and the briefing never disagree (the week before is not needed)."""
        from reportgen.analysis.week import analyse

        return analyse(dataset, as_of, self.thresholds(), with_week_before=False,
                       when_issued=when_issued)


pass_app = click.make_pass_decorator(AppContext)


class ReportgenGroup(click.Group):
    """Turns domain errors into one clear ``Error:`` line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportgenError as exc:
            raise click.ClickException(exc.message) from exc


def _scrubbed_excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    """Print a bug's traceback as Python would, with every secret scrubbed from it."""
    import traceback

    from reportgen.redaction import scrub

    sys.stderr.write(scrub("".join(traceback.format_exception(kind, value, tb))))


def install_excepthook() -> None:
    """A bug keeps its traceback (see the module docstring), but not the FRED key."""
    sys.excepthook = _scrubbed_excepthook


# -- reusable option bundles ------------------------------------------------------------------
def as_of_option(func: F) -> F:
    """``--as-of DATE``: analyse as of this date, using only data public by then."""
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=_not_in_the_future,
        help="Analyse as of this date (YYYY-MM-DD), using only data published by then. "
        "Default: the latest H.4.1 release in the data.",
    )(func)


def _not_in_the_future(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse an ``--as-of`` after today: a briefing dated in the future would use every stored
    row as if public and, once published, take over index.html from the real latest week."""
    if value is None:
        return value
    today = max(date.today(), datetime.now(UTC).date())  # either clock's today is fine
    if value.date() > today:
        raise click.BadParameter(
            f"{value.date()} is after today ({today}); choose today or an earlier date",
            ctx=ctx, param=param,
        )
    return value


def date_range_options(func: F) -> F:
    """``--start DATE --end DATE``: limit a history to this range (inclusive)."""
    func = click.option(
        "--end",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Last date to include (YYYY-MM-DD). Default: the latest data.",
    )(func)
    return click.option(
        "--start",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="First date to include (YYYY-MM-DD).",
    )(func)


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    """``--format``: one of ``choices`` (the first is the default)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


def sample_option(func: F) -> F:
    return click.option(
        "--sample", is_flag=True, help="Use the bundled sample instead of the store."
    )(func)


def to_date(value: Any) -> date | None:
    """Click's DateTime value (or None) as a date."""
    return value.date() if value is not None else None


def data_line(dataset: Dataset, as_of: date) -> str:
    """One line saying which data an output used and how old it is, for the human formats."""
    visible = dataset.visible(as_of)
    newest = visible.last_date("WALCL")
    age = f", {(date.today() - newest).days} days before today" if newest else ""
    h41 = f"newest H.4.1 week {newest}{age}" if newest else "no H.4.1 data"
    return f"Data: {dataset.provenance.description}; {h41}."


def data_summary(dataset: Dataset, as_of: date) -> dict[str, Any]:
    """The same, for JSON outputs."""
    newest = dataset.visible(as_of).last_date("WALCL")
    return {"description": dataset.provenance.description, "kind": dataset.provenance.kind,
            "newest_h41_week": newest.isoformat() if newest else None}


def resolve_as_of(dataset: Dataset, as_of: Any) -> date:
    """The explicit ``--as-of`` or, by default, the latest H.4.1 release in ``dataset``."""
    chosen = to_date(as_of) or dataset.default_as_of()
    if chosen is None:
        raise click.ClickException(
            "no data to analyse: run `reportgen fetch` or "
            "`reportgen data import DIR`, or pass --sample"
        )
    return chosen


@click.group(cls=ReportgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reportgen")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="REPORTGEN_DB",
    show_envvar=True,
    help="The SQLite store. Default: data/reportgen.sqlite under the working folder.",
)
@click.option(
    "--sample",
    "use_sample",
    is_flag=True,
    help="Use the bundled offline sample instead of the store (read-only commands).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, use_sample: bool) -> None:
    """reportgen: a weekly briefing on Fed balance-sheet policy and Treasury-market plumbing.

    It gathers public data (FRED, the NY Fed Markets API, Treasury Fiscal Data) into a local
    SQLite store, classifies the Fed's balance-sheet phase, measures plumbing stress, and
    renders an HTML site and a PDF briefing.

    \b
    Example:
        reportgen fetch            # update the store from the public APIs
        reportgen data status      # what is stored and how fresh it is
        reportgen assess           # which balance-sheet phase, with evidence
        reportgen signals          # the plumbing stress dashboard
        reportgen build            # the briefing: HTML site, PDF and brief.json in output/
    """
    install_excepthook()
    settings = load_settings({"db_path": db_path})
    ctx.obj = AppContext(settings=settings, use_sample=use_sample)


def _register() -> None:
    from reportgen.cli import data_commands

    cli.add_command(data_commands.fetch)
    cli.add_command(data_commands.data)
    # -- further command modules register here, one line each --
    from reportgen.cli import build_commands

    cli.add_command(build_commands.build)
    from reportgen.cli import signal_commands

    cli.add_command(signal_commands.signals)
    from reportgen.cli import phase_commands

    cli.add_command(phase_commands.assess_command)
    cli.add_command(phase_commands.phases_command)


_register()
