"""Narrative sentences are chosen by conditions on the numbers."""

from __future__ import annotations

import pandas as pd

from reportgen.render import narrative as nv
from tests import briefing_fakes as fk


def _changes(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "since": "2026-08-27",
        "phase": {"before": 2, "after": 2, "label_before": "active bill purchases",
                  "label_after": "active bill purchases", "changed": False},
        "confidence": {"before": "high", "after": "high", "changed": False},
        "composite": {"status_before": "normal", "status_after": "normal",
                      "value_before": 29.0, "value_after": 29.2, "changed": False},
        "feedback_loop": {"before": "dormant", "after": "dormant", "changed": False},
        "signals": [],
    }
    base.update(overrides)
    return base


def test_first_briefing_says_so_in_one_line() -> None:
    assert nv.what_changed(None, fk.brief()) == [
        "This is the first briefing: there is no earlier week to compare with."]


def test_quiet_week_still_gives_three_lines() -> None:
    lines = nv.what_changed(fk.brief(as_of=pd.Timestamp("2026-08-27").date()),
                            fk.brief(changes=_changes()))
    assert 3 <= len(lines) <= 5
    assert lines[0].startswith("The phase is unchanged: phase 2")
    assert "unchanged at 29" in lines[1]
    assert "No signal changed status since 27 Aug 2026." in lines


def test_changes_are_ordered_phase_composite_loop_then_signals() -> None:
    changes = _changes(
        phase={"before": 1, "after": 2, "label_before": "drain stopped / reinvesting",
               "label_after": "active bill purchases", "changed": True},
        composite={"status_before": "normal", "status_after": "elevated",
                   "value_before": 30.0, "value_after": 41.0, "changed": True},
        feedback_loop={"before": "dormant", "after": "forming", "changed": True},
        signals=[{"name": "srf", "status_before": "normal", "status_after": "stressed",
                  "value_before": 0.0, "value_after": 12.0, "changed": True},
                 {"name": "reserves", "status_before": "normal", "status_after": "normal",
                  "value_before": 2900.0, "value_after": 2850.0, "changed": False},
                 {"name": "fails", "status_before": "elevated", "status_after": "normal",
                  "value_before": 9.0, "value_after": 2.0, "changed": True}],
    )
    lines = nv.what_changed({"as_of": "2026-08-27"}, fk.brief(changes=changes))
    assert len(lines) == 5
    assert lines[0] == ("The phase moved from phase 1 (drain stopped / reinvesting) to phase 2 "
                        "(active bill purchases).")
    assert lines[1] == "The plumbing stress index moved from normal to elevated (30 to 41)."
    assert lines[2] == "Srf: normal to stressed ($12 bn, was $0 bn)."
    assert lines[3] == "The feedback loop went from dormant to forming."


def test_what_changed_tolerates_an_old_brief_without_fields() -> None:
    lines = nv.what_changed({"as_of": "2026-08-27"}, fk.brief(changes={"since": "2026-08-27"}))
    assert 3 <= len(lines) <= 5


def test_number_formats_and_missing_values() -> None:
    assert nv.bn(2915.4) == "$2,915 bn"
    assert nv.bn(-12.2, signed=True) == "-$12 bn"
    assert nv.bp(7.6) == "+8 bp"
    assert nv.day("2026-09-03") == "3 Sep 2026"
    assert nv.bn(float("nan")) == nv.bp(None) == nv.day(None) == "n/a"
    assert nv.signal_value(1.0, "tenors flagged (persistent weakness)") == "1 tenor flagged"


def _weekly(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2026-01-07", periods=len(values), freq="W-WED"))


def test_reservoir_says_when_the_on_rrp_buffer_is_spent() -> None:
    empty = pd.Series(dtype=float)
    spent = nv.reservoir_sentences(_weekly([3000.0] * 20), empty, empty, _weekly([40.0] * 3),
                                   100.0)
    assert any("the buffer is spent" in s for s in spent)
    full = nv.reservoir_sentences(empty, empty, empty, _weekly([400.0] * 3), 100.0)
    assert full == ["ON RRP usage is $400 bn: money funds still hold a buffer that can absorb "
                    "drains before reserves do."]


def test_reservoir_reports_direction_of_reserves() -> None:
    r = _weekly([3200.0 - 10 * i for i in range(20)])
    empty = pd.Series(dtype=float)
    text = nv.reservoir_sentences(r, empty, empty, empty, 100.0)[0]
    assert text.startswith("Bank reserves stood at $3,010 bn")
    assert "down $130 bn over 13 weeks" in text


def test_stock_flow_reading_depends_on_both_directions() -> None:
    falling, flat = _weekly([3000.0, 2800.0]), _weekly([3000.0, 3000.0])
    rising_stress, calm = _weekly([20.0, 45.0]), _weekly([20.0, 22.0])
    assert "reservoir drains" in nv.stock_flow_sentences(falling, rising_stress)[1]
    assert "constraint is in the pipe" in nv.stock_flow_sentences(flat, rising_stress)[1]
    assert "still has room" in nv.stock_flow_sentences(falling, calm)[1]
    assert nv.stock_flow_sentences(flat.iloc[:1], calm) == []


def test_signal_sentences_separate_calendar_stress_from_the_worrying_kind() -> None:
    cal = fk.signal("repo_rates", "elevated", calendar_windows=["month-end"],
                    calendar_explained=True)
    assert "calendar-explained" in " ".join(nv.signal_sentences(cal))
    odd = fk.signal("repo_rates", "stressed", persistent=True)
    text = " ".join(nv.signal_sentences(odd))
    assert "No calendar window explains it" in text and "climate, not weather" in text
    assert nv.signal_sentences(fk.signal("fails")) == ["fails normal: fake explanation."]


def test_composite_summary_states_the_band_of_the_thresholds_in_force() -> None:
    # A normal reading of 37 must not be described as "below 35" when elevation starts at 40.
    comp = {"status": "normal", "value": 37.0, "details": {"drivers": []}}
    assert "normal band (below 40)" in nv.composite_summary(comp, 40.0, 60.0)
    hot = {"status": "elevated", "value": 45.0}
    assert "elevated band (40 to 60)" in nv.composite_summary(hot, 40.0, 60.0)


def test_change_over_a_gap_is_unknown_for_the_sentence_and_the_table_alike() -> None:
    import pandas as pd

    from reportgen.render.context import _delta_text
    from reportgen.render.narrative import change_over

    weekly = pd.Series([100.0, 110.0], index=pd.to_datetime(["2026-01-07", "2026-02-04"]))
    assert change_over(weekly, 4) == 10.0 and _delta_text(weekly, 4) == "+10"
    # The only earlier value is 20 weeks old: no 4-week change can be stated.
    gap = pd.Series([100.0, 110.0], index=pd.to_datetime(["2025-09-17", "2026-02-04"]))
    assert change_over(gap, 4) is None and _delta_text(gap, 4) == "n/a"
