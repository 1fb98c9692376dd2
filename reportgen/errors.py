"""The exceptions reportgen raises, each saying what failed and what to do.

Hierarchy::

    ReportgenError                 base: every failure a user can act on
    ├── ConfigError                a setting or reportgen.toml value is invalid
    ├── StoreError                 the SQLite store cannot be opened, read or written
    ├── ImportFileError            a local CSV cannot be read (names the file and line)
    ├── SourceError                a remote source failed; carries the source and URL (key redacted)
    │   ├── NetworkError           no connection / DNS failure / timeout after retries
    │   ├── HTTPStatusError        the server answered 4xx/5xx (after retries for 429/5xx)
    │   ├── PayloadError           the response parsed but its shape or content is wrong
    │   └── SeriesNotFoundError    the provider says the series does not exist
    ├── UnitError                  a value's unit does not match the catalog
    ├── DataUnavailableError       the analysis needs data the store does not hold
    └── RenderError                charts, templates, PDF or site writing failed

The CLI maps every ``ReportgenError`` to ``Error: <message>`` and exit code 1; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

from reportgen import redaction

# Every message and every log record is scrubbed of registered secrets and anything key-like.
redaction.install()


def redact(text: str) -> str:
    """Remove API keys from ``text`` so that messages and logs never carry them (see
    :mod:`reportgen.redaction`: registered secrets in every encoding, plus key-like text)."""
    return redaction.scrub(text)


class ReportgenError(Exception):
    """Base class: a failure with a message a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(ReportgenError):
    """Raised when a setting (flag, environment variable or reportgen.toml) is invalid."""


class StoreError(ReportgenError):
    """Raised when the SQLite store cannot be opened, read or written."""


class ImportFileError(ReportgenError):
    """Raised when a local CSV file cannot be imported; names the file and the line."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"cannot import {where}: {reason}")
        self.path = redact(path)
        self.line = line
        self.reason = redact(reason)


class SourceError(ReportgenError):
    """Raised when fetching from a remote source fails. ``source`` is fred|nyfed|treasury."""

    def __init__(self, source: str, message: str, url: str | None = None) -> None:
        text = f"{source}: {message}"
        if url:
            text += f" (URL: {url})"
        super().__init__(text)
        self.source = source
        self.url = redact(url) if url else None


class NetworkError(SourceError):
    """Raised when the host cannot be reached (no network, DNS failure, repeated timeouts)."""


class HTTPStatusError(SourceError):
    """Raised when the server answers with an error status (after retrying 429 and 5xx)."""

    def __init__(self, source: str, status: int, message: str, url: str | None = None) -> None:
        super().__init__(source, f"HTTP {status}: {message}", url)
        self.status = status


class PayloadError(SourceError):
    """Raised when a response arrives but its shape or content is not what the API documents."""


class SeriesNotFoundError(SourceError):
    """Raised when the provider says the requested series does not exist."""


class UnitError(ReportgenError):
    """Raised when a value's unit disagrees with the catalog (billions where millions expected)."""


class DataUnavailableError(ReportgenError):
    """Raised when an analysis needs data that the store does not hold for the requested date."""


class RenderError(ReportgenError):
    """Raised when charts, templates, the PDF or the site cannot be produced."""
