"""The yield curve: 10y-3m and 10y-2y, inversion and its duration, and the direction of change.

Short rates above long rates (inversion) mean the market prices trouble ahead. Spreads come from
``T10Y3M`` / ``T10Y2Y`` (percent, shown in bp) or, where those are not stored (the bundled
sample), from ``DGS10`` minus ``DGS3MO`` / ``DGS2``. ``inverted_days_10y3m`` counts consecutive
observations with 10y-3m below zero; ``change_10y3m_bp`` is the change over ``curve_change_days``
observations (positive = steepening).

Status: elevated while either spread is inverted, stressed once 10y-3m has been inverted for
``curve_stressed_days`` observations. A context signal: half weight in the composite.
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

NAME = "yield_curve"
TITLE = "Yield curve"
UNITS = "bp (10y-3m; 10y-2y if stale)"
COMPONENTS = ("spread_10y3m_bp", "spread_10y2y_bp", "inverted_days_10y3m",
              "inverted_days_10y2y", "change_10y3m_bp", "change_10y2y_bp")


#: The two spreads: tag -> (FRED's published spread, the long yield, the short yield).
SPREADS = {"10y3m": ("T10Y3M", "DGS10", "DGS3MO"), "10y2y": ("T10Y2Y", "DGS10", "DGS2")}


def spread(ds: Dataset, tag: str) -> tuple[pd.Series, list[str]]:
    """The ``tag`` spread in bp on its observation dates and the series it came from: FRED's
    published spread where stored, else the difference of the two yields. The one owner of
    the curve spreads: the signal and the chart both read it."""
    published, long, short = SPREADS[tag]
    s = observations(ds, published)
    if not s.empty:
        return s * 100.0, [published]
    lo, sh = observations(ds, long), observations(ds, short)
    both = pd.concat([lo, sh], axis=1, join="inner").dropna()
    if both.empty:
        return pd.Series(dtype=float), []
    return (both.iloc[:, 0] - both.iloc[:, 1]) * 100.0, [long, short]


def _run_length(inverted: pd.Series) -> pd.Series:
    groups = (~inverted).cumsum()
    return inverted.astype(float).groupby(groups).cumsum()


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    s3m, ids3m = spread(ctx.ds, "10y3m")
    s2y, ids2y = spread(ctx.ds, "10y2y")
    if s3m.empty and s2y.empty:
        return empty_frame(ctx.days, "no yield-curve spreads or yields stored", COMPONENTS)
    frame = pd.DataFrame(index=ctx.days)
    observed: dict[str, pd.Series] = {}  # the observation date each day uses, per spread
    for tag, s, ids in (("10y3m", s3m, ids3m), ("10y2y", s2y, ids2y)):
        cols = [f"v:spread_{tag}_bp", f"v:inverted_days_{tag}", f"v:change_{tag}_bp",
                f"pct_{tag}", f"z_{tag}"]
        if s.empty:
            for c in cols:
                frame[c] = np.nan
            continue
        s = s.round(6)
        stats = trailing_stats(s, th.window_days, th.min_history_daily)
        obs = pd.DataFrame({cols[0]: s, cols[1]: _run_length(s < 0),
                            cols[2]: s - s.shift(th.curve_change_days),
                            cols[3]: stats["percentile"], cols[4]: stats["zscore"]})
        aligned = align(obs, ctx.days, lag_days(*ids), stale_days(*ids))
        for c in cols:
            frame[c] = aligned[c]
        observed[tag] = pd.to_datetime(aligned["obs_date"])
    # The headline is 10y-3m; where it is missing or stale, 10y-2y stands in.
    use_3m = frame["v:spread_10y3m_bp"].notna()
    frame["value"] = frame["v:spread_10y3m_bp"].where(use_3m, frame["v:spread_10y2y_bp"])
    frame["percentile"] = frame["pct_10y3m"].where(use_3m, frame["pct_10y2y"])
    frame["zscore"] = frame["z_10y3m"].where(use_3m, frame["z_10y2y"])
    frame["headline"] = np.where(use_3m, "10y-3m", "10y-2y")
    # The day the headline spread is for (a weekly extreme is dated then, not when public).
    none = pd.Series(pd.NaT, index=ctx.days, dtype="datetime64[ns]")
    frame["obs_date"] = observed.get("10y3m", none).where(use_3m, observed.get("10y2y", none))
    frame["change_days"] = th.curve_change_days  # for the sentence: the horizon in force
    inv3 = frame["v:inverted_days_10y3m"].fillna(0.0)
    any_inv = (frame[["v:spread_10y3m_bp", "v:spread_10y2y_bp"]] < 0).any(axis=1)
    level = level_where(any_inv, inv3 >= th.curve_stressed_days,
                        ctx.days).where(frame["value"].notna())
    return finish(frame, level, "yield-curve data are missing or stale on this date", th)


def _direction(change: float | None, days: int) -> str:
    if change is None or pd.isna(change):
        return "direction unknown"
    if abs(change) < 5:
        return f"little changed, {change:+.0f} bp in {days} days"
    return f"{'steepening' if change > 0 else 'flattening'}, {change:+.0f} bp in {days} days"


def explain(row: pd.Series) -> str:
    inv = row["v:inverted_days_10y3m"]
    inv_txt = (f", inverted for {inv:.0f} days" if pd.notna(inv) and inv > 0 else "")
    days = int(row["change_days"])
    two = (f"10y-2y {fmt(row['v:spread_10y2y_bp'], '+.0f')} bp "
           f"({_direction(row['v:change_10y2y_bp'], days)})")
    return (f"Yield curve {row['status']}: 10y-3m {fmt(row['v:spread_10y3m_bp'], '+.0f')} bp"
            f"{inv_txt} ({_direction(row['v:change_10y3m_bp'], days)}), {two}.")
