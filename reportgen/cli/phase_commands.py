"""``reportgen assess`` (the current phase, explained) and ``reportgen phases`` (weekly history)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
import pandas as pd

from reportgen.analysis.pace import pace_history
from reportgen.analysis.phase import PhaseAssessment, classify_history
from reportgen.cli import (
    AppContext,
    as_of_option,
    data_line,
    data_summary,
    date_range_options,
    format_option,
    pass_app,
    resolve_as_of,
    to_date,
)
from reportgen.errors import DataUnavailableError

# The CSV / JSON history starts with these; evidence follows.
HISTORY_COLUMNS = ["date", "phase", "label", "confidence", "confidence_score", "substate", "since",
                   "announced_phase", "bills_chg_4w", "bills_chg_13w", "coupons_chg_4w",
                   "coupons_chg_13w", "mbs_chg_4w", "mbs_chg_13w", "treasury_chg_4w",
                   "treasury_chg_13w", "total_chg_4w", "total_chg_13w", "walcl_chg_4w",
                   "walcl_chg_13w", "holdings_pace", "duration_pace", "mbs_pace"]


# Per-week purchase-pace columns ($bn a month) added to the history (analysis/pace.py).
PACE_COLUMNS = ["mbs_reinvestment_bn_month", "reserve_management_bn_month", "coupon_bn_month",
                "announced_bn_month"]


def _num(x: float | None, width: int = 9) -> str:
    return f"{x:>+{width},.1f}" if x is not None else " " * (width - 3) + "n/a"


def render_text(a: PhaseAssessment) -> str:
    """The assessment as terminal text: verdict, confidence, evidence, triggers, announcement."""
    lines = [
        f"Fed balance-sheet phase as of {a.as_of.isoformat()} (H.4.1 week {a.week.isoformat()})",
        "",
        f"  {a.headline}",
        f"  Confidence: {a.confidence} ({a.confidence_score:.2f}) - {a.confidence_reason}",
    ]
    if a.announced is not None:
        lines.append(f"  Announced: {a.agreement} - {a.agreement_note or ''}")
        lines.append(f"             {a.announced.source}")
    else:
        lines.append("  Announced: no FOMC balance-sheet decision on record before this date")
    lines += _pace_lines(a)
    lines += ["", "Evidence ($bn)", f"  {'input':<44}{'4 weeks':>9}{'13 weeks':>10}{'level':>10}"
              f"  threshold / reading"]
    for e in a.evidence:
        level = f"{e.level_bn:>10,.1f}" if e.level_bn is not None else f"{'':>10}"
        lines.append(f"  {e.label:<44}{_num(e.change_4w_bn)}{_num(e.change_13w_bn, 10)}{level}"
                     f"  {e.comparison}")
        if e.note:
            lines.append(f"  {'':<44}{'':>29}  ({e.note})")
    lines += ["", "What would move it"]
    lines += [f"  - {trig}" for trig in a.triggers]
    return "\n".join(lines)


def _pace_lines(a: PhaseAssessment) -> list[str]:
    """The purchase pace, observed beside announced, its steps, and the next decision point."""
    out: list[str] = []
    p = a.pace
    if p is not None:
        out += ["", "Purchase pace ($bn per Desk-schedule month; bills = MBS reinvestment + "
                "reserve-management purchases)",
                f"  Observed:  {p.sentence} (reading {p.current_bn_month:,.1f})"]
        if p.mbs_reinvestment_bn_month is not None:
            out.append(f"  Reinvested MBS principal on top: about "
                       f"{p.mbs_reinvestment_bn_month:,.1f} a month (MBS paydown, 13 weeks)")
        said = (p.announced_sentence or "no pace stated in the calendar").removeprefix("announced ")
        out.append(f"  Announced: {said}")
        for st in p.steps:
            frm = "start" if st.from_bn_month is None else f"{st.from_bn_month:,.1f}"
            out.append(f"  step {st.date.isoformat()}: {frm} -> {st.to_bn_month:,.1f} "
                       f"(detected {st.detected.isoformat()}, {st.source})")
        for st in p.ops_steps:
            frm = "start" if st.from_bn_month is None else f"{st.from_bn_month:,.1f}"
            out.append(f"  step {st.date.isoformat()}: {frm} -> {st.to_bn_month:,.1f} "
                       f"(detected {st.detected.isoformat()}, {st.source})")
    n = a.next_decision
    if n is not None:
        meet = (f"FOMC meeting {n.meeting.start.isoformat()} to {n.meeting.end.isoformat()}"
                f"{' (reported schedule)' if n.meeting.grade != 'official' else ''}"
                if n.meeting else "no later FOMC meeting on record")
        out += ["", f"Next decision point: {n.next_date.isoformat()} ({meet}; Desk schedule "
                    f"about {n.desk_schedule.isoformat()})"]
    return out


def _history_frame(hist: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    frame = hist
    if start is not None:
        frame = frame[frame["date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["date"] <= pd.Timestamp(end)]
    cols = [c for c in HISTORY_COLUMNS if c in frame.columns]
    cols += [c for c in PACE_COLUMNS if c in frame.columns]
    cols += [c for c in frame.columns if c.startswith("ops_")]
    out = frame[cols].copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out["since"] = pd.to_datetime(out["since"]).dt.strftime("%Y-%m-%d")
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for rec in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                clean[k] = None
            elif isinstance(v, float):
                clean[k] = round(v, 3)
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        rows.append(clean)
    return rows


@click.command("assess")
@as_of_option
@format_option("text", "json")
@pass_app
def assess_command(app: AppContext, as_of: Any, fmt: str) -> None:
    """Which phase the Fed's balance sheet is in, since when, how sure, and what would move it.

    Phases: 0 runoff (QT), 1 drain stopped / reinvesting, 2 active bill purchases, 3 QE. The
    phase comes from the composition of the Fed's holdings (bills, coupons, MBS) over 4 and 13
    weeks, never from total assets; the FOMC's announced regime is shown beside it and any
    disagreement is flagged. With --as-of, only data published by then is used.

    \b
    Example:
        reportgen assess
        reportgen assess --as-of 2019-11-01
        reportgen --sample assess --format json
    """
    ds = app.dataset()
    when = resolve_as_of(ds, as_of)
    week = app.week(ds, when)
    if week.assessment is None:
        raise DataUnavailableError(week.phase_unavailable or "the phase cannot be assessed")
    result = week.assessment
    if fmt == "json":
        click.echo(json.dumps({"data": data_summary(ds, when), **result.to_dict()}, indent=2))
    else:
        click.echo(render_text(result))
        click.echo(data_line(ds, when))


@click.command("phases")
@date_range_options
@as_of_option
@format_option("table", "csv", "json")
@pass_app
def phases_command(app: AppContext, start: Any, end: Any, as_of: Any, fmt: str) -> None:
    """The weekly history of the balance-sheet phase, one row per H.4.1 Wednesday.

    Each week is classified with data up to that week only (no look-ahead). CSV columns begin
    date,phase,label,confidence (date = the H.4.1 Wednesday, phase 0-3), then the sub-state,
    the first week of the phase, the announced phase and the evidence in $bn.

    \b
    Example:
        reportgen phases --start 2019-01-01 --end 2020-12-31
        reportgen phases --start 2003-01-01 --format csv > phases.csv
    """
    ds = app.dataset()
    # Rows are causal (each week uses data up to that week), so cutting the full history at
    # --end gives the same rows as classifying with data up to --end.
    when = resolve_as_of(ds, as_of)
    hist = classify_history(ds, when, app.thresholds().phase)
    paces = pace_history(hist)
    hist = hist.assign(**{c: paces[c].to_numpy() for c in PACE_COLUMNS})
    frame = _history_frame(hist, to_date(start), to_date(end))
    if fmt == "csv":
        click.echo(frame.to_csv(index=False, float_format="%.3f", na_rep=""), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(_records(frame), indent=1))
    else:
        show = frame[["date", "phase", "label", "substate", "confidence", "announced_phase",
                      "bills_chg_4w", "coupons_chg_4w", "mbs_chg_13w", "total_chg_13w",
                      "mbs_reinvestment_bn_month", "reserve_management_bn_month",
                      "announced_bn_month"]]
        show = show.rename(columns={"announced_phase": "announced", "bills_chg_4w": "bills_4w",
                                    "coupons_chg_4w": "coupons_4w", "mbs_chg_13w": "mbs_13w",
                                    "total_chg_13w": "total_13w",
                                    "mbs_reinvestment_bn_month": "reinvest_mo",
                                    "reserve_management_bn_month": "rmp_4w_mo",
                                    "announced_bn_month": "rmp_announced"})
        if show.empty:
            click.echo("No H.4.1 weeks in this range.")
            return
        click.echo(show.to_string(index=False, float_format=lambda x: f"{x:,.1f}",
                                  na_rep="-"))
        click.echo(data_line(ds, when))
