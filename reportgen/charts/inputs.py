"""What the charts take from the analysis: observed phase periods, FOMC decisions, the weak
auctions and the composite's history.

These adapters are the one place that reads the analysis results for drawing; each returns an
empty frame (never raises) when its input is missing, so a chart loses its shading rather than
the briefing failing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from reportgen.dataset import Dataset

_PERIOD_COLS = ("start", "end", "phase", "label")


def _empty_periods() -> pd.DataFrame:
    return pd.DataFrame({"start": pd.Series(dtype="datetime64[ns]"),
                         "end": pd.Series(dtype="datetime64[ns]"),
                         "phase": pd.Series(dtype=int), "label": pd.Series(dtype=object)})


def phase_label(phase: int) -> str:
    """'Phase 2: bill purchases' style label from ``phase.PHASE_LABELS``."""
    from reportgen.analysis import phase as phase_mod

    return f"Phase {phase}: {phase_mod.PHASE_LABELS[phase]}"


def runs(frame: pd.DataFrame, end: date) -> pd.DataFrame:
    """Collapse a dated ``phase`` column into periods ``start``, ``end``, ``phase``.

    ``frame`` has columns ``date`` and ``phase`` (int, NaN where unclassified), sorted by date;
    the last period ends at ``end``.
    """
    f = frame.dropna(subset=["phase"]).sort_values("date")
    if not len(f):
        return _empty_periods()
    phase = f["phase"].astype(int).to_numpy()
    dates = pd.to_datetime(f["date"]).to_numpy()
    starts = [0] + [i for i in range(1, len(phase)) if phase[i] != phase[i - 1]]
    rows = []
    for k, i in enumerate(starts):
        stop = dates[starts[k + 1]] if k + 1 < len(starts) else pd.Timestamp(end)
        rows.append((pd.Timestamp(dates[i]), pd.Timestamp(stop), int(phase[i])))
    return pd.DataFrame(rows, columns=["start", "end", "phase"])


def phase_periods(ds: Dataset, assessment: Any, start: date, end: date) -> pd.DataFrame:
    """Observed phase periods from ``classify_history`` clipped to ``start``..``end``.

    Columns ``start``, ``end``, ``phase`` (0-3), ``label``. Empty when the phase history cannot
    be computed from the data.
    """
    from reportgen.analysis import phase as phase_mod

    history = getattr(assessment, "history", None)
    if history is None:
        history = phase_mod.classify_history(ds, end)
    frame = _history_frame(history)
    periods = runs(frame, end)
    if not len(periods):
        return periods
    periods = periods[periods["end"] > pd.Timestamp(start)].copy()
    periods["start"] = periods["start"].clip(lower=pd.Timestamp(start))
    periods["label"] = periods["phase"].map(phase_label)
    return periods.reset_index(drop=True)[list(_PERIOD_COLS)]


def _history_frame(history: Any) -> pd.DataFrame:
    """``classify_history`` output (a frame with a date index or column) as ``date, phase``."""
    if isinstance(history, pd.Series):
        return pd.DataFrame({"date": pd.to_datetime(history.index), "phase": history.to_numpy()})
    frame = history.reset_index() if "date" not in history.columns else history
    col = "phase" if "phase" in frame.columns else "observed_phase"
    return pd.DataFrame({"date": pd.to_datetime(frame["date"]),
                         "phase": pd.to_numeric(frame[col], errors="coerce")})


def fomc_decisions(start: date, end: date) -> pd.DataFrame:
    """FOMC balance-sheet decisions announced between ``start`` and ``end``.

    Columns ``date`` (decision day), ``label`` (the regime and the decision text), ``short``
    (a few words drawn on the chart), ``row`` (0/1: which line of labels it goes on).
    """
    from reportgen.analysis.fomc import load_fomc_decisions

    frame = pd.DataFrame([vars(d) for d in load_fomc_decisions()])
    when = pd.to_datetime(frame["decision_date"])
    keep = (when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))
    frame = frame[keep]
    out = pd.DataFrame({
        "date": pd.to_datetime(frame["decision_date"]).to_numpy(),
        "label": (frame["regime"].astype(str) + ": " + frame["decision"].astype(str)).to_numpy(),
        "short": frame["regime"].astype(str).to_numpy(),
    })
    # Alternate the label rows so that decisions a few weeks apart do not print over each other.
    out["row"] = [i % 2 for i in range(len(out))]
    return out


def composite_history(ds: Dataset, dashboard: Any, start: date,
                      end: date) -> tuple[pd.Series, str]:
    """The plumbing composite (0-100) per business day, and its label.

    Read from the dashboard's own frames when they cover ``start``..``end`` (the same numbers,
    with the thresholds the dashboard used); otherwise from ``signal_history``. Empty when the
    signals package cannot compute it from the data.
    """
    from reportgen.analysis.signals import signal_history

    label = "Plumbing stress composite (0-100)"
    reuse = getattr(dashboard, "composite_values", None)
    s = reuse(start, end) if reuse is not None else None
    if s is None:
        hist = signal_history(ds, start, end)
        comp = hist[hist["signal"] == "composite"]
        s = pd.Series(comp["value"].to_numpy(dtype=float), index=pd.to_datetime(comp["date"]))
    return s.rename("composite").dropna(), label
