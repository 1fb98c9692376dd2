"""Keeping secrets (the FRED API key) out of every message, log record and stored text.

There is one scrubber, :func:`scrub`, used at the two places text leaves reportgen:

* the error mapping: every :class:`reportgen.errors.ReportgenError` message passes through it
  (via ``errors.redact``), and so does what the fetch log stores;
* logging: :func:`install` puts a record factory in place that scrubs every record when it is
  made (message, arguments, traceback and stack text), whichever logger made it. A filter on the
  ``reportgen`` logger alone would miss records of its children (logger filters do not apply to
  propagated records) and of httpx, which logs every request URL at INFO.

A secret is registered once (:func:`register`, called when the settings are loaded and when a
fetch starts) and is then removed in every form it can take on the way back to us, in any
letter case: as given, decoded by a server (``+`` read as a space, ``%xx`` unescaped) or an XML
parser (tabs and newlines read as spaces), with its whitespace folded (error excerpts join
whitespace runs into one space), one line of it, and each of those URL-quoted (``quote`` /
``quote_plus``) or escaped by ``repr`` / JSON (a tab shown as ``\\t``). Any run of
:data:`WINDOW` (8) characters of any of these forms is masked too, so a key cut off by a
truncated message leaks no prefix either. Tests drive every failure path with a key holding a
space, a tab, a newline, ``+``, ``%``, ``/`` and URL-encoded sequences, and search every output
for it (tests/test_faults.py).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
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
_lock = threading.Lock()
_variants: tuple[str, ...] = ()  # every form of every registered secret, longest first
_pattern: re.Pattern[str] | None = None  # the forms and every run of WINDOW of their characters
_installed = False

#: A run of this many characters of a secret (in any of its forms) is masked wherever it
#: appears: a key cut off by a truncated message ("Zq7Sentinel+Mid4...") leaks no prefix.
WINDOW = 8

# Ways text holding a key comes back decoded: by a server (percent escapes, '+' as a space),
# by an XML parser (tabs and newlines in attributes as spaces), by a log line or an excerpt
# (whitespace runs folded, one line of it).
_DECODERS: tuple[Callable[[str], str], ...] = (
    str.strip, unquote, unquote_plus, lambda t: t.replace("+", " "),
    lambda t: " ".join(t.split()), lambda t: re.sub(r"[\t\n\r]", " ", t),
)
# ... and encoded: URL-quoted by a client (httpx, urllib), escaped by repr or JSON.
_ENCODERS: tuple[Callable[[str], str], ...] = (
    lambda t: quote(t, safe=""), quote, lambda t: quote(t, safe="/:@!$&'()*+,;="), quote_plus,
    lambda t: quote_plus(t, safe="/:@"), lambda t: repr(t)[1:-1],
    lambda t: json.dumps(t)[1:-1], lambda t: json.dumps(t, ensure_ascii=False)[1:-1],
)


def variants(secret: str) -> set[str]:
    """The forms ``secret`` can take in text that comes back to us (see the module docstring):
    decoded up to twice, then encoded once; each line of a multi-line secret too."""
    bases = {secret}
    for _ in range(2):
        bases |= {decode(b) for b in bases for decode in _DECODERS}
    bases |= {line.strip() for b in list(bases) for line in b.splitlines()}
    forms = bases | {encode(b) for b in bases for encode in _ENCODERS}
    # A form shorter than 4 characters would mask ordinary words; such a "key" is refused by FRED
    # anyway, and the api_key= pattern still hides it in URLs.
    return {f for f in forms if len(f.strip()) >= 4}


def _compile(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern: every form, then every run of WINDOW characters of the
    longer forms (longest alternatives first, so a whole form is masked as one)."""
    if not forms:
        return None
    windows = {f[i:i + WINDOW] for f in forms if len(f) > WINDOW
               for i in range(len(f) - WINDOW + 1)}
    windows = {w for w in windows if len(w.strip()) == WINDOW}
    alternatives = sorted(set(forms) | windows, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alternatives), re.IGNORECASE)


def register(secret: str | None) -> None:
    """Remember ``secret`` so that :func:`scrub` removes it from now on (idempotent)."""
    global _variants, _pattern
    if not secret:
        return
    with _lock:
        known = set(_variants) | variants(secret)
        if known == set(_variants):
            return
        _variants = tuple(sorted(known, key=len, reverse=True))
        _pattern = _compile(_variants)


def register_all(secrets: Iterable[str | None]) -> None:
    for secret in secrets:
        register(secret)


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    global _variants, _pattern
    with _lock:
        _variants = ()
        _pattern = None


def scrub(text: str) -> str:
    """``text`` with every registered secret (in every form, any letter case, or a run of
    :data:`WINDOW` of its characters) and anything key-like replaced by ``***``."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None and (spans := _spans(pattern, text)):
        pieces, at = [], 0
        for start, end in spans:
            pieces += [text[at:start], MASK]
            at = end
        text = "".join(pieces) + text[at:]
    for pattern_, replacement in _KEY_PATTERNS:
        text = pattern_.sub(replacement, text)
    return text


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where ``pattern`` matches in ``text``, overlapping matches merged: runs of a secret's
    characters that overlap cover it all (a plain substitution would resume after the first
    run and leave the next few characters)."""
    merged: list[tuple[int, int]] = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start, end = match.span()
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
        position = start + 1
    return merged


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
