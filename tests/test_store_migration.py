"""Stores written before ``outright_operations`` was keyed on id plus family keep working."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pandas as pd

from reportgen.store import Store

# The table as reportgen wrote it before the ``family`` column (key: operation_id alone).
OLD_DDL = (
    'CREATE TABLE "outright_operations" ("operation_id" TEXT NOT NULL, '
    '"operation_date" TEXT NOT NULL, "operation_type" TEXT NOT NULL, '
    '"operation_direction" TEXT, "security_class" TEXT NOT NULL, "total_par_submitted" REAL, '
    '"total_par_accepted" REAL, "maturity_range_start" TEXT, "maturity_range_end" TEXT, '
    '"note" TEXT, origin TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY ("operation_id"))'
)


def _old_store(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(OLD_DDL)
    conn.executemany(
        'INSERT INTO "outright_operations" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
            ("OR 081426 25", "2026-08-14", "Outright Bill Purchase", "P", "bill", 3.5e10, 3.453e9,
             "2026-12-10", "2027-08-05", None, "nyfed", "2026-08-15T09:00:00"),
            ("OR 081326 1", "2026-08-13", "Outright TBA Purchase", "P", "mbs", 5e8, 2.5e8,
             None, None, None, "nyfed", "2026-08-15T09:00:00"),
        ],
    )
    conn.commit()
    conn.close()


def test_an_old_outright_table_is_rebuilt_with_family_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _old_store(path)
    store = Store.open(path)
    frame = store.read_table("outright_operations").set_index("operation_id")
    assert frame.loc["OR 081426 25", "family"] == "treasury"
    assert frame.loc["OR 081326 1", "family"] == "mbs"
    assert frame.loc["OR 081426 25", "total_par_accepted"] == 3.453e9
    # An MBS operation with the Treasury one's id is now a second row, not an overwrite.
    mbs = pd.DataFrame([{
        "operation_id": "OR 081426 25", "operation_date": "2026-08-14",
        "operation_type": "Outright Specified Pool Sale", "family": "mbs",
        "operation_direction": "S", "security_class": "mbs", "total_par_accepted": 1.3e8,
    }])
    store.upsert_table("outright_operations", mbs, "nyfed", datetime(2026, 8, 20))
    assert len(store.read_table("outright_operations")) == 3
    store.close()
    # Opening it again changes nothing.
    again = Store.open(path)
    assert len(again.read_table("outright_operations")) == 3
    again.close()
