"""The entry points of the stress signals: :func:`compute_dashboard` for one date and
:func:`signal_history` for a range, both running every signal of the registry over the same
business-day grid (see :mod:`.base` for how a signal is computed and aligned to public dates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from reportgen.analysis import calendar
from reportgen.analysis.signals.base import (
    ALL_NAMES,
    ELEVATED,
    STRESSED,
    UNAVAILABLE,
    CompositeResult,
    Context,
    FeedbackLoopResult,
    SignalResult,
)
from reportgen.analysis.signals.feedback_loop import FUNDING
from reportgen.analysis.signals.registry import SIGNALS, spec
from reportgen.analysis.thresholds import SignalThresholds
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError


@dataclass(frozen=True)
class Dashboard:
    """Every signal, the composite and the feedback loop for ``as_of``.

    ``frames`` and ``context`` are the daily computation behind it (every business day from a
    trailing window before ``as_of``): :meth:`composite_values` and :meth:`at` read earlier
    days from them instead of computing the signals again.
    """

    as_of: date
    signals: dict[str, SignalResult]
    composite: CompositeResult
    feedback_loop: FeedbackLoopResult
    frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    context: Context | None = field(default=None, repr=False, compare=False)

    def composite_values(self, start: date, end: date) -> pd.Series | None:
        """The composite index (0-100) on each business day from ``start`` to ``end``, read from
        the frames; ``None`` when they do not hold that range. Equal to the ``value`` column of
        ``signal_history`` for the composite (each day's index uses only data public then; only
        the index's own percentile depends on how far back the frames reach)."""
        frame = self.frames.get("composite")
        days = calendar.business_days(start, end)
        if frame is None or not len(frame) or end > self.as_of or (
                len(days) and days[0] < frame.index[0]):
            return None
        return frame["value"].astype(float).reindex(days).rename("composite")

    def at(self, day: date) -> Dashboard | None:
        """The dashboard of an earlier ``day`` from the same frames, equal to
        ``compute_dashboard(ds, day)`` on the same data (every row uses only data public on its
        date). ``None`` when ``day`` is not one of their days, or when they do not reach a full
        trailing window before it (the composite's own percentile needs one)."""
        if self.context is None or not self.frames or day > self.as_of:
            return None
        grid = self.frames["composite"].index
        when = pd.Timestamp(day)
        if when not in grid or when - pd.Timedelta(days=self.context.th.window_days) < grid[0]:
            return None
        return _dashboard(self.frames, self.context, day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "signals": {k: v.to_dict() for k, v in self.signals.items()},
            "composite": self.composite.to_dict(),
            "feedback_loop": self.feedback_loop.to_dict(),
        }

    def rows(self) -> list[SignalResult]:
        """Signals in display order, then the composite and the loop."""
        return [*self.signals.values(), self.composite, self.feedback_loop]



def compute_frames(ds: Dataset, start: date, end: date, thresholds: SignalThresholds | None = None,
                   when_issued: pd.DataFrame | None = None,
                   extra_day: date | None = None) -> tuple[dict[str, pd.DataFrame], Context]:
    """Every signal's daily frame on business days from a window before ``start`` to ``end``."""
    th = thresholds or SignalThresholds()
    # Pad by a full trailing window (plus slack) so that percentiles of derived quantities
    # (the composite) and persistence look-backs are the same whatever ``start`` is.
    pad_start = start - timedelta(days=th.window_days + 60)
    days = calendar.business_days(pad_start, end)
    if extra_day is not None and pd.Timestamp(extra_day) not in days:
        days = days.append(pd.DatetimeIndex([pd.Timestamp(extra_day)])).sort_values()
        days.name = "date"
    ctx = Context(ds, days, th, when_issued)
    cal_labels = calendar.labels(ctx.cal).to_numpy()
    for signal in SIGNALS:
        ctx.frames[signal.name] = _add_calendar(signal.compute(ctx), cal_labels,
                                                signal.name in FUNDING)
    return {n: ctx.frames[n] for n in ALL_NAMES}, ctx


#: The windows whose cash and collateral needs can explain even stressed funding.
PERIOD_ENDS = ("month-end", "quarter-end", "year-end")


def _add_calendar(frame: pd.DataFrame, cal_labels: np.ndarray, funding: bool) -> pd.DataFrame:
    """The calendar windows of each row, and whether they explain its stress.

    Windows belong to the date the figure is *for*: a rate published on 3 Nov for 31 Oct is
    explained by the month-end, not by the refunding week it was read in. So each row takes the
    windows of its observation date (``obs_date``) where the signal has one, the windows the
    signal set itself where it has its own (a weekly fails figure: the windows inside the week
    it covers), else those of the day itself (``cal_labels``).

    Stress is ``calendar_explained`` only when it falls in a window *and* is not persistent:
    stress that outlasts its window is not the kind that usually passes. And only where the
    calendar is a cause: the funding signals (``funding``: tax dates, settlements and
    period-ends move cash and collateral), and at the elevated level. Treasury volatility in
    the week of a 75 bp hike (15 Jun 2022) or of SVB (13 Mar 2023) is not explained by the
    coupon settlement on the same day. A mid-month window explains elevated funding only:
    SOFR +295 bp (17 Sep 2019) or +29 bp in the dash for cash (17 Mar 2020) on a tax date is
    beyond what it brings; a period-end may explain a stressed spike (a quarter-end).
    """
    if "calendar" in frame.columns:
        frame["calendar"] = frame["calendar"].where(frame["calendar"].notna(), "").astype(str)
    elif "obs_date" in frame.columns and frame["obs_date"].notna().any():
        obs = pd.to_datetime(frame["obs_date"])
        known = pd.DatetimeIndex(obs.dropna().unique()).sort_values()
        by_date = calendar.labels(calendar.calendar_frame(known))
        frame["calendar"] = obs.map(by_date).where(obs.notna(), "").fillna("").astype(str)
    else:
        frame["calendar"] = cal_labels
    # A period-end can explain stressed funding (a quarter-end spike); a mid-month window (tax
    # date, coupon settlement, refunding) only elevated.
    period_end = frame["calendar"].str.contains("|".join(PERIOD_ENDS)).to_numpy()
    explainable = funding & ((frame["status"] == ELEVATED).to_numpy()
                             | (period_end & (frame["status"] == STRESSED).to_numpy()))
    lasting = frame["persistent"].fillna(False).astype(bool).to_numpy()
    frame["calendar_explained"] = explainable & (frame["calendar"] != "").to_numpy() & ~lasting
    return frame


def _opt(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def result_from_row(name: str, frame: pd.DataFrame, day: date, ctx: Context) -> SignalResult:
    """The typed result of signal ``name`` on ``day`` from its computed frame."""
    signal = spec(name)
    row = frame.loc[pd.Timestamp(day)]
    values = {c[2:]: _opt(row[c]) for c in frame.columns if c.startswith("v:")}
    windows = tuple(w for w in str(row["calendar"]).split(";") if w)
    explanation = (f"{signal.title} unavailable: {row['reason']}."
                   if row["status"] == UNAVAILABLE else signal.explain(row))
    details = signal.details(ctx, day, frame) if signal.details is not None else {}
    common: dict[str, Any] = dict(
        name=name, title=signal.title, date=day, status=str(row["status"]),
        value=_opt(row["value"]), units=signal.units, values=values,
        percentile=_opt(row["percentile"]), zscore=_opt(row["zscore"]),
        calendar_windows=windows, calendar_explained=bool(row["calendar_explained"]),
        persistent=bool(row["persistent"]), explanation=explanation, details=details,
    )
    if name == "composite":
        return CompositeResult(**common, live=tuple(details.get("live", ())),
                               drivers=tuple(details.get("drivers", ())))
    if name == "feedback_loop":
        return FeedbackLoopResult(**common, state=str(row["state"]),
                                  chain=tuple(details.get("chain", ())))
    return SignalResult(**common)


def compute_dashboard(ds: Dataset, as_of: date, thresholds: SignalThresholds | None = None,
                      when_issued: pd.DataFrame | None = None) -> Dashboard:
    """Every stress signal, the composite and the feedback loop as of ``as_of``.

    Uses only data public on ``as_of`` (``ds.visible(as_of)``). Signals whose inputs are
    missing or stale are ``unavailable`` with the reason in their explanation.

    Parameters
    ----------
    ds : Dataset
        The store snapshot (any extent; it is cut at ``as_of``).
    as_of : date
        The date of the dashboard.
    thresholds : SignalThresholds, optional
        Defaults to ``SignalThresholds()``.
    when_issued : DataFrame, optional
        User-supplied when-issued yields (``auction_date``, ``original_security_term``,
        ``wi_yield`` in percent) for true auction tails; without it tails are proxies.

    Example
    -------
    >>> dash = compute_dashboard(ds, date(2019, 9, 18))
    >>> dash.signals["repo_rates"].status
    'stressed'
    """
    visible = ds.visible(as_of)
    frames, ctx = compute_frames(visible, as_of, as_of, thresholds, when_issued, extra_day=as_of)
    return _dashboard(frames, ctx, as_of)


def _dashboard(frames: dict[str, pd.DataFrame], ctx: Context, day: date) -> Dashboard:
    results = {name: result_from_row(name, frames[name], day, ctx) for name in ALL_NAMES}
    composite = results.pop("composite")
    loop = results.pop("feedback_loop")
    assert isinstance(composite, CompositeResult) and isinstance(loop, FeedbackLoopResult)
    return Dashboard(day, results, composite, loop, frames, ctx)


HISTORY_COLUMNS = ("date", "signal", "value", "status", "percentile", "zscore", "calendar",
                   "persistent", "state")


def signal_history(ds: Dataset, start: date, end: date, thresholds: SignalThresholds | None = None,
                   when_issued: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table of every signal on every US business day from ``start`` to ``end``.

    Columns: ``date, signal, value, status, percentile, zscore, calendar, persistent, state``;
    one row per business day and signal (the seven signals, ``composite`` and
    ``feedback_loop``). ``status`` is normal|elevated|stressed|unavailable; ``state`` repeats it,
    except for ``feedback_loop`` where it is dormant|forming|engaged. The row for D uses only
    data public on D (inputs shifted by their publication lags).

    Example
    -------
    >>> h = signal_history(ds, date(2019, 9, 1), date(2019, 9, 30))
    >>> h[(h.signal == "repo_rates") & (h.date == date(2019, 9, 17))].status.item()
    'stressed'
    """
    if end < start:
        raise DataUnavailableError(f"the history ends ({end}) before it starts ({start}); "
                                   "swap --start and --end")
    frames, _ = compute_frames(ds, start, end, thresholds, when_issued)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    parts = []
    for name in ALL_NAMES:
        f = frames[name].loc[lo:hi]
        part = pd.DataFrame({
            "date": f.index.date,
            "signal": name,
            "value": f["value"].astype(float).to_numpy(),
            "status": f["status"].to_numpy(),
            "percentile": f["percentile"].astype(float).to_numpy(),
            "zscore": f["zscore"].astype(float).to_numpy(),
            "calendar": f["calendar"].to_numpy(),
            "persistent": f["persistent"].astype(bool).to_numpy(),
            "state": f["state"].to_numpy() if "state" in f else f["status"].to_numpy(),
        })
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    order = {n: i for i, n in enumerate(ALL_NAMES)}
    out["_o"] = out["signal"].map(order)
    out = out.sort_values(["date", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[list(HISTORY_COLUMNS)]
