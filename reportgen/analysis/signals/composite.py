"""The plumbing stress index (0-100): one number for "is the pipe working?".

Each live component gets a score ``100 * (level + s) / 3`` where ``level`` is its status
(normal 0, elevated 1, stressed 2) and ``s`` (0-1) places it within that band by its trailing
percentile, in the direction of stress (low reserves, a low curve spread, high everything else;
SRF scores 0 on days without take-up). So normal scores 0-33, elevated 33-67, stressed 67-100.

The index blends breadth and severity: ``composite_max_weight`` times the worst *core* component
(repo rates, SRF, auctions, fails, Treasury volatility) plus the rest times the weighted mean of
all live components, the context components (yield curve, reserves) at
``composite_context_weight``. Context can lift the mean but never sets the maximum: an inverted
curve alone is not plumbing stress. The index is published only with ``composite_min_live``
live components; ``drivers`` lists the components that move it, worst first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from reportgen.analysis.signals.base import (
    SIGNAL_NAMES,
    Context,
    band_level,
    finish,
    fmt,
    level_of,
    trailing_stats,
)

NAME = "composite"
TITLE = "Plumbing stress index"
UNITS = "index 0-100"
CORE = ("repo_rates", "srf", "auctions", "fails", "treasury_volatility")
CONTEXT = ("yield_curve", "reserves")
# Components whose percentile is high when calm (a low value is the stressed direction).
_LOW_IS_STRESS = ("yield_curve", "reserves")


def scores(ctx: Context) -> pd.DataFrame:
    """Score (0-100, NaN when unavailable) of every signal on every day."""
    out = {}
    for name in SIGNAL_NAMES:
        f = ctx.frames[name]
        lvl = level_of(f["status"])
        pct = f["percentile"].astype(float)
        if name in _LOW_IS_STRESS:
            pct = 1.0 - pct
        if name == "srf":
            pct = pct.where(f["value"].astype(float) > 0, 0.0)
        out[name] = 100.0 * (lvl + pct.fillna(0.5).clip(0.0, 1.0)) / 3.0
    return pd.DataFrame(out, index=ctx.days)


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    sc = scores(ctx)
    weights = pd.Series({n: (th.composite_context_weight if n in CONTEXT else 1.0)
                         for n in sc.columns})
    live = sc.notna()
    wsum = (live * weights).sum(axis=1)
    mean = (sc.fillna(0.0) * weights).sum(axis=1) / wsum.where(wsum > 0)
    worst = sc[list(CORE)].max(axis=1, skipna=True)
    index = (th.composite_max_weight * worst.fillna(mean)
             + (1.0 - th.composite_max_weight) * mean)
    n_live = live.sum(axis=1)
    index = index.where(n_live >= th.composite_min_live)
    frame = pd.DataFrame(index=ctx.days)
    frame["value"] = index.round(1)
    for n in sc.columns:
        frame[f"v:score_{n}"] = sc[n].round(1)
    frame["v:live_components"] = n_live.astype(float)
    stats = trailing_stats(index, th.window_days, th.min_history_daily)
    frame["percentile"] = stats["percentile"].reindex(ctx.days)
    frame["zscore"] = stats["zscore"].reindex(ctx.days)
    level = band_level(index, th.composite_elevated, th.composite_stressed)
    return finish(frame, level, f"fewer than {th.composite_min_live} components are live", th)


def _drivers(row: pd.Series) -> list[str]:
    sc = {c[len("v:score_"):]: row[c] for c in row.index
          if c.startswith("v:score_") and pd.notna(row[c])}
    ranked = sorted(sc, key=lambda n: -sc[n])
    hot = [n for n in ranked if sc[n] >= 100.0 / 3.0]
    return hot or ranked[:2]


def explain(row: pd.Series) -> str:
    drivers = _drivers(row)
    drv = ", ".join(f"{n} {row[f'v:score_{n}']:.0f}" for n in drivers)
    return (f"Plumbing stress index {fmt(row['value'], '.0f')} of 100 ({row['status']}) from "
            f"{int(row['v:live_components'])} live components; driven by {drv}.")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day)]
    live = [n for n in SIGNAL_NAMES if pd.notna(row[f"v:score_{n}"])]
    return {"live": live, "drivers": _drivers(row),
            "scores": {n: row[f"v:score_{n}"] for n in SIGNAL_NAMES},
            "weights": {n: (ctx.th.composite_context_weight if n in CONTEXT else 1.0)
                        for n in SIGNAL_NAMES}}
