"""The feedback loop: weak auctions -> dealer inventory up -> funding stress / fails -> the next
auction weaker.

Four links, each required to follow the previous one within ``loop_window_days`` business days
ending on the date:

1. ``weak auction``: an auction judged weak (see ``auctions``);
2. ``dealer inventory up``, measured two ways, the earlier one counting:

   - *positions* (where dealer positions are stored): dealers' net Treasury positions
     (``PDPOSGST-TOT``) at least ``loop_dealer_rise_bn`` above the last week before a weak
     auction of the window, in a later week of the same series break: the inventory itself, its
     own observation, dated on the Wednesday it is for and counted once it is public (W + 8);
   - *takedown*: a weak auction where dealers took an unusually large share, and that is weak
     on its tail and bid-to-cover alone (the dealer share is one of the weakness tests, so an
     auction weak only with it would count twice);

3. ``funding stress``: repo rates, the SRF, fails or repo segments (DVP over tri-party) elevated
   or worse on or after that link, not merely calendar-explained, on at least
   ``loop_min_stress_days`` observation dates (the link is dated by the observation that
   confirms it);
4. ``next auction weaker``: a weak auction after the funding stress began.

State: ``dormant`` with fewer than two links, ``forming`` with two or three, ``engaged`` with
all four; the status column reads normal / elevated / stressed for them and ``unavailable``
(state too) without auction results. The value is the number of links in sequence. The chain
names the data each link rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.signals.auctions import auction_table
from reportgen.analysis.signals.base import UNAVAILABLE, Context, finish, level_of, level_where
from reportgen.analysis.signals.dealer_positions import weekly_positions
from reportgen.formatting import bn1
from reportgen.formatting import day as day_text

NAME = "feedback_loop"
TITLE = "Feedback loop"
UNITS = "links (of 4)"
FUNDING = ("repo_rates", "srf", "fails", "repo_segments")
#: How the chain names each funding signal (the registry's titles are not importable here).
FUNDING_NAMES = {"repo_rates": "repo rates", "srf": "SRF take-up", "fails": "settlement fails",
                 "repo_segments": "DVP repo over tri-party"}
#: The data each funding signal rests on, as the chain names it.
FUNDING_DATA = {"repo_rates": "NY Fed reference rates", "srf": "NY Fed repo operations",
                "fails": "NY Fed primary dealer fails",
                "repo_segments": "OFR Short-term Funding Monitor"}
AUCTION_DATA = "Treasury auction results"
POSITIONS_DATA = "NY Fed primary dealer positions"
STATES = ("dormant", "forming", "engaged")
LINKS = ("weak auction", "dealer inventory up", "funding stress", "next auction weaker")
#: How the dealer link held: ``rule`` values in ``details["links"]``.
RULES = ("positions", "takedown")


@dataclass(frozen=True)
class _Rise:
    """Dealer positions up after a weak auction: the week it shows (day-grid index of the
    Wednesday, of the day it is public) and its numbers."""

    at: int
    public: int
    week: pd.Timestamp
    auction: pd.Timestamp
    rise_bn: float
    total_bn: float


def _rises(ctx: Context, weak: np.ndarray) -> dict[int, _Rise]:
    """For each weak-auction day (index into ``ctx.days``), the first later week whose dealer
    positions stand ``loop_dealer_rise_bn`` above the last week before the auction, in the same
    series break (never across one). Empty without positions."""
    days, th = ctx.days, ctx.th
    w = weekly_positions(ctx)
    if w.empty or not np.any(weak):
        return {}
    total = w["total"].dropna()
    if total.empty:
        return {}
    brk = w["series_break"].reindex(total.index).astype(str).to_numpy()
    weeks = total.index
    lag = catalog.TABLES["pd_positions"].publication_lag_days
    at = days.searchsorted(weeks)
    public = days.searchsorted(weeks + pd.Timedelta(days=lag))
    out: dict[int, _Rise] = {}
    for i in np.flatnonzero(weak):
        auction = days[i]
        base = weeks.searchsorted(auction) - 1  # the last week before the auction
        if base < 0:
            continue
        later = np.arange(base + 1, len(weeks))
        later = later[(brk[later] == brk[base]) & (at[later] < len(days))]
        # Only weeks within the loop's window of the auction can be its consequence.
        later = later[at[later] - i < th.loop_window_days]
        rise = total.to_numpy()[later] - total.iloc[base]
        hit = later[rise >= th.loop_dealer_rise_bn]
        if len(hit):
            k = int(hit[0])
            out[int(i)] = _Rise(int(at[k]), int(public[k]), weeks[k], auction,
                                float(total.iloc[k] - total.iloc[base]), float(total.iloc[k]))
    return out


def _links(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, _Rise]]:
    """Day-level: the number of links in sequence, the index of the day each link was found
    at (-1 where not), how the dealer link held (0 positions, 1 takedown, -1 not), and the
    dealer-position rises behind it."""
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
    rises = _rises(ctx, weak)
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
    rule = np.full(n, -1)
    for i in range(n):
        lo = max(0, i - w + 1)
        wk = np.flatnonzero(weak[lo:i + 1])
        if not len(wk):
            continue
        found[i, 0] = lo + wk[0]
        links = 1
        # The dealer link: the earlier of a heavy takedown and positions up after a weak
        # auction of the window (public by day i, dated on the week it is for).
        options = [(lo + int(tk[0]), 1)] if len(tk := np.flatnonzero(take[lo:i + 1])) else []
        options += [(r.at, 0) for wi in lo + wk if (r := rises.get(int(wi))) is not None
                    and r.public <= i]
        if options:
            links = 2
            t0, how = min(options)
            found[i, 1], rule[i] = t0, how
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
    return count, found, rule, rises


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    count, found, rule, _ = _cached_links(ctx)
    frame = pd.DataFrame(index=ctx.days)
    frame["value"] = count
    frame["v:links"] = count
    for k in range(len(LINKS)):
        frame[f"found_{k}"] = found[:, k]
    frame["dealer_rule"] = rule
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


def _tenors(ctx: Context, at: int) -> str:
    """The weak auctions counted on business day ``at`` (an auction on a holiday counts on the
    next business day), by tenor."""
    a = auction_table(ctx)
    if a.empty:
        return ""
    pos = ctx.days.searchsorted(a["day"].to_numpy())
    names = a.loc[(pos == at) & a["weak"].to_numpy(), "tenor"].astype(str)
    return ", ".join(dict.fromkeys(names))


def _takedown(ctx: Context, at: int) -> str:
    """The heavy takedown of business day ``at`` in words: tenor, dealer share and its prior."""
    a = auction_table(ctx)
    pos = ctx.days.searchsorted(a["day"].to_numpy())
    dealer_hot = a["dealer_share_pct"] >= a["dealer_prior"] + ctx.th.auction_dealer_rise_pp
    rows = a[(pos == at) & a["weak"].to_numpy() & dealer_hot.to_numpy()]
    if rows.empty:
        return f"a heavy dealer takedown at the auction of {day_text(ctx.days[at])}"
    r = rows.iloc[0]
    return (f"dealers took {r['dealer_share_pct']:.1f}% of the {r['tenor']} auction on "
            f"{day_text(r['day'])}, against {r['dealer_prior']:.1f}% at its previous auctions")


def _links_detail(ctx: Context, day: date, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each link in sequence: ``link``, ``holds``, ``date`` (the day the evidence is for),
    ``rule`` (the dealer link: ``positions`` or ``takedown``), ``data`` it rests on and
    ``text`` (the chain's words)."""
    row = frame.loc[pd.Timestamp(day)]
    days, window = ctx.days, ctx.th.loop_window_days
    i = int(days.get_loc(pd.Timestamp(day)))
    positions = bool(len(weekly_positions(ctx)))
    out: list[dict[str, Any]] = []
    for k, label in enumerate(LINKS):
        at = int(row[f"found_{k}"])
        entry: dict[str, Any] = {"link": label, "holds": at >= 0, "date": None, "rule": None}
        if at < 0:
            if k == 1:
                data = "dealer takedown at weak auctions" + (
                    f" and {POSITIONS_DATA}" if positions else "; no dealer positions stored")
            elif k == 2:
                data = ", ".join(FUNDING_DATA[n] for n in FUNDING)
            else:
                data = AUCTION_DATA
            entry.update(data=data, text=f"{label}: not seen in the last {window} business days "
                                         f"({data})")
            out.append(entry)
            break
        when = days[at]
        if k in (0, 3):
            tenors = _tenors(ctx, at)
            entry.update(data=AUCTION_DATA, text=f"{label}: {day_text(when)} "
                                                 f"({tenors + '; ' if tenors else ''}"
                                                 f"{AUCTION_DATA})")
        elif k == 1 and int(row["dealer_rule"]) == 0:
            _, _, _, rises = _cached_links(ctx)
            rise = min((r for wi, r in rises.items() if r.at == at and r.public <= i
                        and wi >= i - window + 1), key=lambda r: r.auction, default=None)
            when = rise.week if rise is not None else when
            text = (f"dealers' net Treasury positions {bn1(rise.rise_bn, signed=True)} to "
                    f"{bn1(rise.total_bn)} in the week to {day_text(rise.week)}, after the weak "
                    f"auction of {day_text(rise.auction)}" if rise is not None
                    else f"dealer positions up in the week to {day_text(when)}")
            entry.update(rule=RULES[0], data=POSITIONS_DATA,
                         text=f"{label}: {text} ({POSITIONS_DATA})")
        elif k == 1:
            entry.update(rule=RULES[1], data=AUCTION_DATA,
                         text=f"{label}: {_takedown(ctx, at)} ({AUCTION_DATA})")
        else:
            hot = [n for n in FUNDING if ctx.frames[n]["status"].iloc[at] in
                   ("elevated", "stressed")]
            names = ", ".join(FUNDING_NAMES[n] for n in hot)
            data = ", ".join(FUNDING_DATA[n] for n in hot)
            entry.update(data=data, text=f"{label}: {names} elevated, confirmed on "
                                        f"{day_text(when)} ({data})")
        entry["date"] = pd.Timestamp(when).date().isoformat()
        out.append(entry)
    return out


def _cached_links(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, _Rise]]:
    if "feedback_loop_links" not in ctx.cache:
        ctx.cache["feedback_loop_links"] = _links(ctx)
    cached: tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, _Rise]] = (
        ctx.cache["feedback_loop_links"])
    return cached


def explain(row: pd.Series) -> str:
    return (f"Feedback loop {row['state']}: {int(row['value'])} of 4 links in sequence within "
            "the window (weak auction, dealer inventory up, funding stress, next auction "
            "weaker).")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    if frame.loc[pd.Timestamp(day), "state"] == UNAVAILABLE:
        return {"chain": [], "links": []}
    links = _links_detail(ctx, day, frame)
    return {"chain": [entry["text"] for entry in links],
            "links": [{k: v for k, v in entry.items() if k != "text"} for entry in links]}
