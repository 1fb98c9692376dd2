"""``reportgen signals``: the plumbing stress dashboard for one date, or its daily history."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import pandas as pd

from reportgen import catalog
from reportgen.analysis.signals import Dashboard, signal_history
from reportgen.cli import (
    AppContext,
    as_of_option,
    data_line,
    date_range_options,
    format_option,
    pass_app,
    resolve_as_of,
    to_date,
)
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError, ImportFileError

HISTORY_START = date(2018, 1, 1)


def _latest_public(ds: Dataset) -> date | None:
    """The last day on which any stored series had a new observation public."""
    days = [last + timedelta(days=catalog.SERIES[sid].publication_lag_days)
            for sid in ds.series_map
            if sid in catalog.SERIES and (last := ds.last_date(sid)) is not None]
    return max(days) if days else None


def _read_when_issued(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ImportFileError(str(path), None, f"cannot read the when-issued CSV: {exc}") from exc


def _num(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:{spec}}"


def _table(dash: Dashboard, description: str) -> str:
    lines = [f"Plumbing stress dashboard as of {dash.as_of.isoformat()} ({description})", ""]
    head = f"{'signal':<30} {'status':<11} {'value':>10}  {'units':<28} {'pctl':>5} {'z':>6}  " \
           f"{'persist':<8} calendar"
    lines += [head, "-" * len(head)]
    for r in dash.rows():
        state = getattr(r, "state", None)
        status = state if r.name == "feedback_loop" and state else r.status
        pct = _num(r.percentile * 100 if r.percentile is not None else None, ".0f")
        lines.append(
            f"{r.title[:30]:<30} {status:<11} {_num(r.value, ',.1f'):>10}  {r.units[:28]:<28} "
            f"{pct:>5} {_num(r.zscore, '+.1f'):>6}  {('climate' if r.persistent else '-'):<8} "
            f"{', '.join(r.calendar_windows) + (' (explains it)' if r.calendar_explained else '')}"
        )
    lines += ["", "Why:"]
    for r in dash.rows():
        lines.append(f"- {r.explanation}")
    chain = dash.feedback_loop.chain
    if chain:
        lines += ["", "Feedback-loop evidence:"] + [f"  {i + 1}. {c}" for i, c in enumerate(chain)]
    tenors = dash.signals["auctions"].details.get("tenors") or []
    if tenors:
        lines += ["", "Latest auction per tenor (tail = high minus median yield, a proxy, unless "
                      "when-issued yields were given):",
                  f"  {'tenor':<14} {'date':<10} {'tail bp':>7} {'btc':>5} {'btc6':>5} "
                  f"{'dealer%':>7} {'dlr6%':>6} {'indir%':>6}  weak/last3 flagged"]
        for t in tenors:
            lines.append(
                f"  {t['tenor']:<14} {t['auction_date']:<10} {_num(t['tail_bp'], '.1f'):>7} "
                f"{_num(t['bid_to_cover'], '.2f'):>5} {_num(t['bid_to_cover_prior'], '.2f'):>5} "
                f"{_num(t['dealer_share_pct'], '.1f'):>7} "
                f"{_num(t['dealer_share_prior_pct'], '.1f'):>6} "
                f"{_num(t['indirect_share_pct'], '.1f'):>6}  {t['weak_of_last']:>10} "
                f"{'yes' if t['flagged'] else 'no'}")
    return "\n".join(lines)


def _dashboard_rows(dash: Dashboard) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for r in dash.rows():
        rows.append({
            "date": r.date.isoformat(), "signal": r.name, "value": r.value, "status": r.status,
            "percentile": r.percentile, "zscore": r.zscore,
            "calendar": ";".join(r.calendar_windows), "persistent": r.persistent,
            "state": getattr(r, "state", r.status), "units": r.units,
            "explanation": r.explanation,
        })
    return pd.DataFrame(rows)


def _csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in ("value", "percentile", "zscore"):
        out[col] = out[col].astype(float).round(4)
    out["persistent"] = out["persistent"].map({True: "true", False: "false"})
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text


@click.command("signals")
@as_of_option
@click.option("--history", is_flag=True,
              help="Print the daily history (one row per business day and signal) instead of "
                   "the dashboard for one date.")
@date_range_options
@format_option("table", "json", "csv")
@click.option("--when-issued", "when_issued", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of when-issued yields (auction_date,original_security_term,wi_yield in "
                   "percent) to compute true auction tails instead of the proxy.")
@pass_app
def signals(app: AppContext, as_of: Any, history: bool, start: Any, end: Any, fmt: str,
            when_issued: Path | None) -> None:
    """Plumbing stress: repo rates, SRF, auctions, fails, Treasury volatility, yield curve,
    reserves, the composite index and the auction-dealer-funding feedback loop.

    Without --history: the dashboard for one date (default: the latest H.4.1 release), using
    only data published by then. With --history: the long table
    date,signal,value,status,percentile,zscore,calendar,persistent,state for every business
    day from --start (default 2018-01-01) to --end (default: the latest data).

    \b
    Example:
        reportgen signals
        reportgen signals --as-of 2019-09-18 --format json
        reportgen signals --history --start 2018-01-01 --format csv > signals.csv
    """
    ds = app.dataset()
    wi = _read_when_issued(when_issued)
    if history:
        first = to_date(start) or HISTORY_START
        last = to_date(end) or _latest_public(ds)
        if last is None:
            raise DataUnavailableError("no data to analyse: run `reportgen fetch` or "
                                       "`reportgen data import DIR`, or pass --sample")
        frame = signal_history(ds, first, last, app.thresholds().signals, when_issued=wi)
        if fmt == "csv":
            click.echo(_csv(frame), nl=False)
        elif fmt == "json":
            click.echo(frame.to_json(orient="records", date_format="iso", indent=1))
        else:
            wide = frame.pivot(index="date", columns="signal", values="state")
            click.echo(wide[list(dict.fromkeys(frame["signal"]))].to_string())
        return
    day = resolve_as_of(ds, as_of)
    dash = app.week(ds, day, when_issued=wi).dashboard
    if fmt == "json":
        payload = {"data": ds.provenance.description, **dash.to_dict()}
        click.echo(json.dumps(payload, indent=2))
    elif fmt == "csv":
        click.echo(_csv(_dashboard_rows(dash)), nl=False)
    else:
        click.echo(_table(dash, ds.provenance.description))
        click.echo(data_line(ds, day))
