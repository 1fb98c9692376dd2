"""The whole analysis of one briefing week, computed once.

:func:`analyse` takes the data, the briefing date and the thresholds in force and returns a
frozen :class:`WeekAnalysis`: the data visible that day, the phase assessment, the dashboard of
signals, the reservoir, the implications, the chart frames and the same readings for the week
before. Everything downstream (charts, the template context, brief.json, the terminal commands)
is a view of it and computes no analysis of its own, so a number shown twice is the same number.

Honest about time: only data public on ``as_of`` are used (``Dataset.visible``), and the week
before is read from data public a week earlier.

Example
-------
>>> week = analyse(dataset, date(2025, 10, 31), DEFAULT)
>>> week.dashboard.signals["srf"].value, week.assessment.phase
(50.35, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from reportgen.analysis import reservoir as rsv
from reportgen.analysis.events import (
    Coverage,
    WeekExtreme,
    coverage,
    events,
    newest_observation,
    week_extremes,
)
from reportgen.analysis.fomc import FomcDecision, load_calendar
from reportgen.analysis.frames import ChartFrames, chart_frames
from reportgen.analysis.implications import (
    PIPE_SIGNALS,
    Implications,
    MeasuredState,
    Statement,
    read_implications,
)
from reportgen.analysis.phase import Evidence, PhaseAssessment, assess
from reportgen.analysis.reservoir import Reservoir, ReservoirRow
from reportgen.analysis.signals import (
    CompositeResult,
    Dashboard,
    FeedbackLoopResult,
    SignalResult,
    compute_dashboard,
)
from reportgen.analysis.signals.composite import CORE
from reportgen.analysis.thresholds import DEFAULT, Thresholds, describe
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError
from reportgen.formatting import day

#: A briefing week: the business days after the previous weekly briefing, up to ``as_of``.
WEEK_DAYS = 7


@dataclass(frozen=True)
class WeekBefore:
    """The readings of the week before (``as_of`` - 7 days), from the data public then, and
    that week's extremes (from the same daily frames, so like is compared with like)."""

    as_of: date
    assessment: PhaseAssessment | None
    dashboard: Dashboard
    extremes: dict[str, WeekExtreme]


@dataclass(frozen=True)
class WeekAnalysis:
    """Everything the briefing of ``as_of`` shows, computed once (see the module docstring)."""

    as_of: date
    data: Dataset
    thresholds: Thresholds
    assessment: PhaseAssessment | None
    phase_unavailable: str | None
    dashboard: Dashboard
    reservoir: rsv.Reservoir
    implications: Implications
    frames: ChartFrames
    week_before: WeekBefore | None
    extremes: dict[str, WeekExtreme]
    events: tuple[WeekExtreme, ...]
    coverage: dict[str, Coverage]
    newest_data: date | None
    decisions: tuple[FomcDecision, ...] = ()  # policy decisions taken in the briefing week

    @property
    def signals(self) -> dict[str, SignalResult]:
        return self.dashboard.signals

    @property
    def composite(self) -> CompositeResult:
        return self.dashboard.composite

    @property
    def loop(self) -> FeedbackLoopResult:
        return self.dashboard.feedback_loop

    @property
    def pipe_status(self) -> str:
        """The pipe's status for the week (see :func:`pipe_status_of_week`)."""
        return pipe_status_of_week(self.composite.status, self.extremes.get("composite"))

    @property
    def week_start(self) -> date:
        """The first day of the briefing week (the day after the week before's briefing)."""
        return self.as_of - timedelta(days=WEEK_DAYS - 1)

    def threshold_rows(self) -> list[dict[str, Any]]:
        """Every threshold in force, as rows for the appendix and brief.json."""
        return describe(self.thresholds)


def pipe_status_of_week(today: str, peak: WeekExtreme | None) -> str:
    """The pipe's status for the week: the index's status today, or the worst it reached in
    the week when that was worse (a Tuesday spike is the week's news even if Friday is calm).
    Unpublished today stays unpublished: the week's readings do not make up for missing data."""
    if today == "unavailable" or peak is None:
        return today
    order = ("normal", "elevated", "stressed")
    return max(today, peak.worst_status, key=lambda s: order.index(s) if s in order else -1)


def decisions_between(start: date, end: date) -> tuple[FomcDecision, ...]:
    """The balance-sheet and plumbing decisions of the calendar taken from ``start`` to
    ``end`` (FOMC statements, Desk schedules), oldest first: the week's policy news."""
    return tuple(d for d in load_calendar() if start <= d.decision_date <= end)


def _pending(a: PhaseAssessment | None) -> str | None:
    """A balance-sheet decision the holdings do not show yet, in words: one taken but not yet
    in force, or one in force the observed phase still disagrees with (the reading must not
    wait for what is already decided)."""
    ann = a.announced if a is not None else None
    if a is None or ann is None or ann.phase is None or ann.phase == a.phase:
        return None
    if not ann.is_pending(a.week) and a.agreement != "disagrees":
        return None
    told = "" if ann.grade == "official" else " (reported)"
    when = "from" if ann.is_pending(a.week) else "in force since"
    return (f"on {day(ann.date)} the FOMC decided on phase {ann.phase} ({ann.regime}), "
            f"{when} {day(ann.effective)}{told}")


def _assess(visible: Dataset, as_of: date,
            thresholds: Thresholds) -> tuple[PhaseAssessment | None, str | None]:
    try:
        return assess(visible, as_of, thresholds.phase), None
    except DataUnavailableError as exc:
        return None, exc.message


def _week_before(dataset: Dataset, as_of: date, thresholds: Thresholds,
                 dashboard: Dashboard, previous: WeekAnalysis | None = None) -> WeekBefore | None:
    """The week before, from the data public then. Its signals are this week's frames read a
    week earlier (every row uses only data public on its date); the phase is assessed again,
    because a week's row may rest on holdings published after the earlier date (on the real
    history the row of 2019-11-28 reads another confidence and sub-state a week later) --
    unless ``previous`` is the analysis of that date from the same data and thresholds (a
    range rebuild), whose assessment is exactly that one."""
    then = as_of - timedelta(days=WEEK_DAYS)
    visible = dataset.visible(then)
    # A week is comparable only if it had the balance sheet (the H.4.1): series that start
    # earlier (money-market rates, dealer statistics) do not make a briefing of their own.
    if visible.last_date("WALCL") is None:
        return None
    earlier = dashboard.at(then) or compute_dashboard(visible, then, thresholds.signals)
    if (previous is not None and previous.as_of == then and previous.thresholds == thresholds
            and previous.data.provenance is dataset.provenance):
        assessment = previous.assessment
    else:
        assessment, _ = _assess(visible, then, thresholds)
    start = then - timedelta(days=WEEK_DAYS - 1)
    return WeekBefore(then, assessment, earlier, week_extremes(dashboard, start, then))


def analyse(dataset: Dataset, as_of: date, thresholds: Thresholds = DEFAULT, *,
            with_week_before: bool = True,
            when_issued: pd.DataFrame | None = None,
            previous: WeekAnalysis | None = None) -> WeekAnalysis:
    """The analysis of the briefing week ending ``as_of``.

    Parameters
    ----------
    dataset
        The store snapshot, any extent (it is cut at ``as_of`` here).
    as_of
        The briefing date.
    thresholds
        The thresholds in force (defaults with the settings' overrides applied).
    with_week_before
        Also read the week before (for "what changed"); off for the terminal commands that
        show one date.
    when_issued
        User-supplied when-issued yields (``auction_date``, ``original_security_term``,
        ``wi_yield`` in percent) for true auction tails; without them tails are proxies.
    previous
        The analysis of ``as_of`` - 7 days on the same dataset and thresholds (a range
        rebuild): its phase assessment is the week before's, not computed again.

    Raises
    ------
    DataUnavailableError
        When nothing at all is public on ``as_of``.
    """
    visible = dataset.visible(as_of)
    assessment, phase_unavailable = _assess(visible, as_of, thresholds)
    dashboard = compute_dashboard(visible, as_of, thresholds.signals, when_issued)
    reservoir = rsv.reservoir(visible)
    covered = coverage(dashboard, visible, as_of)
    reserves_row = reservoir.row("reserves")
    extremes = week_extremes(dashboard, as_of - timedelta(days=WEEK_DAYS - 1), as_of)
    implications = read_implications(MeasuredState(
        phase=assessment.phase if assessment else None,
        reserves_change_13w_bn=reserves_row.change_13w_bn if reserves_row else None,
        plumbing=pipe_status_of_week(dashboard.composite.status, extremes.get("composite")),
        pipe_live=sum(covered[n].state == "live" for n in CORE),
        loop=dashboard.feedback_loop.state, pending=_pending(assessment)))
    frames = chart_frames(visible, as_of, assessment.history if assessment else None, reservoir,
                          dashboard, assessment.pace if assessment else None)
    before = (_week_before(dataset, as_of, thresholds, dashboard, previous)
              if with_week_before else None)
    return WeekAnalysis(as_of=as_of, data=visible, thresholds=thresholds, assessment=assessment,
                        phase_unavailable=phase_unavailable, dashboard=dashboard,
                        reservoir=reservoir, implications=implications, frames=frames,
                        week_before=before, extremes=extremes, events=tuple(events(extremes)),
                        coverage=covered, newest_data=newest_observation(visible),
                        decisions=decisions_between(as_of - timedelta(days=WEEK_DAYS - 1),
                                                    as_of))


def read_week_before(dataset: Dataset, week: WeekAnalysis,
                     previous: WeekAnalysis | None = None) -> WeekAnalysis:
    """``week``, analysed with ``with_week_before=False``, with its week before read exactly
    as :func:`analyse` reads it (``previous`` as there). The build draws the charts first (they
    do not use the week before), so that their SVGs start about 0.1 s sooner.
    """
    return replace(week, week_before=_week_before(dataset, week.as_of, week.thresholds,
                                                  week.dashboard, previous))


__all__ = [
    "PIPE_SIGNALS", "ChartFrames", "Coverage", "Evidence", "FomcDecision", "Implications",
    "PhaseAssessment", "Reservoir",
    "ReservoirRow", "SignalResult", "Statement", "WeekAnalysis", "WeekBefore", "WeekExtreme",
    "analyse", "read_week_before",
]
