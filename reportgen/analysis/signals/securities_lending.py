"""Collateral scarcity: the NY Fed's SOMA securities lending, daily.

Dealers borrow Treasuries from the Fed's portfolio when they cannot find them in the market:
rising demand, concentrated in a few issues, marks issues going special, which is what settlement
fails follow ("settlement failing when collateral gets special or scarce").

Inputs: ``seclending_operations`` (one row per daily operation: ``total_par_accepted`` in USD
par, ``issues_lent``) and, for the concentration, ``seclending_details`` (par accepted per
CUSIP); amounts converted to USD bn through the tables' catalog unit. Results are public the
same day.

- ``volume_bn``: par lent on the operation date (the headline; percentile and z-score against
  the trailing window); ``ratio_to_median`` against its median over the previous
  ``seclending_median_days`` operations;
- ``top_share_pct``: the share of that day's lending taken by its ``seclending_top_issues``
  largest issues (where per-CUSIP results are stored), and ``issues_lent``.

Status: elevated when the volume reaches ``seclending_elevated_ratio`` times its median and the
``seclending_elevated_pct`` percentile (stressed: ``_stressed_ratio`` and ``_stressed_pct``),
or when the concentration reaches its ``seclending_concentration_pct`` percentile on a day
lending is at least its median. Until ``min_history_daily`` operations are stored there is no
judgement (coverage ``not_yet``), and without any stored results the signal is unavailable with
the reason :data:`NO_DATA`: never invented, never calm.
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
from reportgen.formatting import bn2, count, day, ordinal

NAME = "securities_lending"
TITLE = "SOMA securities lending"
UNITS = "USD bn a day (par lent)"
COMPONENTS = ("volume_bn", "ratio_to_median", "trailing_median_bn", "top_share_pct",
              "issues_lent")
NO_DATA = ("no securities-lending results are stored: none were found offline, and "
           "`reportgen fetch` gets them")


def daily_lending(ctx: Context) -> pd.DataFrame:
    """Per operation date: ``volume_bn`` (par lent, USD bn), ``issues_lent`` and
    ``top_share_pct`` (the largest ``seclending_top_issues`` issues' share of the day, percent;
    NaN without per-CUSIP results). Empty without operations."""
    if "securities_lending" not in ctx.cache:
        ctx.cache["securities_lending"] = lending_table(
            ctx.ds.table("seclending_operations"), ctx.ds.table("seclending_details"),
            ctx.th.seclending_top_issues)
    frame: pd.DataFrame = ctx.cache["securities_lending"]
    return frame


def lending_table(ops: pd.DataFrame, details: pd.DataFrame, top: int) -> pd.DataFrame:
    """See :func:`daily_lending` (the same from the two tables)."""
    cols = ["volume_bn", "issues_lent", "top_share_pct"]
    if not len(ops):
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    when = pd.to_datetime(ops["operation_date"].astype(str).str[:10])
    par = pd.to_numeric(ops["total_par_accepted"], errors="coerce")
    lent = pd.to_numeric(ops["issues_lent"], errors="coerce")
    to_bn = catalog.table_billions_factor("seclending_operations")
    out = pd.DataFrame({
        "volume_bn": (par.groupby(when.to_numpy()).sum(min_count=1) * to_bn).round(9),
        "issues_lent": lent.groupby(when.to_numpy()).sum(min_count=1),
    })
    out["top_share_pct"] = np.nan
    if len(details):
        d = details.assign(day=pd.to_datetime(details["operation_date"].astype(str).str[:10]),
                           par=pd.to_numeric(details["par_accepted"], errors="coerce"))
        d = d[d["par"] > 0]
        if len(d):
            share = d.groupby("day")["par"].apply(
                lambda p: p.nlargest(top).sum() / p.sum() * 100.0 if p.sum() > 0 else np.nan)
            out["top_share_pct"] = share.reindex(out.index)
    out.index.name = "date"
    return out.sort_index()


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    daily = daily_lending(ctx)
    if daily.empty or daily["volume_bn"].notna().sum() == 0:
        return empty_frame(ctx.days, NO_DATA, COMPONENTS)
    daily = daily[daily["volume_bn"].notna()]
    volume = daily["volume_bn"]
    obs = pd.DataFrame({"v:volume_bn": volume, "v:issues_lent": daily["issues_lent"],
                        "v:top_share_pct": daily["top_share_pct"]})
    median = volume.shift(1).rolling(th.seclending_median_days,
                                     min_periods=max(5, th.seclending_median_days // 3)).median()
    obs["v:trailing_median_bn"] = median
    obs["v:ratio_to_median"] = volume / median.where(median > 0)
    stats = trailing_stats(volume, th.window_days, th.min_history_daily)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    conc = trailing_stats(daily["top_share_pct"].dropna(), th.window_days,
                          th.min_history_daily)["percentile"].reindex(obs.index)
    obs["concentration_pct"] = conc
    ratio, pct = obs["v:ratio_to_median"], obs["percentile"]
    elevated = (pct >= th.seclending_elevated_pct) & (ratio >= th.seclending_elevated_ratio)
    stressed = (pct >= th.seclending_stressed_pct) & (ratio >= th.seclending_stressed_ratio)
    concentrated = (conc >= th.seclending_concentration_pct) & (ratio >= 1.0)
    obs["lvl"] = level_where(elevated | concentrated, stressed, obs.index).where(pct.notna())
    obs["v:operations"] = np.arange(1, len(obs) + 1, dtype=float)
    obs["first_operation"] = obs.index[0]
    spec = catalog.TABLES["seclending_operations"]
    frame = align(obs, ctx.days, spec.publication_lag_days, spec.stale_after_days)
    frame["value"] = frame["v:volume_bn"].where(frame["lvl"].notna())
    frame["top_issues"] = float(th.seclending_top_issues)
    out = finish(frame, frame["lvl"].astype(float),
                 "no securities-lending operation published for a recent day (stale)", th)
    out = out.drop(columns="v:operations").assign(operations=frame["v:operations"])
    short = out["obs_date"].notna() & out["lvl"].isna()
    out["not_yet"] = short.to_numpy()
    if short.any():
        out.loc[short, "reason"] = [
            f"only {count(int(n), 'operation')} of securities lending stored (from "
            f"{day(first)}); {th.min_history_daily} are needed to judge lending against its "
            "history" for n, first in zip(out.loc[short, "operations"],
                                         out.loc[short, "first_operation"], strict=True)]
    return out


def explain(row: pd.Series) -> str:
    ratio = row["v:ratio_to_median"]
    vs = (f"{ratio:.1f} times its median of {bn2(row['v:trailing_median_bn'])} over recent "
          "operations" if pd.notna(ratio) else "too little history for a comparison")
    pct = row["percentile"]
    rank = f", the {ordinal(round(pct * 100))} percentile of three years" if pd.notna(pct) else ""
    share = row.get("v:top_share_pct")
    conc = (f"; the {int(row['top_issues'])} most-lent issues took {share:.0f}% of it"
            if share is not None and pd.notna(share) else "")
    issues = row.get("v:issues_lent")
    n = f" across {count(int(issues), 'issue')}" if issues is not None and pd.notna(issues) else ""
    return (f"SOMA securities lending {row['status']}: the Fed lent {bn2(row['v:volume_bn'])} "
            f"of Treasuries{n} on {day(row['obs_date'])}, {vs}{rank}{conc}.")


def details(ctx: Context, day_: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day_)]
    when = row.get("obs_date")
    if when is None or pd.isna(when):
        return {"date": None, "top_issues": []}
    at = pd.Timestamp(when)
    d = ctx.ds.table("seclending_details")
    rows: list[dict[str, Any]] = []
    if len(d):
        d = d[pd.to_datetime(d["operation_date"].astype(str).str[:10]) == at]
        par = pd.to_numeric(d["par_accepted"], errors="coerce")
        d = d.assign(par=par)[par > 0].sort_values("par", ascending=False)
        to_bn = catalog.table_billions_factor("seclending_details")
        rows = [{"cusip": str(r.cusip), "description": str(r.security_description or ""),
                 "par_bn": round(float(r.par) * to_bn, 6)}
                for r in d.head(ctx.th.seclending_top_issues).itertuples()]
    return {"date": at.date().isoformat(), "top_issues": rows}


