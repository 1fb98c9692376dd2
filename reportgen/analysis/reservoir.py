"""The reservoir: reserve balances, the ON RRP buffer, the Treasury's cash (TGA) and net liquidity.

The one owner of these quantities: the ``reserves`` signal, the reservoir table and sentences and
the reservoir charts all read them from here, so they cannot disagree.

Units: USD billions throughout (the H.4.1 in millions and ON RRP in billions are converted
through the catalog). Dates: H.4.1 Wednesdays for the weekly series; ON RRP is daily.

- **TGA** on each H.4.1 Wednesday: the Wednesday level ``WDTGAL``, else the Daily Treasury
  Statement close of that day (``TGA_DTS``), else the H.4.1 week average ``WTREGEN``.
- **ON RRP** on a Wednesday: the last daily take-up on or before it, at most four days old
  (``RRPONTSYD`` lists only days with an operation).
- **Net liquidity** = Fed total assets (``WALCL``) - TGA - ON RRP, on the Wednesdays where all
  three exist.

Example
-------
>>> net_liquidity(ds).loc["2025-10-29"]
5712.4
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reportgen.dataset import Dataset

#: How far back the last ON RRP take-up may lie for a Wednesday (a holiday, a weekend).
RRP_TOLERANCE_DAYS = 4
#: The horizons of the reservoir table, in weeks.
HORIZONS = (4, 13, 52)


def _bn(ds: Dataset, series_id: str) -> pd.Series:
    s = ds.billions(series_id).dropna().astype(float)
    return s[~s.index.duplicated(keep="last")].sort_index()


def _on(s: pd.Series, index: pd.DatetimeIndex, tolerance_days: int) -> pd.Series:
    """``s`` on ``index``: the last value on or before each date, at most that many days old."""
    if s.empty:
        return pd.Series(float("nan"), index=index)
    return s.reindex(index, method="ffill", tolerance=pd.Timedelta(days=tolerance_days))


def reserves(ds: Dataset) -> pd.Series:
    """Reserve balances with Federal Reserve Banks, USD bn, weekly (``WRESBAL``)."""
    return _bn(ds, "WRESBAL").rename("reserves_bn")


def total_assets(ds: Dataset) -> pd.Series:
    """Fed total assets (``WALCL``), USD bn, Wednesday level."""
    return _bn(ds, "WALCL").rename("walcl_bn")


def on_rrp(ds: Dataset) -> pd.Series:
    """Daily ON RRP take-up (``RRPONTSYD``), USD bn."""
    return _bn(ds, "RRPONTSYD").rename("on_rrp_bn")


def tga_on(ds: Dataset, wednesdays: pd.DatetimeIndex) -> pd.Series:
    """The TGA on each of ``wednesdays``, USD bn (rule in the module docstring)."""
    out = _on(_bn(ds, "WDTGAL"), wednesdays, 0)
    out = out.combine_first(_on(_bn(ds, "TGA_DTS"), wednesdays, 0))
    return out.combine_first(_on(_bn(ds, "WTREGEN"), wednesdays, 0)).rename("tga_bn")


def tga(ds: Dataset) -> pd.Series:
    """The TGA on every H.4.1 week of the data (the Wednesdays of ``WALCL``, else of the TGA
    series themselves), USD bn, NaN rows dropped."""
    weeks = total_assets(ds).index
    for sid in ("WDTGAL", "WTREGEN"):
        weeks = weeks.union(_bn(ds, sid).index)
    return tga_on(ds, pd.DatetimeIndex(weeks)).dropna()


def on_rrp_on(ds: Dataset, dates: pd.DatetimeIndex) -> pd.Series:
    """ON RRP take-up on each of ``dates``, USD bn; NaN before the facility's first day."""
    rrp = on_rrp(ds)
    out = _on(rrp, dates, RRP_TOLERANCE_DAYS)
    if len(rrp):
        out[dates < rrp.index.min()] = float("nan")
    return out


def net_liquidity(ds: Dataset) -> pd.Series:
    """Fed total assets - TGA - ON RRP on H.4.1 Wednesdays, USD bn (NaN rows dropped)."""
    walcl = total_assets(ds)
    if walcl.empty:
        return pd.Series(dtype=float, name="net_liquidity_bn")
    weeks = pd.DatetimeIndex(walcl.index)
    net = walcl - tga_on(ds, weeks) - on_rrp_on(ds, weeks)
    return net.dropna().rename("net_liquidity_bn")


def change_over(s: pd.Series, weeks: int) -> float | None:
    """The change of ``s`` over ``weeks`` up to its last value; None without a comparable
    observation (none that old, or the nearest one more than ten days short of the horizon,
    after a gap in the data)."""
    s = s.dropna()
    if len(s) < 2:
        return None
    last = s.index.max()
    before = s.loc[: last - pd.Timedelta(weeks=weeks)]
    if not len(before) or (last - before.index[-1]).days > weeks * 7 + 10:
        return None
    return float(s.iloc[-1] - before.iloc[-1])


@dataclass(frozen=True)
class ReservoirRow:
    """One quantity of the reservoir table: its latest value, date and changes (USD bn)."""

    key: str
    label: str
    basis: str
    latest_bn: float
    date: pd.Timestamp
    change_4w_bn: float | None
    change_13w_bn: float | None
    change_52w_bn: float | None
    #: The change over the last week (the lead of page 1 states the week's large moves).
    change_1w_bn: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "basis": self.basis,
                "latest_bn": round(self.latest_bn, 3), "date": self.date.date().isoformat(),
                "change_1w_bn": _r(self.change_1w_bn),
                "change_4w_bn": _r(self.change_4w_bn), "change_13w_bn": _r(self.change_13w_bn),
                "change_52w_bn": _r(self.change_52w_bn)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass(frozen=True)
class Reservoir:
    """The reservoir as of a date: the table rows and the series behind them (USD bn)."""

    rows: tuple[ReservoirRow, ...]
    series: dict[str, pd.Series]

    def row(self, key: str) -> ReservoirRow | None:
        return next((r for r in self.rows if r.key == key), None)

    def to_dict(self) -> dict[str, object]:
        return {"rows": [r.to_dict() for r in self.rows]}


#: key, label, basis of each table row (in table order).
ROWS = (
    ("walcl", "Fed total assets", "Wednesday level"),
    ("reserves", "Reserve balances", "week average"),
    ("net_liquidity", "Net liquidity", "Wednesday"),
    ("tga", "Treasury General Account", "Wednesday level"),
    ("on_rrp", "ON RRP", "daily"),
)


def reservoir(ds: Dataset) -> Reservoir:
    """The reservoir table of ``ds`` (already cut at the briefing date)."""
    series = {"walcl": total_assets(ds), "reserves": reserves(ds),
              "net_liquidity": net_liquidity(ds), "tga": tga(ds), "on_rrp": on_rrp(ds)}
    rows = []
    for key, label, basis in ROWS:
        s = series[key]
        if not len(s):
            continue
        c4, c13, c52 = (change_over(s, w) for w in HORIZONS)
        rows.append(ReservoirRow(key, label, basis, float(s.iloc[-1]), pd.Timestamp(s.index[-1]),
                                 c4, c13, c52, change_1w_bn=change_over(s, 1)))
    return Reservoir(tuple(rows), series)
