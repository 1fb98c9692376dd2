"""A small HTTP layer over ``httpx.Client``: timeouts, retries, and errors a user can act on.

Every provider module goes through :class:`HttpClient`, so that the retry policy and the mapping
of failures to ``reportgen.errors`` live in one place:

=========================================  =============================================
what happened                              raised (after retries where noted)
=========================================  =============================================
connect / DNS failure, timeout             ``NetworkError`` (retried)
HTTP 429, 500, 502, 503, 504               ``HTTPStatusError`` (retried; honours Retry-After)
any other 4xx / 5xx                        ``HTTPStatusError`` (at once)
2xx with an empty body                     ``PayloadError``
2xx whose body is not JSON (``get_json``)  ``PayloadError``
=========================================  =============================================

Secrets (the FRED API key) travel only as query parameters and are scrubbed from every message
and log line: by :func:`reportgen.errors.redact` and, for keys that do not look like a FRED key,
by literal replacement of the values given in ``secrets``.
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
    """How hard to try before giving up.

    ``attempts`` counts every try (4 = the first request and three retries). The wait before
    retry *n* (1-based) is ``backoff * 2**(n-1)`` seconds, capped at ``max_backoff``; a
    ``Retry-After: <seconds>`` header replaces it, capped at ``max_retry_after``. ``sleep`` is
    injectable so tests run instantly.
    """

    attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, retry: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry_after is not None:
            try:
                # HTTP-date values would need the clock; fall back to the backoff for those.
                return max(0.0, min(float(retry_after.strip()), self.max_retry_after))
            except ValueError:
                pass
        return min(self.backoff * 2 ** (retry - 1), self.max_backoff)


DEFAULT_POLICY = RetryPolicy()


def new_client(timeout: float = DEFAULT_POLICY.timeout) -> httpx.Client:
    """An ``httpx.Client`` with reportgen's timeout, User-Agent and redirect handling."""
    return httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True)


class HttpClient:
    """GET with retries for one source (``fred`` | ``nyfed`` | ``treasury``).

    Parameters
    ----------
    source
        Name used in error messages (``SourceError.source``).
    client
        The ``httpx.Client`` to send with (tests pass one built on ``httpx.MockTransport``).
    policy
        Retry and timeout policy.
    secrets
        Values to scrub from messages and logs besides what ``redact`` already catches.

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
        """``text`` with every secret removed (FRED-looking keys and the given ``secrets``)."""
        return redact(text)

    def display_url(self, url: str | httpx.URL) -> str:
        """The URL as it may appear in messages: ``api_key`` dropped, secrets scrubbed."""
        parsed = httpx.URL(str(url))
        if "api_key" in parsed.params:
            parsed = parsed.copy_remove_param("api_key")
        return self.scrub(str(parsed))

    # -- requests ----------------------------------------------------------------------------
    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """GET ``url`` with retries; returns a 2xx response with a non-empty body."""
        request_params = {k: v for k, v in (params or {}).items() if v is not None}
        shown = self.display_url(httpx.URL(url).copy_merge_params(request_params))
        attempts = max(1, self.policy.attempts)
        for attempt in range(1, attempts + 1):
            last_try = attempt == attempts
            try:
                response = self.client.get(url, params=request_params, timeout=self.policy.timeout)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                reason = self.scrub(
                    f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                )
                # A refused connection or failed name lookup means no network far more often
                # than a blip: retry it once, not the full count, so offline is detected fast.
                if last_try or (isinstance(exc, httpx.ConnectError) and attempt >= 2):
                    raise NetworkError(
                        self.source,
                        f"cannot reach the server after {attempt} attempt(s) ({reason}). "
                        "Check the network connection, or build from the stored data with "
                        "`reportgen build --offline`.",
                        shown,
                    ) from None
                wait = self.policy.delay(attempt)
                log.warning(
                    "%s: %s on %s; retry %d/%d in %.1fs",
                    self.source,
                    reason,
                    shown,
                    attempt,
                    attempts - 1,
                    wait,
                )
                self.policy.sleep(wait)
                continue

            status = response.status_code
            if status in RETRY_STATUSES and not last_try:
                wait = self.policy.delay(attempt, response.headers.get("Retry-After"))
                log.warning(
                    "%s: HTTP %d on %s; retry %d/%d in %.1fs",
                    self.source,
                    status,
                    shown,
                    attempt,
                    attempts - 1,
                    wait,
                )
                self.policy.sleep(wait)
                continue
            if status >= 400:
                raise HTTPStatusError(
                    self.source, status, self._status_text(response, attempt), shown
                )
            if not response.content.strip():
                raise PayloadError(self.source, "the server sent an empty response", shown)
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns/raises

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``url`` and decode JSON; ``PayloadError`` if the body is not JSON."""
        response = self.get(url, params)
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PayloadError(
                self.source,
                f"the response is not valid JSON ({exc.__class__.__name__}: {exc}); it starts "
                f"with {self.excerpt(response.text)!r}",
                self.display_url(response.request.url),
            ) from None

    def excerpt(self, text: str) -> str:
        """The first characters of ``text`` on one line, scrubbed, for error messages."""
        flat = " ".join(text.split())
        if len(flat) > _BODY_EXCERPT:
            flat = flat[:_BODY_EXCERPT] + "..."
        return self.scrub(flat)

    def _status_text(self, response: httpx.Response, attempt: int) -> str:
        reason = response.reason_phrase or "error"
        body = self.excerpt(response.text) if response.content else ""
        text = reason + (f": {body}" if body else "")
        if attempt > 1:
            text += f" (gave up after {attempt} attempts)"
        if response.status_code == 429:
            text += "; the provider is rate-limiting requests, try again in a few minutes"
        return text
