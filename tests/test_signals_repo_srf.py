"""repo_rates and srf on hand-made frames: spikes, references, units, calendar, persistence."""

from __future__ import annotations

import pandas as pd

from reportgen.analysis.signals.base import trailing_stats
from reportgen.dataset import Dataset
from tests.test_signals_helpers import bdays, dash, make_ds, row, series

IDX = bdays("2019-01-01", 200)  # ends 2019-10-07


def _repo_ds(spikes: dict[str, float]) -> Dataset:
    sofr = series(IDX, 2.00)
    for day, value in spikes.items():
        sofr[pd.Timestamp(day)] = value
    return make_ds(SOFR=sofr, EFFR=series(IDX, 1.97))


def test_spike_is_stressed_the_day_it_is_public() -> None:
    ds = _repo_ds({"2019-07-10": 2.50})  # an ordinary Wednesday
    before = row(ds, "repo_rates", "2019-07-10")
    assert before["status"] == "normal"  # SOFR for the 10th is published on the 11th
    after = row(ds, "repo_rates", "2019-07-11")
    assert after["status"] == "stressed"
    assert after["value"] == 53.0  # bp: 2.50 - 1.97 percent
    assert after["calendar"] == ""
    assert not after["persistent"]


def test_small_move_stays_normal_and_units_are_bp() -> None:
    ds = _repo_ds({"2019-08-07": 2.03})
    r = row(ds, "repo_rates", "2019-08-08")
    assert r["status"] == "normal"
    assert round(r["value"], 6) == 6.0


def test_persistent_elevation_is_climate() -> None:
    days = pd.bdate_range("2019-08-05", "2019-08-16")
    ds = _repo_ds({d.date().isoformat(): 2.10 for d in days})
    r = row(ds, "repo_rates", "2019-08-12")
    assert r["status"] in ("elevated", "stressed")
    assert r["persistent"]


def test_calendar_window_explains_a_quarter_end_spike() -> None:
    ds = _repo_ds({"2019-06-28": 2.30})  # quarter-end; public on Monday 1 July
    d = dash(ds, "2019-07-01")
    r = d.signals["repo_rates"]
    assert r.status == "stressed"
    assert "quarter-end" in r.calendar_windows
    assert r.calendar_explained


def test_iorb_is_the_reference_after_july_2021() -> None:
    idx = bdays("2021-06-01", 60)
    ds = make_ds(
        SOFR=series(idx, 0.05),
        EFFR=series(idx, 0.08),
        IORB=series(pd.date_range("2021-07-29", periods=40, freq="D"), 0.15),
    )
    early = dash(ds, "2021-07-02").signals["repo_rates"]
    late = dash(ds, "2021-08-10").signals["repo_rates"]
    assert early.values["reference_pct"] == 0.08 and "EFFR" in early.explanation
    assert late.values["reference_pct"] == 0.15 and "IORB" in late.explanation
    assert round(late.value, 6) == -10.0
    # The jump of reference is not a spike.
    assert late.status == "normal"


def test_missing_sofr_is_unavailable_with_a_reason() -> None:
    d = dash(make_ds(EFFR=series(IDX, 1.97)), "2019-08-08").signals["repo_rates"]
    assert d.status == "unavailable"
    assert d.value is None
    assert "no SOFR stored" in d.explanation


def test_stale_sofr_is_unavailable() -> None:
    ds = _repo_ds({})
    assert row(ds, "repo_rates", "2019-12-02")["status"] == "unavailable"


def test_gc_far_above_the_rrp_floor_is_elevated() -> None:
    idx = bdays("2025-01-01", 150)
    ds = make_ds(
        SOFR=series(idx, 4.35),
        IORB=series(idx, 4.40),
        TGCRRATE=series(idx, 4.40),
        RRPONTSYAWARD=series(idx, 4.25),
    )
    r = dash(ds, "2025-06-02").signals["repo_rates"]
    assert r.values["tgcr_minus_rrp_bp"] == 15.0
    assert r.status == "elevated"


def test_trailing_stats_need_minimum_history() -> None:
    s = series(bdays("2020-01-01", 130), 1.0)
    s.iloc[-1] = 5.0
    st = trailing_stats(s, 1095, 120)
    assert st["percentile"].iloc[:119].isna().all()
    assert st["percentile"].iloc[-1] == 1.0
    # A constant window has no spread: the z-score is undefined, not infinite.
    assert pd.isna(st["zscore"].iloc[-2])


# -- srf ---------------------------------------------------------------------------------------
def _ops(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "operation_id": f"RP{i}",
                "operation_date": d,
                "operation_type": t,
                "total_accepted": amt,
                "small_value": sv,
            }
            for i, (d, t, amt, sv) in enumerate(rows)
        ]
    )


def test_srf_takeup_in_billions_excluding_small_value_exercises() -> None:
    ops = _ops(
        [
            ("2025-10-01", "repo", 0.0, 0),
            ("2025-10-30", "repo", 6.2e9, 0),
            ("2025-10-30", "repo", 1e6, 1),
            ("2025-10-31", "repo", 20.35e9, 0),
            ("2025-10-31", "repo", 30.0e9, 0),
            ("2025-10-31", "reverse_repo", 5e10, 0),
            ("2025-11-05", "repo", 0.0, 0),
        ]
    )
    ds = make_ds({"repo_operations": ops})
    r = dash(ds, "2025-10-31").signals["srf"]
    assert r.value == 50.35
    assert r.status == "stressed"
    assert r.units.startswith("USD bn")
    assert row(ds, "srf", "2025-10-30")["value"] == 6.2
    assert row(ds, "srf", "2025-10-30")["status"] == "elevated"
    assert row(ds, "srf", "2025-10-01")["value"] == 0.0  # an operation with nothing taken up
    assert row(ds, "srf", "2025-10-01")["status"] == "normal"
    # A day with no operation on record is not filled with a zero: whether it would be
    # cannot depend on data published after it (the history must match what was known).
    assert row(ds, "srf", "2025-10-15")["status"] == "unavailable"
    assert row(ds, "srf", "2025-09-15")["status"] == "unavailable"  # before the data
    assert row(ds, "srf", "2025-12-15")["status"] == "unavailable"  # after it


def test_srf_falls_back_to_the_daily_total_series() -> None:
    idx = bdays("2025-10-27", 10)
    s = series(idx, 0.0)
    s[pd.Timestamp("2025-10-31")] = 50.35
    ds = make_ds(SRF_ACCEPTED=s)
    # SRF_ACCEPTED, like the operations table, is public the same day.
    assert row(ds, "srf", "2025-10-30")["value"] == 0.0
    assert row(ds, "srf", "2025-10-31")["value"] == 50.35
    assert row(ds, "srf", "2025-10-31")["status"] == "stressed"


def test_a_mid_month_window_explains_elevated_funding_but_not_stressed() -> None:
    # 17 Sep 2019: a tax date and a coupon settlement; SOFR far above its recent median.
    d = dash(_repo_ds({"2019-09-17": 5.25}), "2019-09-18")
    r = d.signals["repo_rates"]
    assert r.status == "stressed" and "tax date" in r.calendar_windows
    assert not r.calendar_explained
