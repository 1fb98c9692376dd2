"""Dealer inventory: primary dealers' net positions in Treasury securities (the pipe's diameter).

Input: the ``pd_positions`` table (NY Fed primary dealer statistics, FR 2004A), weekly as of
Wednesday, USD millions at market value, one row per key with its ``series_break``; converted
to USD bn through the table's catalog unit. The headline is the published total
``PDPOSGST-TOT`` (bills + FRN + coupons + TIPS; the identity holds in every stored week); the
buckets are sums of their keys (``bills``, ``frn``, ``coupons_*``, ``tips_*``), a bucket is
missing in a week where one of its keys is.

Never across a series break: the FR 2004 changed its buckets at 2022-01-05 and its windows at
2024-07-03 without changing the total key, so every statistic (the trailing percentile, the
z-score, the build-up) is computed within the break the week belongs to, and a break starts
from nothing: until ``min_history_weekly`` weeks are stored in it the signal is unavailable and
says so (coverage ``not_yet``), never judged against the previous break.

- ``total_bn``: the net position; percentile and z-score against its trailing window in the
  break.
- ``change_bn``: the build-up over ``dealer_change_weeks`` weeks (against the latest week on or
  before then, in the same break); ``<bucket>_change_bn`` the same per bucket, and the bucket
  that moved most in the direction of the total is named as the driver.

Status: elevated when the position is at the ``dealer_elevated_pct`` percentile of its history
in the break *and* building by ``dealer_build_elevated_bn`` (inventory forced onto dealers, the
loop's middle link); stressed at ``dealer_stressed_pct`` and ``dealer_build_stressed_bn``.
Persistent with ``dealer_persist_weeks`` elevated weeks of the last three. A week the NY Fed
withheld (``*``, ``suppressed`` = 1) is missing, never 0: the previous week's reading stands
until it is stale (``stale_after_days`` of the table), and the sentence says which week was
withheld. Public on Thursday W + 8 for the Wednesday W (the table's ``publication_lag_days``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.signals.base import (
    Context,
    align,
    empty_frame,
    finish,
    level_where,
    trailing_stats,
)
from reportgen.formatting import bn1, count, day, ordinal

NAME = "dealer_positions"
TITLE = "Dealer positions"
UNITS = "USD bn, net positions"
TABLE = "pd_positions"
#: Buckets of the total, in the order the sentence names them.
BUCKETS = ("bills", "coupons", "tips", "frn")
BUCKET_NAMES = {"bills": "bills", "coupons": "coupons", "tips": "TIPS", "frn": "FRN"}
COMPONENTS = ("total_bn", "change_bn", "weeks_in_break",
              *(f"{b}_bn" for b in BUCKETS), *(f"{b}_change_bn" for b in BUCKETS))
NO_DATA = "no primary dealer positions stored (NY Fed primary dealer statistics, PDPOSGST-TOT)"


def _bucket(measure: pd.Series) -> pd.Series:
    """reportgen's measure names -> the bucket of the total they belong to ('' for others)."""
    m = measure.astype(str)
    return pd.Series(np.select([m == "total", m == "bills", m == "frn",
                                m.str.startswith("coupons_"), m.str.startswith("tips_")],
                               ["total", "bills", "frn", "coupons", "tips"], ""), index=m.index)


def weekly_positions(ctx: Context) -> pd.DataFrame:
    """One row per stored Wednesday: ``total`` and each bucket in USD bn (NaN where withheld or
    a key of the bucket is), ``series_break``, ``withheld`` (the total was ``*``). Empty
    without positions. Cached in the context (the loop and the chart frames read it too)."""
    if "dealer_positions" not in ctx.cache:
        ctx.cache["dealer_positions"] = positions_table(ctx.ds.table(TABLE))
    frame: pd.DataFrame = ctx.cache["dealer_positions"]
    return frame


def positions_table(table: pd.DataFrame) -> pd.DataFrame:
    """See :func:`weekly_positions` (the same from a ``pd_positions`` table)."""
    cols = ["total", *BUCKETS, "series_break", "withheld"]
    if not len(table):
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    t = table.assign(day=pd.to_datetime(table["date"].astype(str).str[:10]),
                     value=pd.to_numeric(table["value"], errors="coerce"),
                     bucket=_bucket(table["measure"]))
    t = t[t["bucket"] != ""]
    factor = catalog.table_billions_factor(TABLE)
    grouped = t.groupby(["day", "bucket"])["value"]
    sums = grouped.sum(min_count=1)
    gaps = t["value"].isna().groupby([t["day"], t["bucket"]]).any()
    # A bucket with one key withheld is not known: a partial sum would read as a fall.
    # USD millions as USD bn: three decimals hold them exactly (no float noise in brief.json).
    wide = (sums.where(~gaps) * factor).round(3).unstack("bucket")
    for c in ("total", *BUCKETS):
        if c not in wide:
            wide[c] = np.nan
    by_day = t.sort_values("bucket").groupby("day")
    breaks = by_day["series_break"].first().astype(str)
    total_rows = t[t["bucket"] == "total"].set_index("day")
    withheld = total_rows["suppressed"].fillna(0).astype(int).eq(1) if "suppressed" in t \
        else pd.Series(False, index=total_rows.index)
    out = wide[["total", *BUCKETS]].copy()
    out["series_break"] = breaks.reindex(out.index)
    out["withheld"] = withheld[~withheld.index.duplicated()].reindex(out.index).fillna(False)
    out.index.name = "date"
    return out.sort_index()


def _change(x: pd.Series, weeks: int) -> pd.Series:
    """``x`` minus its value ``weeks`` weeks earlier (the latest stored week on or before then,
    at most two weeks older): ``x`` holds one series break, so no change spans two."""
    x = x.dropna()
    if x.empty:
        return x
    target = x.index - pd.Timedelta(weeks=weeks)
    before = x.reindex(target, method="ffill", tolerance=pd.Timedelta(days=14))
    return pd.Series(x.to_numpy() - before.to_numpy(), index=x.index).round(3)


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    w = weekly_positions(ctx)
    if w.empty or w["total"].notna().sum() == 0:
        return empty_frame(ctx.days, NO_DATA, COMPONENTS)
    parts = []
    for brk in pd.unique(w["series_break"]):
        seg = w[w["series_break"] == brk]
        total = seg["total"].dropna()
        if total.empty:
            continue
        part = pd.DataFrame(index=total.index)
        stats = trailing_stats(total, th.window_days, th.min_history_weekly)
        part["v:total_bn"] = total
        part["v:change_bn"] = _change(total, th.dealer_change_weeks)
        part["percentile"], part["zscore"] = stats["percentile"], stats["zscore"]
        part["v:weeks_in_break"] = np.arange(1, len(total) + 1, dtype=float)
        part["break_start"] = total.index[0]
        part["series_break"] = brk
        for b in BUCKETS:
            part[f"v:{b}_bn"] = seg[b].reindex(total.index)
            part[f"v:{b}_change_bn"] = _change(seg[b], th.dealer_change_weeks).reindex(
                total.index)
        parts.append(part)
    obs = pd.concat(parts).sort_index()
    pct, change = obs["percentile"], obs["v:change_bn"]
    elevated = (pct >= th.dealer_elevated_pct) & (change >= th.dealer_build_elevated_bn)
    stressed = (pct >= th.dealer_stressed_pct) & (change >= th.dealer_build_stressed_bn)
    # Too little history in the break: no judgement (NaN), never a comparison across it.
    obs["lvl"] = level_where(elevated, stressed, obs.index).where(pct.notna())
    obs["persist"] = ((obs["lvl"] >= 1).astype(float).rolling(3, min_periods=1).sum()
                      >= th.dealer_persist_weeks)
    obs["driver"] = _drivers(obs)
    spec = catalog.TABLES[TABLE]
    frame = align(obs, ctx.days, spec.publication_lag_days, spec.stale_after_days)
    # No judgement, no headline: a week early in a break is shown only in its components.
    frame["value"] = frame["v:total_bn"].where(frame["lvl"].notna())
    frame["min_weeks"] = float(th.min_history_weekly)
    frame["change_weeks"] = float(th.dealer_change_weeks)
    # The latest week public whose total was withheld: said beside an older reading.
    held = w.index[w["withheld"].astype(bool)]
    if len(held):
        shown = align(pd.Series(held, index=held, name="withheld_week"), ctx.days,
                      spec.publication_lag_days, spec.stale_after_days)["withheld_week"]
        frame["withheld_week"] = shown.where(shown > frame["obs_date"])
    else:
        frame["withheld_week"] = pd.NaT
    persistent = frame["persist"].astype(float).fillna(0.0) > 0
    out = finish(frame, frame["lvl"].astype(float),
                 "no dealer positions published for a recent week (stale)", th, persistent)
    first_public = w.index.min() + pd.Timedelta(days=spec.publication_lag_days)
    out.loc[out["obs_date"].isna() & (ctx.days < first_public), "reason"] = (
        "no dealer positions were public by this date")
    short = out["obs_date"].notna() & out["lvl"].isna()
    out["not_yet"] = short.to_numpy()
    if short.any():
        out.loc[short, "reason"] = [_short_reason(r, th.min_history_weekly)
                                    for _, r in out[short].iterrows()]
    return out


def _short_reason(row: pd.Series, needed: int) -> str:
    weeks = int(row["v:weeks_in_break"])
    return (f"only {count(weeks, 'week')} of dealer positions in the current series break "
            f"({row['series_break']}, from {day(row['break_start'])}); {needed} are needed to "
            "judge them against their history there, and a break is never compared across")


def _drivers(obs: pd.DataFrame) -> np.ndarray:
    """The bucket whose change moved most in the direction of the total's ('' when unknown)."""
    changes = obs[[f"v:{b}_change_bn" for b in BUCKETS]].to_numpy(dtype=float)
    total = obs["v:change_bn"].to_numpy(dtype=float)
    out = np.full(len(obs), "", dtype=object)
    for i in range(len(obs)):
        row = changes[i]
        if np.isnan(total[i]) or np.all(np.isnan(row)):
            continue
        signed = row * (1.0 if total[i] >= 0 else -1.0)
        j = int(np.nanargmax(signed))
        if signed[j] > 0:
            out[i] = BUCKETS[j]
    return out


def explain(row: pd.Series) -> str:
    pct = row["percentile"]
    where = (f"the {ordinal(round(pct * 100))} percentile of their history in the current series "
             f"break ({row['series_break']}, {count(int(row['v:weeks_in_break']), 'week')} "
             f"from {day(row['break_start'])})")
    weeks = int(row["change_weeks"])
    change = row["v:change_bn"]
    move = (f"{bn1(change, signed=True)} in {count(weeks, 'week')}" if pd.notna(change)
            else f"no comparable week {weeks} weeks earlier")
    driver = str(row.get("driver") or "")
    by = ""
    if driver:
        others = [f"{BUCKET_NAMES[b]} {bn1(row[f'v:{b}_change_bn'], signed=True)}"
                  for b in BUCKETS if b != driver and pd.notna(row[f"v:{b}_change_bn"])][:2]
        by = (f", driven by {BUCKET_NAMES[driver]} "
              f"({bn1(row[f'v:{driver}_change_bn'], signed=True)}"
              + (f"; {', '.join(others)}" if others else "") + ")")
    held = row.get("withheld_week")
    withheld = (f"; the NY Fed withheld the total for the week to {day(held)}"
                if held is not None and pd.notna(held) else "")
    return (f"Dealer positions {row['status']}: primary dealers' net Treasury positions were "
            f"{bn1(row['v:total_bn'])} in the week to {day(row['obs_date'])}, {where}, "
            f"{move}{by}{withheld}.")


def details(ctx: Context, day_: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day_)]
    week = row.get("obs_date")
    if week is None or pd.isna(week):
        return {"week": None, "series_break": None, "break_start": None, "weeks_in_break": None,
                "driver": None, "buckets": {}}
    return {
        "week": pd.Timestamp(week).date().isoformat(),
        "series_break": str(row["series_break"]),
        "break_start": pd.Timestamp(row["break_start"]).date().isoformat(),
        "weeks_in_break": int(row["v:weeks_in_break"]),
        "driver": str(row.get("driver") or "") or None,
        "buckets": {b: {"level_bn": _num(row[f"v:{b}_bn"]),
                        "change_bn": _num(row[f"v:{b}_change_bn"])} for b in BUCKETS},
    }


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 3)


