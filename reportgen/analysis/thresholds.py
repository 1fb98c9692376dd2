"""Every threshold the analysis uses, in one place, printed in the briefing's methodology appendix.

Each section is a frozen dataclass whose fields carry their unit in the name or the docstring;
``describe()`` lists them all for the appendix and ``reportgen.toml`` can override them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def threshold(default: Any, doc: str) -> Any:
    """A threshold field: its default and a one-line description with its unit."""
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class PhaseThresholds:
    """Thresholds of the three-phase balance-sheet assessment (``analysis/phase.py``)."""

    # --- phase thresholds (owned by analysis/phase.py) ---
    # Paces are $bn per 4 weeks (about a month). Treasuries are measured over 4 weeks (they move
    # smoothly); MBS over 13 weeks scaled to 4 (monthly paydown/settlement lumps average out).
    short_weeks: int = threshold(4, "short horizon for bills, coupons and Treasuries, weeks")
    long_weeks: int = threshold(13, "long horizon (evidence, MBS pace, sub-states), weeks")
    confirm_weeks: int = threshold(2, "consecutive weeks a new phase must show before the "
                                      "classification switches (causal persistence)")
    fill_limit_weeks: int = threshold(2, "missing weeks bridged by carrying the last value "
                                         "forward; longer gaps leave the input missing")
    qe_duration_entry_bn: float = threshold(12.0, "phase 3 entry: coupons (4-week) + MBS pace "
                                                  "above this, $bn per 4 weeks")
    qe_total_entry_bn: float = threshold(10.0, "phase 3 entry: holdings pace (Treasuries 4-week "
                                               "+ MBS pace) above this, $bn per 4 weeks")
    qe_duration_exit_bn: float = threshold(6.0, "phase 3 holds while coupons + MBS pace stay "
                                                "above this, $bn per 4 weeks")
    qe_total_exit_bn: float = threshold(5.0, "phase 3 holds while the holdings pace stays above "
                                             "this, $bn per 4 weeks")
    rmp_bills_entry_bn: float = threshold(10.0, "phase 2 entry: bills up by more than this over "
                                                "4 weeks, $bn")
    rmp_total_entry_bn: float = threshold(8.0, "phase 2 entry: holdings pace above this, $bn "
                                               "per 4 weeks (bills that only replace MBS runoff "
                                               "are phase 1)")
    rmp_bills_exit_bn: float = threshold(5.0, "phase 2 holds while bills grow faster than this, "
                                              "$bn per 4 weeks")
    rmp_total_exit_bn: float = threshold(3.0, "phase 2 holds while the holdings pace stays above "
                                              "this, $bn per 4 weeks")
    runoff_total_entry_bn: float = threshold(-8.0, "phase 0 entry: holdings pace below this, $bn "
                                                   "per 4 weeks")
    runoff_treasury_entry_bn: float = threshold(-4.0, "phase 0 entry (lump-free): Treasuries "
                                                      "down by more than this over 4 weeks and "
                                                      "over 13 weeks, $bn")
    runoff_total_exit_bn: float = threshold(-4.0, "phase 0 holds while the holdings pace stays "
                                                  "below this, $bn per 4 weeks")
    runoff_treasury_exit_bn: float = threshold(-2.0, "phase 0 holds while Treasuries fall by more "
                                                     "than this over 13 weeks, $bn")
    runoff_veto_weeks: int = threshold(6, "weeks looked back for Treasury additions that rule "
                                          "out runoff")
    runoff_max_weekly_add_bn: float = threshold(3.0, "a one-week rise in Treasuries above this "
                                                     "within the look-back rules out phase 0 "
                                                     "(runoff weeks never exceeded 1.5), $bn")
    mbs_weeks: int = threshold(13, "MBS pace = change over this many weeks scaled to 4 "
                                   "(several monthly paydown/settlement cycles)")
    qe_exit_mbs_weeks: int = threshold(6, "while in phase 3, the MBS pace is the smaller of the "
                                          "13-week and this-many-week paces (faster exit)")
    substate_ratio: float = threshold(0.75, "pace now / pace over the previous 13 weeks below "
                                           "this: tapering/slowing; above 1/this: accelerating")
    ops_qe_bn: float = threshold(60.0, "outright operations: net coupon + MBS purchases over 4 "
                                       "weeks above this signal phase 3 before holdings settle, $bn")
    ops_bills_bn: float = threshold(20.0, "outright operations: net bill purchases over 4 weeks "
                                          "above this support phase 2, $bn")
    confidence_high: float = threshold(0.7, "confidence score at or above this: high")
    confidence_medium: float = threshold(0.45, "confidence score at or above this: medium")


@dataclass(frozen=True)
class SignalThresholds:
    """Thresholds of the plumbing stress signals (``analysis/signals``)."""

    # --- signal thresholds (owned by analysis/signals) ---


@dataclass(frozen=True)
class Thresholds:
    phase: PhaseThresholds = PhaseThresholds()
    signals: SignalThresholds = SignalThresholds()


DEFAULT = Thresholds()


def describe(thresholds: Thresholds = DEFAULT) -> list[dict[str, Any]]:
    """Rows ``{section, name, value, description}`` for the methodology appendix."""
    rows: list[dict[str, Any]] = []
    for section_name in ("phase", "signals"):
        section = getattr(thresholds, section_name)
        for f in fields(section):
            rows.append({
                "section": section_name,
                "name": f.name,
                "value": getattr(section, f.name),
                "description": f.metadata.get("doc", ""),
            })
    return rows
