"""The frames the charts draw, cut from the week's analysis (USD billions, basis points,
Timestamps), every one ending on or before the briefing date.

Each frame reads its quantity from the quantity's one owner (the reservoir module, the signal
modules' public measures, the dashboard's own frames and context with the thresholds in force,
the phase assessment's history), so a chart and the sentence beside it cannot disagree. Every
function returns an empty frame (with its columns) when the data are missing, so the briefing
can say "unavailable" rather than crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from reportgen.analysis import reservoir as rsv
from reportgen.analysis.calendar import business_days, calendar_frame
from reportgen.analysis.fomc import load_fomc_decisions
from reportgen.analysis.pace import PurchasePace
from reportgen.analysis.signals import srf as srf_signal
from reportgen.analysis.signals import treasury_volatility, yield_curve
from reportgen.analysis.signals.auctions import auction_table
from reportgen.analysis.signals.base import Context, observations
from reportgen.analysis.signals.dashboard import Dashboard
from reportgen.analysis.signals.dealer_positions import weekly_positions
from reportgen.analysis.signals.fails import weekly_fails
from reportgen.analysis.signals.repo_rates import spread_to_reference
from reportgen.analysis.signals.repo_segments import segment_spreads
from reportgen.analysis.signals.securities_lending import daily_lending
from reportgen.dataset import Dataset

# Calendar windows worth shading on daily charts: the ones that move repo rates. Coupon
# settlements and refunding weeks are left out of the shading (they would cover half the chart)
# but still count in the signals' calendar explanations.
SHADED_WINDOWS = ("quarter-end", "year-end", "tax date", "month-end")

COUPON_LABEL = "Notes, bonds and other coupons"

# How much history each kind of chart shows (the HTML lets the reader zoom in).
BALANCE_YEARS = 3.0
DAILY_YEARS = 1.25
AUCTION_YEARS = 1.0


def window_start(as_of: date, years: float) -> date:
    return as_of - timedelta(days=round(365.25 * years))


def _cut(s: pd.Series, start: date, end: date) -> pd.Series:
    return s.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna()


def _long(columns: dict[str, pd.Series], value: str, label: str = "series") -> pd.DataFrame:
    parts = [pd.DataFrame({"date": s.index, label: name, value: s.to_numpy(dtype=float)})
             for name, s in columns.items() if len(s)]
    if not parts:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             label: pd.Series(dtype=object), value: pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


# -- the balance sheet ----------------------------------------------------------------------
def holdings(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Weekly holdings by type, USD billions: bills, other Treasuries (TREAST - bills), MBS.

    Bills come from H.4.1 ``WSHOBL`` and, where it stops, from the NY Fed SOMA summary
    (``SOMA_BILLS``; the same holdings, dated by the NY Fed). The SOMA dates do not always fall
    on the H.4.1 Wednesday, so each Wednesday takes the nearest SOMA reading within three days:
    otherwise the stack would lose its bills for that week. "Other coupons" is
    TREAST minus bills, so that the stack always adds up to the Treasury total. Columns
    ``date``, ``component``, ``value_bn``.
    """
    bills = ds.billions("WSHOBL").dropna()
    soma = ds.billions("SOMA_BILLS").dropna().sort_index()
    treasuries = ds.billions("TREAST").dropna()
    mbs = ds.billions("WSHOMCB").dropna()
    if not len(treasuries) or not (len(bills) or len(soma)):
        return _long({}, "value_bn", "component")
    weeks = treasuries.index
    bills_w = bills.reindex(weeks)
    if len(soma):
        # The nearest SOMA reading within three days: dated on the eve of a holiday, or (rarely)
        # the day after the Wednesday.
        soma_w = soma.reindex(weeks, method="nearest", tolerance=pd.Timedelta(days=3))
        after = weeks > (bills.index.max() if len(bills) else pd.Timestamp.min)
        bills_w = bills_w.where(~after | bills_w.notna(), soma_w).combine_first(
            soma_w.where(after))
    # The stack ends at the last week whose split is known: a week whose SOMA reading is not
    # public yet would otherwise draw its Treasuries as a collapse of the stack.
    weeks = weeks[weeks <= bills_w.last_valid_index()] if bills_w.notna().any() else weeks[:0]
    bills_w, treasuries = bills_w.reindex(weeks), treasuries.reindex(weeks)
    coupons = treasuries - bills_w
    return _long({
        "Bills": _cut(bills_w, start, end),
        COUPON_LABEL: _cut(coupons, start, end),
        "MBS": _cut(mbs.reindex(weeks), start, end),
    }, "value_bn", "component")


def phase_periods(history: pd.DataFrame | None, start: date, end: date) -> pd.DataFrame:
    """Observed phase periods from the assessment's weekly history, clipped to the window.

    Columns ``start``, ``end``, ``phase`` (0-3), ``label`` (the phase's own label); empty
    without a history.
    """
    cols = {"start": pd.Series(dtype="datetime64[ns]"), "end": pd.Series(dtype="datetime64[ns]"),
            "phase": pd.Series(dtype=int), "label": pd.Series(dtype=object)}
    if history is None or not len(history):
        return pd.DataFrame(cols)
    f = history.dropna(subset=["phase"]).sort_values("date")
    f = f[pd.to_datetime(f["date"]) <= pd.Timestamp(end)]
    if not len(f):
        return pd.DataFrame(cols)
    phase = f["phase"].astype(int).to_numpy()
    labels = f["label"].astype(str).to_numpy()
    dates = pd.to_datetime(f["date"]).to_numpy()
    # A phase is dated from the first week of the streak that confirmed it (the assessment's
    # ``since``), not from the week the switch was confirmed, so the shading and the page agree.
    since = (pd.to_datetime(f["since"]).to_numpy() if "since" in f else dates)
    runs = [0] + [i for i in range(1, len(phase)) if phase[i] != phase[i - 1]]
    begins = [pd.Timestamp(dates[i]) if k == 0 else
              max(pd.Timestamp(since[i]), pd.Timestamp(dates[runs[k - 1]]))
              for k, i in enumerate(runs)]
    rows = []
    for k, i in enumerate(runs):
        stop = begins[k + 1] if k + 1 < len(runs) else pd.Timestamp(end)
        rows.append((begins[k], stop, int(phase[i]), labels[i]))
    periods = pd.DataFrame(rows, columns=list(cols))
    periods = periods[periods["end"] > pd.Timestamp(start)].copy()
    periods["start"] = periods["start"].clip(lower=pd.Timestamp(start))
    return periods.reset_index(drop=True)


def fomc_decisions(start: date, end: date) -> pd.DataFrame:
    """FOMC balance-sheet decisions announced between ``start`` and ``end``.

    Columns ``date`` (decision day), ``label`` (the regime and the decision text), ``short``
    (a few words drawn on the chart).
    """
    frame = pd.DataFrame([vars(d) for d in load_fomc_decisions()])
    when = pd.to_datetime(frame["decision_date"])
    frame = frame[(when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))]
    out = pd.DataFrame({
        "date": pd.to_datetime(frame["decision_date"]).to_numpy(),
        "label": (frame["regime"].astype(str) + ": " + frame["decision"].astype(str)).to_numpy(),
        "short": frame["regime"].astype(str).to_numpy(),
    })
    return out


# -- the reservoir --------------------------------------------------------------------------
def reservoir_levels(reservoir: rsv.Reservoir, start: date, end: date) -> pd.DataFrame:
    """Reserves and net liquidity, weekly, USD billions (from the reservoir's own series)."""
    return _long({"Net liquidity": _cut(reservoir.series["net_liquidity"], start, end),
                  "Reserves": _cut(reservoir.series["reserves"], start, end)}, "value_bn")


def reservoir_buffers(reservoir: rsv.Reservoir, start: date, end: date) -> pd.DataFrame:
    """TGA (weekly) and ON RRP usage (daily), USD billions."""
    return _long({"TGA": _cut(reservoir.series["tga"], start, end),
                  "ON RRP": _cut(reservoir.series["on_rrp"], start, end)}, "value_bn")


# -- the pipe -------------------------------------------------------------------------------
def repo_spread(ds: Dataset, start: date, end: date) -> tuple[pd.DataFrame, str]:
    """SOFR and its percentiles minus the policy reference (the repo signal's own), bp, on
    SOFR observation dates, with each day's ``reference``; and the reference's name (both
    names, "EFFR/IORB", when the window spans a change)."""
    ref = spread_to_reference(ds)
    cols = ["date", "sofr_bp", "p1_bp", "p25_bp", "p75_bp", "p99_bp", "reference"]
    ref = ref.loc[pd.Timestamp(start): pd.Timestamp(end)]
    if not len(ref):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}), "IORB"
    frame = pd.DataFrame({"date": ref.index, "sofr_bp": ref["sofr_minus_ref_bp"].round(1)})
    for pct in ("1", "25", "75", "99"):
        p = observations(ds, f"SOFR{pct}").reindex(ref.index)
        frame[f"p{pct}_bp"] = ((p - ref["reference_pct"]) * 100).round(1).to_numpy()
    # The reference of each day, so the chart marks where it changes (EFFR to IORB in 2021)
    # rather than letting the step read as a market move.
    frame["reference"] = ref["ref"].astype(str).to_numpy()
    names = ref["ref"].unique()
    name = "/".join(str(n) for n in names) if len(names) > 1 else str(names[0])
    return frame.reset_index(drop=True), name


def calendar_windows(start: date, end: date,
                     kinds: tuple[str, ...] = SHADED_WINDOWS) -> pd.DataFrame:
    """Runs of consecutive business days inside the ``kinds`` windows: ``start``, ``end``,
    ``label`` (``end`` is the day after the run so a one-day window has a width on a chart)."""
    days = business_days(start, end)
    cols = {"start": pd.Series(dtype="datetime64[ns]"), "end": pd.Series(dtype="datetime64[ns]"),
            "label": pd.Series(dtype=object)}
    if len(days) == 0:
        return pd.DataFrame(cols)
    cal = calendar_frame(days)[list(kinds)]
    rows = []
    current: list[pd.Timestamp] = []
    current_labels: list[str] = []
    for day, flags in cal.iterrows():
        names = [k for k in kinds if flags[k]]
        if names:
            current.append(pd.Timestamp(day))
            current_labels += [n for n in names if n not in current_labels]
        elif current:
            rows.append((current[0], current[-1] + pd.Timedelta(days=1), ", ".join(current_labels)))
            current, current_labels = [], []
    if current:
        rows.append((current[0], current[-1] + pd.Timedelta(days=1), ", ".join(current_labels)))
    if not rows:
        return pd.DataFrame(cols)
    return pd.DataFrame(rows, columns=["start", "end", "label"])


def srf(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Standing Repo Facility take-up per business day of the covered span, USD billions, as
    the SRF signal measures it (``signals.srf.takeup``). Columns ``date``, ``accepted_bn``."""
    per_day, _, _, _ = srf_signal.takeup(ds)
    daily = _cut(per_day, start, end)
    return pd.DataFrame({"date": daily.index, "accepted_bn": daily.to_numpy(dtype=float)})


_TENOR_DAYS = {"Week": 7, "Year": 365, "Month": 30, "Day": 1}


def tenor_rank(term: str) -> float:
    """Sort key of a tenor label ("13-Week" < "2-Year" < "10-Year TIPS"), in days."""
    try:
        num, rest = str(term).split("-", 1)
        unit = rest.split()[0].rstrip("s")
        extra = 0.5 if " " in rest else 0.0  # TIPS/FRN just after the nominal tenor
        return float(num) * _TENOR_DAYS.get(unit, 365) + extra
    except (ValueError, IndexError):
        return float("inf")


def auctions(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """Note and bond auctions (TIPS and FRN as their own tenors; bills left out) as judged by
    the auction signal with the thresholds in force (``signals.auctions.auction_table``).

    ``tail_bp`` = high minus median yield, bp (a proxy; NaN for an FRN, which has no yield);
    ``dealer_share`` = primary-dealer
    awards, percent of competitive awards; ``weak`` = the signal's weak flag; ``persistent`` =
    the tenor was flagged for repeated weakness at that auction.
    """
    cols = ["auction_date", "tenor", "tenor_rank", "tail_bp", "dealer_share", "bid_to_cover",
            "weak", "persistent", "verdict"]
    table = auction_table(ctx)
    if not len(table):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    t = table[table["security_type"].isin(["Note", "Bond"])]
    # Auctions without a tail proxy (FRNs have no yield) stay in: the chart draws them apart,
    # and the signal's "latest auction" is then always one the chart shows.
    t = t[(t["day"] >= pd.Timestamp(start)) & (t["day"] <= pd.Timestamp(end))]
    out = pd.DataFrame({
        "auction_date": t["day"],
        "tenor": t["tenor"].astype(str),
        "tenor_rank": t["tenor"].map(tenor_rank),
        "tail_bp": t["tail_bp"].round(1),
        "dealer_share": t["dealer_share_pct"].round(1),
        "bid_to_cover": t["bid_to_cover_ratio"],
        "weak": t["weak"].astype(bool),
        "persistent": t["flagged"].astype(bool),
    })
    out["verdict"] = np.where(out["persistent"] & out["weak"], "weak, repeated in this tenor",
                              np.where(out["weak"], "weak", "not weak"))
    return out.sort_values("auction_date").reset_index(drop=True)[cols]


def fails(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """Weekly primary-dealer Treasury fails (to deliver + to receive), USD billions, as the
    fails signal measures them (``measure`` says which series), for the weeks *published* by
    the briefing date (the week ending W is public on the following Thursday).

    Columns ``date`` (the week's Wednesday), ``fails_bn``, ``avg4_bn``, ``measure``.
    """
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "fails_bn": pd.Series(dtype=float),
            "avg4_bn": pd.Series(dtype=float), "measure": pd.Series(dtype=object)}
    wide, measure = weekly_fails(ctx)
    if not len(wide):
        return pd.DataFrame(cols)
    total = wide["total"].dropna()
    avg4 = total.rolling(4, min_periods=2).mean()
    total = _cut(total, start, end)
    if not len(total):
        return pd.DataFrame(cols)
    return pd.DataFrame({"date": total.index, "fails_bn": total.round(2).to_numpy(),
                         "avg4_bn": avg4.reindex(total.index).round(2).to_numpy(),
                         "measure": measure})


def yield_volatility(ds: Dataset, vol_days: int, start: date, end: date) -> pd.DataFrame:
    """Realised volatility of daily changes in the 2-, 10- and 30-year yields, bp: the
    Treasury-volatility signal's own measure over its ``vol_days`` in force."""
    measured = treasury_volatility.realised(ds, vol_days)
    labels = {"2y": "2-year", "10y": "10-year", "30y": "30-year"}
    return _long({label: _cut(measured[f"vol_{tenor}_bp"].round(2), start, end)
                  for tenor, label in labels.items() if f"vol_{tenor}_bp" in measured},
                 "vol_bp")


def curve(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """10y-3m and 10y-2y spreads, bp, as the yield-curve signal reads them."""
    out = {}
    for tag, label in (("10y3m", "10y - 3m"), ("10y2y", "10y - 2y")):
        s, _ = yield_curve.spread(ds, tag)
        out[label] = _cut(s.round(1), start, end)
    return _long(out, "spread_bp")


# -- the pipe's capacity: dealer balance sheets, repo segments, collateral ---------------------
#: The dealer chart's series (the total and its buckets), in legend order.
DEALER_SERIES = {"total": "Total", "bills": "Bills", "coupons": "Coupons", "tips": "TIPS",
                 "frn": "FRN"}


def dealer_positions(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """Dealers' net Treasury positions per week, USD bn, as the dealer-positions signal reads
    them (``signals.dealer_positions.weekly_positions``), for the weeks *published* by the
    briefing date (the Wednesday W is public on W + 8): columns ``date`` (the Wednesday),
    ``total_bn``, ``bills_bn``, ``coupons_bn``, ``tips_bn``, ``frn_bn`` (NaN where the NY Fed
    withheld a key) and ``series_break`` (never compare across two)."""
    cols = {"date": pd.Series(dtype="datetime64[ns]"),
            **{f"{k}_bn": pd.Series(dtype=float) for k in DEALER_SERIES},
            "series_break": pd.Series(dtype=object)}
    w = weekly_positions(ctx)
    if not len(w):
        return pd.DataFrame(cols)
    w = w.loc[pd.Timestamp(start): pd.Timestamp(end)]
    w = w[w[list(DEALER_SERIES)].notna().any(axis=1)]
    if not len(w):
        return pd.DataFrame(cols)
    out = pd.DataFrame({"date": w.index,
                        **{f"{k}_bn": w[k].astype(float).round(3).to_numpy()
                           for k in DEALER_SERIES},
                        "series_break": w["series_break"].astype(str).to_numpy()})
    return out.reset_index(drop=True)


def dealer_breaks(positions: pd.DataFrame) -> pd.DataFrame:
    """The first week of each series break after the first one shown: ``date``, ``label``."""
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "label": pd.Series(dtype=object)}
    if not len(positions):
        return pd.DataFrame(cols)
    brk = positions["series_break"]
    starts = positions[brk != brk.shift(1)].iloc[1:]
    if not len(starts):
        return pd.DataFrame(cols)
    return pd.DataFrame({"date": starts["date"].to_numpy(),
                         "label": [f"series break {b}" for b in starts["series_break"]]})


def weak_auctions(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """The coupon auctions (notes, bonds, TIPS, FRN) the auction signal judged weak with the
    thresholds in force, to mark on the dealer chart: ``date``, ``tenor``, ``dealer_share``
    (percent of competitive accepted), ``verdict``."""
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "tenor": pd.Series(dtype=object),
            "dealer_share": pd.Series(dtype=float), "verdict": pd.Series(dtype=object)}
    table = auction_table(ctx)
    if not len(table):
        return pd.DataFrame(cols)
    weak = table[table["weak"].astype(bool) & (table["day"] >= pd.Timestamp(start))
                 & (table["day"] <= pd.Timestamp(end))]
    if not len(weak):
        return pd.DataFrame(cols)
    return pd.DataFrame({"date": weak["day"].to_numpy(),
                         "tenor": weak["tenor"].astype(str).to_numpy(),
                         "dealer_share": weak["dealer_share_pct"].astype(float).round(1).to_numpy(),
                         "verdict": np.where(weak["flagged"].astype(bool),
                                             "weak, repeated in this tenor", "weak")})


def repo_segments(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """The DVP repo rate over tri-party (and GCF over the same reference where stored), bp, on
    the OFR's observation dates, as the repo-segments signal reads them
    (``signals.repo_segments.segment_spreads``): columns ``date``, ``dvp_bp``, ``gcf_bp``,
    ``reference`` (OFR tri-party, TGCR or SOFR) and ``vintage`` (of the DVP rate)."""
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "dvp_bp": pd.Series(dtype=float),
            "gcf_bp": pd.Series(dtype=float), "reference": pd.Series(dtype=object),
            "vintage": pd.Series(dtype=object)}
    spreads = segment_spreads(ds).loc[pd.Timestamp(start): pd.Timestamp(end)]
    if not len(spreads):
        return pd.DataFrame(cols)
    return pd.DataFrame({"date": spreads.index,
                         "dvp_bp": spreads["spread_bp"].astype(float).round(2).to_numpy(),
                         "gcf_bp": spreads["gcf_minus_ref_bp"].astype(float).round(2).to_numpy(),
                         "reference": spreads["reference"].astype(str).to_numpy(),
                         "vintage": spreads["vintage"].astype(str).to_numpy()})


def securities_lending(ctx: Context, start: date, end: date) -> pd.DataFrame:
    """SOMA securities lending (par lent per operation day, USD bn) beside weekly Treasury
    fails (USD bn, the fails signal's own measure, on the Wednesday a week ends), one row per
    date: ``date``, ``lending_bn``, ``top_share_pct``, ``fails_bn``. Empty without lending
    results, whatever the fails: the chart is lending against fails, not fails alone."""
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "lending_bn": pd.Series(dtype=float),
            "top_share_pct": pd.Series(dtype=float), "fails_bn": pd.Series(dtype=float)}
    lending = daily_lending(ctx)
    lending = lending.loc[pd.Timestamp(start): pd.Timestamp(end)]
    lending = lending[lending["volume_bn"].notna()]
    if not len(lending):
        return pd.DataFrame(cols)
    weekly = fails(ctx, lending.index.min().date(), end)
    frame = pd.DataFrame({"lending_bn": lending["volume_bn"].astype(float).round(3),
                          "top_share_pct": lending["top_share_pct"].astype(float).round(1)})
    if len(weekly):
        frame = frame.join(weekly.set_index("date")[["fails_bn"]], how="outer")
    else:
        frame["fails_bn"] = np.nan
    return frame.rename_axis("date").reset_index()


# -- reservoir vs pipe ----------------------------------------------------------------------
def composite_weekly(dashboard: Dashboard, start: date, end: date) -> pd.Series:
    """The plumbing stress index (0-100) averaged over each H.4.1 week (Thursday to Wednesday),
    from the dashboard's own frames, on the days enough pipe signals were live to publish it
    whatever it read. A week still running on ``end`` is labelled ``end``, not its coming
    Wednesday, so nothing is dated after the briefing."""
    daily = dashboard.composite_values(start, end)
    frame = dashboard.frames.get("composite")
    ctx = dashboard.context
    if daily is not None and frame is not None and ctx is not None:
        # Only days with enough live pipe signals: with too few the index is published only
        # on stress, so averaging those days would draw a history of stress alone.
        covered = frame["v:live_core"].reindex(daily.index) >= ctx.th.composite_min_live
        published = frame["status"].reindex(daily.index) != "unavailable"
        daily = daily.where(covered & published)
    if daily is None or not len(daily.dropna()):
        return pd.Series(dtype=float, name="composite")
    # Weeks without a published index stay in as NaN, so the chart breaks the line there
    # instead of drawing a straight segment across months without data.
    weekly = daily.dropna().resample("W-WED").mean().round(1)
    weekly.index = weekly.index.where(weekly.index <= pd.Timestamp(end), pd.Timestamp(end))
    return weekly.rename("composite")


def stock_flow(reservoir: rsv.Reservoir, dashboard: Dashboard, start: date,
               end: date) -> pd.DataFrame:
    """Reserves (weekly, USD bn) beside the weekly-average stress index, on one date column."""
    reserves = _cut(reservoir.series["reserves"], start, end)
    comp = composite_weekly(dashboard, start, end)
    if not (len(reserves) and len(comp)):
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             "reserves_bn": pd.Series(dtype=float),
                             "composite": pd.Series(dtype=float)})
    return (pd.DataFrame({"reserves_bn": reserves})
            .join(pd.DataFrame({"composite": comp}), how="outer")
            .rename_axis("date").reset_index())


# -- the purchase pace ------------------------------------------------------------------------
#: The pace chart's series, in legend order ($bn a month).
PACE_SERIES = {
    "pace_bn_month": "Purchases, read per Desk month",
    "announced_bn_month": "Announced by the Desk",
    "reserve_management_bn_month": "Purchases, 4-week rate",
    "mbs_reinvestment_bn_month": "MBS principal reinvested",
}


def pace_frames(pace: PurchasePace | None, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reserve-management purchase pace per H.4.1 week since the purchases began (and
    eight weeks before), $bn a month: the pace read per Desk-schedule month, the announced pace,
    the 4-week rate of purchases and the MBS reinvestment (long form: ``date``, ``series``,
    ``bn_month``); and the steps (``date``, ``detected``, ``from_bn_month``, ``to_bn_month``,
    ``label``). Both empty outside a bill-purchase window."""
    steps_cols = {"date": pd.Series(dtype="datetime64[ns]"),
                  "detected": pd.Series(dtype="datetime64[ns]"),
                  "from_bn_month": pd.Series(dtype=float), "to_bn_month": pd.Series(dtype=float),
                  "label": pd.Series(dtype=object)}
    if pace is None or pace.history.empty:
        return _long({}, "bn_month"), pd.DataFrame(steps_cols)
    h = pace.history.set_index(pd.DatetimeIndex(pace.history["date"])).copy()
    start = pace.window_start - timedelta(weeks=8)
    # Before the purchases began, "purchases" (bill growth less the reinvestment) would show
    # the reinvestment's own start-up as negative buying: leave them out until the window.
    h.loc[h.index < pd.Timestamp(pace.window_start), "reserve_management_bn_month"] = np.nan
    columns = {label: _cut(h[col].astype(float).round(2), start, as_of)
               for col, label in PACE_SERIES.items() if col in h}
    steps = pd.DataFrame([{
        "date": pd.Timestamp(st.date), "detected": pd.Timestamp(st.detected),
        "from_bn_month": st.from_bn_month, "to_bn_month": round(st.to_bn_month, 1),
        "label": (f"start ${round(st.to_bn_month / 5) * 5:.0f}bn" if st.from_bn_month is None
                  else f"${round(st.from_bn_month / 5) * 5:.0f}bn to "
                       f"${max(round(st.to_bn_month / 5) * 5, 0):.0f}bn"),
    } for st in pace.steps if st.date <= as_of])
    return _long(columns, "bn_month"), steps if len(steps) else pd.DataFrame(steps_cols)


@dataclass(frozen=True)
class ChartFrames:
    """Every chart's data for one briefing, cut at its date (see the functions above)."""

    holdings: pd.DataFrame
    phase_periods: pd.DataFrame
    decisions: pd.DataFrame
    reservoir_levels: pd.DataFrame
    reservoir_buffers: pd.DataFrame
    repo_spread: pd.DataFrame
    reference_name: str
    windows: pd.DataFrame
    srf: pd.DataFrame
    auctions: pd.DataFrame
    fails: pd.DataFrame
    volatility: pd.DataFrame
    vol_days: int
    curve: pd.DataFrame
    stock_flow: pd.DataFrame
    pace: pd.DataFrame
    pace_steps: pd.DataFrame
    dealer_positions: pd.DataFrame
    dealer_breaks: pd.DataFrame
    dealer_auctions: pd.DataFrame
    repo_segments: pd.DataFrame
    securities_lending: pd.DataFrame


def chart_frames(ds: Dataset, as_of: date, history: pd.DataFrame | None,
                 reservoir: rsv.Reservoir, dashboard: Dashboard,
                 pace: PurchasePace | None = None) -> ChartFrames:
    """All the chart frames of the briefing of ``as_of`` (``ds`` already cut at ``as_of``)."""
    pace_long, steps = pace_frames(pace, as_of)
    weekly_start = window_start(as_of, BALANCE_YEARS)
    daily_start = window_start(as_of, DAILY_YEARS)
    ctx = dashboard.context
    assert ctx is not None, "the dashboard carries the context its signals were computed in"
    spread, ref_name = repo_spread(ds, daily_start, as_of)
    positions = dealer_positions(ctx, weekly_start, as_of)
    return ChartFrames(
        holdings=holdings(ds, weekly_start, as_of),
        phase_periods=phase_periods(history, weekly_start, as_of),
        decisions=fomc_decisions(weekly_start, as_of),
        reservoir_levels=reservoir_levels(reservoir, weekly_start, as_of),
        reservoir_buffers=reservoir_buffers(reservoir, weekly_start, as_of),
        repo_spread=spread, reference_name=ref_name,
        windows=calendar_windows(daily_start, as_of),
        srf=srf(ds, daily_start, as_of),
        auctions=auctions(ctx, window_start(as_of, AUCTION_YEARS), as_of),
        fails=fails(ctx, weekly_start, as_of),
        volatility=yield_volatility(ds, ctx.th.vol_days, daily_start, as_of),
        vol_days=ctx.th.vol_days,
        curve=curve(ds, daily_start, as_of),
        stock_flow=stock_flow(reservoir, dashboard, daily_start, as_of),
        pace=pace_long, pace_steps=steps,
        dealer_positions=positions, dealer_breaks=dealer_breaks(positions),
        dealer_auctions=weak_auctions(ctx, weekly_start, as_of),
        repo_segments=repo_segments(ds, daily_start, as_of),
        securities_lending=securities_lending(ctx, daily_start, as_of),
    )
