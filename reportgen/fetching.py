"""The incremental fetch: which items to ask each source for, from when, and what to record.

:func:`plan` lists the tasks (one per series or table, grouped where one request returns
several series); :func:`fetch_all` runs them one at a time and returns a :class:`FetchSummary`.

Incremental rule: a task asks for data from its newest stored date **minus a look-back** (so
that revisions are picked up), or from ``start`` when one is given, or from its default history
start on the first fetch:

==========================================  ===============  ==========
items                                       first fetch      look-back
==========================================  ===============  ==========
FRED series (H.4.1, ON RRP, yields, ...)    2002-12-18       14 days daily, 56 days weekly
IORB / IOER (FRED)                          2021-07-29 / 2008-10-09 (IOER ended 2021-07-28:
                                            fetched once, then skipped)
SOFR (+ percentiles, volume), TGCR, BGCR    2018-04-02       14 days
EFFR, OBFR (NY Fed)                         2016-03-01       14 days
SOMA summary (bills, notes/bonds, MBS)      whole history    56 days
repo_operations                             2013-09-23       14 days
outright_operations                         2009-01-01       14 days
pd_fails                                    whole history    56 days
pd_series_breaks                            whole list       (always the whole list)
pd_positions, pd_financing, pd_transactions whole history    56 days (one request per key;
                                            a history cut at a series break is filled from
                                            the break paths and recorded in pd_history_cuts)
seclending_operations (+ details)           2019-01-01       14 days (one request a year)
OFR repo series (REPO-..., one each)        whole history    14 days
OFR_FSI (+ its 8 contributions)             whole file       (one request, always whole)
auctions                                    2000-01-01       30 days (from min(last, today))
dts_cash_balance (+ TGA_DTS)                2005-10-03       14 days
dts_debt_transactions                       2020-01-01       14 days
==========================================  ===============  ==========

Isolation: every task parses its whole response before writing, and writes inside one
transaction, so a failure leaves the stored rows exactly as they were; the failure is recorded
in the fetch log with its reason and the other tasks go on. When a source's host cannot be
reached (after retries), its remaining tasks are marked failed at once instead of waiting for
the same timeouts again; when every task failed that way, :attr:`FetchSummary.offline` is True.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import httpx
import pandas as pd

from reportgen import catalog, redaction
from reportgen.config import Settings
from reportgen.errors import ConfigError, NetworkError, ReportgenError, redact
from reportgen.sources import fred, nyfed, ofr, treasury, validate
from reportgen.sources.http import DEFAULT_POLICY, HttpClient, RetryPolicy, new_client
from reportgen.store import FetchLogEntry, Store

log = logging.getLogger(__name__)

SOURCES = catalog.SOURCES

# Tasks whose one request returns several items: the task's own item plus these.
ALSO_WRITES: dict[str, tuple[tuple[str, str], ...]] = {
    "SOFR": tuple(("series", s) for s in ("SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL")),
    "SOMA_BILLS": (("series", "SOMA_NOTESBONDS"), ("series", "SOMA_MBS")),
    "dts_cash_balance": (("series", "TGA_DTS"),),
    "OFR_FSI": tuple(("series", s) for s in ofr.FSI_SERIES if s != "OFR_FSI"),
    "seclending_operations": (("table", "seclending_details"),),
    # Every dealer statistics task records the cuts it finds; listed once, under the first.
    **{t: (("table", "pd_history_cuts"),) for t in nyfed.PD_TABLES[:1]},
}
# Written beside a task's own rows but not dated data: never the incremental start (a table
# of history cuts stays empty while every history is whole).
RECORDS_ONLY = frozenset({"pd_history_cuts"})
# Catalog series that are not fetched on their own, and why.
NOT_FETCHED = {
    "SRF_ACCEPTED": "derived from repo_operations by the analysis",
}
# Series that have ended: fetched once, then left alone.
ENDED = {"IOER": date(2021, 7, 28)}

_NYFED_RATES = {"SOFR": "sofr", "TGCRRATE": "tgcr", "BGCR": "bgcr", "EFFR": "effr", "OBFR": "obfr"}
# pd_series_breaks before the dealer statistics: their rows take their break from it.
_NYFED_TABLES = (
    "repo_operations",
    "outright_operations",
    "pd_fails",
    "pd_series_breaks",
    *nyfed.PD_TABLES,
    "seclending_operations",
)
_TREASURY_TABLES = ("dts_cash_balance", "auctions", "dts_debt_transactions")

H41_START = date(2002, 12, 18)
# First date asked for when nothing is stored; None = the source's whole history.
DEFAULT_START: dict[str, date | None] = {
    "IORB": date(2021, 7, 29),
    "IOER": date(2008, 10, 9),
    "SOFR": date(2018, 4, 2),
    "TGCRRATE": date(2018, 4, 2),
    "BGCR": date(2018, 4, 2),
    "EFFR": date(2016, 3, 1),
    "OBFR": date(2016, 3, 1),
    "SOMA_BILLS": None,
    "repo_operations": date(2013, 9, 23),
    "outright_operations": date(2009, 1, 1),
    "pd_fails": None,
    "pd_series_breaks": None,
    **dict.fromkeys(nyfed.PD_TABLES),
    "seclending_operations": date(2019, 1, 1),
    **dict.fromkeys(ofr.repo_mnemonics()),
    "OFR_FSI": None,
    "auctions": date(2000, 1, 1),
    "dts_cash_balance": date(2005, 10, 3),
    "dts_debt_transactions": date(2020, 1, 1),
}
LOOKBACK_DAYS: dict[str, int] = {
    "daily": 14,
    "weekly": 56,
    "SOMA_BILLS": 56,
    "pd_fails": 56,
    **dict.fromkeys(nyfed.PD_TABLES, 56),
    "auctions": 30,
}
ORIGIN = {"nyfed": "nyfed", "treasury": "fiscaldata", "ofr": "ofr"}


@dataclass(frozen=True)
class FetchTask:
    """One unit of fetching: a series (or a group returned by one request) or a table."""

    source: str
    item: str
    kind: str  # "series" | "table"

    @property
    def writes(self) -> tuple[tuple[str, str], ...]:
        """Every (kind, name) this task stores: its own item and any grouped with it."""
        return ((self.kind, self.item), *ALSO_WRITES.get(self.item, ()))


@dataclass(frozen=True)
class FetchItemResult:
    """How one task went. ``error`` is the exception class name when it failed."""

    task: FetchTask
    status: str  # "ok" | "unchanged" | "failed"
    rows: int
    message: str
    error: str = ""


@dataclass(frozen=True)
class FetchSummary:
    results: list[FetchItemResult] = field(default_factory=list)

    @property
    def updated(self) -> list[FetchItemResult]:
        """Tasks that added or revised at least one row."""
        return [r for r in self.results if r.rows > 0]

    @property
    def rows_added(self) -> int:
        return sum(r.rows for r in self.results)

    @property
    def failures(self) -> list[FetchItemResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def offline(self) -> bool:
        """True when every task failed because no host could be reached."""
        return bool(self.results) and all(
            r.status == "failed" and r.error == NetworkError.__name__ for r in self.results
        )


def plan(sources: Sequence[str] = SOURCES) -> list[FetchTask]:
    """The tasks for ``sources``, in a stable order (catalog order within a source).

    Every catalog series and table is covered by exactly one task, except those in
    ``NOT_FETCHED`` (SRF_ACCEPTED, derived by the analysis). Grouped items (SOFR percentiles
    and volume with SOFR, the SOMA split with SOMA_BILLS, TGA_DTS with dts_cash_balance, the
    FSI contributions with OFR_FSI, securities lending details with its operations, the
    dealer statistics' history cuts) are listed in ``ALSO_WRITES``.

    Example
    -------
    >>> [t.item for t in plan(["treasury"])]
    ['dts_cash_balance', 'auctions', 'dts_debt_transactions']
    """
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise ConfigError(
            f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}"
        )
    tasks: list[FetchTask] = []
    if "fred" in sources:
        tasks += [
            FetchTask("fred", s.id, "series")
            for s in catalog.SERIES.values()
            if s.source == "fred" and s.id not in NOT_FETCHED
        ]
    if "nyfed" in sources:
        tasks += [FetchTask("nyfed", sid, "series") for sid in (*_NYFED_RATES, "SOMA_BILLS")]
        tasks += [FetchTask("nyfed", name, "table") for name in _NYFED_TABLES]
    if "treasury" in sources:
        tasks += [FetchTask("treasury", name, "table") for name in _TREASURY_TABLES]
    if "ofr" in sources:
        tasks += [FetchTask("ofr", sid, "series") for sid in ofr.repo_mnemonics()]
        tasks.append(FetchTask("ofr", "OFR_FSI", "series"))
    return tasks


def _last(store: Store, kind: str, name: str) -> date | None:
    return store.last_date(name) if kind == "series" else store.last_table_date(name)


def _lookback(task: FetchTask) -> int:
    if task.item in LOOKBACK_DAYS:
        return LOOKBACK_DAYS[task.item]
    if task.kind == "series":
        return LOOKBACK_DAYS[catalog.series(task.item).frequency]
    return LOOKBACK_DAYS["daily"]


def default_start(task: FetchTask) -> date | None:
    """Where a first fetch of ``task`` begins (None: the source's whole history)."""
    if task.item in DEFAULT_START:
        return DEFAULT_START[task.item]
    return H41_START


def incremental_start(
    store: Store, task: FetchTask, today: date, start: date | None = None
) -> date | None:
    """The first date to ask for: ``start`` if given; else the oldest of the newest stored
    dates of everything the task writes (capped at ``today``), minus the look-back; else the
    default history start.

    Example: WALCL last stored 2026-08-19 (weekly, 56-day look-back) -> 2026-06-24.
    """
    if start is not None:
        return start
    lasts = [_last(store, kind, name) for kind, name in task.writes if name not in RECORDS_ONLY]
    if any(last is None for last in lasts):
        return default_start(task)
    newest = min(min(d for d in lasts if d is not None), today)
    return newest - timedelta(days=_lookback(task))


@dataclass
class _Context:
    store: Store
    today: date
    now: datetime
    api_key: str | None
    policy: RetryPolicy
    http: dict[str, HttpClient]
    # time.monotonic() when the run began: ``now`` plus the time since is a task's wall time.
    clock: float
    key_problem: str | None = None


def _write_series(ctx: _Context, values: dict[str, pd.Series], origin: str) -> int:
    for sid, series in values.items():
        validate.check_not_future(sid, series, ctx.today, origin, None)
    with ctx.store.transaction():
        return sum(ctx.store.upsert_series(sid, s, origin, ctx.now) for sid, s in values.items())


def _write_table(ctx: _Context, table: str, frame: pd.DataFrame, origin: str) -> int:
    if frame.empty:
        return 0
    validate.check_table(table, frame, f" from {origin}")
    validate.check_not_future(table, frame, ctx.today, origin, None)
    return ctx.store.upsert_table(table, frame, origin, ctx.now)


def _run(ctx: _Context, task: FetchTask, start: date | None) -> int:
    """Fetch, parse and store one task; returns rows added or revised."""
    if task.source == "fred":
        if ctx.api_key:
            series = fred.fetch_series_fredapi(task.item, ctx.api_key, start, ctx.today, ctx.policy)
            return _write_series(ctx, {task.item: series}, "fred-api")
        series = fred.fetch_fredgraph(ctx.http["fred"], task.item, start, ctx.today)
        return _write_series(ctx, {task.item: series}, "fredgraph")

    http = ctx.http[task.source]
    origin = ORIGIN[task.source]
    if task.source == "ofr":
        if task.item == "OFR_FSI":
            return _write_series(ctx, ofr.fetch_fsi(http, start), origin)
        return _write_series(ctx, {task.item: ofr.fetch_timeseries(http, task.item, start)},
                             origin)
    if task.item in nyfed.PD_TABLES:
        return _write_pd_statistics(ctx, http, task.item, start, origin)
    if task.item == "seclending_operations":
        first = start or default_start(task) or H41_START
        operations, details = nyfed.fetch_seclending(http, first, ctx.today)
        with ctx.store.transaction():
            rows = _write_table(ctx, task.item, operations, origin)
            return rows + _write_table(ctx, "seclending_details", details, origin)
    if task.item in _NYFED_RATES:
        first = start or default_start(task) or H41_START
        rates = nyfed.fetch_reference_rates(http, _NYFED_RATES[task.item], first, ctx.today)
        return _write_series(ctx, rates, origin)
    if task.item == "SOMA_BILLS":
        return _write_series(ctx, nyfed.fetch_soma_summary(http, start), origin)
    if task.item == "repo_operations":
        first = start or default_start(task) or H41_START
        frame = nyfed.fetch_repo_operations(http, first, ctx.today)
    elif task.item == "outright_operations":
        first = start or default_start(task) or H41_START
        frame = nyfed.fetch_outright_operations(http, first, ctx.today)
    elif task.item == "pd_fails":
        frame = nyfed.fetch_pd_fails(http, start)
    elif task.item == "pd_series_breaks":
        frame = nyfed.fetch_pd_series_breaks(http)
    elif task.item == "auctions":
        frame = treasury.fetch_auctions(http, start)
    elif task.item == "dts_debt_transactions":
        frame = treasury.fetch_debt_transactions(http, start)
    elif task.item == "dts_cash_balance":
        frame, tga = treasury.fetch_cash_balance(http, start)
        with ctx.store.transaction():
            rows = _write_table(ctx, task.item, frame, origin)
            return rows + ctx.store.upsert_series("TGA_DTS", tga, origin, ctx.now)
    else:
        raise ConfigError(f"no fetcher for {task.source}/{task.item}")
    return _write_table(ctx, task.item, frame, origin)


def _write_pd_statistics(
    ctx: _Context, http: HttpClient, table: str, start: date | None, origin: str
) -> int:
    """Fetch one primary dealer statistics table and store it with the history cuts found
    (one transaction). Rows take their series break from the stored break list, else from
    ``nyfed.KNOWN_BREAKS``."""
    breaks = nyfed.series_breaks(ctx.store.read_table("pd_series_breaks"))
    frame, cuts = nyfed.fetch_pd_statistics(http, table, ctx.today, start, breaks)
    for cut in cuts:
        log.warning("%s: %s history cut at %s (%s)", table, cut.keyid, cut.series_break, cut.note)
    with ctx.store.transaction():
        rows = _write_table(ctx, table, frame, origin)
        return rows + _write_table(ctx, "pd_history_cuts", nyfed.cuts_frame(cuts, ctx.today),
                                   origin)


def _scrub(text: str, api_key: str | None) -> str:
    return redact(text.replace(api_key, "***") if api_key else text)


def fetch_all(
    store: Store,
    settings: Settings,
    tasks: Sequence[FetchTask],
    now: datetime,
    start: date | None = None,
    client: httpx.Client | None = None,
    on_result: Callable[[FetchItemResult], None] | None = None,
    retry: RetryPolicy | None = None,
) -> FetchSummary:
    """Run ``tasks`` one after another and store what they bring.

    Parameters
    ----------
    store
        Where rows are upserted (origin ``fred-api`` / ``fredgraph`` / ``nyfed`` /
        ``fiscaldata``, ``fetched_at`` = ``now``) and every outcome is logged.
    settings
        ``fred_api_key`` selects the FRED API (fredapi) over the keyless fredgraph download.
    tasks
        From :func:`plan`.
    now
        The fetch time (the caller reads the clock, not this module); ``now.date()`` is the
        last date asked for.
    start
        Fetch from this date instead of incrementally (see the module docstring).
    client
        The ``httpx.Client`` for NY Fed, Fiscal Data and fredgraph (tests pass one on
        ``httpx.MockTransport``); a new one is made and closed when None.
    on_result
        Called after each task (progress display).
    retry
        Retry policy; the default retries 429/5xx/network failures 3 times with backoff.

    Returns
    -------
    FetchSummary
        One result per task; ``offline`` when every task failed for lack of network.
    """
    policy = retry or DEFAULT_POLICY
    api_key = settings.fred_api_key or None
    redaction.register(api_key)
    # A damaged, locked or read-only store is reported before anything is fetched.
    store.prepare_write()
    own_client = client is None
    http_client = client if client is not None else new_client(policy.httpx_timeout())
    ctx = _Context(
        store=store,
        today=now.date(),
        now=now,
        api_key=api_key,
        policy=policy,
        http={
            "fred": HttpClient("fred", http_client, policy, secrets=(api_key or "",)),
            "nyfed": HttpClient("nyfed", http_client, policy),
            "treasury": HttpClient("treasury", http_client, policy),
            "ofr": HttpClient("ofr", http_client, policy),
        },
        clock=time.monotonic(),
        # A key no URL can carry fails every FRED item the same way: said once per item, at
        # once, without a request (and without the key).
        key_problem=fred.key_problem(api_key) if api_key else None,
    )
    unreachable: dict[str, str] = {}
    results: list[FetchItemResult] = []
    try:
        for task in tasks:
            result = _fetch_one(ctx, task, start, unreachable)
            results.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        if own_client:
            http_client.close()
    return FetchSummary(results)


def _fetch_one(
    ctx: _Context, task: FetchTask, start: date | None, unreachable: dict[str, str]
) -> FetchItemResult:
    clock = time.monotonic()
    first: date | None = None
    try:
        if task.source in unreachable:
            raise NetworkError(task.source, f"not attempted: {unreachable[task.source]}")
        if task.source == "fred" and ctx.key_problem and ctx.api_key:
            raise ConfigError(ctx.key_problem)
        if task.item in ENDED and start is None and ctx.store.last_date(task.item) is not None:
            result = FetchItemResult(
                task, "unchanged", 0, f"ended on {ENDED[task.item]:%Y-%m-%d}; already stored"
            )
            _log(ctx, result, clock)
            return result
        first = incremental_start(ctx.store, task, ctx.today, start)
        rows = _run(ctx, task, first)
    except ReportgenError as exc:
        message = _scrub(exc.message, ctx.api_key)
        if isinstance(exc, NetworkError) and task.source not in unreachable:
            unreachable[task.source] = f"{task.source} was unreachable earlier in this run"
            # The network itself may be down: the sources still to come get one try, not two,
            # when they do not answer either (a black hole costs one read timeout each).
            ctx.policy = replace(ctx.policy, no_answer_tries=1)
            for http in ctx.http.values():
                http.policy = ctx.policy
        result = FetchItemResult(task, "failed", 0, message, type(exc).__name__)
    except Exception as exc:  # a bug in one fetcher must not stop the others
        log.exception("fetching %s/%s failed unexpectedly", task.source, task.item)
        message = _scrub(
            f"internal error ({type(exc).__name__}: {exc}); please report it", ctx.api_key
        )
        result = FetchItemResult(task, "failed", 0, message, type(exc).__name__)
    else:
        since = f"from {first:%Y-%m-%d}" if first else "over the whole history"
        names = ", ".join(name for _, name in task.writes)
        if rows:
            result = FetchItemResult(
                task, "ok", rows, f"{rows} row(s) added or revised ({names}, {since})"
            )
        else:
            result = FetchItemResult(
                task, "unchanged", 0, f"nothing new or revised ({names}, {since})"
            )
    _log(ctx, result, clock)
    return result


def _log(ctx: _Context, result: FetchItemResult, clock: float) -> None:
    # Every task began after the ones before it, not at ``now``.
    started = (ctx.now + timedelta(seconds=clock - ctx.clock)).isoformat(timespec="seconds")
    elapsed = time.monotonic() - ctx.clock
    finished = (ctx.now + timedelta(seconds=elapsed)).isoformat(timespec="seconds")
    ctx.store.log_fetch(
        FetchLogEntry(
            started,
            finished,
            result.task.source,
            result.task.item,
            result.status,
            result.rows,
            result.message,
        )
    )
