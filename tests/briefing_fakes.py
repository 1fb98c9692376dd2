"""Small stand-ins for the phase assessment and the signal dashboard, in their brief.json shape,
so the rendering tests do not depend on how the analysis computes them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pandas as pd

SIGNALS = ("repo_rates", "srf", "auctions", "fails", "treasury_volatility", "yield_curve",
           "reserves")
UNITS = {"repo_rates": "bp (SOFR minus policy reference)", "srf": "USD bn (daily take-up)",
         "auctions": "tenors flagged (persistent weakness)",
         "fails": "USD bn a week (fails to deliver + receive)",
         "treasury_volatility": "bp a day (realised volatility, mean of 2y/10y/30y)",
         "yield_curve": "bp (10y minus 3m)", "reserves": "USD bn (reserve balances)"}


def signal(name: str, status: str = "normal", value: float | None = 1.0,
           **extra: Any) -> dict[str, Any]:
    out = {"name": name, "title": name.replace("_", " ").capitalize(), "date": "2026-09-03",
           "status": status, "value": value, "units": UNITS.get(name, "index 0-100"),
           "values": {}, "percentile": 0.5, "zscore": 0.1, "calendar_windows": [],
           "calendar_explained": False, "persistent": False,
           "explanation": f"{name} {status}: fake explanation.", "details": {}}
    out.update(extra)
    return out


def phase_dict(phase: int = 2, agreement: str = "agrees") -> dict[str, Any]:
    return {
        "as_of": "2026-09-03", "week": "2026-09-02", "phase": phase,
        "label": {0: "runoff (QT)", 1: "drain stopped / reinvesting",
                  2: "active bill purchases", 3: "QE"}[phase],
        "substate": "steady purchases", "headline": "x", "confidence": "high",
        "confidence_score": 0.83, "confidence_reason": "flows clearly inside phase 2",
        "since": "2025-12-24",
        "evidence": [
            {"name": "holdings", "label": "Securities held", "change_4w_bn": 5.0,
             "change_13w_bn": 32.0, "level_bn": 6466.0, "threshold_bn": 10.0,
             "comparison": "pace +6.6", "note": None},
            {"name": "bills", "label": "Treasury bills", "change_4w_bn": 24.0,
             "change_13w_bn": 79.0, "level_bn": 548.0, "threshold_bn": 10.0,
             "comparison": "4-week change > 10", "note": "WSHOBL"},
        ],
        "triggers": ["phase 3 if coupon purchases appear", "phase 1 when bills stop growing"],
        "announced": {"date": "2025-12-10", "effective": "2025-12-12", "phase": 2,
                      "regime": "reserve-management bill purchases", "decision": "Buy bills.",
                      "source": "https://example.invalid"},
        "agreement": agreement, "agreement_note": "announced phase 2 on 2025-12-10",
    }


def dashboard_dict(composite_status: str = "normal", composite: float = 29.0,
                   loop: str = "dormant", **statuses: str) -> dict[str, Any]:
    sigs = {n: signal(n, statuses.get(n, "normal")) for n in SIGNALS}
    return {
        "as_of": "2026-09-03", "signals": sigs,
        "composite": signal("composite", composite_status, composite, units="index 0-100",
                            explanation="composite fake", details={"drivers": ["reserves"]}),
        "feedback_loop": signal("feedback_loop", "normal", 0.0, units="links in sequence (0-4)",
                                state=loop, explanation=f"Feedback loop {loop}: fake."),
    }


def brief(as_of: date = date(2026, 9, 3), phase: dict[str, Any] | None = None,
          dashboard: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
          thresholds: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"schema_version": "1.1", "as_of": as_of.isoformat(),
            "phase": phase if phase is not None else phase_dict(),
            "signals": dashboard if dashboard is not None else dashboard_dict(),
            "thresholds": thresholds or [], "changes": changes}


def assessment(history_phases: list[tuple[str, int]] | None = None) -> SimpleNamespace:
    """An object with the ``history`` frame the charts read (date, phase)."""
    rows = history_phases or [("2024-01-03", 0), ("2025-12-03", 1), ("2025-12-24", 2),
                              ("2026-09-02", 2)]
    hist = pd.DataFrame({"date": pd.to_datetime([d for d, _ in rows]),
                         "phase": [p for _, p in rows]})
    return SimpleNamespace(history=hist, phase=rows[-1][1])
