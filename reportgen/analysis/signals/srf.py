"""Standing Repo Facility (overnight repo operation) take-up: the clearest sign the pipe binds.

Input: the ``repo_operations`` table (``operation_type == 'repo'``, small-value exercises
excluded, ``total_accepted`` in USD summed per day and converted to USD billions through the
table's catalog unit) or, when that table is absent, the daily total ``SRF_ACCEPTED`` (USD bn).
Inside the span the operations cover, a business day without an operation row counts as zero
take-up; outside it the signal is ``unavailable`` (the real data covers 2022-01 to 2025-11).

Status: elevated at ``srf_elevated_bn`` and stressed at ``srf_stressed_bn`` of daily take-up.
Percentile and z-score compare the day with the trailing window (mostly zeros: a percentile of
1.0 on a zero day just means "no take-up, as usual").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.analysis.signals.base import (
    Context,
    align,
    band_level,
    empty_frame,
    finish,
    observations,
    trailing_stats,
)
from reportgen.dataset import Dataset
from reportgen.formatting import bn2, day

NAME = "srf"
TITLE = "Standing Repo Facility"
UNITS = "USD bn a day"
COMPONENTS = ("takeup_bn", "operations", "max_takeup_20d_bn", "record_bn")


def takeup(ds: Dataset) -> tuple[pd.Series, pd.Series, str, int]:
    """Daily take-up (USD bn) and operation count on the days the source covers, the source's
    label, and its publication lag in days.

    A day is covered when the source says something about it: a day with any repo operation
    on record (take-up 0 where none was SRF take-up), or a row of the daily totals (which carry
    their zeros). Days the Desk did not operate (Good Friday, say) are not filled with zeros:
    whether such a day is filled must not depend on data published later, or the history
    would differ from what was known on the day.
    """
    all_ops = ds.table("repo_operations")
    ops = all_ops
    if len(ops):
        ops = ops[(ops["operation_type"] == "repo")]
        ops = ops[ops["small_value"].fillna(0).astype(int) == 0]
    if len(ops):
        spec = catalog.TABLES["repo_operations"]
        day = pd.to_datetime(ops["operation_date"].astype(str).str[:10])
        amount = pd.to_numeric(ops["total_accepted"], errors="coerce").fillna(0.0)
        # Sum in USD, then convert (rounded to 1,000 USD so that 20.35 + 30.0 prints 50.35).
        to_bn = catalog.table_billions_factor("repo_operations")
        per_day = (amount.groupby(day.to_numpy()).sum() * to_bn).round(6)
        count = day.groupby(day.to_numpy()).size().astype(float)
        label = "NY Fed repo operations (small-value exercises excluded)"
        lag = spec.publication_lag_days
        covered = pd.DatetimeIndex(pd.to_datetime(
            all_ops["operation_date"].astype(str).str[:10]).unique()).sort_values()
        covered = covered[covered >= per_day.index.min()]
        per_day = per_day.reindex(covered, fill_value=0.0)
        count = count.reindex(covered, fill_value=0.0)
    else:
        s = observations(ds, "SRF_ACCEPTED") * catalog.billions_factor("SRF_ACCEPTED")
        if s.empty:
            return pd.Series(dtype=float), pd.Series(dtype=float), "", 0
        per_day, count = s, pd.Series(np.nan, index=s.index)
        label = "NY Fed daily SRF totals (small-value exercises excluded)"
        lag = catalog.series("SRF_ACCEPTED").publication_lag_days
    return per_day.astype(float), count, label, lag


def compute(ctx: Context) -> pd.DataFrame:
    th = ctx.th
    per_day, count, label, lag = takeup(ctx.ds)
    if per_day.empty:
        return empty_frame(ctx.days, "no repo operations or SRF_ACCEPTED stored", COMPONENTS)
    obs = pd.DataFrame({"v:takeup_bn": per_day, "v:operations": count})
    obs["v:max_takeup_20d_bn"] = per_day.rolling(20, min_periods=1).max()
    # The largest take-up of the stored history up to each day (a record is news in itself).
    obs["v:record_bn"] = per_day.cummax()
    obs["record_since"] = per_day.index[0]
    stats = trailing_stats(per_day, th.window_days, th.min_history_daily)
    obs["percentile"], obs["zscore"] = stats["percentile"], stats["zscore"]
    obs["lvl"] = band_level(per_day, th.srf_elevated_bn, th.srf_stressed_bn)
    # Zero-filled inside the span, so a gap of a few days (holidays) is all that can be stale.
    frame = align(obs, ctx.days, lag, 5)
    frame["value"] = frame["v:takeup_bn"]
    frame["source"] = label
    return finish(frame, frame["lvl"].astype(float),
                  "no repo operation data covers this date", th)


def explain(row: pd.Series) -> str:
    takeup, record = row["v:takeup_bn"], row["v:record_bn"]
    is_record = pd.notna(takeup) and takeup > 0 and takeup >= record
    context = (f"the largest in the stored history since {day(row['record_since'])}"
               if is_record else f"largest of the last 20 days "
                                 f"{bn2(row['v:max_takeup_20d_bn'])}")
    return (f"Standing Repo Facility {row['status']}: take-up was {bn2(takeup)} "
            f"on {day(row['obs_date'])} ({context}); source: {row['source']}.")
