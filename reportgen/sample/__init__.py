"""The bundled offline sample: real published figures (see SOURCES.md in this folder)."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store

# The sample is fixed data: stamp it with the day it was assembled, not the clock.
SAMPLE_ASSEMBLED = datetime(2026, 10, 9)


def sample_dir() -> Path:
    return Path(str(resources.files("reportgen.sample")))


def load_sample_store() -> Store:
    """An in-memory store holding the bundled sample (the user's store is never touched)."""
    store = Store.open(":memory:")
    import_files(store, csv_files(sample_dir()), SAMPLE_ASSEMBLED, origin="sample")
    return store
