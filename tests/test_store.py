from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from reportgen.errors import StoreError
from reportgen.store import Store

T0 = datetime(2026, 1, 1)


def _series(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.to_datetime(list(values)))


def test_upsert_counts_new_and_revised_rows_only(store: Store) -> None:
    assert (
        store.upsert_series("WALCL", _series({"2024-01-03": 1.0, "2024-01-10": 2.0}), "t", T0) == 2
    )
    assert (
        store.upsert_series("WALCL", _series({"2024-01-03": 1.0, "2024-01-10": 2.5}), "t", T0) == 1
    )
    assert store.read_series("WALCL").tolist() == [1.0, 2.5]


def test_missing_value_is_stored_as_null_and_not_counted_in_last_date(store: Store) -> None:
    store.upsert_series("SOFR", _series({"2024-01-02": 5.3, "2024-01-03": float("nan")}), "t", T0)
    assert store.last_date("SOFR").isoformat() == "2024-01-02"
    assert store.read_series("SOFR").isna().tolist() == [False, True]


def test_failed_transaction_leaves_stored_rows_untouched(store: Store) -> None:
    store.upsert_series("WALCL", _series({"2024-01-03": 1.0}), "t", T0)
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_series("WALCL", _series({"2024-01-03": 99.0, "2024-01-10": 5.0}), "t", T0)
        raise RuntimeError("network dropped mid-way")
    assert store.read_series("WALCL").tolist() == [1.0]


def test_table_upsert_is_keyed_and_idempotent(store: Store) -> None:
    frame = pd.DataFrame({"date": ["2024-01-03"], "keyid": ["PDFTD-USTET"], "value": [10.0]})
    assert store.upsert_table("pd_fails", frame, "t", T0) == 1
    assert store.upsert_table("pd_fails", frame, "t", T0) == 0
    frame.loc[0, "value"] = 12.0
    assert store.upsert_table("pd_fails", frame, "t", T0) == 1
    assert store.read_table("pd_fails")["value"].tolist() == [12.0]


def test_store_uses_wal_journal(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite")
    store.prepare_write()
    store.close()
    mode = sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_corrupt_file_gives_store_error_with_advice(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="is damaged.*Move it aside"):
        Store.open(bad)


def test_summary_reports_rows_dates_and_origin(store: Store) -> None:
    store.upsert_series("WALCL", _series({"2024-01-03": 1.0, "2024-01-10": 2.0}), "fred-api", T0)
    (item,) = store.summary()
    assert (item.name, item.rows, item.last.isoformat(), item.origin) == (
        "WALCL",
        2,
        "2024-01-10",
        "fred-api",
    )


def test_write_to_a_locked_store_is_a_store_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite"
    first = Store.open(path)
    first.prepare_write()
    first.close()
    monkeypatch.setattr("reportgen.store.BUSY_TIMEOUT", 0.1)
    writer = Store.open(path)
    writer.prepare_write()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another fetch holds the write lock
    try:
        with pytest.raises(StoreError, match="is locked by another process.*Nothing was changed"):
            writer.upsert_series("WALCL", pd.Series([7e6], index=[pd.Timestamp("2024-01-03")]),
                                 "test", T0)
    finally:
        other.execute("ROLLBACK")
        other.close()
        writer.close()
