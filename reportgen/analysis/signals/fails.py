"""Primary dealer Treasury settlement fails: to deliver (TD) and to receive (TR), weekly.

Source choice, never mixed: the aggregate series ``PDFTD-USTET`` / ``PDFTR-USTET`` when any are
stored; otherwise the sum of the per-tenor keys (``PDSI*F`` nominal coupons, ``PDST*F`` TIPS,
``PDFRN2F`` FRN; suppressed cells skipped). The per-tenor sum measures something narrower and much
smaller than the aggregate; the result says which is used. Values are USD millions, cumulative
for the week ending Wednesday and public the next day; shown in USD bn via the table's unit.

History is only compared within a series break (``pd_series_breaks``): each break starts a new
trailing window. Status: the week's total (TD + TR) at ``fails_elevated_ratio`` (stressed:
``fails_stressed_ratio``) times its trailing median *and* at the ``fails_elevated_pct``
trailing percentile. Persistent when ``fails_persist_weeks`` of the last three weeks were
elevated or worse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis import calendar
from reportgen.analysis.signals.base import (
    Context,
    align,
    empty_frame,
    finish,
    fmt,
    level_where,
    trailing_stats,
)
from reportgen.formatting import day

NAME = "fails"
TITLE = "Settlement fails"
UNITS = "USD bn a week (TD + TR)"
COMPONENTS = ("fails_total_bn", "fails_deliver_bn", "fails_receive_bn", "ratio_to_median",
              "trailing_median_bn")
AGGREGATE_LABEL = "aggregate PDFTD-USTET / PDFTR-USTET"
PER_TENOR_LABEL = "sum of per-tenor keys (nominal coupons, TIPS, FRN; narrower than the aggregate)"


def weekly_fails(ctx: Context) -> tuple[pd.DataFrame, str]:
    """Weekly ``deliver`` / ``receive`` / ``total`` in USD bn, and which series were used."""
    table = ctx.ds.table("pd_fails")
    if not len(table):
        return pd.DataFrame(), ""
    factor = catalog.table_billions_factor("pd_fails")
    t = table.assign(day=pd.to_datetime(table["date"].astype(str).str[:10]),
                     value=pd.to_numeric(table["value"], errors="coerce"))
    keys = t["keyid"].astype(str)
    aggregate = keys.isin(catalog.PD_FAILS_AGGREGATE)
    if aggregate.any():
        t, label = t[aggregate], AGGREGATE_LABEL
    else:
        t, label = t[~aggregate], PER_TENOR_LABEL
    keys = t["keyid"].astype(str)
    side = np.where(keys.str.contains("TD"), "deliver", np.where(keys.str.contains("TR"),
                                                                  "receive", ""))
    t = t.assign(side=side)
    t = t[t["side"] != ""]
    wide = t.pivot_table(index="day", columns="side", values="value", aggfunc="sum",
                         min_count=1) * factor
    for c in ("deliver", "receive"):
        if c not in wide:
            wide[c] = np.nan
    wide["total"] = wide[["deliver", "receive"]].sum(axis=1, min_count=1)
    return wide.sort_index(), label


def _segments(ctx: Context, index: pd.DatetimeIndex) -> np.ndarray:
    """Segment number of each week: a new one starts at every series break."""
    breaks = ctx.ds.table("pd_series_breaks")
    if not len(breaks):
        return np.zeros(len(index), dtype=int)
    starts = sorted(pd.to_datetime(breaks["start_date"].astype(str).str[:10]).dropna().unique())
    return np.searchsorted(np.asarray(starts, dtype="datetime64[ns]"), index.to_numpy(),
                           side="right")


def _week_windows(weeks: pd.DatetimeIndex) -> list[str]:
    """Calendar windows inside each reporting week (Thursday to the Wednesday it ends on)."""
    if len(weeks) == 0:
        return []
    days = calendar.business_days((weeks.min() - pd.Timedelta(days=6)).date(), weeks.max().date())
    labels = calendar.labels(calendar.calendar_frame(days))
    day_names = [set(str(text).split(";")) - {""} for text in labels.to_numpy()]
    # Each week's days are a slice of the sorted days: (end - 7 days, end].
    stamps = labels.index.to_numpy().astype("datetime64[ns]")
    ends = weeks.to_numpy().astype("datetime64[ns]")
    first = stamps.searchsorted(ends - np.timedelta64(7, "D"), side="right")
    last = stamps.searchsorted(ends, side="right")
    out = []
    for lo, hi in zip(first, last, strict=True):
        names = set().union(*day_names[lo:hi])
        out.append(";".join(w for w in calendar.WINDOWS if w in names))
    return out


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    wide, label = weekly_fails(ctx)
    if wide.empty or wide["total"].notna().sum() == 0:
        return empty_frame(ctx.days, "no primary dealer fails stored", COMPONENTS)
    wide = wide[wide["total"].notna()]
    total = wide["total"]
    seg = _segments(ctx, wide.index)
    parts = []
    for s in np.unique(seg):
        x = total[seg == s]
        st = trailing_stats(x, th.window_days, th.min_history_weekly)
        st["median"] = x.shift(1).rolling(f"{th.window_days}D",
                                          min_periods=th.min_history_weekly - 1).median()
        parts.append(st)
    stats = pd.concat(parts).reindex(wide.index)
    obs = pd.DataFrame({"v:fails_total_bn": total, "v:fails_deliver_bn": wide["deliver"],
                        "v:fails_receive_bn": wide["receive"],
                        "v:trailing_median_bn": stats["median"]})
    obs["v:ratio_to_median"] = total / stats["median"].where(stats["median"] > 0)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    ratio, pct = obs["v:ratio_to_median"], obs["percentile"]
    hot = pct >= th.fails_elevated_pct
    lvl = level_where(hot & (ratio >= th.fails_elevated_ratio),
                      hot & (ratio >= th.fails_stressed_ratio), obs.index)
    obs["lvl"] = lvl.where(ratio.notna(), 0.0)
    # Persistence across weeks, not business days.
    obs["persist"] = (obs["lvl"] >= 1).astype(float).rolling(3, min_periods=1).sum() \
        >= th.fails_persist_weeks
    obs["calendar"] = _week_windows(obs.index)
    spec = catalog.TABLES["pd_fails"]
    frame = align(obs, ctx.days, spec.publication_lag_days, spec.stale_after_days)
    frame["value"] = frame["v:fails_total_bn"]
    frame["source"] = label
    persistent = frame["persist"].astype(float).fillna(0.0) > 0
    return finish(frame, frame["lvl"].astype(float),
                  "no primary dealer fails published for a recent week", th, persistent)


def explain(row: pd.Series) -> str:
    ratio = row["v:ratio_to_median"]
    ratio_txt = (f"{ratio:.1f} times the trailing median of "
                 f"${row['v:trailing_median_bn']:.1f} bn" if pd.notna(ratio)
                 else "too little history for a comparison")
    return (f"Settlement fails {row['status']}: ${fmt(row['v:fails_total_bn'], '.1f')} bn "
            f"in the week to {day(row['obs_date'])} "
            f"(deliver ${fmt(row['v:fails_deliver_bn'], '.1f')} bn, receive "
            f"${fmt(row['v:fails_receive_bn'], '.1f')} bn), {ratio_txt}; source: "
            f"{row['source']}.")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day)]
    week = row.get("obs_date")
    when = None if week is None or pd.isna(week) else pd.Timestamp(week).date().isoformat()
    return {"source": row.get("source") or None, "week": when}
