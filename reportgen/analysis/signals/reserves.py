"""The reservoir: reserve balances, the ON RRP buffer, the TGA and net liquidity (USD bn).

Weekly H.4.1 levels (Wednesday, public Thursday) in millions and daily ON RRP in billions are
all converted through the catalog to USD billions. Net liquidity = WALCL - TGA - ON RRP on each
H.4.1 Wednesday, as :mod:`reportgen.analysis.reservoir` computes them (the one owner).

Status: reserves at or below the ``reserves_elevated_pct`` trailing percentile while the ON RRP
buffer is below ``reserves_rrp_buffer_bn`` are elevated; at ``reserves_stressed_pct`` stressed.
Reserves falling while ON RRP still holds a large buffer is a drain on the buffer, not stress.
A context signal: half weight in the composite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen.analysis import reservoir
from reportgen.analysis.signals.base import (
    Context,
    align,
    empty_frame,
    finish,
    lag_days,
    stale_days,
    trailing_stats,
)
from reportgen.formatting import bn

NAME = "reserves"
TITLE = "Reserves and liquidity"
UNITS = "USD bn (reserves)"
COMPONENTS = ("reserves_bn", "reserves_change_13w_bn", "on_rrp_bn", "tga_bn", "walcl_bn",
              "net_liquidity_bn", "net_liquidity_change_13w_bn")


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    res = reservoir.reserves(ctx.ds)
    if res.empty:
        return empty_frame(ctx.days, "no reserve balances (WRESBAL) stored", COMPONENTS)
    idx = pd.DatetimeIndex(res.index)
    rrp_daily = reservoir.on_rrp(ctx.ds)
    net = reservoir.net_liquidity(ctx.ds).reindex(idx)
    obs = pd.DataFrame({"v:reserves_bn": res, "v:walcl_bn": reservoir.total_assets(ctx.ds)
                        .reindex(idx), "v:tga_bn": reservoir.tga_on(ctx.ds, idx),
                        "v:net_liquidity_bn": net,
                        "rrp_wed": reservoir.on_rrp_on(ctx.ds, idx)})
    obs["v:reserves_change_13w_bn"] = res - res.shift(13)
    obs["v:net_liquidity_change_13w_bn"] = net - net.shift(13)
    stats = trailing_stats(res, th.window_days, th.min_history_weekly)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    frame = align(obs, ctx.days, lag_days("WRESBAL"), stale_days("WRESBAL"))
    # The buffer is read daily: ON RRP take-up is public the next day.
    if not rrp_daily.empty:
        daily = align(rrp_daily.rename("v:on_rrp_bn"), ctx.days, lag_days("RRPONTSYD"),
                      stale_days("RRPONTSYD"))["v:on_rrp_bn"]
        # RRPONTSYD only lists days with an operation; before the ON RRP (2013) it is absent.
        frame["v:on_rrp_bn"] = daily.fillna(frame["rrp_wed"])
    else:
        frame["v:on_rrp_bn"] = np.nan
    buffer_spent = frame["v:on_rrp_bn"].fillna(0.0) < th.reserves_rrp_buffer_bn
    pct = frame["percentile"]
    lvl = np.where(buffer_spent & (pct <= th.reserves_stressed_pct), 2.0,
                   np.where(buffer_spent & (pct <= th.reserves_elevated_pct), 1.0, 0.0))
    level = pd.Series(lvl, index=frame.index).where(frame["v:reserves_bn"].notna())
    frame["value"] = frame["v:reserves_bn"]
    # A stock is never explained by a calendar window: a quarter-end moves flows, and the level
    # of reserves is read against its own history instead.
    frame["calendar"] = ""
    return finish(frame, level, "reserve balances (H.4.1) are missing or stale on this date", th)


def explain(row: pd.Series) -> str:
    pct = row["percentile"]
    pct_txt = f", percentile {pct * 100:.0f} of three years" if pd.notna(pct) else ""
    return (f"Reserves {row['status']}: reserve balances {bn(row['v:reserves_bn'])}"
            f" ({bn(row['v:reserves_change_13w_bn'], signed=True)} in 13 weeks{pct_txt}), "
            f"ON RRP {bn(row['v:on_rrp_bn'])}, TGA {bn(row['v:tga_bn'])}, "
            f"net liquidity {bn(row['v:net_liquidity_bn'])}.")
