"""Shared fixtures. Real data lives in ../shared/data/real; tests using it skip when absent."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from reportgen.dataset import Dataset
from reportgen.sample import load_sample_store
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The prepared sample (reportgen/sample/prepared.py) is kept in a folder of this test run, never
# in the user's cache; subprocesses of the tests inherit it.
_CACHE = tempfile.mkdtemp(prefix="reportgen-test-cache-")
os.environ["REPORTGEN_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden from the current output (review the diff)")


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    if not REAL_DATA.is_dir():
        pytest.skip("../shared/data/real is absent")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_store(real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store holding every file of ../shared/data/real (imported once per session)."""
    store = Store.open(tmp_path_factory.mktemp("real") / "real.sqlite")
    import_files(store, csv_files(real_data_dir), datetime(2026, 11, 22))
    return store


@pytest.fixture(scope="session")
def real_dataset(real_store: Store) -> Dataset:
    return Dataset.from_store(real_store)


@pytest.fixture(scope="session")
def sample() -> Dataset:
    """The bundled sample as a Dataset, loaded once per session (treat it as read-only)."""
    return Dataset.from_store(load_sample_store(), "sample", "bundled sample")


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "test.sqlite")
