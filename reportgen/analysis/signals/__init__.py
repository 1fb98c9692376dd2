"""Plumbing stress signals: is the pipe working, even with a full reservoir?

One module per signal (``repo_rates``, ``srf``, ``repo_segments``, ``auctions``,
``dealer_positions``, ``fails``, ``securities_lending``, ``treasury_volatility``,
``yield_curve``, ``reserves``), the ``composite`` index and the ``feedback_loop``.
:mod:`.base` holds the result types and the shared statistics (signal modules import only it),
:mod:`.registry` the typed record of each signal, :mod:`.dashboard` the two entry points.

Example
-------
>>> dash = compute_dashboard(ds, date(2025, 10, 31))
>>> dash.composite.status, dash.signals["srf"].value
>>> hist = signal_history(ds, date(2018, 1, 1), date(2026, 9, 30))
"""

from __future__ import annotations

from reportgen.analysis.signals.base import (
    ALL_NAMES,
    SIGNAL_NAMES,
    STATUSES,
    CompositeResult,
    FeedbackLoopResult,
    SignalResult,
)
from reportgen.analysis.signals.dashboard import (
    HISTORY_COLUMNS,
    Dashboard,
    compute_dashboard,
    compute_frames,
    signal_history,
)

__all__ = [
    "ALL_NAMES", "HISTORY_COLUMNS", "SIGNAL_NAMES", "STATUSES", "CompositeResult", "Dashboard",
    "FeedbackLoopResult", "SignalResult", "compute_dashboard", "compute_frames",
    "signal_history",
]
