"""Treasury auction weakness by original tenor: one weak auction is weather, a tenor that keeps
auctioning weakly is climate.

Coupon auctions only (notes, bonds, TIPS, FRN; bills are left out). Per auction (results
public on the auction day), against the previous ``auction_lookback``
auctions of the same original tenor (TIPS, FRN and bills kept as their own tenors):

- ``tail_bp``: **a proxy** - high minus median yield, in bp. The market's tail (high yield minus
  the 1 p.m. when-issued yield) needs when-issued yields that no free source publishes; pass a
  CSV of them (``auction_date, original_security_term, wi_yield`` in percent) to get true tails,
  labelled ``true`` in ``tail_kind``.
- ``bid_to_cover`` against its prior average;
- ``dealer_share_pct``: primary dealer takedown, percent of competitive accepted, against its
  prior average (dealers absorbing supply others would not take);
- ``indirect_share_pct``: indirect bidders, percent of competitive accepted (shown, not scored).

An auction is weak when ``auction_weak_criteria`` of the three tests in ``SignalThresholds``
hold (tail above its prior average, bid-to-cover below, dealer share above). A tenor is
*flagged* when ``auction_persist_weak`` of its last ``auction_persist_of`` auctions were weak.
Daily status: stressed with two or more flagged tenors, elevated with one flagged tenor or
``auction_recent_weak`` weak auctions in the last ``auction_recent_days`` business days;
unavailable when no tenor has enough prior auctions or no result is newer than
``auction_stale_days``. The headline value is the number of flagged tenors; percentile and
z-score are those of the latest auction's tail against earlier auctions of its tenor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen.analysis import calendar
from reportgen.analysis.signals.base import (
    Context,
    empty_frame,
    finish,
    fmt,
    level_where,
    trailing_stats,
)
from reportgen.errors import DataUnavailableError
from reportgen.formatting import count, day

NAME = "auctions"
TITLE = "Treasury auctions"
UNITS = "tenors flagged"
COMPONENTS = ("flagged_tenors", "judged_tenors", "weak_auctions_recent", "unjudged_recent",
              "last_tail_bp",
              "last_bid_to_cover", "last_dealer_share_pct", "last_indirect_share_pct")
_NUM = ("high_yield", "avg_med_yield", "bid_to_cover_ratio", "comp_accepted",
        "primary_dealer_accepted", "indirect_bidder_accepted", "high_discnt_rate")


def tenor_of(frame: pd.DataFrame) -> pd.Series:
    """The tenor label of each auction: original term plus ``TIPS`` / ``FRN``."""
    term = frame["original_security_term"].astype(str).str.strip()
    tips = pd.to_numeric(frame["tips"], errors="coerce").fillna(0).astype(int) == 1
    frn = pd.to_numeric(frame["frn"], errors="coerce").fillna(0).astype(int) == 1
    return term + np.where(tips, " TIPS", np.where(frn, " FRN", ""))


def read_when_issued(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a user's when-issued yields: ``auction_date``, ``original_security_term``,
    ``wi_yield`` (percent). Raises DataUnavailableError naming the missing columns."""
    need = {"auction_date", "original_security_term", "wi_yield"}
    missing = need - set(frame.columns)
    if missing:
        raise DataUnavailableError(
            f"the when-issued file lacks column(s) {', '.join(sorted(missing))}; expected "
            "auction_date,original_security_term,wi_yield (yield in percent)")
    out = frame[list(need)].copy()
    out["auction_date"] = pd.to_datetime(out["auction_date"].astype(str).str[:10])
    out["original_security_term"] = out["original_security_term"].astype(str).str.strip()
    out["wi_yield"] = pd.to_numeric(out["wi_yield"], errors="coerce")
    return out


def auction_table(ctx: Context) -> pd.DataFrame:
    """One row per auction with its metrics, prior averages, weak flag and tenor flag."""
    if "auction_table" not in ctx.cache:
        ctx.cache["auction_table"] = _auction_table(ctx)
    table: pd.DataFrame = ctx.cache["auction_table"]
    return table


def _rolling_by_tenor(values: pd.Series, tenor: pd.Series, window: int, min_periods: int,
                      how: str) -> pd.Series:
    """``values`` rolled over the last ``window`` auctions of the same tenor (in row order),
    aligned with ``values``: one grouped rolling, not one per tenor."""
    rolled = values.groupby(tenor, sort=False).rolling(window, min_periods=min_periods)
    result: pd.Series = getattr(rolled, how)()
    return result.reset_index(level=0, drop=True).reindex(values.index)


def _auction_table(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    raw = ctx.ds.table("auctions")
    if not len(raw):
        return pd.DataFrame()
    a = raw.copy()
    for c in _NUM:
        a[c] = pd.to_numeric(a[c], errors="coerce") if c in a else np.nan
    a["day"] = pd.to_datetime(a["auction_date"].astype(str).str[:10])
    a = a[a["bid_to_cover_ratio"].notna()]  # announced, not yet held
    # Coupons only (notes, bonds, TIPS, FRN): bill auctions are judged on discount rates, the
    # stored set of them is incomplete, and the tail question is about duration supply.
    a = a[~a["security_type"].astype(str).str.strip().str.lower().isin(("bill", "cmb"))]
    if a.empty:
        return pd.DataFrame()
    a["tenor"] = tenor_of(a)
    a["tail_bp"] = (a["high_yield"] - a["avg_med_yield"]) * 100.0
    a["tail_kind"] = np.where(a["tail_bp"].notna(), "proxy", "")
    if ctx.when_issued is not None and len(ctx.when_issued):
        wi = read_when_issued(ctx.when_issued).rename(columns={"auction_date": "day"})
        a = a.merge(wi, on=["day", "original_security_term"], how="left")
        true = (a["high_yield"] - a["wi_yield"]) * 100.0
        a["tail_kind"] = np.where(true.notna(), "true", a["tail_kind"])
        a["tail_bp"] = true.combine_first(a["tail_bp"])
    comp = a["comp_accepted"].where(a["comp_accepted"] > 0)
    a["dealer_share_pct"] = a["primary_dealer_accepted"] / comp * 100.0
    a["indirect_share_pct"] = a["indirect_bidder_accepted"] / comp * 100.0
    a = a.sort_values(["day", "tenor"]).reset_index(drop=True)
    g = a.groupby("tenor", sort=False)
    look, minp = th.auction_lookback, th.auction_min_prior
    for col, prior in (("tail_bp", "tail_prior"), ("bid_to_cover_ratio", "btc_prior"),
                       ("dealer_share_pct", "dealer_prior")):
        a[prior] = _rolling_by_tenor(g[col].shift(1), a["tenor"], look, minp, "mean")
    a["n_prior"] = g.cumcount()
    tests = pd.DataFrame({
        "tail": a["tail_bp"] >= a["tail_prior"] + th.auction_tail_margin_bp,
        "btc": a["bid_to_cover_ratio"] <= a["btc_prior"] - th.auction_btc_drop,
        "dealer": a["dealer_share_pct"] >= a["dealer_prior"] + th.auction_dealer_rise_pp,
    })
    a["criteria_met"] = tests.sum(axis=1)
    a["judged"] = a["n_prior"] >= minp
    a["weak"] = a["judged"] & (a["criteria_met"] >= th.auction_weak_criteria)
    a["weak_of_last"] = _rolling_by_tenor(a["weak"].astype(float), a["tenor"],
                                          th.auction_persist_of, 1, "sum")
    a["flagged"] = a["judged"] & (a["weak_of_last"] >= th.auction_persist_weak)
    # How unusual this tail is against earlier auctions of the tenor (trailing window).
    pz = []
    for _, grp in a.groupby("tenor", sort=False):
        s = pd.Series(grp["tail_bp"].to_numpy(), index=grp["day"])
        st = trailing_stats(s, th.window_days, max(th.auction_lookback, 2))
        st.index = grp.index[grp["tail_bp"].notna().to_numpy()]
        pz.append(st)
    stats = pd.concat(pz) if pz else pd.DataFrame(columns=["percentile", "zscore"])
    a["percentile"] = stats["percentile"].reindex(a.index)
    a["zscore"] = stats["zscore"].reindex(a.index)
    return a


def compute(ctx: Context) -> pd.DataFrame:
    th, days = ctx.th, ctx.days
    a = auction_table(ctx)
    if a.empty:
        return empty_frame(days, "no Treasury auction results stored", COMPONENTS)
    pos_any = a["day"].to_numpy().searchsorted(days.to_numpy(), side="right") - 1
    # Per tenor: the latest auction's judgement carried forward (results are public the same
    # day), for at most a year: a tenor no longer auctioned drops out.
    flagged = np.zeros(len(days))
    judged = np.zeros(len(days))
    for _, grp in a.groupby("tenor", sort=False):
        gd = grp["day"].to_numpy()
        p = gd.searchsorted(days.to_numpy(), side="right") - 1
        ok = p >= 0
        safe = np.where(ok, p, 0)
        fresh = ok & ((days.to_numpy() - gd[safe]) <= np.timedelta64(370, "D"))
        flagged += np.where(fresh, grp["flagged"].to_numpy()[safe], False)
        judged += np.where(fresh, grp["judged"].to_numpy()[safe], False)
    # Weak auctions in the last ``auction_recent_days`` business days.
    weak_days = a.loc[a["weak"], "day"]
    weak_count = pd.Series(1.0, index=weak_days).groupby(level=0).sum()
    weak_daily = weak_count.reindex(days, fill_value=0.0)
    recent = weak_daily.rolling(th.auction_recent_days, min_periods=1).sum()
    # Auctions too new in their tenor to be judged are counted, not read as "not weak".
    unjudged_days = a.loc[~a["judged"].astype(bool), "day"]
    unjudged = (pd.Series(1.0, index=unjudged_days).groupby(level=0).sum()
                .reindex(days, fill_value=0.0)
                .rolling(th.auction_recent_days, min_periods=1).sum())

    frame = pd.DataFrame(index=days)
    safe = np.where(pos_any >= 0, pos_any, 0)
    last = a.iloc[safe]
    frame["v:flagged_tenors"] = flagged
    frame["v:judged_tenors"] = judged
    frame["v:weak_auctions_recent"] = recent.to_numpy()
    frame["v:unjudged_recent"] = unjudged.to_numpy()
    frame["recent_days"] = th.auction_recent_days  # for the sentence: the look-back in force
    for src, dst in (("tail_bp", "last_tail_bp"), ("bid_to_cover_ratio", "last_bid_to_cover"),
                     ("dealer_share_pct", "last_dealer_share_pct"),
                     ("indirect_share_pct", "last_indirect_share_pct")):
        frame[f"v:{dst}"] = last[src].to_numpy()
    frame["percentile"] = last["percentile"].to_numpy()
    frame["zscore"] = last["zscore"].to_numpy()
    frame["obs_date"] = last["day"].to_numpy()
    frame["last_tenor"] = last["tenor"].to_numpy()
    frame["last_tail_kind"] = last["tail_kind"].to_numpy()
    frame["flagged_names"] = _flagged_names(a, days)
    age = (days.to_numpy() - last["day"].to_numpy()) / np.timedelta64(1, "D")
    live = (pos_any >= 0) & (age <= th.auction_stale_days) & (judged > 0)
    hot = (flagged >= 1) | (recent.to_numpy() >= th.auction_recent_weak)
    level = level_where(hot, flagged >= 2, frame.index).to_numpy()
    frame["value"] = flagged
    frame.loc[~live, [c for c in frame.columns]] = np.nan
    frame["persistent"] = False
    reason = ("no auction results recently enough, or too few prior auctions per tenor "
              f"(need {th.auction_min_prior})")
    out = finish(frame, pd.Series(np.where(live, level, np.nan), index=days), reason, th,
                 persistent=pd.Series(flagged >= 1, index=days) & pd.Series(live, index=days))
    return out


def _flagged_names(a: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """For each day, the ';'-joined tenors flagged at their latest auction."""
    flag_changes = a[["day", "tenor", "flagged"]]
    out = np.full(len(days), "", dtype=object)
    if not flag_changes["flagged"].any():
        return out
    state: dict[str, tuple[bool, pd.Timestamp]] = {}
    rows = flag_changes.sort_values("day").itertuples(index=False)
    pending = next(rows, None)
    for i, d in enumerate(days):
        while pending is not None and pending.day <= d:
            state[str(pending.tenor)] = (bool(pending.flagged), pending.day)
            pending = next(rows, None)
        names = [t for t, (f, when) in state.items() if f and (d - when).days <= 370]
        out[i] = ";".join(sorted(names))
    return out


def explain(row: pd.Series) -> str:
    names = str(row.get("flagged_names") or "")
    flagged_txt = (f"{count(int(row['v:flagged_tenors']), 'tenor')} flagged for repeated "
                   f"weakness ({names.replace(';', ', ')})" if names else "no tenor flagged")
    tail_kind = "tail" if row.get("last_tail_kind") == "true" else "tail proxy (high-median)"
    tail = (f"{tail_kind} {row['v:last_tail_bp']:.1f} bp" if pd.notna(row["v:last_tail_bp"])
            else f"no {tail_kind}")
    dealers = (f"dealers {row['v:last_dealer_share_pct']:.1f}% of competitive accepted"
               if pd.notna(row["v:last_dealer_share_pct"]) else "no dealer share published")
    unjudged = int(row.get("v:unjudged_recent") or 0)
    not_judged = (f" ({count(unjudged, 'other auction')} not judged: too few earlier auctions "
                  "of the tenor)" if unjudged else "")
    return (f"Auctions {row['status']}: {flagged_txt}, "
            f"{count(int(row['v:weak_auctions_recent']), 'weak auction')} in the last "
            f"{int(row['recent_days'])} business days{not_judged}; "
            f"latest {row['last_tenor']} on {day(row['obs_date'])}: {tail}, bid-to-cover "
            f"{fmt(row['v:last_bid_to_cover'], '.2f')}, {dealers}.")


def details(ctx: Context, day: date, frame: pd.DataFrame) -> dict[str, Any]:
    """Per-tenor table: the latest auction of each tenor on or before ``day``."""
    a = auction_table(ctx)
    if a.empty:
        return {"tenors": []}
    a = a[a["day"] <= pd.Timestamp(day)]
    a = a[(pd.Timestamp(day) - a["day"]).dt.days <= 370]
    rows = []
    for tenor, grp in a.groupby("tenor", sort=False):
        r = grp.iloc[-1]
        rows.append({
            "tenor": tenor, "auction_date": r["day"].date().isoformat(),
            "tail_bp": r["tail_bp"], "tail_kind": r["tail_kind"] or "n/a",
            "tail_prior_bp": r["tail_prior"],
            "bid_to_cover": r["bid_to_cover_ratio"], "bid_to_cover_prior": r["btc_prior"],
            "dealer_share_pct": r["dealer_share_pct"], "dealer_share_prior_pct": r["dealer_prior"],
            "indirect_share_pct": r["indirect_share_pct"], "weak": bool(r["weak"]),
            "weak_of_last": int(r["weak_of_last"]), "flagged": bool(r["flagged"]),
            "calendar": list(calendar.windows_on(r["day"].date())),
        })
    rows.sort(key=lambda x: x["auction_date"], reverse=True)
    return {"tenors": rows, "tail_note": "tails are proxies (high minus median yield) unless "
                                          "when-issued yields were supplied"}
