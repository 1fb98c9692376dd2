"""The capacity charts (``reportgen/charts/capacity.py``): dealer positions with weak auctions
and series breaks marked, repo segment spreads, securities lending against fails (only with
lending results); frames cut at the briefing date, alt texts that state the numbers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from reportgen.analysis.week import analyse
from reportgen.charts import build_charts
from reportgen.charts.base import chart_spec
from reportgen.dataset import Dataset
from reportgen.formatting import bn, bn1, bn2, bp, day
from tests.factories import SAMPLE_AS_OF, sample_charts, sample_week
from tests.test_signals_capacity import _lending
from tests.test_signals_helpers import bdays


def test_sample_dealer_chart_states_the_latest_week_and_marks_auctions_and_breaks() -> None:
    week, charts = sample_week(), sample_charts()
    bundle = charts["dealer_positions"]
    pos = week.frames.dealer_positions
    last = pos.iloc[-1]
    # The week the signal reads (26 Aug 2026, public 3 Sep) is the chart's last week.
    sig = week.signals["dealer_positions"]
    assert last["date"] == pd.Timestamp(sig.details["week"]) == pd.Timestamp("2026-08-26")
    assert last["total_bn"] == pytest.approx(sig.value)
    assert pos["date"].max() <= pd.Timestamp(SAMPLE_AS_OF - timedelta(days=8))
    text = bundle.alt_text
    assert f"Latest week ({day(last['date'])}): total {bn1(last['total_bn'])}" in text
    assert f"bills {bn1(last['bills_bn'])}" in text
    top = pos.loc[pos["total_bn"].idxmax()]
    assert f"Highest total: {bn1(top['total_bn'])} in the week to {day(top['date'])}" in text
    weak = week.frames.dealer_auctions
    assert len(weak) and f"{len(weak)} weak auctions are marked" in text
    assert "The NY Fed series break of 3 Jul 2024 (SBN2024) is marked" in text
    assert week.frames.dealer_breaks["date"].tolist() == [pd.Timestamp("2024-07-03")]
    # Every weak auction drawn is one the auction signal judged weak.
    spec = chart_spec(bundle.chart)
    rules = [rows for rows in spec["datasets"].values()
             if rows and "verdict" in rows[0] and "tenor" in rows[0]]
    assert rules and len(rules[0]) == len(weak)
    assert list(bundle.data.columns) == ["date", "Total (USD bn)", "Bills (USD bn)",
                                         "Coupons (USD bn)", "TIPS (USD bn)", "FRN (USD bn)",
                                         "series_break"]


def test_sample_repo_segments_chart_is_the_signals_spread() -> None:
    week, charts = sample_week(), sample_charts()
    seg = charts["repo_segments"].data
    last = seg.iloc[-1]
    sig = week.signals["repo_segments"]
    assert last["date"] == pd.Timestamp(sig.details["date"])
    assert last["DVP - reference (bp)"] == pytest.approx(sig.value)
    assert set(seg["reference"]) == {"SOFR"}  # the sample holds no tri-party rate or TGCR
    text = charts["repo_segments"].alt_text
    assert "minus SOFR (standing for tri-party)" in text
    assert f"Latest ({day(last['date'])}): {bp(last['DVP - reference (bp)'])}" in text
    assert seg["date"].max() < pd.Timestamp(SAMPLE_AS_OF)


def test_without_lending_results_there_is_no_lending_chart_even_with_fails() -> None:
    week = sample_week()
    assert len(week.frames.fails) and week.frames.securities_lending.empty
    assert "securities_lending" not in sample_charts()


def _lending_week(as_of: date) -> tuple[Dataset, dict]:  # type: ignore[type-arg]
    days = bdays("2025-01-02", 200)
    vol = np.full(200, 30.0)
    vol[150] = 60.0  # 31 Jul 2025
    tables = _lending(days, vol, top_share=0.35)
    weeks = pd.date_range("2025-01-01", periods=40, freq="W-WED")
    tables["pd_fails"] = pd.DataFrame(
        [{"date": w.date().isoformat(), "keyid": k, "value": 20000.0 + 1000.0 * i}
         for i, w in enumerate(weeks) for k in ("PDFTD-USTET", "PDFTR-USTET")])
    ds = Dataset({}, tables)
    return ds, build_charts(analyse(ds, as_of, with_week_before=False))


def test_lending_chart_sets_lending_beside_fails_up_to_the_briefing_date() -> None:
    as_of = date(2025, 9, 30)
    ds, charts = _lending_week(as_of)
    bundle = charts["securities_lending"]
    data = bundle.data
    assert data["date"].max() <= pd.Timestamp(as_of)
    lent = data.set_index("date")["SOMA securities lent (USD bn)"].dropna()
    fails = data.set_index("date")["fails (USD bn a week)"].dropna()
    assert lent.max() == pytest.approx(60.0) and len(fails)
    # Fails of a week are public on the Thursday after next: none later is drawn.
    assert fails.index.max() <= pd.Timestamp(as_of - timedelta(days=8))
    text = bundle.alt_text
    assert f"Latest ({day(lent.index[-1])}): {bn2(lent.iloc[-1])}" in text
    assert f"the largest: {bn2(60.0)} on {day(lent.idxmax())}" in text
    assert f"latest {bn(fails.iloc[-1])} in the week to {day(fails.index[-1])}" in text
    zooms = [p for p in chart_spec(bundle.chart).get("params", []) if p.get("bind") == "scales"]
    assert len(zooms) == 1 and zooms[0]["select"]["encodings"] == ["x"]
