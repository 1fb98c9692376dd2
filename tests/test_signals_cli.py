"""The ``reportgen signals`` command, and the benchmark of the full daily history."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reportgen.analysis.signals import signal_history
from reportgen.cli import cli
from reportgen.dataset import Dataset
from reportgen.store import Store


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["signals", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_dashboard_table_on_the_sample() -> None:
    result = CliRunner().invoke(cli, ["--sample", "signals", "--as-of", "2025-10-31"])
    assert result.exit_code == 0, result.output
    assert "Plumbing stress dashboard as of 2025-10-31" in result.output
    assert "Standing Repo Facility" in result.output
    assert "Why:" in result.output


def test_dashboard_json_on_the_sample() -> None:
    # Repo operation results (the 50.35 bn record of 31 October) are published the same day.
    result = CliRunner().invoke(cli, ["--sample", "signals", "--as-of", "2025-10-31",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["as_of"] == "2025-10-31"
    assert payload["signals"]["srf"]["value"] == 50.35
    assert payload["signals"]["srf"]["status"] == "stressed"
    assert payload["composite"]["name"] == "composite"


def test_history_csv_on_the_sample() -> None:
    result = CliRunner().invoke(cli, ["--sample", "signals", "--history", "--start",
                                      "2025-10-01", "--end", "2025-10-31", "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output))
    assert list(frame.columns[:4]) == ["date", "signal", "value", "status"]
    assert len(frame) == 22 * 12  # 23 weekdays less Columbus Day, twelve signals


def test_reversed_range_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["--sample", "signals", "--history", "--start",
                                      "2025-10-31", "--end", "2025-10-01", "--format", "csv"])
    assert result.exit_code == 1
    assert "Error: the history ends (2025-10-01) before it starts (2025-10-31)" in result.output


def test_missing_when_issued_file_is_rejected() -> None:
    result = CliRunner().invoke(cli, ["--sample", "signals", "--when-issued", "/nonexistent.csv"])
    assert result.exit_code == 2


@pytest.mark.real_data
def test_history_csv_on_the_real_store(real_store: Store) -> None:
    result = CliRunner().invoke(cli, ["--db", str(real_store.path), "signals", "--history",
                                      "--start", "2018-01-01", "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output))
    assert frame["date"].min() == "2018-01-02"
    assert frame["signal"].nunique() == 12


@pytest.mark.real_data
@pytest.mark.benchmark(group="signals")
def test_benchmark_full_history(benchmark: object, real_dataset: Dataset) -> None:
    result = benchmark(signal_history, real_dataset, date(2018, 1, 1),  # type: ignore[operator]
                       date(2026, 10, 9))
    assert len(result) > 19_000


def test_terminal_commands_and_the_briefing_agree_under_a_threshold_override(
        tmp_path: Path) -> None:
    """`signals`, `assess` and `phases` read reportgen.toml's thresholds through the same
    analysis step as `build`, so the terminal and brief.json never disagree."""
    folder = tmp_path
    config = folder / "reportgen.toml"
    # The record SRF take-up of 31 Dec 2025 was 74.6 bn: stressed by default, normal here.
    config.write_text("[thresholds.signals]\nsrf_elevated_bn = 80.0\nsrf_stressed_bn = 90.0\n"
                      "[thresholds.phase]\nconfidence_high = 0.99\n", encoding="utf-8")
    env = {"REPORTGEN_CONFIG": str(config)}
    runner = CliRunner()
    day = "2025-12-31"

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--sample", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    terminal = json.loads(run("signals", "--as-of", day, "--format", "json"))
    default = json.loads(CliRunner().invoke(cli, ["--sample", "signals", "--as-of", day,
                                                  "--format", "json"], env={}).output)
    assert default["signals"]["srf"]["status"] == "stressed"
    assert terminal["signals"]["srf"]["status"] == "normal"

    run("build", "--as-of", day, "--offline", "--format", "json", "--out", str(folder / "site"))
    brief = json.loads((folder / "site" / "briefings" / day / "brief.json").read_text())
    for name, sig in terminal["signals"].items():
        assert brief["signals"]["signals"][name]["status"] == sig["status"], name
        assert brief["signals"]["signals"][name]["value"] == sig["value"], name
    assert brief["signals"]["composite"]["value"] == terminal["composite"]["value"]

    phase = json.loads(run("assess", "--as-of", day, "--format", "json"))
    assert (phase["phase"], phase["confidence"]) == (brief["phase"]["phase"],
                                                     brief["phase"]["confidence"])
    assert phase["confidence"] != "high"  # the override is in force
    history = json.loads(run("phases", "--as-of", day, "--format", "json"))
    assert history[-1]["confidence"] == phase["confidence"]
