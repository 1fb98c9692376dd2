"""treasury_volatility, yield_curve and reserves on hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reportgen.dataset import Dataset
from tests.test_signals_helpers import bdays, dash, make_ds, row, series

IDX = bdays("2019-01-01", 320)


def _yields(jumpy_from: str | None = None) -> dict[str, pd.Series]:
    rng = np.random.default_rng(0)
    out = {}
    for sid in ("DGS2", "DGS10", "DGS30"):
        ch = rng.normal(0.0, 0.03, len(IDX))  # 3 bp a day
        if jumpy_from:
            ch[pd.Timestamp(jumpy_from) <= IDX] *= 8.0
        out[sid] = series(IDX, 2.0 + np.cumsum(ch))
    return out


def test_volatility_spike_is_stressed_and_calm_is_normal() -> None:
    ds = make_ds(**_yields(jumpy_from="2020-03-02"))
    calm = row(ds, "treasury_volatility", "2020-02-27")
    assert calm["status"] == "normal"
    hot = dash(ds, "2020-03-16").signals["treasury_volatility"]
    assert hot.status == "stressed"
    assert hot.value > 12.0 and hot.units.startswith("bp")
    assert hot.percentile is not None and hot.percentile > 0.98


def test_volatility_without_yields_is_unavailable() -> None:
    assert dash(make_ds(), "2020-03-16").signals["treasury_volatility"].status == "unavailable"


def test_inversion_duration_and_fallback_to_yields() -> None:
    ten = series(IDX, 2.0)
    three = series(IDX, np.where(pd.Timestamp("2019-06-03") <= IDX, 2.5, 1.5))
    ds = make_ds(DGS10=ten, DGS3MO=three, DGS2=series(IDX, 1.8))
    early = dash(ds, "2019-06-05").signals["yield_curve"]
    assert early.status == "elevated"
    assert early.value == -50.0
    assert early.values["inverted_days_10y3m"] == 2  # 3 and 4 June public by the 5th
    late = dash(ds, "2019-09-30").signals["yield_curve"]
    assert late.status == "stressed" and late.values["inverted_days_10y3m"] >= 60
    assert "inverted for" in late.explanation
    assert row(ds, "yield_curve", "2019-05-15")["status"] == "normal"


def test_curve_published_spreads_take_precedence() -> None:
    ds = make_ds(T10Y3M=series(IDX, 1.0), T10Y2Y=series(IDX, 0.5), DGS10=series(IDX, 2.0),
                 DGS3MO=series(IDX, 3.0))
    r = dash(ds, "2019-06-05").signals["yield_curve"]
    assert r.value == 100.0 and r.status == "normal"


def test_curve_direction_sentence_names_the_horizon_in_force() -> None:
    from dataclasses import replace
    from datetime import date

    from reportgen.analysis.signals import compute_dashboard
    from reportgen.analysis.thresholds import SignalThresholds

    ds = make_ds(T10Y3M=series(IDX, 1.0), T10Y2Y=series(IDX, 0.5))
    day = date(2019, 6, 5)
    assert "in 20 days" in compute_dashboard(ds, day).signals["yield_curve"].explanation
    th = replace(SignalThresholds(), curve_change_days=60)
    text = compute_dashboard(ds, day, thresholds=th).signals["yield_curve"].explanation
    assert "in 60 days" in text and "in 20 days" not in text


WEDS = pd.date_range("2016-01-06", periods=200, freq="7D")


def _reserves(rrp_bn: float) -> Dataset:
    falling = np.linspace(2_500_000, 1_400_000, len(WEDS))  # USD millions
    days = pd.bdate_range(WEDS[0], WEDS[-1] + pd.Timedelta(days=3))
    return make_ds(WRESBAL=series(WEDS, falling), WALCL=series(WEDS, 4_000_000.0),
                   WDTGAL=series(WEDS, 300_000.0), RRPONTSYD=series(days, rrp_bn))


def test_low_reserves_with_the_buffer_spent_are_stressed_in_billions() -> None:
    day = (WEDS[-1] + pd.Timedelta(days=1)).date().isoformat()
    r = dash(_reserves(5.0), day).signals["reserves"]
    assert r.status == "stressed"
    assert r.value == pytest.approx(1400.0)
    assert r.values["net_liquidity_bn"] == pytest.approx(4000.0 - 300.0 - 5.0)
    assert r.persistent
    # The H.4.1 of a Wednesday is not public until Thursday.
    wed = dash(_reserves(5.0), WEDS[-1].date().isoformat()).signals["reserves"]
    assert wed.value > 1400.0


def test_a_large_on_rrp_buffer_keeps_reserves_normal() -> None:
    day = (WEDS[-1] + pd.Timedelta(days=1)).date().isoformat()
    assert dash(_reserves(1500.0), day).signals["reserves"].status == "normal"


def test_missing_reserves_are_unavailable() -> None:
    r = dash(make_ds(WALCL=series(WEDS, 4e6)), "2019-01-03").signals["reserves"]
    assert r.status == "unavailable" and "WRESBAL" in r.explanation
