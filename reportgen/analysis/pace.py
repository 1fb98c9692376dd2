"""The purchase pace: how fast the Fed buys bills, split into its two flows, in $bn a month.

Since 1 December 2025 all agency MBS principal is reinvested in Treasury bills, and since
12 December 2025 the Desk also buys bills to keep reserves ample (reserve-management purchases,
RMPs). Nobody sells MBS: bill growth = MBS reinvestment + RMPs. So the RMP pace is bill growth
minus the MBS paydown, not bill growth (which carries about $15bn a month of reinvestment).

Per H.4.1 week (all $bn per month, a month = 52/12 weeks):

- ``mbs_reinvestment_bn_month``: the MBS paydown over ``pace_reinvest_weeks`` (13) weeks,
  scaled to a month, while the regime in force reinvests it in bills (else 0). MBS pay down in
  monthly lumps, so only a long window gives a steady figure;
- ``reserve_management_bn_month``: bill growth over 4 weeks, scaled, minus the reinvestment;
- ``coupon_bn_month``: notes and bonds (Treasuries minus bills) over 4 weeks, scaled; includes
  the TIPS inflation accrual, so a few $bn a month shows without any coupon purchase;
- ``announced_bn_month``: the pace the calendar states (``fomc.announced_pace_at``).

The 4-week rates are for drawing. The *pace* is read the way the Desk runs it: the Desk sets
the reserve-management amount in a monthly schedule published about the ninth business day, so
the reading is the amount bought per schedule period (bill growth minus the reinvestment over
the period: $bn per schedule month, the unit of the Desk's announcements). Each week the current
period's amount so far is projected to the whole period; a new pace (a step) is accepted when,
``pace_confirm_weeks`` into the period, the projection is ``pace_min_step_bn`` or more off the
level (the mean of the completed periods since the last step) two weeks running, or the whole
period is. A step the rest of its period does not bear out is withdrawn. The step is dated at
the schedule date that began the period, the detection at the confirming H.4.1 week; every
reading uses data up to its week only. Weekly and 4-week bill changes are lumpy (front-loaded
purchases, holiday and tax-date pauses, paydown timing): they never name the pace.

Where NY Fed outright operations are stored, the same estimator runs on bill purchases by
*trade* date (cumulative accepted par up to each Wednesday, minus the same reinvestment), which
leads the H.4.1's settlement-date holdings by a day or two; its steps are reported separately
(``PurchasePace.ops_steps``) and its rate is a history column (``ops_reserve_management_bn_month``).

Example
-------
>>> hist = classify_history(ds, date(2026, 8, 21))
>>> p = purchase_pace(hist, date(2026, 8, 21), ops=ds.table("outright_operations"))
>>> p.sentence
'purchases at about $10bn a month, down from $25bn on 13 May 2026'
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.fomc import (
    AnnouncedPace,
    announced_pace_at,
    announced_pace_history,
    announced_phase_history,
    desk_schedule_dates,
    mbs_into_bills_history,
    stated_paces,
)
from reportgen.analysis.thresholds import DEFAULT, PhaseThresholds
from reportgen.formatting import day

__all__ = ["PaceStep", "PurchasePace", "pace_history", "purchase_pace", "detect_steps",
           "pace_sentence", "weekly_substates", "HISTORY_COLUMNS", "WEEKS_PER_MONTH"]

WEEKS_PER_MONTH = 52 / 12
HISTORY_COLUMNS = ["date", "bills_bn_month", "mbs_reinvestment_bn_month",
                   "reserve_management_bn_month", "coupon_bn_month", "announced_bn_month",
                   "pace_bn_month", "in_window"]


@dataclass(frozen=True)
class PaceStep:
    """A new pace: dated at the Desk schedule that began it, detected from a later week."""

    # ``_dt.date``: the field ``date`` would shadow the type inside the class body.
    date: _dt.date  # the Desk schedule date that began the period of the new pace
    detected: _dt.date  # the H.4.1 week whose data first confirmed it
    from_bn_month: float | None  # None: purchases (of this regime) began here
    to_bn_month: float
    source: str  # "H.4.1" | "outright operations"
    announced: bool = False  # a decision of the calendar stated a new pace at that schedule

    @property
    def lag_weeks(self) -> int:
        return (self.detected - self.date).days // 7

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "detected": self.detected.isoformat(),
                "from_bn_month": _round(self.from_bn_month),
                "to_bn_month": _round(self.to_bn_month),
                "source": self.source, "lag_weeks": self.lag_weeks,
                "announced": self.announced}


@dataclass(frozen=True)
class PurchasePace:
    """The reserve-management purchase pace on a date, observed and announced."""

    as_of: date
    week: date  # last H.4.1 week used
    window_start: date  # first week of the bill-purchase regime the pace is measured in
    current_bn_month: float  # slope of the current segment, $bn a month
    since: date  # knot of the latest step (or the window start)
    previous_bn_month: float | None  # pace before the latest step (None: no step yet)
    mbs_reinvestment_bn_month: float | None  # latest reinvestment reading
    announced: AnnouncedPace | None  # the calendar's stated pace, with its grade
    steps: tuple[PaceStep, ...]  # H.4.1 steps, oldest first (the first is the start)
    ops_steps: tuple[PaceStep, ...] = ()  # steps from outright operations by trade date
    history: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    @property
    def rounded_bn_month(self) -> int:
        """The pace rounded to $5bn, as the sentence says it ("about $10bn")."""
        return _to5(self.current_bn_month)

    @property
    def sentence(self) -> str:
        """E.g. "purchases at about $10bn a month, down from $25bn on 13 May 2026"."""
        return pace_sentence(self.current_bn_month, self.since, self.previous_bn_month)

    @property
    def announced_sentence(self) -> str | None:
        """E.g. "announced about $10bn a month (Desk schedule of 13 May 2026, reported)"."""
        a = self.announced
        if a is None:
            return None
        what = "Desk schedule" if a.kind == "desk schedule" else "FOMC decision"
        return (f"announced about ${a.pace_bn_month:g}bn a month ({what} of {_day(a.decided)}"
                f"{', reported' if a.reported else ''})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "week": self.week.isoformat(),
            "window_start": self.window_start.isoformat(),
            "current_bn_month": _round(self.current_bn_month),
            "rounded_bn_month": self.rounded_bn_month, "since": self.since.isoformat(),
            "previous_bn_month": _round(self.previous_bn_month),
            "mbs_reinvestment_bn_month": _round(self.mbs_reinvestment_bn_month),
            "announced": self.announced.to_dict() if self.announced else None,
            "sentence": self.sentence, "announced_sentence": self.announced_sentence,
            "steps": [s.to_dict() for s in self.steps],
            "ops_steps": [s.to_dict() for s in self.ops_steps],
        }


def pace_sentence(current: float, since: date, previous: float | None) -> str:
    """The sub-state named from the pace: "purchases at about $10bn a month, down from $25bn
    on 13 May 2026" (rounded to $5bn; "since" when there was no earlier pace)."""
    now = _to5(current)
    head = ("purchases near zero, bills growing only with MBS reinvestment" if now <= 0
            else f"purchases at about ${now}bn a month")
    if previous is None or not np.isfinite(previous) or _to5(previous) == now:
        return f"{head} since {_day(since)}"
    before = _to5(previous)
    way = "down" if now < before else "up"
    return f"{head}, {way} from ${before}bn on {_day(since)}"


def weekly_substates(hist: pd.DataFrame,
                     thresholds: PhaseThresholds | None = None) -> pd.Series:
    """The pace sentence each week of every bill-purchase window would have read then
    (``None`` outside the windows and before the first reading), indexed by ``hist`` rows."""
    t = thresholds or DEFAULT.phase
    frame = pace_history(hist, t)
    out: list[str | None] = [None] * len(frame)
    inw = frame["in_window"].to_numpy()
    bills = pd.Series(hist["bills_bn"].to_numpy(), index=pd.DatetimeIndex(hist["date"]))
    stated = _announced(frame)
    i = 0
    while i < len(inw):
        if not inw[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(inw) and inw[j + 1]:
            j += 1
        base = max(i - 1, 0)
        level = _cumulative_rmp(frame.iloc[: j + 1], base, bills)
        _, read = detect_steps(level, t, announced=stated)
        for pos, (_, r) in enumerate(read.iterrows(), start=base):
            if pd.notna(r["pace_bn_month"]) and pd.notna(r["since"]):
                prev = r["previous_bn_month"]
                out[pos] = pace_sentence(float(r["pace_bn_month"]), r["since"].date(),
                                         None if pd.isna(prev) else float(prev))
        i = j + 1
    return pd.Series(out, index=hist.index, dtype="object")


def _round(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 2)


def _to5(x: float) -> int:
    return int(5 * round(x / 5))


def _day(d: date) -> str:
    return day(d)


# -- the weekly split --------------------------------------------------------------------------
def pace_history(hist: pd.DataFrame, thresholds: PhaseThresholds | None = None) -> pd.DataFrame:
    """The weekly split of bill growth, $bn a month, from a ``classify_history`` frame.

    Parameters
    ----------
    hist : pd.DataFrame
        Needs ``date``, ``bills_bn``, ``coupons_bn``, ``mbs_bn`` and ``phase``.

    Returns
    -------
    pd.DataFrame
        ``HISTORY_COLUMNS``: ``date``, ``bills_bn_month`` (bill growth, 4 weeks),
        ``mbs_reinvestment_bn_month``, ``reserve_management_bn_month``, ``coupon_bn_month``,
        ``announced_bn_month`` (NaN where none is stated), ``pace_bn_month`` (NaN here: filled
        by :func:`purchase_pace` in the bill-purchase window) and ``in_window`` (a bill-purchase
        regime, observed or announced). NaN where an input is missing.
    """
    t = thresholds or DEFAULT.phase
    h = hist.set_index(pd.DatetimeIndex(hist["date"]))
    weeks = pd.DatetimeIndex(h.index)
    sw, rw = t.short_weeks, t.pace_reinvest_weeks
    bills_rate = (h["bills_bn"] - h["bills_bn"].shift(sw)) * WEEKS_PER_MONTH / sw
    paydown = -(h["mbs_bn"] - h["mbs_bn"].shift(rw)) * WEEKS_PER_MONTH / rw
    into_bills = mbs_into_bills_history(weeks).to_numpy()
    reinvest = pd.Series(np.where(into_bills, paydown.clip(lower=0.0), 0.0), index=weeks)
    reinvest[paydown.isna() & into_bills] = np.nan
    coupons = (h["coupons_bn"] - h["coupons_bn"].shift(sw)) * WEEKS_PER_MONTH / sw
    announced_phase = announced_phase_history(weeks).to_numpy(dtype="float64", na_value=np.nan)
    out = pd.DataFrame({
        "date": weeks,
        "bills_bn_month": bills_rate.to_numpy(),
        "mbs_reinvestment_bn_month": reinvest.to_numpy(),
        "reserve_management_bn_month": (bills_rate - reinvest).to_numpy(),
        "coupon_bn_month": coupons.to_numpy(),
        "announced_bn_month": announced_pace_history(weeks).to_numpy(),
        "pace_bn_month": np.nan,
        "in_window": (h["phase"].to_numpy() == 2) | (announced_phase == 2),
    })
    return out.reset_index(drop=True)


# -- the step estimator ------------------------------------------------------------------------
def _boundary_weeks(weeks: pd.DatetimeIndex) -> tuple[np.ndarray, list[date]]:
    """For each week, the index of the Desk-schedule period it falls in, and each period's
    schedule date. A period runs from the last Wednesday on or before a schedule date to the
    last Wednesday on or before the next one (the H.4.1 level then still shows the old
    schedule's purchases, all settled by that Wednesday)."""
    dates = desk_schedule_dates(weeks[0].date() - timedelta(days=40),
                                weeks[-1].date() + timedelta(days=40))
    starts = pd.DatetimeIndex([pd.Timestamp(d) for d in dates])
    # The Wednesday on or before each schedule date.
    starts = starts - pd.to_timedelta((starts.day_of_week - 2) % 7, unit="D")
    period = starts.searchsorted(weeks, side="right") - 1
    return period, dates


def detect_steps(level: pd.Series, thresholds: PhaseThresholds | None = None,
                 source: str = "H.4.1",
                 announced: pd.Series | None = None) -> tuple[list[PaceStep], pd.DataFrame]:
    """Causal steps in the purchase pace, read per Desk-schedule month.

    The Desk sets the reserve-management pace in its monthly schedule (about the ninth
    business day), so the amount bought per schedule period is the natural reading. Each week,
    the current period's amount so far is projected to the whole period (its length is known
    from the calendar); a new pace is accepted once ``pace_confirm_weeks`` of the period are in
    and the projection differs by at least ``pace_min_step_bn`` from the level (the mean of the
    completed periods since the last step). A step the rest of its period does not bear out is
    withdrawn. Completed periods whose amounts differ by less than the minimum step are one
    level, so lumpy months (front-loaded purchases, holiday and tax-date pauses, paydown timing)
    never read as a change while the pace is flat.

    A Desk schedule that announces a new pace is a claim the data can confirm sooner: from
    ``pace_announced_confirm_weeks`` into the period, a projection that is off the old level
    and nearer the newly announced pace than the old level makes the step at once (without
    the second week). The step is still the data's: an announcement the purchases do not
    follow makes no step.

    Parameters
    ----------
    level : pd.Series
        Cumulative purchases ($bn) on a weekly (Wednesday) DatetimeIndex, starting at the week
        before the purchases began (the base, 0). NaN weeks are skipped.
    announced : pd.Series, optional
        The pace the calendar states for each week ($bn a month, NaN where none), on the same
        index as ``level``.

    Returns
    -------
    (steps, readings)
        The accepted steps (the first is the start, ``from_bn_month`` None), dated at the
        schedule date that began the period, and a frame of what each week read with data up
        to that week: ``pace_bn_month`` ($bn per schedule month), ``since`` (the latest step's
        date) and ``previous_bn_month`` (NaN before the first change). NaN until the first
        reading (``pace_confirm_weeks`` into the purchases).
    """
    t = thresholds or DEFAULT.phase
    s = level.dropna()
    index = pd.DatetimeIndex(level.index)
    steps: list[PaceStep] = []
    if len(s) < 2:
        return steps, _readings(index, {})
    weeks = pd.DatetimeIndex(s.index)
    y = s.to_numpy(dtype="float64")
    period, dates = _boundary_weeks(weeks)
    sched_weeks = pd.DatetimeIndex([pd.Timestamp(d) for d in dates])
    sched_weeks = sched_weeks - pd.to_timedelta((sched_weeks.day_of_week - 2) % 7, unit="D")
    done: list[float] = []  # completed-period amounts of the current level
    start_i = 0  # index of the current period's first level (the base or a boundary week)
    step_open = False  # a step taken in the current period, not yet borne out by its end
    before: list[float] = []  # the level's periods before an open step (to withdraw it)
    pending = False  # one week off the level: a step if the next week agrees
    read: dict[pd.Timestamp, tuple[float, pd.Timestamp, float]] = {}
    stated = (announced.reindex(weeks).to_numpy(dtype="float64") if announced is not None
              else np.full(len(weeks), np.nan))
    for i in range(1, len(y)):
        p = period[i - 1] if weeks[i] == sched_weeks[min(period[i], len(dates) - 1)] \
            else period[i]
        # Weeks in the whole period, from the calendar (the first may start late: the base).
        first = weeks[start_i]
        end = sched_weeks[p + 1] if p + 1 < len(sched_weeks) else first + pd.Timedelta(weeks=4)
        length = max(int(round((end - first).days / 7)), 1)
        k = int(round((weeks[i] - first).days / 7))
        amount = y[i] - y[start_i]
        projected = amount * length / max(k, 1)
        level_now = float(np.mean(done)) if done else None
        complete = weeks[i] >= end
        ready = k >= t.pace_confirm_weeks or complete
        if ready and level_now is None and not steps:
            steps.append(PaceStep(dates[p] if weeks[start_i] >= sched_weeks[p]
                                  else weeks[start_i].date(),
                                  weeks[i].date(), None, projected, source))
        elif (ready or k >= t.pace_announced_confirm_weeks) and level_now is not None \
                and not step_open:
            if abs(projected - level_now) < t.pace_min_step_bn:
                pending = False
            elif pending or complete or _matches_announcement(
                    projected, level_now, stated[i], stated[start_i], t.pace_min_step_bn):
                # Two weeks in a row (or a whole period) off the level: a new pace. Confirmed
                # by an announcement after two weeks, the pace is the announced one until the
                # period completes: two weeks of lumpy purchases would misstate it.
                early = not (pending or complete)
                steps.append(PaceStep(dates[p], weeks[i].date(), level_now,
                                      float(stated[i]) if early else projected, source))
                step_open, before, done, pending = True, done, [], False
            elif ready:
                pending = True
        elif ready and step_open and before and \
                abs(projected - float(np.mean(before))) < t.pace_min_step_bn:
            steps.pop()  # the rest of the period did not bear the step out
            step_open, done, before = False, before, []
        # The reading: the level of the completed periods since the last step; inside the
        # period of a step, the pace the step was taken at (the projection swings with
        # front-loaded or paused purchases and would name a new pace each week).
        reading = (float(np.mean(done)) if done else
                   steps[-1].to_bn_month if steps else projected)
        if steps:
            read[weeks[i]] = (reading, pd.Timestamp(steps[-1].date),
                              np.nan if steps[-1].from_bn_month is None
                              else steps[-1].from_bn_month)
        if complete:
            done.append(amount)
            step_open, before, pending = False, [], False
            start_i = i
            if steps:
                last = steps[-1]
                steps[-1] = PaceStep(last.date, last.detected, last.from_bn_month,
                                     float(np.mean(done)), source)
    return steps, _readings(index, read)


def _with_announcement(step: PaceStep) -> PaceStep:
    """The step, marked as announced where a calendar decision stated a pace at its schedule
    (a few days either side: schedule dates are approximate); otherwise it is inferred from
    the purchases alone, and the briefing says so."""
    stated = any(abs((d.decision_date - step.date).days) <= 5 for d in stated_paces())
    return replace(step, announced=stated)


def _announced(frame: pd.DataFrame) -> pd.Series:
    """The calendar's stated pace per week of a ``pace_history`` frame, by date."""
    return pd.Series(frame["announced_bn_month"].to_numpy(dtype="float64"),
                     index=pd.DatetimeIndex(frame["date"]))


def _matches_announcement(projected: float, level: float, announced: float,
                          announced_before: float, min_step: float) -> bool:
    """Whether a projection off the old level confirms a pace announced in this period: the
    announcement changed at this period's schedule (from ``announced_before``) by a step, and
    the projection is nearer to it than to the old level."""
    return (bool(np.isfinite(announced)) and bool(np.isfinite(announced_before))
            and abs(announced - announced_before) >= min_step
            and abs(projected - announced) < abs(projected - level))


def _readings(index: pd.DatetimeIndex,
              read: dict[pd.Timestamp, tuple[float, pd.Timestamp, float]]) -> pd.DataFrame:
    """The weekly readings of :func:`detect_steps` on ``index`` (NaN where none was made)."""
    rows = [read.get(w, (np.nan, pd.NaT, np.nan)) for w in index]
    return pd.DataFrame({"pace_bn_month": [r[0] for r in rows],
                         "since": pd.DatetimeIndex([r[1] for r in rows]),
                         "previous_bn_month": [r[2] for r in rows]}, index=index)


def _window(frame: pd.DataFrame) -> tuple[int, int] | None:
    """Positions (base, last) of the latest run of bill-purchase weeks ending at the last row.

    The base is the week before the run: the level purchases are counted from."""
    inw = frame["in_window"].to_numpy()
    if not len(inw) or not inw[-1]:
        return None
    first = len(inw) - 1
    while first > 0 and inw[first - 1]:
        first -= 1
    return max(first - 1, 0), len(inw) - 1


def _cumulative_rmp(frame: pd.DataFrame, base: int, bills: pd.Series) -> pd.Series:
    """Bills bought since the base week minus the reinvestment attributed to them, $bn."""
    seg = frame.iloc[base:]
    reinvest_week = (seg["mbs_reinvestment_bn_month"].fillna(0.0) / WEEKS_PER_MONTH).to_numpy(
        dtype="float64", copy=True)
    reinvest_week[0] = 0.0
    b = bills.reindex(pd.DatetimeIndex(seg["date"])).to_numpy(dtype="float64")
    return pd.Series(b - b[0] - np.cumsum(reinvest_week), index=pd.DatetimeIndex(seg["date"]))


def _ops_bills_by_week(ops: pd.DataFrame | None, weeks: pd.DatetimeIndex) -> pd.Series | None:
    """Cumulative net outright bill purchases by trade date up to each Wednesday, $bn."""
    if ops is None or ops.empty or "security_class" not in ops.columns:
        return None
    klass = ops["security_class"].astype(str).str.lower()
    bills = ops[klass == "bill"]
    if bills.empty:
        return None
    d = pd.to_datetime(bills["operation_date"].astype(str).str[:10], errors="coerce")
    amt = (pd.to_numeric(bills["total_par_accepted"], errors="coerce").fillna(0.0)
           * catalog.table_billions_factor("outright_operations"))
    direction = bills.get("operation_direction", pd.Series("P", index=bills.index))
    sign = np.where(direction.astype(str).str.upper().str.startswith("S"), -1.0, 1.0)
    daily = pd.Series((amt * sign).to_numpy(), index=d).dropna().groupby(level=0).sum()
    if daily.empty:
        return None
    cum = daily.sort_index().cumsum()
    pos = cum.index.searchsorted(weeks, side="right") - 1
    vals = np.where(pos >= 0, cum.to_numpy()[np.clip(pos, 0, None)], 0.0)
    out = pd.Series(vals, index=weeks)
    # Weeks before the table's first operation are unknown, not zero purchases.
    out[weeks < daily.index.min() - pd.Timedelta(days=7)] = np.nan
    return out


def purchase_pace(hist: pd.DataFrame, as_of: date,
                  thresholds: PhaseThresholds | None = None,
                  ops: pd.DataFrame | None = None) -> PurchasePace | None:
    """The reserve-management pace on ``as_of`` from a ``classify_history`` frame.

    Parameters
    ----------
    hist : pd.DataFrame
        ``classify_history(ds, as_of)`` (already cut at ``as_of``).
    as_of : date
        For the announced pace; ops after ``as_of`` are ignored.
    ops : pd.DataFrame, optional
        The ``outright_operations`` table (``ds.visible(as_of).table(...)``).

    Returns
    -------
    PurchasePace or None
        ``None`` when the last week is not in a bill-purchase regime (observed or announced
        phase 2) or the window has fewer than two weeks.
    """
    t = thresholds or DEFAULT.phase
    frame = pace_history(hist, t)
    win = _window(frame)
    if win is None or win[1] - win[0] < 1:
        return None
    base, last = win
    bills = pd.Series(hist["bills_bn"].to_numpy(), index=pd.DatetimeIndex(hist["date"]))
    level = _cumulative_rmp(frame, base, bills)
    stated = _announced(frame)
    steps, pace = detect_steps(level, t, "H.4.1", stated)
    if not steps:
        return None
    frame.loc[frame.index[base:], "pace_bn_month"] = pace["pace_bn_month"].to_numpy()
    ops_steps: list[PaceStep] = []
    if ops is not None and not ops.empty:
        cut = ops[pd.to_datetime(ops["operation_date"].astype(str).str[:10], errors="coerce")
                  <= pd.Timestamp(as_of)]
        ops_cum = _ops_bills_by_week(cut, pd.DatetimeIndex(frame["date"]))
        if ops_cum is not None and np.isfinite(ops_cum.iloc[base]):
            ops_level = _cumulative_rmp(frame, base, ops_cum)
            ops_steps, _ = detect_steps(ops_level, t, "outright operations", stated)
            # Operations confirm a step only while they are stored: none after their end.
            ops_end = pd.to_datetime(cut["operation_date"].astype(str).str[:10],
                                     errors="coerce").max()
            ops_steps = [st for st in ops_steps
                         if pd.Timestamp(st.detected) <= ops_end + pd.Timedelta(days=7)]
            rate = (ops_cum - ops_cum.shift(t.short_weeks)) * WEEKS_PER_MONTH / t.short_weeks
            frame["ops_reserve_management_bn_month"] = (
                rate.to_numpy() - frame["mbs_reinvestment_bn_month"].fillna(0.0).to_numpy())
    steps = [_with_announcement(st) for st in steps]
    ops_steps = [_with_announcement(st) for st in ops_steps]
    latest = steps[-1]
    read = pace["pace_bn_month"].dropna()
    current = float(read.iloc[-1]) if len(read) else latest.to_bn_month
    reinv = frame["mbs_reinvestment_bn_month"].iloc[last]
    week = pd.Timestamp(frame["date"].iloc[last]).date()
    return PurchasePace(
        as_of=as_of, week=week, window_start=pd.Timestamp(frame["date"].iloc[base + 1]).date(),
        current_bn_month=current, since=latest.date, previous_bn_month=latest.from_bn_month,
        mbs_reinvestment_bn_month=None if pd.isna(reinv) else float(reinv),
        announced=announced_pace_at(as_of),
        steps=tuple(steps), ops_steps=tuple(ops_steps), history=frame)
