"""The embedded SQLite store: observations per series, record tables, and a fetch log.

One file (``data/reportgen.sqlite`` by default) in WAL mode, so a reader (a build) never blocks on
a writer (a fetch). Values are kept in the units the publisher uses (see ``catalog``); every row
remembers where it came from (``origin``: ``fred-api``, ``fredgraph``, ``nyfed``, ``fiscaldata``,
``import:<file>``, ``sample``) and when it was fetched.

Writes are upserts: a revised value replaces the old one and bumps ``fetched_at``; an unchanged
value is left alone. Every write happens inside a transaction, so a failure mid-way leaves what
was stored before untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.errors import StoreError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ItemSummary:
    """What the store holds for one series or table."""

    name: str
    kind: str  # "series" | "table"
    rows: int
    first: date | None
    last: date | None
    origin: str | None
    fetched_at: str | None


@dataclass(frozen=True)
class FetchLogEntry:
    started_at: str
    finished_at: str
    source: str
    item: str
    status: str  # "ok" | "failed" | "unchanged"
    rows: int
    message: str


def _table_ddl(spec: catalog.TableSpec) -> str:
    cols = ", ".join(f'"{name}" {sqltype}' for name, sqltype in spec.columns)
    key = ", ".join(f'"{k}"' for k in spec.key)
    return (
        f'CREATE TABLE IF NOT EXISTS "{spec.name}" ({cols}, origin TEXT NOT NULL, '
        f"fetched_at TEXT NOT NULL, PRIMARY KEY ({key}))"
    )


_DDL = [
    """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS observations (
        series_id TEXT NOT NULL, date TEXT NOT NULL, value REAL,
        origin TEXT NOT NULL, fetched_at TEXT NOT NULL,
        PRIMARY KEY (series_id, date)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS fetch_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
        source TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL, rows INTEGER NOT NULL,
        message TEXT NOT NULL DEFAULT '')""",
    *(_table_ddl(spec) for spec in catalog.TABLES.values()),
]


def _iso(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _cell(value: object) -> object:
    """A pandas cell as something sqlite3 stores: NaN/NaT/None -> NULL, numpy -> Python."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp | datetime | date):
        return _iso(value)
    return value


class Store:
    """The SQLite database behind reportgen. Use ``Store.open(path)``; ``":memory:"`` works too."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._in_transaction = False

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the store at ``path``; raises StoreError with advice."""
        path_str = str(path)
        if path_str != ":memory:":
            p = Path(path_str)
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for the store {p}: {exc}") from exc
        try:
            conn = sqlite3.connect(path_str, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            store = cls(conn, path_str)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path_str} is not a usable reportgen store ({exc}). Move it aside and run "
                "`reportgen fetch` or `reportgen data import DIR` to build a new one."
            ) from exc
        return store

    def _migrate(self) -> None:
        with self.transaction():
            for statement in _DDL:
                self._conn.execute(statement)
            for spec in catalog.TABLES.values():
                self._upgrade_table(spec)
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self._conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer reportgen (schema {row[0]}); "
                    "upgrade reportgen or point --db at another file."
                )

    def _upgrade_table(self, spec: catalog.TableSpec) -> None:
        """Bring a table written by an older reportgen to the catalog's columns and key.

        SQLite cannot change a primary key in place, so the table is rebuilt: its rows are
        copied over, new columns filled from ``spec.backfill`` (NULL otherwise). Nothing
        happens when the table already matches (every fresh store).
        """
        info = self._conn.execute(f'PRAGMA table_info("{spec.name}")').fetchall()
        have = [row[1] for row in info]
        key = tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        if key == spec.key and all(c in have for c in spec.column_names):
            return
        old = f"{spec.name}__before_upgrade"
        fill = dict(spec.backfill)
        targets = [c for c in spec.column_names if c in have or c in fill]
        sources = [f'"{c}"' if c in have else f"({fill[c]})" for c in targets]
        self._conn.execute(f'ALTER TABLE "{spec.name}" RENAME TO "{old}"')
        self._conn.execute(_table_ddl(spec))
        quoted = ", ".join(f'"{c}"' for c in targets)
        self._conn.execute(
            f'INSERT OR REPLACE INTO "{spec.name}" ({quoted}, origin, fetched_at) '
            f'SELECT {", ".join(sources)}, origin, fetched_at FROM "{old}"'
        )
        self._conn.execute(f'DROP TABLE "{old}"')

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all. Nested use joins the outer one."""
        if self._in_transaction:
            yield
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield
            except BaseException:
                # SQLite rolls back by itself after some errors (a full disk, for one).
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_transaction = False
        except sqlite3.OperationalError as exc:
            # Locked, read-only, disk full: the user can act on these, so no traceback.
            raise StoreError(
                f"cannot write to the store {self.path} ({exc}); nothing was changed. Check that "
                "the file and its folder are writable and that no other `reportgen fetch` is "
                "running, or point --db at another file."
            ) from exc

    # -- writing -------------------------------------------------------------------------------
    def upsert_series(
        self, series_id: str, values: pd.Series, origin: str, fetched_at: datetime
    ) -> int:
        """Store ``values`` (index: dates; NaN = published as missing) for ``series_id``.

        Returns the number of rows added or revised; unchanged rows are not counted.
        """
        catalog.series(series_id)  # unknown ids are a programming error, not data
        stamp = fetched_at.isoformat(timespec="seconds")
        # Vectorised: this runs for every row of a full-history import.
        dates = pd.DatetimeIndex(values.index).strftime("%Y-%m-%d")
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        rows = [
            (series_id, d, None if v != v else float(v), origin, stamp)  # v != v: NaN -> NULL
            for d, v in zip(dates, numbers, strict=True)
        ]
        before = self._conn.total_changes
        with self.transaction():
            self._conn.executemany(
                """INSERT INTO observations (series_id, date, value, origin, fetched_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (series_id, date) DO UPDATE SET
                     value = excluded.value, origin = excluded.origin,
                     fetched_at = excluded.fetched_at
                   WHERE observations.value IS NOT excluded.value""",
                rows,
            )
        return self._conn.total_changes - before

    def upsert_table(
        self, table: str, frame: pd.DataFrame, origin: str, fetched_at: datetime
    ) -> int:
        """Store records of ``table`` (columns as in the catalog); returns rows added or revised."""
        spec = catalog.TABLES[table]
        missing = [c for c in spec.key if c not in frame.columns]
        if missing:
            raise StoreError(f"cannot store {table}: key column(s) {missing} absent")
        cols = [c for c in spec.column_names if c in frame.columns]
        stamp = fetched_at.isoformat(timespec="seconds")
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in range(len(cols) + 2))
        non_key = [c for c in cols if c not in spec.key]
        assignments = ", ".join(
            f'"{c}" = excluded."{c}"' for c in [*non_key, "origin", "fetched_at"]
        )
        changed = " OR ".join(f'"{table}"."{c}" IS NOT excluded."{c}"' for c in non_key) or "0"
        key = ", ".join(f'"{k}"' for k in spec.key)
        sql = (
            f'INSERT INTO "{table}" ({quoted}, origin, fetched_at) VALUES ({marks}) '
            f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE {changed}"
        )
        records = [
            tuple(_cell(v) for v in row) + (origin, stamp)
            for row in frame[cols].itertuples(index=False, name=None)
        ]
        before = self._conn.total_changes
        with self.transaction():
            self._conn.executemany(sql, records)
        return self._conn.total_changes - before

    def log_fetch(self, entry: FetchLogEntry) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO fetch_log (started_at, finished_at, source, item, status, rows, "
                "message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.started_at,
                    entry.finished_at,
                    entry.source,
                    entry.item,
                    entry.status,
                    entry.rows,
                    entry.message,
                ),
            )

    # -- reading -------------------------------------------------------------------------------
    def read_series(self, series_id: str) -> pd.Series:
        """All stored observations of ``series_id`` as a float Series on a DatetimeIndex.

        Missing values published as such (FRED's ``"."``) come back as NaN; an unknown or
        never-fetched series comes back empty.
        """
        rows = self._conn.execute(
            "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date", (series_id,)
        ).fetchall()
        index = pd.DatetimeIndex([r[0] for r in rows], name="date")
        return pd.Series([r[1] for r in rows], index=index, dtype="float64", name=series_id)

    def read_table(self, table: str) -> pd.DataFrame:
        """All stored records of ``table`` with the catalog's columns, sorted by its date column."""
        spec = catalog.TABLES[table]
        columns = ", ".join(f'"{c}"' for c in spec.column_names)
        cur = self._conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY "{spec.date_column}"')
        return pd.DataFrame(cur.fetchall(), columns=spec.column_names)

    def last_date(self, series_id: str) -> date | None:
        """Date of the newest non-missing observation of ``series_id`` (None when none)."""
        row = self._conn.execute(
            "SELECT MAX(date) FROM observations WHERE series_id = ? AND value IS NOT NULL",
            (series_id,),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def last_table_date(self, table: str) -> date | None:
        spec = catalog.TABLES[table]
        row = self._conn.execute(f'SELECT MAX("{spec.date_column}") FROM "{table}"').fetchone()
        return date.fromisoformat(row[0][:10]) if row and row[0] else None

    def summary(self) -> list[ItemSummary]:
        """One line per stored series and table: rows, first and last date, origin, fetch time."""
        items: list[ItemSummary] = []
        for sid, rows, first, last, origin, fetched in self._conn.execute(
            """SELECT series_id, COUNT(value), MIN(CASE WHEN value IS NOT NULL THEN date END),
                      MAX(CASE WHEN value IS NOT NULL THEN date END),
                      (SELECT origin FROM observations o2 WHERE o2.series_id = o.series_id
                       ORDER BY date DESC LIMIT 1), MAX(fetched_at)
               FROM observations o GROUP BY series_id ORDER BY series_id"""
        ):
            items.append(ItemSummary(sid, "series", rows, _d(first), _d(last), origin, fetched))
        for spec in catalog.TABLES.values():
            rows, first, last, origin, fetched = self._conn.execute(
                f'SELECT COUNT(*), MIN("{spec.date_column}"), MAX("{spec.date_column}"), '
                f'MAX(origin), MAX(fetched_at) FROM "{spec.name}"'
            ).fetchone()
            if rows:
                items.append(
                    ItemSummary(spec.name, "table", rows, _d(first), _d(last), origin, fetched)
                )
        return items

    def fetch_log(self, limit: int = 50) -> list[FetchLogEntry]:
        rows = self._conn.execute(
            "SELECT started_at, finished_at, source, item, status, rows, message FROM fetch_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [FetchLogEntry(*r) for r in rows]

    def is_empty(self) -> bool:
        has_obs = self._conn.execute("SELECT 1 FROM observations LIMIT 1").fetchone()
        return has_obs is None and not any(i.kind == "table" for i in self.summary())


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None
