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
