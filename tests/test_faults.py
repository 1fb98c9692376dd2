"""Fault injection: every promise of the README under bad input, faults and secrets.

Each section drives one class of fault through the real code path (the CLI with ``CliRunner``
where a user would meet it, a subprocess where a process must die) and checks the three
promises: a clear error saying what failed and what to do (never a traceback), nothing stored
or published lost or changed wrongly, and the FRED key nowhere. The classes and their counts
are listed in docs/reliability.md; no test touches the network (HTTP goes to
``httpx.MockTransport``, fredapi's ``urlopen`` is patched, the black hole is a local socket).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import fredapi.fred
import httpx
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from reportgen import fetching, redaction
from reportgen.cli import cli
from reportgen.config import Settings
from reportgen.errors import PayloadError, ReportgenError, SourceError, UnitError
from reportgen.fetching import FetchTask
from reportgen.site import writer as site_writer
from reportgen.site.writer import Site, WeekFiles
from reportgen.sources import fred
from reportgen.sources.http import HttpClient, RetryPolicy
from reportgen.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2025, 11, 22, 9, 0)
NO_WAIT = RetryPolicy(attempts=2, backoff=0.0, sleep=lambda _: None)
FRED_HOST = "fred.stlouisfed.org"
NYFED = "https://markets.newyorkfed.org/api"
FISCAL = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
TRACEBACK = "Traceback (most recent call last)"


# -- helpers ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in an empty working folder: a default output/ or data/ never lands in
    the project."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.delenv("REPORTGEN_DB", raising=False)
    monkeypatch.delenv("REPORTGEN_OUTPUT", raising=False)


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the SQLite file at ``path`` (read-only), fetch log aside."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names if n != "fetch_log"}
    finally:
        conn.close()


def seeded_store(path: Path) -> Path:
    """A store holding a few real rows, so that "nothing was lost" means something."""
    store = Store.open(path)
    store.upsert_series("WALCL", pd.Series([6587034.0, 6572732.0], index=pd.to_datetime(
        ["2025-10-29", "2025-11-05"])), "fredgraph", NOW)
    store.upsert_series("SOFR", pd.Series([4.22], index=pd.to_datetime(["2025-10-31"])),
                        "nyfed", NOW)
    store.upsert_series("IORB", pd.Series([3.9], index=pd.to_datetime(["2025-11-03"])),
                        "fredgraph", NOW)
    store.upsert_table("pd_fails", pd.DataFrame(
        {"date": ["2025-10-29"], "keyid": ["PDFTD-USTET"], "value": [113493.0]}), "nyfed", NOW)
    store.close()
    return path


def run_cli(args: list[str], env: dict[str, str] | None = None,
            input: str | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, args, env={"REPORTGEN_CONFIG": "", **(env or {})},
                         catch_exceptions=True, input=input)


def assert_user_error(result: Result, *needles: str, code: int = 1) -> str:
    """The command failed with one ``Error:`` message holding ``needles`` and no traceback."""
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unexpected {type(result.exception).__name__}: {result.exception}\n{text}")
    assert result.exit_code == code, text
    assert TRACEBACK not in text, text
    assert "Error:" in text, text
    for needle in needles:
        assert needle.lower() in text.lower(), f"{needle!r} not in:\n{text}"
    return text


# ================================================================================================
# 1. API payloads: crafted responses for every parser, through the real fetch
# ================================================================================================
def _fred_xml(*observations: tuple[str, str]) -> bytes:
    rows = "".join(f'<observation realtime_start="2025-11-21" realtime_end="2025-11-21" '
                   f'date="{d}" value="{v}"/>' for d, v in observations)
    return (f'<?xml version="1.0" encoding="utf-8" ?><observations count="{len(observations)}">'
            f"{rows}</observations>").encode()


def _fredgraph(series: str, *lines: str) -> bytes:
    return ("\n".join([f"observation_date,{series}", *lines]) + "\n").encode()


def _rates(rate: str, *records: dict[str, Any]) -> bytes:
    return json.dumps({"refRates": [{"type": rate.upper(), **r} for r in records]}).encode()


def _repo(**fields: Any) -> bytes:
    op = {"operationId": "RP 103125 1", "operationDate": "2025-10-31", "operationType": "Repo",
          "note": "", "totalAmtSubmitted": 20350000000, "totalAmtAccepted": 20350000000,
          "details": [{"securityType": "Treasury", "amtAccepted": 4400000000,
                       "percentWeightedAverageRate": 4.0}], **fields}
    return json.dumps({"repo": {"operations": [op]}}).encode()


def _soma(**fields: Any) -> bytes:
    week = {"asOfDate": "2025-11-19", "bills": "195493000000", "notesbonds": "3900000000000",
            "mbs": "2100000000000", **fields}
    return json.dumps({"soma": {"summary": [week]}}).encode()


def _fails(*values: Any) -> bytes:
    rows = [{"asofdate": f"2025-10-{22 + 7 * i:02d}" if i < 2 else "2025-11-05",
             "keyid": "PDFTD-USTET", "value": v} for i, v in enumerate(values)]
    return json.dumps({"pd": {"timeseries": rows}}).encode()


def _fiscal(*records: dict[str, Any], meta: Any = None, links: Any = None) -> bytes:
    body: dict[str, Any] = {"data": list(records)}
    body["meta"] = meta if meta is not None else {"total-pages": 1}
    body["links"] = links if links is not None else {"next": None}
    return json.dumps(body).encode()


def _auction(**fields: Any) -> dict[str, Any]:
    return {"cusip": "912810UE6", "auction_date": "2025-01-08", "security_type": "Bond",
            "security_term": "29-Year 10-Month", "offering_amt": "22000000000",
            "high_yield": "4.913", "bid_to_cover_ratio": "2.48", **fields}


def _cash(**fields: Any) -> dict[str, Any]:
    return {"record_date": "2025-11-19", "account_type":
            "Treasury General Account (TGA) Closing Balance", "open_today_bal": "925000",
            "close_today_bal": "null", **fields}


def _debt(**fields: Any) -> dict[str, Any]:
    return {"record_date": "2025-11-19", "transaction_type": "Issues",
            "security_type": "Bills", "security_type_desc": "Regular Series",
            "transactions_today": "120000", **fields}


Body = bytes | Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class PayloadCase:
    item: str  # the fetch task
    body: Body  # what the server sends (200 unless a callable says otherwise)
    error: str  # the exception class recorded in the fetch result
    says: str  # a phrase the message must contain
    headers: tuple[tuple[str, str], ...] = ()


def _p(id_: str, item: str, body: Body, error: str, says: str,
       headers: tuple[tuple[str, str], ...] = ()) -> Any:
    return pytest.param(PayloadCase(item, body, error, says, headers), id=id_)


_BIG_INT = "9" * 5000  # past Python's int-string limit
_NESTED = b"[" * 200_000 + b"]" * 200_000  # deeper than any JSON parser recurses

PAYLOAD_CASES = [
    # fredgraph.csv (keyless FRED)
    _p("fredgraph-other-series", "WALCL", _fredgraph("WRESBAL", "2025-11-19,3000000"),
       "PayloadError", "sent series 'WRESBAL'"),
    _p("fredgraph-three-columns", "WALCL", b"observation_date,WALCL,X\n2025-11-19,1,2\n",
       "PayloadError", "unexpected fredgraph header"),
    _p("fredgraph-html", "WALCL", b"<!DOCTYPE html><html>maintenance</html>", "PayloadError",
       "HTML page"),
    _p("fredgraph-zip", "WALCL", b"PK\x03\x04rest", "PayloadError", "ZIP archive"),
    _p("fredgraph-inf", "WALCL", _fredgraph("WALCL", "2025-11-19,inf"), "PayloadError",
       "not a finite number"),
    _p("fredgraph-1e400", "WALCL", _fredgraph("WALCL", "2025-11-19,1e400"), "PayloadError",
       "not a finite number"),
    _p("fredgraph-nan-text", "WALCL", _fredgraph("WALCL", "2025-11-19,NaN"), "PayloadError",
       "not a finite number"),
    _p("fredgraph-decimal-comma", "WALCL", _fredgraph("WALCL", '2025-11-19,"6587034,5"'),
       "PayloadError", "decimal commas"),
    _p("fredgraph-ragged-line", "WALCL", _fredgraph("WALCL", "2025-11-19,6587034,5"),
       "PayloadError", "3 fields"),
    _p("fredgraph-date-1/2/3", "WALCL", _fredgraph("WALCL", "1/2/3,6587034"), "PayloadError",
       "expected a date"),
    _p("fredgraph-date-feb-30", "WALCL", _fredgraph("WALCL", "2025-02-30,6587034"),
       "PayloadError", "expected a date"),
    _p("fredgraph-billions", "WALCL", _fredgraph("WALCL", "2025-11-19,6587.034"), "UnitError",
       "plausible range"),
    _p("fredgraph-rate-in-bp", "IORB", _fredgraph("IORB", "2025-11-19,390"), "UnitError",
       "plausible range"),
    _p("fredgraph-reserves-in-billions", "WRESBAL", _fredgraph("WRESBAL", "2025-11-19,2900"),
       "UnitError", "plausible range"),
    _p("fredgraph-huge-number", "WALCL", _fredgraph("WALCL", f"2025-11-19,{_BIG_INT}"),
       "PayloadError", "line 2"),
    _p("fredgraph-conflicting-duplicate", "WALCL",
       _fredgraph("WALCL", "2025-11-19,6587034", "2025-11-19,6000000"), "PayloadError",
       "twice"),
    _p("fredgraph-nul-byte", "WALCL", b"observation_date,WALCL\n2025-11-19,65\x0087034\n",
       "PayloadError", "fredgraph"),
    _p("fredgraph-gzip-claimed", "WALCL", _fredgraph("WALCL", "2025-11-19,6587034"),
       "PayloadError", "gzip", (("Content-Encoding", "gzip"),)),
    _p("fredgraph-not-utf8", "WALCL", b"observation_date,WALCL\n2025-11-19,\xff\xfe\n",
       "PayloadError", "expected a number"),
    # NY Fed reference rates
    _p("nyfed-rates-not-json", "EFFR", b'{"refRates": [', "PayloadError", "not valid JSON"),
    _p("nyfed-rates-nan-literal", "EFFR", b'{"refRates": [{"effectiveDate": "2025-11-19", '
       b'"type": "EFFR", "percentRate": NaN}]}', "PayloadError", "NaN"),
    _p("nyfed-rates-infinity-literal", "EFFR", b'{"refRates": [{"effectiveDate": "2025-11-19",'
       b' "type": "EFFR", "percentRate": -Infinity}]}', "PayloadError", "Infinity"),
    _p("nyfed-rates-1e400-number", "EFFR", b'{"refRates": [{"effectiveDate": "2025-11-19", '
       b'"type": "EFFR", "percentRate": 1e400}]}', "PayloadError", "finite"),
    _p("nyfed-rates-huge-int", "EFFR", ('{"refRates": [{"effectiveDate": "2025-11-19", '
       f'"type": "EFFR", "percentRate": {_BIG_INT}}}]}}').encode(), "PayloadError", "JSON"),
    _p("nyfed-rates-deep-nesting", "EFFR", _NESTED, "PayloadError", "JSON"),
    _p("nyfed-rates-wrong-shape", "EFFR", b'{"refRates": {"effectiveDate": "2025-11-19"}}',
       "PayloadError", "not a list of records"),
    _p("nyfed-rates-list-of-numbers", "EFFR", b'{"refRates": [1, 2]}', "PayloadError",
       "not a list of records"),
    _p("nyfed-rates-top-level-string", "EFFR", b'"refRates"', "PayloadError", "refRates"),
    _p("nyfed-rates-no-key", "EFFR", b'{"rates": []}', "PayloadError", "refRates"),
    _p("nyfed-rates-inf-string", "EFFR", _rates("effr", {"effectiveDate": "2025-11-19",
       "percentRate": "inf"}), "PayloadError", "not a finite number"),
    _p("nyfed-rates-bool", "EFFR", _rates("effr", {"effectiveDate": "2025-11-19",
       "percentRate": True}), "PayloadError", "expected a number"),
    _p("nyfed-rates-in-bp", "EFFR", _rates("effr", {"effectiveDate": "2025-11-19",
       "percentRate": 387}), "UnitError", "plausible range"),
    _p("nyfed-rates-bad-date", "EFFR", _rates("effr", {"effectiveDate": "11/19/25",
       "percentRate": 3.87}), "PayloadError", "expected a date"),
    _p("nyfed-rates-null-date", "EFFR", _rates("effr", {"effectiveDate": None,
       "percentRate": 3.87}), "PayloadError", "effectiveDate"),
    _p("nyfed-rates-empty-body", "EFFR", b"  ", "PayloadError", "empty response"),
    _p("nyfed-rates-gzip-claimed", "EFFR", _rates("effr", {"effectiveDate": "2025-11-19",
       "percentRate": 3.87}), "PayloadError", "gzip", (("Content-Encoding", "gzip"),)),
    _p("nyfed-rates-not-utf8", "EFFR", b'{"refRates": [{"type": "\xff"}]}', "PayloadError",
       "not valid JSON"),
    # NY Fed repo operations, SOMA, fails
    _p("nyfed-repo-in-billions", "repo_operations", _repo(totalAmtAccepted=50.35),
       "UnitError", "plausible range"),
    _p("nyfed-repo-1e400", "repo_operations", _repo(totalAmtAccepted="1e400"), "PayloadError",
       "not a finite number"),
    _p("nyfed-repo-details-not-list", "repo_operations", _repo(details="x"), "PayloadError",
       "'details' is not a list"),
    _p("nyfed-repo-no-id", "repo_operations", _repo(operationId="null"), "PayloadError",
       "required field"),
    _p("nyfed-repo-wrong-shape", "repo_operations", b'{"repo": []}', "PayloadError",
       "repo.operations"),
    _p("nyfed-repo-rate-in-bp", "repo_operations", _repo(details=[{"securityType": "Treasury",
       "amtAccepted": 4400000000, "percentWeightedAverageRate": 400}]), "UnitError",
       "plausible range"),
    _p("nyfed-soma-in-billions", "SOMA_BILLS", _soma(bills="195.493"), "UnitError",
       "plausible range"),
    _p("nyfed-soma-missing-column", "SOMA_BILLS", json.dumps({"soma": {"summary": [
       {"asOfDate": "2025-11-19", "bills": "1"}]}}).encode(), "PayloadError", "format"),
    _p("nyfed-soma-inf", "SOMA_BILLS", _soma(mbs="Infinity"), "PayloadError",
       "not a finite number"),
    _p("nyfed-fails-negative", "pd_fails", _fails("113493", "-5"), "PayloadError",
       "cannot be negative"),
    _p("nyfed-fails-1e400", "pd_fails", _fails("1e400"), "PayloadError",
       "not a finite number"),
    _p("nyfed-fails-in-dollars", "pd_fails", _fails("113493000000"), "UnitError",
       "plausible range"),
    # Fiscal Data
    _p("fiscal-data-not-list", "auctions", b'{"data": {"cusip": "x"}}', "PayloadError",
       "not a list of records"),
    _p("fiscal-no-data", "auctions", b'{"meta": {}}', "PayloadError", "'data'"),
    _p("fiscal-auction-inf", "auctions", _fiscal(_auction(offering_amt="inf")), "PayloadError",
       "not a finite number"),
    _p("fiscal-auction-in-billions", "auctions", _fiscal(_auction(offering_amt="22")),
       "UnitError", "plausible range"),
    _p("fiscal-auction-yield-in-bp", "auctions", _fiscal(_auction(high_yield="491.3")),
       "UnitError", "plausible range"),
    _p("fiscal-auction-conflicting-duplicate", "auctions",
       _fiscal(_auction(), _auction(high_yield="4.95")), "PayloadError", "twice"),
    _p("fiscal-auction-bad-date", "auctions", _fiscal(_auction(auction_date="2025-13-08")),
       "PayloadError", "expected a date"),
    _p("fiscal-auction-no-cusip", "auctions", _fiscal(_auction(cusip="null")), "PayloadError",
       "required field"),
    # "4,913" is a well-formed thousands figure: the yield range is what refuses it.
    _p("fiscal-auction-decimal-comma", "auctions", _fiscal(_auction(high_yield="4,913")),
       "UnitError", "plausible range"),
    _p("fiscal-auction-decimal-comma-amount", "auctions", _fiscal(_auction(
       offering_amt="22000000000,5")), "PayloadError", "decimal commas"),
    _p("fiscal-cash-in-dollars", "dts_cash_balance", _fiscal(_cash(open_today_bal=
       "925000000000")), "UnitError", "plausible range"),
    _p("fiscal-cash-in-billions", "dts_cash_balance", _fiscal(_cash(open_today_bal="925")),
       "UnitError", "plausible range"),
    _p("fiscal-cash-1e400", "dts_cash_balance", _fiscal(_cash(open_today_bal="1e400")),
       "PayloadError", "not a finite number"),
    _p("fiscal-debt-huge", "dts_debt_transactions", _fiscal(_debt(transactions_today="1e300")),
       "UnitError", "plausible range"),
    _p("fiscal-debt-wrong-type", "dts_debt_transactions", _fiscal(_debt(
       transactions_today={"x": 1})), "PayloadError", "expected a number"),
    _p("fiscal-pages-forever", "dts_debt_transactions",
       _fiscal(_debt(), meta={"total-pages": None}, links={"next": "&page[number]=2"}),
       "PayloadError", "same page"),
    _p("fiscal-http-500-html", "auctions", lambda r: httpx.Response(
       500, html="<html><body>Internal error</body></html>"), "HTTPStatusError", "HTTP 500"),
    _p("fiscal-redirect-loop", "auctions", lambda r: httpx.Response(
       302, headers={"Location": str(r.url)}), "NetworkError", "redirect"),
]


def _server(case: PayloadCase, hits: list[int] | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if hits is not None:
            hits.append(1)
        if callable(case.body):
            return case.body(request)
        return httpx.Response(200, content=case.body, headers=list(case.headers))

    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)


def _task(item: str) -> FetchTask:
    return next(t for t in fetching.plan() if t.item == item)


@pytest.mark.parametrize("case", PAYLOAD_CASES)
def test_bad_payload_fails_its_item_with_a_clear_reason_and_changes_nothing(
        case: PayloadCase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = seeded_store(tmp_path / "s.sqlite")
    before = dump(path)
    store = Store.open(path)
    with caplog.at_level(logging.DEBUG):
        summary = fetching.fetch_all(store, Settings(db_path=path), [_task(case.item)], NOW,
                                     client=_server(case), retry=NO_WAIT)
    store.close()
    (result,) = summary.results
    assert result.status == "failed", result
    assert result.error == case.error, result.message
    assert case.says.lower() in result.message.lower(), result.message
    assert "internal error" not in result.message  # a known fault is never "a bug"
    assert len(result.message) < 700 and "\n" not in result.message  # one readable line
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], "a traceback was logged"
    assert dump(path) == before
    log = Store.open(path, readonly=True).fetch_log(1)[0]
    assert (log.status, log.item) == ("failed", case.item)


# Missing-value spellings are data, not faults: each is stored as NULL, never as 0 or an error.
@pytest.mark.parametrize("raw", [".", "null", "", "*", None, "NA", "nd"])
def test_every_missing_spelling_is_stored_as_null(raw: Any, tmp_path: Path) -> None:
    body = _rates("effr", {"effectiveDate": "2025-11-19", "percentRate": 3.87},
                  {"effectiveDate": "2025-11-20", "percentRate": raw})
    case = PayloadCase("EFFR", body, "", "")
    store = Store.open(tmp_path / "s.sqlite")
    summary = fetching.fetch_all(store, Settings(), [_task("EFFR")], NOW,
                                 client=_server(case), retry=NO_WAIT)
    assert summary.results[0].status == "ok", summary.results[0].message
    values = store.read_series("EFFR")
    assert values.iloc[0] == 3.87 and pd.isna(values.iloc[1])


# -- the FRED API through fredapi (patched urlopen) and the JSON API -----------------------------
FRED_KEY = "abcdef0123456789abcdef0123456789"


def _ok(body: bytes) -> mock.Mock:
    response = mock.Mock()
    response.read.return_value = body
    return response


FREDAPI_CASES = [
    pytest.param(_fred_xml(("2025-11-19", "inf")), "PayloadError", "not a finite number",
                 id="xml-inf"),
    pytest.param(_fred_xml(("2025-11-19", "1e400")), "PayloadError", "not a finite number",
                 id="xml-1e400"),
    pytest.param(_fred_xml(("2025-11-19", "9" * 400)), "PayloadError", "not a finite number",
                 id="xml-huge"),
    pytest.param(_fred_xml(("2025-11-19", "null")), "PayloadError", "not a number",
                 id="xml-null-string"),
    pytest.param(_fred_xml(("1/2/3", "6587034")), "PayloadError", "date", id="xml-date-1/2/3"),
    pytest.param(_fred_xml(("2025-02-30", "6587034")), "PayloadError", "date",
                 id="xml-date-feb-30"),
    pytest.param(_fred_xml(("2025-11-19", "6587.034")), "UnitError", "plausible range",
                 id="xml-billions"),
    pytest.param(b"<observations><observation date='2025-11-19'/></observations>",
                 "PayloadError", "no observations", id="xml-no-value"),
    pytest.param(b"<observations><observation", "PayloadError", "not XML", id="xml-truncated"),
    pytest.param(gzip.compress(_fred_xml(("2025-11-19", "6587034"))), "PayloadError", "not XML",
                 id="xml-gzip-body"),
    pytest.param(b"", "PayloadError", "XML", id="xml-empty"),
]


@pytest.mark.parametrize(("body", "error", "says"), FREDAPI_CASES)
def test_bad_fred_xml_fails_the_series_with_a_clear_reason(
        body: bytes, error: str, says: str, tmp_path: Path) -> None:
    path = seeded_store(tmp_path / "s.sqlite")
    before = dump(path)
    store = Store.open(path)
    with mock.patch("fredapi.fred.urlopen", return_value=_ok(body)):
        summary = fetching.fetch_all(store, Settings(fred_api_key=FRED_KEY), [_task("WALCL")],
                                     NOW, client=_server(PayloadCase("", b"", "", "")),
                                     retry=NO_WAIT)
    store.close()
    (result,) = summary.results
    assert (result.status, result.error) == ("failed", error), result.message
    assert says.lower() in result.message.lower(), result.message
    assert dump(path) == before


FRED_JSON_CASES = [
    pytest.param([], PayloadError, "no 'observations' list", id="json-list"),
    pytest.param({"observations": {}}, PayloadError, "no 'observations' list", id="json-dict"),
    pytest.param({"observations": [1]}, PayloadError, "observation 1", id="json-number"),
    pytest.param({"observations": [{"date": "2025-11-19"}]}, PayloadError, "'value'",
                 id="json-no-value"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": "inf"}]}, PayloadError,
                 "finite", id="json-inf"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": float("inf")}]},
                 PayloadError, "finite", id="json-inf-number"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": 10 ** 400}]}, PayloadError,
                 "finite", id="json-huge-int"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": True}]}, PayloadError,
                 "expected a number", id="json-bool"),
    pytest.param({"observations": [{"date": "1/2/3", "value": "6587034"}]}, PayloadError,
                 "expected a date", id="json-date"),
    pytest.param({"observations": [{"date": None, "value": "6587034"}]}, PayloadError,
                 "expected a date", id="json-null-date"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": "6587.034"}]}, UnitError,
                 "plausible range", id="json-billions"),
    pytest.param({"observations": [{"date": "2025-11-19", "value": "6587034"},
                                   {"date": "2025-11-19", "value": "6000000"}]}, PayloadError,
                 "twice", id="json-conflicting-duplicate"),
    pytest.param({"error_code": 400, "error_message": "Bad Request.  The series does not "
                  "exist."}, SourceError, "FRED has no series", id="json-error-payload"),
]


@pytest.mark.parametrize(("payload", "error", "says"), FRED_JSON_CASES)
def test_bad_fred_json_is_a_reportgen_error(payload: Any, error: type[Exception],
                                             says: str) -> None:
    with pytest.raises(error) as info:
        fred.parse_observations_json(payload, "WALCL", fred.OBSERVATIONS_URL)
    assert says.lower() in str(info.value).lower()


def test_fred_json_missing_tokens_are_nan() -> None:
    payload = {"observations": [{"date": "2025-11-19", "value": "."},
                                {"date": "2025-11-26", "value": "null"},
                                {"date": "2025-12-03", "value": None}]}
    assert fred.parse_observations_json(payload, "WALCL").isna().all()


# ================================================================================================
# 2. CSV imports: all or nothing, the file and line named
# ================================================================================================
_AUCTION_HEADER = ("Cusip,SecurityType,SecurityTerm,AuctionDate,OfferingAmount,BidToCoverRatio,"
                   "HighYield")
_AUCTION_ROW = "912810UE6,Bond,29-Year 10-Month,2025-01-08,22000000000,2.52,4.913"

IMPORT_CASES = [
    # (files, the file named, line, a phrase of the reason)
    pytest.param({"WALCL.csv": "date,value\n1/2/3,6587034\n"}, "WALCL.csv", 2,
                 "expected a date", id="date-1/2/3"),
    pytest.param({"WALCL.csv": "date,value\n2025-02-30,6587034\n"}, "WALCL.csv", 2,
                 "expected a date", id="date-feb-30"),
    pytest.param({"WALCL.csv": "date,value\n25-01-08,6587034\n"}, "WALCL.csv", 2,
                 "expected a date", id="date-two-digit-year"),
    pytest.param({"WALCL.csv": "date,value\n08.01.2025,6587034\n"}, "WALCL.csv", 2,
                 "expected a date", id="date-dotted"),
    pytest.param({"WALCL.csv": 'date,value\n2025-01-08,"6587034,5"\n'}, "WALCL.csv", 2,
                 "decimal commas", id="decimal-comma"),
    pytest.param({"WALCL.csv": "date;value\n2025-01-08;6587034,5\n"}, "WALCL.csv", 2,
                 "decimal commas", id="decimal-comma-semicolons"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6.587.034\n"}, "WALCL.csv", 2,
                 "expected a number", id="dotted-thousands"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6587034\n2025-01-08,6000000\n"},
                 "WALCL.csv", 3, "appears twice", id="duplicate-date"),
    pytest.param({"auctions.csv": f"{_AUCTION_HEADER}\n{_AUCTION_ROW}\n"
                  f"{_AUCTION_ROW.replace('4.913', '4.95')}\n"}, "auctions.csv", 3,
                 "appears twice with different", id="conflicting-duplicate-record"),
    pytest.param({"EFFR.csv": "date,rate\n2025-01-08,4.33\n"}, "EFFR.csv", 1,
                 "named for EFFR", id="effr-file-with-sofr-header"),
    pytest.param({"SOFR.csv": "date,value_billions\n2025-01-08,4.3\n"}, "SOFR.csv", 1,
                 "not a dollar amount", id="rate-file-in-billions"),
    pytest.param({"WRESBAL.csv": "date,value\n2025-01-08,2900\n"}, "WRESBAL.csv", 2,
                 "plausible range", id="reserves-in-billions"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6587.034\n"}, "WALCL.csv", 2,
                 "plausible range", id="walcl-in-billions"),
    pytest.param({"IORB.csv": "date,value\n2025-01-08,440\n"}, "IORB.csv", 2,
                 "plausible range", id="rate-in-basis-points"),
    pytest.param({"RRPONTSYD.csv": "date,value\n2025-01-08,125000\n"}, "RRPONTSYD.csv", 2,
                 "plausible range", id="on-rrp-in-millions"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,inf\n"}, "WALCL.csv", 2,
                 "not a finite number", id="inf"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,1e400\n"}, "WALCL.csv", 2,
                 "not a finite number", id="1e400"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,-Infinity\n"}, "WALCL.csv", 2,
                 "not a finite number", id="minus-infinity"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,NaN\n"}, "WALCL.csv", 2,
                 "not a finite number", id="nan-text"),
    pytest.param({"WALCL.csv": f"date,value\n2025-01-08,{_BIG_INT}\n"}, "WALCL.csv", 2,
                 "not a finite number", id="huge-number"),
    pytest.param({"WALCL.csv": "date,value\n2099-01-07,6587034\n"}, "WALCL.csv", 2,
                 "in the future", id="row-dated-2099"),
    pytest.param({"WALCL.csv": b"date,value\n2025-01-08,6587034\xe9\n"}, "WALCL.csv", None,
                 "not a UTF-8", id="not-utf8"),
    pytest.param({"WALCL.csv": ""}, "WALCL.csv", None, "empty", id="empty-file"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6587034,1\n"}, "WALCL.csv", 2,
                 "3 fields", id="ragged-row"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,65\x0087034\n"}, "WALCL.csv", 2,
                 "", id="nul-byte"),
    pytest.param({"FOO.csv": "date,value\n2025-01-08,1\n"}, "FOO.csv", 1,
                 "not one reportgen uses", id="unknown-series"),
    pytest.param({"NYFED_PD_FAILS_UST.csv": "date,PDSI2F-TD\n2025-01-08,-31\n"},
                 "NYFED_PD_FAILS_UST.csv", 2, "negative", id="negative-fails"),
    pytest.param({"repo.csv": "operation_date,operation_id,total_amt_accepted_usd\n"
                  "2025-10-31,RP 103125 1,50.35\n"}, "repo.csv", 2, "plausible range",
                 id="repo-in-billions"),
    pytest.param({"auctions.csv": f"{_AUCTION_HEADER}\n"
                  f"{_AUCTION_ROW.replace('22000000000', '22')}\n"}, "auctions.csv", 2,
                 "plausible range", id="auction-in-billions"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6587034\n",
                  "WRESBAL.csv": "date,value\n2025-01-08,2900\n"}, "WRESBAL.csv", 2,
                 "plausible range", id="one-bad-file-of-two"),
    pytest.param({"WALCL.csv": "date,value\n2025-01-08,6587034\n",
                  "fred.csv": "observation_date,WALCL\n2025-01-08,6500000\n"}, "fred.csv", 2,
                 "6500000 here but 6587034 in WALCL.csv", id="two-files-disagree"),
]


@pytest.mark.parametrize(("files", "named", "line", "says"), IMPORT_CASES)
def test_bad_import_names_file_and_line_and_imports_nothing(
        files: dict[str, str | bytes], named: str, line: int | None, says: str,
        tmp_path: Path) -> None:
    db = seeded_store(tmp_path / "s.sqlite")
    before = dump(db)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content in files.items():
        target = folder / name
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_cli(["--db", str(db), "data", "import", str(folder)])
    text = assert_user_error(result, named, says)
    if line is not None:
        assert f"line {line}" in text, text
    assert dump(db) == before


def test_import_refuses_infinity_over_a_stored_value(tmp_path: Path) -> None:
    # The fault behind "1 row revised" that erased a stored value.
    db = seeded_store(tmp_path / "s.sqlite")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "WALCL.csv").write_text("date,value\n2025-10-29,1e400\n")
    assert_user_error(run_cli(["--db", str(db), "data", "import", str(folder)]), "line 2")
    assert Store.open(db, readonly=True).read_series("WALCL").iloc[0] == 6587034.0


def test_import_of_missing_tokens_and_thousands_separators_is_data(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "WALCL.csv").write_text(
        'date,value\n2025-01-08,"6,853,165"\n2025-01-15,.\n2025-01-22,\n1/29/2025,6818000\n')
    result = run_cli(["--db", str(tmp_path / "s.sqlite"), "data", "import", str(folder)])
    assert result.exit_code == 0, result.output
    values = Store.open(tmp_path / "s.sqlite", readonly=True).read_series("WALCL")
    assert values.iloc[0] == 6853165.0 and values.iloc[1:3].isna().all()
    assert values.index[-1] == pd.Timestamp("2025-01-29")


# ================================================================================================
# 3. Stores: damaged, locked, read-only, old, newer, foreign; each its own message and advice
# ================================================================================================
@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled sample, in WAL mode with no -wal file left (closed)."""
    from reportgen.sample import SAMPLE_ASSEMBLED, sample_files
    from reportgen.sources.csvfiles import import_files

    path = tmp_path_factory.mktemp("populated") / "store.sqlite"
    store = Store.open(path)
    import_files(store, sample_files(), SAMPLE_ASSEMBLED, origin="sample")
    store.close()
    return path


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _damage(path: Path, start: float = 0.3, end: float = 0.7) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    lo, hi = int(len(data) * start) // page * page, int(len(data) * end) // page * page
    data[lo:hi] = b"\xff" * (hi - lo)
    path.write_bytes(bytes(data))


def _drop_file_permission_override() -> None:
    """In a child process of root: give up the capabilities that ignore file modes, so that a
    read-only file is read-only for it too (no effect for other users, who need none)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP


def run_reportgen(args: list[str], cwd: Path, env: dict[str, str] | None = None,
                  unprivileged: bool = False,
                  timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``reportgen ARGS`` in a new process (for what must happen to a whole process: file
    modes, signals); ``unprivileged``: even when run by root."""
    full = {**os.environ, "REPORTGEN_CONFIG": "", "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", "from reportgen.cli import cli; cli()", *args], cwd=cwd,
        env=full, capture_output=True, text=True, timeout=timeout,
        preexec_fn=_drop_file_permission_override if unprivileged and os.geteuid() == 0
        else None)


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


READERS = [["data", "status"], ["data", "export", "{tmp}/export"]]
WRITERS = [["data", "import", "{tmp}/in"], ["fetch", "--source", "nyfed"]]


def _args(command: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in command]


def _import_folder(tmp: Path) -> None:
    (tmp / "in").mkdir(exist_ok=True)
    (tmp / "in" / "WALCL.csv").write_text("date,value\n2025-01-08,6853165\n")


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every request a fetch makes goes to a transport that refuses it (and is recorded)."""
    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("refused by the test", request=request)

    monkeypatch.setattr("reportgen.fetching.new_client", lambda *a, **k: httpx.Client(
        transport=httpx.MockTransport(refuse)))
    monkeypatch.setattr("reportgen.fetching.DEFAULT_POLICY", NO_WAIT)
    return seen


@pytest.mark.parametrize("command", READERS + WRITERS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(("fault", "says"), [
    ("garbage", "is damaged"), ("damaged-pages", "is damaged"), ("truncated", "is damaged"),
    ("newer-schema", "newer reportgen"), ("foreign-database", "not a reportgen store"),
])
def test_an_unusable_store_is_named_with_advice_and_left_as_it_was(
        fault: str, says: str, command: list[str], populated: Path, tmp_path: Path,
        no_network: list[httpx.Request]) -> None:
    db = tmp_path / "store.sqlite"
    if fault == "garbage":
        db.write_bytes(b"this is not a database\n" * 400)
    elif fault in ("damaged-pages", "truncated"):
        _copy(populated, db)
        if fault == "truncated":
            db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
        else:
            _damage(db)
    elif fault == "newer-schema":
        _copy(populated, db)
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
        conn.close()
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
            conn.execute("INSERT INTO moz_places VALUES (1, 'https://example.org')")
        conn.close()
    _import_folder(tmp_path)
    before = _bytes(db)
    result = run_cli(["--db", str(db), *_args(command, tmp_path)])
    text = assert_user_error(result, says)
    if fault in ("garbage", "damaged-pages", "truncated"):
        assert "Move it aside" in text and "reportgen fetch" in text
    assert _bytes(db) == before  # not a byte written
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert not no_network  # a writer checks the store before it fetches anything
    assert not (tmp_path / "export").exists() or not any((tmp_path / "export").iterdir())


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    """Another process in the middle of a fetch: a write transaction with uncommitted rows."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO observations VALUES ('WALCL', '2030-01-01', 1, 'other', 'x')")
    return other


@pytest.mark.parametrize("command", [
    ["data", "status"], ["data", "export", "{tmp}/export"], ["assess", "--format", "json"],
    ["build", "--offline", "--format", "json", "--out", "{tmp}/site"],
], ids=lambda c: " ".join(c[:2]))
def test_readers_never_wait_for_a_writer(command: list[str], populated: Path,
                                         tmp_path: Path) -> None:
    db = _copy(populated, tmp_path / "store.sqlite")
    other = _hold_write_lock(db)
    try:
        began = time.monotonic()
        result = run_cli(["--db", str(db), *_args(command, tmp_path)])
        took = time.monotonic() - began
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 0, result.output
    assert took < 15, f"{took:.1f} s: a reader waited for the writer"
    assert "2030-01-01" not in result.output  # uncommitted rows are not read


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: c[0])
def test_a_writer_meets_a_locked_store_with_advice(
        command: list[str], populated: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, no_network: list[httpx.Request]) -> None:
    monkeypatch.setattr("reportgen.store.BUSY_TIMEOUT", 0.2)
    db = _copy(populated, tmp_path / "store.sqlite")
    _import_folder(tmp_path)
    before = dump(db)
    other = _hold_write_lock(db)
    try:
        result = run_cli(["--db", str(db), *_args(command, tmp_path)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_user_error(result, "is locked by another process", "Wait for it to finish")
    assert "damaged" not in result.output
    assert not no_network
    assert dump(db) == before


def _old_store(path: Path) -> None:
    """A store as an early reportgen wrote it: no auctions or repo tables, no schema version."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE observations (series_id TEXT NOT NULL, date TEXT NOT NULL, value REAL,
            origin TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (series_id, date));
        INSERT INTO observations VALUES ('WALCL', '2025-01-08', 6853165, 'fredgraph', 'x');
        CREATE TABLE pd_fails (date TEXT NOT NULL, keyid TEXT NOT NULL, value REAL,
            origin TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (keyid, date));
        INSERT INTO pd_fails VALUES ('2025-01-08', 'PDFTD-USTET', 113493, 'nyfed', 'x');
    """)
    conn.commit()
    conn.close()


def test_an_old_store_is_read_without_being_changed_and_upgraded_by_a_write(
        tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    _old_store(db)
    before = _bytes(db)
    status = run_cli(["--db", str(db), "data", "status", "--format", "json"])
    assert status.exit_code == 0, status.output
    rows = {i["name"]: i["rows"] for i in json.loads(status.output)["items"]}
    assert rows["WALCL"] == 1 and rows["pd_fails"] == 1
    assert _bytes(db) == before  # a reader does not upgrade
    _import_folder(tmp_path)
    (tmp_path / "in" / "WALCL.csv").write_text("date,value\n2025-01-15,6840000\n")
    assert run_cli(["--db", str(db), "data", "import", str(tmp_path / "in")]).exit_code == 0
    store = Store.open(db, readonly=True)
    assert store.read_series("WALCL").tolist() == [6853165.0, 6840000.0]
    assert len(store.read_table("pd_fails")) == 1 and store.read_table("auctions").empty


@pytest.mark.parametrize("old", [False, True], ids=["current", "old-schema"])
def test_a_read_only_store_is_read_and_a_write_says_read_only(
        old: bool, populated: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.sqlite"
    if old:
        _old_store(db)
    else:
        _copy(populated, db)
    _import_folder(tmp_path)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        before = _bytes(db)
        status = run_reportgen(["--db", str(db), "data", "status"], tmp_path, unprivileged=True)
        assert status.returncode == 0, status.stderr
        assert "WALCL" in status.stdout
        write = run_reportgen(["--db", str(db), "data", "import", str(tmp_path / "in")],
                              tmp_path, unprivileged=True)
        assert write.returncode == 1, write.stderr
        assert TRACEBACK not in write.stderr
        assert "read-only" in write.stderr and "writable" in write.stderr, write.stderr
        assert "damaged" not in write.stderr
        if old:
            assert "older reportgen" in write.stderr
        assert _bytes(db) == before
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_a_store_path_that_is_a_folder_is_refused_by_every_command(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    for command in (["data", "status"], ["data", "import", str(tmp_path)]):
        result = run_cli(["--db", str(tmp_path / "db"), *command])
        assert_user_error(result, "is a directory", code=2)  # Click's check of --db
    from reportgen.errors import StoreError

    with pytest.raises(StoreError, match="is a folder"):  # and so does the store itself
        Store.open(tmp_path / "db")


def test_a_store_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    _import_folder(tmp_path)
    result = run_cli(["--db", str(tmp_path / "file" / "s.sqlite"), "data", "import",
                      str(tmp_path / "in")])
    assert_user_error(result, "cannot create the folder for the store")


def test_a_missing_store_is_not_created_by_a_reader(tmp_path: Path) -> None:
    db = tmp_path / "data" / "none.sqlite"
    result = run_cli(["--db", str(db), "data", "status"])
    assert result.exit_code == 0 and "is empty" in result.output
    assert not db.exists() and not db.parent.exists()


# ================================================================================================
# 4. The site: kill -9 at every publish step, then the next build
# ================================================================================================
W1, W2, W3 = date(2025, 12, 11), date(2025, 12, 18), date(2025, 12, 25)
PUBLISH_STEPS = ["staged", "assets", "old-moved-aside", "new-in-place", "old-removed", "index",
                 "archive", "feed"]
# A rebuild writes 9 files: 4 of the week and its completion mark while staging, one changed
# asset, then index, archive and feed. "write-N" dies inside the N-th, its temporary file
# written but not yet renamed.
WRITE_STEPS = [f"write-{n}" for n in range(1, 10)]


def _week(as_of: date, version: str) -> WeekFiles:
    page = (f'<!DOCTYPE html><html><head></head><body><p id="v">{as_of} {version}</p>'
            '<a href="data/a.csv">csv</a></body></html>')
    brief = {"schema_version": "2.0", "as_of": as_of.isoformat(), "version": version,
             "generated_at": f"{as_of}T06:00:00Z",
             "phase": {"phase": 2, "label": "active bill purchases", "confidence": "high"}}
    return WeekFiles(as_of, brief, html=page, index_html=page, pdf=f"%PDF {version}".encode(),
                     csvs={"a": f"date,value\n{as_of},{version}\n"})


def _asset(version: str) -> site_writer.Asset:
    return site_writer.Asset("screen.css", lambda: f"body {{}} /* {version} */".encode())


def _killed_publish(root: Path, week: WeekFiles, step: str, version: str) -> int:
    """Publish ``week`` in a forked child that SIGKILLs itself at ``step``; returns the signal
    that ended it (0 when the step never came)."""
    pid = os.fork()
    if pid == 0:  # the child: no pytest teardown, no atexit, like a process killed by the OS
        try:
            def die() -> None:
                os.kill(os.getpid(), signal.SIGKILL)

            if step.startswith("write-"):
                target, calls = int(step.split("-")[1]), [0]
                real = site_writer._atomic_write

                def dying_write(path: Path, data: bytes) -> None:
                    calls[0] += 1
                    if calls[0] == target:  # the temporary file is written, never renamed
                        import tempfile
                        fd, _ = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=path.parent)
                        os.write(fd, data[: len(data) // 2])
                        die()
                    real(path, data)

                site_writer._atomic_write = dying_write  # type: ignore[assignment]
            else:
                site_writer.step_hook = lambda name: die() if name == step else None
            Site(root, title="t").publish(week, (_asset(version),))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0


def _site_state(root: Path) -> dict[str, Any]:
    weeks = {}
    for folder in sorted((root / "briefings").iterdir()):
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                 if p.is_file()}
        weeks[folder.name] = files
    return weeks


def _version_of(files: dict[str, bytes]) -> str:
    """The one version every file of a week carries (fails on a mix of two builds)."""
    versions = {json.loads(files["brief.json"])["version"],
                files["briefing.pdf"].decode().split()[-1],
                files["data/a.csv"].decode().split(",")[-1].strip()}
    html = files["briefing.html"].decode()
    versions.add(html.split('id="v">')[1].split("<")[0].split()[-1])
    assert len(versions) == 1, f"a week mixes two builds: {versions}"
    assert set(files) == {"brief.json", "briefing.html", "briefing.pdf", "data/a.csv"}
    return versions.pop()


def _leftovers(root: Path) -> list[str]:
    beside = [p.name for p in root.parent.iterdir() if p.name.startswith(f".{root.name}.")]
    inside = [str(p.relative_to(root)) for p in root.rglob(".*")
              if p.name != site_writer.SITE_MARKER]
    return beside + inside


@pytest.mark.parametrize("next_build", ["another-week", "same-week"])
@pytest.mark.parametrize("step", PUBLISH_STEPS + WRITE_STEPS)
def test_a_build_killed_at_any_publish_step_loses_nothing_and_the_next_build_recovers(
        step: str, next_build: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    for week in (W1, W2):
        Site(root, title="t").publish(_week(week, "v1"), (_asset("v1"),))
    assert _killed_publish(root, _week(W2, "v2"), step, "v2") == signal.SIGKILL
    assert _version_of(_site_state(root)[W1.isoformat()]) == "v1"  # killed: W1 untouched
    if next_build == "another-week":
        result = Site(root, title="t").publish(_week(W3, "v1"), (_asset("v3"),))
        expected_w2 = {"v1", "v2"}
    else:
        result = Site(root, title="t").publish(_week(W2, "v3"), (_asset("v3"),))
        expected_w2 = {"v3"}
    state = _site_state(root)
    assert sorted(state) == sorted({W1.isoformat(), W2.isoformat(),
                                    *([W3.isoformat()] if next_build == "another-week" else [])})
    assert _version_of(state[W1.isoformat()]) == "v1"
    assert _version_of(state[W2.isoformat()]) in expected_w2
    assert _leftovers(root) == [], "a killed build left files behind"
    archive = (root / "archive.html").read_text()
    feed = (root / "feed.xml").read_text()
    for week in result.weeks:
        assert week.isoformat() in archive and week.isoformat() in feed
    assert (root / "assets" / "screen.css").read_text().endswith("/* v3 */")
    assert site_writer.index_week((root / "index.html").read_text()) == max(result.weeks)


# ================================================================================================
# 5. Folders that are not the site's to write: a user's folder, links, the export folder
# ================================================================================================
def _user_folder(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<html>my own homepage</html>")
    (folder / "feed.xml").write_text("<feed>mine</feed>")
    (folder / "assets").mkdir()
    (folder / "assets" / "screen.css").write_text("body { color: red }")
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_build_into_a_users_folder_is_refused_and_touches_nothing(tmp_path: Path) -> None:
    before = _user_folder(tmp_path / "mysite")
    result = run_cli(["build", "--sample", "--format", "json", "--out", str(tmp_path / "mysite")])
    assert_user_error(result, "refusing to publish into", "not a reportgen site", "--out")
    assert _tree(tmp_path / "mysite") == before
    assert [p.name for p in tmp_path.iterdir()] == ["mysite"]  # no staging left beside it


def test_publish_into_a_folder_holding_only_hidden_files_makes_it_a_site(tmp_path: Path) -> None:
    (tmp_path / "site" / ".git").mkdir(parents=True)
    (tmp_path / "site" / ".nojekyll").write_text("")
    Site(tmp_path / "site").publish(_week(W1, "v1"))
    assert (tmp_path / "site" / site_writer.SITE_MARKER).is_file()
    assert (tmp_path / "site" / ".nojekyll").exists() and (tmp_path / "site" / ".git").is_dir()


def test_an_empty_output_dir_in_reportgen_toml_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "reportgen.toml"
    config.write_text('output_dir = ""\n')
    result = run_cli(["build", "--sample"], env={"REPORTGEN_CONFIG": str(config)})
    assert_user_error(result, str(config), "output_dir must not be empty")


def test_an_empty_out_flag_never_publishes_into_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    before = _user_folder(project)
    monkeypatch.chdir(project)
    result = run_cli(["build", "--sample", "--format", "json", "--out", ""])
    assert_user_error(result, "refusing to publish", "working folder")
    assert _tree(project) == before


LINKED = ["assets", "assets/screen.css", "index.html", "archive.html", "feed.xml", "briefings",
          f"briefings/{W2.isoformat()}"]


@pytest.mark.parametrize("name", LINKED)
def test_a_link_inside_the_site_is_refused_before_anything_is_written(
        name: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    for week in (W1, W2):
        Site(root).publish(_week(week, "v1"), (_asset("v1"),))
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("not the site's")
    link = root / name
    original = link.with_name(link.name + ".moved")
    os.rename(link, original)
    target = victim if original.is_dir() else victim / "keep.txt"
    link.symlink_to(target, target_is_directory=target.is_dir())
    before_site, before_victim = _tree(root), _tree(victim)
    with pytest.raises(ReportgenError, match=f"{name} is a symbolic link"):
        Site(root).publish(_week(W2, "v2"), (_asset("v2"),))
    assert _tree(victim) == before_victim and _tree(root) == before_site
    assert link.is_symlink()


def test_the_output_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "site").symlink_to(tmp_path / "real", target_is_directory=True)
    Site(tmp_path / "site").publish(_week(W1, "v1"))
    assert (tmp_path / "real" / "briefings" / W1.isoformat() / "brief.json").is_file()


def test_export_replaces_links_in_its_folder_and_never_writes_through_them(
        populated: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "WALCL.csv").symlink_to(victim)
    (out / "SOFR.csv").symlink_to(tmp_path / "missing.txt")  # a dangling link
    result = run_cli(["--db", str(populated), "data", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious" and not (tmp_path / "missing.txt").exists()
    assert not (out / "WALCL.csv").is_symlink() and (out / "WALCL.csv").read_text().startswith(
        "date,value")


def test_export_into_a_linked_folder_is_refused(populated: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "export").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = run_cli(["--db", str(populated), "data", "export", str(tmp_path / "export")])
    assert_user_error(result, "symbolic link")
    assert not any((tmp_path / "elsewhere").iterdir())


# ================================================================================================
# 6. No look-ahead: a future --as-of, a row dated 2099
# ================================================================================================
FUTURE = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()


@pytest.mark.parametrize("command", [["build", "--sample", "--format", "json"],
                                     ["assess"], ["signals"]], ids=lambda c: c[0])
@pytest.mark.parametrize("when", [FUTURE, "2099-01-01"])
def test_a_future_as_of_is_refused(command: list[str], when: str, tmp_path: Path) -> None:
    result = run_cli(["--sample", *command, "--as-of", when, *(
        ["--out", str(tmp_path / "site")] if command[0] == "build" else [])])
    assert_user_error(result, "after today", code=2)
    assert not (tmp_path / "site").exists()


def test_a_stored_row_dated_2099_never_dates_a_briefing(populated: Path, tmp_path: Path) -> None:
    # As a store written before dates were checked might hold it.
    db = _copy(populated, tmp_path / "store.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO observations VALUES ('WALCL', '2099-01-07', 6587034, 'x', 'x')")
    conn.close()
    site = tmp_path / "site"
    result = run_cli(["--db", str(db), "build", "--offline", "--format", "json", "--out",
                      str(site)])
    assert result.exit_code == 0, result.output
    (week,) = [p.name for p in (site / "briefings").iterdir()]
    assert date.fromisoformat(week) <= datetime.now(UTC).date()


FUTURE_PAYLOADS = [
    _p("fredgraph-row-dated-2099", "WALCL", _fredgraph("WALCL", "2025-11-19,6587034",
       "2099-01-07,6587034"), "PayloadError", "in the future"),
    _p("nyfed-rate-dated-2099", "EFFR", _rates("effr", {"effectiveDate": "2099-01-07",
       "percentRate": 3.87}), "PayloadError", "in the future"),
    _p("fiscal-auction-dated-2099", "auctions", _fiscal(_auction(auction_date="2099-01-08")),
       "PayloadError", "in the future"),
]


@pytest.mark.parametrize("case", FUTURE_PAYLOADS)
def test_a_fetched_row_dated_2099_is_refused(case: PayloadCase, tmp_path: Path) -> None:
    path = seeded_store(tmp_path / "s.sqlite")
    before = dump(path)
    store = Store.open(path)
    summary = fetching.fetch_all(store, Settings(), [_task(case.item)], NOW,
                                 client=_server(case), retry=NO_WAIT)
    store.close()
    (result,) = summary.results
    assert (result.status, result.error) == ("failed", case.error), result.message
    assert case.says in result.message and "2099-01-0" in result.message
    assert dump(path) == before


def test_an_announced_auction_weeks_ahead_is_data(tmp_path: Path) -> None:
    ahead = (NOW.date() + timedelta(days=20)).isoformat()
    case = PayloadCase("auctions", _fiscal(_auction(auction_date=ahead, high_yield="null")),
                       "", "")
    store = Store.open(tmp_path / "s.sqlite")
    summary = fetching.fetch_all(store, Settings(), [_task("auctions")], NOW,
                                 client=_server(case), retry=NO_WAIT)
    assert summary.results[0].status == "ok", summary.results[0].message


# ================================================================================================
# 7. reportgen.toml: every bad value names the key and the file
# ================================================================================================
CONFIG_CASES = [
    pytest.param("[thresholds.signals]\nsrf_elevated_bn = -1.0\n", "signals.srf_elevated_bn",
                 "zero or more", id="negative"),
    pytest.param("[thresholds.signals]\nrepo_vol_z = -2.0\n", "signals.repo_vol_z",
                 "zero or more", id="negative-z"),
    pytest.param("[thresholds.phase]\npace_min_step_bn = -7.5\n", "phase.pace_min_step_bn",
                 "zero or more", id="negative-phase-step"),
    pytest.param("[thresholds.signals]\nsrf_elevated_bn = nan\n", "signals.srf_elevated_bn",
                 "finite", id="nan"),
    pytest.param("[thresholds.signals]\nvol_stressed_bp = inf\n", "signals.vol_stressed_bp",
                 "finite", id="inf"),
    pytest.param("[thresholds.signals]\nsrf_elevated_bn = 20.0\nsrf_stressed_bn = 10.0\n",
                 "signals.srf_elevated_bn", "wrong order", id="inverted"),
    pytest.param("[thresholds.phase]\nconfidence_medium = 0.8\n", "phase.confidence_medium",
                 "wrong order", id="inverted-against-a-default"),
    pytest.param("[thresholds.signals]\nvol_elevated_pct = 1.5\n", "signals.vol_elevated_pct",
                 "fraction", id="percentile-out-of-range"),
    pytest.param("[thresholds.signals]\ncomposite_stressed = 160.0\n",
                 "signals.composite_stressed", "0 to 100", id="composite-out-of-range"),
    pytest.param("[thresholds.signals]\nwindow_days = 9223372036854775807\n",
                 "signals.window_days", "whole number", id="huge-int"),
    pytest.param("[thresholds.phase]\nshort_weeks = 0\n", "phase.short_weeks", "whole number",
                 id="zero-window"),
    pytest.param("[thresholds.signals]\nsrf_elevated_bn = 1e300\n", "signals.srf_elevated_bn",
                 "far beyond", id="huge-float"),
    pytest.param("[thresholds.signals]\nsrf_elevated_bn = true\n", "signals.srf_elevated_bn",
                 "must be float", id="bool"),
    pytest.param('[thresholds.signals]\nsrf_elevated_bn = "1"\n', "signals.srf_elevated_bn",
                 "must be float", id="string"),
    pytest.param("[thresholds.signals]\nsrf_elevated = 1.0\n", "signals.srf_elevated",
                 "unknown threshold", id="unknown"),
    pytest.param("[thresholds]\nsignals = 5\n", "thresholds.signals", "must be a table",
                 id="not-a-table"),
    pytest.param('output_dir = ""\n', "output_dir", "must not be empty", id="empty-output"),
    pytest.param('db_path = "  "\n', "db_path", "must not be empty", id="blank-db"),
    pytest.param("formats = []\n", "formats", "must not be empty", id="no-formats"),
    pytest.param('formats = ["html", "docx"]\n', "formats", "docx", id="unknown-format"),
    pytest.param('[site]\nbase_url = "ftp://x"\n', "base_url", "https://", id="bad-base-url"),
    pytest.param('fred_api_key = "abc"\n', "FRED_API_KEY", "environment", id="key-in-file"),
    pytest.param("offline = 1\n", "offline", "true or false", id="wrong-type"),
    pytest.param("db_path = \n", "", "not valid TOML", id="invalid-toml"),
    pytest.param(b"[site]\ntitle = \"Caf\xe9\"\n", "", "not UTF-8", id="not-utf8"),
]


@pytest.mark.parametrize(("text", "key", "says"), CONFIG_CASES)
@pytest.mark.parametrize("command", [["data", "status"], ["build", "--sample"],
                                     ["--sample", "signals"]], ids=lambda c: c[-1])
def test_a_bad_setting_names_the_key_and_the_file(text: str | bytes, key: str, says: str,
                                                  command: list[str], tmp_path: Path) -> None:
    config = tmp_path / "reportgen.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run_cli([*command], env={"REPORTGEN_CONFIG": str(config)})
    assert_user_error(result, str(config), key, says)
    assert not Path("output").exists()


# ================================================================================================
# 8. The network: a black hole (accepts, never answers) and a slow drip, reported in seconds
# ================================================================================================
QUICK = RetryPolicy(attempts=4, backoff=0.1, connect_timeout=0.5, read_timeout=0.5,
                    deadline=4.0)


@pytest.fixture()
def black_hole() -> Iterator[str]:
    """A local server that accepts every connection (the kernel completes the handshake for
    the listen backlog) and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@pytest.fixture()
def slow_drip() -> Iterator[str]:
    """A local server that answers 200 and then sends one byte every 0.2 s, forever."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000000\r\n\r\n")
                while not stop.wait(0.2):
                    conn.sendall(b" ")
            except OSError:
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        server.close()


class _Redirect(httpx.BaseTransport):
    """Sends every request to ``base`` instead of its host (the real HTTP stack, no network)."""

    def __init__(self, base: str) -> None:
        self.base = httpx.URL(base)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host,
                                            port=self.base.port)
        return self.inner.handle_request(request)


def test_default_deadlines_report_a_dead_network_in_seconds() -> None:
    bounds = RetryPolicy().worst_case()
    assert bounds["black hole"] <= 25 and bounds["no answer"] <= 35
    assert bounds["refused"] <= 2 and bounds["any"] <= 90
    later = RetryPolicy(no_answer_tries=1).worst_case()  # the sources after a dead one
    assert later["black hole"] <= 10 and later["refused"] == 0
    timeout = fetching.new_client().timeout
    assert (timeout.connect, timeout.read) == (5.0, 10.0)


def test_a_black_hole_is_reported_after_two_tries_within_the_bound(black_hole: str) -> None:
    http = HttpClient("nyfed", httpx.Client(), QUICK)
    began = time.monotonic()
    with pytest.raises(ReportgenError, match="cannot reach the server after 2 attempt") as info:
        http.get(f"{black_hole}/api/soma/summary.json")
    took = time.monotonic() - began
    assert type(info.value).__name__ == "NetworkError"
    assert took < QUICK.worst_case()["black hole"] + 1.0, took
    assert "--offline" in info.value.message


def test_a_slow_drip_is_cut_off_at_the_deadline(slow_drip: str) -> None:
    policy = RetryPolicy(attempts=4, backoff=0.1, connect_timeout=0.5, read_timeout=0.5,
                         deadline=1.5)
    http = HttpClient("treasury", httpx.Client(), policy)
    began = time.monotonic()
    with pytest.raises(ReportgenError, match="no complete answer within 1.5 s"):
        http.get(f"{slow_drip}/services/api")
    assert time.monotonic() - began < 1.5 + 0.5 + 1.0


def test_fetch_against_a_black_hole_fails_every_source_fast_and_stores_nothing(
        black_hole: str, tmp_path: Path) -> None:
    db = seeded_store(tmp_path / "s.sqlite")
    before = dump(db)
    store = Store.open(db)
    tasks = fetching.plan()
    sources = {t.source for t in tasks}
    began = time.monotonic()
    summary = fetching.fetch_all(store, Settings(), tasks, NOW,
                                 client=httpx.Client(transport=_Redirect(black_hole)),
                                 retry=QUICK)
    took = time.monotonic() - began
    store.close()
    assert summary.offline, [r.message for r in summary.results][:3]
    # Two tries for the first source, one for each after it (the network proved dead).
    bound = QUICK.worst_case()["black hole"] + (len(sources) - 1) * QUICK.read_timeout
    assert took < bound + len(sources) * 0.3, took
    assert dump(db) == before


def test_fredapi_against_a_black_hole_is_reported_within_the_bound(black_hole: str) -> None:
    def urlopen(url: str) -> Any:  # fredapi's call, sent to the black hole
        path = url.split("api.stlouisfed.org", 1)[1]
        return urllib.request.urlopen(f"{black_hole}{path}")

    began = time.monotonic()
    with mock.patch("fredapi.fred.urlopen", urlopen), \
            pytest.raises(ReportgenError, match="cannot reach the FRED API after 2") as info:
        fred.fetch_series_fredapi("WALCL", FRED_KEY, date(2025, 1, 1), policy=QUICK)
    assert time.monotonic() - began < QUICK.worst_case()["black hole"] + 1.0
    assert FRED_KEY not in info.value.message


def test_cli_fetch_against_a_black_hole_says_no_network_and_exits_2(
        black_hole: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reportgen.fetching.new_client", lambda *a, **k: httpx.Client(
        transport=_Redirect(black_hole)))
    monkeypatch.setattr("reportgen.fetching.DEFAULT_POLICY", QUICK)
    db = seeded_store(tmp_path / "s.sqlite")
    before = dump(db)
    began = time.monotonic()
    result = run_cli(["--db", str(db), "fetch"])
    assert result.exit_code == 2, result.output
    assert "No network" in result.output and TRACEBACK not in result.output
    assert time.monotonic() - began < 30
    assert dump(db) == before


# ================================================================================================
# 9. The FRED key: every failure path, then grep everything for it
# ================================================================================================
# Three alphanumeric fragments survive every encoding (quoting, plus-decoding, repr, JSON, XML
# whitespace normalisation), so finding none of them anywhere means no form of the key leaked.
FRAGMENTS = ("Zq7Sentinel", "Mid4Frag", "Wx9Tail")
# With a space, a tab and a newline: no URL can carry it (refused before any request).
SPACED_KEY = "Zq7Sentinel key\tMid4Frag\nnew+line%2Fslash/x%20y Wx9Tail"
# With '+', '%', '/' and URL-encoded forms: sent, and echoed back by servers in every form.
ODD_KEY = "Zq7Sentinel+Mid4Frag%2F/x%20y+Wx9Tail"


def assert_no_key(*texts: str | bytes, where: str = "") -> None:
    for text in texts:
        blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        for fragment in FRAGMENTS:
            at = blob.find(fragment)
            assert at < 0, f"the FRED key leaked{where}: ...{blob[max(0, at - 120):at + 60]!r}"


class _AllRecords(logging.Handler):
    """Every log record of every logger, formatted as a file handler would (tracebacks too)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args) + repr(record.__dict__))


@pytest.fixture()
def all_logs() -> Iterator[_AllRecords]:
    handler = _AllRecords()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        redaction.forget_all()


def _echo_forms(key: str) -> list[str]:
    """How servers and libraries hand a key back: as sent, URL-quoted in both cases, decoded
    with '+' as a space, repr- and JSON-escaped, whitespace folded, one line of it."""
    from urllib.parse import quote, quote_plus, unquote, unquote_plus

    return [key, quote(key, safe=""), quote(key, safe="").lower(), quote_plus(key),
            unquote_plus(key), unquote(key), repr(key), json.dumps(key),
            " ".join(key.split()), key.replace("+", " "), key.splitlines()[0]]


def _fred_failures(key: str) -> Callable[[str], Any]:
    """A fake ``fredapi.fred.urlopen``: each call fails a different way, each echoing the key
    (the URL fredapi built holds it unquoted) in another form."""
    import html
    import http.client

    forms = _echo_forms(key)
    calls = [0]

    def xml_error(code: int, message: str) -> urllib.error.HTTPError:
        # The key inside an XML attribute: its tab and newline come back as spaces.
        body = (f'<?xml version="1.0"?><error code="{code}" '
                f'message="{html.escape(message, quote=True)}"/>').encode()
        return fredapi.fred.HTTPError("https://api.stlouisfed.org/x", code, "error", {},
                                      io.BytesIO(body))

    def urlopen(url: str) -> Any:
        n = calls[0]
        calls[0] += 1
        form = forms[n % len(forms)]
        kind = n % 10
        if kind == 0:
            raise xml_error(400, f"Bad Request. The value for variable api_key is not a 32 "
                                 f"character string: api_key={form}")
        if kind == 1:
            raise xml_error(429, f"Too Many Requests. api_key {form} exceeded its limit")
        if kind == 2:
            raise fredapi.fred.HTTPError(url, 503, f"unavailable for {form}", {},
                                         io.BytesIO(f"<html>down {form}</html>".encode()))
        if kind == 3:
            raise urllib.error.URLError(f"no route to host for {url}")
        if kind == 4:
            raise http.client.InvalidURL(f"URL can't contain control characters. {url!r}")
        if kind == 5:
            raise TimeoutError(f"timed out reading {url}")
        if kind == 6:
            raise RuntimeError(f"a bug in a library, holding the request {url} and {form}")
        if kind == 7:
            raise http.client.IncompleteRead(f"partial {form}".encode())
        if kind == 8:
            return _ok(f'<observations><observation date="2025-11-19" value="{form}"/>'
                       "</observations>".encode())
        raise xml_error(400, f"Bad Request. The series does not exist. ({form})")

    return urlopen


def _echoing_api(key: str) -> httpx.Client:
    """NY Fed, Fiscal Data and the FRED JSON API answering errors that quote the key."""
    forms = _echo_forms(key)
    calls = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        form = forms[calls[0] % len(forms)]
        calls[0] += 1
        kind = calls[0] % 4
        if kind == 0:
            raise httpx.ConnectError(f"cannot connect for {request.url} {form}", request=request)
        if kind == 1:
            return httpx.Response(400, json={"error_code": 400, "error_message":
                                             f"Bad Request. api_key {form} is not registered"})
        if kind == 2:
            return httpx.Response(500, text=f"<html>{request.url} {form}</html>")
        return httpx.Response(200, text=f'{{"observations": [{{"date": "{form}"}}]')

    return httpx.Client(transport=httpx.MockTransport(handler))


def _store_text(db: Path) -> bytes:
    """Every byte of the store and its journal (freed pages included)."""
    return b"".join(Path(f"{db}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm")
                    if Path(f"{db}{suffix}").exists())


@pytest.mark.parametrize("key", [SPACED_KEY, ODD_KEY], ids=["spaced", "plus-percent-slash"])
def test_the_key_appears_nowhere_after_every_failure_of_a_fetch_and_a_build(
        key: str, tmp_path: Path, all_logs: _AllRecords,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = seeded_store(tmp_path / "s.sqlite")
    monkeypatch.setattr("reportgen.fetching.new_client", lambda *a, **k: _echoing_api(key))
    monkeypatch.setattr("reportgen.fetching.DEFAULT_POLICY", NO_WAIT)
    monkeypatch.setattr("reportgen.sources.fred.DEFAULT_POLICY", NO_WAIT)
    env = {"FRED_API_KEY": key}
    outputs = []
    with mock.patch("fredapi.fred.urlopen", _fred_failures(key)):
        for command in (["fetch", "-v"], ["fetch", "--source", "fred", "-v"],
                        ["build", "--format", "html,json", "--out", str(tmp_path / "site")]):
            result = run_cli(["--db", str(db), *command], env=env)
            assert result.exit_code in (0, 1, 2), result.output
            assert not isinstance(result.exception, Exception) or isinstance(
                result.exception, SystemExit), result.exception
            outputs.append(result.output)
    assert_no_key(*outputs, where=" in stdout/stderr")
    assert_no_key(*all_logs.lines, where=" in a log record")
    assert_no_key(_store_text(db), where=" in the store")
    assert_no_key(json.dumps(dump(db)), repr(Store.open(db, readonly=True).fetch_log(500)),
                  where=" in the store's rows")
    site = tmp_path / "site"
    assert site.is_dir()
    assert_no_key(*(p.read_bytes() for p in site.rglob("*") if p.is_file()), where=" in the site")
    failures = [e for e in Store.open(db, readonly=True).fetch_log(500) if e.status == "failed"]
    assert failures and all(e.message for e in failures)
    if key == SPACED_KEY:  # said once per item, and said what to do
        assert all("FRED_API_KEY holds a space" in e.message for e in failures
                   if e.source == "fred")


@pytest.mark.parametrize("key", [SPACED_KEY, ODD_KEY], ids=["spaced", "plus-percent-slash"])
def test_the_key_appears_nowhere_after_every_failure_of_each_fred_function(
        key: str, all_logs: _AllRecords) -> None:
    redaction.register(key)
    messages: list[str] = []
    urlopen = _fred_failures(key)
    with mock.patch("fredapi.fred.urlopen", urlopen):
        for _ in range(12):
            try:
                fred.fetch_series_fredapi("WALCL", key, date(2025, 1, 1), policy=NO_WAIT)
            except ReportgenError as exc:
                messages.append(exc.message + repr(exc.args) + str(getattr(exc, "url", "")))
            except RuntimeError:
                pass  # the "library bug": the fetch turns it into a failed item
    http = HttpClient("fred", _echoing_api(key), NO_WAIT, secrets=(key,))
    for _ in range(8):
        with pytest.raises(ReportgenError) as info:
            fred.fetch_series_json(http, "WALCL", key, date(2025, 1, 1))
        messages.append(info.value.message + repr(info.value.args))
    assert len(messages) >= 12
    assert_no_key(*messages, where=" in an error message")
    assert_no_key(*all_logs.lines, where=" in a log record")


def test_a_bug_s_traceback_is_printed_without_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    from reportgen.cli import _scrubbed_excepthook

    redaction.register(ODD_KEY)
    try:
        raise RuntimeError(f"boom with {ODD_KEY} and {ODD_KEY.replace('+', ' ')}")
    except RuntimeError as exc:
        _scrubbed_excepthook(RuntimeError, exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert TRACEBACK in err and "RuntimeError" in err
    assert_no_key(err, where=" in a traceback")
    redaction.forget_all()


def test_settings_never_show_the_key() -> None:
    from reportgen.config import load_settings

    settings = load_settings(env={"FRED_API_KEY": ODD_KEY})
    assert settings.fred_api_key == ODD_KEY
    assert_no_key(repr(settings), str(settings))
    redaction.forget_all()


def test_threshold_overrides_reach_the_terminal_commands(tmp_path: Path) -> None:
    # signals, assess and phases once ignored reportgen.toml; they run the build's analysis now.
    config = tmp_path / "reportgen.toml"
    config.write_text("[thresholds.signals]\ncomposite_elevated = 0.5\ncomposite_stressed = 1.0\n")
    plain = run_cli(["--sample", "signals", "--format", "json"])
    tuned = run_cli(["--sample", "signals", "--format", "json"],
                    env={"REPORTGEN_CONFIG": str(config)})
    assert plain.exit_code == tuned.exit_code == 0, tuned.output
    status = [json.loads(r.stdout)["composite"]["status"] for r in (plain, tuned)]
    assert status[1] == "stressed" != status[0]
