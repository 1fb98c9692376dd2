"""The feedback loop: weak auctions -> dealer takedown -> funding stress / fails -> the next
auction weaker.

Four links, each required to follow the previous one within ``loop_window_days`` business days
ending on the date:

1. ``weak auction``: an auction judged weak (see ``auctions``);
2. ``dealer takedown``: a weak auction where dealers took an unusually large share, and that is
   weak on its tail and bid-to-cover alone (the dealer share is one of the weakness tests, so
   an auction weak only with it would count twice);
3. ``funding stress``: repo rates, the SRF or fails elevated or worse on or after that auction,
   not merely calendar-explained, on at least ``loop_min_stress_days`` observation dates (the
   link is dated by the observation that confirms it);
4. ``next auction weaker``: a weak auction after the funding stress began.

State: ``dormant`` with fewer than two links, ``forming`` with two or three, ``engaged`` with
all four; the status column reads normal / elevated / stressed for them and ``unavailable``
(state too) without auction results. The value is the number of links in sequence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen.analysis.signals.auctions import auction_table
from reportgen.analysis.signals.base import UNAVAILABLE, Context, finish, level_of, level_where
from reportgen.formatting import day as day_text

NAME = "feedback_loop"
TITLE = "Feedback loop"
UNITS = "links (of 4)"
FUNDING = ("repo_rates", "srf", "fails")
#: How the chain names each funding signal (the registry's titles are not importable here).
FUNDING_NAMES = {"repo_rates": "repo rates", "srf": "SRF take-up", "fails": "settlement fails"}
STATES = ("dormant", "forming", "engaged")
LINKS = ("weak auction", "dealer takedown", "funding stress", "next auction weaker")


def _links(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Day-level arrays: weak auction, weak with high takedown, funding stress, n links, and
    the index where each link was found (for the evidence)."""
    th, days = ctx.th, ctx.days
    a = auction_table(ctx)
    n = len(days)
    weak = np.zeros(n, dtype=bool)
    take = np.zeros(n, dtype=bool)
    if not a.empty:
        pos = days.searchsorted(a["day"].to_numpy())
        # An auction on a non-business day counts on the next business day.
        ok = pos < n
        p = np.where(ok, pos, 0)
        dealer_hot = (a["dealer_share_pct"] >= a["dealer_prior"] + th.auction_dealer_rise_pp)
        weak[p[ok & a["weak"].to_numpy()]] = True
        # The takedown is a second link only when the auction is weak without it (on its tail
        # and bid-to-cover): a rise in the dealers' share is itself one of the weakness
        # tests, and one auction must not count twice ("one weak auction is weather").
        weak_on_price = a["criteria_met"] - dealer_hot.astype(int) >= th.auction_weak_criteria
        take[p[ok & (a["weak"] & dealer_hot & weak_on_price).to_numpy()]] = True
    funding = np.zeros(n, dtype=bool)
    # The observation date behind each day's funding stress: a weekly fails figure is one
    # observation however many days it is carried, so stress is counted by observation.
    stress_obs = np.full(n, -1, dtype=np.int64)
    for name in FUNDING:
        f = ctx.frames[name]
        # Calendar-explained stress (a quarter-end) is not dealers pulling back; persistent
        # stress is never calendar-explained (see signals.dashboard).
        hot = ((level_of(f["status"]).fillna(0.0) >= 1).to_numpy()
               & ~f["calendar_explained"].to_numpy(dtype=bool))
        obs = (pd.to_datetime(f["obs_date"]) if "obs_date" in f else pd.Series(days, index=days))
        ordinal = obs.fillna(pd.Series(days, index=days)).to_numpy().astype("datetime64[D]")
        ordinal = ordinal.astype(np.int64)
        stress_obs = np.where(hot & (stress_obs < 0), ordinal, stress_obs)
        funding |= hot
    w = th.loop_window_days
    count = np.zeros(n)
    found = np.full((n, 4), -1)
    for i in range(n):
        lo = max(0, i - w + 1)
        wk = np.flatnonzero(weak[lo:i + 1])
        if not len(wk):
            continue
        found[i, 0] = lo + wk[0]
        links = 1
        tk = np.flatnonzero(take[lo:i + 1])
        if len(tk):
            links = 2
            t0 = lo + tk[0]
            found[i, 1] = t0
            fd = np.flatnonzero(funding[t0:i + 1])
            # The link holds once stress is seen on ``loop_min_stress_days`` observations:
            # one blip (a coupon-settlement day) is not dealers pulling back.
            seen = np.unique(stress_obs[t0 + fd], return_index=True)[1] if len(fd) else fd
            if len(seen) >= th.loop_min_stress_days:
                links = 3
                f0 = t0 + fd[np.sort(seen)[th.loop_min_stress_days - 1]]
                found[i, 2] = f0
                nx = np.flatnonzero(weak[f0 + 1:i + 1])
                if len(nx):
                    links = 4
                    found[i, 3] = f0 + 1 + nx[0]
        count[i] = links
    return weak, take, funding, count, found


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    _, _, _, count, found = _links(ctx)
    frame = pd.DataFrame(index=ctx.days)
    frame["value"] = count
    frame["v:links"] = count
    for k in range(len(LINKS)):
        frame[f"found_{k}"] = found[:, k]
    auctions_live = (ctx.frames["auctions"]["status"] != UNAVAILABLE).to_numpy()
    level = level_where(count >= 2, count >= 4, ctx.days).where(auctions_live)
    frame.loc[~auctions_live, "value"] = np.nan
    out = finish(frame, level, "the loop needs auction results, which are unavailable", th)
    out["percentile"] = np.nan
    out["zscore"] = np.nan
    state = np.array(STATES, dtype=object)[np.clip(np.where(count >= 4, 2, np.where(
        count >= 2, 1, 0)), 0, 2)]
    out["state"] = np.where(auctions_live, state, UNAVAILABLE)
    return out


def _chain(ctx: Context, day: date, frame: pd.DataFrame) -> list[str]:
    row = frame.loc[pd.Timestamp(day)]
    days = ctx.days
    chain = []
    for k, label in enumerate(LINKS):
        at = int(row[f"found_{k}"])
        if at < 0:
            chain.append(f"{label}: not seen in the last {ctx.th.loop_window_days} business days")
            break
        when = day_text(days[at])
        if k == 2:
            hot = [n for n in FUNDING if ctx.frames[n]["status"].iloc[at] in
                   ("elevated", "stressed")]
            names = ", ".join(FUNDING_NAMES[n] for n in hot)
            chain.append(f"{label}: {names} elevated, confirmed on {when}")
        else:
            chain.append(f"{label}: {when}")
    return chain


def explain(row: pd.Series) -> str:
    return (f"Feedback loop {row['state']}: {int(row['value'])} of 4 links in sequence within "
            "the window (weak auction, dealer takedown, funding stress, next auction weaker).")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    if frame.loc[pd.Timestamp(day), "state"] == UNAVAILABLE:
        return {"chain": []}
    return {"chain": _chain(ctx, day, frame)}
