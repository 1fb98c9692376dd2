"""auctions and fails on hand-made tables: weakness, persistence, sources, units, breaks."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.analysis.signals.fails import AGGREGATE_LABEL, PER_TENOR_LABEL
from reportgen.dataset import Dataset
from tests.test_signals_helpers import dash, make_ds, row

# Monthly 10-year auctions (second Wednesday-ish), all on ordinary days.
DATES = ["2025-01-08", "2025-02-05", "2025-03-05", "2025-04-02", "2025-05-07", "2025-06-04",
         "2025-07-09", "2025-08-06", "2025-09-03", "2025-10-08"]


def _auction(day: str, btc: float = 2.6, dealer: float = 10.0, tail: float = 1.0,
             term: str = "10-Year") -> dict[str, object]:
    comp = 40e9
    return {"cusip": f"X{day}{term}", "auction_date": day, "security_type": "Note",
            "original_security_term": term, "tips": 0, "frn": 0, "reopening": 0,
            "high_yield": 4.0 + tail / 100.0, "avg_med_yield": 4.0, "bid_to_cover_ratio": btc,
            "comp_accepted": comp, "primary_dealer_accepted": comp * dealer / 100.0,
            "indirect_bidder_accepted": comp * 0.7}


def _ds(weak_days: tuple[str, ...]) -> Dataset:
    rows = [_auction(d, btc=2.3, dealer=20.0, tail=3.0) if d in weak_days else _auction(d)
            for d in DATES]
    return make_ds({"auctions": pd.DataFrame(rows)})


def test_two_weak_of_three_flags_the_tenor_as_persistent() -> None:
    d = dash(_ds(("2025-09-03", "2025-10-08")), "2025-10-09")
    r = d.signals["auctions"]
    assert r.status == "elevated"
    assert r.value == 1
    assert r.persistent
    ten = {t["tenor"]: t for t in r.details["tenors"]}["10-Year"]
    assert ten["weak"] and ten["flagged"] and ten["weak_of_last"] == 2
    assert ten["tail_kind"] == "proxy"
    assert ten["dealer_share_pct"] == pytest.approx(20.0)
    assert "proxy" in r.explanation


def test_one_weak_auction_is_weather() -> None:
    r = dash(_ds(("2025-10-08",)), "2025-10-09").signals["auctions"]
    assert r.status == "normal"  # one weak auction: not flagged, and not two in two weeks
    assert not r.persistent
    assert r.values["weak_auctions_recent"] == 1


def test_auction_sentence_names_the_look_back_in_force() -> None:
    from dataclasses import replace
    from datetime import date

    from reportgen.analysis.signals import compute_dashboard
    from reportgen.analysis.thresholds import DEFAULT

    ds = _ds(("2025-10-08",))
    assert "in the last 10 business days" in dash(ds, "2025-10-09").signals["auctions"].explanation
    th = replace(DEFAULT.signals, auction_recent_days=5)
    r = compute_dashboard(ds, date(2025, 10, 9), thresholds=th).signals["auctions"]
    assert "in the last 5 business days" in r.explanation


def test_when_issued_yields_give_true_tails() -> None:
    from datetime import date

    from reportgen.analysis.signals import compute_dashboard

    wi = pd.DataFrame({"auction_date": ["2025-10-08"], "original_security_term": ["10-Year"],
                       "wi_yield": [3.985]})
    d = compute_dashboard(_ds(()), date(2025, 10, 9), when_issued=wi)
    ten = {t["tenor"]: t for t in d.signals["auctions"].details["tenors"]}["10-Year"]
    assert ten["tail_kind"] == "true"
    assert ten["tail_bp"] == pytest.approx(2.5)  # 4.01 - 3.985 percent


def test_no_auctions_or_stale_results_are_unavailable() -> None:
    assert dash(make_ds(), "2025-10-09").signals["auctions"].status == "unavailable"
    assert row(_ds(()), "auctions", "2026-01-30")["status"] == "unavailable"
    # Too few prior auctions of the tenor to judge.
    assert row(_ds(()), "auctions", "2025-02-06")["status"] == "unavailable"


# -- fails -------------------------------------------------------------------------------------
WEEKS = pd.date_range("2023-01-04", periods=60, freq="7D")  # Wednesdays


def _fails(keys: dict[str, float], spike_week: int | None = None,
           factor: float = 6.0) -> pd.DataFrame:
    rows = []
    for i, w in enumerate(WEEKS):
        for key, value in keys.items():
            v = value * (factor if i == spike_week else 1.0) * (1 + 0.05 * (i % 3))
            rows.append({"date": w.date().isoformat(), "keyid": key, "value": v})
    return pd.DataFrame(rows)


def test_fails_spike_is_stressed_from_the_following_thursday_in_billions() -> None:
    t = _fails({"PDSI10F-TD": 600.0, "PDSI10F-TR": 400.0}, spike_week=40)
    ds = make_ds({"pd_fails": t})
    wed = WEEKS[40].date().isoformat()
    next_day = (WEEKS[40] + pd.Timedelta(days=1)).date().isoformat()
    published = (WEEKS[40] + pd.Timedelta(days=8)).date().isoformat()
    # The week ending Wednesday is published the following week's Thursday, not the next day.
    assert row(ds, "fails", wed)["status"] == "normal"
    assert row(ds, "fails", next_day)["status"] == "normal"
    r = dash(ds, published).signals["fails"]
    assert r.status == "stressed"
    assert r.value == pytest.approx(6.0 * 1000.0 * 1.05 / 1000.0)  # USD millions -> bn
    assert r.details["source"] == PER_TENOR_LABEL
    assert not r.persistent


def test_fails_persistence_across_weeks() -> None:
    t = _fails({"PDSI10F-TD": 600.0, "PDSI10F-TR": 400.0})
    t.loc[t["date"].isin([w.date().isoformat() for w in WEEKS[40:42]]), "value"] *= 6
    r = dash(make_ds({"pd_fails": t}), (WEEKS[41] + pd.Timedelta(days=8)).date().isoformat())
    assert r.signals["fails"].status == "stressed"
    assert r.signals["fails"].persistent


def test_aggregate_fails_are_never_mixed_with_per_tenor_keys() -> None:
    t = pd.concat([_fails({"PDSI10F-TD": 600.0, "PDSI10F-TR": 400.0}),
                   _fails({"PDFTD-USTET": 50_000.0, "PDFTR-USTET": 40_000.0})])
    r = dash(make_ds({"pd_fails": t}), "2024-01-05").signals["fails"]
    assert r.details["source"] == AGGREGATE_LABEL
    # The newest week public on 2024-01-05: published 8 days after its Wednesday.
    week = WEEKS[pd.Timestamp("2024-01-05") - pd.Timedelta(days=8) >= WEEKS][-1]
    i = list(WEEKS).index(week)
    assert r.value == pytest.approx(90.0 * (1 + 0.05 * (i % 3)))


def test_series_break_restarts_the_history() -> None:
    t = _fails({"PDSI10F-TD": 600.0})
    breaks = pd.DataFrame({"series_break": ["B1"], "label": ["x"],
                           "start_date": [WEEKS[45].date().isoformat()], "end_date": [None]})
    ds = make_ds({"pd_fails": t, "pd_series_breaks": breaks})
    day = (WEEKS[50] + pd.Timedelta(days=1)).date().isoformat()
    r = dash(ds, day).signals["fails"]
    assert r.percentile is None  # only 6 weeks since the break
    assert r.status == "normal"


def test_no_fails_is_unavailable() -> None:
    r = dash(make_ds(), "2024-01-05").signals["fails"]
    assert r.status == "unavailable"
    assert "no primary dealer fails" in r.explanation


def test_fails_calendar_windows_are_those_of_the_week_covered_not_the_publication_day() -> None:
    from reportgen.analysis.signals.fails import _week_windows

    weeks = pd.DatetimeIndex(["2022-09-28", "2022-10-05"])
    # Thursday 22 Sep - Wednesday 28 Sep holds no window; the next week holds the quarter-end.
    assert _week_windows(weeks) == ["", "quarter-end;month-end;coupon settlement"]
    t = _fails({"PDSI10F-TD": 600.0, "PDSI10F-TR": 400.0}, spike_week=40)
    ds = make_ds({"pd_fails": t})
    published = (WEEKS[40] + pd.Timedelta(days=8)).date().isoformat()
    r = dash(ds, published).signals["fails"]
    expected = tuple(w for w in _week_windows(pd.DatetimeIndex([WEEKS[40]]))[0].split(";") if w)
    assert r.calendar_windows == expected
