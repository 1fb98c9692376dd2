"""Small stand-ins for the analysis and rendering functions, so that the pipeline and the site
writer are tested on their own (fast, and independent of the briefing's content)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import altair as alt
import pandas as pd

from reportgen.dataset import Dataset
from reportgen.pipeline import Components
from reportgen.site.writer import Asset


@dataclass(frozen=True)
class FakeBundle:
    name: str
    title: str
    chart: alt.Chart
    data: pd.DataFrame
    alt_text: str
    section: str


@dataclass(frozen=True)
class FakeAssessment:
    as_of: date
    phase: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "phase": self.phase,
            "label": f"Phase {self.phase} — test", "substate": None, "confidence": "medium",
            "confidence_score": 0.6, "since": "2025-06-04",
            "evidence": [{"text": "bills flat", "value": 1.5, "units": "USD billions"}],
            "triggers": [{"to_phase": self.phase + 1, "condition": "bills rise"}],
            "announced": None, "agreement": True, "agreement_note": "",
            "history": [{"start": "2025-06-04", "end": None, "phase": self.phase}],
        }


def _signal(name: str, status: str, value: float | None) -> dict[str, Any]:
    return {"name": name, "title": name.replace("_", " "), "date": "2025-12-18",
            "status": status, "value": value, "units": "bp", "values": {"x_bp": value},
            "percentile": 0.5, "zscore": None, "calendar_windows": [],
            "calendar_explained": False, "persistent": False, "explanation": "test",
            "details": {}}


@dataclass(frozen=True)
class FakeDashboard:
    as_of: date
    repo_status: str = "normal"

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "signals": {"repo_rates": _signal("repo_rates", self.repo_status, 3.0),
                        "srf": _signal("srf", "unavailable", None)},
            "composite": {**_signal("composite", "normal", 20.0), "live": ["repo_rates"],
                          "drivers": []},
            "feedback_loop": {**_signal("feedback_loop", "normal", None), "state": "dormant",
                              "chain": []},
        }


def fake_charts(ds: Dataset, assessment: Any, dashboard: Any, as_of: date) -> dict[str, Any]:
    walcl = ds.series("WALCL").dropna().tail(20)
    frame = pd.DataFrame({"date": walcl.index, "value": walcl.to_numpy()})
    chart = alt.Chart(frame).mark_line().encode(x="date:T", y="value:Q")
    return {
        "total_assets": FakeBundle("total_assets", "Total assets", chart, frame,
                                   "Line chart of total assets", "reservoir"),
        "second": FakeBundle("second", "Second", chart, frame.head(5), "Second chart", "pipe"),
    }


def fake_context(ds: Dataset, assessment: Any, dashboard: Any, brief: dict[str, Any],
                 previous: dict[str, Any] | None, settings: Any,
                 charts: dict[str, Any]) -> dict[str, Any]:
    return {"as_of": brief["as_of"], "phase": brief["phase"]["label"],
            "previous": previous["as_of"] if previous else None}


def fake_html(context: dict[str, Any], charts: dict[str, Any], asset_prefix: str,
              csv_prefix: str) -> str:
    embeds = "\n".join(
        f'<figure><div id="chart-{name}" class="chart" data-chart="{name}"></div>'
        f'<a href="{csv_prefix}{name}.csv">data</a></figure>\n'
        f'<script>vegaEmbed("#chart-{name}", {json.dumps(b.chart.to_dict())}, '
        f'{{"actions": false}});</script>'
        for name, b in charts.items()
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Briefing {context['as_of']}</title>"
        f'<link rel="stylesheet" href="{asset_prefix}site.css">'
        f'<script src="{asset_prefix}vega-runtime.js"></script></head>\n'
        f'<body><h1 id="top">{context["phase"]}</h1><a href="#top">top</a>\n'
        f"<p>previous: {context['previous']}</p>\n{embeds}\n</body></html>\n"
    )


def fake_pdf(context: dict[str, Any], charts: dict[str, Any]) -> bytes:
    return b"%PDF-1.4\n% fake briefing " + context["as_of"].encode() + b"\n%%EOF\n"


@dataclass
class Calls:
    contexts: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0
    asset_builds: int = 0


def fake_components(calls: Calls | None = None, fetch_result: Any = None,
                    **overrides: Any) -> Components:
    calls = calls if calls is not None else Calls()

    def context(*args: Any) -> dict[str, Any]:
        ctx = fake_context(*args)
        calls.contexts.append(ctx)
        return ctx

    def fetch(store: Any, settings: Any, now: Any) -> Any:
        calls.fetches += 1
        if isinstance(fetch_result, BaseException):
            raise fetch_result
        return fetch_result or SimpleNamespace(offline=True, failures=[], results=[],
                                               rows_added=0)

    def assets() -> tuple[Asset, ...]:
        def produce() -> bytes:
            calls.asset_builds += 1
            return b"/* fake vega runtime */\nwindow.vegaEmbed = function () {};\n"

        return (Asset("vega-runtime.js", produce, marker=b"/* fake vega runtime */"),)

    parts: dict[str, Any] = {
        "assess": lambda ds, as_of, th: FakeAssessment(as_of),
        "dashboard": lambda ds, as_of, th: FakeDashboard(as_of),
        "charts": fake_charts, "context": context, "html": fake_html, "pdf": fake_pdf,
        "assets": assets, "fetch": fetch, "prefetch_pdf_charts": lambda charts: None,
        "warm_up_pdf": lambda: None,
    }
    parts.update(overrides)
    return Components(**parts)
