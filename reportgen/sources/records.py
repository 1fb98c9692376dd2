"""Turning raw records (JSON objects or CSV rows, all values as text) into typed columns.

Every provider sends numbers as strings and spells "missing" its own way: FRED ``"."``, Fiscal
Data ``"null"``, NY Fed ``"*"`` (suppressed) or ``""``. One function decides what a missing value
is, so that a new spelling is added once and nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

MISSING_TOKENS = frozenset({"", ".", "null", "none", "nan", "*", "nd", "n/a", "na"})

Kind = Literal["date", "num", "int", "text", "bool"]


class ValueParseError(ValueError):
    """A single value could not be parsed; the caller adds the file/URL and line/record."""


def parse_number(raw: Any) -> float | None:
    """A published number as float; None for any missing-value token.

    >>> parse_number("7681024"), parse_number("."), parse_number("null"), parse_number("1,250.5")
    (7681024.0, None, None, 1250.5)
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueParseError(f"expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        return None if isinstance(raw, float) and math.isnan(raw) else float(raw)
    text = str(raw).strip()
    if text.lower() in MISSING_TOKENS:
        return None
    try:
        value = float(text.replace(",", "").rstrip("%"))
    except ValueError:
        raise ValueParseError(f"expected a number, got {text!r}") from None
    if math.isnan(value) or math.isinf(value):
        return None
    return value


def parse_date(raw: Any) -> str:
    """An ISO date string (``YYYY-MM-DD``) from ``2025-01-08``, ``2025-01-08T00:00:00`` or
    ``01/08/2025``."""
    text = str(raw or "").strip()
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10]).isoformat()
        if "/" in text:
            month, day, year = (int(p) for p in text.split("/"))
            return date(year, month, day).isoformat()
    except (ValueError, IndexError):
        pass
    raise ValueParseError(f"expected a date like 2025-01-08, got {text!r}")


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
