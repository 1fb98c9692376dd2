"""Turning raw records (JSON objects or CSV rows, all values as text) into typed columns.

Every provider sends numbers as strings and spells "missing" its own way: FRED ``"."``, Fiscal
Data ``"null"``, NY Fed ``"*"`` (suppressed) or ``""``. One function decides what a missing value
is, so that a new spelling is added once and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reportgen.sources import validate

# Re-exported: importers catch ``records.ValueParseError`` and test ``records.MISSING_TOKENS``.
from reportgen.sources.validate import MISSING_TOKENS as MISSING_TOKENS
from reportgen.sources.validate import ValueParseError as ValueParseError

Kind = Literal["date", "num", "int", "text", "bool"]


def parse_number(raw: Any) -> float | None:
    """A published number as a finite float; None for any missing-value token (strict: see
    :func:`reportgen.sources.validate.number`).

    >>> parse_number("7681024"), parse_number("."), parse_number("null"), parse_number("1,250.5")
    (7681024.0, None, None, 1250.5)
    """
    return validate.number(raw)


def parse_date(raw: Any) -> str:
    """An ISO date string (``YYYY-MM-DD``) from ``2025-01-08``, ``2025-01-08T00:00:00`` or
    ``01/08/2025`` (strict: see :func:`reportgen.sources.validate.iso_date`)."""
    return validate.iso_date(raw)


def parse_bool(raw: Any) -> int | None:
    text = str(raw or "").strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return 1
    if text in {"no", "n", "false", "0"}:
        return 0
    if text in MISSING_TOKENS:
        return None
    raise ValueParseError(f"expected Yes/No, got {raw!r}")


def parse_text(raw: Any) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return None if text.lower() in {"", "null"} else text


def parse_int(raw: Any) -> int | None:
    value = parse_number(raw)
    return None if value is None else int(value)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "date": parse_date,
    "num": parse_number,
    "int": parse_int,
    "text": parse_text,
    "bool": parse_bool,
}


@dataclass(frozen=True)
class Field:
    """One canonical column: its type, whether it is required, and the source names it takes."""

    name: str
    kind: Kind
    aliases: tuple[str, ...]
    required: bool = False


def resolve_columns(available: list[str], fields: list[Field]) -> dict[str, str]:
    """Map canonical names to the first alias present in ``available`` (case-insensitive)."""
    lower = {c.strip().lower(): c for c in available}
    mapping: dict[str, str] = {}
    for f in fields:
        for alias in (f.name, *f.aliases):
            if alias.lower() in lower:
                mapping[f.name] = lower[alias.lower()]
                break
    return mapping


def missing_required(mapping: Mapping[str, str], fields: list[Field]) -> list[str]:
    return [f.name for f in fields if f.required and f.name not in mapping]


def convert_record(
    record: Mapping[str, Any], mapping: Mapping[str, str], fields: list[Field]
) -> dict[str, Any]:
    """Typed canonical record from a raw one; raises ValueParseError naming the column."""
    out: dict[str, Any] = {}
    for f in fields:
        source_name = mapping.get(f.name)
        if source_name is None:
            continue
        raw = record.get(source_name)
        try:
            value = _PARSERS[f.kind](raw)
        except ValueParseError as exc:
            raise ValueParseError(f"column {source_name!r}: {exc}") from None
        if value is None and f.required:
            raise ValueParseError(f"column {source_name!r} is empty but required")
        out[f.name] = value
    return out
