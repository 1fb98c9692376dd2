"""The frames the charts draw, cut from a ``Dataset`` (USD billions, basis points, Timestamps).

This is the only place that knows which series feed which chart. Every function returns an
empty frame (with its columns) when the data is missing, so the caller can say "unavailable"
rather than crash. Values are read through ``Dataset.billions`` (never converted by hand).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from reportgen.analysis.calendar import business_days, calendar_frame
from reportgen.analysis.signals.auctions import auction_table
from reportgen.analysis.signals.base import Context
from reportgen.analysis.signals.fails import weekly_fails
from reportgen.analysis.thresholds import SignalThresholds
from reportgen.dataset import Dataset

# Calendar windows worth shading on daily charts: the ones that move repo rates. Coupon
# settlements and refunding weeks are left out of the shading (they would cover half the chart)
# but still count in the signals' calendar explanations.
SHADED_WINDOWS = ("quarter-end", "year-end", "tax date", "month-end")

COUPON_LABEL = "Notes, bonds and other coupons"


def _cut(s: pd.Series, start: date, end: date) -> pd.Series:
    return s.loc[pd.Timestamp(start): pd.Timestamp(end)].dropna()


def _long(columns: dict[str, pd.Series], value: str, label: str = "series") -> pd.DataFrame:
    parts = [pd.DataFrame({"date": s.index, label: name, value: s.to_numpy(dtype=float)})
             for name, s in columns.items() if len(s)]
    if not parts:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             label: pd.Series(dtype=object), value: pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


def holdings(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Weekly holdings by type, USD billions: bills, other Treasuries (TREAST - bills), MBS.

    Bills come from H.4.1 ``WSHOBL`` and, where it stops, from the NY Fed SOMA summary
    (``SOMA_BILLS``; the same holdings). "Other coupons" is TREAST minus bills so that the stack
    always adds up to the Treasury total even where the notes-and-bonds series is missing.
    Columns ``date``, ``component``, ``value_bn``, ``source``.
    """
    bills = ds.billions("WSHOBL").dropna()
    soma = ds.billions("SOMA_BILLS").dropna()
    if len(soma):
        bills = bills.combine_first(soma.loc[soma.index > (bills.index.max() if len(bills)
                                                           else pd.Timestamp.min)])
    treasuries = ds.billions("TREAST").dropna()
    mbs = ds.billions("WSHOMCB").dropna()
    if not (len(bills) and len(treasuries)):
        return _long({}, "value_bn", "component").assign(source=pd.Series(dtype=object))
    # Weekly dates of the Treasury total; bills aligned to the same Wednesdays.
    weeks = treasuries.index
    bills_w = bills.reindex(weeks)
    coupons = treasuries - bills_w
    frame = _long({
        "Bills": _cut(bills_w, start, end),
        COUPON_LABEL: _cut(coupons, start, end),
        "MBS": _cut(mbs.reindex(weeks), start, end),
    }, "value_bn", "component")
    frame["source"] = "H.4.1"
    return frame


def reservoir_levels(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Reserves and net liquidity (WALCL - TGA - ON RRP), weekly Wednesdays, USD billions."""
    return _long({"Net liquidity": _cut(net_liquidity(ds), start, end),
                  "Reserves": _cut(ds.billions("WRESBAL"), start, end)}, "value_bn")


def tga(ds: Dataset) -> pd.Series:
    """The Treasury General Account, USD billions: Wednesday level, else the week average."""
    s = ds.billions("WDTGAL").dropna()
    return s if len(s) else ds.billions("WTREGEN").dropna()


def net_liquidity(ds: Dataset) -> pd.Series:
    """Fed total assets - TGA - ON RRP on H.4.1 Wednesdays, USD billions.

    ON RRP is daily: the Wednesday value is used (the last published value on or before it).
    Missing where any of the three is unavailable.
    """
    walcl = ds.billions("WALCL").dropna()
    t = tga(ds)
    rrp = ds.billions("RRPONTSYD").dropna()
    if not (len(walcl) and len(t) and len(rrp)):
        return pd.Series(dtype=float)
    rrp_w = rrp.reindex(walcl.index.union(rrp.index)).ffill(limit=5).reindex(walcl.index)
    rrp_w[walcl.index < rrp.index.min()] = np.nan
    return (walcl - t.reindex(walcl.index) - rrp_w).dropna()


def reservoir_buffers(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """TGA (weekly) and ON RRP usage (daily), USD billions."""
    return _long({"TGA": _cut(tga(ds), start, end),
                  "ON RRP": _cut(ds.billions("RRPONTSYD"), start, end)}, "value_bn")


def reference_rate(ds: Dataset) -> tuple[pd.Series, str]:
    """IORB (IOER before 2021-07-29; EFFR where neither exists) and its name."""
    iorb = ds.series("IORB").dropna()
    ioer = ds.series("IOER").dropna()
    ref = iorb.combine_first(ioer) if len(ioer) else iorb
    if len(ref):
        return ref, "IORB" if len(iorb) else "IOER"
    return ds.series("EFFR").dropna(), "EFFR"


def repo_spread(ds: Dataset, start: date, end: date) -> tuple[pd.DataFrame, str]:
    """SOFR and its percentiles minus the reference rate, bp, on SOFR business days."""
    sofr = _cut(ds.series("SOFR"), start, end)
    ref, name = reference_rate(ds)
    cols = ["date", "sofr_bp", "p1_bp", "p25_bp", "p75_bp", "p99_bp"]
    if not (len(sofr) and len(ref)):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}), name
    ref_d = ref.reindex(ref.index.union(sofr.index)).ffill().reindex(sofr.index)
    frame = pd.DataFrame({"date": sofr.index, "sofr_bp": ((sofr - ref_d) * 100).round(1)})
    for pct in ("1", "25", "75", "99"):
        p = ds.series(f"SOFR{pct}").reindex(sofr.index)
        frame[f"p{pct}_bp"] = ((p - ref_d) * 100).round(1).to_numpy()
    return frame.dropna(subset=["sofr_bp"]).reset_index(drop=True), name


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
    """Standing Repo Facility take-up per day, USD billions.

    From the stored repo operations (small-value exercises excluded) where present, else the
    daily series ``SRF_ACCEPTED``. Columns ``date``, ``accepted_bn``.
    """
    ops = ds.table("repo_operations")
    if len(ops):
        ops = ops[(ops["operation_type"] == "repo") & (ops["small_value"].astype(int) == 0)]
        daily = (ops.assign(date=pd.to_datetime(ops["operation_date"]))
                 .groupby("date")["total_accepted"].sum() / 1e9)
    else:
        daily = ds.billions("SRF_ACCEPTED")
    daily = _cut(daily, start, end)
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


def _signal_context(ds: Dataset, start: date, end: date) -> Context:
    return Context(ds, business_days(start, end), SignalThresholds())


def auctions(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Note and bond auctions (TIPS and FRN as their own tenors; bills left out) as judged by
    the auction signal (``signals.auctions.auction_table``).

    ``tail_bp`` = high minus median yield, bp (a proxy: the when-issued yield that defines the
    market's tail is not public); ``dealer_share`` = primary-dealer awards, percent of
    competitive awards; ``weak`` = the signal's weak flag; ``persistent`` = the tenor was
    flagged for repeated weakness at that auction. Empty frame when no auctions are stored.
    """
    cols = ["auction_date", "tenor", "tenor_rank", "tail_bp", "dealer_share", "bid_to_cover",
            "weak", "persistent", "verdict"]
    table = auction_table(_signal_context(ds, start, end))
    if not len(table):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    t = table[table["security_type"].isin(["Note", "Bond"])]
    t = t[(t["day"] >= pd.Timestamp(start)) & (t["day"] <= pd.Timestamp(end))]
    t = t[t["tail_bp"].notna()]
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


def fails(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """Weekly primary-dealer Treasury fails (to deliver + to receive), USD billions, as the
    fails signal measures them (``signals.fails.weekly_fails``: the aggregate keys when
    stored, else the narrower sum of per-tenor keys; ``measure`` says which).

    Columns ``date``, ``fails_bn``, ``avg4_bn``, ``measure``.
    """
    cols = {"date": pd.Series(dtype="datetime64[ns]"), "fails_bn": pd.Series(dtype=float),
            "avg4_bn": pd.Series(dtype=float), "measure": pd.Series(dtype=object)}
    wide, measure = weekly_fails(_signal_context(ds, start, end))
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


def yield_volatility(
    ds: Dataset, start: date, end: date, window: int | None = None
) -> pd.DataFrame:
    """Realised volatility of daily changes in the 2-, 10- and 30-year yields, bp.

    The same measure as the ``treasury_volatility`` signal: the standard deviation of daily
    changes over ``window`` observations (default: the signal's ``vol_days``).
    """
    from reportgen.analysis.thresholds import DEFAULT

    window = window or DEFAULT.signals.vol_days
    out = {}
    for sid, label in (("DGS2", "2-year"), ("DGS10", "10-year"), ("DGS30", "30-year")):
        s = ds.series(sid).dropna()
        if len(s) > window:
            vol = (s.diff() * 100).rolling(window, min_periods=max(5, window // 2)).std()
            out[label] = _cut(vol.round(2), start, end)
    return _long(out, "vol_bp")


def curve(ds: Dataset, start: date, end: date) -> pd.DataFrame:
    """10y-3m and 10y-2y spreads, bp: FRED's spread series, else differences of the yields."""
    out = {}
    for spread_id, long_id, short_id, label in (("T10Y3M", "DGS10", "DGS3MO", "10y - 3m"),
                                                ("T10Y2Y", "DGS10", "DGS2", "10y - 2y")):
        s = ds.series(spread_id).dropna()
        derived = (ds.series(long_id) - ds.series(short_id)).dropna()
        # Prefer FRED's spread; fill the days it does not cover from the yields themselves.
        s = s.combine_first(derived) if len(s) else derived
        out[label] = _cut((s * 100).round(1), start, end)
    return _long(out, "spread_bp")


def window_start(as_of: date, years: float) -> date:
    return as_of - timedelta(days=round(365.25 * years))
