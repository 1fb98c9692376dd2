"""Benchmarks of the data layer (run with `make bench`; skipped in the normal test run)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from reportgen.dataset import Dataset
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store


@pytest.mark.benchmark(group="data")
def test_bench_import_full_real_history(benchmark, real_data_dir: Path, tmp_path: Path) -> None:
    counter = iter(range(1000))

    def run() -> int:
        store = Store.open(tmp_path / f"b{next(counter)}.sqlite")
        return import_files(store, csv_files(real_data_dir), datetime(2026, 11, 22)).rows_written

    rows = benchmark.pedantic(run, rounds=3, iterations=1)
    assert rows > 100_000


@pytest.mark.benchmark(group="data")
def test_bench_load_dataset_from_store(benchmark, real_store: Store) -> None:
    ds = benchmark(Dataset.from_store, real_store)
    assert ds.has("WALCL")
