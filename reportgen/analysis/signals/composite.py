"""The plumbing stress index (0-100): one number for "is the pipe working?", measured on the
pipe alone.

Each live component gets a score ``100 * (level + s) / 3`` where ``level`` is its status
(normal 0, elevated 1, stressed 2) and ``s`` (0-1) places it within that band by its trailing
percentile (dealer positions: within the current series break), in the direction of stress (low
reserves, a low curve spread, high everything else; SRF scores 0 on days without take-up). So
normal scores 0-33, elevated 33-67, stressed 67-100.

The index blends breadth and severity: ``composite_max_weight`` times the worst *core* component
(repo rates, SRF, repo segments, auctions, dealer positions, fails, securities lending, Treasury
volatility: the flows and intermediation capacity) plus the rest times the weighted mean of all
live components, the yield curve (context) at ``composite_context_weight``. Context can lift the
mean but never sets the maximum: an inverted curve alone is not plumbing stress. The capacity
signals (DVP repo over tri-party, dealer positions, SOMA securities lending) are core components
like the symptoms; each counts only where its data exist, so a store without them (the real
history before 2022) reads the index as before.

Reserves are not in it. They are the reservoir (a stock), read on their own; an index that
contained them would explain reserves with reserves when the briefing sets the two side by side.

With fewer than ``composite_min_live`` live *core* components the index is published only when
what is measured already shows stress; otherwise it is unavailable (too little of the pipe is
measured to call it calm), never "normal". ``drivers``
lists the components that move it, worst first; ``live`` and ``missing`` say what it rests on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from reportgen.analysis.signals.base import (
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
CORE = ("repo_rates", "srf", "repo_segments", "auctions", "dealer_positions", "fails",
        "securities_lending", "treasury_volatility")
CONTEXT = ("yield_curve",)
COMPONENTS = (*CORE, *CONTEXT)
# Components whose percentile is high when calm (a low value is the stressed direction).
_LOW_IS_STRESS = ("yield_curve",)


def scores(ctx: Context) -> pd.DataFrame:
    """Score (0-100, NaN when unavailable) of every signal on every day."""
    out = {}
    for name in COMPONENTS:
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
    core_live = live[list(CORE)].sum(axis=1)
    index = index.where(core_live >= 1)
    frame = pd.DataFrame(index=ctx.days)
    frame["value"] = index.round(1)
    for n in sc.columns:
        frame[f"v:score_{n}"] = sc[n].round(1)
    frame["v:live_components"] = n_live.astype(float)
    frame["v:live_core"] = core_live.astype(float)
    stats = trailing_stats(index, th.window_days, th.min_history_daily)
    frame["percentile"] = stats["percentile"].reindex(ctx.days)
    frame["zscore"] = stats["zscore"].reindex(ctx.days)
    level = band_level(index, th.composite_elevated, th.composite_stressed)
    # Missing data never counts as calm: with too few pipe signals live the index is only
    # published when what is measured already shows stress.
    short = core_live < th.composite_min_live
    level = level.where(~short | (level >= 1))
    frame["value"] = index.where(level.notna()).round(1)
    return finish(frame, level, f"fewer than {th.composite_min_live} of the {len(CORE)} pipe "
                                f"signals are live, too few to call the pipe calm", th)


def _drivers(row: pd.Series) -> list[str]:
    sc = {c[len("v:score_"):]: row[c] for c in row.index
          if c.startswith("v:score_") and pd.notna(row[c])}
    ranked = sorted(sc, key=lambda n: -sc[n])
    hot = [n for n in ranked if sc[n] >= 100.0 / 3.0]
    return hot or ranked[:2]


def explain(row: pd.Series) -> str:
    drivers = _drivers(row)
    drv = ", ".join(f"{n} {row[f'v:score_{n}']:.0f}" for n in drivers)
    curve = (" and the yield curve as context"
             if row["v:live_components"] > row["v:live_core"] else "")
    return (f"Plumbing stress index {fmt(row['value'], '.0f')} of 100 ({row['status']}) from "
            f"{int(row['v:live_core'])} of {len(CORE)} pipe signals{curve}; driven by {drv}.")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day)]
    live = [n for n in COMPONENTS if pd.notna(row[f"v:score_{n}"])]
    return {"live": live, "missing": [n for n in COMPONENTS if n not in live],
            "drivers": _drivers(row) if live else [],
            "scores": {n: row[f"v:score_{n}"] for n in COMPONENTS},
            "weights": {n: (ctx.th.composite_context_weight if n in CONTEXT else 1.0)
                        for n in COMPONENTS}}
