"""Stand-ins for the slow parts of a build (charts, HTML, PDF, the Vega runtime, the fetch), so
the pipeline and the site writer are tested on their own. The analysis and the page are the real
ones: they take well under a second on the sample and are what the brief.json is built from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import altair as alt
import pandas as pd

from reportgen.analysis import week as week_module
from reportgen.analysis.thresholds import Thresholds
from reportgen.analysis.week import WeekAnalysis
from reportgen.charts import ChartBundle
from reportgen.config import Settings
from reportgen.dataset import Dataset
from reportgen.pipeline import Components
from reportgen.render.context import Page, build_page
from reportgen.site.writer import Asset


def fake_charts(week: WeekAnalysis) -> dict[str, ChartBundle]:
    walcl = week.data.series("WALCL").dropna().tail(20)
    frame = pd.DataFrame({"date": walcl.index, "value": walcl.to_numpy()})
    chart = alt.Chart(frame).mark_line().encode(x="date:T", y="value:Q")
    return {
        "total_assets": ChartBundle("total_assets", "Total assets", chart, frame,
                                    "Line chart of total assets", "reservoir"),
        "second": ChartBundle("second", "Second", chart, frame.head(5), "Second chart", "pipe"),
    }


def fake_html(context: dict[str, Any], charts: dict[str, ChartBundle], asset_prefix: str,
              csv_prefix: str) -> str:
    embeds = "\n".join(
        f'<figure><div id="chart-{name}" class="chart" data-chart="{name}"></div>'
        f'<a href="{csv_prefix}{name}.csv">data</a></figure>\n'
        f'<script>vegaEmbed("#chart-{name}", {json.dumps(b.chart.to_dict())}, '
        f'{{"actions": false}});</script>'
        for name, b in charts.items()
    )
    meta = context["meta"]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Briefing {meta.as_of}</title>"
        f'<link rel="stylesheet" href="{asset_prefix}site.css">'
        f'<script src="{asset_prefix}vega-runtime.js"></script></head>\n'
        f'<body><h1 id="top">{context["front"].phase.headline}</h1><a href="#top">top</a>\n'
        f"{embeds}\n</body></html>\n"
    )


def fake_pdf(context: dict[str, Any], charts: dict[str, ChartBundle]) -> bytes:
    return b"%PDF-1.4\n% fake briefing " + context["meta"].as_of.encode() + b"\n%%EOF\n"


@dataclass
class Calls:
    analysed: list[date] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    fetches: int = 0
    asset_builds: int = 0


def fake_components(calls: Calls | None = None, fetch_result: Any = None,
                    **overrides: Any) -> Components:
    calls = calls if calls is not None else Calls()

    def analyse_week(ds: Dataset, as_of: date, thresholds: Thresholds) -> WeekAnalysis:
        calls.analysed.append(as_of)
        # Looked up on the module at call time, so a test spying on the analysis sees it.
        return week_module.analyse(ds, as_of, thresholds)

    def page(week: WeekAnalysis, charts: Any, settings: Settings, now: datetime) -> Page:
        built = build_page(week, charts, settings, now)
        calls.pages.append(built)
        return built

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
        "analyse": analyse_week, "charts": fake_charts, "page": page, "html": fake_html,
        "pdf": fake_pdf, "assets": assets, "fetch": fetch,
        "prefetch_pdf_charts": lambda charts: None, "warm_up_pdf": lambda: None,
    }
    parts.update(overrides)
    return Components(**parts)
