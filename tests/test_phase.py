"""The three-phase assessment: hand-made edge cases, the real history, no look-ahead, timing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from reportgen.analysis.fomc import announced_phase_history, load_fomc_decisions
from reportgen.analysis.phase import (
    PHASE_LABELS,
    PhaseAssessment,
    assess,
    backtest,
    classify_history,
)
from reportgen.analysis.thresholds import DEFAULT, describe
from reportgen.catalog import TABLES
from reportgen.dataset import Dataset
from reportgen.errors import DataUnavailableError

START = pd.Timestamp("2015-01-07")  # a Wednesday


# -- hand-made data ------------------------------------------------------------------------------
def make_dataset(
    bills: list[float],
    coupons: list[float],
    mbs: list[float],
    walcl_extra: list[float] | None = None,
    bills_as: str = "SOMA_BILLS",
    ops: pd.DataFrame | None = None,
) -> Dataset:
    """Weekly levels in $bn -> a Dataset in catalog units (H.4.1 millions, SOMA billions)."""
    n = len(bills)
    idx = pd.date_range(START, periods=n, freq="W-WED", name="date")
    b = np.asarray(bills, dtype=float)
    c = np.asarray(coupons, dtype=float)
    m = np.asarray(mbs, dtype=float)
    extra = np.asarray(walcl_extra if walcl_extra is not None else [300.0] * n)
    series = {
        "TREAST": pd.Series((b + c) * 1000, index=idx),
        "WSHOMCB": pd.Series(m * 1000, index=idx),
        "WALCL": pd.Series((b + c + m + extra) * 1000, index=idx),
    }
    if bills_as == "SOMA_BILLS":
        series["SOMA_BILLS"] = pd.Series(b, index=idx)
    else:
        series["WSHOBL"] = pd.Series(b * 1000, index=idx)
    tables = {"outright_operations": ops} if ops is not None else {}
    return Dataset(series, tables)


def path(start: float, *segments: tuple[int, float]) -> list[float]:
    """Levels: ``start``, then (weeks, change per week) segments."""
    out = [start]
    for weeks, step in segments:
        out += [out[-1] + step * (k + 1) for k in range(weeks)]
    return out[1:]


def as_of_after(ds: Dataset) -> date:
    last = max(s.index.max() for s in ds.series_map.values())
    return (last + timedelta(days=2)).date()


def phase_on(hist: pd.DataFrame, week: pd.Timestamp) -> int:
    return int(hist.set_index("date").loc[week, "phase"])


def first_week_with(hist: pd.DataFrame, phase: int, after: pd.Timestamp) -> pd.Timestamp:
    rows = hist[(hist["date"] >= after) & (hist["phase"] == phase)]
    assert len(rows), f"phase {phase} never shown after {after.date()}"
    return pd.Timestamp(rows["date"].iloc[0])


@pytest.fixture(scope="module")
def regimes() -> Dataset:
    """30 weeks flat, 30 runoff, 30 flat, 30 bill purchases, 30 QE (coupons and MBS)."""
    seg = 30
    # While flat after runoff, bills replace the MBS runoff (phase 1 as in December 2025);
    # then bills grow beyond it (phase 2); then coupons and MBS grow (phase 3).
    bills = path(200, (seg, 0), (seg, -1.0), (seg, 4.0), (seg, 16.0), (seg, 0))
    coupons = path(3000, (seg, 0), (seg, -6.0), (seg, 0), (seg, 0), (seg, 15.0))
    mbs = path(2000, (seg, 0), (seg, -4.0), (seg, -4.0), (seg, -4.0), (seg, 8.0))
    return make_dataset(bills, coupons, mbs)


# -- phases from flows ---------------------------------------------------------------------------
def test_each_regime_is_classified_and_detected_within_three_weeks(regimes: Dataset) -> None:
    hist = classify_history(regimes, as_of_after(regimes))
    weeks = pd.date_range(START, periods=150, freq="W-WED")
    for k, expected in ((20, 1), (50, 0), (80, 1), (110, 2), (140, 3)):
        assert phase_on(hist, weeks[k]) == expected, weeks[k]
    for k, expected in ((30, 0), (60, 1), (90, 2), (120, 3)):
        lag = (first_week_with(hist, expected, weeks[k]) - weeks[k]).days // 7
        assert lag <= 3, (expected, lag)


def test_output_columns_and_types(regimes: Dataset) -> None:
    hist = classify_history(regimes, as_of_after(regimes))
    assert list(hist.columns[:6]) == [
        "date",
        "phase",
        "label",
        "confidence",
        "confidence_score",
        "substate",
    ]
    assert hist["date"].dtype.kind == "M"
    assert hist["phase"].dtype.kind == "i"
    assert set(hist["confidence"]) <= {"high", "medium", "low"}
    assert hist["confidence_score"].between(0, 1).all()
    assert set(hist["label"]) <= set(PHASE_LABELS.values())
    for col in (
        "bills_chg_4w",
        "bills_chg_13w",
        "coupons_chg_4w",
        "coupons_chg_13w",
        "mbs_chg_13w",
        "total_chg_13w",
    ):
        assert col in hist.columns


def test_substates_runoff_and_taper() -> None:
    # Runoff at 20/week for 30 weeks, then 5/week: "runoff slowing".
    coupons = path(3000, (20, 0), (30, -20.0), (16, -5.0))
    n = len(coupons)
    ds = make_dataset([200.0] * n, coupons, [2000.0] * n)
    hist = classify_history(ds, as_of_after(ds))
    last = hist.iloc[-1]
    assert last["phase"] == 0 and last["substate"] == "runoff slowing"
    # Bill purchases at 15/week, then 3.5/week: still phase 2, the pace named with its cut.
    bills = path(200, (10, 0), (26, 15.0), (4, 3.5))
    n = len(bills)
    ds = make_dataset(bills, [3000.0] * n, [2000.0] * n)
    last = classify_history(ds, as_of_after(ds)).iloc[-1]
    assert last["phase"] == 2 and "a month, down from $" in last["substate"]


# -- edge cases ----------------------------------------------------------------------------------
def test_mbs_settlement_lumps_do_not_move_a_flat_portfolio() -> None:
    """Reinvestment: principal paid down around the 25th lowers MBS holdings by ~$20bn until
    the reinvestment purchases settle mid-next-month (as in 2015-2017)."""
    n = 150
    weeks = pd.date_range(START, periods=n, freq="W-WED")
    mbs = [2000.0 - (20.0 if (d.day >= 25 or d.day < 14) else 0.0) for d in weeks]
    ds = make_dataset([200.0] * n, [3000.0] * n, mbs)
    hist = classify_history(ds, as_of_after(ds))
    assert hist["mbs_chg_4w"].abs().max() >= 20  # a 4-week reading alone would flip phases
    # After the 13-week warm-up (shorter horizons, flagged as such) the phase never moves.
    warm = hist["confidence_reason"].str.contains("short history")
    assert warm.sum() == 13
    assert (hist.loc[~warm, "phase"] == 1).all()


def test_total_assets_spike_from_lending_is_not_qe() -> None:
    """March 2023: WALCL +$300bn in a week (bank-term lending) while holdings keep running off."""
    n = 60
    coupons = path(3000, (n, -15.0))
    extra = [300.0] * 40 + [600.0] * 20
    ds = make_dataset([200.0] * n, coupons, path(2000, (n, -4.0)), walcl_extra=extra)
    hist = classify_history(ds, as_of_after(ds))
    assert (hist["phase"].iloc[8:] == 0).all()
    assert hist["walcl_chg_4w"].max() > 200


def test_a_huge_purchase_week_switches_within_two_weeks() -> None:
    """March 2020: holdings jump by hundreds of billions a week -> phase 3 at once."""
    coupons = path(3000, (40, 0), (8, 250.0))
    n = len(coupons)
    ds = make_dataset([200.0] * n, coupons, path(2000, (40, 0), (8, 40.0)))
    hist = classify_history(ds, as_of_after(ds))
    start = pd.Timestamp(START) + pd.Timedelta(weeks=40)
    assert (first_week_with(hist, 3, start) - start).days // 7 <= 1


def test_a_single_week_spike_that_reverses_changes_nothing() -> None:
    n = 60
    coupons = path(3000, (n, -10.0))
    coupons[40] += 200.0  # one bad week, gone the next
    ds = make_dataset([200.0] * n, coupons, [2000.0] * n)
    hist = classify_history(ds, as_of_after(ds))
    assert (hist["phase"].iloc[8:] == 0).all()


def test_missing_weeks_are_left_out_and_bridged() -> None:
    n = 80
    ds = make_dataset(path(200, (n, 12.0)), [3000.0] * n, [2000.0] * n)
    weeks = pd.date_range(START, periods=n, freq="W-WED")
    gone = weeks[[50, 60, 61, 62, 63]]
    cut = Dataset({k: s.drop(gone, errors="ignore") for k, s in ds.series_map.items()})
    hist = classify_history(cut, as_of_after(cut))
    assert not hist["date"].isin(gone).any()  # weeks without a release have no row
    assert (hist["phase"].iloc[6:] == 2).all()  # the phase carries across the gaps
    # A week whose inputs are missing keeps the phase with lower confidence.
    unknown = hist[hist["confidence_reason"].str.contains("inputs missing")]
    assert len(unknown) and (unknown["phase"] == 2).all()
    # A one-week hole in MBS only is bridged and said so.
    only_mbs = Dataset({k: (s.drop(weeks[[70]]) if k == "WSHOMCB" else s)
                        for k, s in ds.series_map.items()})
    row = classify_history(only_mbs, as_of_after(only_mbs)).set_index("date").loc[weeks[70]]
    assert "carried forward" in row["confidence_reason"] and row["phase"] == 2


def test_bills_ending_earlier_leaves_the_split_unknown() -> None:
    n = 60
    bills = path(200, (n, 12.0))
    ds = make_dataset(bills, [3000.0] * n, [2000.0] * n)
    ds.series_map["SOMA_BILLS"] = ds.series_map["SOMA_BILLS"].iloc[:45]
    hist = classify_history(ds, as_of_after(ds))
    assert hist["date"].iloc[-1] == pd.Timestamp(START) + pd.Timedelta(weeks=n - 1)
    last = hist.iloc[-1]
    assert np.isnan(last["bills_chg_4w"]) and np.isnan(last["coupons_chg_4w"])
    assert last["phase"] == 2  # growth continues; the purchase phase in force is kept
    assert "split unavailable" in last["confidence_reason"]
    assert last["confidence"] != "high"


def test_exact_wshobl_is_used_when_present() -> None:
    n = 40
    ds = make_dataset(path(200, (n, 12.0)), [3000.0] * n, [2000.0] * n, bills_as="WSHOBL")
    hist = classify_history(ds, as_of_after(ds))
    assert hist["phase"].iloc[-1] == 2
    assert hist["bills_chg_4w"].iloc[-1] == pytest.approx(48.0)


def test_outright_operations_are_used_when_present() -> None:
    """Coupon purchases show in operations before the holdings settle."""
    n = 40
    ds_plain = make_dataset([200.0] * n, [3000.0] * n, [2000.0] * n)
    weeks = pd.date_range(START, periods=n, freq="W-WED")
    rows = []
    for k in range(10, n):
        rows.append(
            {
                "operation_id": f"op{k}",
                "operation_date": weeks[k].date().isoformat(),
                "operation_type": "Outright Coupon Purchase",
                "operation_direction": "P",
                "security_class": "coupon" if k >= 34 else "bill",
                "total_par_submitted": 9e10,
                "total_par_accepted": 3e10 if k >= 34 else 1e9,
                "maturity_range_start": None,
                "maturity_range_end": None,
                "note": None,
            }
        )
    ops = pd.DataFrame(rows, columns=TABLES["outright_operations"].column_names)
    ds_ops = make_dataset([200.0] * n, [3000.0] * n, [2000.0] * n, ops=ops)
    plain = classify_history(ds_plain, as_of_after(ds_plain))
    with_ops = classify_history(ds_ops, as_of_after(ds_ops))
    assert "ops_coupons_4w" not in plain.columns and (plain["phase"] == 1).all()
    assert with_ops["ops_coupons_4w"].iloc[-1] == pytest.approx(120.0)
    assert with_ops["phase"].iloc[-1] == 3
    names = [e.name for e in assess(ds_ops, as_of_after(ds_ops)).evidence]
    assert "ops_duration" in names


def test_empty_dataset_raises_a_clear_error() -> None:
    with pytest.raises(DataUnavailableError, match="TREAST and WSHOMCB"):
        classify_history(Dataset(), date(2024, 1, 1))


def test_no_look_ahead_on_hand_made_data(regimes: Dataset) -> None:
    full = classify_history(regimes, as_of_after(regimes))
    for cut in (date(2015, 9, 3), date(2016, 3, 10), date(2017, 1, 5)):
        part = classify_history(regimes, cut)
        assert part["date"].max() < pd.Timestamp(cut)
        head = full[full["date"] <= part["date"].max()]
        pd.testing.assert_frame_equal(part.reset_index(drop=True), head.reset_index(drop=True))


# -- the assessment object -----------------------------------------------------------------------
def test_assessment_fields_and_json(regimes: Dataset) -> None:
    a = assess(regimes, as_of_after(regimes))
    assert isinstance(a, PhaseAssessment)
    assert a.phase == 3 and a.label == PHASE_LABELS[3]
    assert a.since <= a.week <= a.as_of
    assert {e.name for e in a.evidence} >= {"holdings", "bills", "coupons", "mbs", "walcl"}
    assert all(
        ("$bn" in trig or "bn" in trig) and any(ch.isdigit() for ch in trig) for trig in a.triggers
    )
    payload = json.loads(json.dumps(a.to_dict()))
    assert payload["phase"] == 3 and payload["since"] == a.since.isoformat()


def test_every_phase_threshold_is_documented() -> None:
    rows = [r for r in describe() if r["section"] == "phase"]
    assert len(rows) >= 15
    assert all(r["description"] for r in rows)


def test_thresholds_can_be_overridden(regimes: Dataset) -> None:
    strict = replace(DEFAULT.phase, qe_duration_entry_bn=1e6, qe_total_entry_bn=1e6)
    hist = classify_history(regimes, as_of_after(regimes), strict)
    assert (hist["phase"] != 3).all()


# -- the FOMC calendar ---------------------------------------------------------------------------
def test_calendar_is_sourced_and_ordered() -> None:
    decisions = load_fomc_decisions()
    assert len(decisions) >= 25
    assert [d.decision_date for d in decisions] == sorted(d.decision_date for d in decisions)
    for d in decisions:
        assert d.source.startswith("https://")
        assert d.effective_date >= d.decision_date
        assert d.phase in (None, 0, 1, 2, 3)
    by_date = {d.decision_date.isoformat(): d.phase for d in decisions}
    assert by_date["2025-10-29"] == 1 and by_date["2025-12-10"] == 2
    assert by_date["2019-10-11"] == 2 and by_date["2017-09-20"] == 0


def test_announced_phase_history() -> None:
    weeks = pd.DatetimeIndex(
        [
            "2001-01-03",
            "2008-06-04",
            "2013-06-05",
            "2016-06-01",
            "2018-06-06",
            "2019-12-04",
            "2025-11-26",
            "2025-12-03",
            "2026-01-07",
        ]
    )
    got = announced_phase_history(weeks)
    assert got.isna().tolist()[:2] == [True, True]
    assert got.iloc[2:].tolist() == [3, 1, 0, 2, 0, 1, 2]


# -- real history (skips without ../shared/data/real) --------------------------------------------
@pytest.fixture(scope="module")
def real_history(real_dataset: Dataset) -> pd.DataFrame:
    return classify_history(real_dataset, date(2026, 11, 1))


@pytest.mark.real_data
def test_real_history_matches_the_fed_timeline(real_history: pd.DataFrame) -> None:
    h = real_history.set_index("date")
    expected = {
        "2005-06-01": 1,
        "2009-06-03": 3,
        "2011-03-02": 3,
        "2013-06-05": 3,
        "2016-06-01": 1,
        "2018-06-06": 0,
        "2019-12-04": 2,
        "2020-06-03": 3,
        "2021-06-02": 3,
        "2023-06-07": 0,
        "2024-09-04": 0,
        "2026-03-04": 2,
    }
    for week, phase in expected.items():
        assert h.loc[week, "phase"] == phase, week
    assert h.loc["2025-07-02", "substate"] == "runoff slowing"
    tapering = h.loc["2026-04-15":"2026-08-19", "substate"]
    # The Desk's 2026 cuts (40 -> 25 -> 10 $bn a month) are named as they happen.
    assert tapering.str.contains("down from \\$40bn").any()
    assert tapering.str.contains("down from \\$25bn").any()


@pytest.mark.real_data
def test_real_backtest_agreement_and_lags(real_history: pd.DataFrame) -> None:
    hist = real_history[real_history["date"] >= "2003-01-01"]
    assert backtest(hist, grace_weeks=4).agreement >= 0.95
    assert backtest(hist, grace_weeks=8).agreement >= 0.965
    lags = backtest(hist, grace_weeks=4).lags.set_index("regime")["lag_weeks"]
    # Changes driven by Treasury flows are seen within 3 weeks.
    for regime in ("QE2", "QE4", "reserve-management bill purchases"):
        assert (lags.loc[[regime]] <= 3).all(), regime


@pytest.mark.real_data
def test_real_march_2020_and_march_2023(real_history: pd.DataFrame) -> None:
    h = real_history.set_index("date")
    assert h.loc["2020-03-11", "phase"] == 2
    assert h.loc["2020-03-25", "phase"] == 3  # within two weeks of the 15 March decision
    # March 2023: total assets jump ~$300bn (bank-term funding) but holdings keep running off.
    spring = h.loc["2023-03-08":"2023-05-31"]
    assert spring["walcl_chg_4w"].max() > 250
    assert (spring["phase"] == 0).all()


@pytest.mark.real_data
def test_real_no_look_ahead(real_dataset: Dataset, real_history: pd.DataFrame) -> None:
    for cut in (date(2008, 12, 1), date(2019, 10, 20), date(2025, 12, 20)):
        part = classify_history(real_dataset, cut)
        assert part["date"].max() < pd.Timestamp(cut)
        head = real_history[real_history["date"] <= part["date"].max()]
        pd.testing.assert_frame_equal(part.reset_index(drop=True), head.reset_index(drop=True))


@pytest.mark.real_data
def test_real_assessment_mid_history_and_announcement(real_dataset: Dataset) -> None:
    a = assess(real_dataset, date(2025, 12, 19))  # H.4.1 of 2025-12-17 out the day before
    assert a.week == date(2025, 12, 17)
    assert a.announced is not None and a.announced.phase == 2
    assert a.agreement == "disagrees" and "holdings still show phase 0" in (a.agreement_note or "")
    later = assess(real_dataset, date(2026, 2, 6))
    assert later.phase == 2 and later.agreement == "agrees"
    assert "holdings confirm from 31 Dec 2025" in (later.agreement_note or "")


def test_sample_is_assessed(sample: Dataset) -> None:
    # Mid-August 2026 bills grow only by the MBS reinvestment (POLICY_RECORD: purchases
    # apparently cut to about zero): the holdings read phase 1 against an announced phase 2.
    a = assess(sample, sample.default_as_of() or date(2026, 9, 17))
    assert a.phase == 1 and a.agreement == "disagrees"
    assert assess(sample, date(2026, 8, 20)).phase == 2
    hist = a.history
    assert hist["date"].min() < pd.Timestamp("2024-03-01")
    assert (hist.set_index("date").loc["2024-06-05":"2025-11-19", "phase"] == 0).all()


@pytest.mark.benchmark
@pytest.mark.real_data
def test_benchmark_full_history(benchmark: pytest.FixtureRequest, real_dataset: Dataset) -> None:
    hist = benchmark(classify_history, real_dataset, date(2026, 11, 1))  # type: ignore[operator]
    assert len(hist) > 1200
