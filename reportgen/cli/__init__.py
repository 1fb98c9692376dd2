"""The ``reportgen`` command line: a thin Click group that parses options, calls the pipeline
and maps ``ReportgenError`` to ``Error: ...`` with exit code 1.

Commands live beside this file, one module per area, and are registered at the bottom by name
only (:data:`COMMANDS`): a module is imported when its command runs (or its own ``--help`` is
asked for), so ``reportgen --help`` and ``reportgen data status`` start without pandas, Altair
or WeasyPrint. The console script is :func:`main`, which ends the process as soon as the
command's output is written (see there).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reportgen import __version__
from reportgen.config import Settings, load_settings, thresholds_in_force
from reportgen.errors import ReportgenError

if TYPE_CHECKING:
    import pandas as pd

    from reportgen.analysis.thresholds import Thresholds
    from reportgen.analysis.week import WeekAnalysis
    from reportgen.dataset import Dataset
    from reportgen.store import Store


def _process_started() -> float:
    """When this process started, on the ``time.perf_counter`` clock: the interpreter's own
    start-up (before any of reportgen runs) is part of what a user waits for, so the build's
    "Done in" counts from here. Linux reads it from /proc; elsewhere it is this import."""
    now = time.perf_counter()
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as uptime:
            up = float(uptime.read().split()[0])
        age = up - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - age if 0.0 <= age < 60.0 else now


#: The process start on the ``time.perf_counter`` clock (see :func:`_process_started`).
PROCESS_STARTED = _process_started()

F = TypeVar("F", bound=Callable[..., Any])
#: Stores a command opened: closed by :func:`main` before it ends the process, as a normal
#: exit would (SQLite then folds its write-ahead log back into the file).
_OPEN_STORES: list[Store] = []


@dataclass
class AppContext:
    """What every command receives: the settings, and the store opened on first use."""

    settings: Settings
    use_sample: bool = False
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        """The user's store (``--db`` / ``REPORTGEN_DB`` / ``data/reportgen.sqlite``)."""
        if self._store is None:
            from reportgen.store import Store

            self._store = Store.open(self.settings.db_path)
            _OPEN_STORES.append(self._store)
        return self._store

    def dataset(self, sample: bool = False) -> Dataset:
        """The data an analysis command works on: the bundled sample, or the store.

        An empty store falls back to the sample, and says so on stderr.
        """
        from reportgen.dataset import Dataset
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


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and its one-line help, for listing it without importing it."""

    module: str
    attr: str
    summary: str  # the first paragraph of its help; tests/test_cli_lazy.py keeps them equal

    def load(self) -> click.Command:
        command = getattr(import_module(self.module), self.attr)
        assert isinstance(command, click.Command)
        return command


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's commands: names known at once, each module imported on first access.

    Click reads ``group.commands`` as a mapping (``get``, iteration, ``[name] = command``), so
    everything that walks the commands (help of one command, shell completion, the docs test)
    still sees real ``click.Command`` objects; only listing the names imports nothing.
    """

    def __init__(self, lazy: dict[str, LazyCommand]) -> None:
        self.lazy = dict(lazy)
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            if name not in self.lazy:
                raise KeyError(name)
            self.loaded[name] = self.lazy[name].load()
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self.lazy and name not in self.loaded:
            raise KeyError(name)
        self.lazy.pop(name, None)
        self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.lazy), **dict.fromkeys(self.loaded)})

    def __len__(self) -> int:
        return len(self.lazy.keys() | self.loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self.lazy or name in self.loaded


class ReportgenGroup(click.Group):
    """Turns domain errors into one clear ``Error:`` line instead of a traceback, and loads
    each command's module only when it is needed (:class:`LazyCommands`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands({})

    def add_lazy_command(self, name: str, command: LazyCommand) -> None:
        assert isinstance(self.commands, LazyCommands)
        self.commands.lazy[name] = command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportgenError as exc:
            raise click.ClickException(exc.message) from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's command list, with the summaries of commands not yet imported taken from
        :data:`COMMANDS` (the same text Click would shorten from their help)."""
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        rows: list[tuple[str, str | None]] = []
        for name in self.list_commands(ctx):
            if name in commands.loaded:
                command = commands.loaded[name]
                if not command.hidden:
                    rows.append((name, None))
            else:
                rows.append((name, commands.lazy[name].summary))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        lines = []
        for name, summary in rows:
            if summary is None:
                lines.append((name, commands.loaded[name].get_short_help_str(limit)))
            else:
                # Shortened exactly as Click shortens a loaded command's help.
                lines.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(lines)


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


#: Every command: its module and the first paragraph of its help (shown by ``--help``).
COMMANDS: dict[str, LazyCommand] = {
    "fetch": LazyCommand(
        "reportgen.cli.data_commands", "fetch",
        "Update the store with what is new from FRED, the NY Fed, Treasury Fiscal Data and "
        "the OFR."),
    "data": LazyCommand(
        "reportgen.cli.data_commands", "data", "Inspect, import and export the local store."),
    "build": LazyCommand(
        "reportgen.cli.build_commands", "build",
        "Build the weekly briefing and publish it into the static site."),
    "signals": LazyCommand(
        "reportgen.cli.signal_commands", "signals",
        "Plumbing stress: repo rates, SRF, auctions, fails, Treasury volatility, yield curve, "
        "reserves, the composite index and the auction-dealer-funding feedback loop."),
    "assess": LazyCommand(
        "reportgen.cli.phase_commands", "assess_command",
        "Which phase the Fed's balance sheet is in, since when, how sure, and what would move "
        "it."),
    "phases": LazyCommand(
        "reportgen.cli.phase_commands", "phases_command",
        "The weekly history of the balance-sheet phase, one row per H.4.1 Wednesday."),
}
for _name, _command in COMMANDS.items():
    cli.add_lazy_command(_name, _command)


_under_main = False


def run_started() -> float:
    """When the run began, for the "Done in" line: the process start under the console
    script (interpreter start-up and imports included), else now (a test calling :data:`cli`
    in a long-lived process)."""
    return PROCESS_STARTED if _under_main else time.perf_counter()


def main() -> None:
    """The ``reportgen`` console script: run the command, then end the process at once.

    Once a command's output is written and flushed there is nothing left to do, but a normal
    interpreter exit would still take a few tenths of a second after a build to tear down
    pandas, Altair, WeasyPrint and their objects. ``os._exit`` skips that, after flushing the
    standard streams and logging. Everything a command writes is complete by then: the store
    commits each transaction, the site writer renames each file into place, and nothing here
    depends on ``atexit`` handlers; the stores a command opened are closed first. Tests call
    :data:`cli` (Click's runner), never this.
    """
    global _under_main
    _under_main = True
    code: int
    try:
        cli.main(prog_name="reportgen")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            sys.stderr.write(f"{exc.code}\n")
    _exit_now(code)


def _exit_now(code: int) -> None:
    import logging

    for store in _OPEN_STORES:
        # Already closed, or its file went away: there is nothing left to fold back.
        with contextlib.suppress(Exception):
            store.close()
    try:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`reportgen ... | head`): nothing to flush
        code = code or 1
    os._exit(code)
