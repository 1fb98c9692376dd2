"""The pipe's capacity on small hand-made frames: dealer positions (series breaks, withheld
weeks, the build-up and its bucket), repo segments (vintages, the tri-party reference, spikes and
the sustained level), SOMA securities lending (never invented, never calm), the feedback loop's
measured dealer link and the composite with the new components."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from reportgen.analysis.signals import compute_dashboard
from reportgen.analysis.signals.composite import CORE
from reportgen.analysis.signals.securities_lending import NO_DATA
from reportgen.analysis.week import analyse
from reportgen.dataset import Dataset
from tests.test_signals_auctions_fails import DATES, _auction
from tests.test_signals_helpers import bdays, dash, make_ds, series

NO_SECLENDING = ("SOMA securities lending unavailable: no securities-lending results are stored: "
                 "none were found offline, and `reportgen fetch` gets them.")


# -- dealer positions ---------------------------------------------------------------------------
def _positions(weeks: pd.DatetimeIndex, total_bn: object, brk: object = "SBN2024",
               bills_bn: object = None, withheld: tuple[str, ...] = ()) -> pd.DataFrame:
    """A ``pd_positions`` table: the total and, when given, bills with coupons making up the
    rest (USD millions as stored); ``withheld`` weeks carry the total as ``*``."""
    total = np.broadcast_to(np.asarray(total_bn, dtype=float), (len(weeks),))
    breaks = np.broadcast_to(np.asarray(brk, dtype=object), (len(weeks),))
    rows = []
    for when, t, b in zip(weeks, total, breaks, strict=True):
        d = when.date().isoformat()
        held = d in withheld
        rows.append({"date": d, "keyid": "PDPOSGST-TOT", "measure": "total", "series_break": b,
                     "value": None if held else t * 1000.0, "suppressed": int(held)})
    if bills_bn is not None:
        bills = np.broadcast_to(np.asarray(bills_bn, dtype=float), (len(weeks),))
        for when, t, bl, b in zip(weeks, total, bills, breaks, strict=True):
            d = when.date().isoformat()
            rows.append({"date": d, "keyid": "PDPOSGS-B", "measure": "bills",
                         "series_break": b, "value": bl * 1000.0, "suppressed": 0})
            rows.append({"date": d, "keyid": "PDPOSGSC-L2", "measure": "coupons_le2y",
                         "series_break": b, "value": (t - bl) * 1000.0, "suppressed": 0})
    return pd.DataFrame(rows)


def _wednesdays(start: str, periods: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=periods, freq="W-WED", name="date")


def test_dealer_positions_are_judged_within_the_current_series_break_only() -> None:
    """A year of 500 bn in the old break, then a new break at 300 bn building to 345 bn: the
    week is the highest of its break and building (elevated), although it is far below every
    week of the break before, which is never compared with."""
    old = _wednesdays("2023-06-07", 56)  # to 2024-06-26
    new = _wednesdays("2024-07-03", 40)  # to 2025-04-02
    level = np.r_[np.full(36, 300.0), [310.0, 320.0, 335.0, 345.0]]
    table = pd.concat([_positions(old, 500.0, "SBN2022"), _positions(new, level, "SBN2024")])
    ds = make_ds({"pd_positions": table})
    r = dash(ds, "2025-04-10").signals["dealer_positions"]  # 2 Apr is public on 10 Apr
    assert r.status == "elevated"
    assert r.value == pytest.approx(345.0)
    assert r.percentile == pytest.approx(1.0)
    assert r.values["change_bn"] == pytest.approx(45.0)
    assert r.values["weeks_in_break"] == 40
    assert r.details["series_break"] == "SBN2024" and r.details["week"] == "2025-04-02"
    assert r.details["break_start"] == "2024-07-03"
    assert "the 100th percentile of their history in the current series break (SBN2024, " \
           "40 weeks from 3 Jul 2024)" in r.explanation
    assert "+$45.0 bn in 4 weeks" in r.explanation
    # The first weeks of a break are compared with nothing: no change across it, no reading.
    early = dash(ds, "2024-07-11").signals["dealer_positions"]
    assert early.status == "unavailable" and early.value is None
    assert "only 1 week of dealer positions in the current series break (SBN2024, from " \
           "3 Jul 2024); 26 are needed" in early.explanation
    cov = analyse(ds, date(2024, 7, 11), with_week_before=False).coverage["dealer_positions"]
    assert cov.state == "not_yet" and "series break" in cov.reason


def test_dealer_positions_stress_needs_an_extreme_level_and_a_large_build() -> None:
    weeks = _wednesdays("2024-07-03", 60)
    level = np.r_[np.linspace(200.0, 300.0, 56), [300.0, 310.0, 340.0, 370.0]]
    ds = make_ds({"pd_positions": _positions(weeks, level)})
    last = (weeks[-1] + pd.Timedelta(days=8)).date().isoformat()
    r = dash(ds, last).signals["dealer_positions"]
    assert r.status == "stressed" and r.values["change_bn"] == pytest.approx(70.0)
    # High but not building is not inventory forced onto dealers.
    flat = np.r_[np.linspace(200.0, 300.0, 56), [301.0, 302.0, 303.0, 304.0]]
    calm = dash(make_ds({"pd_positions": _positions(weeks, flat)}), last)
    assert calm.signals["dealer_positions"].status == "normal"
    assert calm.signals["dealer_positions"].percentile == pytest.approx(1.0)


def test_dealer_explanation_names_the_bucket_driving_the_build() -> None:
    weeks = _wednesdays("2024-07-03", 40)
    total = np.r_[np.full(36, 300.0), [310.0, 320.0, 330.0, 340.0]]
    bills = np.r_[np.full(36, 80.0), [85.0, 95.0, 105.0, 115.0]]  # +35 of the +40
    ds = make_ds({"pd_positions": _positions(weeks, total, bills_bn=bills)})
    r = dash(ds, "2025-04-10").signals["dealer_positions"]
    assert r.details["driver"] == "bills"
    assert r.details["buckets"]["bills"] == {"level_bn": 115.0, "change_bn": 35.0}
    assert r.details["buckets"]["coupons"] == {"level_bn": 225.0, "change_bn": 5.0}
    assert "driven by bills (+$35.0 bn; coupons +$5.0 bn)" in r.explanation


def test_a_withheld_week_is_missing_never_zero() -> None:
    weeks = _wednesdays("2024-07-03", 40)
    last = weeks[-1].date().isoformat()
    ds = make_ds({"pd_positions": _positions(weeks, 300.0, withheld=(last,))})
    r = dash(ds, "2025-04-10").signals["dealer_positions"]
    # The week before stands (not a fall to zero), and the sentence says which week was
    # withheld.
    assert r.status == "normal" and r.value == pytest.approx(300.0)
    assert r.details["week"] == "2025-03-26"
    assert "the NY Fed withheld the total for the week to 2 Apr 2025" in r.explanation
    # A bucket with one key withheld is not known either (a partial sum would read as a fall).
    table = _positions(weeks, 300.0, bills_bn=80.0)
    table.loc[(table["keyid"] == "PDPOSGSC-L2") & (table["date"] == last),
              ["value", "suppressed"]] = [None, 1]
    r = dash(make_ds({"pd_positions": table}), "2025-04-10").signals["dealer_positions"]
    assert r.details["buckets"]["coupons"]["level_bn"] is None
    assert r.details["buckets"]["bills"]["level_bn"] == pytest.approx(80.0)


def test_dealer_positions_are_public_on_the_thursday_after_next() -> None:
    weeks = _wednesdays("2024-07-03", 40)
    ds = make_ds({"pd_positions": _positions(weeks, np.arange(40, dtype=float) + 300.0)})
    assert dash(ds, "2025-04-09").signals["dealer_positions"].details["week"] == "2025-03-26"
    assert dash(ds, "2025-04-10").signals["dealer_positions"].details["week"] == "2025-04-02"


def test_without_dealer_positions_the_signal_is_unavailable_and_says_why() -> None:
    ds = make_ds(SOFR=series(bdays("2025-01-02", 200), 4.3))
    r = dash(ds, "2025-09-01").signals["dealer_positions"]
    assert r.status == "unavailable"
    assert "no primary dealer positions stored" in r.explanation
    cov = analyse(ds, date(2025, 9, 1), with_week_before=False).coverage["dealer_positions"]
    assert cov.state == "missing"


# -- repo segments ------------------------------------------------------------------------------
IDX = bdays("2024-06-03", 330)


def _segments(dvp: pd.Series, **refs: pd.Series) -> Dataset:
    return make_ds(**{"REPO-DVP_AR_OO-P": dvp}, **refs)


def test_repo_segments_prefer_the_ofr_tri_party_rate_then_tgcr_then_sofr() -> None:
    dvp = series(IDX, 4.35)
    day = "2025-09-02"
    sofr = dash(_segments(dvp, SOFR=series(IDX, 4.33)), day).signals["repo_segments"]
    assert sofr.value == pytest.approx(2.0) and sofr.details["reference"] == "SOFR"
    assert "; SOFR stands in for tri-party (neither an OFR tri-party rate nor TGCR is stored" \
        in sofr.explanation
    tgcr = dash(_segments(dvp, SOFR=series(IDX, 4.33), TGCRRATE=series(IDX, 4.30)),
                day).signals["repo_segments"]
    assert tgcr.value == pytest.approx(5.0) and tgcr.details["reference"] == "TGCR"
    tri = dash(_segments(dvp, SOFR=series(IDX, 4.33), TGCRRATE=series(IDX, 4.30),
                         **{"REPO-TRI_AR_OO-P": series(IDX, 4.29)}), day).signals["repo_segments"]
    assert tri.value == pytest.approx(6.0) and tri.details["reference"] == "OFR tri-party"
    assert "the OFR tri-party rate" in tri.explanation


def test_repo_segments_use_the_final_vintage_where_it_is_published() -> None:
    prelim = series(IDX, 4.35)
    prelim.iloc[-1] = np.nan  # a preliminary gap that the final vintage fills
    final = series(IDX, 4.35)
    final.iloc[-1] = 4.37
    ds = make_ds(**{"REPO-DVP_AR_OO-P": prelim, "REPO-DVP_AR_OO-F": final},
                 SOFR=series(IDX, 4.33))
    next_day = (IDX[-1] + pd.offsets.BDay(1)).date()
    # A briefing sees a final value only once it is published (about a quarter later): the
    # day after the gap it reads the preliminary value of the day before.
    soon = compute_dashboard(ds.visible(next_day), next_day).signals["repo_segments"]
    assert soon.details["vintage"] == "preliminary"
    assert soon.details["date"] == IDX[-2].date().isoformat()
    later = next_day + pd.Timedelta(days=190)
    frame = compute_dashboard(ds.visible(later), later).frames["repo_segments"]
    row = frame.loc[pd.Timestamp(next_day)]
    assert row["vintage"] == "final" and row["v:dvp_pct"] == pytest.approx(4.37)
    assert row["v:spread_bp"] == pytest.approx(4.0)


def test_repo_segments_stress_on_a_spike_and_on_a_sustained_level() -> None:
    dvp = series(IDX, 4.35)
    dvp[IDX[-1]] = 4.55  # +20 bp against a flat +2 bp
    ds = _segments(dvp, SOFR=series(IDX, 4.33))
    after = (IDX[-1] + pd.Timedelta(days=1)).date().isoformat()
    r = dash(ds, after).signals["repo_segments"]
    assert r.status == "stressed" and r.values["spike_bp"] == pytest.approx(20.0)
    # Twelve basis points for weeks is no spike against its own recent median, but it is the
    # sustained level of a dear dealer balance sheet.
    dvp = series(IDX, 4.35)
    dvp.iloc[-40:] = 4.45
    r = dash(_segments(dvp, SOFR=series(IDX, 4.33)), after).signals["repo_segments"]
    assert r.values["spike_bp"] == pytest.approx(0.0)
    assert r.values["level_bp"] == pytest.approx(12.0)
    assert r.status == "elevated"


def test_repo_segments_without_dvp_or_a_reference_are_unavailable_with_the_reason() -> None:
    r = dash(make_ds(SOFR=series(IDX, 4.33)), "2025-09-02").signals["repo_segments"]
    assert r.status == "unavailable" and "no OFR DVP repo rate stored" in r.explanation
    r = dash(make_ds(**{"REPO-DVP_AR_OO-P": series(IDX, 4.35)}),
             "2025-09-02").signals["repo_segments"]
    assert r.status == "unavailable" and "no tri-party rate, TGCR or SOFR" in r.explanation


def test_repo_segments_did_not_exist_before_the_ofr_dvp_series() -> None:
    idx = bdays("2021-01-04", 200)
    ds = make_ds(SOFR=series(idx, 0.05), IORB=series(idx, 0.10))
    cov = analyse(ds, date(2021, 9, 1), with_week_before=False).coverage["repo_segments"]
    assert cov.state == "not_yet" and "3 Jan 2022" in cov.reason
    cov = analyse(ds.visible(date(2021, 9, 1)), date(2022, 3, 1),
                  with_week_before=False).coverage["repo_segments"]
    assert cov.state == "missing"


# -- SOMA securities lending --------------------------------------------------------------------
def _lending(days: pd.DatetimeIndex, volume_bn: object, top_share: float | None = None,
             ) -> dict[str, pd.DataFrame]:
    vol = np.broadcast_to(np.asarray(volume_bn, dtype=float), (len(days),))
    ops, details = [], []
    for when, v in zip(days, vol, strict=True):
        d = when.date().isoformat()
        op = f"SL {when:%m%d%y} 1"
        ops.append({"operation_id": op, "operation_date": d, "operation_type": "Securities Lending",
                    "total_par_submitted": v * 1.1e9, "total_par_accepted": v * 1e9,
                    "issues_lent": 20})
        if top_share is not None:
            # Five issues take ``top_share`` of the day, fifteen share the rest.
            for i in range(20):
                part = top_share / 5 if i < 5 else (1 - top_share) / 15
                details.append({"operation_id": op, "operation_date": d, "cusip": f"912{i:06d}",
                                "security_description": f"UST {i}",
                                "par_accepted": v * 1e9 * part})
    tables = {"seclending_operations": pd.DataFrame(ops)}
    if details:
        tables["seclending_details"] = pd.DataFrame(details)
    return tables


def test_securities_lending_without_results_is_unavailable_never_calm() -> None:
    ds = make_ds(SOFR=series(IDX, 4.33), EFFR=series(IDX, 4.33))
    d = dash(ds, "2025-09-02")
    r = d.signals["securities_lending"]
    assert r.status == "unavailable" and r.value is None
    assert r.explanation == NO_SECLENDING
    assert r.explanation == f"SOMA securities lending unavailable: {NO_DATA}."
    assert "securities_lending" in d.composite.details["missing"]
    cov = analyse(ds, date(2025, 9, 2), with_week_before=False).coverage["securities_lending"]
    assert cov.state == "missing"


def test_securities_lending_volume_and_concentration_against_history() -> None:
    days = bdays("2025-01-02", 200)
    vol = np.full(200, 30.0)
    vol[-1] = 90.0  # three times its median, the highest of its history
    ds = make_ds(_lending(days, vol, top_share=0.4))
    r = dash(ds, days[-1].date().isoformat()).signals["securities_lending"]
    assert r.status == "stressed"
    assert r.value == pytest.approx(90.0) and r.values["ratio_to_median"] == pytest.approx(3.0)
    assert r.values["top_share_pct"] == pytest.approx(40.0)
    assert "the Fed lent $90.00 bn of Treasuries across 20 issues" in r.explanation
    assert "the 5 most-lent issues took 40% of it" in r.explanation
    assert [t["cusip"] for t in r.details["top_issues"]][:1] == ["912000000"]
    # Ordinary volume, but concentrated in a few issues as never before: issues going special.
    share = np.full(200, 0.3)
    share[-1] = 0.8
    tables = _lending(days, 30.0, top_share=0.3)
    det = tables["seclending_details"]
    last = det["operation_date"] == days[-1].date().isoformat()
    top = last & det["cusip"].isin([f"912{i:06d}" for i in range(5)])
    det.loc[top, "par_accepted"] = 30e9 * 0.8 / 5
    det.loc[last & ~top, "par_accepted"] = 30e9 * 0.2 / 15
    r = dash(make_ds(tables), days[-1].date().isoformat()).signals["securities_lending"]
    assert r.values["top_share_pct"] == pytest.approx(80.0)
    assert r.status == "elevated"


def test_securities_lending_with_little_history_has_no_reading_yet() -> None:
    days = bdays("2025-06-02", 30)
    ds = make_ds(_lending(days, 30.0))
    r = dash(ds, days[-1].date().isoformat()).signals["securities_lending"]
    assert r.status == "unavailable"
    assert "only 30 operations of securities lending stored" in r.explanation
    cov = analyse(ds, days[-1].date(), with_week_before=False).coverage["securities_lending"]
    assert cov.state == "not_yet"


# -- the feedback loop's measured dealer link ---------------------------------------------------
def _loop_ds(rise_break: str = "SBN2024", dvp_spike: bool = False) -> Dataset:
    """Monthly 10-year auctions, weak on tail and bid-to-cover on 3 Sep 2025 (dealers took their
    usual share: no takedown), and dealer positions 30 bn higher in the week after."""
    rows = [_auction(d, btc=2.3, dealer=10.0, tail=3.0) if d == "2025-09-03" else _auction(d)
            for d in DATES]
    weeks = _wednesdays("2025-01-01", 44)
    level = np.where(weeks >= pd.Timestamp("2025-09-10"), 330.0, 300.0)
    breaks = np.where(weeks >= pd.Timestamp("2025-09-10"), rise_break, "SBN2024")
    tables = {"auctions": pd.DataFrame(rows), "pd_positions": _positions(weeks, level, breaks)}
    idx = bdays("2025-01-02", 220)
    sofr = series(idx, 4.30)
    dvp = series(idx, 4.32)
    if dvp_spike:
        for d in ("2025-09-19", "2025-09-22", "2025-09-23"):
            dvp[pd.Timestamp(d)] = 4.60
    return Dataset({"SOFR": sofr, "REPO-DVP_AR_OO-P": dvp}, tables)


def test_dealer_inventory_up_holds_on_positions_once_they_are_public() -> None:
    ds = _loop_ds()
    # The week to 10 Sep is public on 18 Sep: the day before, one link only.
    assert dash(ds, "2025-09-17").feedback_loop.value == 1
    loop = dash(ds, "2025-09-18").feedback_loop
    assert loop.state == "forming" and loop.value == 2
    assert loop.chain[1] == ("dealer inventory up: dealers' net Treasury positions +$30.0 bn to "
                             "$330.0 bn in the week to 10 Sep 2025, after the weak auction of "
                             "3 Sep 2025 (NY Fed primary dealer positions)")
    link = loop.details["links"][1]
    assert link == {"link": "dealer inventory up", "holds": True, "date": "2025-09-10",
                    "rule": "positions", "data": "NY Fed primary dealer positions"}


def test_a_rise_across_a_series_break_is_not_dealer_inventory_up() -> None:
    loop = dash(_loop_ds(rise_break="SBN2025"), "2025-09-18").feedback_loop
    assert loop.value == 1
    assert loop.chain[1].startswith("dealer inventory up: not seen in the last 30 business days")
    assert "NY Fed primary dealer positions" in loop.chain[1]


def test_funding_stress_includes_the_dvp_spread() -> None:
    loop = dash(_loop_ds(dvp_spike=True), "2025-09-25").feedback_loop
    assert loop.value == 3
    assert loop.chain[2].startswith("funding stress: DVP repo over tri-party elevated")
    assert loop.chain[2].endswith("(OFR Short-term Funding Monitor)")


# -- the composite with the new components ------------------------------------------------------
def test_the_capacity_signals_are_pipe_components_of_the_composite() -> None:
    assert {"repo_segments", "dealer_positions", "securities_lending"} <= set(CORE)
    weeks = _wednesdays("2024-07-03", 60)
    level = np.r_[np.linspace(200.0, 300.0, 56), [300.0, 310.0, 340.0, 370.0]]
    idx = bdays("2024-06-03", 330)
    pipe = dict(SOFR=series(idx, 4.33), EFFR=series(idx, 4.33), DGS2=series(idx, 4.0),
                DGS10=series(idx, 4.2), DGS3MO=series(idx, 4.1))
    day = (weeks[-1] + pd.Timedelta(days=8)).date().isoformat()
    calm = dash(make_ds(**pipe), day).composite
    stressed = dash(make_ds({"pd_positions": _positions(weeks, level)}, **pipe), day).composite
    # Two live pipe signals: too few to publish a calm index ...
    assert calm.status == "unavailable"
    # ... but with dealer positions stressed there are three, and they drive it.
    assert stressed.live[:3] == ("repo_rates", "dealer_positions", "treasury_volatility")
    assert stressed.drivers[0] == "dealer_positions"
    assert stressed.details["scores"]["dealer_positions"] > 67
    assert stressed.status in ("elevated", "stressed")
    assert pd.isna(stressed.details["scores"]["securities_lending"])
    assert "securities_lending" in stressed.details["missing"]


# -- thresholds ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "value"), [
    ("signals.dealer_elevated_pct", 0.99),         # above dealer_stressed_pct (0.98)
    ("signals.dealer_build_stressed_bn", 20.0),    # below dealer_build_elevated_bn (30)
    ("signals.segments_level_elevated_bp", 30.0),  # above segments_level_stressed_bp (25)
    ("signals.seclending_stressed_ratio", 1.2),    # below seclending_elevated_ratio (1.5)
])
def test_capacity_thresholds_keep_elevated_below_stressed(key: str, value: float) -> None:
    from reportgen.analysis.thresholds import DEFAULT
    from reportgen.config import apply_threshold_overrides
    from reportgen.errors import ConfigError

    with pytest.raises(ConfigError, match="wrong order"):
        apply_threshold_overrides(DEFAULT, {key: value})


# -- the sample briefing ------------------------------------------------------------------------
def test_the_sample_briefing_reads_dealers_and_dvp_with_history_and_says_why_no_lending() -> None:
    """17 Sep 2026 on the bundled sample: dealer positions for the week to 26 Aug (public
    3 Sep) judged against 113 weeks of SBN2024; the DVP rate of 16 Sep over SOFR judged against
    15 months; securities lending unavailable with its reason, on every view of the week."""
    from tests.factories import SAMPLE_AS_OF, sample_page, sample_week

    week, page = sample_week(), sample_page()
    dealers = week.signals["dealer_positions"]
    assert week.coverage["dealer_positions"].state == "live"
    assert dealers.status == "normal" and dealers.value == pytest.approx(477.607)
    assert dealers.details["week"] == "2026-08-26" and dealers.details["weeks_in_break"] == 113
    assert dealers.percentile == pytest.approx(0.788, abs=0.001)
    assert dealers.values["change_bn"] == pytest.approx(4.436)
    assert dealers.details["driver"] == "bills"
    assert dealers.explanation.startswith(
        "Dealer positions normal: primary dealers' net Treasury positions were $477.6 bn in the "
        "week to 26 Aug 2026, the 79th percentile of their history in the current series break "
        "(SBN2024, 113 weeks from 3 Jul 2024), +$4.4 bn in 4 weeks, driven by bills")
    # The chart shows three years of it, the break marked.
    assert week.frames.dealer_positions["date"].min() < pd.Timestamp("2024-07-03")

    dvp = week.signals["repo_segments"]
    assert week.coverage["repo_segments"].state == "live"
    assert dvp.status == "normal" and dvp.value == pytest.approx(-1.0)
    assert dvp.details == {"date": "2026-09-16", "reference": "SOFR", "vintage": "preliminary"}
    assert dvp.percentile is not None and dvp.zscore is not None
    assert "the DVP repo rate (preliminary OFR vintage) was 3.61% on 16 Sep 2026" \
        in dvp.explanation
    assert len(week.frames.repo_segments) > 250

    lending = week.signals["securities_lending"]
    assert lending.status == "unavailable" and lending.explanation == NO_SECLENDING
    assert week.coverage["securities_lending"].state == "missing"
    assert "securities_lending" in week.composite.details["missing"]
    assert week.implications.state.pipe_live == 6  # fails are stale, lending missing
    subs = {s.id: s for s in page.pipe.subsections}
    assert subs["pipe-dealers"].narrative[0] == dealers.explanation
    assert subs["pipe-segments"].narrative[0] == dvp.explanation
    assert [f.name for f in subs["pipe-dealers"].figures] == ["dealer_positions"]
    assert NO_SECLENDING[len("SOMA securities lending unavailable: "):-1] in \
        subs["pipe-collateral"].narrative[0]
    row = next(r for r in page.front.signals if r.name == "securities_lending")
    assert row.status.css == "missing" and row.status.label == "Missing" and not row.coverage
    assert any(NO_DATA in line for line in page.appendix.unavailable)
    assert week.as_of == SAMPLE_AS_OF
