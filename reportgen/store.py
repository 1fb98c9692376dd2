"""The embedded SQLite store: observations per series, record tables, and a fetch log.

One file (``data/reportgen.sqlite`` by default) in WAL mode, so a reader (a build) never blocks on
a writer (a fetch). Values are kept in the units the publisher uses (see ``catalog``); every row
remembers where it came from (``origin``: ``fred-api``, ``fredgraph``, ``nyfed``, ``fiscaldata``,
``import:<file>``, ``sample``) and when it was fetched.

Readers open the file read-only and never write, lock, create or upgrade it; the first write
reopens it for writing after ``PRAGMA quick_check`` (see :class:`Store`). Each failure SQLite
reports (damage, a lock, a read-only file, a full disk, an old or foreign schema) becomes a
:class:`~reportgen.errors.StoreError` that says what it means and what to do
(:func:`store_error`).

Writes are upserts: a revised value replaces the old one and bumps ``fetched_at``; an unchanged
value is left alone, and in a table a missing (NULL) value never erases a stored one. Every
write happens inside a transaction, so a failure mid-way leaves what was stored untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reportgen import catalog
from reportgen.errors import StoreError, redact

if TYPE_CHECKING:
    import pandas as pd

# pandas and numpy are imported where rows are converted, not here: commands that only read
# the store's summary (`data status`) start without them (about 0.2 s).

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


@cache
def _np_pd() -> tuple[Any, Any]:
    import numpy as np
    import pandas as pd

    return np, pd


def _iso(value: object) -> str:
    import pandas as pd

    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _cell(value: object) -> object:
    """A pandas cell as something sqlite3 stores: NaN/NaT/None -> NULL, numpy -> Python."""
    # Called once per cell of an import: numpy and pandas are bound on the first call.
    np, pd = _np_pd()
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


#: Seconds a write waits for another process's write to finish before "locked" is reported.
BUSY_TIMEOUT = 30.0
#: Seconds a read waits (only ever for a store not yet in WAL mode: WAL readers never wait).
READ_TIMEOUT = 5.0
_CORE_TABLES = ("meta", "observations", "fetch_log")


class Store:
    """The SQLite database behind reportgen. Use ``Store.open(path)``; ``":memory:"`` works too.

    A store opens for reading: a read-only connection that never creates, upgrades or locks
    anything, so a build or ``data status`` never waits for a fetch (WAL readers do not block).
    The first write (any :meth:`transaction`, or :meth:`prepare_write` called up front by the
    commands that write) opens it for writing: the file and its folder are created, ``PRAGMA
    quick_check`` refuses a damaged file before anything is written into it, and a store of an
    older schema is upgraded (adding tables and columns loses nothing).
    """

    def __init__(self, conn: sqlite3.Connection, path: str, *, writable: bool = True,
                 can_write: bool = True, columns: dict[str, set[str]] | None = None) -> None:
        self._conn = conn
        self.path = path
        self._in_transaction = False
        self._writable = writable
        self._can_write = can_write
        # The columns each table has (None: the current schema, as in every store written by
        # this version); an older store is read as it is, missing columns as NULL.
        self._columns = columns

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, readonly: bool = False) -> Store:
        """Open the store at ``path`` for reading; raises :class:`StoreError` with advice.

        ``readonly=True`` refuses every write; otherwise the first write reopens the store for
        writing (see the class docstring). A missing file reads as an empty store and is only
        created by a write. ``":memory:"`` is writable at once.
        """
        path_str = str(path)
        if path_str == ":memory:":
            store = cls(sqlite3.connect(":memory:", isolation_level=None), path_str)
            store._migrate()
            return store
        return cls._open_readonly(path_str, can_write=not readonly)

    @classmethod
    def _open_readonly(cls, path_str: str, can_write: bool = False) -> Store:
        p = Path(path_str)
        if p.is_dir():
            raise StoreError(f"the store path {path_str} is a folder; point --db at a file such "
                             "as data/reportgen.sqlite")
        if not p.exists():
            empty = cls(sqlite3.connect(":memory:", isolation_level=None), path_str,
                        writable=False, can_write=can_write)
            empty._writable = True  # build the empty schema in memory, then read only
            empty._migrate()
            empty._writable = False
            return empty
        uri = f"file:{quote(str(p.resolve()))}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=READ_TIMEOUT)
            conn.execute("PRAGMA query_only=1")
            try:
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as exc:
                # A WAL store in a folder we may not write: SQLite cannot make its -shm file.
                # Nobody else can be writing it either (a writer needs the folder for its
                # -wal), so unless a -wal holds unmerged pages it is read as an immutable file.
                wal = Path(f"{path_str}-wal")
                if "readonly" not in str(exc).lower() or (wal.exists() and wal.stat().st_size):
                    raise
                conn.close()
                conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)
                conn.execute("PRAGMA query_only=1")
        except sqlite3.Error as exc:
            raise store_error(exc, path_str, "read") from exc
        store = cls(conn, path_str, writable=False, can_write=can_write)
        store._load_layout(path_str)
        return store

    def _load_layout(self, name: str) -> None:
        """Read and check the tables of the database just opened (:meth:`_read_layout`); on
        failure the connection is closed and a :class:`StoreError` naming ``name`` raised."""
        try:
            self._columns = self._read_layout()
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.Error as exc:
            self._conn.close()
            raise store_error(exc, name, "read") from exc

    def _read_layout(self) -> dict[str, set[str]] | None:
        """The tables and columns of an existing file, checked to be a reportgen store of a
        version this code reads; None when it has the current schema in full."""
        present: dict[str, set[str]] = {}
        for (name,) in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            present[name] = {r[1] for r in self._conn.execute(f'PRAGMA table_info("{name}")')}
        mine = set(_CORE_TABLES) | set(catalog.TABLES)
        if present and not (set(present) & mine):
            raise StoreError(
                f"{self.path} is an SQLite database but not a reportgen store (its tables: "
                f"{', '.join(sorted(present)[:5])}); reportgen will not read or change it. "
                "Point --db at another file, such as data/reportgen.sqlite")
        if "meta" in present:
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is not None:
                self._check_version(row[0])
        gaps = self._gaps(present)
        return present if gaps else None

    @staticmethod
    def _gaps(present: dict[str, set[str]]) -> list[str]:
        gaps = [t for t in _CORE_TABLES if t not in present]
        for spec in catalog.TABLES.values():
            if spec.name not in present:
                gaps.append(spec.name)
                continue
            gaps += [f"{spec.name}.{c}" for c in spec.column_names if c not in present[spec.name]]
        return gaps

    def prepare_write(self) -> None:
        """Make the store writable now (commands that write call it first, so a damaged,
        locked or read-only store is reported before any fetching)."""
        if self._writable:
            return
        if not self._can_write:
            raise StoreError(f"the store {self.path} was opened read-only; this command does "
                             "not write it (please report this)")
        p = Path(self.path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the store {p}: {exc}") from exc
        older = self._columns is not None and p.exists()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT)
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, "open") from exc
        reader, columns = self._conn, self._columns
        self._conn, self._columns, self._writable = conn, None, True
        try:
            self._check_integrity()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (StoreError, sqlite3.Error) as exc:
            self._conn, self._columns, self._writable = reader, columns, False
            conn.close()
            error = exc if isinstance(exc, StoreError) else store_error(exc, self.path, "write")
            if older and "damaged" not in error.message:
                raise StoreError(
                    f"{self.path} was written by an older reportgen and must be upgraded (new "
                    f"tables and columns, nothing removed) before anything is written into it, "
                    f"and the upgrade failed: {error.message}") from exc
            raise error from exc
        reader.close()

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check`` before anything is written: a damaged file is refused, never
        written into (which would spread the damage)."""
        try:
            rows = self._conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, self.path, "check") from exc
        problems = [r[0] for r in rows if r and r[0] != "ok"]
        if problems:
            raise StoreError(_damaged(self.path, "; ".join(problems[:3])))

    def _check_version(self, value: str) -> None:
        try:
            version = int(value)
        except ValueError:
            raise StoreError(f"{self.path} has an unreadable schema version {value!r}; it was not "
                             "written by reportgen. Point --db at another file.") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer reportgen (schema {version}); "
                "upgrade reportgen or point --db at another file."
            )

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
            else:
                self._check_version(row[0])


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

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> Store:
        """A writable in-memory store holding ``data`` (what :meth:`to_bytes` returned);
        raises :class:`StoreError`, naming ``name``, if it is not a store of a version this
        code reads."""
        conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            conn.deserialize(data)
        except sqlite3.Error as exc:
            conn.close()
            raise store_error(exc, name, "read") from exc
        store = cls(conn, ":memory:")
        store._load_layout(name)
        return store

    def to_bytes(self) -> bytes:
        """The whole store as one SQLite database image (for :meth:`from_bytes`)."""
        return self._conn.serialize()

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
        self.prepare_write()
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
        except sqlite3.Error as exc:
            # Locked, read-only, disk full, damaged: the user can act on these, so no traceback.
            raise store_error(exc, self.path, "write") from exc

    # -- writing -------------------------------------------------------------------------------
    def upsert_series(
        self, series_id: str, values: pd.Series, origin: str, fetched_at: datetime
    ) -> int:
        """Store ``values`` (index: dates; NaN = published as missing) for ``series_id``.

        Returns the number of rows added or revised; unchanged rows are not counted.
        """
        import numpy as np
        import pandas as pd

        catalog.series(series_id)  # unknown ids are a programming error, not data
        stamp = fetched_at.isoformat(timespec="seconds")
        # Vectorised: this runs for every row of a full-history import.
        dates = pd.DatetimeIndex(values.index).strftime("%Y-%m-%d")
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(numbers).any():
            # inf is no value and no "missing": storing it (or NULL for it) would lose data.
            raise StoreError(f"refusing to store {series_id}: a value is infinite; the parser "
                             "should have refused it (please report this)")
        rows = [
            (series_id, d, None if v != v else float(v), origin, stamp)  # v != v: NaN -> NULL
            for d, v in zip(dates, numbers, strict=True)
        ]
        self.prepare_write()
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
        # A missing value never erases a stored one: NULL means "not given" (an export
        # without issue dates, an announced auction), not "withdrawn".
        assignments = ", ".join(
            [*(f'"{c}" = COALESCE(excluded."{c}", "{table}"."{c}")' for c in non_key),
             "origin = excluded.origin", "fetched_at = excluded.fetched_at"]
        )
        changed = " OR ".join(f'(excluded."{c}" IS NOT NULL AND "{table}"."{c}" IS NOT '
                              f'excluded."{c}")' for c in non_key) or "0"
        key = ", ".join(f'"{k}"' for k in spec.key)
        sql = (
            f'INSERT INTO "{table}" ({quoted}, origin, fetched_at) VALUES ({marks}) '
            f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE {changed}"
        )
        records = [
            tuple(_cell(v) for v in row) + (origin, stamp)
            for row in frame[cols].itertuples(index=False, name=None)
        ]
        self.prepare_write()
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
                    # The message may quote a server's answer: never let it store a secret.
                    redact(entry.message),
                ),
            )

    # -- reading -------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[object, ...] = ()) -> _Rows:
        """Run a read to the end (a damaged page can surface at any row); a damaged or locked
        file becomes a :class:`StoreError` with advice."""
        try:
            return _Rows(self._conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, "read") from exc

    def _has(self, table: str) -> bool:
        return self._columns is None or table in self._columns

    def _select(self, spec: catalog.TableSpec) -> str:
        """The catalog's columns of ``spec``; in a store of an older schema (read, not yet
        upgraded) a column it lacks reads as its backfill expression, else NULL."""
        if self._columns is None:
            return ", ".join(f'"{c}"' for c in spec.column_names)
        have, fill = self._columns[spec.name], dict(spec.backfill)
        return ", ".join(f'"{c}"' if c in have else f'({fill[c]}) AS "{c}"' if c in fill
                         else f'NULL AS "{c}"' for c in spec.column_names)

    def read_series(self, series_id: str) -> pd.Series:
        """All stored observations of ``series_id`` as a float Series on a DatetimeIndex.

        Missing values published as such (FRED's ``"."``) come back as NaN; an unknown or
        never-fetched series comes back empty.
        """
        import pandas as pd

        if not self._has("observations"):
            return pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype="float64",
                             name=series_id)
        rows = self._query(
            "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date", (series_id,)
        ).fetchall()
        index = pd.DatetimeIndex([r[0] for r in rows], name="date")
        return pd.Series([r[1] for r in rows], index=index, dtype="float64", name=series_id)

    def read_table(self, table: str) -> pd.DataFrame:
        """All stored records of ``table`` with the catalog's columns, sorted by its date column."""
        import pandas as pd

        spec = catalog.TABLES[table]
        if not self._has(table):
            return pd.DataFrame(columns=spec.column_names)
        cur = self._query(f'SELECT {self._select(spec)} FROM "{table}" '
                          f'ORDER BY "{spec.date_column}"')
        return pd.DataFrame(cur.fetchall(), columns=spec.column_names)

    def last_date(self, series_id: str) -> date | None:
        """Date of the newest non-missing observation of ``series_id`` (None when none)."""
        if not self._has("observations"):
            return None
        row = self._query(
            "SELECT MAX(date) FROM observations WHERE series_id = ? AND value IS NOT NULL",
            (series_id,),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def last_table_date(self, table: str) -> date | None:
        spec = catalog.TABLES[table]
        if not self._has(table):
            return None
        row = self._query(f'SELECT MAX("{spec.date_column}") FROM "{table}"').fetchone()
        return date.fromisoformat(row[0][:10]) if row and row[0] else None

    def summary(self) -> list[ItemSummary]:
        """One line per stored series and table: rows, first and last date, origin, fetch time."""
        items: list[ItemSummary] = []
        for sid, rows, first, last, origin, fetched in [] if not self._has("observations") \
                else self._query(
            """SELECT series_id, COUNT(value), MIN(CASE WHEN value IS NOT NULL THEN date END),
                      MAX(CASE WHEN value IS NOT NULL THEN date END),
                      (SELECT origin FROM observations o2 WHERE o2.series_id = o.series_id
                       ORDER BY date DESC LIMIT 1), MAX(fetched_at)
               FROM observations o GROUP BY series_id ORDER BY series_id"""
        ):
            items.append(ItemSummary(sid, "series", rows, _d(first), _d(last), origin, fetched))
        for spec in catalog.TABLES.values():
            if not self._has(spec.name):
                continue
            rows, first, last, origin, fetched = self._query(
                f'SELECT COUNT(*), MIN("{spec.date_column}"), MAX("{spec.date_column}"), '
                f'MAX(origin), MAX(fetched_at) FROM "{spec.name}"'
            ).fetchone()
            if rows:
                items.append(
                    ItemSummary(spec.name, "table", rows, _d(first), _d(last), origin, fetched)
                )
        return items

    def fetch_log(self, limit: int = 50) -> list[FetchLogEntry]:
        if not self._has("fetch_log"):
            return []
        rows = self._query(
            "SELECT started_at, finished_at, source, item, status, rows, message FROM fetch_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [FetchLogEntry(*r) for r in rows]

    def is_empty(self) -> bool:
        has_obs = self._has("observations") and self._query(
            "SELECT 1 FROM observations LIMIT 1").fetchone()
        return has_obs is None and not any(i.kind == "table" for i in self.summary())


class _Rows(list[Any]):
    """The rows of a finished read, with the cursor methods the readers use."""

    def fetchall(self) -> list[Any]:
        return self

    def fetchone(self) -> Any:
        return self[0] if self else None


def _damaged(path: str, detail: str) -> str:
    return (f"the store {path} is damaged ({detail}); reportgen neither reads nor writes a "
            "damaged store. Move it aside (keep the copy: `sqlite3 FILE .recover` may save its "
            "rows), then build a new one with `reportgen fetch` or `reportgen data import DIR`.")


def store_error(exc: sqlite3.Error, path: str, action: str) -> StoreError:
    """The SQLite failure ``exc`` as a StoreError saying what it means and what to do:
    damage, a lock held by another process, a read-only file, a full disk, or no access."""
    text = str(exc)
    lower = text.lower()
    nothing = " Nothing was changed." if action == "write" else ""
    if "not a database" in lower or "malformed" in lower or "corrupt" in lower:
        return StoreError(_damaged(path, text))
    if "locked" in lower or "busy" in lower:
        return StoreError(
            f"the store {path} is locked by another process ({text}): a `reportgen fetch`, "
            f"`data import` or build that writes it is still running.{nothing} Wait for it to "
            "finish and run the command again.")
    if "readonly" in lower or "read-only" in lower:
        return StoreError(
            f"the store {path} is read-only ({text}): reportgen can read it but not write it."
            f"{nothing} Make the file, its -wal/-shm files and its folder writable, or point "
            "--db at another file.")
    if "full" in lower:
        return StoreError(f"the disk holding the store {path} is full ({text}).{nothing} Free "
                          "some space and run the command again.")
    if "unable to open" in lower or "cannot open" in lower:
        return StoreError(
            f"cannot open the store {path} ({text}): check that the file and its folder exist "
            "and that you may read them (and write them, to fetch or import).")
    return StoreError(
        f"the store {path} could not be used ({type(exc).__name__}: {text}).{nothing} "
        "Point --db at another file, or move this one aside and rebuild it with "
        "`reportgen fetch` or `reportgen data import DIR`.")


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None
