from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from reportgen.dataset import Dataset
from reportgen.store import Store


def _ds(store: Store) -> Dataset:
    idx = pd.to_datetime(["2019-09-16", "2019-09-17"])
    store.upsert_series("SOFR", pd.Series([2.43, 5.25], index=idx), "t", datetime(2026, 1, 1))
    store.upsert_series(
        "WALCL",
        pd.Series([3.8e6, 3.9e6], index=pd.to_datetime(["2019-09-11", "2019-09-18"])),
        "t",
        datetime(2026, 1, 1),
    )
    return Dataset.from_store(store)


def test_visible_applies_publication_lag(store: Store) -> None:
    ds = _ds(store)
    # SOFR for D is published on D + 1: on the 17th only the 16th is public.
    assert ds.visible(date(2019, 9, 17)).series("SOFR").index.max() == pd.Timestamp("2019-09-16")
    assert ds.visible(date(2019, 9, 18)).series("SOFR").iloc[-1] == 5.25
    # H.4.1 for Wednesday the 18th is released Thursday the 19th.
    assert ds.visible(date(2019, 9, 18)).series("WALCL").index.max() == pd.Timestamp("2019-09-11")


def test_billions_converts_through_catalog(store: Store) -> None:
    assert _ds(store).billions("WALCL").iloc[-1] == 3900.0


def test_default_as_of_is_the_latest_h41_release(store: Store) -> None:
    assert _ds(store).default_as_of() == date(2019, 9, 19)


def test_missing_series_is_empty_not_an_error(store: Store) -> None:
    assert _ds(store).series("WRESBAL").empty
