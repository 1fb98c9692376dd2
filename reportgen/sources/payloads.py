"""Walking JSON payloads and typing their records, with errors that name the field and URL.

The CSV importer types rows with ``records.convert_record``; API payloads need two things more:
a missing optional value (``"null"``, ``""``, ``"*"`` or an absent key) must become ``None`` for
every kind, dates included, and a failure must say which URL sent the bad record. Both happen
here, on top of the parsers in ``records`` so that "what counts as missing" is still decided in
one place (``records.MISSING_TOKENS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from reportgen.errors import PayloadError
from reportgen.sources import validate
from reportgen.sources.records import (
    MISSING_TOKENS,
    Field,
    ValueParseError,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_text,
    resolve_columns,
)

_PARSERS = {
    "date": parse_date,
    "num": parse_number,
    "int": parse_int,
    "text": parse_text,
    "bool": parse_bool,
}


def is_missing(raw: Any) -> bool:
    """True for ``None`` and every published spelling of "no value"."""
    return raw is None or (isinstance(raw, str) and raw.strip().lower() in MISSING_TOKENS)


def dig(payload: Any, path: Sequence[str], source: str, url: str) -> Any:
    """``payload[path[0]][path[1]]...``; PayloadError naming the missing key and the URL.

    >>> dig({"repo": {"operations": []}}, ("repo", "operations"), "nyfed", "u")
    []
    """
    node = payload
    walked: list[str] = []
    for key in path:
        walked.append(key)
        if not isinstance(node, Mapping) or key not in node:
            raise PayloadError(
                source,
                f"the response has no '{'.'.join(walked)}' (expected "
                f"{'.'.join(path)}); the API may have changed its format",
                url,
            )
        node = node[key]
    return node


def record_list(
    payload: Any, path: Sequence[str], source: str, url: str
) -> list[Mapping[str, Any]]:
    """The list of JSON objects at ``path`` (``None`` counts as an empty list)."""
    rows = dig(payload, path, source, url)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise PayloadError(source, f"'{'.'.join(path)}' is not a list of records", url)
    return rows


def records_frame(
    rows: Sequence[Mapping[str, Any]], fields: list[Field], source: str, url: str
) -> pd.DataFrame:
    """Typed canonical columns from JSON records (one DataFrame column per field found).

    Aliases are resolved on the union of keys, so a field present in some records only is
    kept (missing elsewhere -> ``None``). A required field absent from every record, or empty in
    one, is a :class:`PayloadError` naming the field, the record and the URL.
    """
    columns = [f.name for f in fields]
    if not rows:
        return pd.DataFrame(columns=columns)
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    mapping = resolve_columns(list(keys), fields)
    absent = [f.name for f in fields if f.required and f.name not in mapping]
    if absent:
        raise PayloadError(
            source,
            f"required field(s) {', '.join(absent)} missing from the records; the API may "
            "have changed its format",
            url,
        )
    out: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        typed: dict[str, Any] = {}
        for f in fields:
            name = mapping.get(f.name)
            raw = row.get(name) if name is not None else None
            if is_missing(raw):
                if f.required:
                    raise PayloadError(
                        source, f"record {number}: required field {name!r} is empty", url
                    )
                typed[f.name] = None
                continue
            try:
                typed[f.name] = _PARSERS[f.kind](raw)
            except ValueParseError as exc:
                raise PayloadError(source, f"record {number}, field {name!r}: {exc}", url) from None
        out.append(typed)
    return pd.DataFrame.from_records(out, columns=columns)


def value_or_none(raw: Any, what: str, source: str, url: str) -> float | None:
    """One number from a payload; ``None`` when published as missing; PayloadError otherwise."""
    try:
        return parse_number(raw)
    except ValueParseError as exc:
        raise PayloadError(source, f"{what}: {exc}", url) from None


def put_value(values: dict[pd.Timestamp, float], day: pd.Timestamp, value: float | None,
              where: str, source: str, url: str) -> None:
    """``values[day] = value`` (NaN for None), refusing a date that comes twice with different
    values: keeping either would be a guess. The same value twice (overlapping pages) is fine.
    """
    number = float("nan") if value is None else value
    if day in values:
        before = values[day]
        same = before == number or (before != before and number != number)  # NaN == NaN
        if not same:
            raise PayloadError(
                source,
                f"{where}: the date {day:%Y-%m-%d} comes twice with different values "
                f"({before:g} then {number:g}); the response is inconsistent, try again later",
                url,
            )
    values[day] = number


def dated_series(series_id: str, values: Mapping[pd.Timestamp, float]) -> pd.Series:
    """``values`` as a float series sorted on a DatetimeIndex named ``date`` (the shape every
    source returns; empty when ``values`` is)."""
    series = pd.Series(dict(values), dtype="float64", name=series_id).sort_index()
    series.index = pd.DatetimeIndex(series.index, name="date")
    return series


def check_units(series_id: str, values: pd.Series, source: str, url: str | None = None) -> None:
    """Raise ``UnitError`` if any value lies outside its plausible range on its date
    (:func:`reportgen.sources.validate.check_series`: the catalog's range and the era's floor).

    A value out of range means the provider changed its unit (e.g. H.4.1 in billions where
    millions are expected: 6,587 instead of 6,587,034), not that the economy moved.

    Example: ``check_units("WALCL", pd.Series([6587.0]), "fred")`` raises UnitError.
    """
    validate.check_series(series_id, values, validate.payload_where(source, url))
