"""The phase backtest, in and out of sample: the figures of the README's backtest tables.

Classifies every H.4.1 week of a store (causally: a week's row uses data up to that week) and
compares it with the announced regimes (``reportgen.analysis.phase.backtest``). Out of sample:
the entry and exit thresholds are tuned on one period (a grid around the defaults, best
agreement with a 4-week grace) and the tuned thresholds are scored on the other period, both
ways round (2003-2016 -> 2017-2026 and back), beside the defaults' score on each period.

Usage::

    .venv/bin/python scripts/phase_backtest.py --db x.sqlite   # a store with ../shared/data/real

It prints Markdown tables (about two minutes on the full history: 729 classifications).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from reportgen.analysis.phase import backtest, classify_history
from reportgen.analysis.thresholds import DEFAULT, PhaseThresholds
from reportgen.dataset import Dataset
from reportgen.store import Store

#: The thresholds tuned, each over three values around its default.
GRID = {
    "rmp_bills_entry_bn": (5.0, 10.0, 15.0),
    "rmp_total_entry_bn": (4.0, 8.0, 12.0),
    "qe_duration_entry_bn": (8.0, 12.0, 16.0),
    "qe_total_entry_bn": (5.0, 10.0, 15.0),
    "runoff_total_entry_bn": (-4.0, -8.0, -12.0),
    "confirm_weeks": (1, 2, 3),
}
PERIODS = {"2003-2016": (date(2003, 1, 1), date(2016, 12, 31)),
           "2017-2026": (date(2017, 1, 1), date(2026, 12, 31))}
GRACE = 4


def _score(history: pd.DataFrame, period: tuple[date, date]) -> tuple[float, int]:
    """Agreement with the announced regimes over ``period`` (weeks outside the grace)."""
    lo, hi = (pd.Timestamp(d) for d in period)
    part = history[(history["date"] >= lo) & (history["date"] <= hi)]
    result = backtest(part, GRACE)
    return result.agreement, result.weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 9, 30))
    args = parser.parse_args()
    ds = Dataset.from_store(Store.open(args.db))

    runs: list[tuple[PhaseThresholds, dict[str, float]]] = []
    for values in itertools.product(*GRID.values()):
        t = replace(DEFAULT.phase, **dict(zip(GRID, values, strict=True)))
        if t.rmp_total_entry_bn < t.rmp_total_exit_bn or t.qe_total_entry_bn < t.qe_total_exit_bn \
                or t.qe_duration_entry_bn < t.qe_duration_exit_bn \
                or t.runoff_total_entry_bn > t.runoff_total_exit_bn:
            continue  # entry inside exit: not a valid hysteresis
        history = classify_history(ds, args.as_of, t)
        runs.append((t, {name: _score(history, p)[0] for name, p in PERIODS.items()}))

    default_history = classify_history(ds, args.as_of)
    default = {name: _score(default_history, p) for name, p in PERIODS.items()}
    print(f"{len(runs)} threshold sets tried; agreement with a {GRACE}-week grace\n")
    print("| tuned on | tested on | tuned agreement (in sample) | tested agreement (out of "
          "sample) | defaults on the test period |")
    print("| --- | --- | --- | --- | --- |")
    for train, test in (("2003-2016", "2017-2026"), ("2017-2026", "2003-2016")):
        best, scores = max(runs, key=lambda r: r[1][train])
        print(f"| {train} | {test} | {scores[train]:.1%} | {scores[test]:.1%} | "
              f"{default[test][0]:.1%} ({default[test][1]} weeks) |")
        changed = {k: getattr(best, k) for k in GRID if getattr(best, k) != getattr(
            DEFAULT.phase, k)}
        print(f"|  | tuned thresholds: {changed or 'the defaults'} | | | |")

    print("\n| regime (effective) | announced | detected | lag (weeks) |")
    print("| --- | --- | --- | --- |")
    for row in backtest(default_history, GRACE).lags.itertuples():
        lag = "not detected" if pd.isna(row.lag_weeks) else f"{int(row.lag_weeks)}"
        print(f"| {row.regime} ({row.effective}) | {row.phase} | {row.detected or '-'} | {lag} |")


if __name__ == "__main__":
    main()
