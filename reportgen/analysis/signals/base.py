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
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis import calendar
from reportgen.analysis.thresholds import SignalThresholds
from reportgen.dataset import Dataset

NORMAL, ELEVATED, STRESSED, UNAVAILABLE = "normal", "elevated", "stressed", "unavailable"
STATUSES = (NORMAL, ELEVATED, STRESSED, UNAVAILABLE)
_LEVEL = {NORMAL: 0, ELEVATED: 1, STRESSED: 2}
_STATUS_OF_LEVEL = np.array([NORMAL, ELEVATED, STRESSED], dtype=object)

SIGNAL_NAMES = ("repo_rates", "srf", "repo_segments", "auctions", "dealer_positions", "fails",
                "securities_lending", "treasury_volatility", "yield_curve", "reserves")
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
        return observations(self.ds, series_id)

    def billions(self, series_id: str) -> pd.Series:
        """``series_id`` in USD billions, via the catalog."""
        return self.series(series_id) * catalog.billions_factor(series_id)


def observations(ds: Dataset, series_id: str) -> pd.Series:
    """The stored observations of ``series_id`` in catalog units: sorted, float, NaN rows and
    repeated dates dropped (the last one kept)."""
    s = ds.series(series_id).dropna()
    s = s[~s.index.duplicated(keep="last")].sort_index()
    return s.astype("float64")


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




def band_level(x: pd.Series, elevated: float, stressed: float) -> pd.Series:
    """0 / 1 / 2 where ``x`` reaches ``elevated`` / ``stressed`` (NaN where ``x`` is NaN): the
    one place a value is banded by two thresholds."""
    return level_where(x >= elevated, x >= stressed, x.index).where(x.notna())


def level_where(elevated: Any, stressed: Any, index: pd.Index) -> pd.Series:
    """0 / 1 / 2 from two boolean conditions (stressed wins over elevated)."""
    return pd.Series(np.where(np.asarray(stressed, dtype=bool), 2.0,
                              np.where(np.asarray(elevated, dtype=bool), 1.0, 0.0)), index=index)
