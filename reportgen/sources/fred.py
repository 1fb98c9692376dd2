"""FRED (St. Louis Fed): H.4.1 balance sheet, ON RRP, administered rates, Treasury yields.

Three ways in, one output shape (a float ``pd.Series`` on a ``DatetimeIndex`` named ``date``,
NaN where FRED publishes ``"."``, values in the catalog units):

* **With an API key** (``FRED_API_KEY`` / ``Settings.fred_api_key``): ``fredapi.Fred.get_series``
  (XML API). fredapi raises a plain ``ValueError`` for every failure and has no timeout or
  retries; :func:`fetch_series_fredapi` adds both and maps the failures to ``reportgen.errors``.
* **Direct JSON API** (:func:`fetch_series_json`, same key): used where fredapi is not wanted;
  parses ``file_type=json`` payloads and ``{"error_code", "error_message"}`` errors.
* **Keyless** (:func:`fetch_fredgraph`): ``fredgraph.csv?id=ID&cosd=..&coed=..``, one id per
  request (several ids with mixed frequencies come back as a ZIP).

The key is sent as a query parameter only; no message, log line, stored row or fixture carries it.
"""

from __future__ import annotations

import csv
import http.client
import io
import logging
import socket
import urllib.error
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd

from reportgen import catalog
from reportgen.errors import (
    ConfigError,
    HTTPStatusError,
    NetworkError,
    PayloadError,
    SeriesNotFoundError,
    SourceError,
    redact,
)
from reportgen.redaction import register as register_secret
from reportgen.sources.http import DEFAULT_POLICY, RETRY_STATUSES, HttpClient, RetryPolicy
from reportgen.sources.payloads import check_units, dated_series, put_value
from reportgen.sources.records import ValueParseError, parse_date, parse_number

log = logging.getLogger(__name__)

API_ROOT = "https://api.stlouisfed.org/fred"
OBSERVATIONS_URL = f"{API_ROOT}/series/observations"
FREDGRAPH_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
SOURCE = "fred"

# Reason phrases FRED puts first in its error messages, and their HTTP status.
_STATUS_PHRASES = {
    "bad request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not found": 404,
    "locked": 423,
    "too many requests": 429,
    "internal server error": 500,
    "bad gateway": 502,
    "service unavailable": 503,
    "gateway timeout": 504,
}


def remote_id(series_id: str) -> str:
    """The FRED id of a catalog series (the catalog id unless ``remote_id`` says otherwise)."""
    return catalog.series(series_id).remote_id or series_id


# -- keyless: fredgraph.csv -----------------------------------------------------------------
def parse_fredgraph_csv(
    content: bytes | str, series_id: str, url: str = FREDGRAPH_URL
) -> pd.Series:
    """Parse a ``fredgraph.csv`` download for one series.

    Parameters
    ----------
    content
        The response body. Header ``observation_date,ID`` (older files ``DATE,ID``); columns are
        read by position. A missing value is ``.`` or empty.
    series_id
        Catalog id; the second header cell must be its FRED id.
    url
        Shown in errors (never carries a key: fredgraph is keyless).

    Returns
    -------
    pd.Series
        Float values in the catalog units (NaN where missing) on a DatetimeIndex named ``date``.

    Raises
    ------
    PayloadError
        An HTML page or a ZIP archive instead of CSV, a header for another series, a bad line.

    Example
    -------
    >>> parse_fredgraph_csv("observation_date,IORB\\n2025-12-11,3.65\\n2025-12-12,.\\n", "IORB")
    date
    2025-12-11    3.65
    2025-12-12     NaN
    Name: IORB, dtype: float64
    """
    raw = content.encode() if isinstance(content, str) else content
    if raw[:4] == b"PK\x03\x04":
        raise PayloadError(
            SOURCE, "fredgraph sent a ZIP archive instead of CSV; request one series per call", url
        )
    text = raw.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if not stripped:
        raise PayloadError(SOURCE, "fredgraph sent an empty response", url)
    if stripped.startswith("<"):
        raise PayloadError(
            SOURCE,
            "fredgraph sent an HTML page instead of CSV (FRED may be "
            "down for maintenance, or the series id is wrong)",
            url,
        )
    if "\x00" in text:
        raise PayloadError(SOURCE, "fredgraph sent binary data (NUL bytes) instead of CSV", url)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # a field past the csv module's limit, say
        raise PayloadError(SOURCE, f"fredgraph sent malformed CSV ({exc})", url) from None
    fred_id = remote_id(series_id)
    if len(header) != 2 or header[0].lower() not in {"observation_date", "date"}:
        raise PayloadError(
            SOURCE,
            f"unexpected fredgraph header {','.join(header)!r}; expected "
            f"'observation_date,{fred_id}'",
            url,
        )
    if header[1].upper() != fred_id.upper():
        raise PayloadError(SOURCE, f"fredgraph sent series {header[1]!r}, not {fred_id!r}", url)
    values: dict[pd.Timestamp, float] = {}
    for line, row in lines:
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) != 2:
                raise ValueParseError(f"{len(row)} fields where 2 are expected")
            day = pd.Timestamp(parse_date(row[0]))
            value = parse_number(row[1])
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"fredgraph line {line}: {exc}", url) from None
        put_value(values, day, value, f"fredgraph line {line}", SOURCE, url)
    series = dated_series(series_id, values)
    check_units(series_id, series, SOURCE, url)
    return series


def fetch_fredgraph(
    http: HttpClient, series_id: str, start: date | None, end: date | None = None
) -> pd.Series:
    """Fetch one series without a key from ``fredgraph.csv`` (see :func:`parse_fredgraph_csv`).

    A 404 means FRED has no such id and becomes ``SeriesNotFoundError``.
    """
    params = {
        "id": remote_id(series_id),
        "cosd": start and start.isoformat(),
        "coed": end and end.isoformat(),
    }
    try:
        response = http.get(FREDGRAPH_URL, params)
    except HTTPStatusError as exc:
        if exc.status == 404:
            raise SeriesNotFoundError(
                SOURCE, f"FRED has no series {remote_id(series_id)!r}", exc.url
            ) from None
        raise
    return parse_fredgraph_csv(response.content, series_id, http.display_url(response.request.url))


# -- direct JSON API ------------------------------------------------------------------------
def parse_observations_json(payload: Any, series_id: str, url: str = OBSERVATIONS_URL) -> pd.Series:
    """Parse a ``series/observations?file_type=json`` payload.

    ``{"observations": [{"date": "2024-01-03", "value": "7681024", ...}], ...}``; values are
    strings, ``"."`` is missing. An error payload ``{"error_code": 400, "error_message": ...}``
    raises SeriesNotFoundError ("does not exist") or HTTPStatusError.

    Example: ``{"observations": [{"date": "2024-01-03", "value": "."}]}`` -> one NaN.
    """
    if isinstance(payload, dict) and "error_code" in payload:
        raise _error_from_message(
            str(payload.get("error_message") or ""),
            series_id,
            url,
            _int_or_none(payload.get("error_code")),
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("observations"), list):
        raise PayloadError(
            SOURCE,
            "the response has no 'observations' list; the FRED API may have changed its format",
            url,
        )
    values: dict[pd.Timestamp, float] = {}
    for number, obs in enumerate(payload["observations"], start=1):
        try:
            if not isinstance(obs, dict) or "date" not in obs or "value" not in obs:
                raise ValueParseError("expected an object with 'date' and 'value'")
            day = pd.Timestamp(parse_date(obs["date"]))
            value = parse_number(obs["value"])
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"observation {number}: {exc}", url) from None
        put_value(values, day, value, f"observation {number}", SOURCE, url)
    series = dated_series(series_id, values)
    check_units(series_id, series, SOURCE, url)
    return series


def fetch_series_json(
    http: HttpClient, series_id: str, api_key: str, start: date | None, end: date | None = None
) -> pd.Series:
    """Fetch one series from the JSON API with ``http`` (which must list ``api_key`` in
    ``secrets``). Errors map as in :func:`parse_observations_json`."""
    params = {
        "series_id": remote_id(series_id),
        "api_key": api_key,
        "file_type": "json",
        "observation_start": start and start.isoformat(),
        "observation_end": end and end.isoformat(),
    }
    try:
        payload = http.get_json(OBSERVATIONS_URL, params)
    except HTTPStatusError as exc:
        if "does not exist" in exc.message:
            raise SeriesNotFoundError(
                SOURCE, f"FRED has no series {remote_id(series_id)!r}", exc.url
            ) from None
        raise
    shown = http.display_url(OBSERVATIONS_URL + f"?series_id={remote_id(series_id)}")
    return parse_observations_json(payload, series_id, shown)


# -- fredapi (XML API) ----------------------------------------------------------------------
def _int_or_none(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _status_of(message: str) -> int | None:
    lowered = message.strip().lower()
    for phrase, status in _STATUS_PHRASES.items():
        if lowered.startswith(phrase):
            return status
    return None


def _error_from_message(
    message: str, series_id: str, url: str, status: int | None = None
) -> SourceError:
    """The reportgen error for one FRED error message (XML ``message`` / JSON ``error_message``)."""
    text = " ".join(message.split()) or "no message"
    if "does not exist" in text.lower():
        return SeriesNotFoundError(
            SOURCE, f"FRED has no series {remote_id(series_id)!r} ({text})", url
        )
    if "api_key" in text.lower() or "api key" in text.lower():
        return HTTPStatusError(
            SOURCE,
            status or 400,
            f"{text}. Check FRED_API_KEY (a free key: "
            "https://fred.stlouisfed.org/docs/api/api_key.html), or unset "
            "it to use the keyless download",
            url,
        )
    status = status or _status_of(text)
    if status is not None:
        return HTTPStatusError(SOURCE, status, text, url)
    return SourceError(SOURCE, f"FRED refused the request for {remote_id(series_id)}: {text}", url)


#: Why a key cannot be used at all; said once, never with the key itself.
KEY_UNUSABLE = (
    "FRED_API_KEY holds a space, tab, newline or other character a URL cannot carry, so no "
    "request can be made with it; a FRED key is 32 lower-case letters and digits. Set it "
    "again without the extra characters (https://fred.stlouisfed.org/docs/api/api_key.html), "
    "or unset it to use the keyless download"
)


def key_problem(api_key: str) -> str | None:
    """Why ``api_key`` cannot be sent (whitespace or control characters), or None."""
    if any(c.isspace() or not c.isprintable() for c in api_key):
        return KEY_UNUSABLE
    return None


def _payload_problem(exc: Exception) -> str:
    """What was wrong with a 2xx answer fredapi could not read (the message names the
    problem, never the request: fredapi's messages hold no URL)."""
    text = " ".join(str(exc).split())[:200]
    if isinstance(exc, ET.ParseError):
        return f"FRED sent something that is not XML ({text})"
    if isinstance(exc, TypeError | AttributeError):
        return f"FRED sent XML that holds no observations ({text})"
    if "could not convert" in text:
        return f"FRED sent a value that is not a number ({text})"
    return f"FRED sent an observation with an unreadable date ({text})"


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """fredapi calls ``urlopen(url)`` without a timeout; bound it for the duration of a call.

    The default is process-wide, so it is restored at once; fetches run one at a time.
    """
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def fetch_series_fredapi(
    series_id: str,
    api_key: str,
    start: date | None,
    end: date | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> pd.Series:
    """Fetch one series with ``fredapi.Fred(api_key=...).get_series``.

    Parameters
    ----------
    series_id
        Catalog id (FRED id from ``catalog``).
    api_key
        The FRED key; it never appears in what this function raises or logs.
    start, end
        ``observation_start`` / ``observation_end`` (inclusive); None = the whole history.
    policy
        Retries for rate limiting (429), server errors (5xx) and network failures.

    Returns
    -------
    pd.Series
        Values in catalog units, NaN where FRED publishes ``"."``, DatetimeIndex ``date``.

    Raises
    ------
    SeriesNotFoundError, HTTPStatusError, NetworkError, PayloadError, SourceError, UnitError

    Example
    -------
    >>> fetch_series_fredapi("WALCL", key, date(2025, 1, 1))       # doctest: +SKIP
    date
    2025-01-01    6853165.0
    ...
    """
    import fredapi  # imported here: only this path needs it

    fred_id = remote_id(series_id)
    url = f"{OBSERVATIONS_URL}?series_id={fred_id}" + (
        f"&observation_start={start.isoformat()}" if start else ""
    )
    register_secret(api_key)  # scrubbed, in every encoding, from messages and logs

    def get() -> Any:
        with _socket_timeout(policy.timeout):
            return fredapi.Fred(api_key=api_key).get_series(
                fred_id, observation_start=start, observation_end=end)

    return _series_from_fredapi(_with_retries(get, series_id, url, policy), series_id, url)


def _with_retries(get: Callable[[], Any], series_id: str, url: str,
                  policy: RetryPolicy) -> Any:
    """``get()`` (a fredapi call), retried as the HTTP layer retries: rate limiting and server
    errors until the policy's attempts or deadline run out, no answer at all twice. Every
    failure becomes a reportgen error without the key."""
    attempts = max(1, policy.attempts)
    began = policy.clock()
    for attempt in range(1, attempts + 1):
        last_try = attempt == attempts
        wait = policy.delay(attempt)
        out_of_time = policy.clock() - began + wait >= policy.deadline
        try:
            return get()
        except http.client.InvalidURL:
            # urllib refuses the URL before sending it: the key holds whitespace or control
            # characters (fredapi appends it unquoted). Every series would fail the same way.
            raise ConfigError(KEY_UNUSABLE) from None
        except (ValueError, ET.ParseError, TypeError, AttributeError) as exc:
            error, message = _refusal(exc, series_id, url)
            if not (isinstance(error, HTTPStatusError) and error.status in RETRY_STATUSES):
                raise error from None
            if last_try or out_of_time:
                raise HTTPStatusError(
                    SOURCE, error.status,
                    f"{redact(' '.join(message.split())) or 'error'} (gave up after {attempt} "
                    "attempts)", url) from None
            reason = error.message
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = redact(str(getattr(exc, "reason", exc)) or type(exc).__name__)
            # No answer at all (refused, no DNS, a timeout): tried twice, like the HTTP layer.
            no_answer = isinstance(getattr(exc, "reason", exc), OSError) or isinstance(
                exc, TimeoutError)
            if last_try or out_of_time or (no_answer and attempt >= policy.no_answer_tries):
                raise NetworkError(
                    SOURCE,
                    f"cannot reach the FRED API after {attempt} attempt(s) in "
                    f"{policy.clock() - began:.0f} s ({reason}). Check the network "
                    "connection, or work from the stored data with --offline.",
                    url,
                ) from None
        log.warning("fred: %s for %s; retry %d/%d in %.1fs", reason, remote_id(series_id),
                    attempt, attempts - 1, wait)
        policy.sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _refusal(exc: Exception, series_id: str, url: str) -> tuple[SourceError, str]:
    """The reportgen error for what fredapi raised while reading an answer, and the server's
    own message. Raised while it read a 2xx answer, it is a payload problem, not a refusal."""
    answered = exc.__context__ if isinstance(exc.__context__, urllib.error.HTTPError) else None
    if answered is None:
        return PayloadError(SOURCE, _payload_problem(exc), url), ""
    # fredapi raises the server's message as a ValueError; a body that is not XML (a proxy's
    # error page) leaves only the status.
    message = str(exc) if isinstance(exc, ValueError) else ""
    return _error_from_message(redact(message), series_id, url, answered.code), message


def _series_from_fredapi(raw: Any, series_id: str, url: str) -> pd.Series:
    """fredapi's answer (a Series by date, NaN where FRED publishes ".") in catalog units,
    every value checked as a value from any other source."""
    values: dict[pd.Timestamp, float] = {}
    for day, value in raw.items():
        when = pd.Timestamp(day) if day is not None else pd.NaT
        if when is pd.NaT:
            raise PayloadError(SOURCE, "FRED sent an observation without a date", url)
        try:
            number = parse_number(value)  # fredapi read "." as NaN; inf / 1e400 are refused
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"the observation of {when:%Y-%m-%d}: {exc}", url) \
                from None
        put_value(values, when, number, "fredapi", SOURCE, url)
    series = dated_series(series_id, values)
    check_units(series_id, series, SOURCE, url)
    return series
