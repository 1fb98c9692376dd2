"""The registry of stress signals: one typed record per signal, in computing order.

Each record is the signal's whole contract: its name and title, the units of its headline
value, the stored inputs it reads, the part of the plumbing it measures (``role``), and its
``compute`` / ``explain`` / ``details`` functions. The signal modules import only
:mod:`.base`; this module imports them, and :mod:`.dashboard` runs them, so there is no cycle.

Roles: ``pipe`` signals measure intermediation (flows) and drive the composite; ``context``
signals (the curve) may lift the composite's breadth but never set its maximum; the
``reservoir`` signal (reserves, a stock) is read on its own and stays out of the composite;
``aggregate`` signals (the composite and the loop) are computed from the others and run last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

import pandas as pd

from reportgen.analysis.signals import (
    auctions,
    composite,
    dealer_positions,
    fails,
    feedback_loop,
    repo_rates,
    repo_segments,
    reserves,
    securities_lending,
    srf,
    treasury_volatility,
    yield_curve,
)
from reportgen.analysis.signals.base import Context

ROLES = ("pipe", "context", "reservoir", "aggregate")


@dataclass(frozen=True)
class SignalSpec:
    """One signal's contract (see the module docstring)."""

    name: str
    title: str
    units: str
    role: str
    inputs: tuple[str, ...]
    compute: Callable[[Context], pd.DataFrame]
    explain: Callable[[pd.Series], str]
    details: Callable[[Context, date, pd.DataFrame], dict[str, Any]] | None = None


def _spec(module: ModuleType, role: str, inputs: tuple[str, ...]) -> SignalSpec:
    assert role in ROLES, role
    return SignalSpec(name=module.NAME, title=module.TITLE, units=module.UNITS, role=role,
                      inputs=inputs, compute=module.compute, explain=module.explain,
                      details=getattr(module, "details", None))


#: Every signal in computing order: the aggregates read the frames of those before them.
SIGNALS: tuple[SignalSpec, ...] = (
    _spec(repo_rates, "pipe", ("SOFR", "SOFR1", "SOFR99", "IORB", "IOER", "EFFR", "TGCRRATE",
                               "BGCR", "RRPONTSYAWARD")),
    _spec(srf, "pipe", ("repo_operations", "SRF_ACCEPTED")),
    # The DVP rate is what the signal cannot do without (its reference may be tri-party,
    # TGCR or SOFR): coverage dates a stale reading by it.
    _spec(repo_segments, "pipe", ("REPO-DVP_AR_OO-P", "REPO-DVP_AR_OO-F")),
    _spec(auctions, "pipe", ("auctions",)),
    _spec(dealer_positions, "pipe", ("pd_positions",)),
    _spec(fails, "pipe", ("pd_fails", "pd_series_breaks")),
    _spec(securities_lending, "pipe", ("seclending_operations", "seclending_details")),
    _spec(treasury_volatility, "pipe", ("DGS2", "DGS10", "DGS30")),
    _spec(yield_curve, "context", ("T10Y3M", "T10Y2Y", "DGS10", "DGS3MO", "DGS2")),
    _spec(reserves, "reservoir", ("WRESBAL", "RRPONTSYD", "WDTGAL", "TGA_DTS", "WTREGEN",
                                  "WALCL")),
    _spec(composite, "aggregate", ()),
    _spec(feedback_loop, "aggregate", ()),
)
BY_NAME: dict[str, SignalSpec] = {s.name: s for s in SIGNALS}


def spec(name: str) -> SignalSpec:
    """The record of signal ``name`` (KeyError for an unknown name)."""
    return BY_NAME[name]
