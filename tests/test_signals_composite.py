"""composite, feedback_loop, the history table and the no-look-ahead rule."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from reportgen.analysis.signals import (
    ALL_NAMES,
    HISTORY_COLUMNS,
    SIGNAL_NAMES,
    CompositeResult,
    FeedbackLoopResult,
    compute_dashboard,
    signal_history,
)
from reportgen.analysis.week import analyse
from reportgen.dataset import Dataset
from tests.test_signals_auctions_fails import _ds as auctions_ds
from tests.test_signals_helpers import bdays, dash, make_ds, series

IDX = bdays("2024-06-03", 400)


def test_composite_needs_three_live_components() -> None:
    ds = make_ds(SOFR=series(IDX, 5.3), EFFR=series(IDX, 5.33))
    c = dash(ds, "2025-06-02").composite
    assert isinstance(c, CompositeResult)
    assert c.status == "unavailable" and c.value is None
    assert "fewer than 3" in c.explanation


def test_composite_is_driven_by_the_stressed_component() -> None:
    sofr = series(IDX, 5.3)
    sofr[pd.Timestamp("2025-06-04")] = 5.9
    ds = make_ds(SOFR=sofr, EFFR=series(IDX, 5.33), DGS10=series(IDX, 4.2),
                 DGS3MO=series(IDX, 4.0), DGS2=series(IDX, 4.1), SRF_ACCEPTED=series(IDX, 0.0))
    c = dash(ds, "2025-06-05").composite
    assert c.live == ("repo_rates", "srf", "treasury_volatility", "yield_curve")
    assert c.drivers[0] == "repo_rates"
    assert c.status in ("elevated", "stressed")
    assert 0.0 <= c.value <= 100.0
    calm = dash(ds, "2025-05-20").composite
    assert calm.status == "normal" and calm.value < c.value


def test_composite_measures_the_pipe_only() -> None:
    """Reserves (the reservoir) are never a component: the composite of a dataset with
    reserves at a record low is the same as without them."""
    low = series(IDX, 3000.0)
    low.iloc[-30:] = 100.0
    pipe = dict(SOFR=series(IDX, 5.3), EFFR=series(IDX, 5.33), DGS10=series(IDX, 4.2),
                DGS3MO=series(IDX, 4.0), DGS2=series(IDX, 4.1), SRF_ACCEPTED=series(IDX, 0.0))
    with_reserves = dash(make_ds(**pipe, WRESBAL=low * 1000), "2025-11-05").composite
    without = dash(make_ds(**pipe), "2025-11-05").composite
    assert "reserves" not in with_reserves.live
    assert "reserves" not in with_reserves.details["scores"]
    assert with_reserves.value == without.value


def test_composite_with_too_few_pipe_signals_is_unavailable_not_normal() -> None:
    # Repo rates and the curve only: one pipe signal is not enough to call the pipe calm.
    ds = make_ds(SOFR=series(IDX, 5.3), EFFR=series(IDX, 5.33), DGS10=series(IDX, 4.2),
                 DGS3MO=series(IDX, 4.0))
    c = dash(ds, "2025-06-05").composite
    assert c.status == "unavailable"
    assert "too few to call the pipe calm" in c.explanation
    assert set(c.details["missing"]) >= {"srf", "auctions", "fails"}


def test_feedback_loop_engaged_with_the_whole_chain() -> None:
    base = auctions_ds(("2025-09-03", "2025-10-08"))
    idx = bdays("2025-01-01", 220)
    sofr = series(idx, 4.30)
    for d in ("2025-09-09", "2025-09-10", "2025-09-11"):
        sofr[pd.Timestamp(d)] = 4.60
    ds = Dataset({"SOFR": sofr, "IORB": series(idx, 4.40)}, base.tables)
    loop = dash(ds, "2025-10-09").feedback_loop
    assert isinstance(loop, FeedbackLoopResult)
    assert loop.state == "engaged" and loop.status == "stressed" and loop.value == 4
    assert loop.chain[0] == "weak auction: 3 Sep 2025 (10-Year; Treasury auction results)"
    assert loop.chain[1] == ("dealer inventory up: dealers took 20.0% of the 10-Year auction on "
                             "3 Sep 2025, against 10.0% at its previous auctions (Treasury "
                             "auction results)")
    assert loop.chain[2].startswith("funding stress: repo rates")
    assert loop.chain[2].endswith("(NY Fed reference rates)")
    assert loop.chain[3] == "next auction weaker: 8 Oct 2025 (10-Year; Treasury auction results)"
    # Each link says what it rests on, dated; the dealer link says which rule held.
    links = loop.details["links"]
    assert [entry["link"] for entry in links] == ["weak auction", "dealer inventory up",
                                                  "funding stress", "next auction weaker"]
    assert [entry["date"] for entry in links] == ["2025-09-03", "2025-09-03", "2025-09-11",
                                                  "2025-10-08"]
    assert links[1]["rule"] == "takedown" and all(entry["holds"] for entry in links)
    # Before the second weak auction the loop was forming, not engaged.
    assert dash(ds, "2025-09-15").feedback_loop.state == "forming"


def test_feedback_loop_dormant_without_weak_auctions_and_unavailable_without_auctions() -> None:
    assert dash(auctions_ds(()), "2025-10-09").feedback_loop.state == "dormant"
    loop = dash(make_ds(), "2025-10-09").feedback_loop
    assert loop.status == "unavailable" and loop.state == "unavailable"


def test_history_has_one_row_per_business_day_and_signal() -> None:
    ds = make_ds(SOFR=series(IDX, 5.3), EFFR=series(IDX, 5.33))
    h = signal_history(ds, date(2025, 6, 2), date(2025, 6, 30))
    assert tuple(h.columns) == HISTORY_COLUMNS
    assert list(h.columns[:4]) == ["date", "signal", "value", "status"]
    days = h["date"].unique()
    assert len(days) == 20  # June 2025: 21 weekdays less Juneteenth
    assert len(h) == 20 * len(ALL_NAMES)
    assert set(h["status"]) <= {"normal", "elevated", "stressed", "unavailable"}
    assert set(h["signal"]) == set(ALL_NAMES)


def test_dashboard_to_dict_is_json_safe() -> None:
    import json

    d = dash(make_ds(SOFR=series(IDX, 5.3), EFFR=series(IDX, 5.33)), "2025-06-05")
    payload = json.loads(json.dumps(d.to_dict()))
    assert set(payload["signals"]) == set(SIGNAL_NAMES)
    assert payload["signals"]["srf"]["value"] is None


@pytest.fixture(scope="module")
def sample_history(sample: Dataset) -> pd.DataFrame:
    return signal_history(sample, date(2025, 9, 1), date(2026, 9, 30))


def _same(a: float | None, b: float) -> bool:
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not math.isnan(b) and abs(a - b) < 1e-9


# Every ninth day of the sample's daily data, and the days around market holidays and
# quarter-ends, where a filled gap could otherwise depend on data published later (Good Friday
# 2026: no SRF operation, but a business day). A fixed list, so CI never draws a new case.
LOOK_AHEAD_DAYS = sorted({date(2025, 9, 1) + timedelta(days=9 * k) for k in range(44)}
                         | {date(2025, 11, 27), date(2025, 11, 28), date(2025, 12, 24),
                            date(2025, 12, 26), date(2025, 12, 31), date(2026, 1, 2),
                            date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6),
                            date(2026, 7, 2), date(2026, 7, 3), date(2026, 9, 30)})


def test_no_look_ahead_history_row_equals_dashboard_on_visible_data(
        sample: Dataset, sample_history: pd.DataFrame) -> None:
    """The history (computed on all the data) equals, on every date, a dashboard computed from
    only the data public on that date."""
    checked = 0
    for day in LOOK_AHEAD_DAYS:
        if day not in set(sample_history["date"]):
            continue
        checked += 1
        d = compute_dashboard(sample, day)
        rows = sample_history[sample_history["date"] == day].set_index("signal")
        for r in d.rows():
            h = rows.loc[r.name]
            assert r.status == h["status"], (r.name, day)
            assert _same(r.value, h["value"]), (r.name, day, r.value, h["value"])
            assert _same(r.percentile, h["percentile"]), (r.name, day)
    assert checked >= 40


def test_sample_signals_without_auctions_or_fails_are_unavailable(sample: Dataset) -> None:
    """Missing data is never read as calm. The sample now holds auctions and dealer fails (to
    12 Nov 2025), so the rule is checked on the sample with those tables dropped."""
    day = date(2025, 10, 31)
    full = compute_dashboard(sample, day)
    assert full.signals["auctions"].status != "unavailable"
    assert full.signals["fails"].status != "unavailable"

    absent = ("auctions", "pd_fails", "pd_series_breaks")
    without = Dataset(dict(sample.series_map),
                      {k: v for k, v in sample.tables.items() if k not in absent},
                      sample.provenance)
    d = compute_dashboard(without, day)
    assert d.signals["auctions"].status == "unavailable"
    assert d.signals["fails"].status == "unavailable"
    assert d.signals["repo_rates"].status != "unavailable"
    assert d.signals["srf"].status != "unavailable"
    # The index rests on the three core components that have data and says which are missing.
    assert d.composite.status != "unavailable"
    assert set(d.composite.details["missing"]) == {"auctions", "fails", "securities_lending"}
    assert "auctions" not in d.composite.live and "fails" not in d.composite.live
    # The loop starts from auction results: without them it is unavailable, not dormant.
    assert d.feedback_loop.state == "unavailable"
    # The week's coverage says the two have no data at all (not stale, not calm).
    week = analyse(without, day, with_week_before=False)
    assert {n: week.coverage[n].state for n in ("auctions", "fails", "repo_rates")} == {
        "auctions": "missing", "fails": "missing", "repo_rates": "live"}
    assert "auctions" not in week.extremes and "fails" not in week.extremes


def test_without_enough_of_the_pipe_the_composite_is_unavailable(sample: Dataset) -> None:
    """With only two core components left (the sample without SOFR, auctions, fails and dealer
    positions) their calm readings are not published as a calm pipe, and stressed reserves do
    not fill the gap: they are the reservoir, not part of the index."""
    day = date(2025, 10, 22)
    without = Dataset({k: v for k, v in sample.series_map.items() if not k.startswith("SOFR")},
                      {k: v for k, v in sample.tables.items()
                       if k not in ("auctions", "pd_fails", "pd_series_breaks", "pd_positions")},
                      sample.provenance)
    d = compute_dashboard(without, day)
    statuses = {n: r.status for n, r in d.signals.items()}
    # Without SOFR the DVP rate has no reference either (the sample holds no tri-party rate).
    assert statuses == {"repo_rates": "unavailable", "srf": "normal",
                        "repo_segments": "unavailable", "auctions": "unavailable",
                        "dealer_positions": "unavailable", "fails": "unavailable",
                        "securities_lending": "unavailable", "treasury_volatility": "normal",
                        "yield_curve": "normal", "reserves": "stressed"}
    assert d.composite.status == "unavailable" and d.composite.value is None
    assert "too few to call the pipe calm" in d.composite.explanation


def _close(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_dashboard_at_an_earlier_day_equals_the_dashboard_computed_then(sample: Dataset) -> None:
    as_of = date(2026, 9, 3)
    now = compute_dashboard(sample.visible(as_of), as_of)
    for day in (date(2026, 8, 27), date(2026, 8, 3)):
        earlier = now.at(day)
        assert earlier is not None and earlier.as_of == day
        assert _close(earlier.to_dict(), compute_dashboard(sample.visible(day), day).to_dict())
    # Not a day of the frames, after as_of, or without a full trailing window before it.
    assert now.at(date(2026, 8, 29)) is None  # a Saturday
    assert now.at(date(2026, 9, 4)) is None
    assert now.at(date(2024, 1, 3)) is None


def test_one_auction_weak_only_with_its_dealer_share_is_one_link_not_two() -> None:
    """A rise in the dealers' share is one of the weakness tests, so an auction weak on its
    dealer share and one other test counts as the weak-auction link alone; the takedown link
    needs an auction weak on its tail and bid-to-cover without the dealer share."""
    from tests.test_signals_auctions_fails import DATES, _auction

    def loop_on(weak_row: dict) -> FeedbackLoopResult:
        rows = [weak_row if d == "2025-10-08" else _auction(d) for d in DATES]
        loop = dash(Dataset({}, {"auctions": pd.DataFrame(rows)}), "2025-10-09").feedback_loop
        assert isinstance(loop, FeedbackLoopResult)
        return loop

    dealer_and_tail = loop_on(_auction("2025-10-08", dealer=20.0, tail=3.0))
    assert dealer_and_tail.state == "dormant" and dealer_and_tail.value == 1
    priced_weak = loop_on(_auction("2025-10-08", btc=2.3, dealer=20.0, tail=3.0))
    assert priced_weak.state == "forming" and priced_weak.value == 2
