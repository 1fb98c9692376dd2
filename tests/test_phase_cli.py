"""``reportgen assess`` and ``reportgen phases`` through Click's test runner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_assess_text_on_the_sample() -> None:
    # The sample's default date is now 17 Sep 2026. From mid-August 2026 bills grow only by the
    # MBS reinvestment, so the holdings read phase 1 against the announced phase 2 (see
    # shared/docs/POLICY_RECORD.md, 2026-08-13): the text says both, and that they disagree.
    code, out = run("--sample", "assess")
    assert code == 0, out
    assert "as of 2026-09-17 (H.4.1 week 2026-09-16)" in out
    assert "Phase 1 (drain stopped / reinvesting)" in out
    assert "Announced: disagrees - announced phase 2 (reserve-management bill purchases)" in out
    for part in ("Confidence:", "Announced:", "Evidence ($bn)", "Treasury bills",
                 "Agency MBS", "What would move it", "phase 2 if", "phase 3 if"):
        assert part in out, part


def test_assess_text_on_the_sample_while_bills_were_bought() -> None:
    code, out = run("--sample", "assess", "--as-of", "2026-08-06")
    assert code == 0, out
    assert "Phase 2 (active bill purchases)" in out
    assert "Announced: agrees - announced phase 2" in out


def test_assess_json_on_the_sample_as_of_mid_history() -> None:
    code, out = run("--sample", "assess", "--as-of", "2025-06-30", "--format", "json")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["as_of"] == "2025-06-30"
    assert payload["week"] <= "2025-06-25"
    assert payload["phase"] == 0 and payload["substate"] == "runoff slowing"
    assert payload["announced"]["date"] == "2025-03-19"
    assert payload["agreement"] == "agrees"
    assert {e["name"] for e in payload["evidence"]} >= {"bills", "coupons", "mbs", "holdings"}
    assert len(payload["triggers"]) >= 2


def test_phases_csv_columns_and_integer_phase() -> None:
    code, out = run("--sample", "phases", "--start", "2025-01-01", "--end", "2025-12-31",
                    "--format", "csv")
    assert code == 0, out
    assert out.startswith("date,phase,label,confidence,")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["date"] >= "2025-01-01" and rows[-1]["date"] <= "2025-12-31"
    assert all(r["phase"] in {"0", "1", "2", "3"} for r in rows)
    assert rows[-1]["announced_phase"] in {"1", "2"}


def test_phases_table_and_json() -> None:
    code, out = run("--sample", "phases", "--start", "2026-01-01")
    assert code == 0, out
    assert "active bill purchases" in out and "announced" in out
    code, out = run("--sample", "phases", "--start", "2026-01-01", "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows and all(isinstance(r["phase"], int) for r in rows)


def test_phases_empty_range_says_so() -> None:
    code, out = run("--sample", "phases", "--start", "2030-01-01")
    assert code == 0 and "No H.4.1 weeks" in out


def test_as_of_before_the_data_is_one_clear_error() -> None:
    code, out = run("--sample", "assess", "--as-of", "2023-06-01")
    assert code == 1
    assert out.startswith("Error: ") and "TREAST and WSHOMCB" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("command", ["assess", "phases"])
def test_help_has_an_example(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0 and "Example:" in out


@pytest.mark.real_data
def test_real_full_history_csv(real_store: Store) -> None:
    code, out = run("--db", str(real_store.path), "phases", "--start", "2003-01-01",
                    "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["date"].startswith("2003-01")
    assert len(rows) > 1200
    by_date = {r["date"]: r["phase"] for r in rows}
    assert by_date["2013-06-05"] == "3" and by_date["2019-12-04"] == "2"


@pytest.mark.real_data
def test_real_assess_explains_the_current_phase(real_store: Store) -> None:
    code, out = run("--db", str(real_store.path), "assess")
    assert code == 0, out
    assert "Phase 2" in out and "holdings confirm from 31 Dec 2025" in out


def test_assess_says_which_data_it_used_and_how_old() -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli

    text = CliRunner().invoke(cli, ["--sample", "assess"]).output
    # The sample now runs to the H.4.1 week of 16 Sep 2026.
    assert "Data: bundled sample" in text and "newest H.4.1 week 2026-09-16" in text
    payload = json.loads(CliRunner().invoke(cli, ["--sample", "assess", "--format", "json"]).output)
    assert payload["data"]["kind"] == "sample"
    assert payload["data"]["newest_h41_week"] == "2026-09-16"
    assert payload["phase"] == 1 and payload["agreement"] == "disagrees"
