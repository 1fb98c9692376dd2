"""Small hand-made datasets for the signal tests (no store, no files)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from reportgen.analysis.signals import compute_dashboard, signal_history
from reportgen.dataset import Dataset


def bdays(start: str, periods: int) -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=periods, name="date")


def series(index: pd.DatetimeIndex, values: object, name: str = "x") -> pd.Series:
    arr = np.broadcast_to(np.asarray(values, dtype=float), (len(index),)).copy()
    return pd.Series(arr, index=pd.DatetimeIndex(index, name="date"), name=name)


def make_ds(tables: dict[str, pd.DataFrame] | None = None, **series_map: pd.Series) -> Dataset:
    return Dataset(dict(series_map), dict(tables or {}))


def row(ds: Dataset, name: str, day: str, start: str | None = None) -> pd.Series:
    """The history row of signal ``name`` on ``day``."""
    d = date.fromisoformat(day)
    h = signal_history(ds, date.fromisoformat(start) if start else d, d)
    out = h[(h["signal"] == name) & (h["date"] == d)]
    assert len(out) == 1, out
    return out.iloc[0]


def dash(ds: Dataset, day: str):  # noqa: ANN201 - test helper
    return compute_dashboard(ds, date.fromisoformat(day))
