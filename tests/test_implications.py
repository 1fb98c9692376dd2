"""The rule-based reading for equities and crypto: scores, labels and conditional wording."""

from __future__ import annotations

import pytest

from reportgen.analysis.implications import (
    LOOP_SCORE,
    PHASE_SCORE,
    PLUMBING_SCORE,
    backdrop_label,
    read_implications,
    rules_table,
)


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
    reading = read_implications(phase, plumbing, loop)
    assert reading.score == score == (PHASE_SCORE[phase] + PLUMBING_SCORE[plumbing]
                                      + LOOP_SCORE[loop])
    assert reading.backdrop == label == backdrop_label(score)


def test_calm_plumbing_gives_one_statement_per_asset() -> None:
    reading = read_implications(1, "normal", "dormant")
    assert len(reading.equities) == len(reading.crypto) == 1
    assert "headwind is not the beginning of the tailwind" in reading.equities[0].reading


def test_stress_and_an_engaged_loop_add_statements() -> None:
    reading = read_implications(2, "stressed", "engaged")
    assert len(reading.equities) == 3 and len(reading.crypto) == 3
    assert reading.equities[1].condition.startswith("Plumbing: the plumbing is stressed")
    assert "engaged" in reading.crypto[2].condition


def test_statements_are_conditional_not_predictions() -> None:
    for phase in (None, 0, 1, 2, 3):
        for plumbing in ("normal", "elevated", "stressed", "unavailable"):
            for loop in ("dormant", "forming", "engaged"):
                reading = read_implications(phase, plumbing, loop)
                for s in (*reading.equities, *reading.crypto):
                    assert s.reading.startswith("If ")
                    assert s.changes_if.startswith("This reading changes if ")
                    assert " will " not in f" {s.reading} "


def test_unknown_inputs_read_as_unavailable() -> None:
    reading = read_implications(None, None, "something else")
    assert reading.plumbing == "unavailable" and reading.loop == "unavailable"
    assert reading.score == 0
    assert "cannot be read" in reading.equities[0].condition


def test_rules_table_lists_every_scored_state() -> None:
    rows = rules_table()
    assert {"input": "phase", "state": "phase 3", "score": "+2"} in rows
    assert {"input": "feedback loop", "state": "engaged", "score": "-2"} in rows
    assert all(r["state"] != "unavailable" for r in rows)
