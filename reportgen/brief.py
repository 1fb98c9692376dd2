"""``brief.json``: the whole assessment of one week as versioned, documented JSON.

The file is the machine-readable twin of the briefing, written beside it in every
``briefings/YYYY-MM-DD/`` folder. Its shape is fixed by ``reportgen/schema/brief.schema.json``
(JSON Schema 2020-12) and documented field by field in ``docs/brief-json.md``.

Versioning: ``schema_version`` is ``MAJOR.MINOR``. A new optional field bumps MINOR; renaming,
removing or changing the meaning or unit of a field bumps MAJOR. Consumers should check MAJOR.

Example
-------
>>> brief = build_brief(week=week, page=page, charts=charts,
...                     generated_at=datetime(2025, 12, 19, 6, 0, tzinfo=UTC))
>>> brief["schema_version"], brief["phase"]["label"]
('2.0', 'active bill purchases')
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
from reportgen.analysis.week import WeekAnalysis
from reportgen.dataset import Dataset
from reportgen.render.context import Page

# 2.0: the serialisation of one WeekAnalysis and its page: coverage, week extremes and events,
# the reservoir table, the implications with their confidence, the page's text; "changes" always
# against the week before from the same data; no local paths.
SCHEMA_VERSION = "2.2"
SCHEMA_ID = "https://reportgen.invalid/schema/brief/2.2/brief.schema.json"


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


def _stored_time(text: str | None) -> str | None:
    """A store timestamp (UTC, written without a zone) in the brief's ``...Z`` form."""
    if not text:
        return None
    try:
        return _utc_text(datetime.fromisoformat(str(text)))
    except ValueError:
        return str(text)


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
        item = summary.get(sid)
        items.append({
            "id": sid, "kind": "series",
            "label": spec.label if spec else sid,
            "units": spec.units if spec else None,
            "frequency": spec.frequency if spec else None,
            "rows": int(len(s)), "first": first, "last": last,
            "stale": catalog.is_stale(last, as_of, sid),
            "origin": item.origin if item else None,
            "fetched_at": _stored_time(item.fetched_at) if item else None,
        })
    for name in sorted(dataset.tables):
        frame = dataset.table(name)
        tspec = catalog.TABLES.get(name)
        dates = (pd.to_datetime(frame[tspec.date_column].astype(str).str[:10], errors="coerce")
                 .dropna() if tspec is not None and len(frame) else pd.Series(dtype="object"))
        first = dates.min().date() if len(dates) else None
        last = dates.max().date() if len(dates) else None
        item = summary.get(name)
        items.append({
            "id": name, "kind": "table",
            "label": tspec.label if tspec else name,
            "units": tspec.units if tspec else None,
            "frequency": None,
            "rows": int(len(frame)), "first": first, "last": last,
            "stale": catalog.is_stale(last, as_of, name),
            "origin": item.origin if item else None,
            "fetched_at": _stored_time(item.fetched_at) if item else None,
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


def _changes(week: WeekAnalysis) -> dict[str, Any] | None:
    """What changed since the week before: the same quantities a week apart, from the data
    public on each date (``None`` when there is no earlier week in the data)."""
    before = week.week_before
    if before is None:
        return None
    a0, a1 = before.assessment, week.assessment
    c0, c1 = before.dashboard.composite, week.composite
    signals = []
    for name, now in week.signals.items():
        then = before.dashboard.signals.get(name)
        e0, e1 = before.extremes.get(name), week.extremes.get(name)
        signals.append({
            "name": name,
            "status_before": then.status if then else None, "status_after": now.status,
            "value_before": then.value if then else None, "value_after": now.value,
            "week_worst_before": e0.worst_status if e0 else None,
            "week_worst_after": e1.worst_status if e1 else None,
            "changed": then is None or then.status != now.status,
        })
    return {
        "since": before.as_of,
        "phase": {"before": a0.phase if a0 else None, "after": a1.phase if a1 else None,
                  "label_before": a0.label if a0 else None,
                  "label_after": a1.label if a1 else None,
                  "changed": a0.phase != a1.phase if a0 and a1 else a0 is not a1,
                  "substate_changed": a0.substate != a1.substate if a0 and a1
                  else a0 is not a1},
        "confidence": {"before": a0.confidence if a0 else None,
                       "after": a1.confidence if a1 else None,
                       "changed": (a0.confidence if a0 else None)
                       != (a1.confidence if a1 else None)},
        "composite": {"status_before": c0.status, "status_after": c1.status,
                      "value_before": c0.value, "value_after": c1.value,
                      "changed": c0.status != c1.status},
        "feedback_loop": {"before": before.dashboard.feedback_loop.state,
                          "after": week.loop.state,
                          "changed": before.dashboard.feedback_loop.state != week.loop.state},
        "signals": signals,
    }


def _description(dataset: Dataset) -> str:
    """Where the data came from, without local paths (the file is published)."""
    if dataset.provenance.kind == "sample":
        return "bundled sample of real published figures (see SOURCES.md)"
    return "the reportgen data store"


def build_brief(
    *,
    week: WeekAnalysis,
    page: Page,
    charts: Mapping[str, Any],
    generated_at: datetime,
    previous_published: Mapping[str, Any] | None = None,
    formats: Sequence[str] = ("html", "pdf", "json"),
    site_title: str | None = None,
) -> dict[str, Any]:
    """The brief.json document of one week: a serialisation of the week's analysis and of the
    page built from it, so every number and every sentence the briefing shows is in it.

    Parameters
    ----------
    week
        The week's analysis (only data public on ``week.as_of``).
    page
        The page built from it (:func:`reportgen.render.context.build_page`): its text.
    charts
        Chart bundles by name, listed with the CSV path of their data.
    generated_at
        When the build ran (UTC; naive values are taken as UTC). The only volatile field.
    previous_published
        The brief.json of the latest earlier briefing in the site, linked as ``previous``.
    formats
        The files written beside brief.json (``html``, ``pdf``, ``json``).

    Returns
    -------
    dict
        Plain JSON data (no NaN: missing numbers are ``null``), valid against
        ``brief.schema.json``.
    """
    dataset = week.data
    as_of = week.as_of
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "generated_at": _utc_text(generated_at),
        "generator": {"name": "reportgen", "version": __version__},
        "title": site_title,
        "retrospective": page.meta.is_retrospective,
        "data": {
            "kind": dataset.provenance.kind,
            "description": _description(dataset),
            "newest_observation": jsonable(week.newest_data),
            "items": data_items(dataset, as_of),
        },
        "coverage": jsonable(week.coverage),
        "phase": jsonable(week.assessment),
        "phase_unavailable": week.phase_unavailable,
        "signals": jsonable(week.dashboard),
        "week": jsonable({"start": week.week_start, "end": as_of,
                          "extremes": week.extremes, "events": week.events,
                          "decisions": week.decisions}),
        "reservoir": jsonable(week.reservoir),
        "implications": jsonable(week.implications),
        "page": jsonable({k: v for k, v in page.to_context().items()
                          if k not in ("show", "figures")}),
        "thresholds": jsonable(week.threshold_rows()),
        "charts": chart_entries(charts),
        "files": {
            "html": "briefing.html" if "html" in formats else None,
            "pdf": "briefing.pdf" if "pdf" in formats else None,
            "json": "brief.json",
            "data": "data/",
        },
        "previous": None if not previous_published else {
            "as_of": previous_published.get("as_of"),
            "path": f"../{previous_published.get('as_of')}/brief.json",
            "phase": (previous_published.get("phase") or {}).get("phase"),
            "label": (previous_published.get("phase") or {}).get("label"),
        },
        "changes": jsonable(_changes(week)),
    }


def load_schema() -> dict[str, Any]:
    """The JSON Schema of brief.json shipped with the package."""
    text = resources.files("reportgen.schema").joinpath("brief.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
