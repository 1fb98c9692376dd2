"""The curated calendar of FOMC and Desk decisions, shipped with the package.

``fomc_decisions.csv`` (next to this module) lists each balance-sheet and plumbing decision: the
decision date, the date operations actually changed (``effective_date``), the phase in force
(0 runoff, 1 reinvesting, 2 bill purchases, 3 QE; blank when no balance-sheet regime was
announced, e.g. the 2007-08 sterilisation), a short name, a one-line summary, the source, and:

- ``kind``: ``regime`` (a decision that set the balance-sheet regime; only these drive the
  announced phase), ``desk schedule`` (the NY Fed Desk's monthly purchase schedule, which sets
  the reserve-management pace without an FOMC vote), ``meeting`` (an FOMC meeting that left the
  balance sheet alone) or ``plumbing`` (standing facilities, administered rates);
- ``grade``: the evidence, ``official`` (Fed / NY Fed text), ``press`` (news or sell-side
  reporting of it) or ``unverified`` (inferred from data or a weak source). The briefing says
  "reported" wherever the grade is not official;
- ``rmp_pace_bn_month``: the reserve-management bill purchase pace the row states, $bn a
  month (blank where none is stated; a pace inferred from data is never entered here);
- ``mbs_into_bills``: 1 while agency MBS principal is reinvested in Treasury bills (from
  December 2025), so that bill growth = reinvestment + reserve-management purchases.

``fomc_meetings.csv`` lists the scheduled FOMC meetings (2025-2026; the 2027 schedule is not in
the record), for the next decision point.

The announced phase of a week is the phase of the latest decision *effective* on or before that
week: holdings cannot show a decision before its operations begin. The assessment separately
reports the latest decision *taken* on or before ``as_of`` (which may still be pending).

Example
-------
>>> decisions = load_fomc_decisions()
>>> decisions[-1].phase, decisions[-1].decision_date.isoformat()
(2, '2025-12-10')
>>> announced_pace_at(date(2026, 6, 1)).pace_bn_month
10.0
"""

from __future__ import annotations

import csv
import datetime as _dt
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from reportgen.errors import DataUnavailableError

CALENDAR_FILE = "fomc_decisions.csv"
MEETINGS_FILE = "fomc_meetings.csv"
KINDS = ("regime", "desk schedule", "meeting", "plumbing")
GRADES = ("official", "press", "unverified")
# The Desk publishes its monthly purchase schedule around the ninth business day of the month.
DESK_SCHEDULE_BUSINESS_DAY = 9


@dataclass(frozen=True)
class FomcDecision:
    """One balance-sheet decision of the FOMC (or, where marked, of the Desk)."""

    decision_date: date
    effective_date: date
    phase: int | None  # None: no balance-sheet regime announced (excluded from agreement)
    regime: str  # short name, e.g. "QE3", "QT2 slowing"
    decision: str
    source: str  # URL of the statement or implementation note (text where there is none)
    kind: str = "regime"  # regime | desk schedule | meeting | plumbing
    grade: str = "official"  # official | press | unverified
    rmp_pace_bn_month: float | None = None  # stated reserve-management pace, $bn a month
    mbs_into_bills: bool = False  # agency principal reinvested in bills while in force

    @property
    def reported(self) -> bool:
        """True where the briefing must say "reported": the row is not from official text."""
        return self.grade != "official"


@dataclass(frozen=True)
class AnnouncedPace:
    """The reserve-management pace stated by the latest decision in force on a date."""

    pace_bn_month: float
    decided: date
    effective: date
    kind: str
    grade: str
    regime: str
    source: str

    @property
    def reported(self) -> bool:
        return self.grade != "official"

    def to_dict(self) -> dict[str, object]:
        return {"pace_bn_month": self.pace_bn_month, "decided": self.decided.isoformat(),
                "effective": self.effective.isoformat(), "kind": self.kind,
                "grade": self.grade, "reported": self.reported, "regime": self.regime,
                "source": self.source}


@dataclass(frozen=True)
class FomcMeeting:
    """One scheduled FOMC meeting; decisions are announced on its last day."""

    start: date
    end: date
    grade: str
    source: str


@dataclass(frozen=True)
class NextDecision:
    """The next points at which the balance-sheet path can change after a date."""

    meeting: FomcMeeting | None  # next FOMC meeting ending after the date (None: not on record)
    desk_schedule: date  # the Desk's next monthly schedule, about the ninth business day

    @property
    def next_date(self) -> date:
        """The sooner of the two."""
        if self.meeting is None:
            return self.desk_schedule
        return min(self.meeting.end, self.desk_schedule)

    def to_dict(self) -> dict[str, object]:
        return {
            "meeting_start": self.meeting.start.isoformat() if self.meeting else None,
            "meeting_end": self.meeting.end.isoformat() if self.meeting else None,
            "meeting_grade": self.meeting.grade if self.meeting else None,
            "desk_schedule": self.desk_schedule.isoformat(),
            "next_date": self.next_date.isoformat(),
        }


@dataclass(frozen=True)
class AnnouncedRegime:
    """The latest decision taken on or before a date, as shown beside the observed phase."""

    # ``_dt.date``: the field ``date`` would shadow the type inside the class body.
    date: _dt.date  # decision date
    effective: _dt.date  # when operations changed
    phase: int | None
    regime: str
    decision: str
    source: str
    grade: str = "official"

    @property
    def reported(self) -> bool:
        """True where the briefing must say "reported" (the decision is not from official text)."""
        return self.grade != "official"

    def is_pending(self, on: _dt.date) -> bool:
        """True while the decision is announced but its operations have not started on ``on``."""
        return self.effective > on

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(), "effective": self.effective.isoformat(),
            "phase": self.phase, "regime": self.regime, "decision": self.decision,
            "source": self.source, "grade": self.grade, "reported": self.reported,
        }


def _parse_date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DataUnavailableError(
            f"{CALENDAR_FILE}, line {line}: {text!r} is not a YYYY-MM-DD date; "
            "fix the packaged FOMC calendar"
        ) from None


def _optional_float(text: str | None, line: int, column: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DataUnavailableError(
            f"{CALENDAR_FILE}, line {line}: {column} {text!r} is not a number; fix the calendar"
        ) from None


def _choice(text: str | None, allowed: tuple[str, ...], default: str, line: int,
            column: str) -> str:
    value = (text or "").strip() or default
    if value not in allowed:
        raise DataUnavailableError(
            f"{CALENDAR_FILE}, line {line}: {column} {value!r} is not one of "
            f"{', '.join(allowed)}; fix the calendar")
    return value


@lru_cache(maxsize=1)
def _load_all() -> tuple[FomcDecision, ...]:
    text = resources.files("reportgen.analysis").joinpath(CALENDAR_FILE).read_text("utf-8")
    rows: list[FomcDecision] = []
    for line, rec in enumerate(csv.DictReader(text.splitlines()), start=2):
        phase_text = (rec.get("phase") or "").strip()
        phase = int(phase_text) if phase_text else None
        if phase is not None and phase not in (0, 1, 2, 3):
            raise DataUnavailableError(
                f"{CALENDAR_FILE}, line {line}: phase {phase} is not 0-3; fix the calendar")
        decided = _parse_date(rec["decision_date"], line)
        effective = _parse_date(rec["effective_date"], line)
        if effective < decided:
            raise DataUnavailableError(
                f"{CALENDAR_FILE}, line {line}: effective date precedes the decision")
        rows.append(FomcDecision(
            decided, effective, phase, rec["regime"].strip(), rec["decision"].strip(),
            rec["source_url"].strip(),
            kind=_choice(rec.get("kind"), KINDS, "regime", line, "kind"),
            grade=_choice(rec.get("grade"), GRADES, "official", line, "grade"),
            rmp_pace_bn_month=_optional_float(rec.get("rmp_pace_bn_month"), line,
                                              "rmp_pace_bn_month"),
            mbs_into_bills=(rec.get("mbs_into_bills") or "0").strip() == "1"))
    rows.sort(key=lambda d: d.decision_date)
    return tuple(rows)


@lru_cache(maxsize=1)
def _load() -> tuple[FomcDecision, ...]:
    """The regime-setting decisions only: they alone define the announced phase."""
    return tuple(d for d in _load_all() if d.kind == "regime")


@lru_cache(maxsize=1)
def _load_meetings() -> tuple[FomcMeeting, ...]:
    text = resources.files("reportgen.analysis").joinpath(MEETINGS_FILE).read_text("utf-8")
    out = []
    for line, rec in enumerate(csv.DictReader(text.splitlines()), start=2):
        start, end = _parse_date(rec["meeting_start"], line), _parse_date(rec["meeting_end"], line)
        out.append(FomcMeeting(start, end, rec["grade"].strip(), rec["source"].strip()))
    return tuple(sorted(out, key=lambda m: m.end))


def load_fomc_decisions() -> list[FomcDecision]:
    """The curated calendar of balance-sheet decisions, oldest first.

    Returns
    -------
    list[FomcDecision]
        Decision and effective dates, the announced phase (``None`` where no balance-sheet
        regime was announced), a summary and the source URL.

    Example
    -------
    >>> [d.regime for d in load_fomc_decisions() if d.phase == 2]
    ['reserve-management bill purchases', 'reserve-management bill purchases']
    """
    return list(_load())


def load_calendar(kinds: tuple[str, ...] = KINDS) -> list[FomcDecision]:
    """Every row of the calendar (regime decisions, Desk schedules, meetings, plumbing), oldest
    first, restricted to ``kinds``; each carries its evidence ``grade``."""
    return [d for d in _load_all() if d.kind in kinds]


def load_meetings() -> list[FomcMeeting]:
    """The scheduled FOMC meetings on record, by last day."""
    return list(_load_meetings())


def stated_paces() -> list[FomcDecision]:
    """The decisions and Desk schedules of the calendar that state a reserve-management pace."""
    return [d for d in _rmp_rows() if d.rmp_pace_bn_month is not None]


def _rmp_rows() -> list[FomcDecision]:
    return [d for d in _load_all() if d.kind in ("regime", "desk schedule")]


def announced_pace_at(on: date) -> AnnouncedPace | None:
    """The reserve-management pace stated by the latest regime decision or Desk schedule in
    force on ``on`` (decided and effective by then); ``None`` outside a bill-purchase regime
    (announced phase other than 2) or when no pace was stated.

    A Desk schedule without a stated pace (e.g. one only inferred from data) leaves the last
    stated pace in force: the announced line never carries a number the record does not state.
    """
    regime = effective_at(on)
    if regime is None or regime.phase != 2:
        return None
    latest = None
    for d in _rmp_rows():
        if (d.effective_date <= on and d.decision_date <= on
                and d.effective_date >= regime.effective_date
                and d.rmp_pace_bn_month is not None):
            latest = d
    if latest is None or latest.rmp_pace_bn_month is None:
        return None
    return AnnouncedPace(latest.rmp_pace_bn_month, latest.decision_date, latest.effective_date,
                         latest.kind, latest.grade, latest.regime, latest.source)


def announced_pace_history(weeks: pd.DatetimeIndex) -> pd.Series:
    """The announced reserve-management pace ($bn a month) in force each week (NaN where none)."""
    vals = []
    for w in pd.DatetimeIndex(weeks):
        a = announced_pace_at(w.date())
        vals.append(a.pace_bn_month if a is not None else np.nan)
    return pd.Series(vals, index=pd.DatetimeIndex(weeks), name="announced_bn_month",
                     dtype="float64")


def mbs_into_bills_history(weeks: pd.DatetimeIndex) -> pd.Series:
    """True in weeks whose regime in force reinvests agency MBS principal in bills."""
    decisions = sorted(_load(), key=lambda d: d.effective_date)
    eff = pd.DatetimeIndex([pd.Timestamp(d.effective_date) for d in decisions])
    flags = np.array([d.mbs_into_bills for d in decisions], dtype=bool)
    pos = eff.searchsorted(pd.DatetimeIndex(weeks), side="right") - 1
    out = np.where(pos >= 0, flags[np.clip(pos, 0, None)], False)
    return pd.Series(out, index=pd.DatetimeIndex(weeks), name="mbs_into_bills")


def _nth_business_day(year: int, month: int, n: int) -> date:
    # Imported here: calendar.py builds a holiday calendar that only this needs.
    from reportgen.analysis.calendar import business_days

    first = date(year, month, 1)
    days = business_days(first, date(year + (month == 12), month % 12 + 1, 1))
    return days[n - 1].date()


def desk_schedule_dates(start: date, end: date) -> list[date]:
    """The Desk's monthly schedule dates (about the ninth business day) from ``start``'s
    month to ``end``'s, approximate: the Desk has moved a release by a day or two."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(_nth_business_day(y, m, DESK_SCHEDULE_BUSINESS_DAY))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


#: The longest gap between two FOMC meetings (eight a year, about six to seven weeks apart).
MEETING_GAP_DAYS = 60


def next_decision(after: date) -> NextDecision:
    """The next FOMC meeting ending after ``after`` (``None`` past the schedule on record) and
    the Desk's next monthly schedule (about the ninth business day of the month).

    Example
    -------
    >>> n = next_decision(date(2026, 8, 21))
    >>> n.meeting.end.isoformat(), n.desk_schedule.isoformat()
    ('2026-09-16', '2026-09-14')
    """
    meeting = next((m for m in _load_meetings() if m.end > after), None)
    if meeting is not None and (meeting.start - after).days > MEETING_GAP_DAYS:
        # Before the meetings on record start: the next one is not known, not years ahead.
        meeting = None
    desk = _nth_business_day(after.year, after.month, DESK_SCHEDULE_BUSINESS_DAY)
    if desk <= after:
        y, m = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
        desk = _nth_business_day(y, m, DESK_SCHEDULE_BUSINESS_DAY)
    return NextDecision(meeting, desk)


def announced_at(as_of: date) -> AnnouncedRegime | None:
    """The latest decision taken on or before ``as_of`` (``None`` before the calendar starts)."""
    latest = None
    for d in _load():
        if d.decision_date <= as_of:
            latest = d
    if latest is None:
        return None
    return AnnouncedRegime(latest.decision_date, latest.effective_date, latest.phase,
                           latest.regime, latest.decision, latest.source, latest.grade)


def effective_at(on: date) -> FomcDecision | None:
    """The decision whose operations were in force on ``on`` (latest effective date <= on)."""
    latest = None
    for d in _load():
        if d.effective_date <= on and d.decision_date <= on:
            latest = d
    return latest


def announced_phase_history(weeks: pd.DatetimeIndex) -> pd.Series:
    """The announced phase in force in each week (for the backtest and charts).

    Parameters
    ----------
    weeks : pd.DatetimeIndex
        H.4.1 Wednesdays (any dates work).

    Returns
    -------
    pd.Series
        Nullable ``Int64`` phase per week, ``<NA>`` before the calendar starts and where no
        balance-sheet regime was announced (2007-12 to 2008-12). Indexed by ``weeks``.

    Example
    -------
    >>> announced_phase_history(pd.DatetimeIndex(["2020-04-01", "2026-01-07"])).tolist()
    [3, 2]
    """
    decisions = sorted(_load(), key=lambda d: d.effective_date)
    eff = pd.DatetimeIndex([pd.Timestamp(d.effective_date) for d in decisions])
    phases = pd.array([d.phase for d in decisions], dtype="Int64")
    pos = eff.searchsorted(pd.DatetimeIndex(weeks), side="right") - 1
    out = pd.array([pd.NA] * len(weeks), dtype="Int64")
    ok = pos >= 0
    out[ok] = phases[pos[ok]]
    return pd.Series(out, index=pd.DatetimeIndex(weeks), name="announced_phase")


def regime_name_history(weeks: pd.DatetimeIndex) -> pd.Series:
    """The announced regime name in force in each week (``""`` before the calendar starts)."""
    decisions = sorted(_load(), key=lambda d: d.effective_date)
    eff = pd.DatetimeIndex([pd.Timestamp(d.effective_date) for d in decisions])
    pos = eff.searchsorted(pd.DatetimeIndex(weeks), side="right") - 1
    names = [decisions[p].regime if p >= 0 else "" for p in pos]
    return pd.Series(names, index=pd.DatetimeIndex(weeks), name="announced_regime")
