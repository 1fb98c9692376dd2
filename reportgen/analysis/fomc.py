"""The curated calendar of FOMC balance-sheet decisions, shipped with the package.

``fomc_decisions.csv`` (next to this module) lists each decision that changed the balance-sheet
regime: the decision date, the date operations actually changed (``effective_date``), the phase
it announced (0 runoff, 1 reinvesting, 2 bill purchases, 3 QE; blank when no balance-sheet
regime was announced, e.g. the 2007-08 sterilisation), a one-line summary and the source.

The announced phase of a week is the phase of the latest decision *effective* on or before that
week: holdings cannot show a decision before its operations begin. The assessment separately
reports the latest decision *taken* on or before ``as_of`` (which may still be pending).

Example
-------
>>> decisions = load_fomc_decisions()
>>> decisions[-1].phase, decisions[-1].decision_date.isoformat()
(2, '2025-12-10')
"""

from __future__ import annotations

import csv
import datetime as _dt
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import pandas as pd

from reportgen.errors import DataUnavailableError

CALENDAR_FILE = "fomc_decisions.csv"


@dataclass(frozen=True)
class FomcDecision:
    """One balance-sheet decision of the FOMC (or, where marked, of the Desk)."""

    decision_date: date
    effective_date: date
    phase: int | None  # None: no balance-sheet regime announced (excluded from agreement)
    regime: str  # short name, e.g. "QE3", "QT2 slowing"
    decision: str
    source: str  # URL of the statement or implementation note


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

    def is_pending(self, on: _dt.date) -> bool:
        """True while the decision is announced but its operations have not started on ``on``."""
        return self.effective > on

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(), "effective": self.effective.isoformat(),
            "phase": self.phase, "regime": self.regime, "decision": self.decision,
            "source": self.source,
        }


def _parse_date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DataUnavailableError(
            f"{CALENDAR_FILE}, line {line}: {text!r} is not a YYYY-MM-DD date; "
            "fix the packaged FOMC calendar"
        ) from None


@lru_cache(maxsize=1)
def _load() -> tuple[FomcDecision, ...]:
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
        rows.append(FomcDecision(decided, effective, phase, rec["regime"].strip(),
                                 rec["decision"].strip(), rec["source_url"].strip()))
    rows.sort(key=lambda d: d.decision_date)
    return tuple(rows)


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


def announced_at(as_of: date) -> AnnouncedRegime | None:
    """The latest decision taken on or before ``as_of`` (``None`` before the calendar starts)."""
    latest = None
    for d in _load():
        if d.decision_date <= as_of:
            latest = d
    if latest is None:
        return None
    return AnnouncedRegime(latest.decision_date, latest.effective_date, latest.phase,
                           latest.regime, latest.decision, latest.source)


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
