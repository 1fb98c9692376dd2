"""``brief.json``: the whole assessment of one week as versioned, documented JSON.

The file is the machine-readable twin of the briefing, written beside it in every
``briefings/YYYY-MM-DD/`` folder. Its shape is fixed by ``reportgen/schema/brief.schema.json``
(JSON Schema 2020-12) and documented field by field in ``docs/brief-json.md``.

Versioning: ``schema_version`` is ``MAJOR.MINOR``. A new optional field bumps MINOR; renaming,
removing or changing the meaning or unit of a field bumps MAJOR. Consumers should check MAJOR.

Example
-------
>>> brief = build_brief(as_of=date(2025, 12, 18), assessment=assessment, dashboard=dashboard,
...                     dataset=ds.visible(date(2025, 12, 18)), charts=charts,
...                     generated_at=datetime(2025, 12, 19, 6, 0, tzinfo=UTC))
>>> brief["schema_version"], brief["phase"]["label"]
('1.0', 'Phase 2 — active bill purchases')
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from reportgen import __version__, catalog
from reportgen.dataset import Dataset

SCHEMA_VERSION = "1.1"  # 1.1: previous.source, previous.path null when reconstructed
SCHEMA_ID = "https://reportgen.invalid/schema/brief/1.0/brief.schema.json"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dates as ISO text, NaN/NaT as None, numpy scalars as Python,
    tuples as lists, dataclasses and objects with ``to_dict()`` as dicts.

    Example
    -------
    >>> jsonable({"d": date(2025, 1, 2), "x": float("nan"), "t": (1, np.int64(2))})
    {'d': '2025-01-02', 'x': None, 't': [1, 2]}
    """
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, pd.Timestamp):  # before datetime: a Timestamp is one
        return value.date().isoformat()
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)


def _utc_text(moment: datetime) -> str:
    """An ISO 8601 UTC timestamp to the second, ``Z``-suffixed (what Atom readers expect)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_items(dataset: Dataset, as_of: date) -> list[dict[str, Any]]:
    """What data the briefing saw, item by item: rows, first and last date visible on ``as_of``,
    whether it is stale for its cadence, and where it came from.

    ``dataset`` should already be cut with ``visible(as_of)``; ``origin`` and ``fetched_at``
    come from the store summary in ``dataset.provenance``.
    """
    summary = {item.name: item for item in dataset.provenance.items}
    items: list[dict[str, Any]] = []
    for sid in sorted(dataset.series_map):
        s = dataset.series(sid).dropna()
        spec = catalog.SERIES.get(sid)
        first = s.index.min().date() if len(s) else None
        last = s.index.max().date() if len(s) else None
        stale_after = spec.stale_after_days if spec else 5
        item = summary.get(sid)
        items.append({
            "id": sid, "kind": "series",
            "label": spec.label if spec else sid,
            "units": spec.units if spec else None,
            "frequency": spec.frequency if spec else None,
            "rows": int(len(s)), "first": first, "last": last,
            "stale": last is None or (as_of - last).days > stale_after,
            "origin": item.origin if item else None,
            "fetched_at": item.fetched_at if item else None,
        })
    for name in sorted(dataset.tables):
        frame = dataset.table(name)
        tspec = catalog.TABLES.get(name)
        dates = (pd.to_datetime(frame[tspec.date_column].astype(str).str[:10], errors="coerce")
                 .dropna() if tspec is not None and len(frame) else pd.Series(dtype="object"))
        first = dates.min().date() if len(dates) else None
        last = dates.max().date() if len(dates) else None
        stale_after = tspec.stale_after_days if tspec else 10
        item = summary.get(name)
        items.append({
            "id": name, "kind": "table",
            "label": tspec.label if tspec else name,
            "units": tspec.units if tspec else None,
            "frequency": None,
            "rows": int(len(frame)), "first": first, "last": last,
            "stale": last is None or (as_of - last).days > stale_after,
            "origin": item.origin if item else None,
            "fetched_at": item.fetched_at if item else None,
        })
    return jsonable(items)


def chart_entries(charts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per chart: name, title, section, alt text and its CSV (relative to the week)."""
    return [
        {"name": name, "title": str(getattr(bundle, "title", name)),
         "section": str(getattr(bundle, "section", "")),
         "alt_text": str(getattr(bundle, "alt_text", "")),
         "csv": f"data/{name}.csv"}
        for name, bundle in charts.items()
    ]


def _signal_map(signals: Mapping[str, Any]) -> dict[str, Any]:
    inner = signals.get("signals", {})
    return inner if isinstance(inner, dict) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _delta(before: Any, after: Any) -> float | None:
    b, a = _number(before), _number(after)
    return None if a is None or b is None else round(a - b, 6)


def compute_changes(current: Mapping[str, Any], previous: Mapping[str, Any] | None
                    ) -> dict[str, Any] | None:
    """What changed since the previous briefing: phase, confidence, the composite, the loop
    and each signal's status and value. ``None`` when there is no previous briefing.

    Both arguments are brief dicts (this module's shape); fields missing on either side come
    out as ``None`` rather than failing, so an older brief.json can still be compared.
    """
    if not previous:
        return None
    p_now, p_then = current.get("phase") or {}, previous.get("phase") or {}
    s_now, s_then = current.get("signals") or {}, previous.get("signals") or {}
    c_now, c_then = s_now.get("composite") or {}, s_then.get("composite") or {}
    l_now, l_then = s_now.get("feedback_loop") or {}, s_then.get("feedback_loop") or {}
    signals = []
    then_map = _signal_map(s_then)
    for name, now in _signal_map(s_now).items():
        then = then_map.get(name) or {}
        signals.append({
            "name": name,
            "status_before": then.get("status"), "status_after": now.get("status"),
            "value_before": then.get("value"), "value_after": now.get("value"),
            "delta": _delta(then.get("value"), now.get("value")),
            "changed": then.get("status") != now.get("status"),
        })
    return {
        "since": previous.get("as_of"),
        "phase": {"before": p_then.get("phase"), "after": p_now.get("phase"),
                  "label_before": p_then.get("label"), "label_after": p_now.get("label"),
                  "changed": p_then.get("phase") != p_now.get("phase")
                  or p_then.get("substate") != p_now.get("substate")},
        "confidence": {"before": p_then.get("confidence"), "after": p_now.get("confidence"),
                       "changed": p_then.get("confidence") != p_now.get("confidence")},
        "composite": {"status_before": c_then.get("status"), "status_after": c_now.get("status"),
                      "value_before": c_then.get("value"), "value_after": c_now.get("value"),
                      "delta": _delta(c_then.get("value"), c_now.get("value")),
                      "changed": c_then.get("status") != c_now.get("status")},
        "feedback_loop": {"before": l_then.get("state"), "after": l_now.get("state"),
                          "changed": l_then.get("state") != l_now.get("state")},
        "signals": signals,
    }


def build_brief(
    *,
    as_of: date,
    assessment: Any,
    dashboard: Any,
    dataset: Dataset,
    charts: Mapping[str, Any],
    generated_at: datetime,
    previous_brief: Mapping[str, Any] | None = None,
    thresholds: Sequence[Mapping[str, Any]] = (),
    formats: Sequence[str] = ("html", "pdf", "json"),
    site_title: str | None = None,
) -> dict[str, Any]:
    """The brief.json document of one week.

    Parameters
    ----------
    as_of
        The briefing date; the analysis used only data public on that day.
    assessment, dashboard
        The phase assessment and the signal dashboard (anything with ``to_dict()``).
    dataset
        The data the analysis saw (``Dataset.visible(as_of)``), for the provenance block.
    charts
        Chart bundles by name (``name``/``title``/``section``/``alt_text``), listed with the CSV
        path of their data.
    generated_at
        When the build ran (UTC; naive values are taken as UTC). The only volatile field.
    previous_brief
        The previous week's brief.json, to fill ``previous`` and ``changes``; None for the first.
    thresholds
        Rows of ``reportgen.analysis.thresholds.describe()`` with any overrides applied.
    formats
        The files written beside brief.json (``html``, ``pdf``, ``json``).

    Returns
    -------
    dict
        Plain JSON data (no NaN: missing numbers are ``null``), valid against
        ``brief.schema.json``.
    """
    brief: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "generated_at": _utc_text(generated_at),
        "generator": {"name": "reportgen", "version": __version__},
        "title": site_title,
        "data": {
            "kind": dataset.provenance.kind,
            "description": dataset.provenance.description,
            "items": data_items(dataset, as_of),
        },
        "phase": jsonable(assessment),
        "signals": jsonable(dashboard),
        "thresholds": jsonable(list(thresholds)),
        "charts": chart_entries(charts),
        "files": {
            "html": "briefing.html" if "html" in formats else None,
            "pdf": "briefing.pdf" if "pdf" in formats else None,
            "json": "brief.json",
            "data": "data/",
        },
        "previous": None,
        "changes": None,
    }
    if previous_brief:
        prev_phase = previous_brief.get("phase") or {}
        reconstructed = previous_brief.get("previous_source") == "reconstructed"
        brief["previous"] = {
            "as_of": previous_brief.get("as_of"),
            # A week rebuilt in memory from the store was never published: nothing to link.
            "path": None if reconstructed else f"../{previous_brief.get('as_of')}/brief.json",
            "phase": prev_phase.get("phase"),
            "label": prev_phase.get("label"),
            "source": "reconstructed" if reconstructed else "published",
        }
        brief["changes"] = compute_changes(brief, previous_brief)
    return brief


def load_schema() -> dict[str, Any]:
    """The JSON Schema of brief.json shipped with the package."""
    text = resources.files("reportgen.schema").joinpath("brief.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
