"""The one input-validation layer: every value that enters the store passes these checks.

Every importer and payload parser types its values here (through ``records.parse_number`` /
``records.parse_date``, which delegate to :func:`number` and :func:`iso_date`) and checks what
it parsed here before anything is written:

===========================  ===================================================================
check                        refuses
===========================  ===================================================================
:func:`iso_date`             anything but ``YYYY-MM-DD`` (a time may follow) or ``M/D/YYYY``
                             with a four-digit year: ``1/2/3`` is not year 3
:func:`number`               ``inf``, ``1e400`` (overflows to inf), ``NaN`` spelled out, and
                             commas that are not thousands separators (``1,5`` is not 15)
:func:`check_series`         values outside the series' plausible range (both bounds, with
                             floors that rise over time: reserves in billions, 3,000 where
                             millions are expected, are refused for every year since 2009)
:func:`check_table`          table columns outside their plausible range (both bounds), and
                             the same record key twice with different values
:func:`check_parsed_file`    a file named for one series (``EFFR.csv``) holding another
                             (``date,rate`` is SOFR); conflicting duplicates, with the line
===========================  ===================================================================

Range failures raise :class:`~reportgen.errors.UnitError` (payloads) or
:class:`~reportgen.errors.ImportFileError` (files), naming the value, its date or line and what to
do; nothing is stored for the call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from reportgen import catalog
from reportgen.errors import ImportFileError, PayloadError, UnitError

if TYPE_CHECKING:
    from reportgen.sources.csvfiles import ParsedFile

#: Every published spelling of "no value" (FRED ".", Fiscal Data "null", NY Fed "*" or "").
#: "nan" is not one: no publisher writes it, and a file that does holds a computation's result.
MISSING_TOKENS = frozenset({"", ".", "null", "none", "*", "nd", "n/a", "na"})


class ValueParseError(ValueError):
    """A single value could not be parsed; the caller adds the file/URL and line/record."""


# -- single values --------------------------------------------------------------------------------
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: [0-9:.APMapm ]*)?$")
# Dates outside these years are typos (a two-digit year, 2099), not data.
_FIRST_YEAR, _LAST_YEAR = 1900, 2200


def shown(raw: Any, limit: int = 40) -> str:
    """``raw`` quoted for a message, cut to ``limit`` characters: a 5,000-digit "number" must
    not flood the terminal or the fetch log."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 128:
        return f"an integer of about {int(raw.bit_length() * 0.30103)} digits"
    text = repr(raw) if isinstance(raw, str | int | float) else repr(str(raw))
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters)"
    return text


def number(raw: Any) -> float | None:
    """A published number as a finite float; ``None`` for a missing-value token.

    >>> number("7681024"), number("."), number("1,250.5"), number("4.33%")
    (7681024.0, None, 1250.5, 4.33)
    >>> number("1,5")
    Traceback (most recent call last):
    reportgen.sources.validate.ValueParseError: '1,5' is not a number: a comma may only ...
    """
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return None
    if isinstance(raw, bool):
        raise ValueParseError(f"expected a number, got {raw!r}")
    if isinstance(raw, int | float | np.integer | np.floating):
        try:
            value = float(raw)
        except OverflowError:  # an integer past float's range (10**400)
            raise ValueParseError(f"{shown(raw)} is not a finite number") from None
        if math.isnan(value):
            return None  # a JSON null already turned into NaN by a reader
        if not math.isfinite(value):
            raise ValueParseError(f"{shown(raw)} is not a finite number")
        return value
    if not isinstance(raw, str):
        raise ValueParseError(f"expected a number, got {type(raw).__name__} {shown(raw)}")
    text = str(raw).strip()
    if text.lower() in MISSING_TOKENS:
        return None
    body = text[:-1].strip() if text.endswith("%") else text
    if "," in body:
        if not _THOUSANDS.match(body):
            raise ValueParseError(
                f"{shown(text)} is not a number: a comma may only separate thousands (1,250.5); "
                "decimal commas (1,5) are not read, write the file with a decimal point")
        body = body.replace(",", "")
    if body.lower().lstrip("+-") in {"inf", "infinity", "nan"}:
        raise ValueParseError(f"{shown(text)} is not a finite number (write missing values as "
                              "an empty cell)")
    if not _PLAIN.match(body):
        raise ValueParseError(f"expected a number, got {shown(text)}")
    value = float(body)
    if not math.isfinite(value):
        raise ValueParseError(f"{shown(text)} is not a finite number")
    return value


def iso_date(raw: Any) -> str:
    """An ISO date string from ``2025-01-08``, ``2025-01-08T00:00:00`` or ``01/08/2025``.

    >>> iso_date("2025-01-08T00:00:00"), iso_date("1/8/2025")
    ('2025-01-08', '2025-01-08')
    >>> iso_date("1/2/3")
    Traceback (most recent call last):
    reportgen.sources.validate.ValueParseError: expected a date like 2025-01-08, got '1/2/3'
    """
    text = str(raw if raw is not None else "").strip()
    parts: tuple[int, int, int] | None = None
    if match := _ISO.match(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _US.match(text):
        parts = (int(match[3]), int(match[1]), int(match[2]))
    if parts is not None and _FIRST_YEAR <= parts[0] <= _LAST_YEAR:
        try:
            return date(*parts).isoformat()
        except ValueError:
            pass
    raise ValueParseError(f"expected a date like 2025-01-08, got {shown(text)}")


# -- series ranges ---------------------------------------------------------------------------------
#: Floors that apply from a date on, in catalog units: (from, lowest plausible value). Reserves
#: were $3-10bn before 2008 but never below $600bn since 2009, so one fixed floor cannot catch a
#: file in billions; a floor per era can. Each floor sits far below the lowest published value
#: of its era (real H.4.1 history 2002-2026) and far above the same figure in billions.
SERIES_FLOORS: Mapping[str, tuple[tuple[date, float], ...]] = {
    "WRESBAL": ((date(2009, 1, 1), 200_000.0),),
    "WSHOMCB": ((date(2010, 6, 1), 300_000.0),),
    "WSHONBNL": ((date(2015, 1, 1), 500_000.0),),
    "WSHOBL": ((date(2020, 1, 1), 30_000.0),),
    "WTREGEN": ((date(2016, 1, 1), 5_000.0),),
    "WDTGAL": ((date(2016, 1, 1), 5_000.0),),
    "TGA_DTS": ((date(2016, 1, 1), 5_000.0),),
    # SOMA, USD billions: notes and bonds never under $400bn since 2003, MBS over $800bn since
    # mid-2010; the API sends dollars, so a unit slip is a factor of a thousand or more.
    "SOMA_NOTESBONDS": ((date(2003, 1, 1), 200.0),),
    "SOMA_MBS": ((date(2010, 6, 1), 300.0),),
}
#: Series that may be zero (the Fed held no bills in 2012-18) but never a sliver of a unit: the
#: smallest nonzero value published is $0.1bn, so $195 in billions (dollars read as billions
#: and scaled twice) is a unit error.
SERIES_NONZERO_MIN: Mapping[str, float] = {"SOMA_BILLS": 0.05}


def series_range(series_id: str, day: pd.Timestamp | date) -> tuple[float, float]:
    """The plausible (low, high) of ``series_id`` on ``day``: the catalog's range, raised by the
    floor of the era."""
    low, high = catalog.series(series_id).plausible
    when = pd.Timestamp(day).date()
    for start, floor in SERIES_FLOORS.get(series_id, ()):
        if when >= start:
            low = max(low, floor)
    return low, high


def series_violation(series_id: str, values: pd.Series) -> tuple[pd.Timestamp, float, str] | None:
    """The first value of ``values`` that is not finite or outside its plausible range, with the
    reason; None when all are fine."""
    spec = catalog.series(series_id)
    present = values.dropna()
    if present.empty:
        return None
    numbers = present.to_numpy(dtype="float64")
    index = pd.DatetimeIndex(present.index)
    lows = np.full(len(numbers), spec.plausible[0])
    for start, floor in SERIES_FLOORS.get(series_id, ()):
        lows[index >= pd.Timestamp(start)] = np.maximum(lows[index >= pd.Timestamp(start)], floor)
    bad = ~np.isfinite(numbers) | (numbers < lows) | (numbers > spec.plausible[1])
    sliver = SERIES_NONZERO_MIN.get(series_id)
    if sliver is not None:
        bad |= (numbers != 0) & (np.abs(numbers) < sliver)
    if not bad.any():
        return None
    at = int(np.argmax(bad))
    low, high = lows[at], spec.plausible[1]
    if not np.isfinite(numbers[at]):
        return index[at], float(numbers[at]), "not a finite number"
    zero = f", or 0 (nothing below {sliver:g} otherwise)" if sliver is not None else ""
    return (index[at], float(numbers[at]), f"outside the plausible range for {spec.units} on "
            f"that date ({low:g} to {high:g}{zero})")


def check_series(series_id: str, values: pd.Series, where: str) -> None:
    """Raise :class:`UnitError` when a value of ``values`` is implausible for ``series_id``.

    Example: ``check_series("WRESBAL", pd.Series([2900.0], [pd.Timestamp("2026-01-07")]), "x")``
    raises: 2,900 is reserves in billions, not millions.
    """
    problem = series_violation(series_id, values)
    if problem is not None:
        day, value, why = problem
        raise UnitError(
            f"{series_id} = {value:g} on {day:%Y-%m-%d}{where} is {why}; the provider or the "
            "file may use another unit (billions for millions?). Nothing was stored for this "
            "series."
        )


# -- table ranges ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnRange:
    """Plausible values of a table column. ``zero_ok``: 0 is allowed below ``low`` (an
    operation with no propositions), so that a dollar column in USD still catches billions."""

    low: float
    high: float
    zero_ok: bool = False
    units: str = ""


_RATE = ColumnRange(-5.0, 30.0, units="percent")
# NY Fed and auction amounts are in USD: a nonzero amount under $100,000 is in another unit.
_USD_AMOUNT = ColumnRange(1e5, 1e13, zero_ok=True, units="USD")
#: Per table, per column: the plausible range in the table's units (catalog ``amount_units``).
TABLE_RANGES: Mapping[str, Mapping[str, ColumnRange]] = {
    "auctions": {
        "offering_amt": ColumnRange(1e6, 1e12), "total_tendered": _USD_AMOUNT,
        "total_accepted": _USD_AMOUNT, "comp_accepted": _USD_AMOUNT,
        "primary_dealer_accepted": ColumnRange(0.0, 1e12),
        "direct_bidder_accepted": ColumnRange(0.0, 1e12),
        "indirect_bidder_accepted": ColumnRange(0.0, 1e12),
        "soma_accepted": ColumnRange(0.0, 1e12),
        "bid_to_cover_ratio": ColumnRange(0.5, 20.0),
        "high_yield": _RATE, "low_yield": _RATE, "avg_med_yield": _RATE,
        "high_discnt_rate": _RATE, "high_investment_rate": _RATE, "avg_med_discnt_rate": _RATE,
        "allocation_pctage": ColumnRange(0.0, 100.0),
    },
    "repo_operations": {
        "total_submitted": _USD_AMOUNT, "total_accepted": _USD_AMOUNT,
        "treasury_accepted": _USD_AMOUNT, "agency_accepted": _USD_AMOUNT,
        "mbs_accepted": _USD_AMOUNT, "award_rate": _RATE, "offering_rate": _RATE,
        "term_days": ColumnRange(0, 400), "participating_cpty": ColumnRange(0, 10_000),
        "accepted_cpty": ColumnRange(0, 10_000),
    },
    "outright_operations": {
        "total_par_submitted": _USD_AMOUNT, "total_par_accepted": _USD_AMOUNT,
    },
    "pd_fails": {"value": ColumnRange(0.0, 1e7)},  # USD millions a week
    # Dealer statistics, USD millions: net positions may be short; the financing totals are
    # never under $10bn (a file in billions would be), transactions likewise.
    "pd_positions": {"value": ColumnRange(-1e7, 1e7, units="USD millions")},
    "pd_financing": {"value": ColumnRange(1e4, 1e8, zero_ok=True, units="USD millions")},
    "pd_transactions": {"value": ColumnRange(1e4, 1e8, zero_ok=True, units="USD millions")},
    "seclending_operations": {
        "total_par_submitted": _USD_AMOUNT, "total_par_accepted": _USD_AMOUNT,
        "total_par_extended": _USD_AMOUNT,
    },
    "seclending_details": {
        c: ColumnRange(1e3, 1e13, zero_ok=True, units="USD")
        for c in ("par_submitted", "par_accepted", "soma_holdings", "theo_avail_to_borrow",
                  "actual_avail_to_borrow", "outstanding_loans")
    },
    "dts_cash_balance": {
        c: ColumnRange(-1e8, 1e8)
        for c in ("open_today_bal", "close_today_bal", "open_month_bal", "open_fiscal_year_bal")
    },
    "dts_debt_transactions": {
        c: ColumnRange(-1e8, 1e8)
        for c in ("transaction_today_amt", "transaction_mtd_amt", "transaction_fytd_amt")
    },
}


@dataclass(frozen=True)
class TableProblem:
    """What is wrong in a table frame: the row (0-based position) and the reason."""

    row: int
    reason: str


def table_problem(table: str, frame: pd.DataFrame) -> TableProblem | None:
    """The first implausible value or conflicting duplicate of ``frame`` (``table``'s columns)."""
    if frame.empty:
        return None
    for column, rule in TABLE_RANGES.get(table, {}).items():
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
        present = ~np.isnan(values)
        bad = present & (~np.isfinite(values) | (values > rule.high) | (
            (values < rule.low) & ~((values == 0) & rule.zero_ok)))
        if bad.any():
            at = int(np.argmax(bad))
            units = rule.units
            return TableProblem(at, (
                f"{column} = {values[at]:g} is outside the plausible range for {table} "
                f"({rule.low:g} to {rule.high:g}{', or 0' if rule.zero_ok else ''}"
                f"{f', {units}' if units else ''}); is the file or response in another unit?"))
    return conflicting_duplicate(table, frame)


def conflicting_duplicate(table: str, frame: pd.DataFrame,
                          missing_differs: bool = True) -> TableProblem | None:
    """The first record of ``frame`` whose key (``table``'s) came before with other values;
    records repeated exactly are fine (overlapping pages, a file listing a row twice).
    ``missing_differs=False``: a value one copy lacks is no conflict (two exports of the same
    auctions, one without the issue dates); the store keeps the value given."""
    spec = catalog.TABLES[table]
    key = [k for k in spec.key if k in frame.columns]
    if len(key) != len(spec.key):
        return None
    dup = frame.duplicated(subset=key, keep=False)
    if not dup.any():
        return None
    values = [c for c in frame.columns if c not in key]
    positions = np.flatnonzero(dup.to_numpy())
    seen: dict[tuple[Any, ...], int] = {}
    for position in positions:
        at = int(position)
        row = frame.iloc[at]
        ident = tuple(row[k] for k in key)
        if ident not in seen:
            seen[ident] = at
            continue
        first = frame.iloc[seen[ident]]
        differs = [c for c in values if not _same(first[c], row[c], missing_differs)]
        if differs:
            shown = ", ".join(f"{k}={v}" for k, v in zip(key, ident, strict=True))
            return TableProblem(int(at), (
                f"the record {shown} appears twice with different {', '.join(differs[:3])} "
                f"({_show(first[differs[0]])} then {_show(row[differs[0]])}); keep one of them"))
    return None


def _show(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.15g}"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _same(a: Any, b: Any, missing_differs: bool = True) -> bool:
    missing_a = a is None or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return (missing_a and missing_b) or not missing_differs
    return bool(a == b)


def check_table(table: str, frame: pd.DataFrame, where: str) -> None:
    """Raise :class:`UnitError` when ``frame`` holds an implausible value or a conflicting
    duplicate (``where`` names the source or URL)."""
    problem = table_problem(table, frame)
    if problem is not None:
        raise UnitError(f"{table}{where}, record {problem.row + 1}: {problem.reason}. Nothing "
                        "was stored for this table.")


# -- files -----------------------------------------------------------------------------------------
LINES_ATTR = "reportgen_lines"  # DataFrame.attrs key: the file line of each row, set by importers


# pandas deep-copies ``attrs`` into the result of every operation on a frame (each row read, each
# filter); a plain list of 10,000 line numbers made importing the sample 0.1 s slower. The
# importers set these once and nothing changes them afterwards, so a copy may be the original.
class RowLines(tuple[int, ...]):
    """The file line of each row of a parsed frame, in row order (``attrs[LINES_ATTR]``)."""

    def __deepcopy__(self, memo: dict[int, object]) -> RowLines:
        return self


class DayLines(dict[str, int]):
    """The file line of each day of a parsed series, by ``YYYY-MM-DD`` (``attrs[LINES_ATTR]``);
    not changed once set."""

    def __deepcopy__(self, memo: dict[int, object]) -> DayLines:
        return self


def check_parsed_file(parsed: ParsedFile, aliases: Mapping[str, str],
                      today: date | None = None) -> ParsedFile:
    """Check one parsed CSV file before it is stored; raises ImportFileError naming the line.

    * a file named for a catalog series or table (``EFFR.csv``) must hold that item: an
      ``EFFR.csv`` whose header ``date,rate`` reads as SOFR is refused, not stored as SOFR;
    * every series value and table column in its plausible range;
    * no record key twice with different values;
    * no date past ``today`` (the import's day) by more than a series or record can be
      published ahead (:data:`SERIES_AHEAD`, :data:`RECORDS_AHEAD`).
    """
    path = parsed.path
    stem = path.stem
    named = aliases.get(stem.upper(), stem.upper())
    holds = [*parsed.series, *parsed.tables]
    if named in catalog.SERIES and named not in parsed.series or \
            stem.lower() in catalog.TABLES and stem.lower() not in parsed.tables:
        raise ImportFileError(
            str(path), 1,
            f"the file is named for {named if named in catalog.SERIES else stem.lower()} but its "
            f"header makes it {', '.join(holds) or 'nothing reportgen reads'} ({parsed.kind}); "
            "rename the file or give it the header date,value")
    if today is not None:
        for sid, values in parsed.series.items():
            if (late := future_date(values, today)) is not None:
                raise ImportFileError(str(path), _line_of_date(values, late[1]),
                                      future_message(sid, late[1], today))
        for table, frame in parsed.tables.items():
            late = future_date(frame, today, catalog.TABLES[table].date_column)
            if late is not None:
                rows: Sequence[int] | None = frame.attrs.get(LINES_ATTR)
                raise ImportFileError(str(path), rows[late[0]] if rows else None,
                                      future_message(table, late[1], today))
    for sid, values in parsed.series.items():
        problem = series_violation(sid, values)
        if problem is not None:
            day, value, why = problem
            line = _line_of_date(values, day)
            raise ImportFileError(str(path), line, f"{sid} = {value:g} on {day:%Y-%m-%d} is "
                                  f"{why}; is the file in another unit?")
    for table, frame in parsed.tables.items():
        table_issue = table_problem(table, frame)
        if table_issue is not None:
            lines: Sequence[int] | None = frame.attrs.get(LINES_ATTR)
            line = lines[table_issue.row] if lines and table_issue.row < len(lines) else None
            raise ImportFileError(str(path), line, table_issue.reason)
    return parsed


#: How far past the day of a fetch or import a date may lie. A series observation is never
#: published before its date (a week covers H.4.1 Wednesdays and time zones); records may be
#: announced ahead (an auction a few weeks out), never years ahead. 2099 is a typo either way,
#: and a briefing built on it would date itself there.
SERIES_AHEAD = timedelta(days=7)
RECORDS_AHEAD = timedelta(days=400)


def future_date(values: pd.Series | pd.DataFrame, today: date,
                column: str | None = None) -> tuple[int, pd.Timestamp] | None:
    """The first position and date in ``values`` (a series' index, or ``column`` of a record
    frame) later than ``today`` allows; None when there is none."""
    if column is None:
        stamps = pd.DatetimeIndex(values.index)
        limit = pd.Timestamp(today + SERIES_AHEAD)
    else:
        stamps = pd.DatetimeIndex(pd.to_datetime(values[column], errors="coerce"))
        limit = pd.Timestamp(today + RECORDS_AHEAD)
    late = np.asarray(stamps > limit)
    if not late.any():
        return None
    at = int(np.argmax(late))
    return at, stamps[at]


def future_message(name: str, day: pd.Timestamp, today: date) -> str:
    return (f"{name} has a row dated {day:%Y-%m-%d}, in the future (today is {today}): data is "
            "not published ahead of its date, so the date is a typo; fix it and try again")


def check_not_future(name: str, values: pd.Series | pd.DataFrame, today: date, source: str,
                     url: str | None) -> None:
    """Raise :class:`PayloadError` when a fetched series or table holds a date past what
    ``today`` allows (see :data:`SERIES_AHEAD`)."""
    column = catalog.TABLES[name].date_column if name in catalog.TABLES else None
    found = future_date(values, today, column)
    if found is not None:
        raise PayloadError(source, future_message(name, found[1], today), url)


def check_across_files(files: Sequence[ParsedFile]) -> None:
    """Refuse two files that give one series date, or one record, different values: the one
    imported last would silently win. The same value twice is fine (an export re-imported
    beside its source)."""
    seen: dict[str, tuple[ParsedFile, pd.Series]] = {}
    for parsed in files:
        for sid, values in parsed.series.items():
            if sid not in seen:
                seen[sid] = (parsed, values)
                continue
            first, before = seen[sid]
            both = before.index.intersection(values.index)
            a, b = before.loc[both], values.loc[both]
            differ = ~((a == b) | (a.isna() & b.isna()))
            if differ.any():
                day = both[int(np.argmax(differ.to_numpy()))]
                raise ImportFileError(
                    str(parsed.path), _line_of_date(values, day),
                    f"{sid} on {day:%Y-%m-%d} is {_show(b[day])} here but {_show(a[day])} in "
                    f"{first.path.name}; the two files disagree, import only the one you trust")
            seen[sid] = (parsed, pd.concat([before, values[~values.index.isin(both)]]))
    tables: dict[str, list[tuple[ParsedFile, pd.DataFrame]]] = {}
    for parsed in files:
        for table, frame in parsed.tables.items():
            tables.setdefault(table, []).append((parsed, frame))
    for table, parts in tables.items():
        if len(parts) < 2:
            continue
        lines = [line for parsed, frame in parts
                 for line in (frame.attrs.get(LINES_ATTR) or [None] * len(frame))]
        owners = [parsed for parsed, frame in parts for _ in range(len(frame))]
        joined = pd.concat([frame for _, frame in parts], ignore_index=True)
        problem = conflicting_duplicate(table, joined, missing_differs=False)
        if problem is not None:
            raise ImportFileError(str(owners[problem.row].path), lines[problem.row],
                                  f"{problem.reason} (across the files imported together)")


def _line_of_date(values: pd.Series, day: pd.Timestamp) -> int | None:
    lines: Mapping[str, int] | None = values.attrs.get(LINES_ATTR)
    return lines.get(f"{day:%Y-%m-%d}") if lines else None


def payload_where(source: str, url: str | None) -> str:
    return f" from {source}" + (f" ({url})" if url else "")

