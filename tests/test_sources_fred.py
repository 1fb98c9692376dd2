"""FRED: fredapi (XML, patched urlopen), the JSON API and the keyless fredgraph.csv download."""

from __future__ import annotations

import io
import json
import math
import urllib.error
import zipfile
from datetime import date
from pathlib import Path
from unittest import mock

import fredapi.fred
import httpx
import pandas as pd
import pytest

from reportgen.errors import (
    HTTPStatusError,
    NetworkError,
    PayloadError,
    SeriesNotFoundError,
    UnitError,
)
from reportgen.sources import fred
from reportgen.sources.http import HttpClient, RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "fred"
KEY = "fedcba9876543210fedcba9876543210"
NO_WAIT = RetryPolicy(attempts=3, backoff=1.0, sleep=lambda _: None)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def http_error(name: str, status: int) -> urllib.error.HTTPError:
    url = f"https://api.stlouisfed.org/fred/series/observations?series_id=X&api_key={KEY}"
    return fredapi.fred.HTTPError(url, status, "error", {}, io.BytesIO(fixture(name)))


def ok_response(name: str) -> mock.Mock:
    response = mock.Mock()
    response.read.return_value = fixture(name)
    return response


# -- fredapi ----------------------------------------------------------------------------------
@mock.patch("fredapi.fred.urlopen")
def test_fredapi_series_parses_xml_and_dot_as_missing(urlopen: mock.Mock) -> None:
    urlopen.return_value = ok_response("walcl_observations.xml")
    series = fred.fetch_series_fredapi("WALCL", KEY, date(2025, 10, 22), policy=NO_WAIT)
    assert series.dtype == "float64"
    assert series.index.name == "date" and isinstance(series.index, pd.DatetimeIndex)
    assert series[pd.Timestamp("2025-10-29")] == 6587034.0
    assert math.isnan(series[pd.Timestamp("2025-11-12")])
    called_url = urlopen.call_args.args[0]
    assert "series_id=WALCL" in called_url and "observation_start=2025-10-22" in called_url


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_unknown_series_is_series_not_found(urlopen: mock.Mock) -> None:
    urlopen.side_effect = http_error("error_series_does_not_exist.xml", 400)
    with pytest.raises(SeriesNotFoundError, match="FRED has no series 'WALCL'") as info:
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)
    assert KEY not in info.value.message
    assert urlopen.call_count == 1


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_rate_limit_is_retried_then_succeeds(urlopen: mock.Mock) -> None:
    sleeps: list[float] = []
    urlopen.side_effect = [
        http_error("error_rate_limit.xml", 429),
        ok_response("walcl_observations.xml"),
    ]
    policy = RetryPolicy(attempts=3, backoff=2.0, sleep=sleeps.append)
    series = fred.fetch_series_fredapi("WALCL", KEY, None, policy=policy)
    assert len(series) == 4 and sleeps == [2.0]


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_rate_limit_gives_up_with_status_429(urlopen: mock.Mock) -> None:
    urlopen.side_effect = [http_error("error_rate_limit.xml", 429) for _ in range(3)]
    with pytest.raises(HTTPStatusError) as info:
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)
    assert info.value.status == 429
    assert "gave up after 3 attempts" in info.value.message
    assert KEY not in info.value.message


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_rejected_key_says_to_check_fred_api_key(urlopen: mock.Mock) -> None:
    urlopen.side_effect = http_error("error_bad_api_key.xml", 400)
    with pytest.raises(HTTPStatusError, match="Check FRED_API_KEY") as info:
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)
    assert info.value.status == 400
    assert KEY not in info.value.message


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_network_failure_becomes_network_error_without_key(urlopen: mock.Mock) -> None:
    urlopen.side_effect = urllib.error.URLError(f"no route for api_key={KEY}")
    with pytest.raises(NetworkError, match="cannot reach the FRED API after 3") as info:
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)
    assert KEY not in info.value.message
    assert urlopen.call_count == 3


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_values_in_billions_are_a_unit_error(urlopen: mock.Mock) -> None:
    urlopen.return_value = ok_response("walcl_billions.xml")
    with pytest.raises(UnitError, match="WALCL = 6587.03 on 2025-10-29"):
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)


@mock.patch("fredapi.fred.urlopen")
def test_fredapi_non_xml_body_is_a_payload_error(urlopen: mock.Mock) -> None:
    urlopen.return_value = ok_response("fredgraph_maintenance.html")
    with pytest.raises(PayloadError, match="not XML|no observations"):
        fred.fetch_series_fredapi("WALCL", KEY, None, policy=NO_WAIT)


# -- JSON API ---------------------------------------------------------------------------------
def test_json_observations_parse_with_dot_as_missing() -> None:
    payload = json.loads(fixture("rrpontsyd_observations.json"))
    series = fred.parse_observations_json(payload, "RRPONTSYD")
    assert series[pd.Timestamp("2025-10-31")] == 51.802
    assert math.isnan(series[pd.Timestamp("2025-11-04")])
    assert len(series) == 5


def test_json_error_payload_is_series_not_found() -> None:
    payload = json.loads(fixture("error_series_does_not_exist.json"))
    with pytest.raises(SeriesNotFoundError, match="does not exist"):
        fred.parse_observations_json(payload, "RRPONTSYD")


def test_json_without_observations_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="no 'observations'"):
        fred.parse_observations_json({"count": 0}, "RRPONTSYD")


def test_json_fetch_maps_http_400_and_keeps_key_out_of_the_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api_key"] == KEY
        assert request.url.params["file_type"] == "json"
        return httpx.Response(400, content=fixture("error_series_does_not_exist.json"))

    http = HttpClient(
        "fred", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT, secrets=(KEY,)
    )
    with pytest.raises(SeriesNotFoundError) as info:
        fred.fetch_series_json(http, "RRPONTSYD", KEY, date(2025, 10, 30))
    assert KEY not in info.value.message and "api_key" not in info.value.message


def test_json_fetch_returns_series() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=fixture("rrpontsyd_observations.json"))

    http = HttpClient(
        "fred", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT, secrets=(KEY,)
    )
    series = fred.fetch_series_json(http, "RRPONTSYD", KEY, date(2025, 10, 30))
    assert series.name == "RRPONTSYD" and series.count() == 4


# -- fredgraph.csv ----------------------------------------------------------------------------
def test_fredgraph_parses_dot_and_empty_as_missing() -> None:
    series = fred.parse_fredgraph_csv(fixture("fredgraph_dgs10.csv"), "DGS10")
    assert list(series.dropna()) == [4.11, 4.11, 4.17]
    assert series.isna().sum() == 2
    assert series.index.name == "date"


def test_fredgraph_accepts_older_date_header() -> None:
    series = fred.parse_fredgraph_csv(fixture("fredgraph_walcl_old_header.csv"), "WALCL")
    assert series[pd.Timestamp("2025-11-05")] == 6572732.0


def test_fredgraph_html_page_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="HTML page instead of CSV"):
        fred.parse_fredgraph_csv(fixture("fredgraph_maintenance.html"), "WALCL")


def test_fredgraph_zip_is_a_payload_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("WALCL.csv", fixture("fredgraph_walcl_old_header.csv"))
    with pytest.raises(PayloadError, match="ZIP archive"):
        fred.parse_fredgraph_csv(buffer.getvalue(), "WALCL")


def test_fredgraph_values_in_billions_are_a_unit_error() -> None:
    with pytest.raises(UnitError, match="outside the plausible range for USD millions"):
        fred.parse_fredgraph_csv(fixture("fredgraph_walcl_billions.csv"), "WALCL")


def test_fredgraph_header_for_another_series_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="sent series 'DGS10', not 'DGS2'"):
        fred.parse_fredgraph_csv(fixture("fredgraph_dgs10.csv"), "DGS2")


def test_fredgraph_header_only_means_no_new_observations() -> None:
    series = fred.parse_fredgraph_csv(b"observation_date,WALCL\n", "WALCL")
    assert series.empty and series.dtype == "float64"


def test_fredgraph_bad_value_names_the_line() -> None:
    with pytest.raises(PayloadError, match="line 3"):
        fred.parse_fredgraph_csv(
            b"observation_date,WALCL\n2025-10-29,6587034\n2025-11-05,n/x\n", "WALCL"
        )


def test_fetch_fredgraph_asks_one_id_with_dates_and_maps_404() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        if request.url.params["id"] == "NOPE":
            return httpx.Response(404, text="Not Found")
        return httpx.Response(200, content=fixture("fredgraph_dgs10.csv"))

    http = HttpClient("fred", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT)
    series = fred.fetch_fredgraph(http, "DGS10", date(2025, 10, 30), date(2025, 11, 21))
    assert len(series) == 5
    assert seen[0].params["cosd"] == "2025-10-30" and seen[0].params["coed"] == "2025-11-21"
    with (
        mock.patch.dict(fred.catalog.SERIES, {"NOPE": fred.catalog.SERIES["DGS10"]}),
        pytest.raises(SeriesNotFoundError, match="no series 'NOPE'"),
    ):
        fred.fetch_fredgraph(http, "NOPE", None)
