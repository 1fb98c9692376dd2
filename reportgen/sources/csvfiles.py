"""Local CSV files: the ``data import`` command, the bundled sample, and users' FRED downloads.

A file's kind is recognised from its header, not its name, except for plain ``date,value``
files whose series is named by the file (``WALCL.csv``; a few published aliases such as
``TGCR.csv`` or ``SOMA_BILLS_BN.csv`` map to catalog ids). Recognised shapes:

=====================================  =================================================
header                                 stored as
=====================================  =================================================
``date,value`` / ``date,value_billions``  series named by the file
``observation_date,ID[,ID...]``         FRED download (``DATE,ID`` in older files)
``date,percentRate,percentPercentile1`` SOFR and its percentiles (also ``date,rate,p1,...``)
``date,PDSI2F-TD,...``                  primary dealer fails (one column per key id)
``date,PDPOSGST-TOT,...``               primary dealer positions, financing, transactions
                                        (keys of ``nyfed.PD_KEYS``; fails keys in the same
                                        file go to the fails)
``date,REPO-DVP_AR_OO-P,...``           OFR repo series (blank = no row, ``null`` = missing)
``Date,OFR FSI,Credit,...``             OFR Financial Stress Index and contributions
``operation_id,...,maturity_start``     NY Fed outright operations (API names or exports)
``operation_id,...``                    NY Fed repo / reverse repo operations
``Cusip,...`` / ``cusip,auction_date``  Treasury auction results (TreasuryDirect or Fiscal Data)
``record_date,type_of_account,...``     DTS operating cash balance (+ the daily TGA series)
``record_date,transaction_type,...``    DTS marketable debt transactions
=====================================  =================================================

Parsing is all-or-nothing per call: every file is parsed before anything is written, and the
write is one transaction, so a bad file leaves the store exactly as it was.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from reportgen import catalog
from reportgen.errors import ImportFileError, UnitError
from reportgen.sources import nyfed, ofr, treasury, validate
from reportgen.sources.records import (
    Field,
    ValueParseError,
    convert_record,
    missing_required,
    parse_date,
    parse_number,
    resolve_columns,
)
from reportgen.store import Store

# Published file names that are not catalog ids.
FILE_ALIASES = {
    "TGCR": "TGCRRATE",
    "TGCR_NYFED": "TGCRRATE",
    "SOMA_BILLS_BN": "SOMA_BILLS",
    "TGA_DTS_CLOSE": "TGA_DTS",
    # Daily SRF take-up. SRF.csv (older sample) summed every repo operation of the day, small
    # value exercises included; SRF_DAILY.csv leaves them out, like the analysis does.
    "SRF": "SRF_ACCEPTED",
    "SRF_DAILY": "SRF_ACCEPTED",
}

_SOFR_COLUMNS = {
    "SOFR": ("percentrate", "rate", "sofr"),
    "SOFR1": ("percentpercentile1", "percentile1", "p1"),
    "SOFR25": ("percentpercentile25", "percentile25", "p25"),
    "SOFR75": ("percentpercentile75", "percentile75", "p75"),
    "SOFR99": ("percentpercentile99", "percentile99", "p99"),
    "SOFRVOL": ("volumeinbillions", "volume"),
}
_PD_KEY = re.compile(r"^PD[A-Z0-9]+-[A-Z0-9]+$")

# Columns only outright (not repo) operation files have.
_OUTRIGHT_MARKERS = {
    "security_class",
    "securityclass",
    "maturity_start",
    "maturity_range_start",
    "maturityrangestart",
    "submitted_b",
    "accepted_b",
    "total_par_accepted",
    "totalparamtaccepted",
    "totalacceptedorigface",
    "totalacceptedcurrface",
}
# Names exports use beside the API's (a daily panel's ``date``, ``maturity_start``).
_OUTRIGHT_CSV_ALIASES = {
    "operation_date": ("date",),
    "maturity_range_start": ("maturity_start",),
    "maturity_range_end": ("maturity_end",),
}
_OUTRIGHT_CSV_FIELDS = [
    Field(f.name, f.kind, (*f.aliases, *_OUTRIGHT_CSV_ALIASES.get(f.name, ())), f.required)
    for f in nyfed.OUTRIGHT_OPERATION_FIELDS
]


@dataclass
class ParsedFile:
    """What one file holds, already typed and checked, ready to store."""

    path: Path
    kind: str
    series: dict[str, pd.Series] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(len(s) for s in self.series.values()) + sum(len(t) for t in self.tables.values())


@dataclass(frozen=True)
class ImportReport:
    files: list[ParsedFile]
    rows_written: int


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(str(path), None, f"not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise ImportFileError(str(path), None, exc.strerror or str(exc)) from exc
    if not text.strip():
        raise ImportFileError(str(path), None, "the file is empty")
    lines = text.splitlines()
    # TreasuryDirect exports can be semicolon-separated.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        rows: list[tuple[int, dict[str, str]]] = []
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                raise ImportFileError(
                    str(path),
                    reader.line_num,
                    f"{len(raw)} fields where the header has {len(header)}",
                )
            rows.append((reader.line_num, dict(zip(header, raw, strict=True))))
    except csv.Error as exc:
        raise ImportFileError(str(path), reader.line_num, f"malformed CSV: {exc}") from exc
    return header, rows


def _series_id_for(name: str, path: Path, line: int | None = 1) -> str:
    sid = FILE_ALIASES.get(name.upper(), name.upper())
    if sid not in catalog.SERIES:
        known = ", ".join(sorted(catalog.SERIES))
        raise ImportFileError(
            str(path), line, f"series {name!r} is not one reportgen uses; known series: {known}"
        )
    return sid


def _check_units(sid: str, values: pd.Series, path: Path, lines: dict[str, int]) -> None:
    low, high = catalog.SERIES[sid].plausible
    bad = values[(values < low) | (values > high)]
    if len(bad):
        day, value = bad.index[0], bad.iloc[0]
        raise ImportFileError(
            str(path),
            lines.get(f"{day:%Y-%m-%d}"),
            f"{sid} = {value:g} on {day:%Y-%m-%d} is outside the plausible range for "
            f"{catalog.SERIES[sid].units} ({low:g} to {high:g}); is the file in another unit?",
        )


def _parse_value_columns(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    date_col: str,
    columns: dict[str, str],
    value_kind: str = "value",
    blank_is_absent: bool = False,
) -> dict[str, pd.Series]:
    """Columns of a wide date-indexed file as series keyed by catalog id, in catalog units.

    ``value_kind="value_billions"`` says the file is in USD billions whatever the catalog unit
    (a ``WSHOBL.csv`` with 216.8 is stored as 216,800 USD millions). ``blank_is_absent``: an
    empty cell means the source has no row for that date (nothing stored), while a written
    missing token (``null``) is a published missing value (stored as NaN).
    """
    days: list[str] = []
    lines: dict[str, int] = {}
    for line, row in rows:
        try:
            day = parse_date(row[date_col])
        except ValueParseError as exc:
            raise ImportFileError(str(path), line, str(exc)) from None
        if day in lines:
            raise ImportFileError(str(path), line, f"date {day} appears twice")
        days.append(day)
        lines[day] = line
    index = pd.DatetimeIndex(pd.to_datetime(days), name="date")
    out: dict[str, pd.Series] = {}
    for sid, col in columns.items():
        values: list[float] = []
        keep: list[bool] = []
        for line, row in rows:
            try:
                value = parse_number(row[col])
            except ValueParseError as exc:
                raise ImportFileError(str(path), line, str(exc)) from None
            values.append(float("nan") if value is None else value)
            keep.append(not (blank_is_absent and not row[col].strip()))
        series = pd.Series(values, index=index, dtype="float64", name=sid)[keep].sort_index()
        if value_kind == "value_billions":
            series = series / _billions_factor(sid, path)
        _check_units(sid, series.dropna(), path, lines)
        series.attrs[validate.LINES_ATTR] = validate.DayLines(lines)
        out[sid] = series
    return out


def _billions_factor(sid: str, path: Path) -> float:
    try:
        return catalog.billions_factor(sid)
    except UnitError:
        raise ImportFileError(
            str(path), 1, f"{sid} is in {catalog.SERIES[sid].units}, not a dollar amount; "
            "name the column 'value'"
        ) from None


def _parse_records(
    path: Path, rows: list[tuple[int, dict[str, str]]], header: list[str], fields: list[Field]
) -> pd.DataFrame:
    mapping = resolve_columns(header, fields)
    missing = missing_required(mapping, fields)
    if missing:
        raise ImportFileError(str(path), 1, f"missing required column(s): {', '.join(missing)}")
    records = []
    for line, row in rows:
        try:
            records.append(convert_record(row, mapping, fields))
        except ValueParseError as exc:
            raise ImportFileError(str(path), line, str(exc)) from None
    columns = [f.name for f in fields if f.name in mapping]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame.attrs[validate.LINES_ATTR] = validate.RowLines(line for line, _ in rows)
    return frame


def parse_file(path: Path) -> ParsedFile:
    """Recognise and parse one CSV file; raises ImportFileError naming the file and line."""
    header, rows = _read_rows(path)
    lower = [h.lower() for h in header]
    first = lower[0] if lower else ""

    if ("operation_id" in lower or "operationid" in lower) and _OUTRIGHT_MARKERS & set(lower):
        frame = _outright_operations(path, rows, header)
        return ParsedFile(path, "outright operations", tables={"outright_operations": frame})

    if first == "series_break":
        frame = _parse_records(path, rows, header, nyfed.SERIES_BREAK_FIELDS)
        return ParsedFile(path, "dealer series breaks", tables={"pd_series_breaks": frame})

    if "operation_id" in lower or "operationid" in lower:
        frame = _parse_records(path, rows, header, nyfed.REPO_OPERATION_FIELDS)
        default = "reverse_repo" if "collateral_type" in lower else "repo"
        frame["operation_type"] = [
            nyfed.normalise_operation_type(t, default)
            for t in frame.get("operation_type", pd.Series([None] * len(frame)))
        ]
        frame["small_value"] = nyfed.flag_small_value(frame).astype(int)
        return ParsedFile(path, "repo operations", tables={"repo_operations": frame})

    if "cusip" in lower:
        frame = _parse_records(path, rows, header, treasury.AUCTION_FIELDS)
        if "original_security_term" not in frame.columns and "security_term" in frame.columns:
            # The auction signals group by original tenor: derive it (rule in original_terms).
            frame["original_security_term"] = treasury.original_terms(frame)
        return ParsedFile(path, "auction results", tables={"auctions": frame})

    if first == "record_date" and ("type_of_account" in lower or "account_type" in lower):
        frame = _parse_records(path, rows, header, treasury.CASH_BALANCE_FIELDS)
        tga = treasury.tga_close_series(frame)
        return ParsedFile(
            path, "DTS cash balance", series={"TGA_DTS": tga}, tables={"dts_cash_balance": frame}
        )

    if first == "record_date" and "transaction_type" in lower:
        frame = _parse_records(path, rows, header, treasury.DEBT_TRANSACTION_FIELDS)
        frame = treasury.blank_security_type_desc(frame)
        return ParsedFile(path, "DTS debt transactions", tables={"dts_debt_transactions": frame})

    if first in {"date", "observation_date"} and len(header) >= 2:
        rest = header[1:]
        rest_lower = lower[1:]
        if rest_lower in (["value"], ["value_billions"]):
            sid = _series_id_for(path.stem, path)
            series = _parse_value_columns(path, rows, header[0], {sid: header[1]}, rest_lower[0])
            return ParsedFile(path, "series", series=series)
        sofr_map = {
            sid: header[lower.index(name)]
            for sid, names in _SOFR_COLUMNS.items()
            for name in names
            if name in lower
        }
        if sofr_map and len(sofr_map) == len(rest):
            return ParsedFile(
                path,
                "SOFR percentiles",
                series=_parse_value_columns(path, rows, header[0], sofr_map),
            )
        if all(_PD_KEY.match(c) or c in nyfed.PD_KEYS for c in rest):
            return _pd_wide(path, rows, header)
        if all(c in catalog.SERIES and catalog.SERIES[c].source == "ofr" for c in rest):
            columns = {c: c for c in rest}
            return ParsedFile(path, "OFR repo series", series=_parse_value_columns(
                path, rows, header[0], columns, blank_is_absent=True))
        if set(rest_lower) <= set(ofr.FSI_COLUMNS):
            columns = {ofr.FSI_COLUMNS[c.lower()]: c for c in rest}
            return ParsedFile(path, "OFR Financial Stress Index",
                              series=_parse_value_columns(path, rows, header[0], columns))
        columns = {_series_id_for(c, path): c for c in rest}
        return ParsedFile(
            path, "FRED download", series=_parse_value_columns(path, rows, header[0], columns)
        )

    raise ImportFileError(
        str(path),
        1,
        f"unrecognised columns {', '.join(header[:6])}{'...' if len(header) > 6 else ''}; "
        "expected a FRED download (observation_date,SERIES) or one of the formats listed in "
        "`reportgen data import --help`",
    )


def _outright_operations(
    path: Path, rows: list[tuple[int, dict[str, str]]], header: list[str]
) -> pd.DataFrame:
    """Outright Treasury / MBS operations: this project's export, API field names, or a
    daily-panel export (``date``, ``maturity_start``, amounts in USD billions as
    ``submitted_b`` / ``accepted_b``, stored in USD)."""
    lower = {h.lower(): h for h in header}
    prepared: list[tuple[int, dict[str, str]]] = []
    for line, row in rows:
        record = dict(row)
        for column, target in (("submitted_b", "total_par_submitted"),
                               ("accepted_b", "total_par_accepted")):
            if column in lower and target not in lower:
                try:
                    billions = parse_number(row[lower[column]])
                except ValueParseError as exc:
                    raise ImportFileError(str(path), line, f"column {column!r}: {exc}") from None
                # Printed to the $1M: whole dollars are exact, the float product is not.
                record[target] = "" if billions is None else str(round(billions * 1e9))
        prepared.append((line, nyfed.coalesce_amounts(record)))
    columns = list(dict.fromkeys([*header, "total_par_submitted", "total_par_accepted"]))
    frame = _parse_records(path, prepared, columns, _OUTRIGHT_CSV_FIELDS)
    return nyfed.classify_outright(frame)


def _pd_wide(path: Path, rows: list[tuple[int, dict[str, str]]], header: list[str]) -> ParsedFile:
    """A wide file of NY Fed primary dealer keys (one column per key id): the keys of
    ``nyfed.PD_KEYS`` go to their statistics table, every other key to the fails."""
    stats_keys = [c for c in header[1:] if c in nyfed.PD_KEYS]
    fails_keys = [c for c in header[1:] if c not in nyfed.PD_KEYS]
    tables: dict[str, pd.DataFrame] = {}
    if fails_keys:
        tables["pd_fails"] = _pd_fails_long(path, rows, [header[0], *fails_keys])
    if stats_keys:
        tables.update(_pd_statistics_long(path, rows, header[0], stats_keys))
    kinds = {"pd_fails": "fails", "pd_positions": "positions", "pd_financing": "financing",
             "pd_transactions": "transactions"}
    return ParsedFile(path, "dealer " + ", ".join(kinds[t] for t in tables), tables=tables)


def _pd_statistics_long(
    path: Path, rows: list[tuple[int, dict[str, str]]], date_col: str, keys: list[str]
) -> dict[str, pd.DataFrame]:
    """Rows of the dealer statistics tables from a wide file, in USD millions.

    An empty cell is a week the key has no row (the 11-21 and over-21-year buckets begin in
    2022; nothing is stored); ``*`` is a value the NY Fed withheld (stored as NULL with
    ``suppressed`` 1). Each week's series break comes from its date (``nyfed.KNOWN_BREAKS``).
    """
    by_table: dict[str, list[dict[str, object]]] = {}
    lines: dict[str, list[int]] = {}
    for line, row in rows:
        try:
            day = parse_date(row[date_col])
            for keyid in keys:
                cell = row[keyid].strip()
                if not cell:
                    continue
                key = nyfed.PD_KEYS[keyid]
                suppressed = cell == "*"
                by_table.setdefault(key.table, []).append({
                    "date": day, "keyid": keyid, "measure": key.measure,
                    "series_break": nyfed.break_of(date.fromisoformat(day),
                                                   nyfed.KNOWN_BREAKS),
                    "value": None if suppressed else parse_number(cell),
                    "suppressed": int(suppressed),
                })
                lines.setdefault(key.table, []).append(line)
        except ValueParseError as exc:
            raise ImportFileError(str(path), line, str(exc)) from None
    out: dict[str, pd.DataFrame] = {}
    for table, records in by_table.items():
        frame = pd.DataFrame.from_records(records, columns=catalog.TABLES[table].column_names)
        frame.attrs[validate.LINES_ATTR] = validate.RowLines(lines[table])
        out[table] = frame
    return out


def _pd_fails_long(
    path: Path, rows: list[tuple[int, dict[str, str]]], header: list[str]
) -> pd.DataFrame:
    records = []
    lines: list[int] = []
    for line, row in rows:
        try:
            day = parse_date(row[header[0]])
            lines.extend([line] * (len(header) - 1))
            for key in header[1:]:
                value = parse_number(row[key])
                if value is not None and value < 0:
                    raise ValueParseError(f"column {key!r}: fails cannot be negative ({value:g})")
                records.append({"date": day, "keyid": key, "value": value})
        except ValueParseError as exc:
            raise ImportFileError(str(path), line, str(exc)) from None
    frame = pd.DataFrame.from_records(records, columns=["date", "keyid", "value"])
    frame.attrs[validate.LINES_ATTR] = validate.RowLines(lines)
    return frame


def csv_files(directory: Path) -> list[Path]:
    """The ``*.csv`` files of ``directory``, sorted; raises ImportFileError if there are none."""
    if not directory.is_dir():
        raise ImportFileError(str(directory), None, "not a folder")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not files:
        raise ImportFileError(str(directory), None, "no .csv files in this folder")
    return files


def import_files(
    store: Store, paths: Iterable[Path], fetched_at: datetime, origin: str = "import",
    today: date | None = None,
) -> ImportReport:
    """Parse every file, then write them all in one transaction (all or nothing).

    ``origin`` is recorded per row as ``<origin>:<file name>``. ``today`` (the caller reads the
    clock; ``data import`` passes the day) refuses rows dated after it (see
    :func:`reportgen.sources.validate.check_parsed_file`); None skips that check, for files
    assembled on a known past day such as the bundled sample.
    """
    parsed = [validate.check_parsed_file(parse_file(path), FILE_ALIASES, today)
              for path in paths]
    validate.check_across_files(parsed)
    written = 0
    with store.transaction():
        for item in parsed:
            tag = f"{origin}:{item.path.name}"
            for sid, values in item.series.items():
                written += store.upsert_series(sid, values, tag, fetched_at)
            for table, frame in item.tables.items():
                written += store.upsert_table(table, frame, tag, fetched_at)
    return ImportReport(parsed, written)
