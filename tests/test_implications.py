"""The rule-based reading for equities and crypto: scores, labels, conditional wording, and
that it reads the measured state (reserves' direction, coverage), not the phase alone."""

from __future__ import annotations

import pytest

from reportgen.analysis.implications import (
    LOOP_SCORE,
    PHASE_SCORE,
    PIPE_SIGNALS,
    PLUMBING_SCORE,
    MeasuredState,
    backdrop_label,
    read_implications,
    rules_table,
)


def _state(phase: int | None, plumbing: str | None, loop: str | None,
           change: float | None = 10.0, live: int = PIPE_SIGNALS) -> MeasuredState:
    return MeasuredState(phase, change, plumbing or "unavailable", live, loop or "unavailable")


@pytest.mark.parametrize(("phase", "plumbing", "loop", "score", "label"), [
    (3, "normal", "dormant", 2, "supportive"),
    (2, "normal", "dormant", 1, "mildly supportive"),
    (1, "normal", "dormant", 0, "neutral"),
    (1, "elevated", "dormant", -1, "mild headwind"),
    (0, "stressed", "engaged", -5, "headwind"),
    (2, "stressed", "forming", -2, "headwind"),
])
def test_backdrop_score_is_the_sum_of_the_three_tables(phase: int, plumbing: str, loop: str,
                                                       score: int, label: str) -> None:
    reading = read_implications(_state(phase, plumbing, loop))
    assert reading.score == score == (PHASE_SCORE[phase] + PLUMBING_SCORE[plumbing]
                                      + LOOP_SCORE[loop])
    assert reading.backdrop == label == backdrop_label(score)
    assert reading.confidence == "high"


def test_calm_plumbing_gives_one_statement_per_asset() -> None:
    reading = read_implications(_state(1, "normal", "dormant"))
    assert len(reading.equities) == len(reading.crypto) == 1
    assert "headwind is not the beginning of the tailwind" in reading.equities[0].reading


def test_stress_and_an_engaged_loop_add_statements() -> None:
    reading = read_implications(_state(2, "stressed", "engaged"))
    assert len(reading.equities) == 3 and len(reading.crypto) == 3
    assert reading.equities[1].condition.startswith("Plumbing: the pipe is stressed")
    assert "engaged" in reading.crypto[2].condition


def test_statements_are_conditional_not_predictions() -> None:
    for phase in (None, 0, 1, 2, 3):
        for plumbing in ("normal", "elevated", "stressed", "unavailable"):
            for loop in ("dormant", "forming", "engaged", "unavailable"):
                for change in (-120.0, 0.0, 80.0, None):
                    reading = read_implications(_state(phase, plumbing, loop, change))
                    for s in (*reading.equities, *reading.crypto):
                        assert s.reading.startswith("If ")
                        assert s.changes_if.startswith("This reading changes if ")
                        assert " will " not in f" {s.reading} "
                        assert "tended to" not in s.reading  # no general claims


def test_reserves_direction_comes_from_the_number_not_the_phase() -> None:
    # Phase 2 while reserves fell (the TGA absorbed the purchases): no "reserves are growing".
    falling = read_implications(_state(2, "normal", "dormant", change=-99.0))
    text = " ".join(s.condition + s.reading for s in falling.equities)
    assert "reserves fell $99 bn over 13 weeks" in text
    assert "growing" not in text and "absorbed more" in text
    # Runoff while reserves rose (2022-25: ON RRP fell instead): no "draining every month".
    runoff = read_implications(_state(0, "normal", "dormant", change=150.0))
    text = " ".join(s.condition + s.reading for s in (*runoff.equities, *runoff.crypto))
    assert "reserves rose $150 bn" in text and "every month" not in text
    assert "shrinking cushion" not in text


def test_missing_data_lowers_confidence_and_is_never_calm() -> None:
    reading = read_implications(_state(2, "unavailable", "unavailable", live=2))
    assert reading.plumbing == "unavailable" and reading.loop == "unavailable"
    assert reading.confidence == "low"
    assert "6 of the 8 pipe signals have no live reading" in reading.confidence_reason
    texts = [s.reading for s in reading.equities]
    assert any("not assumed dormant" in t for t in texts)
    assert any("only 2 of the 8 pipe signals" in t for t in texts)
    assert "no stress" not in " ".join(s.condition for s in reading.equities)


def test_unknown_inputs_read_as_unavailable() -> None:
    reading = read_implications(_state(None, None, "something else", change=None, live=0))
    assert reading.plumbing == "unavailable" and reading.loop == "unavailable"
    assert reading.score == 0
    assert "cannot be read" in reading.equities[0].condition


def test_rules_table_lists_every_scored_state() -> None:
    rows = rules_table()
    assert {"input": "phase", "state": "phase 3", "score": "+2"} in rows
    assert {"input": "feedback loop", "state": "engaged", "score": "-2"} in rows
    assert all(r["state"] != "unavailable" for r in rows)
    assert read_implications(_state(1, "normal", "dormant")).rules == tuple(rows)
