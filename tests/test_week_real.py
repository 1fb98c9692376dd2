"""The briefing read as a strategist would, on the real history 2018-2026 (skips without
../shared/data/real): for quiet and stressed weeks alike, page 1 names the week's events,
no sentence contradicts the number it cites, no signal is both calendar-explained and
persistent, the stress index has no reservoir component, no chart has data after the
briefing date, and page 1 states the data's age and coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from reportgen.analysis.week import WeekAnalysis, analyse
from reportgen.charts import ChartBundle, build_charts
from reportgen.dataset import Dataset
from reportgen.render import narrative as nv
from reportgen.render.context import Page, build_page

pytestmark = pytest.mark.real_data

# Named episodes and a spread of ordinary weeks (the Thursday after each H.4.1).
EPISODES = [
    date(2018, 6, 7), date(2018, 12, 27), date(2019, 9, 19), date(2019, 9, 20),
    date(2019, 10, 17), date(2019, 12, 31), date(2020, 3, 19), date(2020, 3, 26),
    date(2021, 9, 2), date(2022, 6, 9), date(2022, 10, 6), date(2023, 3, 16),
    date(2023, 8, 3), date(2024, 4, 18), date(2024, 10, 3), date(2025, 4, 10),
    date(2025, 10, 31), date(2025, 11, 6), date(2025, 12, 18), date(2026, 1, 8),
    date(2026, 4, 23), date(2026, 6, 11), date(2026, 8, 20),
]
ORDINARY = [d.date() for d in pd.date_range("2018-03-01", "2026-08-20", freq="13W-THU")]
DATES = sorted(set(EPISODES) | set(ORDINARY))
GENERATED = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Briefing:
    week: WeekAnalysis
    charts: dict[str, ChartBundle]
    page: Page


@pytest.fixture(scope="module")
def briefings(real_dataset: Dataset) -> list[Briefing]:
    out = []
    for as_of in DATES:
        week = analyse(real_dataset, as_of)
        charts = build_charts(week)
        out.append(Briefing(week, charts, build_page(week, charts, None, GENERATED)))
    return out


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_named_episodes_are_led_by_their_events(briefings: list[Briefing]) -> None:
    by_date = {b.week.as_of: b for b in briefings}
    lead = " ".join(by_date[date(2019, 9, 20)].page.front.lead)
    assert "SOFR printed 5.25% on 17 Sep 2019, +295 bp over" in lead
    lead = " ".join(by_date[date(2025, 11, 6)].page.front.lead)
    assert "The Standing Repo Facility lent $50.35 bn on 31 Oct 2025 (stressed)" in lead
    lead = " ".join(by_date[date(2025, 10, 31)].page.front.lead)
    assert "Policy, 29 Oct 2025: end of runoff, effective 1 Dec 2025." in lead
    # A week of stress is not called normal on page 1 because its last day was calm.
    assert by_date[date(2025, 11, 6)].page.front.plumbing.status.css in ("elevated",
                                                                         "stressed")


def test_page_one_names_the_week_s_events_wherever_there_were_some(
        briefings: list[Briefing]) -> None:
    with_events = 0
    for b in briefings:
        lead = list(b.page.front.lead)[len(b.week.decisions):]
        if lead[-1].startswith("In the week to"):  # the reservoir's large moves close it
            assert lead[-1] == nv.reservoir_week_sentence(b.week.reservoir, large_only=True)
            lead = lead[:-1]
        if b.week.events:
            with_events += 1
            assert lead == [nv.event_sentence(e) for e in b.week.events[:3]], b.week.as_of
        else:
            assert lead[0].startswith(("No pipe signal reached elevated", "No new stress",
                                       "Only ")), \
                b.week.as_of
    assert with_events >= 10


def test_no_sentence_contradicts_the_number_it_cites(briefings: list[Briefing]) -> None:
    checked = set()
    for b in briefings:
        week, page = b.week, b.page
        res = week.reservoir.row("reserves")
        text = [*page.front.changes, page.front.reservoir.summary, *page.reservoir.narrative,
                *page.stock_flow.narrative, *page.phase.narrative, *page.phase.pace.narrative,
                *page.front.lead]
        for s in text:
            # The week's reservoir moves (page 1's lead): each direction, size and level.
            for name, key in ((r"reserves \(week average\)", "reserves"), ("the TGA", "tga"),
                              ("ON RRP", "on_rrp")):
                m = re.search(rf"(?:^In the week to [^,]+, |, | and ){name}(?: \(to [^)]+\))? "
                              r"(rose|fell) \$([\d,]+) bn to \$([\d,]+) bn", s)
                if m is not None:
                    row = week.reservoir.row(key)
                    assert row is not None and row.change_1w_bn is not None, (week.as_of, s)
                    assert (row.change_1w_bn > 0) == (m.group(1) == "rose"), (week.as_of, s)
                    assert _amount(m.group(2)) == round(abs(row.change_1w_bn)), (week.as_of, s)
                    assert _amount(m.group(3)) == round(row.latest_bn), (week.as_of, s)
                    checked.add(f"week {key}")
            m = re.search(r"Reserves (rose|fell) \$([\d,]+) bn over four weeks", s)
            if m is not None:
                assert res is not None and res.change_4w_bn is not None
                assert (res.change_4w_bn > 0) == (m.group(1) == "rose"), (week.as_of, s)
                assert _amount(m.group(2)) == round(abs(res.change_4w_bn)), (week.as_of, s)
                checked.add("reserves 4w")
            m = re.search(r"reserves are (falling|rising|about steady) \(([-+±])\$([\d,]+) bn",
                          s, flags=re.IGNORECASE)
            if m is not None:
                assert res is not None and res.change_13w_bn is not None
                trend = m.group(1).lower()
                assert trend != "falling" or res.change_13w_bn < 0, (week.as_of, s)
                assert trend != "rising" or res.change_13w_bn > 0, (week.as_of, s)
                checked.add("reserves 13w")
            m = re.search(r"The Treasury's cash account (rose|fell) \$([\d,]+) bn in four weeks "
                          r"to \$[\d,]+ bn, (draining|releasing) reserves", s)
            if m is not None:
                tga = week.reservoir.row("tga")
                assert tga is not None and tga.change_4w_bn is not None
                up = tga.change_4w_bn > 0
                assert (m.group(1) == "rose") == up == (m.group(3) == "draining"), (week.as_of, s)
                checked.add("tga")
            if "Reserves moved the other way" in s:
                c4 = next(e.change_4w_bn for e in week.assessment.evidence  # type: ignore
                          if e.name == "holdings")
                assert res is not None and res.change_4w_bn is not None
                assert (c4 > 0) != (res.change_4w_bn > 0), (week.as_of, s)
                checked.add("against holdings")
            m = re.match(r"The plumbing stress index (rose|fell) (\d+) points? to (\d+)", s)
            if m is not None and week.week_before is not None:
                before = week.week_before.dashboard.composite
                assert before.value is not None and week.composite.value is not None
                delta = week.composite.value - before.value
                assert (delta > 0) == (m.group(1) == "rose"), (week.as_of, s)
                checked.add("index")
            if s.startswith("The plumbing stress index was unchanged") and \
                    week.week_before is not None:
                before = week.week_before.dashboard.composite
                assert before.value is not None and week.composite.value is not None, \
                    (week.as_of, s)
                assert abs(week.composite.value - before.value) < 1, (week.as_of, s)
    assert checked >= {"reserves 4w", "reserves 13w", "tga", "index", "week reserves",
                       "week tga"}


def test_no_signal_is_both_calendar_explained_and_persistent(briefings: list[Briefing]) -> None:
    for b in briefings:
        for row in b.page.front.signals:
            assert not ("calendar-explained" in row.note and "persistent" in row.note)
        for sub in b.page.pipe.subsections:
            text = " ".join(sub.narrative)
            assert not ("calendar-explained" in text and "climate, not weather" in text), \
                (b.week.as_of, sub.id, text)


def test_only_funding_stress_is_ever_put_down_to_the_calendar(
        briefings: list[Briefing]) -> None:
    """Tax dates, settlements and period-ends move cash and collateral: they can explain
    funding stress, never yield volatility (15 Jun 2022, 13 Mar 2023 fell on coupon
    settlements); a mid-month window explains elevated funding only (17 Sep 2019)."""
    funding = {"repo_rates", "srf", "fails", "repo_segments"}
    seen = set()
    for b in briefings:
        for name, e in b.week.extremes.items():
            if not e.calendar_explained:
                if e.worst_status != "normal" and e.calendar_windows:
                    seen.add("window, not explained")
                continue
            seen.add("explained")
            assert name in funding, (b.week.as_of, name)
            assert e.worst_status == "elevated" or any(
                w.endswith("-end") for w in e.calendar_windows), (b.week.as_of, name, e)
    assert seen == {"explained", "window, not explained"}


def test_the_stress_index_measures_the_pipe_only(briefings: list[Briefing]) -> None:
    for b in briefings:
        comp = b.week.composite
        assert "reserves" not in comp.details.get("scores", {})
        assert "reserves" not in comp.details.get("live", [])
        assert "reserves" not in comp.details.get("drivers", [])


def test_no_chart_has_data_after_the_briefing_date(briefings: list[Briefing]) -> None:
    for b in briefings:
        end = pd.Timestamp(b.week.as_of)
        for name, bundle in b.charts.items():
            for col in ("date", "auction_date"):
                if col in bundle.data:
                    last = pd.to_datetime(bundle.data[col]).max()
                    assert last <= end, (b.week.as_of, name, last)


def test_page_one_states_the_data_age_and_coverage(briefings: list[Briefing]) -> None:
    for b in briefings:
        meta, front = b.page.meta, b.page.front
        assert meta.age_note.startswith("Newest data: "), b.week.as_of
        assert meta.generated == "Generated 1 Dec 2026"
        assert front.coverage.startswith("Coverage: "), b.week.as_of
        # A signal without a live reading says so on its row, never a blank "normal": its
        # status is its coverage state (Not yet, Missing, Stale), a stale row adds its last
        # reading, and the coverage line names every signal that is not live.
        for row in front.signals:
            cov = b.week.coverage[row.name]
            if cov.state != "live":
                assert row.status.css == cov.state, (b.week.as_of, row)
                assert row.title in front.coverage, (b.week.as_of, row)
            assert (row.coverage != "") == (cov.state == "stale"), (b.week.as_of, row)


def test_a_missing_feedback_loop_is_never_scored_as_dormant(briefings: list[Briefing]) -> None:
    for b in briefings:
        if b.week.loop.state == "unavailable":
            assert b.week.implications.state.loop == "unavailable"
            assert b.week.implications.confidence != "high"
