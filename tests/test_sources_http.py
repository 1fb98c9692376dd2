"""The HTTP layer: retries with backoff, Retry-After, error mapping, and no key in any message."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from reportgen.errors import HTTPStatusError, NetworkError, PayloadError
from reportgen.sources.http import HttpClient, RetryPolicy

KEY = "0123456789abcdef0123456789abcdef"  # looks like a FRED key: 32 lowercase hex
ODD_KEY = "Not-A-Hex-Key-42"  # does not: only the literal replacement catches it
URL = "https://api.example.test/fred/series/observations"


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], attempts: int = 4
) -> tuple[HttpClient, list[float], list[httpx.Request]]:
    sleeps: list[float] = []
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(recording))
    policy = RetryPolicy(attempts=attempts, backoff=1.0, sleep=sleeps.append)
    return HttpClient("fred", client, policy, secrets=(KEY, ODD_KEY)), sleeps, seen


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_retries_429_honouring_retry_after_then_succeeds() -> None:
    http, sleeps, seen = make_client(
        sequence(
            httpx.Response(429, headers={"Retry-After": "7"}, text="slow down"),
            httpx.Response(200, json={"ok": True}),
        )
    )
    assert http.get_json(URL) == {"ok": True}
    assert sleeps == [7.0]
    assert len(seen) == 2


def test_retries_503_with_exponential_backoff_then_succeeds() -> None:
    http, sleeps, seen = make_client(
        sequence(
            httpx.Response(503, text="busy"),
            httpx.Response(503, text="busy"),
            httpx.Response(200, json=[1, 2]),
        )
    )
    assert http.get_json(URL) == [1, 2]
    assert sleeps == [1.0, 2.0]
    assert len(seen) == 3


def test_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(1, "86400") == 60.0
    assert policy.delay(3, "Wed, 21 Oct 2026 07:28:00 GMT") == 4.0  # HTTP-date: use backoff


def test_gives_up_after_attempts_with_status_and_url_without_key() -> None:
    http, sleeps, seen = make_client(
        sequence(*[httpx.Response(503, text=f"down, api_key={KEY}") for _ in range(3)]),
        attempts=3,
    )
    with pytest.raises(HTTPStatusError) as info:
        http.get(URL, {"series_id": "WALCL", "api_key": KEY})
    message = info.value.message
    assert info.value.status == 503
    assert "HTTP 503" in message
    assert "gave up after 3 attempts" in message
    assert "series_id=WALCL" in message and URL in message
    assert KEY not in message and "api_key" not in (info.value.url or "")
    assert len(seen) == 3 and sleeps == [1.0, 2.0]
    # The key did travel to the server as a query parameter.
    assert seen[0].url.params["api_key"] == KEY


def test_client_error_is_not_retried() -> None:
    http, sleeps, seen = make_client(sequence(httpx.Response(404, text="Not Found")))
    with pytest.raises(HTTPStatusError) as info:
        http.get(URL)
    assert info.value.status == 404
    assert len(seen) == 1 and sleeps == []


def test_connect_errors_are_retried_once_then_become_network_error() -> None:
    # No network shows up as a failed name lookup: one retry, so offline is detected quickly.
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    http, sleeps, seen = make_client(handler)
    with pytest.raises(NetworkError) as info:
        http.get(URL, {"api_key": ODD_KEY})
    assert "cannot reach the server after 2 attempt(s)" in info.value.message
    assert "--offline" in info.value.message
    assert ODD_KEY not in info.value.message
    assert len(seen) == 2 and sleeps == [1.0]


def test_read_errors_get_the_full_retry_count() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=request)

    http, sleeps, seen = make_client(handler)
    with pytest.raises(NetworkError, match="after 4 attempt"):
        http.get(URL)
    assert len(seen) == 4 and sleeps == [1.0, 2.0, 4.0]


def test_timeout_then_success() -> None:
    def handler_factory() -> Callable[[httpx.Request], httpx.Response]:
        calls = {"n": 0}

        def handler(request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            if calls["n"] == 1:
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(200, text="observation_date,WALCL\n")

        return handler

    http, sleeps, _ = make_client(handler_factory())
    assert http.get(URL).text.startswith("observation_date")
    assert sleeps == [1.0]


def test_empty_response_is_a_payload_error() -> None:
    http, _, _ = make_client(sequence(httpx.Response(200, content=b"  \n")))
    with pytest.raises(PayloadError, match="empty response"):
        http.get(URL)


def test_invalid_json_is_a_payload_error_naming_the_start_of_the_body() -> None:
    http, _, _ = make_client(sequence(httpx.Response(200, text="<html>maintenance</html>")))
    with pytest.raises(PayloadError, match="not valid JSON.*<html>maintenance"):
        http.get_json(URL, {"api_key": KEY})


def test_key_never_appears_in_retry_logs(caplog: pytest.LogCaptureFixture) -> None:
    http, _, _ = make_client(
        sequence(httpx.Response(500, text="oops"), httpx.Response(200, json={}))
    )
    with caplog.at_level(logging.WARNING, logger="reportgen.sources.http"):
        http.get_json(URL, {"series_id": "WALCL", "api_key": ODD_KEY})
    assert "retry 1/3" in caplog.text
    assert ODD_KEY not in caplog.text and KEY not in caplog.text


def test_display_url_drops_the_key() -> None:
    http, _, _ = make_client(sequence())
    shown = http.display_url(f"{URL}?series_id=WALCL&api_key={ODD_KEY}")
    assert shown == f"{URL}?series_id=WALCL"
