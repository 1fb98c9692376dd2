"""The signals on the real data (../shared/data/real): they light up on real episodes and stay
quiet in calm ones. Skipped when the real data is absent."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reportgen.analysis.signals import compute_dashboard, compute_frames, signal_history
from reportgen.dataset import Dataset

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def history(real_dataset: Dataset) -> pd.DataFrame:
    h = signal_history(real_dataset, date(2018, 1, 1), date(2026, 10, 9))
    return h.set_index(["date", "signal"])


def _status(h: pd.DataFrame, day: str, signal: str) -> str:
    return str(h.loc[(date.fromisoformat(day), signal), "status"])


def test_history_covers_every_signal_and_business_day(history: pd.DataFrame) -> None:
    signals = set(history.index.get_level_values("signal"))
    assert signals == {"repo_rates", "srf", "repo_segments", "auctions", "dealer_positions",
                       "fails", "securities_lending", "treasury_volatility", "yield_curve",
                       "reserves", "composite", "feedback_loop"}
    assert history.groupby(level="signal").size().nunique() == 1


def test_the_real_history_has_no_capacity_source_and_says_so(history: pd.DataFrame) -> None:
    """The shared history holds no OFR repo segments, dealer positions or securities lending:
    the three are unavailable on every day (never calm), so the index reads as before them."""
    for name in ("repo_segments", "dealer_positions", "securities_lending"):
        statuses = set(history.xs(name, level="signal")["status"])
        assert statuses == {"unavailable"}, name


def test_repo_spike_of_september_2019(history: pd.DataFrame) -> None:
    # SOFR of the 17th (5.25%) is public on the 18th; the 16th (2.43%) already showed stress.
    assert _status(history, "2019-09-18", "repo_rates") == "stressed"
    assert history.loc[(date(2019, 9, 18), "repo_rates"), "value"] == pytest.approx(295.0)
    assert _status(history, "2019-09-18", "composite") == "stressed"
    assert _status(history, "2019-09-18", "reserves") == "stressed"


def test_march_2020_dysfunction(history: pd.DataFrame) -> None:
    for day in ("2020-03-16", "2020-03-18", "2020-03-20"):
        assert _status(history, day, "treasury_volatility") == "stressed"
        assert _status(history, day, "composite") == "stressed"


def test_april_2025_treasury_selloff_is_elevated_against_the_recent_regime(
    history: pd.DataFrame,
) -> None:
    # 10-11 bp a day is only the 80th-90th percentile of a window holding 2022-23, but almost
    # twice the median of the calm year before it.
    for day in ("2025-04-10", "2025-04-15", "2025-04-22"):
        assert _status(history, day, "treasury_volatility") == "elevated", day
    assert _status(history, "2025-03-20", "treasury_volatility") == "normal"
    assert _status(history, "2025-05-15", "treasury_volatility") == "normal"


def test_srf_record_of_31_october_2025(real_dataset: Dataset) -> None:
    d = compute_dashboard(real_dataset, date(2025, 10, 31))
    srf = d.signals["srf"]
    assert srf.value == pytest.approx(50.35)
    assert srf.status == "stressed"
    # The month-end window is there, but take-up had recurred all fortnight: stress that
    # outlasts its window is persistent, never "calendar-explained".
    assert "month-end" in srf.calendar_windows
    assert srf.persistent and not srf.calendar_explained
    assert d.composite.status == "stressed"
    assert "srf" in d.composite.drivers


def test_no_signal_is_both_calendar_explained_and_persistent(real_dataset: Dataset) -> None:
    frames, _ = compute_frames(real_dataset, date(2018, 6, 1), date(2026, 6, 30))
    for name, frame in frames.items():
        both = frame["calendar_explained"] & frame["persistent"].astype(bool)
        assert not both.any(), (name, frame.index[both.to_numpy()][:5])
    # The rule has something to act on: persistent stress inside calendar windows exists.
    lasting = [f["persistent"].astype(bool) & (f["calendar"] != "") for f in frames.values()]
    assert any(x.any() for x in lasting)


def test_calendar_windows_are_those_of_the_observation_date(real_dataset: Dataset) -> None:
    # 31 Oct 2025 is a month-end; it is published on 3 Nov, inside the November refunding
    # window. The month-end, not the refunding, is what explains it.
    d = compute_dashboard(real_dataset, date(2025, 11, 3))
    windows = d.signals["repo_rates"].calendar_windows
    assert "month-end" in windows and "refunding" not in windows


def test_quarter_end_fails_spikes(history: pd.DataFrame) -> None:
    # Weeks ending 2022-09-28 and 2024-09-25, published the following Thursday.
    for day in ("2022-10-06", "2024-10-03"):
        assert _status(history, day, "fails") == "stressed"


def test_calm_second_half_of_2021(history: pd.DataFrame) -> None:
    calm = history.loc[(slice(date(2021, 7, 1), date(2021, 12, 31)), slice(None)), "status"]
    by = calm.groupby(level="signal").agg(lambda s: set(s))
    for signal in ("repo_rates", "treasury_volatility", "reserves", "yield_curve"):
        assert by[signal] == {"normal"}, signal
    # Only two of the five pipe signals have data in 2021 (no repo operations, fails or
    # auctions stored): calm readings of two are not enough to call the whole pipe calm.
    assert by["composite"] == {"unavailable"}


def test_unavailable_where_the_real_data_has_no_inputs(history: pd.DataFrame) -> None:
    # No repo operations, fails or auctions before 2022 / 2025 in the real data.
    assert _status(history, "2019-09-18", "srf") == "unavailable"
    assert _status(history, "2019-09-18", "fails") == "unavailable"
    assert _status(history, "2019-09-18", "auctions") == "unavailable"
