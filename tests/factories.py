"""Real objects for the tests of the views (charts, page, brief.json, HTML, PDF).

The views are tested on what production gives them: a :class:`WeekAnalysis` computed by
:func:`reportgen.analysis.week.analyse` from the bundled sample (or from a store the test
builds), never a dict shaped like one. Analysing a sample week takes about 0.3 s, so each
(as_of, thresholds) pair is computed once per test session and shared; the objects are frozen.

Example
-------
>>> week = sample_week(date(2026, 9, 17))
>>> charts = sample_charts(week.as_of)
>>> page = sample_page(week.as_of)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from reportgen.analysis.thresholds import DEFAULT, Thresholds
from reportgen.analysis.week import WeekAnalysis, analyse
from reportgen.charts import ChartBundle, build_charts
from reportgen.dataset import Dataset
from reportgen.render.context import Page, build_page
from reportgen.sample import load_sample_store

#: The sample's default briefing date: its newest H.4.1 week (16 Sep 2026) is public on 17 Sep.
SAMPLE_AS_OF = date(2026, 9, 17)
#: A fixed build time for reproducible pages and briefs (after the sample's end).
GENERATED_AT = datetime(2026, 9, 18, 6, 30, tzinfo=UTC)


@lru_cache(maxsize=1)
def sample_dataset() -> Dataset:
    """The bundled sample, loaded once (treat it as read-only)."""
    return Dataset.from_store(load_sample_store(), "sample", "bundled sample")


@lru_cache(maxsize=16)
def sample_week(as_of: date = SAMPLE_AS_OF, thresholds: Thresholds = DEFAULT) -> WeekAnalysis:
    """The week's analysis of the sample on ``as_of``, as ``reportgen build --sample`` makes it."""
    return analyse(sample_dataset(), as_of, thresholds)


@lru_cache(maxsize=16)
def _charts(as_of: date, thresholds: Thresholds) -> tuple[tuple[str, ChartBundle], ...]:
    return tuple(build_charts(sample_week(as_of, thresholds)).items())


def sample_charts(as_of: date = SAMPLE_AS_OF,
                  thresholds: Thresholds = DEFAULT) -> dict[str, ChartBundle]:
    """The real chart bundles of :func:`sample_week` (a fresh dict each call)."""
    return dict(_charts(as_of, thresholds))


@lru_cache(maxsize=16)
def sample_page(as_of: date = SAMPLE_AS_OF, thresholds: Thresholds = DEFAULT) -> Page:
    """The real page of :func:`sample_week`, with the default settings."""
    return build_page(sample_week(as_of, thresholds), sample_charts(as_of, thresholds), None,
                      GENERATED_AT)


def week_of(dataset: Dataset, as_of: date, thresholds: Thresholds = DEFAULT) -> WeekAnalysis:
    """The week's analysis of any dataset (not cached: for stores a test builds itself)."""
    return analyse(dataset, as_of, thresholds)
