"""The three-phase assessment of Fed balance-sheet policy (DOMAIN.md section 1).

Every H.4.1 week is classified from the *composition* of the Fed's securities holdings, never
from total assets (repo lending, the 2023 bank-term facility and swap lines grow ``WALCL``
without being QE):

=====  ============================  =========================================================
phase  label                          what the holdings show
=====  ============================  =========================================================
0      runoff (QT)                    securities holdings shrink (Treasuries and/or MBS)
1      drain stopped / reinvesting    holdings roughly flat; bills or coupons replace MBS runoff
2      active bill purchases          holdings grow, driven by bills; coupons flat
3      QE                             holdings grow, driven by coupons and/or MBS
=====  ============================  =========================================================

Inputs, all converted with ``Dataset.billions``: Treasuries ``TREAST``, MBS ``WSHOMCB``, bills
``WSHOBL`` where published, else the NY Fed SOMA bills ``SOMA_BILLS`` snapped to the H.4.1
Wednesday; coupons = Treasuries - bills (notes, bonds, TIPS and FRNs). ``WALCL`` is context only.
NY Fed outright operations (table ``outright_operations``) are used when stored.

Flows are expressed as a pace in $bn per 4 weeks. Treasuries move smoothly, so they are
measured over 4 weeks; MBS move in monthly paydown and settlement lumps, so their pace is the
13-week change scaled to 4 weeks. Holdings pace = Treasuries (4 weeks) + MBS pace; "duration"
pace = coupons (4 weeks) + MBS pace. Each week's candidate phase comes from these paces with
entry thresholds (exit thresholds for the phase in force: hysteresis), and the classification
switches only after ``confirm_weeks`` consecutive weeks of a new candidate. Everything is
causal: a week's row uses data up to that week only, and ``as_of`` cuts the data at what was
public (``Dataset.visible``). Thresholds: ``PhaseThresholds`` in ``thresholds.py``.

Example
-------
>>> hist = classify_history(ds, date(2026, 1, 30))
>>> hist[["date", "phase", "label", "confidence"]].tail(1)
>>> a = assess(ds, date(2026, 1, 30)); print(a.phase, a.since, a.triggers[0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.fomc import (
    AnnouncedPace,
    AnnouncedRegime,
    FomcDecision,
    NextDecision,
    announced_at,
    announced_pace_at,
    announced_phase_history,
    effective_at,
    load_fomc_decisions,
    next_decision,
)
from reportgen.analysis.pace import PurchasePace, purchase_pace, weekly_substates
from reportgen.analysis.thresholds import DEFAULT, PhaseThresholds
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError
from reportgen.formatting import day

__all__ = [
    "PHASE_LABELS", "Evidence", "PhaseAssessment", "AnnouncedRegime", "FomcDecision",
    "classify_history", "assess", "load_fomc_decisions", "announced_phase_history",
    "backtest", "BacktestResult",
]

PHASE_LABELS: dict[int, str] = {
    0: "runoff (QT)",
    1: "drain stopped / reinvesting",
    2: "active bill purchases",
    3: "QE",
}

_COUPON_CLASSES = ("coupon", "tips", "frn")

EVIDENCE_COLUMNS = [
    "bills_chg_4w", "bills_chg_13w", "coupons_chg_4w", "coupons_chg_13w",
    "mbs_chg_4w", "mbs_chg_13w", "treasury_chg_4w", "treasury_chg_13w",
    "total_chg_4w", "total_chg_13w", "walcl_chg_4w", "walcl_chg_13w",
    "mbs_pace", "holdings_pace", "duration_pace",
    "bills_bn", "coupons_bn", "mbs_bn", "total_bn", "walcl_bn",
]
OPS_COLUMNS = ["ops_bills_4w", "ops_coupons_4w", "ops_mbs_4w"]


# -- result types ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """One input of the assessment: its changes, level and the threshold it is compared to."""

    name: str
    label: str
    change_4w_bn: float | None
    change_13w_bn: float | None
    level_bn: float | None
    threshold_bn: float | None
    comparison: str
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: _json_value(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class PhaseAssessment:
    """The phase of Fed balance-sheet policy on ``as_of``, with evidence and triggers."""

    as_of: date
    week: date
    phase: int
    label: str
    substate: str | None
    confidence: str
    confidence_score: float
    confidence_reason: str
    since: date
    evidence: list[Evidence]
    triggers: list[str]
    announced: AnnouncedRegime | None
    agreement: str
    agreement_note: str | None
    history: pd.DataFrame = field(repr=False, compare=False)
    # The reserve-management pace (None outside a bill-purchase regime) and the next points
    # at which the path can change (FOMC meeting, Desk schedule).
    pace: PurchasePace | None = None
    next_decision: NextDecision | None = None
    # The pace the calendar states in force on ``as_of`` (also before purchases show).
    announced_pace: AnnouncedPace | None = None

    @property
    def headline(self) -> str:
        """One line: "Phase 2 (active bill purchases), purchases at about $10bn a month, down
        from $25bn on 13 May 2026, since 24 Dec 2025"."""
        sub = f", {self.substate}" if self.substate else ""
        return f"Phase {self.phase} ({self.label}){sub}, since {day(self.since)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates ISO); the history is left out (see ``phases``)."""
        return {
            "as_of": self.as_of.isoformat(), "week": self.week.isoformat(),
            "phase": self.phase, "label": self.label, "substate": self.substate,
            "headline": self.headline,
            "confidence": self.confidence, "confidence_score": round(self.confidence_score, 3),
            "confidence_reason": self.confidence_reason, "since": self.since.isoformat(),
            "evidence": [e.to_dict() for e in self.evidence],
            "triggers": list(self.triggers),
            "announced": self.announced.to_dict() if self.announced else None,
            "agreement": self.agreement, "agreement_note": self.agreement_note,
            "pace": self.pace.to_dict() if self.pace else None,
            "next_decision": self.next_decision.to_dict() if self.next_decision else None,
            "announced_pace": (self.announced_pace.to_dict() if self.announced_pace
                               else None),
        }


def _json_value(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if not np.isfinite(v) else round(float(v), 3)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, date):
        return v.isoformat()
    return v


# -- the weekly panel --------------------------------------------------------------------------
def _snap_to_wednesday(s: pd.Series) -> pd.Series:
    """Move each date to the nearest Wednesday (SOMA as-of dates fall on the eve of holidays).

    A genuine Wednesday observation wins over a snapped neighbour for the same week.
    """
    s = s.dropna()
    if s.empty:
        return s
    idx = pd.DatetimeIndex(s.index)
    offset = ((2 - idx.day_of_week + 3) % 7) - 3  # -3..+3 days to the nearest Wednesday
    snapped = idx + pd.to_timedelta(offset, unit="D")
    frame = pd.DataFrame({"v": s.to_numpy(), "exact": offset == 0}, index=snapped)
    frame = frame.sort_values("exact", kind="stable")
    return frame[~frame.index.duplicated(keep="last")]["v"].sort_index()


def _change(x: pd.Series, h: int) -> pd.Series:
    """Change over exactly ``h`` weeks (NaN where either end is missing)."""
    return x - x.shift(h)


def _pace(x: pd.Series, h: int, min_h: int, per: int) -> pd.Series:
    """Pace per ``per`` weeks measured over ``h`` weeks; where that is missing (early rows,
    gaps) over the longest available horizon >= ``min_h`` (so a 2024-only sample has an MBS
    pace after ``min_h`` weeks)."""
    v = x.to_numpy(dtype="float64")
    out = np.full(len(v), np.nan)
    for k in range(h, min_h - 1, -1):
        if k >= len(v):
            continue
        d = np.full(len(v), np.nan)
        d[k:] = (v[k:] - v[:-k]) * per / k
        gap = np.isnan(out)
        out[gap] = d[gap]
    return pd.Series(out, index=x.index)


def _ops_weekly(ds: Dataset, grid: pd.DatetimeIndex) -> pd.DataFrame | None:
    """Net outright purchases (+) / sales (-) by class over the 4 weeks ending each Wednesday."""
    ops = ds.table("outright_operations")
    if ops.empty:
        return None
    d = pd.to_datetime(ops["operation_date"].astype(str).str[:10], errors="coerce")
    to_bn = catalog.table_billions_factor("outright_operations")
    amount = pd.to_numeric(ops["total_par_accepted"], errors="coerce").fillna(0.0) * to_bn
    sign = np.where(ops["operation_direction"].astype(str).str.upper().str.startswith("S"),
                    -1.0, 1.0)
    klass = ops["security_class"].astype(str).str.lower()
    frame = pd.DataFrame({"date": d, "amt": amount * sign, "klass": klass}).dropna(subset=["date"])
    if frame.empty:
        return None
    first = frame["date"].min()
    out = pd.DataFrame(index=grid)
    day_index = pd.date_range(min(first, grid[0] - pd.Timedelta(days=28)), grid[-1], freq="D")
    for col, classes in (("ops_bills_4w", ("bill",)), ("ops_coupons_4w", _COUPON_CLASSES),
                         ("ops_mbs_4w", ("mbs",))):
        daily = (frame[frame["klass"].isin(classes)].groupby("date")["amt"].sum()
                 .reindex(day_index, fill_value=0.0))
        out[col] = daily.rolling(28, min_periods=1).sum().reindex(grid).to_numpy()
    # Weeks before the table starts are unknown, not zero; so are weeks well after its last
    # operation (a store whose operations stop is a gap in the data, not a pause in buying).
    out.loc[out.index < first + pd.Timedelta(days=27)] = np.nan
    out.loc[out.index > frame["date"].max() + pd.Timedelta(days=14)] = np.nan
    return out


def _panel(ds: Dataset, t: PhaseThresholds) -> pd.DataFrame:
    """Weekly levels ($bn) on a regular Wednesday grid plus which weeks had an H.4.1 release."""
    treast = _snap_to_wednesday(ds.billions("TREAST"))
    mbs = _snap_to_wednesday(ds.billions("WSHOMCB"))
    if treast.empty and mbs.empty:
        raise DataUnavailableError(
            "the phase assessment needs the H.4.1 holdings TREAST and WSHOMCB, and the store "
            "holds neither for this date; run `reportgen fetch` or `reportgen data import DIR`")
    core_dates = treast.index.union(mbs.index)
    grid = pd.date_range(core_dates.min(), core_dates.max(), freq="W-WED")
    exact_bills = _snap_to_wednesday(ds.billions("WSHOBL"))
    soma_bills = _snap_to_wednesday(ds.billions("SOMA_BILLS"))
    bills = exact_bills.combine_first(soma_bills) if not exact_bills.empty else soma_bills
    lim = t.fill_limit_weeks
    panel = pd.DataFrame(index=grid)
    panel.index.name = "date"
    raw = {"treasury": treast, "mbs": mbs, "bills": bills,
           "walcl": _snap_to_wednesday(ds.billions("WALCL"))}
    filled = pd.Series(False, index=grid)
    for name, s in raw.items():
        s = s[~s.index.duplicated(keep="last")].reindex(grid)
        if name == "bills":
            # Never carry bills forward: with Treasuries moving, a stale bill level would
            # book bill purchases as coupon purchases. A missing week leaves the split unknown.
            panel[name] = s
            continue
        # Bridge short gaps inside a series, never past its last observation.
        bridged = s.ffill(limit=lim, limit_area="inside")
        if name in ("treasury", "mbs"):
            filled |= s.isna() & bridged.notna()
        panel[name] = bridged
    panel["filled"] = filled
    panel["released"] = grid.isin(core_dates)
    return panel


# -- classification ----------------------------------------------------------------------------
def _candidate(state: int, hold: float, dur: float, bills4: float, tsy4: float, tsy13: float,
               tsy_add: float, ops_dur: float, ops_bills: float,
               t: PhaseThresholds) -> int | None:
    """The phase this week's flows point to, with exit thresholds for the phase in force."""
    if not np.isfinite(hold):
        return None
    q_dur = t.qe_duration_exit_bn if state == 3 else t.qe_duration_entry_bn
    q_tot = t.qe_total_exit_bn if state == 3 else t.qe_total_entry_bn
    r_bills = t.rmp_bills_exit_bn if state == 2 else t.rmp_bills_entry_bn
    r_tot = t.rmp_total_exit_bn if state == 2 else t.rmp_total_entry_bn
    split = np.isfinite(dur) and np.isfinite(bills4)
    if split and hold >= q_tot and dur >= q_dur:
        return 3
    if np.isfinite(ops_dur) and ops_dur >= t.ops_qe_bn and hold >= 0:
        return 3
    if split and bills4 >= r_bills and hold >= r_tot:
        return 2
    if np.isfinite(ops_bills) and ops_bills >= t.ops_bills_bn and hold >= r_tot:
        return 2
    if not split and hold >= q_tot:
        # Growing, but the bill/coupon split is unknown: keep a purchase phase already in force.
        return state if state in (2, 3) else 2
    if np.isfinite(tsy_add) and tsy_add >= t.runoff_veto_min_weeks:
        # Treasuries were added in at least two recent weeks: purchases or reinvestment, not
        # runoff (a single one-week blip inside QT does not count).
        return 1
    if state == 0:
        # Runoff continues while holdings shrink, or Treasuries are still being redeemed.
        if hold <= t.runoff_total_exit_bn or (
                np.isfinite(tsy13) and np.isfinite(tsy4)
                and tsy13 <= t.runoff_treasury_exit_bn and tsy4 < 0):
            return 0
    elif state == 3 and not (np.isfinite(tsy4) and np.isfinite(tsy13) and tsy4 < 0
                             and tsy13 < 0):
        # Leaving QE, shrinking holdings are MBS settlements fading or paydowns while
        # Treasuries are still rolled over: the end of purchases (phase 1), not runoff.
        return 1
    elif hold <= t.runoff_total_entry_bn or (
            np.isfinite(tsy4) and np.isfinite(tsy13)
            and tsy4 <= t.runoff_treasury_entry_bn and tsy13 <= t.runoff_treasury_entry_bn):
        return 0
    return 1


def _strength(phase: int, hold: float, dur: float, bills4: float, tsy13: float,
              t: PhaseThresholds) -> float:
    """How far the flows are inside the phase's region, 0 (on the boundary) to 1 (clear)."""
    def ratio(x: float, thr: float) -> float:
        return float(x / thr) if np.isfinite(x) and thr else 0.0

    if phase == 3:
        s = min(ratio(hold, t.qe_total_entry_bn), ratio(dur, t.qe_duration_entry_bn))
    elif phase == 2:
        s = min(ratio(hold, t.rmp_total_entry_bn), ratio(bills4, t.rmp_bills_entry_bn))
        if np.isfinite(dur) and dur >= t.qe_duration_entry_bn:
            s = 0.0  # coupons or MBS growing at a QE pace: not clearly bill purchases
    elif phase == 0:
        s = max(ratio(hold, t.runoff_total_entry_bn), ratio(tsy13, t.runoff_treasury_entry_bn))
    else:
        # Distance from the nearest boundary, relative to that boundary.
        up = 1 - ratio(hold, t.rmp_total_entry_bn)
        down = 1 - ratio(hold, t.runoff_total_entry_bn)
        return float(np.clip(min(up, down), 0.0, 1.0))
    return float(np.clip((s - 0.5) / 1.5, 0.0, 1.0))


def _substate(phase: int, row: dict[str, float], prev_total13: float,
              t: PhaseThresholds) -> str | None:
    r = t.substate_ratio
    total13, bills13, coup13, mbs13 = (row["total_chg_13w"], row["bills_chg_13w"],
                                       row["coupons_chg_13w"], row["mbs_chg_13w"])
    if phase == 0:
        if np.isfinite(total13) and np.isfinite(prev_total13) and prev_total13 < 0 and total13 < 0:
            q = total13 / prev_total13
            return ("runoff slowing" if q < r else "runoff accelerating" if q > 1 / r
                    else "runoff steady")
        return None
    if phase == 1:
        if not np.isfinite(mbs13):
            return None
        if mbs13 < -5:
            # Name the bucket that is actually growing now (the 4-week changes; the 13-week
            # ones can still carry the runoff that just ended): in 2019 MBS principal went
            # into Treasuries across maturities, from 2025 into bills.
            b = row.get("bills_chg_4w", np.nan)
            c = row.get("coupons_chg_4w", np.nan)
            b = b if np.isfinite(b) else bills13
            c = c if np.isfinite(c) else coup13
            bills_up, coupons_up = np.isfinite(b) and b > 2, np.isfinite(c) and c > 2
            if bills_up and coupons_up:
                return ("bills and coupons replacing MBS runoff" if min(b, c) > max(b, c) / 3
                        else "bills replacing MBS runoff" if b > c
                        else "coupons replacing MBS runoff")
            if bills_up or coupons_up:
                return "bills replacing MBS runoff" if bills_up else "coupons replacing MBS runoff"
        if np.isfinite(coup13) and np.isfinite(bills13) and coup13 > 5 and bills13 < -5:
            return "maturity extension (coupons up, bills down)"
        if np.isfinite(total13) and total13 * 4 / 13 > 2:
            return "holdings drifting up"
        return "holdings flat"
    if phase == 2:
        b4, b13 = row["bills_chg_4w"], bills13
        if np.isfinite(b4) and np.isfinite(b13) and b13 > 0:
            q = b4 / (b13 * 4 / 13)
            return ("tapering toward 1" if q < r else "accelerating" if q > 1 / r
                    else "steady purchases")
        return None
    if np.isfinite(total13) and np.isfinite(prev_total13) and prev_total13 > 0:
        q = total13 / prev_total13
        return "tapering" if q < r else "accelerating" if q > 1 / r else "steady purchases"
    return None


def _confidence_label(score: float, t: PhaseThresholds) -> str:
    if score >= t.confidence_high:
        return "high"
    return "medium" if score >= t.confidence_medium else "low"


@dataclass(frozen=True)
class _WeekInputs:
    """The weekly measures the classification reads, as arrays aligned on the H.4.1 grid
    ($bn; paces per 4 weeks). ``*_exit`` are the holdings and duration paces used while QE is
    in force (the faster MBS pace may end it sooner); ``*_13`` the 13-week reading that
    confirms the 4-week one; ``ops_*`` the outright operations by trade date (NaN without)."""

    hold: np.ndarray
    dur: np.ndarray
    hold_exit: np.ndarray
    dur_exit: np.ndarray
    bills4: np.ndarray
    tsy4: np.ndarray
    tsy13: np.ndarray
    tsy_add: np.ndarray
    ops_dur: np.ndarray
    ops_bills: np.ndarray
    hold13: np.ndarray
    dur13: np.ndarray
    bills13: np.ndarray
    tsy13_pace: np.ndarray
    filled: np.ndarray
    released: np.ndarray

    def __len__(self) -> int:
        return len(self.hold)


@dataclass(frozen=True)
class _WeekStates:
    """The outcome of the weekly state machine: the phase in force (-1 before the first
    reading), this week's raw candidate (-1 without inputs), the row where the phase in force
    began, and the first row with a reading."""

    phases: np.ndarray
    candidates: np.ndarray
    since_idx: np.ndarray
    first_valid: int


def _measures(vis: Dataset, t: PhaseThresholds) -> tuple[pd.DataFrame, _WeekInputs, bool]:
    """The weekly panel with its changes, paces and levels (the evidence columns), and the
    arrays the classification reads; the flag says whether outright operations are stored."""
    p = _panel(vis, t)
    sw, lw = t.short_weeks, t.long_weeks
    p["coupons"] = p["treasury"] - p["bills"]
    p["total"] = p["treasury"] + p["mbs"]
    for name in ("bills", "coupons", "mbs", "treasury", "total", "walcl"):
        # Named after the default horizons; they follow short_weeks / long_weeks.
        p[f"{name}_chg_4w"] = _change(p[name], sw)
        p[f"{name}_chg_13w"] = _change(p[name], lw)
    p["mbs_pace"] = _pace(p["mbs"], t.mbs_weeks, sw, sw)
    p["holdings_pace"] = p["treasury_chg_4w"] + p["mbs_pace"]
    p["duration_pace"] = p["coupons_chg_4w"] + p["mbs_pace"]
    for name in ("bills", "coupons", "mbs", "total", "walcl"):
        p[f"{name}_bn"] = p[name]
    ops = _ops_weekly(vis, pd.DatetimeIndex(p.index))
    if ops is not None:
        for col in OPS_COLUMNS:
            p[col] = ops[col]

    # Leaving QE: the shorter MBS pace may end it sooner (settlements fade within two months).
    mbs_pace = p["mbs_pace"].to_numpy()
    slower = np.minimum(_pace(p["mbs"], t.qe_exit_mbs_weeks, sw, sw).to_numpy(), mbs_pace)
    tsy4, coup4 = p["treasury_chg_4w"].to_numpy(), p["coupons_chg_4w"].to_numpy()
    hold, dur = p["holdings_pace"].to_numpy(), p["duration_pace"].to_numpy()
    # Treasuries added in a week beyond the runoff tolerance, counted over recent weeks.
    added = (p["treasury"].diff() > t.runoff_max_weekly_add_bn).astype(float)
    nan = np.full(len(p), np.nan)
    inputs = _WeekInputs(
        hold=hold, dur=dur,
        hold_exit=np.where(np.isfinite(slower), tsy4 + slower, hold),
        dur_exit=np.where(np.isfinite(slower), coup4 + slower, dur),
        bills4=p["bills_chg_4w"].to_numpy(), tsy4=tsy4,
        tsy13=p["treasury_chg_13w"].to_numpy(),
        tsy_add=added.rolling(t.runoff_veto_weeks, min_periods=1).sum().to_numpy(),
        ops_dur=(p["ops_coupons_4w"] + p["ops_mbs_4w"]).to_numpy() if ops is not None else nan,
        ops_bills=p["ops_bills_4w"].to_numpy() if ops is not None else nan,
        # 13-week paces for the long reading (shorter horizons early in a short sample).
        hold13=_pace(p["total"], lw, sw, sw).to_numpy(),
        dur13=(_pace(p["coupons"], lw, sw, sw) + _pace(p["mbs"], lw, sw, sw)).to_numpy(),
        bills13=_pace(p["bills"], lw, sw, sw).to_numpy(),
        tsy13_pace=_pace(p["treasury"], lw, sw, sw).to_numpy(),
        filled=p["filled"].to_numpy(), released=p["released"].to_numpy())
    return p, inputs, ops is not None


def _classify_weeks(x: _WeekInputs, t: PhaseThresholds) -> _WeekStates:
    """Run the weekly state machine: each week's candidate (exit thresholds for the phase in
    force), switching only after ``confirm_weeks`` consecutive weeks of a new candidate."""
    n = len(x)
    phases = np.full(n, -1, dtype=int)
    cands = np.full(n, -1, dtype=int)
    since_idx = np.zeros(n, dtype=int)
    state, state_start, first_valid = -1, 0, 0
    streak_phase, streak_len, streak_start = -1, 0, 0
    for i in range(n):
        h_i, d_i = (x.hold_exit[i], x.dur_exit[i]) if state == 3 else (x.hold[i], x.dur[i])
        c = _candidate(max(state, 1) if state < 0 else state, h_i, d_i, x.bills4[i], x.tsy4[i],
                       x.tsy13[i], x.tsy_add[i], x.ops_dur[i], x.ops_bills[i], t)
        cands[i] = -1 if c is None else c
        if c is not None:
            if state < 0:
                state, state_start, first_valid = c, i, i
            elif c == state:
                streak_phase, streak_len = -1, 0
            else:
                if c == streak_phase:
                    streak_len += 1
                else:
                    streak_phase, streak_len, streak_start = c, 1, i
                if streak_len >= t.confirm_weeks:
                    state, state_start = c, streak_start
                    streak_phase, streak_len = -1, 0
        phases[i] = state
        since_idx[i] = state_start
    return _WeekStates(phases, cands, since_idx, first_valid)


def _week_confidence(i: int, x: _WeekInputs, s: _WeekStates, announced: float,
                     t: PhaseThresholds) -> tuple[float, str]:
    """Week ``i``'s confidence score (0-1) and its reasons: the margin inside the phase, the
    agreement of the 4- and 13-week readings, how long the phase has lasted, the data, and the
    announced regime (a disagreement is never "high", whatever the flows say)."""
    state, c = int(s.phases[i]), int(s.candidates[i])
    seen = c >= 0
    sw, lw = t.short_weeks, t.long_weeks
    margin = _strength(state, x.hold[i], x.dur[i], x.bills4[i], x.tsy13[i], t)
    long_c = _candidate(state, x.hold13[i], x.dur13[i], x.bills13[i], x.tsy13_pace[i],
                        x.tsy13_pace[i] * lw / sw, x.tsy_add[i], np.nan, np.nan, t)
    agree = 1.0 if long_c == state else 0.0
    weeks_in = i - int(s.since_idx[i]) + 1
    persist = min(1.0, weeks_in / 8)
    split = np.isfinite(x.dur[i]) and np.isfinite(x.bills4[i])
    warm = i - s.first_valid < lw  # 13-week measures still use shorter horizons
    data_q = 1.0 if (seen and split and not x.filled[i] and not warm) else 0.4
    score = 0.35 * margin + 0.25 * agree + 0.2 * persist + 0.2 * data_q
    parts = [f"flows {'clearly inside' if margin >= 0.5 else 'near the edge of'} phase "
             f"{state}" if seen else "inputs missing this week"]
    parts.append("4- and 13-week readings agree" if agree else
                 f"13-week reading says phase {long_c}" if long_c is not None
                 else "no 13-week reading")
    parts.append(f"{weeks_in} week{'s' if weeks_in != 1 else ''} in phase")
    if warm:
        parts.append(f"short history ({i - s.first_valid + 1} weeks)")
    if not split:
        parts.append("bill/coupon split unavailable")
    if x.filled[i]:
        parts.append("a missing week was carried forward")
    if seen and c != state:
        score -= 0.15
        parts.append(f"this week points to phase {c}")
    if np.isfinite(announced):
        if int(announced) == state:
            score += 0.1
            parts.append("matches the announced regime")
        else:
            score = min(score - 0.25, t.confidence_high - 0.01)
            parts.append(f"announced regime is phase {int(announced)}")
    return float(np.clip(score, 0.0, 1.0)), "; ".join(parts)


def _substates(out: pd.DataFrame, phases: np.ndarray, t: PhaseThresholds) -> list[str | None]:
    """Each week's sub-state. Phase 2 is named from the purchase pace (per Desk-schedule
    month, with steps), not from noisy 4-week bill changes: bills also carry the MBS
    reinvestment."""
    prev_total13 = out["total_chg_13w"].shift(t.long_weeks).to_numpy()
    rows = out[["total_chg_13w", "bills_chg_4w", "bills_chg_13w", "coupons_chg_4w",
                "coupons_chg_13w", "mbs_chg_13w"]].to_dict("records")
    paced = weekly_substates(out.assign(phase=phases), t)
    announced = out["announced_phase"].astype("float64")
    # Runoff announced over (a runoff regime within the last half year, another one now) while
    # the holdings still read runoff: not "runoff slowing".
    was_runoff = (announced == 0).astype(float).rolling(26, min_periods=1).max() > 0
    ended = (was_runoff & announced.notna() & (announced != 0)).to_numpy()
    return [None if ph < 0 else
            paced.iloc[i] if ph == 2 and paced.iloc[i] is not None else
            RUNOFF_OVER if ph == 0 and ended[i] else
            _substate(int(ph), r, prev_total13[i], t)
            for i, (ph, r) in enumerate(zip(phases, rows, strict=True))]


#: The phase-0 sub-state once the announced regime has ended runoff.
RUNOFF_OVER = "runoff ended as announced, not yet in the holdings"


def classify_history(ds: Dataset, as_of: date,
                     thresholds: PhaseThresholds | None = None) -> pd.DataFrame:
    """Classify every H.4.1 week up to ``as_of`` into phase 0-3, using only data public then.

    Parameters
    ----------
    ds : Dataset
        Any dataset; it is cut with ``ds.visible(as_of)`` first. Needs ``TREAST`` and
        ``WSHOMCB``; bills (``WSHOBL`` or ``SOMA_BILLS``) give the bill/coupon split and
        ``outright_operations``, when stored, the purchases by class.
    as_of : date
        The analysis date. Rows run to the last H.4.1 week public on ``as_of``.
    thresholds : PhaseThresholds, optional
        Defaults to ``thresholds.DEFAULT.phase``.

    Returns
    -------
    pd.DataFrame
        One row per H.4.1 Wednesday (weeks without any release are left out; the first few
        weeks of the data, before a 4-week change exists, too). Columns: ``date``
        (datetime64), ``phase`` (int), ``label``, ``confidence`` ("high"|"medium"|"low"),
        ``confidence_score`` (0-1), ``substate`` (str or None), ``since`` (first week of the
        phase in force), ``candidate`` (this week's raw reading), ``announced_phase``
        (nullable int), then evidence in $bn: ``bills_chg_4w``, ``bills_chg_13w``,
        ``coupons_chg_4w/13w``, ``mbs_chg_4w/13w``, ``treasury_chg_4w/13w``,
        ``total_chg_4w/13w`` (Treasuries + MBS), ``walcl_chg_4w/13w`` (context only), the paces
        ``mbs_pace``, ``holdings_pace``, ``duration_pace`` ($bn per 4 weeks), levels, and
        ``ops_*_4w`` when operations are stored. Missing inputs are NaN; a week whose inputs
        are missing keeps the previous phase with low confidence.

    Raises
    ------
    DataUnavailableError
        When neither ``TREAST`` nor ``WSHOMCB`` is visible on ``as_of``.

    Example
    -------
    >>> h = classify_history(ds, date(2020, 6, 30))
    >>> h.set_index("date").loc["2020-03-25", "phase"]
    3
    """
    t = thresholds or DEFAULT.phase
    p, inputs, has_ops = _measures(ds.visible(as_of), t)
    states = _classify_weeks(inputs, t)
    announced = announced_phase_history(pd.DatetimeIndex(p.index))
    ann = announced.to_numpy(dtype="float64", na_value=np.nan)
    scores, reasons = np.zeros(len(p)), [""] * len(p)
    for i in np.flatnonzero(states.phases >= 0):
        scores[i], reasons[i] = _week_confidence(int(i), inputs, states, ann[i], t)

    out = p.reset_index()
    out["phase"] = states.phases
    out["candidate"] = pd.array([c if c >= 0 else pd.NA for c in states.candidates],
                                dtype="Int64")
    out["since"] = out["date"].to_numpy()[states.since_idx]
    out["confidence_score"] = scores.round(3)
    out["confidence"] = [_confidence_label(s, t) for s in scores]
    out["confidence_reason"] = reasons
    out["announced_phase"] = pd.array(announced.to_numpy(), dtype="Int64")
    out["substate"] = _substates(out, states.phases, t)
    out["label"] = [PHASE_LABELS.get(int(ph), "") for ph in states.phases]
    cols = ["date", "phase", "label", "confidence", "confidence_score", "substate", "since",
            "candidate", "announced_phase", *EVIDENCE_COLUMNS,
            *(OPS_COLUMNS if has_ops else []), "confidence_reason"]
    result = out.loc[(states.phases >= 0) & inputs.released, cols].reset_index(drop=True)
    result["phase"] = result["phase"].astype(int)
    return result


# -- the assessment ----------------------------------------------------------------------------
def _fmt(x: float | None, signed: bool = True) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:+,.1f}" if signed else f"{x:,.1f}"


def _f(row: pd.Series, col: str) -> float | None:
    if col not in row.index:
        return None
    v = row[col]
    return None if v is None or pd.isna(v) else float(v)


def _evidence(row: pd.Series, t: PhaseThresholds) -> list[Evidence]:
    ev = [
        Evidence("holdings", "Securities held (Treasuries + MBS)",
                 _f(row, "total_chg_4w"), _f(row, "total_chg_13w"), _f(row, "total_bn"),
                 t.qe_total_entry_bn,
                 f"pace {_fmt(_f(row, 'holdings_pace'))} $bn/4w: above "
                 f"{t.rmp_total_entry_bn:g} phase 2-3, below {t.runoff_total_entry_bn:g} phase 0",
                 "pace = Treasuries over 4 weeks + MBS 13-week change scaled to 4 weeks"),
        Evidence("bills", "Treasury bills", _f(row, "bills_chg_4w"), _f(row, "bills_chg_13w"),
                 _f(row, "bills_bn"), t.rmp_bills_entry_bn,
                 f"4-week change > {t.rmp_bills_entry_bn:g} with holdings growing: phase 2",
                 "WSHOBL where published, else NY Fed SOMA bills"),
        Evidence("coupons", "Notes and bonds (incl. TIPS, FRN)", _f(row, "coupons_chg_4w"),
                 _f(row, "coupons_chg_13w"), _f(row, "coupons_bn"), t.qe_duration_entry_bn,
                 f"coupons 4w + MBS pace = {_fmt(_f(row, 'duration_pace'))} $bn/4w; above "
                 f"{t.qe_duration_entry_bn:g}: phase 3", "Treasuries minus bills"),
        Evidence("mbs", "Agency MBS", _f(row, "mbs_chg_4w"), _f(row, "mbs_chg_13w"),
                 _f(row, "mbs_bn"), t.qe_duration_entry_bn,
                 f"pace {_fmt(_f(row, 'mbs_pace'))} $bn/4w (13-week change x 4/13)",
                 "monthly paydown and settlement lumps: only the 13-week change is used"),
        Evidence("treasury", "Treasury securities", _f(row, "treasury_chg_4w"),
                 _f(row, "treasury_chg_13w"), None, t.runoff_treasury_entry_bn,
                 f"down more than {abs(t.runoff_treasury_entry_bn):g} over 4 and 13 weeks: "
                 "runoff (phase 0)", None),
        Evidence("walcl", "Total assets (context)", _f(row, "walcl_chg_4w"),
                 _f(row, "walcl_chg_13w"), _f(row, "walcl_bn"), None, "not used for the phase",
                 "lending (repo, bank-term facility, swap lines) moves total assets without QE"),
    ]
    if "ops_bills_4w" in row.index:
        ops_dur = (_f(row, "ops_coupons_4w") or 0.0) + (_f(row, "ops_mbs_4w") or 0.0)
        ev.append(Evidence("ops_bills", "Outright bill purchases, net (NY Fed)",
                           _f(row, "ops_bills_4w"), None, None, t.ops_bills_bn,
                           f"4-week net > {t.ops_bills_bn:g}: supports phase 2", None))
        ev.append(Evidence("ops_duration", "Outright coupon + MBS purchases, net (NY Fed)",
                           ops_dur if _f(row, "ops_bills_4w") is not None else None, None, None,
                           t.ops_qe_bn, f"4-week net > {t.ops_qe_bn:g}: phase 3", None))
    return ev


def _triggers(phase: int, row: pd.Series, t: PhaseThresholds) -> list[str]:
    k = t.long_weeks / t.short_weeks
    hold = _fmt(_f(row, "holdings_pace"))
    qe = (f"phase 3 if coupon or MBS purchases appear: coupons (4-week) + MBS pace above "
          f"{t.qe_duration_entry_bn:g} $bn per 4 weeks with holdings growing faster than "
          f"{t.qe_total_entry_bn:g} (about {t.qe_total_entry_bn * k:.0f} over 13 weeks) for "
          f"{t.confirm_weeks} weeks; now {_fmt(_f(row, 'duration_pace'))}")
    rmp = (f"phase 2 if bills rise by more than {t.rmp_bills_entry_bn:g} $bn over 4 weeks while "
           f"holdings grow faster than {t.rmp_total_entry_bn:g} $bn per 4 weeks (about "
           f"{t.rmp_total_entry_bn * k:.0f} over 13 weeks) for {t.confirm_weeks} weeks; now bills "
           f"{_fmt(_f(row, 'bills_chg_4w'))}, holdings {hold}")
    runoff = (f"phase 0 if holdings shrink faster than {abs(t.runoff_total_entry_bn):g} $bn per "
              f"4 weeks, or Treasuries fall by more than {abs(t.runoff_treasury_entry_bn):g} over "
              f"both 4 and 13 weeks, for {t.confirm_weeks} weeks; now holdings {hold}")
    if phase == 0:
        return [
            f"phase 1 when runoff stops: holdings pace above {t.runoff_total_exit_bn:g} $bn per "
            f"4 weeks and Treasuries no longer falling over 13 weeks (now "
            f"{_fmt(_f(row, 'treasury_chg_13w'))}) for {t.confirm_weeks} weeks; now holdings "
            f"{hold}", rmp, qe]
    if phase == 1:
        return [rmp, qe, runoff]
    if phase == 2:
        return [
            qe,
            f"phase 1 (taper complete) when bills grow by less than {t.rmp_bills_exit_bn:g} $bn "
            f"per 4 weeks or holdings by less than {t.rmp_total_exit_bn:g} for "
            f"{t.confirm_weeks} weeks; now bills {_fmt(_f(row, 'bills_chg_4w'))}, holdings {hold}",
            runoff]
    return [
        f"phase 1 (purchases over) when coupons + MBS pace drops below {t.qe_duration_exit_bn:g} "
        f"$bn per 4 weeks or holdings pace below {t.qe_total_exit_bn:g} for {t.confirm_weeks} "
        f"weeks; now {_fmt(_f(row, 'duration_pace'))} and {hold}",
        f"phase 2 if growth continues only through bills (bills up more than "
        f"{t.rmp_bills_entry_bn:g} $bn over 4 weeks, coupons + MBS pace below "
        f"{t.qe_duration_exit_bn:g} $bn per 4 weeks)"]


def _agreement(hist: pd.DataFrame, as_of: date, week: date,
               phase: int) -> tuple[AnnouncedRegime | None, str, str | None]:
    announced = announced_at(as_of)
    in_force = effective_at(week)
    if announced is None or in_force is None:
        return announced, "no announcement", None
    notes: list[str] = []
    status = "no announcement"
    if in_force.phase is not None:
        eff = pd.Timestamp(in_force.effective_date)
        after = hist[hist["date"] >= eff]
        # The confirming week: first week from which the observed phase stays the announced one.
        confirm = None
        if len(after) and int(after["phase"].iloc[-1]) == in_force.phase:
            differs = after[after["phase"] != in_force.phase]
            tail = after[after["date"] > differs["date"].iloc[-1]] if len(differs) else after
            confirm = tail["date"].iloc[0].date()
        what = (f"announced phase {in_force.phase} ({in_force.regime}) on "
                f"{day(in_force.decision_date)}, effective {day(in_force.effective_date)}")
        if phase == in_force.phase:
            status = "agrees"
            notes.append(f"{what}; holdings confirm from {day(confirm)}" if confirm else what)
        else:
            status = "disagrees"
            notes.append(f"{what}; holdings still show phase {phase}")
    else:
        notes.append(f"{in_force.regime} since {day(in_force.decision_date)}: no announced "
                     "balance-sheet regime")
    if announced.is_pending(week) and announced.phase is not None:
        notes.append(f"pending: phase {announced.phase} ({announced.regime}) announced on "
                     f"{day(announced.date)}, effective {day(announced.effective)}")
    return announced, status, "; ".join(notes)


def assess(ds: Dataset, as_of: date, thresholds: PhaseThresholds | None = None) -> PhaseAssessment:
    """The phase of Fed balance-sheet policy on ``as_of``: evidence, confidence and triggers.

    Parameters
    ----------
    ds : Dataset
        Any dataset (cut with ``ds.visible(as_of)``); see :func:`classify_history`.
    as_of : date
        The analysis date; the assessment describes the last H.4.1 week public then.
    thresholds : PhaseThresholds, optional
        Defaults to ``thresholds.DEFAULT.phase``.

    Returns
    -------
    PhaseAssessment
        Phase, label, sub-state, confidence (with reason), the week the phase began, the
        evidence table ($bn changes over 4 and 13 weeks against their thresholds), the
        triggers for the next phase, the announced regime and whether it agrees.

    Raises
    ------
    DataUnavailableError
        When no H.4.1 holdings are public on ``as_of``.

    Example
    -------
    >>> a = assess(ds, date(2026, 8, 21))
    >>> a.headline
    'Phase 2 (active bill purchases), tapering toward 1, since 2026-01-07'
    """
    t = thresholds or DEFAULT.phase
    hist = classify_history(ds, as_of, t)
    if hist.empty:
        raise DataUnavailableError(
            f"not enough H.4.1 weeks public on {as_of.isoformat()} to classify a phase (at "
            f"least {t.short_weeks + 1} are needed); pick a later --as-of or load more history")
    row = hist.iloc[-1]
    week = row["date"].date()
    phase = int(row["phase"])
    announced, agreement, note = _agreement(hist, as_of, week, phase)
    pace = purchase_pace(hist, as_of, t, ops=ds.visible(as_of).table("outright_operations"))
    return PhaseAssessment(
        as_of=as_of, week=week, phase=phase, label=str(row["label"]),
        substate=None if pd.isna(row["substate"]) else str(row["substate"]),
        confidence=str(row["confidence"]),
        confidence_score=float(row["confidence_score"]),
        confidence_reason=str(row["confidence_reason"]),
        since=pd.Timestamp(row["since"]).date(), evidence=_evidence(row, t),
        triggers=_triggers(phase, row, t), announced=announced, agreement=agreement,
        agreement_note=note, history=hist, pace=pace, next_decision=next_decision(as_of),
        announced_pace=announced_pace_at(as_of),
    )


# -- backtest against the announced regimes ------------------------------------------------------
@dataclass(frozen=True)
class BacktestResult:
    """Observed vs announced phase over a history."""

    weeks: int  # weeks with an announced phase, outside the grace windows
    agree: int
    grace_weeks: int
    lags: pd.DataFrame  # one row per announced change: date, from, to, detected, lag_weeks
    misses: pd.DataFrame  # disagreeing weeks outside the grace windows

    @property
    def agreement(self) -> float:
        return self.agree / self.weeks if self.weeks else float("nan")


def backtest(history: pd.DataFrame, grace_weeks: int = 4) -> BacktestResult:
    """Compare a :func:`classify_history` frame with the announced regimes.

    Weeks within ``grace_weeks`` after an announced change, and weeks without an announced
    phase, are left out of the agreement rate. The detection lag of a change is the number of
    weeks from its effective date to the first week the classification shows the new phase.

    Example
    -------
    >>> r = backtest(classify_history(ds, date(2026, 9, 1)), grace_weeks=4)
    >>> round(r.agreement, 3)
    """
    h = history.set_index("date")
    weeks = pd.DatetimeIndex(h.index)
    ann = announced_phase_history(weeks)
    decisions = [d for d in load_fomc_decisions()
                 if weeks[0] <= pd.Timestamp(d.effective_date) <= weeks[-1]]
    changes = []
    prev_phase: int | None = None
    first = effective_at(weeks[0].date())
    prev_phase = first.phase if first else None
    for d in decisions:
        if d.phase != prev_phase:
            changes.append(d)
        prev_phase = d.phase
    in_grace = np.zeros(len(weeks), dtype=bool)
    lag_rows = []
    for d in changes:
        eff = pd.Timestamp(d.effective_date)
        in_grace |= (weeks >= eff) & (weeks < eff + pd.Timedelta(weeks=grace_weeks))
        if d.phase is None:
            continue
        nxt = [c for c in changes if c.effective_date > d.effective_date]
        end = pd.Timestamp(nxt[0].effective_date) if nxt else weeks[-1] + pd.Timedelta(days=1)
        seg = h[(weeks >= eff) & (weeks < end)]
        hit = seg[seg["phase"] == d.phase]
        detected = hit.index[0] if len(hit) else None
        lag_rows.append({
            "effective": eff.date(), "regime": d.regime, "phase": d.phase,
            "detected": detected.date() if detected is not None else None,
            "lag_weeks": int(np.ceil((detected - eff).days / 7)) if detected is not None else None,
        })
    valid = ann.notna().to_numpy() & ~in_grace
    observed = h["phase"].to_numpy()
    ann_vals = ann.to_numpy(dtype="float64", na_value=np.nan)
    agree = valid & (observed == ann_vals)
    misses = h[valid & ~agree][["phase"]].assign(announced=ann_vals[valid & ~agree].astype(int))
    return BacktestResult(int(valid.sum()), int(agree.sum()), grace_weeks,
                          pd.DataFrame(lag_rows), misses.reset_index())

