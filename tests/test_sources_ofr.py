"""OFR: Short-term Funding Monitor repo series and the Financial Stress Index (no network)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from click.testing import CliRunner

from reportgen import catalog, fetching
from reportgen.analysis.signals.repo_segments import combine_vintages
from reportgen.cli import cli
from reportgen.config import Settings
from reportgen.errors import PayloadError, UnitError
from reportgen.sources import ofr
from reportgen.sources.csvfiles import import_files, parse_file
from reportgen.sources.http import HttpClient, RetryPolicy
from reportgen.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ofr"
SAMPLE = Path(__file__).parent.parent / "reportgen" / "sample"
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _: None)
URL = "https://data.financialresearch.gov/v1/series/timeseries?mnemonic=X"
NOW = datetime(2026, 10, 2, 23, 0)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def ofr_handler(seen: list[httpx.URL] | None = None) -> httpx.MockTransport:
    """The OFR API as recorded: a bare array per mnemonic; the FSI as its CSV file. Mnemonics
    without a recorded body (GCF, tri-party, DVP volume -P) get a short array of the same shape."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url)
        if request.url.host == "www.financialresearch.gov":
            return httpx.Response(200, content=(FIXTURES / "fsi.csv").read_bytes())
        mnemonic = request.url.params["mnemonic"]
        path = FIXTURES / f"{mnemonic}.json"
        if path.exists():
            return httpx.Response(200, content=path.read_bytes())
        value = 4.31 if "_AR_" in mnemonic else 1.1e12
        return httpx.Response(200, json=[["2026-09-30", value], ["2026-10-01", None]])

    return httpx.MockTransport(handler)


# -- parsing: the recorded array format -----------------------------------------------------
def test_parse_timeseries_keeps_nulls_as_missing_days_and_reads_negative_zero() -> None:
    s = ofr.parse_timeseries(load("REPO-DVP_AR_OO-P.json"), "REPO-DVP_AR_OO-P", URL)
    assert s.name == "REPO-DVP_AR_OO-P" and s.index.name == "date"
    assert s[day("2022-01-03")] == 0.0 and not math.copysign(1, s[day("2022-01-03")]) < 0
    assert math.isnan(s[day("2024-10-11")])  # listed with JSON null: published, no value
    assert day("2024-10-14") not in s.index  # a holiday the OFR does not list: no row
    assert s[day("2026-10-01")] == 3.85
    assert list(s.index) == sorted(s.index)


def test_parse_timeseries_volumes_stay_in_dollars() -> None:
    s = ofr.parse_timeseries(load("REPO-DVP_TV_OO-F.json"), "REPO-DVP_TV_OO-F", URL)
    assert catalog.SERIES["REPO-DVP_TV_OO-F"].units == "USD"
    assert s.dropna().min() > 1e12  # $1-4 trn a day, not millions


def test_parse_timeseries_refuses_volumes_in_millions() -> None:
    with pytest.raises(UnitError, match="REPO-DVP_TV_OO-F"):
        ofr.parse_timeseries([["2026-06-30", 3368335.0]], "REPO-DVP_TV_OO-F", URL)


def test_parse_timeseries_accepts_the_series_full_shape() -> None:
    payload = {"REPO-GCF_AR_OO-P": {"timeseries": {"aggregation": [["2026-09-30", 4.31],
                                                                  ["2026-10-01", None]]},
                                    "metadata": {"mnemonic": "REPO-GCF_AR_OO-P"}}}
    s = ofr.parse_timeseries(payload, "REPO-GCF_AR_OO-P", URL)
    assert s[day("2026-09-30")] == 4.31 and math.isnan(s[day("2026-10-01")])


def test_parse_timeseries_names_the_problem_for_an_object_without_the_series() -> None:
    with pytest.raises(PayloadError, match="no time series for REPO-XYZ"):
        ofr.parse_timeseries({"error": "Invalid mnemonic"}, "REPO-XYZ", URL)


def test_parse_timeseries_refuses_a_pair_that_is_not_date_value() -> None:
    with pytest.raises(PayloadError, match="pair 2"):
        ofr.parse_timeseries([["2026-09-30", 4.3], ["2026-10-01"]], "REPO-DVP_AR_OO-P", URL)
    with pytest.raises(PayloadError, match="pair 1"):
        ofr.parse_timeseries([["30/09/2026", 4.3]], "REPO-DVP_AR_OO-P", URL)


def test_final_fills_a_preliminary_null_and_combine_vintages_says_which() -> None:
    p = ofr.parse_timeseries(load("REPO-DVP_AR_OO-P.json"), "REPO-DVP_AR_OO-P", URL)
    f = ofr.parse_timeseries(load("REPO-DVP_AR_OO-F.json"), "REPO-DVP_AR_OO-F", URL)
    both = combine_vintages(f, p)
    assert both.loc[day("2024-10-11")].tolist() == [4.81, "final"]  # P null, F published
    assert both.loc[day("2026-10-01")].tolist() == [3.85, "preliminary"]  # no final yet
    shared = f.dropna().index.intersection(p.dropna().index)
    assert (f[shared] == p[shared]).all()  # otherwise equal, as recorded


def test_vintages_have_their_own_lags_in_the_catalog() -> None:
    assert catalog.SERIES["REPO-DVP_AR_OO-P"].publication_lag_days == 1
    assert catalog.SERIES["REPO-DVP_AR_OO-F"].publication_lag_days > 90
    for segment, (prelim, final) in catalog.OFR_REPO_RATES.items():
        assert prelim.endswith("-P") and f"-{segment}_" in prelim
        assert final is None or final == prelim[:-1] + "F"


# -- the Financial Stress Index ----------------------------------------------------------------
def test_parse_fsi_maps_columns_by_name() -> None:
    text = (FIXTURES / "fsi.csv").read_text()
    out = ofr.parse_fsi_csv(text, ofr.FSI_URL)
    assert set(out) == set(ofr.FSI_SERIES)
    assert out["OFR_FSI"][day("2024-11-29")] == -1.845
    assert out["OFR_FSI_EMERGING"][day("2024-11-29")] == -0.26
    header, *rows = text.splitlines()
    cols = header.split(",")
    reordered = [",".join([c[0], *reversed(c[1:])]) for c in
                 [cols, *[r.split(",") for r in rows]]]
    again = ofr.parse_fsi_csv("\n".join(reordered), ofr.FSI_URL)
    assert again["OFR_FSI"].equals(out["OFR_FSI"])


def test_parse_fsi_refuses_a_file_without_its_columns() -> None:
    with pytest.raises(PayloadError, match="lacks"):
        ofr.parse_fsi_csv("Date,OFR FSI\n2024-11-29,-1.845\n", ofr.FSI_URL)
    with pytest.raises(PayloadError, match="format may have changed"):
        ofr.parse_fsi_csv("<html>maintenance</html>\n", ofr.FSI_URL)


# -- the sample files, through the importer --------------------------------------------------
def test_sample_dvp_file_keeps_blank_apart_from_null() -> None:
    parsed = parse_file(SAMPLE / "ofr_stfm_repo_dvp_daily_wide.csv")
    assert parsed.kind == "OFR repo series"
    p, f, tv = (parsed.series[s] for s in
                ("REPO-DVP_AR_OO-P", "REPO-DVP_AR_OO-F", "REPO-DVP_TV_OO-F"))
    assert (len(p), int(p.isna().sum())) == (1185, 53)
    assert (len(f), int(f.isna().sum())) == (576, 12)  # blank before 2024-03-08: no rows
    assert (len(tv), int(tv.isna().sum())) == (566, 12)
    assert f.index.min() == day("2024-03-08") and p.index.max() == day("2026-10-01")


def test_sample_fsi_file_imports_all_contributions() -> None:
    parsed = parse_file(SAMPLE / "ofr_fsi_daily_2024-01-26_to_2024-11-29.csv")
    assert set(parsed.series) == set(ofr.FSI_SERIES)
    total = parsed.series["OFR_FSI"]
    parts = sum(parsed.series[s] for s in ("OFR_FSI_CREDIT", "OFR_FSI_EQUITY",
                                           "OFR_FSI_SAFE_ASSETS", "OFR_FSI_FUNDING",
                                           "OFR_FSI_VOLATILITY"))
    assert len(total) == 220 and (total - parts).abs().max() <= 0.006


def test_store_round_trip_keeps_null_days(store: Store) -> None:
    import_files(store, [SAMPLE / "ofr_stfm_repo_dvp_daily_wide.csv"], NOW, origin="sample")
    back = store.read_series("REPO-DVP_AR_OO-P")
    assert len(back) == 1185 and int(back.isna().sum()) == 53
    assert store.last_date("REPO-DVP_AR_OO-F") == date(2026, 6, 30)


# -- fetching ----------------------------------------------------------------------------------
def test_plan_has_one_task_per_repo_mnemonic_and_one_for_the_fsi() -> None:
    tasks = fetching.plan(["ofr"])
    assert [t.item for t in tasks] == [*ofr.repo_mnemonics(), "OFR_FSI"]
    assert {w for t in tasks for _, w in t.writes} == {
        s.id for s in catalog.SERIES.values() if s.source == "ofr"}


def test_fetch_stores_every_ofr_series_and_asks_from_the_incremental_start(store: Store) -> None:
    seen: list[httpx.URL] = []
    tasks = fetching.plan(["ofr"])
    summary = fetching.fetch_all(store, Settings(), tasks, NOW,
                                 client=httpx.Client(transport=ofr_handler(seen)),
                                 retry=NO_WAIT)
    assert [r.status for r in summary.results] == ["ok"] * len(tasks), summary.failures
    assert store.read_series("REPO-DVP_AR_OO-P")[day("2026-10-01")] == 3.85
    assert store.read_series("OFR_FSI")[day("2024-11-29")] == -1.845
    assert {i.origin for i in store.summary()} == {"ofr"}
    first = [u for u in seen if u.params.get("mnemonic") == "REPO-DVP_AR_OO-P"]
    assert "start_date" not in first[0].params  # the whole history on a first fetch
    assert "remove_nulls" not in first[0].params
    seen.clear()
    fetching.fetch_all(store, Settings(), tasks[:1], NOW,
                       client=httpx.Client(transport=ofr_handler(seen)), retry=NO_WAIT)
    assert seen[0].params["start_date"] == "2026-09-17"  # last stored minus 14 days


def test_cli_fetch_source_ofr_runs_against_a_mock_transport(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetching, "new_client",
                        lambda timeout=30.0: httpx.Client(transport=ofr_handler()))
    db = str(tmp_path / "x.sqlite")
    result = CliRunner().invoke(cli, ["--db", db, "fetch", "--source", "ofr"])
    assert result.exit_code == 0, result.output
    assert f"Fetched {len(fetching.plan(['ofr']))} item(s)" in result.output
    with Store.open(db, readonly=True) as stored:
        assert stored.last_date("REPO-TRI_AR_OO-P") == date(2026, 9, 30)


def test_an_unknown_mnemonic_fails_its_task_only(store: Store) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("mnemonic") == "REPO-GCF_AR_OO-P":
            return httpx.Response(400, json={"error": "Invalid mnemonic"})
        return ofr_handler().handle_request(request)

    summary = fetching.fetch_all(store, Settings(), fetching.plan(["ofr"]), NOW,
                                 client=httpx.Client(transport=httpx.MockTransport(handler)),
                                 retry=NO_WAIT)
    failed = [r.task.item for r in summary.failures]
    assert failed == ["REPO-GCF_AR_OO-P"]
    assert "HTTP 400" in summary.failures[0].message
    assert store.read_series("REPO-GCF_AR_OO-P").empty


def test_http_client_passes_through_for_ofr() -> None:
    http = HttpClient("ofr", httpx.Client(transport=ofr_handler()), NO_WAIT)
    s = ofr.fetch_timeseries(http, "REPO-DVP_AR_OO-F", date(2026, 6, 1))
    assert s.index.max() == day("2026-06-30")
