"""Repo segments: the dealer-intermediated DVP repo rate over tri-party, a daily price of dealer
balance-sheet cost.

Cash lenders in tri-party (money funds) lend to dealers, and dealers lend on to their clients in
the cleared bilateral DVP segment; when dealer balance sheets are scarce the DVP rate rises above
tri-party. Inputs (OFR Short-term Funding Monitor, overnight/open average rates, percent):

- DVP: ``REPO-DVP_AR_OO-F`` (final) where it is published, else ``REPO-DVP_AR_OO-P``
  (preliminary), through :func:`combine_vintages`; the vintage of each day
  is kept and said.
- The tri-party reference, the first stored for the same day: the OFR tri-party rate
  (``REPO-TRI_AR_OO-F``/``-P``), else the NY Fed TGCR (``TGCRRATE``, computed from tri-party
  trades), else SOFR (a stand-in: it includes DVP trades itself, so the spread over it is
  narrower). ``reference`` names the one used.

Components (bp): ``spread_bp`` = DVP minus the reference (the headline; percentile and z-score
against the trailing window); ``spike_bp`` = the spread minus its median over the previous
``segments_baseline_days`` observations; ``level_bp`` = its median over the last
``segments_level_days`` (a sustained level, which a spike measure judged against its own recent
median cannot see); ``gcf_minus_ref_bp`` where the OFR GCF rate is stored and ``dvp_volume_bn``
where the DVP volume is (shown, not scored).

Status: the worse of the spike (``segments_spike_elevated_bp`` / ``_stressed_bp``) and the
level (``segments_level_elevated_bp`` / ``_stressed_bp``). Public the next business day (the
preliminary vintage's lag); unavailable when no DVP rate, or no reference, is stored for a recent
day. A briefing cuts the data at its date, so a final value counts only once published; in a
long history (``signals --history``) a final value that fills a preliminary gap counts from its
own date (the final vintage otherwise equals the preliminary one on every recorded date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.signals.base import (
    Context,
    align,
    band_level,
    empty_frame,
    finish,
    fmt,
    lag_days,
    observations,
    stale_days,
    trailing_stats,
)
from reportgen.dataset import Dataset
from reportgen.formatting import day

NAME = "repo_segments"
TITLE = "Repo segments"
UNITS = "bp, DVP repo - tri-party"
COMPONENTS = ("dvp_pct", "reference_pct", "spread_bp", "spike_bp", "level_bp",
              "gcf_minus_ref_bp", "dvp_volume_bn")
#: The tri-party references in order of preference, and how the page names each.
REFERENCES = ("OFR tri-party", "TGCR", "SOFR")
#: How the sentence names each reference, and why it stands for tri-party when it is not.
REFERENCE_NAMES = {"OFR tri-party": "the OFR tri-party rate", "TGCR": "TGCR", "SOFR": "SOFR"}
REFERENCE_NOTES = {
    "OFR tri-party": "",
    "TGCR": "TGCR stands for tri-party (no OFR tri-party rate is stored)",
    "SOFR": "SOFR stands in for tri-party (neither an OFR tri-party rate nor TGCR is stored; "
            "SOFR includes DVP trades, so the spread is narrower)",
}
NO_DVP = "no OFR DVP repo rate stored (REPO-DVP_AR_OO-P or -F)"


def combine_vintages(final: pd.Series, preliminary: pd.Series) -> pd.DataFrame:
    """One daily series from a final and a preliminary vintage, saying which each day uses.

    The final value wherever it is published (not NaN), else the preliminary one. Days where
    neither has a value keep NaN with vintage ``"none"``. Use it on data already cut to an
    as-of date (``Dataset.visible``), so that a final value not yet public is not used.

    Example
    -------
    >>> f = pd.Series([3.9, float("nan")], pd.to_datetime(["2024-10-10", "2024-10-11"]))
    >>> p = pd.Series([3.9, float("nan"), 3.85],
    ...               pd.to_datetime(["2024-10-10", "2024-10-11", "2024-10-14"]))
    >>> combine_vintages(f, p)["vintage"].tolist()
    ['final', 'none', 'preliminary']
    """
    index = final.index.union(preliminary.index)
    f = final.reindex(index)
    p = preliminary.reindex(index)
    use_final = f.notna()
    value = f.where(use_final, p)
    vintage = pd.Series("preliminary", index=index).where(~use_final, "final")
    vintage = vintage.where(value.notna(), "none")
    return pd.DataFrame({"value": value, "vintage": vintage})

def vintaged(ds: Dataset, segment: str,
             table: dict[str, tuple[str, str | None]] | None = None) -> pd.DataFrame:
    """One segment's OFR rate (or, with ``table=catalog.OFR_REPO_VOLUMES``, volume) in catalog
    units: columns ``value`` and ``vintage`` (``final`` where the final vintage is published,
    else ``preliminary``), days without a value dropped."""
    prelim_id, final_id = (table or catalog.OFR_REPO_RATES)[segment]
    final = (observations(ds, final_id) if final_id
             else pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date")))
    both = combine_vintages(final, observations(ds, prelim_id))
    return both[both["value"].notna()]


def segment_spreads(ds: Dataset) -> pd.DataFrame:
    """DVP over tri-party on each DVP observation date: ``dvp_pct``, ``reference_pct``,
    ``reference`` (which one, see :data:`REFERENCES`), ``vintage`` (of the DVP rate),
    ``spread_bp`` and, where stored, ``gcf_minus_ref_bp`` and ``dvp_volume_bn``. Rows without a
    reference are dropped. The one owner of the spread: the signal and the chart read it."""
    cols = ["dvp_pct", "reference_pct", "reference", "vintage", "spread_bp", "gcf_minus_ref_bp",
            "dvp_volume_bn"]
    dvp = vintaged(ds, "DVP")
    if dvp.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    idx = dvp.index
    tri = vintaged(ds, "TRI")["value"].reindex(idx)
    tgcr = observations(ds, "TGCRRATE").reindex(idx)
    sofr = observations(ds, "SOFR").reindex(idx)
    ref = tri.combine_first(tgcr).combine_first(sofr)
    name = np.where(tri.notna(), REFERENCES[0], np.where(tgcr.notna(), REFERENCES[1],
                                                         REFERENCES[2]))
    out = pd.DataFrame({"dvp_pct": dvp["value"], "reference_pct": ref, "reference": name,
                        "vintage": dvp["vintage"],
                        "spread_bp": ((dvp["value"] - ref) * 100.0).round(6)}, index=idx)
    gcf = vintaged(ds, "GCF")["value"].reindex(idx)
    out["gcf_minus_ref_bp"] = ((gcf - ref) * 100.0).round(6)
    volume = vintaged(ds, "DVP", catalog.OFR_REPO_VOLUMES)["value"]
    out["dvp_volume_bn"] = volume.reindex(idx) * catalog.billions_factor("REPO-DVP_TV_OO-P")
    out.index.name = "date"
    return out[out["spread_bp"].notna()][cols]


def compute(ctx: Context) -> pd.DataFrame:
    th, days = ctx.th, ctx.days
    if vintaged(ctx.ds, "DVP").empty:
        return empty_frame(days, NO_DVP, COMPONENTS)
    spreads = segment_spreads(ctx.ds)
    if spreads.empty:
        return empty_frame(days, "no tri-party rate, TGCR or SOFR is stored for the days the "
                                 "DVP rate covers", COMPONENTS)
    obs = spreads[["reference", "vintage"]].copy()
    for c in ("dvp_pct", "reference_pct", "spread_bp", "gcf_minus_ref_bp", "dvp_volume_bn"):
        obs[f"v:{c}"] = spreads[c]
    spread = obs["v:spread_bp"]
    baseline = spread.shift(1).rolling(th.segments_baseline_days, min_periods=5).median()
    obs["v:spike_bp"] = spread - baseline
    obs["v:level_bp"] = spread.rolling(th.segments_level_days,
                                       min_periods=max(3, th.segments_level_days // 2)).median()
    stats = trailing_stats(spread, th.window_days, th.min_history_daily)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    spike = band_level(obs["v:spike_bp"].fillna(0.0), th.segments_spike_elevated_bp,
                       th.segments_spike_stressed_bp)
    level = band_level(obs["v:level_bp"], th.segments_level_elevated_bp,
                       th.segments_level_stressed_bp).fillna(0.0)
    obs["lvl"] = np.maximum(spike, level)
    used = [s for s in ("REPO-DVP_AR_OO-P", "TGCRRATE", "SOFR") if s in catalog.SERIES]
    frame = align(obs, days, lag_days(*used), stale_days(*used))
    frame["value"] = frame["v:spread_bp"]
    frame["level_days"] = float(th.segments_level_days)
    return finish(frame, frame["lvl"].astype(float),
                  "the DVP repo rate or its tri-party reference is missing or stale on this date",
                  th)


def explain(row: pd.Series) -> str:
    ref = str(row["reference"])
    parts = [f"the DVP repo rate ({row['vintage']} OFR vintage) was "
             f"{fmt(row['v:dvp_pct'], '.2f')}% on {day(row['obs_date'])}, "
             f"{fmt(row['v:spread_bp'], '+.0f')} bp against {REFERENCE_NAMES.get(ref, ref)} "
             f"({fmt(row['v:spike_bp'], '+.0f')} bp against its recent median; median of the "
             f"last {row['level_days']:.0f} days {fmt(row['v:level_bp'], '+.0f')} bp)"]
    if pd.notna(row.get("v:gcf_minus_ref_bp")):
        parts.append(f"GCF {fmt(row['v:gcf_minus_ref_bp'], '+.0f')} bp against the same "
                     "reference")
    if pd.notna(row.get("v:dvp_volume_bn")):
        parts.append(f"DVP overnight volume ${row['v:dvp_volume_bn']:,.0f} bn")
    note = REFERENCE_NOTES.get(ref, "")
    return (f"Repo segments {row['status']}: " + ", ".join(parts)
            + (f"; {note}" if note else "") + ".")


def details(ctx: Context, day_: date, frame: pd.DataFrame) -> dict[str, Any]:
    row = frame.loc[pd.Timestamp(day_)]
    when = row.get("obs_date")
    if when is None or pd.isna(when):
        return {"date": None, "reference": None, "vintage": None}
    return {"date": pd.Timestamp(when).date().isoformat(), "reference": str(row["reference"]),
            "vintage": str(row["vintage"])}
