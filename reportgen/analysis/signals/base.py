"""The shared machinery of the stress signals: result types, trailing statistics, alignment, and
the two entry points (:func:`compute_dashboard` for one date, :func:`signal_history` for a range).

How a signal is computed
------------------------
Each signal module computes its whole daily history at once, vectorised:

1. its inputs are combined on their *observation* dates (SOFR minus IORB on the SOFR date) and
   every trailing statistic is a causal rolling window over those observations;
2. the result is moved to the date it became public (observation date + the catalog's
   ``publication_lag_days``) and carried forward onto US business days, until it is stale
   (older than the catalog's ``stale_after_days``), after which the signal is ``unavailable``.

So the row for date D only uses data public on D, whether it is computed in a long history or in
the dashboard (which also cuts the data with ``Dataset.visible(as_of)``). Both paths run the same
code on a business-day grid that starts a full trailing window before the first requested day,
so a dashboard for D equals the history row for D.

A signal module exposes ``NAME``, ``TITLE``, ``UNITS``, ``compute(ctx) -> DataFrame`` (index:
``ctx.days``; columns ``value``, ``status``, ``percentile``, ``zscore``, ``persistent``,
``reason`` and one ``v:<component>`` column per named value), ``explain(row) -> str`` and
optionally ``details(ctx, day, frame) -> dict``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis import calendar
from reportgen.analysis.thresholds import SignalThresholds
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError

NORMAL, ELEVATED, STRESSED, UNAVAILABLE = "normal", "elevated", "stressed", "unavailable"
STATUSES = (NORMAL, ELEVATED, STRESSED, UNAVAILABLE)
_LEVEL = {NORMAL: 0, ELEVATED: 1, STRESSED: 2}
_STATUS_OF_LEVEL = np.array([NORMAL, ELEVATED, STRESSED], dtype=object)

SIGNAL_NAMES = ("repo_rates", "srf", "auctions", "fails", "treasury_volatility", "yield_curve",
                "reserves")
ALL_NAMES = (*SIGNAL_NAMES, "composite", "feedback_loop")


# -- result types ----------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN -> None, dates -> ISO text, numpy scalars -> Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True)
class SignalResult:
    """One signal on one date.

    ``value`` is the headline number in ``units``; ``values`` names every component (units in
    the key, e.g. ``sofr_minus_iorb_bp``). ``percentile`` (0-1) and ``zscore`` compare the
    headline with its trailing three-year window and are ``None`` until the minimum history is
    there. ``persistent`` is True when elevation is "climate" rather than "weather".
    """

    name: str
    title: str
    date: date
    status: str  # "normal" | "elevated" | "stressed" | "unavailable"
    value: float | None
    units: str
    values: dict[str, float | None]
    percentile: float | None
    zscore: float | None
    calendar_windows: tuple[str, ...]
    calendar_explained: bool
    persistent: bool
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN as None, dates as ISO text)."""
        out: dict[str, Any] = _clean(asdict(self))
        return out


@dataclass(frozen=True)
class CompositeResult(SignalResult):
    """The plumbing stress index (0-100): ``live`` components used, ``drivers`` worst first."""

    live: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackLoopResult(SignalResult):
    """The auction / dealer / funding loop: ``state`` dormant|forming|engaged and its evidence."""

    state: str = "dormant"
    chain: tuple[str, ...] = ()


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


# -- context -----------------------------------------------------------------------------------
@dataclass
class Context:
    """What a signal's ``compute`` receives: the data, the output days and the thresholds."""

    ds: Dataset
    days: pd.DatetimeIndex
    th: SignalThresholds
    when_issued: pd.DataFrame | None = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # signals computed so far
    cache: dict[str, Any] = field(default_factory=dict)  # shared intermediate results

    @property
    def cal(self) -> pd.DataFrame:
        if "calendar" not in self.cache:
            self.cache["calendar"] = calendar.calendar_frame(self.days)
        frame: pd.DataFrame = self.cache["calendar"]
        return frame

    def series(self, series_id: str) -> pd.Series:
        """The stored observations of ``series_id`` (catalog units), NaN rows dropped."""
        s = self.ds.series(series_id).dropna()
        s = s[~s.index.duplicated(keep="last")].sort_index()
        return s.astype("float64")

    def billions(self, series_id: str) -> pd.Series:
        """``series_id`` in USD billions, via the catalog."""
        return self.series(series_id) * catalog.billions_factor(series_id)


def lag_days(*series_ids: str) -> int:
    """Publication lag of a quantity built from ``series_ids``: the largest of theirs."""
    return max((catalog.series(s).publication_lag_days for s in series_ids), default=0)


def stale_days(*series_ids: str) -> int:
    """Days a quantity built from ``series_ids`` may be carried forward: the smallest of theirs."""
    return min((catalog.series(s).stale_after_days for s in series_ids), default=5)


def align(obs: pd.DataFrame | pd.Series, days: pd.DatetimeIndex, lag: int,
          stale: int) -> pd.DataFrame:
    """Move observation-dated rows to the day they became public and carry them onto ``days``.

    A row observed on t is visible from ``t + lag`` calendar days; on each day the latest
    visible row is used while it is at most ``stale`` days old, otherwise the row is NaN.
    The extra column ``obs_date`` says which observation each day uses.
    """
    frame = obs.to_frame() if isinstance(obs, pd.Series) else obs
    frame = frame.sort_index()
    # Booleans become 0/1 floats so that missing days can hold NaN.
    bools = [c for c in frame.columns if frame[c].dtype == bool]
    if bools:
        frame = frame.astype({c: float for c in bools})
    visible = frame.index + pd.Timedelta(days=lag)
    pos = visible.searchsorted(days, side="right") - 1
    ok = pos >= 0
    safe = np.where(ok, pos, 0)
    if len(frame):
        age = (days.to_numpy() - visible.to_numpy()[safe]) / np.timedelta64(1, "D")
        ok &= age <= stale
    out = frame.iloc[safe].copy() if len(frame) else frame.reindex(range(len(days)))
    out.index = days
    out["obs_date"] = frame.index.to_numpy()[safe] if len(frame) else pd.NaT
    out.loc[~ok, :] = np.nan
    out.loc[~ok, "obs_date"] = pd.NaT
    return out


def trailing_stats(s: pd.Series, window_days: int, min_periods: int) -> pd.DataFrame:
    """Percentile (0-1, rank of today within the window) and z-score (against the window
    *before* today) of ``s`` over a trailing calendar window; NaN until ``min_periods``.

    Example
    -------
    >>> s = pd.Series([1.0] * 200 + [9.0], index=pd.bdate_range("2020-01-01", periods=201))
    >>> trailing_stats(s, 1095, 120).iloc[-1]["percentile"]
    1.0
    """
    s = s.dropna()
    if s.empty:
        return pd.DataFrame({"percentile": pd.Series(dtype=float),
                             "zscore": pd.Series(dtype=float)}, index=s.index)
    win = f"{window_days}D"
    pct = s.rolling(win, min_periods=min_periods).rank(pct=True)
    prior = s.shift(1)
    roll = prior.rolling(win, min_periods=min_periods - 1)
    mean, sd = roll.mean(), roll.std()
    z = (s - mean) / sd.where(sd > 1e-9)
    return pd.DataFrame({"percentile": pct, "zscore": z})


def status_from_levels(level: pd.Series | np.ndarray) -> np.ndarray:
    """0/1/2 (NaN = unavailable) as status strings."""
    arr = np.asarray(level, dtype=float)
    out = np.full(arr.shape, UNAVAILABLE, dtype=object)
    ok = ~np.isnan(arr)
    out[ok] = _STATUS_OF_LEVEL[arr[ok].astype(int).clip(0, 2)]
    return out


def level_of(status: pd.Series) -> pd.Series:
    """Status strings as 0/1/2, NaN where unavailable."""
    return status.map(_LEVEL).astype(float)


def persistence(level: pd.Series, window: int, minimum: int) -> pd.Series:
    """True where at least ``minimum`` of the last ``window`` rows were elevated or worse."""
    hot = (level >= 1).astype(float)
    return hot.rolling(window, min_periods=1).sum() >= minimum


def empty_frame(days: pd.DatetimeIndex, reason: str,
                components: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame saying the signal is unavailable on every day, and why."""
    frame = pd.DataFrame(index=days)
    frame["value"] = np.nan
    frame["status"] = UNAVAILABLE
    frame["percentile"] = np.nan
    frame["zscore"] = np.nan
    frame["persistent"] = False
    frame["reason"] = reason
    for c in components:
        frame[f"v:{c}"] = np.nan
    return frame


def finish(frame: pd.DataFrame, level: pd.Series, reason: str, th: SignalThresholds,
           persistent: pd.Series | None = None) -> pd.DataFrame:
    """Set ``status`` from ``level`` (NaN = unavailable), ``reason`` on unavailable days and
    ``persistent`` (business-day persistence unless given)."""
    frame["status"] = status_from_levels(level)
    if persistent is None:
        persistent = persistence(level, th.persist_window_days, th.persist_min_days)
    frame["persistent"] = persistent.reindex(frame.index).fillna(False).astype(bool).to_numpy()
    frame.loc[frame["status"] == UNAVAILABLE, "persistent"] = False
    frame["reason"] = np.where(frame["status"] == UNAVAILABLE, reason, "")
    for col in ("value", "percentile", "zscore"):
        if col not in frame:
            frame[col] = np.nan
    return frame


def fmt(value: Any, spec: str = ".1f", unit: str = "") -> str:
    """A number for an explanation sentence; 'n/a' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:{spec}}{unit}"


# -- registry and entry points ---------------------------------------------------------------
def _modules() -> dict[str, ModuleType]:
    from reportgen.analysis.signals import (
        auctions,
        composite,
        fails,
        feedback_loop,
        repo_rates,
        reserves,
        srf,
        treasury_volatility,
        yield_curve,
    )

    return {
        "repo_rates": repo_rates, "srf": srf, "auctions": auctions, "fails": fails,
        "treasury_volatility": treasury_volatility, "yield_curve": yield_curve,
        "reserves": reserves, "composite": composite, "feedback_loop": feedback_loop,
    }


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
    modules = _modules()
    cal_labels = calendar.labels(ctx.cal).to_numpy()
    for name in ALL_NAMES:
        frame = modules[name].compute(ctx)
        ctx.frames[name] = _add_calendar(frame, cal_labels)
    return {n: ctx.frames[n] for n in ALL_NAMES}, ctx


def _add_calendar(frame: pd.DataFrame, cal_labels: np.ndarray) -> pd.DataFrame:
    """The calendar windows of each row: the day's, unless the signal set its own column.

    A weekly figure (dealer fails) is published days after the week it covers, so what can
    explain it is a window inside that week, which the signal supplies itself.
    """
    if "calendar" in frame.columns:
        frame["calendar"] = frame["calendar"].where(frame["calendar"].notna(), "").astype(str)
    else:
        frame["calendar"] = cal_labels
    hot = frame["status"].isin([ELEVATED, STRESSED]).to_numpy()
    frame["calendar_explained"] = hot & (frame["calendar"] != "").to_numpy()
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
    module = _modules()[name]
    row = frame.loc[pd.Timestamp(day)]
    values = {c[2:]: _opt(row[c]) for c in frame.columns if c.startswith("v:")}
    windows = tuple(w for w in str(row["calendar"]).split(";") if w)
    explain: Callable[[pd.Series], str] = module.explain
    explanation = (f"{module.TITLE} unavailable: {row['reason']}."
                   if row["status"] == UNAVAILABLE else explain(row))
    details_fn = getattr(module, "details", None)
    details = details_fn(ctx, day, frame) if details_fn is not None else {}
    common: dict[str, Any] = dict(
        name=name, title=module.TITLE, date=day, status=str(row["status"]),
        value=_opt(row["value"]), units=module.UNITS, values=values,
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
