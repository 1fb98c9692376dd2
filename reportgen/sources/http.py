"""A small HTTP layer over ``httpx.Client``: deadlines, retries, and errors a user can act on.

Every provider module goes through :class:`HttpClient`, so that the retry policy, the deadlines
and the mapping of failures to ``reportgen.errors`` live in one place:

==============================================  =============================================
what happened                                   raised (after retries where noted)
==============================================  =============================================
no answer: refused, DNS failure, connect or     ``NetworkError`` (retried once: a dead network
read timeout before any response                is reported in seconds, not minutes)
connection dropped mid-answer, other transport  ``NetworkError`` (retried)
the deadline passed (slow-drip server)          ``NetworkError`` (at once)
too many redirects (a captive portal)           ``NetworkError`` (at once)
HTTP 429, 500, 502, 503, 504                    ``HTTPStatusError`` (retried; honours Retry-After)
any other 4xx / 5xx                             ``HTTPStatusError`` (at once)
2xx with an empty body                          ``PayloadError``
a body that cannot be decoded (gzip claimed,    ``PayloadError``
not gzip)
2xx whose body is not JSON (``get_json``:       ``PayloadError``
also NaN/Infinity, a 5,000-digit number,
nesting past any parser's depth)
==============================================  =============================================

**Deadlines** (:class:`RetryPolicy`): connecting may take ``connect_timeout`` (5 s), each read
may wait ``read_timeout`` (10 s) for the next bytes, and one request with all its retries, waits
and body may take ``deadline`` (60 s) in all. A server that accepts the connection and never
answers (a "black hole") is asked twice, so it is reported after about 21 s; the fetch then
skips that source's other items for the rest of the run, and asks the sources after it only
once when they do not answer either (``no_answer_tries``), so a whole network that swallows
every request is reported in about 21 s plus 10 s per further source.
:meth:`RetryPolicy.worst_case` gives the bounds.

Secrets (the FRED API key) travel only as query parameters and are scrubbed from every message
and log line by :mod:`reportgen.redaction` (registered here when the client is made).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from reportgen import __version__, redaction
from reportgen.errors import HTTPStatusError, NetworkError, PayloadError, redact

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"reportgen/{__version__} (+https://github.com/; weekly Fed liquidity briefing)"
_BODY_EXCERPT = 200


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try, and for how long, before giving up.

    ``attempts`` counts every try (4 = the first request and three retries). The wait before
    retry *n* (1-based) is ``backoff * 2**(n-1)`` seconds, capped at ``max_backoff``; a
    ``Retry-After: <seconds>`` header replaces it, capped at ``max_retry_after``. A request that
    got no answer at all (refused, no DNS, connect or read timeout before a response) is tried
    only ``no_answer_tries`` times (2; the fetch lowers it to 1 once a source has proved
    unreachable). ``connect_timeout`` and ``read_timeout`` bound each network wait, ``deadline``
    one request with all its retries, waits and its body. ``sleep`` and ``clock`` are
    injectable so tests run instantly.

    Example
    -------
    >>> RetryPolicy().worst_case()["black hole"]
    21.0
    """

    attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 60.0
    no_answer_tries: int = 2
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @property
    def timeout(self) -> float:
        """The longest single network wait (for clients that take one number: fredapi's
        socket timeout)."""
        return max(self.connect_timeout, self.read_timeout)

    def httpx_timeout(self, remaining: float | None = None) -> httpx.Timeout:
        """The per-operation timeouts, never longer than ``remaining`` seconds."""
        cap = self.deadline if remaining is None else max(remaining, 0.001)
        read = min(self.read_timeout, cap)
        return httpx.Timeout(connect=min(self.connect_timeout, cap), read=read, write=read,
                             pool=min(self.connect_timeout, cap))

    def delay(self, retry: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry_after is not None:
            try:
                # HTTP-date values would need the clock; fall back to the backoff for those.
                return max(0.0, min(float(retry_after.strip()), self.max_retry_after))
            except ValueError:
                pass
        return min(self.backoff * 2 ** (retry - 1), self.max_backoff)

    def worst_case(self) -> dict[str, float]:
        """Seconds until a source is reported failed, by kind of fault (for the docs and the
        tests): a black hole (no answer), a refused connection, and anything else (the
        deadline, plus one read that started just before it)."""
        tries = max(1, min(self.no_answer_tries, self.attempts))
        waits = sum(self.delay(n) for n in range(1, tries))
        return {
            "black hole": min(tries * self.read_timeout + waits, self.deadline),
            "no answer": min(tries * (self.connect_timeout + self.read_timeout) + waits,
                             self.deadline),
            "refused": waits,
            "any": self.deadline + self.read_timeout,
        }


DEFAULT_POLICY = RetryPolicy()


def new_client(timeout: float | httpx.Timeout | None = None) -> httpx.Client:
    """An ``httpx.Client`` with reportgen's timeouts, User-Agent and redirect handling."""
    return httpx.Client(timeout=timeout if timeout is not None else
                        DEFAULT_POLICY.httpx_timeout(),
                        headers={"User-Agent": USER_AGENT}, follow_redirects=True)


class _DeadlineExceeded(Exception):
    """The request's overall deadline passed while its body was still arriving."""


# Failures that mean "no answer at all": tried twice, not ``attempts`` times.
_NO_ANSWER = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout)


class HttpClient:
    """GET with deadlines and retries for one source (``fred`` | ``nyfed`` | ``treasury``).

    Parameters
    ----------
    source
        Name used in error messages (``SourceError.source``).
    client
        The ``httpx.Client`` to send with (tests pass one built on ``httpx.MockTransport``).
    policy
        Retries, timeouts and the deadline.
    secrets
        Values to scrub from messages and logs (registered with :mod:`reportgen.redaction`).

    Example
    -------
    >>> http = HttpClient("nyfed", new_client())                        # doctest: +SKIP
    >>> http.get_json("https://markets.newyorkfed.org/api/soma/summary.json")  # doctest: +SKIP
    """

    def __init__(
        self,
        source: str,
        client: httpx.Client,
        policy: RetryPolicy = DEFAULT_POLICY,
        secrets: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.client = client
        self.policy = policy
        self.secrets = tuple(s for s in secrets if s)
        redaction.register_all(self.secrets)

    # -- helpers -----------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with every secret removed (see :mod:`reportgen.redaction`)."""
        return redact(text)

    def display_url(self, url: str | httpx.URL) -> str:
        """The URL as it may appear in messages: ``api_key`` dropped, secrets scrubbed."""
        parsed = httpx.URL(str(url))
        if "api_key" in parsed.params:
            parsed = parsed.copy_remove_param("api_key")
        return self.scrub(str(parsed))

    # -- requests ----------------------------------------------------------------------------
    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """GET ``url`` with retries within the deadline; returns a 2xx response with a
        non-empty body (read in full)."""
        request_params = {k: v for k, v in (params or {}).items() if v is not None}
        shown = self.display_url(httpx.URL(url).copy_merge_params(request_params))
        policy = self.policy
        began = policy.clock()
        attempts = max(1, policy.attempts)
        for attempt in range(1, attempts + 1):
            last_try = attempt == attempts
            remaining = policy.deadline - (policy.clock() - began)
            try:
                response = self._send(url, request_params, remaining)
            except httpx.DecodingError as exc:
                raise PayloadError(
                    self.source,
                    f"the response body cannot be decoded ({self.scrub(str(exc))}); the server "
                    "says it is compressed (gzip) but it is not. Try again later; if it "
                    "persists the provider or a proxy in between is at fault",
                    shown,
                ) from None
            except httpx.TooManyRedirects:
                raise NetworkError(
                    self.source,
                    "the server redirected too many times (a redirect loop, often a captive "
                    "portal or a proxy login page). Check the network connection, or build "
                    "from the stored data with `reportgen build --offline`.",
                    shown,
                ) from None
            except _DeadlineExceeded:
                raise NetworkError(self.source, self._deadline_text(attempt), shown) from None
            except httpx.HTTPError as exc:  # timeouts and every other transport failure
                reason = self.scrub(
                    f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                )
                wait = policy.delay(attempt)
                # No answer at all (refused, no DNS, a black hole) means no network far more
                # often than a blip: retry it once, not the full count, so it is found fast.
                gave_up = last_try or (isinstance(exc, _NO_ANSWER)
                                       and attempt >= policy.no_answer_tries)
                if gave_up or self._past_deadline(began, wait):
                    raise NetworkError(
                        self.source,
                        f"cannot reach the server after {attempt} attempt(s) in "
                        f"{policy.clock() - began:.0f} s ({reason}). Check the network "
                        "connection, or build from the stored data with "
                        "`reportgen build --offline`.",
                        shown,
                    ) from None
                log.warning(
                    "%s: %s on %s; retry %d/%d in %.1fs",
                    self.source,
                    reason,
                    shown,
                    attempt,
                    attempts - 1,
                    wait,
                )
                policy.sleep(wait)
                continue

            status = response.status_code
            if status in RETRY_STATUSES and not last_try:
                wait = policy.delay(attempt, response.headers.get("Retry-After"))
                if not self._past_deadline(began, wait):
                    log.warning(
                        "%s: HTTP %d on %s; retry %d/%d in %.1fs",
                        self.source,
                        status,
                        shown,
                        attempt,
                        attempts - 1,
                        wait,
                    )
                    policy.sleep(wait)
                    continue
            if status >= 400:
                raise HTTPStatusError(
                    self.source, status, self._status_text(response, attempt), shown
                )
            if not response.content.strip():
                raise PayloadError(self.source, "the server sent an empty response", shown)
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns/raises

    def _send(self, url: str, params: Mapping[str, Any], remaining: float) -> httpx.Response:
        """One GET whose body is read in full before ``remaining`` seconds pass (a server
        dripping one byte per read timeout is cut off there)."""
        if remaining <= 0:
            raise _DeadlineExceeded
        until = self.policy.clock() + remaining
        request = self.client.build_request(
            "GET", url, params=params, timeout=self.policy.httpx_timeout(remaining))
        response = self.client.send(request, stream=True)
        try:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if self.policy.clock() > until:
                    raise _DeadlineExceeded
        finally:
            response.close()
        # The body is decoded now: the copy carries it without the encoding headers.
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length",
                                        "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                              request=response.request, extensions=response.extensions)

    def _past_deadline(self, began: float, wait: float) -> bool:
        """True when waiting ``wait`` seconds and trying again could not finish in time."""
        return self.policy.clock() - began + wait >= self.policy.deadline

    def _deadline_text(self, attempt: int) -> str:
        return (f"no complete answer within {self.policy.deadline:g} s ({attempt} attempt(s)); "
                "the server is too slow or the network is failing. Try again later, or build "
                "from the stored data with `reportgen build --offline`.")

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``url`` and decode JSON; ``PayloadError`` if the body is not JSON."""
        response = self.get(url, params)
        try:
            return json.loads(response.content, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            # JSONDecodeError and UnicodeDecodeError are ValueErrors; so are NaN / Infinity
            # (refused: not JSON, and they would pass for data) and an integer past Python's
            # 4,300-digit limit. RecursionError: nesting deeper than the parser can follow.
            why = (f"{exc.__class__.__name__}: {exc}" if not isinstance(exc, RecursionError)
                   else "nested too deeply")
            raise PayloadError(
                self.source,
                f"the response is not valid JSON ({why[:200]}); it starts with "
                f"{self.excerpt(response.text)!r}",
                self.display_url(response.request.url),
            ) from None

    def excerpt(self, text: str) -> str:
        """The first characters of ``text`` on one line, scrubbed, for error messages."""
        # Scrubbed before it is cut: a key straddling the cut must not leave its first half.
        flat = " ".join(self.scrub(text).split())
        if len(flat) > _BODY_EXCERPT:
            flat = flat[:_BODY_EXCERPT] + "..."
        return flat

    def _status_text(self, response: httpx.Response, attempt: int) -> str:
        reason = response.reason_phrase or "error"
        body = self.excerpt(response.text) if response.content else ""
        text = reason + (f": {body}" if body else "")
        if attempt > 1:
            text += f" (gave up after {attempt} attempts)"
        if response.status_code == 429:
            text += "; the provider is rate-limiting requests, try again in a few minutes"
        return text


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value (a number must be finite)")
