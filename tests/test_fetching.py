"""The incremental fetch orchestrator, end to end against mocked APIs (no network)."""

from __future__ import annotations

import io
import json
import urllib.error
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from unittest import mock

import httpx
import pandas as pd
import pytest

from reportgen import catalog, fetching
from reportgen.config import Settings
from reportgen.errors import ConfigError
from reportgen.fetching import FetchItemResult, FetchTask
from reportgen.sources.http import RetryPolicy
from reportgen.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 11, 22, 9, 0)
NO_WAIT = RetryPolicy(attempts=2, backoff=1.0, sleep=lambda _: None)
KEY = "Key-That-Is-Not-Hex-1234"

Handler = Callable[[httpx.Request], httpx.Response]


def _value_for(series_id: str) -> float:
    spec = catalog.SERIES[series_id]
    return 6587034.0 if spec.units == "USD millions" else 4.0


def fredgraph_csv(series_id: str, days: list[str]) -> str:
    lines = [f"observation_date,{series_id}"] + [f"{d},{_value_for(series_id)}" for d in days]
    return "\n".join(lines) + "\n"


def _rates_payload(kind: str) -> dict[str, object]:
    return {"refRates": [{"effectiveDate": "2025-11-20", "type": kind.upper(), "percentRate": 3.9}]}


NYFED_FILES = {
    "/rates/secured/sofr/search.json": "sofr_search.json",
    "/rates/secured/tgcr/search.json": "tgcr_search.json",
    "/rp/results/search.json": "rp_results.json",
    "/tsy/all/results/summary/search.json": "tsy_operations.json",
    "/ambs/all/results/summary/search.json": "ambs_operations.json",
    "/soma/summary.json": "soma_summary.json",
    "/pd/get/PDFTD-USTET_PDFTR-USTET.json": "pd_fails.json",
    "/pd/list/seriesbreaks.json": "pd_seriesbreaks.json",
}

def _capacity(url: httpx.URL) -> httpx.Response | None:
    """Primary dealer statistics, securities lending and OFR answers from their fixtures
    (tests/fixtures/nyfed_pd, nyfed_seclending, ofr); None for anything else."""
    path = url.path.removeprefix("/api")
    if url.host == "markets.newyorkfed.org" and path.startswith("/pd/get/") and \
            path != "/pd/get/PDFTD-USTET_PDFTR-USTET.json":
        parts = path.removeprefix("/pd/get/").removesuffix(".json").split("/")
        name = parts[0] if len(parts) == 1 else f"{parts[0]}_{parts[2]}"
        file = FIXTURES / "nyfed_pd" / f"{name}.json"
        return httpx.Response(200, content=file.read_bytes()) if file.exists() else \
            httpx.Response(400, text="Bad Request")
    if url.host == "markets.newyorkfed.org" and path.startswith("/seclending/"):
        file = FIXTURES / "nyfed_seclending" / "seclending_details_search.json"
        return httpx.Response(200, content=file.read_bytes())
    if url.host == "www.financialresearch.gov":
        return httpx.Response(200, content=(FIXTURES / "ofr" / "fsi.csv").read_bytes())
    if url.host == "data.financialresearch.gov":
        file = FIXTURES / "ofr" / f"{url.params['mnemonic']}.json"
        if file.exists():
            # The API answers what is published by the fetch: no row dated after NOW.
            rows = [r for r in json.loads(file.read_text()) if r[0] <= NOW.date().isoformat()]
            return httpx.Response(200, json=rows)
        value = 4.31 if "_AR_" in url.params["mnemonic"] else 1.1e12
        return httpx.Response(200, json=[["2025-11-20", value], ["2025-11-21", None]])
    return None


TREASURY_FILES = {
    "/v1/accounting/od/auctions_query": ["auctions_page1.json", "auctions_page2.json"],
    "/v1/accounting/dts/operating_cash_balance": ["operating_cash_balance.json"],
    "/v1/accounting/dts/public_debt_transactions": ["public_debt_transactions.json"],
}


def api(
    overrides: dict[str, Handler] | None = None, seen: list[httpx.URL] | None = None
) -> httpx.Client:
    """One mock transport for fredgraph, the NY Fed API and Fiscal Data.

    ``overrides`` maps a key (a FRED id, a NY Fed path, or a Fiscal Data path) to a handler.
    """
    overrides = overrides or {}

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url)
        url = request.url
        key = url.path.removeprefix("/api")
        if key in overrides:
            return overrides[key](request)
        capacity = _capacity(url)
        if capacity is not None:
            return capacity
        if url.host == "fred.stlouisfed.org":
            series_id = url.params["id"]
            if series_id in overrides:
                return overrides[series_id](request)
            return httpx.Response(200, text=fredgraph_csv(series_id, ["2025-11-19", "2025-11-20"]))
        if url.host == "markets.newyorkfed.org":
            path = url.path.removeprefix("/api")
            if path in overrides:
                return overrides[path](request)
            name = NYFED_FILES.get(path)
            if name:
                return httpx.Response(200, content=(FIXTURES / "nyfed" / name).read_bytes())
            rate = path.split("/")[3]
            return httpx.Response(200, json=_rates_payload(rate))
        if url.host == "api.fiscaldata.treasury.gov":
            path = url.path.removeprefix("/services/api/fiscal_service")
            if path in overrides:
                return overrides[path](request)
            page = int(url.params.get("page[number]", "1"))
            name = TREASURY_FILES[path][page - 1]
            return httpx.Response(200, content=(FIXTURES / "treasury" / name).read_bytes())
        return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler))


def run(
    store: Store,
    tasks: list[FetchTask],
    client: httpx.Client,
    settings: Settings | None = None,
    start: date | None = None,
    on_result: Callable[[FetchItemResult], None] | None = None,
) -> fetching.FetchSummary:
    return fetching.fetch_all(
        store, settings or Settings(), tasks, NOW, start=start, client=client,
        on_result=on_result, retry=NO_WAIT,
    )  # fmt: skip


def task(item: str) -> FetchTask:
    return next(t for t in fetching.plan() if t.item == item)


# -- plan ---------------------------------------------------------------------------------------
def test_plan_covers_every_catalog_series_and_table_once_except_derived_ones() -> None:
    written = [w for t in fetching.plan() for w in t.writes]
    assert len(written) == len(set(written))
    expected = {("series", s) for s in catalog.SERIES if s not in fetching.NOT_FETCHED}
    expected |= {("table", t) for t in catalog.TABLES}
    assert set(written) == expected
    assert "SRF_ACCEPTED" not in {t.item for t in fetching.plan()}


def test_plan_assigns_series_to_their_catalog_source() -> None:
    for t in fetching.plan():
        for kind, name in t.writes:
            spec = catalog.SERIES[name] if kind == "series" else catalog.TABLES[name]
            assert spec.source == t.source, name


def test_plan_limits_to_requested_sources_and_rejects_unknown_ones() -> None:
    assert {t.source for t in fetching.plan(["nyfed"])} == {"nyfed"}
    with pytest.raises(ConfigError, match="unknown source"):
        fetching.plan(["ecb"])


# -- incremental start ----------------------------------------------------------------------
def test_incremental_start_is_last_stored_date_minus_lookback(store: Store) -> None:
    weekly = pd.Series([6587034.0], index=pd.DatetimeIndex(["2025-11-19"], name="date"))
    store.upsert_series("WALCL", weekly, "fredgraph", NOW)
    daily = pd.Series([4.1], index=pd.DatetimeIndex(["2025-11-20"], name="date"))
    store.upsert_series("DGS10", daily, "fredgraph", NOW)
    today = NOW.date()
    assert fetching.incremental_start(store, task("WALCL"), today) == date(2025, 9, 24)
    assert fetching.incremental_start(store, task("DGS10"), today) == date(2025, 11, 6)
    assert fetching.incremental_start(store, task("DGS10"), today, date(2020, 1, 1)) == date(
        2020, 1, 1
    )


def test_first_fetch_uses_the_default_history_start(store: Store) -> None:
    today = NOW.date()
    assert fetching.incremental_start(store, task("WALCL"), today) == date(2002, 12, 18)
    assert fetching.incremental_start(store, task("SOFR"), today) == date(2018, 4, 2)
    assert fetching.incremental_start(store, task("pd_fails"), today) is None


def test_grouped_task_starts_from_its_least_recent_member(store: Store) -> None:
    for sid, day in [
        ("SOFR", "2025-11-20"),
        ("SOFR1", "2025-11-20"),
        ("SOFR25", "2025-11-20"),
        ("SOFR75", "2025-11-20"),
        ("SOFR99", "2025-11-20"),
        ("SOFRVOL", "2025-10-31"),
    ]:
        values = pd.Series([4.0], index=pd.DatetimeIndex([day], name="date"))
        store.upsert_series(sid, values, "nyfed", NOW)
    assert fetching.incremental_start(store, task("SOFR"), NOW.date()) == date(2025, 10, 17)


def test_fetch_asks_sources_from_the_incremental_start(store: Store) -> None:
    weekly = pd.Series([6587034.0], index=pd.DatetimeIndex(["2025-11-19"], name="date"))
    store.upsert_series("WALCL", weekly, "fredgraph", NOW)
    seen: list[httpx.URL] = []
    run(store, [task("WALCL"), task("SOFR"), task("auctions")], api(seen=seen))
    fredgraph = [u for u in seen if u.host == "fred.stlouisfed.org"]
    assert fredgraph[0].params["cosd"] == "2025-09-24"
    assert fredgraph[0].params["coed"] == "2025-11-22"
    sofr = [u for u in seen if "sofr" in u.path]
    assert sofr[0].params["startDate"] == "2018-04-02"
    assert sofr[-1].params["endDate"] == "2025-11-22"
    auctions = [u for u in seen if u.host == "api.fiscaldata.treasury.gov"]
    assert auctions[0].params["filter"] == "auction_date:gte:2000-01-01"


# -- fetch_all ------------------------------------------------------------------------------
def test_fetch_all_keyless_stores_every_item_with_its_origin(store: Store) -> None:
    seen_results: list[FetchItemResult] = []
    tasks = fetching.plan()
    summary = run(store, tasks, api(), on_result=seen_results.append)
    assert [r.status for r in summary.results] == ["ok"] * len(tasks), summary.failures
    assert seen_results == summary.results
    assert not summary.failures and not summary.offline
    assert summary.rows_added == sum(r.rows for r in summary.updated) > 0
    assert store.read_series("WALCL").iloc[-1] == 6587034.0
    assert store.read_series("SOFR99")[pd.Timestamp("2025-10-31")] == 4.35
    assert store.read_series("TGA_DTS")[pd.Timestamp("2022-04-18")] == 841253
    assert store.read_series("SOMA_BILLS").iloc[-1] == pytest.approx(195.493)
    assert len(store.read_table("auctions")) == 3
    assert store.read_table("repo_operations")["small_value"].sum() == 1
    origins = {i.name: i.origin for i in store.summary()}
    assert origins["WALCL"] == "fredgraph" and origins["SOFR"] == "nyfed"
    assert origins["auctions"] == "fiscaldata" and origins["TGA_DTS"] == "fiscaldata"
    log = store.fetch_log(limit=200)
    assert len(log) == len(tasks) and {e.status for e in log} == {"ok"}
    assert log[0].started_at == "2025-11-22T09:00:00"


def test_fetch_log_times_follow_the_run(store: Store) -> None:
    # Every monotonic reading is 10 s after the one before: run start, task starts and ends.
    ticks = iter(range(0, 1000, 10))
    with mock.patch.object(fetching.time, "monotonic", lambda: float(next(ticks))):
        run(store, [task("DGS10"), task("DGS2")], api())
    first, second = reversed(store.fetch_log())
    assert (first.started_at, first.finished_at) == ("2025-11-22T09:00:10", "2025-11-22T09:00:20")
    assert (second.started_at, second.finished_at) == ("2025-11-22T09:00:30", "2025-11-22T09:00:40")


def test_second_fetch_of_the_same_data_is_unchanged(store: Store) -> None:
    tasks = [task("DGS10"), task("SOFR"), task("repo_operations")]
    run(store, tasks, api())
    summary = run(store, tasks, api())
    assert [r.status for r in summary.results] == ["unchanged"] * 3
    assert summary.rows_added == 0 and summary.updated == []


def test_failed_series_leaves_stored_data_untouched_and_others_continue(store: Store) -> None:
    stored = pd.Series(
        [6572732.0, 6587034.0], index=pd.DatetimeIndex(["2025-11-05", "2025-11-12"], name="date")
    )
    store.upsert_series("WALCL", stored, "import:WALCL.csv", NOW)
    html = (FIXTURES / "fred" / "fredgraph_maintenance.html").read_bytes()
    client = api({"WALCL": lambda r: httpx.Response(200, content=html)})
    summary = run(store, [task("WALCL"), task("DGS10")], client)
    walcl, dgs10 = summary.results
    assert walcl.status == "failed" and walcl.error == "PayloadError"
    assert "HTML page instead of CSV" in walcl.message
    assert dgs10.status == "ok"
    pd.testing.assert_series_equal(store.read_series("WALCL"), stored.rename("WALCL"))
    entry = next(e for e in store.fetch_log() if e.item == "WALCL")
    assert entry.status == "failed" and "HTML page" in entry.message and entry.rows == 0


def test_wrong_unit_fails_the_task_without_storing(store: Store) -> None:
    billions = (FIXTURES / "fred" / "fredgraph_walcl_billions.csv").read_bytes()
    client = api({"WALCL": lambda r: httpx.Response(200, content=billions)})
    (result,) = run(store, [task("WALCL")], client).results
    assert result.status == "failed" and result.error == "UnitError"
    assert store.read_series("WALCL").empty


def test_group_failure_writes_none_of_its_members(store: Store) -> None:
    payload = json.loads((FIXTURES / "treasury" / "operating_cash_balance.json").read_text())
    payload["data"][-1]["open_today_bal"] = "22892000000"  # dollars where millions expected
    client = api({"/v1/accounting/dts/operating_cash_balance":
                  lambda r: httpx.Response(200, json=payload)})  # fmt: skip
    (result,) = run(store, [task("dts_cash_balance")], client).results
    assert result.error == "UnitError"
    assert store.read_table("dts_cash_balance").empty and store.read_series("TGA_DTS").empty


def test_changed_shape_is_reported_as_payload_error(store: Store) -> None:
    client = api({"/soma/summary.json": lambda r: httpx.Response(200, json={"summary": []})})
    (result,) = run(store, [task("SOMA_BILLS")], client).results
    assert result.status == "failed" and result.error == "PayloadError"
    assert "soma" in result.message and "summary.json" in result.message


def test_server_errors_are_retried_then_reported_with_status_and_url(store: Store) -> None:
    calls: list[int] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, text="Service Unavailable")

    client = api({"/pd/list/seriesbreaks.json": busy})
    (result,) = run(store, [task("pd_series_breaks")], client).results
    assert len(calls) == 2  # NO_WAIT allows two attempts
    assert result.error == "HTTPStatusError"
    assert "HTTP 503" in result.message and "seriesbreaks.json" in result.message


def test_offline_when_every_task_fails_with_network_error(store: Store) -> None:
    attempts: list[str] = []

    def no_network(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.host)
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    client = httpx.Client(transport=httpx.MockTransport(no_network))
    tasks = fetching.plan()
    summary = run(store, tasks, client)
    assert summary.offline
    assert len(summary.failures) == len(tasks)
    assert {r.error for r in summary.results} == {"NetworkError"}
    # Only the first task of each source is tried; the rest fail at once. The first source
    # gets its retry; once it proved unreachable, the next sources get one try each.
    assert len(attempts) == NO_WAIT.attempts + len(catalog.SOURCES) - 1
    assert attempts[0] == attempts[1] != attempts[2]
    assert "not attempted" in summary.results[1].message
    assert store.is_empty()


def test_not_offline_when_some_tasks_succeed(store: Store) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    summary = run(store, [task("DGS10"), task("SOFR")],
                  api({"/rates/secured/sofr/search.json": down}))  # fmt: skip
    assert not summary.offline
    assert [r.status for r in summary.results] == ["ok", "failed"]


def test_ended_series_is_fetched_once(store: Store) -> None:
    seen: list[httpx.URL] = []
    first = run(store, [task("IOER")], api(seen=seen))
    assert first.results[0].status == "ok"
    assert seen[0].params["cosd"] == "2008-10-09"
    seen.clear()
    second = run(store, [task("IOER")], api(seen=seen))
    assert second.results[0].status == "unchanged" and "ended on 2021-07-28" in (
        second.results[0].message
    )
    assert seen == []


# -- FRED API key -------------------------------------------------------------------------------
def _xml_for(url: str) -> bytes:
    series_id = url.split("series_id=")[1].split("&")[0]
    value = _value_for(series_id)
    return (
        '<?xml version="1.0" encoding="utf-8" ?><observations count="1">'
        f'<observation realtime_start="2025-11-21" realtime_end="2025-11-21" date="2025-11-19" '
        f'value="{value}"/></observations>'
    ).encode()


@mock.patch("fredapi.fred.urlopen")
def test_with_a_key_fred_series_come_from_fredapi(urlopen: mock.Mock, store: Store) -> None:
    def respond(url: str) -> mock.Mock:
        response = mock.Mock()
        response.read.return_value = _xml_for(url)
        return response

    urlopen.side_effect = respond
    summary = run(store, [task("WALCL"), task("T10Y2Y")], api(), Settings(fred_api_key=KEY))
    assert [r.status for r in summary.results] == ["ok", "ok"]
    assert {i.name: i.origin for i in store.summary()}["WALCL"] == "fred-api"
    assert f"api_key={KEY}" in urlopen.call_args_list[0].args[0]  # the key went to FRED only


@mock.patch("fredapi.fred.urlopen")
def test_key_never_reaches_messages_log_or_store(
    urlopen: mock.Mock, store: Store, tmp_path: Path
) -> None:
    bad_key = (
        b'<?xml version="1.0" encoding="utf-8" ?><error code="400" message="Bad Request.  '
        b'The value for variable api_key is not registered." />'
    )

    def fail(url: str) -> mock.Mock:
        if "WALCL" in url:
            raise fredapi_http_error(url, bad_key)
        raise urllib.error.URLError(f"timed out fetching {url}")

    urlopen.side_effect = fail
    summary = run(store, [task("WALCL"), task("DGS10")], api(), Settings(fred_api_key=KEY))
    assert [r.error for r in summary.results] == ["HTTPStatusError", "NetworkError"]
    texts = [r.message for r in summary.results] + [e.message for e in store.fetch_log()]
    assert texts and all(KEY not in t for t in texts)
    assert "Check FRED_API_KEY" in summary.results[0].message
    store.close()
    assert KEY.encode() not in Path(store.path).read_bytes()


def fredapi_http_error(url: str, body: bytes) -> urllib.error.HTTPError:
    import fredapi.fred

    return fredapi.fred.HTTPError(url, 400, "Bad Request", {}, io.BytesIO(body))


# -- capacity sources: dealer statistics, securities lending, OFR ---------------------------------
def test_plan_orders_series_breaks_before_the_dealer_statistics() -> None:
    items = [t.item for t in fetching.plan(["nyfed"])]
    assert items.index("pd_series_breaks") < items.index("pd_positions")
    assert ("table", "pd_history_cuts") in task("pd_positions").writes
    assert ("table", "seclending_details") in task("seclending_operations").writes
    assert fetching.default_start(task("pd_positions")) is None  # whole history
    assert fetching.default_start(task("seclending_operations")) == date(2019, 1, 1)


def test_dealer_statistics_task_fills_a_cut_history_and_records_the_cut(store: Store) -> None:
    cut = (FIXTURES / "nyfed_pd" / "PDPOSGST-TOT_cut_at_SBN2024.json").read_bytes()
    client = api({"/pd/get/PDPOSGST-TOT.json": lambda r: httpx.Response(200, content=cut)})
    summary = run(store, [task("pd_series_breaks"), task("pd_positions")], client)
    assert [r.status for r in summary.results] == ["ok", "ok"], summary.failures
    total = store.read_table("pd_positions").query("keyid == 'PDPOSGST-TOT'").set_index("date")
    assert total.loc["2024-06-26", "series_break"] == "SBN2022"  # filled from the break path
    assert total.loc["2024-07-03", "series_break"] == "SBN2024"
    cuts = store.read_table("pd_history_cuts").set_index(["keyid", "series_break"])
    assert cuts.loc[("PDPOSGST-TOT", "SBN2022"), "filled"] == 1
    assert cuts.loc[("PDPOSGST-TOT", "SBN2013"), "filled"] == 0
    assert cuts.loc[("PDPOSGST-TOT", "SBN2013"), "detected_at"] == "2025-11-22"
    # The next fetch starts from the stored weeks (capped at today), not from an empty table
    # of cuts: pd_history_cuts is records only.
    assert fetching.incremental_start(store, task("pd_positions"), NOW.date()) == \
        date(2025, 9, 27)


def test_securities_lending_task_stores_operations_and_details(store: Store) -> None:
    seen: list[httpx.URL] = []
    summary = run(store, [task("seclending_operations")], api(seen=seen))
    assert summary.results[0].status == "ok", summary.failures
    assert len(store.read_table("seclending_operations")) == 2
    assert len(store.read_table("seclending_details")) == 5
    assert seen[0].path == "/api/seclending/seclending/results/details/search.json"
    assert (seen[0].params["startDate"], seen[0].params["endDate"]) == ("2019-01-01",
                                                                        "2019-12-31")
    assert len(seen) == 7  # one request per calendar year, 2019 to 2025
