"""Repo-rate stress: SOFR against the policy reference, SOFR dispersion, GC against the floor,
and the volatility of daily changes.

Components (bp; each on its own observation dates, then aligned to public dates):

- ``sofr_minus_ref_bp``: SOFR minus IORB (IOER before 2021-07-29; EFFR where neither is stored).
  The headline value; percentile and z-score are of this spread.
- ``spike_bp``: that spread minus its median over the previous ``repo_baseline_days``
  observations. Spikes are judged against recent history, not a fixed level, so a switch of
  reference (EFFR -> IORB) or a regime of abundant reserves does not read as stress.
- ``level_bp``: the median of the spread over the last ``repo_level_days`` observations. A
  lasting move of SOFR above IORB is scarcity even when it is stable (late 2025: about +9 bp),
  which the spike measure, judged against its own recent median, cannot see.
- ``dispersion_bp``: SOFR 99th minus 1st percentile, and ``dispersion_excess_bp`` over its own
  trailing median (percentiles stored from 2025-07-28 only in the real data).
- ``tgcr_minus_rrp_bp`` / ``bgcr_minus_rrp_bp``: general collateral over the ON RRP award rate
  (the floor); far above the floor means cash is scarce.
- ``vol_bp``: standard deviation of daily changes of the SOFR spread over ``repo_vol_days``
  observations (changes across a switch of reference are dropped).

Status: the worst of the components' levels (see ``SignalThresholds``); unavailable when SOFR or
every reference rate is missing or stale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen.analysis.signals.base import (
    Context,
    align,
    band_level,
    empty_frame,
    finish,
    fmt,
    lag_days,
    observations,
    stale_days,
    trailing_stats,
)
from reportgen.dataset import Dataset

NAME = "repo_rates"
TITLE = "Repo rates"
UNITS = "bp, SOFR - policy rate"
COMPONENTS = ("sofr_pct", "reference_pct", "sofr_minus_ref_bp", "spike_bp", "level_bp", "vol_bp",
              "dispersion_bp", "dispersion_excess_bp", "tgcr_minus_rrp_bp", "bgcr_minus_rrp_bp")
_IORB_START = pd.Timestamp("2021-07-29")


def _asof(s: pd.Series, index: pd.DatetimeIndex, tolerance_days: int = 7) -> pd.Series:
    """``s`` carried onto ``index`` (latest value on or before, at most ``tolerance_days`` old)."""
    if s.empty:
        return pd.Series(np.nan, index=index)
    return s.reindex(index, method="ffill", tolerance=pd.Timedelta(days=tolerance_days))


def spread_to_reference(ds: Dataset) -> pd.DataFrame:
    """SOFR against the policy reference on each SOFR observation date.

    Columns ``sofr_pct``, ``reference_pct`` (IORB from 2021-07-29, IOER before, EFFR where
    neither is stored; the last value at most 7 days old, EFFR 4), ``ref`` (which one) and
    ``sofr_minus_ref_bp``; rows without a reference are dropped. The one owner of "SOFR minus
    the reference": the signal and the chart both read it.
    """
    sofr = observations(ds, "SOFR")
    cols = ["sofr_pct", "reference_pct", "ref", "sofr_minus_ref_bp"]
    if sofr.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    idx = sofr.index
    iorb = _asof(observations(ds, "IORB"), idx).where(idx >= _IORB_START)
    ioer = _asof(observations(ds, "IOER"), idx).where(idx < _IORB_START)
    effr = _asof(observations(ds, "EFFR"), idx, tolerance_days=4)
    ref = iorb.combine_first(ioer).combine_first(effr)
    ref_name = pd.Series(np.where(iorb.notna(), "IORB", np.where(ioer.notna(), "IOER", "EFFR")),
                         index=idx)
    spread = ((sofr - ref) * 100.0).round(6)
    out = pd.DataFrame({"sofr_pct": sofr, "reference_pct": ref, "ref": ref_name,
                        "sofr_minus_ref_bp": spread})
    return out[spread.notna()][cols]


def compute(ctx: Context) -> pd.DataFrame:
    th, days = ctx.th, ctx.days
    if ctx.series("SOFR").empty:
        return empty_frame(days, "no SOFR stored", COMPONENTS)
    base_obs = spread_to_reference(ctx.ds)
    obs = pd.DataFrame({"v:sofr_pct": base_obs["sofr_pct"],
                        "v:reference_pct": base_obs["reference_pct"],
                        "v:sofr_minus_ref_bp": base_obs["sofr_minus_ref_bp"],
                        "ref": base_obs["ref"]})
    spread = obs["v:sofr_minus_ref_bp"]
    if obs.empty:
        return empty_frame(days, "no policy reference rate (IORB, IOER or EFFR) stored",
                           COMPONENTS)
    base = spread.shift(1).rolling(th.repo_baseline_days, min_periods=5).median()
    obs["v:spike_bp"] = spread - base
    # The sustained level: a spike is judged against the recent median, so a lasting move of
    # SOFR above the reference would become "normal"; its own median catches that scarcity.
    obs["v:level_bp"] = spread.rolling(th.repo_level_days,
                                       min_periods=max(3, th.repo_level_days // 2)).median()
    change = spread.diff().where(obs["ref"] == obs["ref"].shift(1))
    vol = change.rolling(th.repo_vol_days, min_periods=max(5, th.repo_vol_days // 2)).std()
    obs["v:vol_bp"] = vol
    vol_z = trailing_stats(vol, th.window_days, th.min_history_daily)["zscore"]
    obs["vol_z"] = vol_z
    stats = trailing_stats(spread, th.window_days, th.min_history_daily)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    spread_lvl = band_level(obs["v:spike_bp"].fillna(0.0), th.repo_spike_elevated_bp,
                         th.repo_spike_stressed_bp)
    vol_hot = (vol >= th.repo_vol_elevated_bp) & (vol_z >= th.repo_vol_z)
    level_lvl = band_level(obs["v:level_bp"], th.repo_level_elevated_bp,
                           th.repo_level_stressed_bp).fillna(0.0)
    obs["lvl"] = np.maximum(np.maximum(spread_lvl, vol_hot.astype(float)), level_lvl)
    frame = align(obs, days, lag_days("SOFR", "EFFR"), stale_days("SOFR"))
    frame["level_days"] = float(th.repo_level_days)  # for the sentence: the look-backs in force
    frame["baseline_days"] = float(th.repo_baseline_days)
    level = frame["lvl"].astype(float)

    # SOFR dispersion (99th - 1st percentile), where percentiles are stored.
    p99, p1 = ctx.series("SOFR99"), ctx.series("SOFR1")
    disp = ((p99 - p1) * 100.0).dropna()
    if not disp.empty:
        d = pd.DataFrame({"v:dispersion_bp": disp})
        d["v:dispersion_excess_bp"] = disp - disp.shift(1).rolling(
            th.repo_baseline_days, min_periods=5).median()
        d["lvl"] = band_level(d["v:dispersion_excess_bp"], th.repo_dispersion_elevated_bp,
                           th.repo_dispersion_stressed_bp)
        dd = align(d, days, lag_days("SOFR99"), stale_days("SOFR99"))
        frame["v:dispersion_bp"] = dd["v:dispersion_bp"]
        frame["v:dispersion_excess_bp"] = dd["v:dispersion_excess_bp"]
        level = np.fmax(level, dd["lvl"].astype(float).where(level.notna()))
    else:
        frame["v:dispersion_bp"] = np.nan
        frame["v:dispersion_excess_bp"] = np.nan

    # General collateral vs the ON RRP award rate (the floor).
    award = ctx.series("RRPONTSYAWARD")
    for sid, col in (("TGCRRATE", "v:tgcr_minus_rrp_bp"), ("BGCR", "v:bgcr_minus_rrp_bp")):
        gc = ctx.series(sid)
        diff = ((gc - _asof(award, gc.index, 4)) * 100.0).dropna() if not award.empty else gc[:0]
        if diff.empty:
            frame[col] = np.nan
            continue
        g = pd.DataFrame({col: diff.round(6)})
        g["lvl"] = band_level(g[col], th.repo_gc_elevated_bp, th.repo_gc_stressed_bp)
        gg = align(g, days, lag_days(sid, "RRPONTSYAWARD"), stale_days(sid))
        frame[col] = gg[col]
        level = np.fmax(level, gg["lvl"].astype(float).where(level.notna()))

    frame["value"] = frame["v:sofr_minus_ref_bp"]
    return finish(frame, level, "SOFR or its reference rate is missing or stale on this date",
                  th)


def explain(row: pd.Series) -> str:
    parts = [
        f"SOFR {fmt(row['v:sofr_pct'], '.2f')}% was {fmt(row['v:sofr_minus_ref_bp'], '+.0f')} bp "
        f"against {row['ref']} ({fmt(row['v:spike_bp'], '+.0f')} bp against the median of the "
        f"previous {row['baseline_days']:.0f} days; the median of the last "
        f"{row['level_days']:.0f} days is {fmt(row['v:level_bp'], '+.0f')} bp)",
        f"the volatility of daily changes was {fmt(row['v:vol_bp'], '.1f')} bp",
    ]
    if pd.notna(row.get("v:dispersion_bp")):
        parts.append(f"the 99th-1st percentile spread {fmt(row['v:dispersion_bp'], '.0f')} bp")
    gc = row.get("v:tgcr_minus_rrp_bp")
    if pd.notna(gc):
        side = "over" if gc >= 0 else "below"
        parts.append(f"TGCR {abs(gc):.0f} bp {side} the ON RRP rate")
    return f"Repo rates {row['status']}: " + ", ".join(parts) + "."
