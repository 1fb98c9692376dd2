"""The briefing week, not the day: each signal's extreme over the week, and how live each is.

A weekly briefing that reports only the last day misses the week's event: on 20 Sep 2019 the
last day was calm again, three days after SOFR printed 5.25%. So for every signal this module
reads the dashboard's own daily frames over the business days of the briefing week (the days
after the previous weekly briefing, up to the date) and keeps the most extreme reading with
the date it is *for* (its observation date), its status and the worst status of the week.

It also says, per signal, whether the reading is live, stale (the last reading, dated), did not
exist yet (the SRF before 28 Jul 2021, the OFR's DVP rate before 2022; dealer positions in the
first weeks of a series break), or has no data at all: missing data is never calm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from reportgen.analysis.signals.auctions import auction_table
from reportgen.analysis.signals.base import UNAVAILABLE
from reportgen.analysis.signals.dashboard import Dashboard
from reportgen.analysis.signals.registry import BY_NAME
from reportgen.dataset import Dataset

_LEVEL = {"normal": 0, "elevated": 1, "stressed": 2}

#: What each signal's week is judged by: (frame column, "max" or "min", what it is, units).
MEASURES: dict[str, tuple[str, str, str, str]] = {
    "repo_rates": ("v:sofr_minus_ref_bp", "max", "SOFR over the policy rate", "bp"),
    "srf": ("v:takeup_bn", "max", "Standing Repo Facility take-up", "USD bn"),
    "repo_segments": ("v:spread_bp", "max", "DVP repo over tri-party", "bp"),
    "dealer_positions": ("v:total_bn", "max", "dealers' net Treasury positions", "USD bn"),
    "fails": ("v:fails_total_bn", "max", "weekly Treasury fails", "USD bn"),
    "securities_lending": ("v:volume_bn", "max", "SOMA securities lending", "USD bn"),
    "treasury_volatility": ("v:vol_bp", "max", "realised Treasury volatility", "bp a day"),
    "yield_curve": ("value", "min", "the 10y-3m spread", "bp"),
    "composite": ("value", "max", "the plumbing stress index", "index"),
}

#: When a signal's source first existed, and the words to say so.
EXISTS_FROM: dict[str, tuple[date, str]] = {
    "srf": (date(2021, 7, 28), "the Standing Repo Facility was set up on 28 Jul 2021"),
    "repo_rates": (date(2018, 4, 3), "SOFR was first published on 3 Apr 2018"),
    # The OFR's DVP series begin with 3 Jan 2022 (the first value of a full-history request),
    # public the next business day.
    "repo_segments": (date(2022, 1, 4), "the OFR's DVP repo series begin on 3 Jan 2022"),
}


#: What stood in for a source before it existed, from when, and the words to say so.
BEFORE_IT: dict[str, tuple[date, str]] = {
    "srf": (date(2019, 9, 17), "the Fed's ad hoc repo operations, run from 17 Sep 2019, "
                               "are not in the stored history"),
}


@dataclass(frozen=True)
class WeekExtreme:
    """A signal's most extreme reading of the briefing week.

    ``value`` in ``units``; ``date`` is the day the figure is for (a SOFR print, a take-up, the
    Wednesday a fails week ends, an auction date), ``status`` the signal's status on the day it
    was public and ``worst_status`` the worst of the week.
    """

    signal: str
    title: str
    measure: str
    units: str
    value: float
    date: date
    status: str
    worst_status: str
    calendar_windows: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    persistent: bool = False  # stressed on most recent days up to that date ("climate")
    calendar_explained: bool = False  # in a calendar window of its date and not persistent

    @property
    def level(self) -> int:
        return _LEVEL.get(self.worst_status, -1)

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "title": self.title, "measure": self.measure,
                "units": self.units, "value": _rounded(self.value),
                "date": self.date.isoformat(), "status": self.status,
                "worst_status": self.worst_status,
                "calendar_windows": list(self.calendar_windows),
                "persistent": self.persistent, "calendar_explained": self.calendar_explained,
                "extra": {k: (_rounded(v) if isinstance(v, float) else v)
                          for k, v in self.extra.items()}}


def _rounded(value: float) -> float | None:
    """A figure for JSON: 4 decimals, None where it is missing (an auction without a tail)."""
    return None if not np.isfinite(value) else round(float(value), 4)


def _number(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _window(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return frame.loc[pd.Timestamp(start): pd.Timestamp(end)]


def _obs_day(row: pd.Series, fallback: pd.Timestamp) -> date:
    when = row.get("obs_date") if "obs_date" in row else None
    when = fallback if when is None or pd.isna(when) else when
    return pd.Timestamp(when).date()


def _extreme(name: str, frame: pd.DataFrame, start: date, end: date) -> WeekExtreme | None:
    col, how, measure, units = MEASURES[name]
    rows = _window(frame, start, end)
    rows = rows[rows["status"] != UNAVAILABLE]
    if col not in rows or rows[col].notna().sum() == 0:
        return None
    worst = max((_LEVEL[s] for s in rows["status"]), default=0)
    # The extreme among the days of the week's worst status: the day reported is one that
    # shows the week's status (a spike judged normal must not stand for an elevated week).
    at_worst = rows[[_LEVEL[s] == worst for s in rows["status"]]]
    values = at_worst[col].astype(float)
    if values.notna().sum() == 0:
        at_worst, values = rows, rows[col].astype(float)
    at = values.idxmax() if how == "max" else values.idxmin()
    row = at_worst.loc[at]
    extra: dict[str, Any] = {}
    if name == "repo_rates":
        extra = {"sofr_pct": float(row["v:sofr_pct"]), "reference": str(row["ref"]),
                 "reference_pct": float(row["v:reference_pct"])}
        if rows["v:dispersion_bp"].notna().any():
            extra["widest_dispersion_bp"] = float(rows["v:dispersion_bp"].max())
    elif name == "repo_segments":
        extra = {"dvp_pct": float(row["v:dvp_pct"]), "reference": str(row["reference"]),
                 "reference_pct": float(row["v:reference_pct"]),
                 "vintage": str(row["vintage"])}
    elif name == "dealer_positions":
        extra = {"change_bn": _number(row["v:change_bn"]),
                 "change_weeks": int(row["change_weeks"]),
                 "series_break": str(row["series_break"]),
                 "driver": str(row.get("driver") or "") or None}
    elif name == "securities_lending":
        extra = {"top_share_pct": _number(row["v:top_share_pct"]),
                 "ratio_to_median": _number(row["v:ratio_to_median"])}
    windows = tuple(w for w in str(row.get("calendar", "")).split(";") if w)
    return WeekExtreme(name, BY_NAME[name].title, measure, units, float(values.loc[at]),
                       _obs_day(row, pd.Timestamp(at)), str(row["status"]),
                       ("normal", "elevated", "stressed")[worst], windows, extra,
                       persistent=bool(row.get("persistent", False)),
                       calendar_explained=bool(row.get("calendar_explained", False)))


def _weakest_auction(dashboard: Dashboard, start: date, end: date) -> WeekExtreme | None:
    """The weakest note or bond auction held in the week (most weakness criteria, then the
    widest tail), with the signal's judgement of it."""
    ctx = dashboard.context
    if ctx is None:
        return None
    table = auction_table(ctx)
    if not len(table):
        return None
    held = table[(table["day"] >= pd.Timestamp(start)) & (table["day"] <= pd.Timestamp(end))
                 & table["judged"].astype(bool)]
    if not len(held):
        return None
    order = held.assign(_tail=held["tail_bp"].fillna(-np.inf)).sort_values(
        ["criteria_met", "_tail"], ascending=False)
    r = order.iloc[0]
    status = "stressed" if bool(r["flagged"]) and bool(r["weak"]) else \
        "elevated" if bool(r["weak"]) else "normal"
    return WeekExtreme("auctions", BY_NAME["auctions"].title, f"the {r['tenor']} auction",
                       "bp", float(r["tail_bp"]) if pd.notna(r["tail_bp"]) else float("nan"),
                       pd.Timestamp(r["day"]).date(), status, status, (),
                       {"tenor": str(r["tenor"]), "weak": bool(r["weak"]),
                        "criteria_met": int(r["criteria_met"]),
                        "bid_to_cover": float(r["bid_to_cover_ratio"]),
                        "dealer_share_pct": float(r["dealer_share_pct"])
                        if pd.notna(r["dealer_share_pct"]) else None,
                        "held": int(len(held))})


def week_extremes(dashboard: Dashboard, start: date, end: date) -> dict[str, WeekExtreme]:
    """Each signal's extreme over the public days ``start``..``end`` (see the module)."""
    out: dict[str, WeekExtreme] = {}
    for name in MEASURES:
        frame = dashboard.frames.get(name)
        if frame is None:
            continue
        found = _extreme(name, frame, start, end)
        if found is not None:
            out[name] = found
    weakest = _weakest_auction(dashboard, start, end)
    if weakest is not None:
        out["auctions"] = weakest
    return out


def events(extremes: dict[str, WeekExtreme]) -> list[WeekExtreme]:
    """The week's events worth leading with: the extremes of the pipe signals that reached
    elevated or worse, most severe first (the composite and the curve are summaries, not
    events)."""
    hot = [e for n, e in extremes.items() if n not in ("composite", "yield_curve")
           and _LEVEL.get(e.worst_status, 0) >= 1]
    return sorted(hot, key=lambda e: (-_LEVEL[e.worst_status], -_LEVEL.get(e.status, 0)))


# -- coverage ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """Whether a signal's reading is live on the briefing date, and if not, why.

    ``state``: ``live``; ``stale`` (the last reading is ``last_value`` / ``last_status`` for
    ``last_date``, the day it was for); ``not_yet`` (its source did not exist then, or it has
    too little history to be judged yet: dealer positions early in a series break);
    ``missing`` (no data for it at all).
    """

    signal: str
    state: str
    reason: str
    last_date: date | None = None
    last_value: float | None = None
    last_status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "state": self.state, "reason": self.reason,
                "last_date": self.last_date.isoformat() if self.last_date else None,
                "last_value": None if self.last_value is None else round(self.last_value, 4),
                "last_status": self.last_status}


def coverage(dashboard: Dashboard, ds: Dataset, as_of: date) -> dict[str, Coverage]:
    """The coverage of every signal of the dashboard on ``as_of`` (``ds`` cut at ``as_of``)."""
    out: dict[str, Coverage] = {}
    for name, result in {**dashboard.signals, "composite": dashboard.composite,
                         "feedback_loop": dashboard.feedback_loop}.items():
        if result.status != UNAVAILABLE:
            out[name] = Coverage(name, "live", "")
            continue
        reason = result.explanation
        frame = dashboard.frames.get(name)
        today = (frame.loc[pd.Timestamp(as_of)] if frame is not None
                 and pd.Timestamp(as_of) in frame.index else None)
        if today is not None and bool(today.get("not_yet", False)):
            # The signal's own words: a series break or a new source with too little history
            # to judge yet (not a gap in the data, not calm).
            out[name] = Coverage(name, "not_yet", str(today["reason"]))
            continue
        begun = EXISTS_FROM.get(name)
        if begun is not None and as_of < begun[0]:
            before = BEFORE_IT.get(name)
            note = f"; {before[1]}" if before is not None and as_of >= before[0] else ""
            out[name] = Coverage(name, "not_yet", f"{begun[1]}, after this date{note}")
            continue
        if frame is not None:
            seen = frame.loc[: pd.Timestamp(as_of)]
            seen = seen[seen["status"] != UNAVAILABLE]
            if len(seen):
                row = seen.iloc[-1]
                value = row["value"]
                out[name] = Coverage(name, "stale", reason,
                                     _obs_day(row, pd.Timestamp(seen.index[-1])),
                                     None if pd.isna(value) else float(value), str(row["status"]))
                continue
        inputs = [i for i in BY_NAME[name].inputs if i in ds.series_map or i in ds.tables]
        last = max((d for i in inputs if (d := _last(ds, i)) is not None), default=None)
        if last is not None:
            out[name] = Coverage(name, "stale", reason, last)
        else:
            out[name] = Coverage(name, "missing", reason)
    return out


def _last(ds: Dataset, name: str) -> date | None:
    if name in ds.series_map:
        return ds.last_date(name)
    frame = ds.table(name)
    if not len(frame):
        return None
    col = next((c for c in ("operation_date", "auction_date", "date") if c in frame), None)
    if col is None:
        return None
    when = pd.to_datetime(frame[col].astype(str).str[:10], errors="coerce").dropna()
    return when.max().date() if len(when) else None


def newest_observation(ds: Dataset) -> date | None:
    """The newest observation date of any series in ``ds``."""
    days = [d for sid in ds.series_map if (d := ds.last_date(sid)) is not None]
    return max(days) if days else None


def week_start(as_of: date, days: int = 7) -> date:
    """The first day of the briefing week ending ``as_of``."""
    return as_of - timedelta(days=days - 1)
