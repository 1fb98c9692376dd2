"""An in-memory, read-only snapshot of the store: what every analysis function receives.

The analysis never touches SQLite or the clock. The pipeline loads a ``Dataset`` once and hands
``dataset.visible(as_of)`` to each analysis: that cut applies each series' publication lag from
the catalog, so an analysis for date D sees exactly what was public on D (no look-ahead).

Example
-------
>>> ds = Dataset.from_store(store)
>>> past = ds.visible(date(2019, 9, 18))
>>> past.series("SOFR").index.max()   # 2019-09-17: SOFR for D is published on D + 1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from reportgen import catalog
from reportgen.store import ItemSummary, Store


@dataclass(frozen=True)
class Provenance:
    """Which data an output used and how old it is."""

    kind: str  # "store" | "sample"
    description: str  # e.g. "store data/reportgen.sqlite" or "bundled sample (see SOURCES.md)"
    items: tuple[ItemSummary, ...] = ()

    def last_date(self, name: str) -> date | None:
        for item in self.items:
            if item.name == name:
                return item.last
        return None


@dataclass(frozen=True)
class Dataset:
    """Series (native units, float, DatetimeIndex) and tables (catalog columns) of one snapshot."""

    series_map: dict[str, pd.Series] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    provenance: Provenance = Provenance("store", "empty")
    as_of: date | None = None

    @classmethod
    def from_store(
        cls, store: Store, kind: str = "store", description: str | None = None
    ) -> Dataset:
        """Load every stored series and table into memory (a few MB for the full history)."""
        summary = store.summary()
        series_map = {
            item.name: store.read_series(item.name)
            for item in summary
            if item.kind == "series" and item.name in catalog.SERIES
        }
        tables = {
            item.name: store.read_table(item.name) for item in summary if item.kind == "table"
        }
        prov = Provenance(kind, description or f"store {store.path}", tuple(summary))
        return cls(series_map, tables, prov)

    # -- access ------------------------------------------------------------------------------
    def has(self, series_id: str) -> bool:
        s = self.series_map.get(series_id)
        return s is not None and bool(s.notna().any())

    def first_present(self, series_ids: tuple[str, ...]) -> str | None:
        """The first of ``series_ids`` with data, e.g. ``catalog.RESERVES_PREFERENCE``: the
        Wednesday level of reserves where stored, else the week average (None: neither)."""
        return next((sid for sid in series_ids if self.has(sid)), None)

    def series(self, series_id: str) -> pd.Series:
        """``series_id`` in its catalog units, NaN where published as missing; empty if absent."""
        s = self.series_map.get(series_id)
        if s is None:
            return pd.Series(
                dtype="float64", index=pd.DatetimeIndex([], name="date"), name=series_id
            )
        return s

    def billions(self, series_id: str) -> pd.Series:
        """``series_id`` converted to USD billions through the catalog (never by hand)."""
        return self.series(series_id) * catalog.billions_factor(series_id)

    def table(self, name: str) -> pd.DataFrame:
        """Records of table ``name`` (catalog columns); an empty frame when none are stored."""
        frame = self.tables.get(name)
        if frame is None:
            return pd.DataFrame(columns=catalog.TABLES[name].column_names)
        return frame

    def has_table(self, name: str) -> bool:
        return len(self.table(name)) > 0

    # -- time --------------------------------------------------------------------------------
    def visible(self, as_of: date) -> Dataset:
        """The data public on ``as_of``: each series cut at ``as_of - publication lag``."""
        cut_series = {}
        for sid, s in self.series_map.items():
            last = (
                catalog.first_visible_date(sid, as_of)
                if sid in catalog.SERIES
                else as_of - timedelta(days=1)
            )
            cut_series[sid] = s.loc[: pd.Timestamp(last)]
        cut_tables = {}
        for name, frame in self.tables.items():
            spec = catalog.TABLES[name]
            limit = (as_of - timedelta(days=spec.publication_lag_days)).isoformat()
            dates = frame[spec.date_column].astype(str).str[:10]
            cut_tables[name] = frame[dates <= limit]
        return Dataset(cut_series, cut_tables, self.provenance, as_of)

    def last_date(self, series_id: str) -> date | None:
        s = self.series(series_id).dropna()
        return s.index.max().date() if len(s) else None

    def default_as_of(self) -> date | None:
        """The natural date of a weekly briefing on this data: the day the newest H.4.1 was public.

        Without H.4.1 data, the latest day on which any stored observation became public.
        """
        walcl = self.last_date("WALCL")
        if walcl is not None:
            return walcl + timedelta(days=catalog.SERIES["WALCL"].publication_lag_days)
        publics = [
            last + timedelta(days=catalog.SERIES[sid].publication_lag_days)
            for sid in self.series_map
            if sid in catalog.SERIES and (last := self.last_date(sid)) is not None
        ]
        return max(publics) if publics else None
