"""Treasury-market volatility: realised volatility of daily yield changes (2y, 10y, 30y).

The public proxy for market-function stress (March 2020, April 2025): when dealers cannot
absorb flows, yields gap. Each tenor's daily changes (bp, between consecutive observations) get a
rolling standard deviation over ``vol_days`` observations; the headline is the largest of the
tenors available that day (stress often shows in one part of the curve first: the 2y in March
2023, the long end in April 2025). Percentile and z-score compare it with the trailing window.

Status: elevated when the headline reaches ``vol_elevated_bp`` *and* either the
``vol_elevated_pct`` trailing percentile or ``vol_surge_ratio`` times its median of the previous
year (a jump against the recent regime); stressed at ``vol_stressed_pct`` and
``vol_stressed_bp``. The floors keep a quiet year quiet: in a calm window its own top decile is
not stress.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen.analysis.signals.base import (
    Context,
    align,
    empty_frame,
    finish,
    fmt,
    lag_days,
    level_where,
    observations,
    stale_days,
    trailing_stats,
)
from reportgen.dataset import Dataset

NAME = "treasury_volatility"
TITLE = "Treasury volatility"
UNITS = "bp a day (worst tenor)"
TENORS = {"DGS2": "2y", "DGS10": "10y", "DGS30": "30y"}
COMPONENTS = ("vol_bp", *(f"vol_{t}_bp" for t in TENORS.values()),
              *(f"change_{t}_bp" for t in TENORS.values()), "surge_ratio")


def realised(ds: Dataset, vol_days: int) -> pd.DataFrame:
    """Daily changes (bp) and their realised volatility (standard deviation over ``vol_days``
    observations, bp) of each stored tenor: columns ``change_<tenor>_bp`` and
    ``vol_<tenor>_bp`` on the yields' observation dates (empty without yields). The one owner
    of the volatility measure: the signal and the chart both read it."""
    cols: dict[str, pd.Series] = {}
    for sid, tenor in TENORS.items():
        y = observations(ds, sid)
        if len(y) < 2:
            continue
        change = y.diff() * 100.0
        cols[f"change_{tenor}_bp"] = change
        cols[f"vol_{tenor}_bp"] = change.rolling(
            vol_days, min_periods=max(5, vol_days // 2)).std()
    return pd.DataFrame(cols)


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    measured = realised(ctx.ds, th.vol_days)
    if measured.empty:
        return empty_frame(ctx.days, "no Treasury yields (DGS2, DGS10, DGS30) stored",
                           COMPONENTS)
    obs = measured.add_prefix("v:")
    used = [sid for sid, tenor in TENORS.items() if f"vol_{tenor}_bp" in measured]
    vols = obs[[c for c in obs if c.startswith("v:vol_")]]
    obs["v:vol_bp"] = vols.max(axis=1, skipna=True)
    obs["tenors"] = vols.notna().sum(axis=1)
    head = obs["v:vol_bp"]
    stats = trailing_stats(head, th.window_days, th.min_history_daily)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    pct = obs["percentile"]
    # A three-year percentile alone misses a jump out of a calm year that follows a volatile
    # one (April 2025 against 2022-23); the ratio to the recent year's median catches it.
    recent = head.rolling(th.vol_surge_days, min_periods=th.min_history_daily).median().shift(1)
    obs["v:surge_ratio"] = head / recent
    surge = obs["v:surge_ratio"] >= th.vol_surge_ratio
    elevated = ((pct >= th.vol_elevated_pct) | surge) & (head >= th.vol_elevated_bp)
    lvl = level_where(elevated, (pct >= th.vol_stressed_pct) & (head >= th.vol_stressed_bp),
                      obs.index)
    obs["lvl"] = lvl.where(head.notna())
    obs = obs[head.notna()]
    for c in COMPONENTS:
        if f"v:{c}" not in obs:
            obs[f"v:{c}"] = np.nan
    frame = align(obs, ctx.days, lag_days(*used), stale_days(*used))
    frame["value"] = frame["v:vol_bp"]
    # For the sentence: a high percentile is not elevated below the floor in force.
    frame["floor_bp"], frame["floor_pct"] = th.vol_elevated_bp, th.vol_elevated_pct
    return finish(frame, frame["lvl"].astype(float),
                  "Treasury yields are missing or stale on this date", th)


def explain(row: pd.Series) -> str:
    tenors = ", ".join(f"{t} {row[f'v:vol_{t}_bp']:.1f}" for t in ("2y", "10y", "30y")
                       if pd.notna(row.get(f"v:vol_{t}_bp")))
    return (f"Treasury volatility {row['status']}: daily yield changes had a "
            f"{fmt(row['v:vol_bp'], '.1f')} bp standard deviation in the worst tenor "
            f"({tenors} bp), percentile "
            f"{fmt(row['percentile'] * 100 if pd.notna(row['percentile']) else None, '.0f')} "
            f"of the last three years and {fmt(row['v:surge_ratio'], '.1f')} times its median "
            f"of the past year{_below_floor(row)}.")


def _below_floor(row: pd.Series) -> str:
    """Why a high reading is still normal: it is below the floor in bp a day."""
    pct, vol = row["percentile"], row["v:vol_bp"]
    if row["status"] != "normal" or pd.isna(pct) or pd.isna(vol) or pct < row["floor_pct"]:
        return ""
    return (f"; normal because it is below the {row['floor_bp']:g} bp a day floor for "
            "elevated, high as it is against its own history")
