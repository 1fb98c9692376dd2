"""The bundled offline sample: real published figures (see SOURCES.md in this folder)."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from reportgen.sample import prepared
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store

# The sample is fixed data: stamp it with the day it was assembled, not the clock.
SAMPLE_ASSEMBLED = datetime(2026, 10, 9)
# What a reader is told the sample covers (its newest H.4.1 week; daily series run to October).
SAMPLE_COVERAGE = "the H.4.1 week of 2026-09-16"


def fallback_note(db_path: str | Path, absent: bool, problem: str | None = None) -> str:
    """The one note said when a command uses the sample because the store has no data.

    ``problem`` is what went wrong first ("No network: nothing could be fetched"), folded into
    the same sentence so that a build says it once, not as two notes that contradict.

    >>> fallback_note("data/x.sqlite", absent=False)[:52]
    'The store data/x.sqlite is empty: using the bundled '
    """
    state = "absent" if absent else "empty"
    lead = f"{problem}, and the store {db_path} is {state}" if problem else (
        f"The store {db_path} is {state}")
    return (f"{lead}: using the bundled sample (real published figures to {SAMPLE_COVERAGE}). "
            "Run `reportgen fetch` (with a network) or `reportgen data import DIR` for current "
            "data.")


def sample_dir() -> Path:
    return Path(str(resources.files("reportgen.sample")))


# Files that complete rows another file creates: imported last, so that their columns (the
# allotments' dealer, SOMA and competitive amounts and original tenor) are not overwritten by
# the blanks of the fuller file (TREASURY_AUCTIONS.csv lacks exactly those columns).
_COMPLETING = ("AUCTION_ALLOTMENTS.csv",)


def sample_files() -> list[Path]:
    """The bundled CSV files in import order."""
    files = csv_files(sample_dir())
    return sorted(files, key=lambda p: (p.name in _COMPLETING, p.name))


def load_sample_store() -> Store:
    """An in-memory store holding the bundled sample (the user's store is never touched).

    Imported from the CSV files once, then copied from the prepared copy in the user's cache
    (:mod:`reportgen.sample.prepared`): the same store, about 0.2 s sooner.
    """
    files = sample_files()
    store = prepared.read(files)
    if store is None:
        store = Store.open(":memory:")
        import_files(store, files, SAMPLE_ASSEMBLED, origin="sample")
        prepared.write(store, files)
    return store
