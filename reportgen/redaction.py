"""Keeping secrets (the FRED API key) out of every message, log record and stored text.

There is one scrubber, :func:`scrub`, used at the two places text leaves reportgen:

* the error mapping: every :class:`reportgen.errors.ReportgenError` message passes through it
  (via ``errors.redact``), and so does what the fetch log stores;
* logging: :func:`install` puts a record factory in place that scrubs every record when it is
  made (message, arguments, traceback and stack text), whichever logger made it. A filter on the
  ``reportgen`` logger alone would miss records of its children (logger filters do not apply to
  propagated records) and of httpx, which logs every request URL at INFO.

A secret is registered once (:func:`register`, called when the settings are loaded and when a
fetch starts) and is then removed in every form it can take on the way back to us: as given,
URL-quoted (``quote`` / ``quote_plus``, upper- or lower-case escapes), decoded by a server
(``+`` read as a space, ``%xx`` unescaped), escaped by ``repr`` / JSON (a tab shown as ``\\t``) and
with its whitespace folded (error excerpts join whitespace runs into one space).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MASK = "***"

# Anything that looks like a FRED key (32 lowercase hex) or an api_key= query value, even when the
# secret itself was never registered (a key typed into a URL by hand, say).
_KEY_PATTERNS = (
    (re.compile(r"(api_key(?:=|%3D)|\"api_key\"\s*:\s*\")[^&\s\"'<>]+", re.IGNORECASE),
     r"\1" + MASK),
    (re.compile(r"\b[0-9a-f]{32}\b"), MASK),
)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")

_lock = threading.Lock()
_variants: tuple[str, ...] = ()  # every form of every registered secret, longest first
_installed = False


def variants(secret: str) -> set[str]:
    """The forms ``secret`` can take in text that comes back to us (see the module docstring)."""
    forms = {secret, secret.strip()}
    for base in list(forms):
        forms.update({
            quote(base, safe=""), quote(base), quote(base, safe="/:@!$&'()*+,;="),
            quote_plus(base), quote_plus(base, safe="/:@"),
            unquote(base), unquote_plus(base),
            repr(base)[1:-1], json.dumps(base)[1:-1], json.dumps(base, ensure_ascii=False)[1:-1],
            " ".join(base.split()), base.replace("+", " "),
        })
    # Percent escapes may come back in either case.
    for form in list(forms):
        if "%" in form:
            forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), form))
            forms.add(_PERCENT.sub(lambda m: m.group(0).upper(), form))
    # A form shorter than 4 characters would mask ordinary words; such a "key" is refused by FRED
    # anyway, and the api_key= pattern still hides it in URLs.
    return {f for f in forms if len(f.strip()) >= 4}


def register(secret: str | None) -> None:
    """Remember ``secret`` so that :func:`scrub` removes it from now on (idempotent)."""
    global _variants
    if not secret:
        return
    with _lock:
        known = set(_variants) | variants(secret)
        _variants = tuple(sorted(known, key=len, reverse=True))


def register_all(secrets: Iterable[str | None]) -> None:
    for secret in secrets:
        register(secret)


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    global _variants
    with _lock:
        _variants = ()


def scrub(text: str) -> str:
    """``text`` with every registered secret and anything key-like replaced by ``***``."""
    if not text:
        return text
    for form in _variants:
        if form in text:
            text = text.replace(form, MASK)
    for pattern, replacement in _KEY_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_value(value: Any) -> Any:
    return scrub(value) if isinstance(value, str) else value


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Scrub ``record`` in place: the message is formatted now (arguments can be URLs or
    exceptions holding the key) and the traceback turned into scrubbed text, so no handler ever
    formats the raw exception again."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must still be logged, and scrubbed
        message = f"{record.msg!r} % {record.args!r}"
    record.msg = scrub(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        record.exc_text = scrub(text)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs each record; for handlers reportgen's CLI sets up, so that
    records made before :func:`install` ran are scrubbed too."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def install() -> None:
    """Scrub every log record when it is made, for every logger (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return scrub_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
    logging.getLogger("reportgen").addFilter(RedactingFilter())


def protect_handlers(logger: logging.Logger | None = None) -> None:
    """Add a :class:`RedactingFilter` to the handlers of ``logger`` (default: the root)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
