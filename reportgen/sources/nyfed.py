"""NY Fed Markets Data API: reference rates, repo operations, outright operations, SOMA, fails.

Field maps here are shared by the JSON API parser and the CSV importer. The API is keyless;
amounts of operations are in USD, SOMA holdings are converted to USD billions, primary dealer
fails stay in USD millions, rates are in percent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pandas as pd

from reportgen import catalog
from reportgen.errors import HTTPStatusError, PayloadError
from reportgen.sources.http import HttpClient
from reportgen.sources.payloads import (
    check_units,
    dated_series,
    is_missing,
    record_list,
    records_frame,
    value_or_none,
)
from reportgen.sources.records import Field, ValueParseError, parse_date

# Exports without the NY Fed's ``note`` can only tell the test trades ("small value exercises",
# about $1M each, which say nothing about demand for the facility) by their size.
SMALL_VALUE_MAX_USD = 100e6
# How a note names one: "Small Value Exercise", "small-value exercise".
_SMALL_VALUE_NOTE = re.compile(r"small[\s-]*value", re.IGNORECASE)

REPO_OPERATION_FIELDS: list[Field] = [
    Field("operation_id", "text", ("operationId",), required=True),
    Field("operation_date", "date", ("operationDate",), required=True),
    Field("operation_type", "text", ("operationType",)),
    Field("operation_method", "text", ("operationMethod",)),
    Field("term", "text", ()),
    Field("term_days", "int", ("term_calendar_days", "termCalenderDays", "termCalendarDays")),
    Field("release_time", "text", ("releaseTime",)),
    Field("total_submitted", "num", ("total_amt_submitted_usd", "totalAmtSubmitted")),
    Field("total_accepted", "num", ("total_amt_accepted_usd", "totalAmtAccepted")),
    Field("treasury_accepted", "num", ("treasury_accepted_usd",)),
    Field("agency_accepted", "num", ("agency_accepted_usd",)),
    Field("mbs_accepted", "num", ("mbs_accepted_usd",)),
    Field("award_rate", "num", ("percent_award_rate", "treasury_weighted_avg_rate")),
    Field("offering_rate", "num", ("percent_offering_rate", "treasury_minimum_bid_rate")),
    Field("participating_cpty", "int", ("participatingCpty",)),
    Field("accepted_cpty", "int", ("acceptedCpty",)),
    Field("note", "text", ()),
]


def normalise_operation_type(raw: str | None, default: str) -> str:
    """``"Repo"`` -> ``"repo"``, ``"Reverse Repo"`` -> ``"reverse_repo"``."""
    text = (raw or default).strip().lower().replace(" ", "_")
    if text in {"repo", "reverserepo", "reverse_repo"}:
        return "reverse_repo" if text.startswith("reverse") else "repo"
    return text


def flag_small_value(operations: pd.DataFrame) -> pd.Series:
    """True for small-value exercises (test trades), to be excluded from take-up.

    Where the operations carry the API's ``note`` column, the note alone decides: the NY Fed
    writes "Small Value Exercise" on every exercise, and an operation with an empty note is
    real take-up however small (the SRF lent $1M on 2024-10-16, $78M on 2025-10-29 and $99M on
    2025-11-05 with no note; 354 of 1,098 repo operations since 2021 were at or under $100M).
    Only an export without the note column falls back on size: a repo operation at or under
    $100M, or a reverse repo operation at or under $100M on a day with a larger one of the
    same type (the exercise runs beside the regular operation).
    """
    if operations.empty:
        return pd.Series(dtype=bool, index=operations.index)
    if "note" in operations.columns:
        note = operations["note"].astype(object).where(operations["note"].notna(), "")
        return note.astype(str).str.contains(_SMALL_VALUE_NOTE).astype(bool)
    # An export may lack the amount column too: then nothing can be told apart.
    amounts = operations.get("total_accepted", pd.Series(index=operations.index, dtype="float64"))
    amounts = pd.to_numeric(amounts, errors="coerce")
    accepted = amounts.fillna(0.0)
    small = (accepted > 0) & (accepted <= SMALL_VALUE_MAX_USD)
    day_max = amounts.groupby(
        [operations["operation_date"], operations["operation_type"]]
    ).transform("max")
    reverse = operations["operation_type"] == "reverse_repo"
    return (small & (~reverse | (accepted < day_max.fillna(0.0)))).astype(bool)


# ============================================================================================
# The Markets Data API (https://markets.newyorkfed.org/api, keyless, JSON)
# ============================================================================================

BASE_URL = "https://markets.newyorkfed.org/api"
SOURCE = "nyfed"
# Searches are split into windows of this many days so that no single response grows large.
SEARCH_WINDOW_DAYS = 366

RATE_PATHS = {
    "sofr": "/rates/secured/sofr/search.json",
    "tgcr": "/rates/secured/tgcr/search.json",
    "bgcr": "/rates/secured/bgcr/search.json",
    "effr": "/rates/unsecured/effr/search.json",
    "obfr": "/rates/unsecured/obfr/search.json",
}
# Catalog series per reference rate, each with the payload names it may come under (the newer
# ``percentPercentile1`` and the older ``percentile1``).
RATE_SERIES: dict[str, dict[str, tuple[str, ...]]] = {
    "sofr": {
        "SOFR": ("percentRate",),
        "SOFR1": ("percentPercentile1", "percentile1"),
        "SOFR25": ("percentPercentile25", "percentile25"),
        "SOFR75": ("percentPercentile75", "percentile75"),
        "SOFR99": ("percentPercentile99", "percentile99"),
        "SOFRVOL": ("volumeInBillions", "volume"),
    },
    "tgcr": {"TGCRRATE": ("percentRate",)},
    "bgcr": {"BGCR": ("percentRate",)},
    "effr": {"EFFR": ("percentRate",)},
    "obfr": {"OBFR": ("percentRate",)},
}

REPO_PATH = "/rp/results/search.json"
TSY_OPERATIONS_PATH = "/tsy/all/results/summary/search.json"
# Agency MBS operations. Path and payload ({"ambs": {"auctions": [...]}}) as used by several
# public clients of the API (not checked against a live response from this machine).
AMBS_OPERATIONS_PATH = "/ambs/all/results/summary/search.json"
SOMA_SUMMARY_PATH = "/soma/summary.json"
PD_FAILS_PATH = "/pd/get/PDFTD-USTET_PDFTR-USTET.json"
PD_SERIES_BREAKS_PATH = "/pd/list/seriesbreaks.json"

# SOMA summary columns (USD, as strings) -> catalog series (USD billions).
SOMA_SERIES = {"SOMA_BILLS": "bills", "SOMA_NOTESBONDS": "notesbonds", "SOMA_MBS": "mbs"}

# Where each amount may come from, best first. Treasury operations state par; agency MBS
# operations state original face (the par amount MBS are traded and reported in) and current
# face (original face times the pool factor), and carry empty ``totalAmt...Par`` keys.
_PAR_SUBMITTED = (
    "totalParAmtSubmitted",
    "total_par_amt_submitted",
    "totalAmtSubmittedPar",
    "totalSubmittedOrigFace",
    "total_submitted_orig_face",
    "totalSubmittedCurrFace",
    "total_submitted_curr_face",
)
_PAR_ACCEPTED = (
    "totalParAmtAccepted",
    "total_par_amt_accepted",
    "totalAmtAcceptedPar",
    "totalAcceptedOrigFace",
    "total_accepted_orig_face",
    "totalAcceptedCurrFace",
    "total_accepted_curr_face",
)
OUTRIGHT_AMOUNT_SOURCES = {
    "total_par_submitted": _PAR_SUBMITTED,
    "total_par_accepted": _PAR_ACCEPTED,
}

OUTRIGHT_OPERATION_FIELDS: list[Field] = [
    Field("operation_id", "text", ("operationId",), required=True),
    Field("operation_date", "date", ("operationDate",), required=True),
    Field("operation_type", "text", ("operationType",), required=True),
    Field("family", "text", ()),
    Field("operation_direction", "text", ("operationDirection", "direction")),
    Field("security_class", "text", ("securityClass",)),
    # Filled per record by :func:`coalesce_amounts` (never resolved once for a whole batch,
    # which would turn a record lacking the batch's first alias into NULL).
    Field("total_par_submitted", "num", ()),
    Field("total_par_accepted", "num", ()),
    # Text, not date: MBS operations have no maturity range, and exported CSVs leave it blank.
    Field("maturity_range_start", "text", ("maturityRangeStart",)),
    Field("maturity_range_end", "text", ("maturityRangeEnd",)),
    Field("note", "text", ()),
]


def coalesce_amounts(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with ``total_par_submitted`` / ``total_par_accepted`` set from the first of
    its amount keys (any case) that holds a value: par, else original face, else current face.

    Example: ``{"totalAcceptedOrigFace": "130453820", "totalAcceptedCurrFace": ""}`` gets
    ``total_par_accepted`` = "130453820"; a record whose only amount is current face keeps it.
    """
    out = dict(record)
    lower = {str(k).lower(): k for k in record}
    for target, names in OUTRIGHT_AMOUNT_SOURCES.items():
        if not is_missing(record.get(lower.get(target, target))):
            continue
        for name in names:
            key = lower.get(name.lower())
            if key is not None and not is_missing(record[key]):
                out[target] = record[key]
                break
    return out


SERIES_BREAK_FIELDS: list[Field] = [
    Field("series_break", "text", ("seriesbreak", "seriesbreakid"), required=True),
    Field("label", "text", ()),
    Field("start_date", "date", ("startdate",), required=True),
    # Text: the current break has no end (an empty value, which a date parser would reject).
    Field("end_date", "text", ("enddate",)),
]


def url_for(path: str) -> str:
    """The full API URL of ``path`` (``/soma/summary.json`` -> ``https://.../soma/summary.json``)."""
    return BASE_URL + path


def search_windows(
    start: date, end: date, days: int = SEARCH_WINDOW_DAYS
) -> list[tuple[date, date]]:
    """``[start, end]`` cut into consecutive inclusive windows of at most ``days`` days.

    >>> [(a.day, b.day) for a, b in search_windows(date(2025, 1, 1), date(2025, 1, 10), days=7)]
    [(1, 7), (8, 10)]
    """
    windows: list[tuple[date, date]] = []
    lo = start
    while lo <= end:
        hi = min(end, lo + timedelta(days=days - 1))
        windows.append((lo, hi))
        lo = hi + timedelta(days=1)
    return windows


# -- reference rates -----------------------------------------------------------------------
def parse_reference_rates(payload: Any, rate: str, url: str) -> dict[str, pd.Series]:
    """Series of one reference rate from a ``/rates/.../search.json`` payload.

    Parameters
    ----------
    payload
        ``{"refRates": [{"effectiveDate": "2025-10-31", "type": "SOFR", "percentRate": 4.22,
        "percentPercentile1": ..., "volumeInBillions": ..., ...}]}``. Percentiles may come under
        the older names ``percentile1`` etc.
    rate
        ``sofr`` | ``tgcr`` | ``bgcr`` | ``effr`` | ``obfr``.
    url
        Shown in errors.

    Returns
    -------
    dict[str, pd.Series]
        Catalog id -> float series (percent; SOFRVOL in USD billions) on a DatetimeIndex
        ``date``; NaN where a value is absent or empty. SOFR yields SOFR, SOFR1, SOFR25, SOFR75,
        SOFR99 and SOFRVOL; the others one series each. A date published twice (a revision)
        keeps the later record.

    Example
    -------
    >>> parse_reference_rates({"refRates": [{"effectiveDate": "2025-10-31", "type": "TGCR",
    ...     "percentRate": 4.21}]}, "tgcr", "u")["TGCRRATE"].iloc[0]
    4.21
    """
    rows = record_list(payload, ("refRates",), SOURCE, url)
    wanted = RATE_SERIES[rate]
    values: dict[str, dict[pd.Timestamp, float]] = {sid: {} for sid in wanted}
    for number, row in enumerate(rows, start=1):
        kind = str(row.get("type") or rate).strip().upper()
        if kind != rate.upper():
            continue  # e.g. SOFR averages (SOFRAI) mixed into a search
        raw_day = row.get("effectiveDate")
        if is_missing(raw_day):
            raise PayloadError(SOURCE, f"record {number}: 'effectiveDate' is empty", url)
        try:
            day = pd.Timestamp(parse_date(raw_day))
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"record {number}, 'effectiveDate': {exc}", url) from None
        for sid, names in wanted.items():
            raw = next((row[n] for n in names if n in row), None)
            value = value_or_none(raw, f"record {number}, {names[0]!r}", SOURCE, url)
            values[sid][day] = float("nan") if value is None else value
    out = {sid: dated_series(sid, vals) for sid, vals in values.items()}
    for sid, series in out.items():
        check_units(sid, series, SOURCE, url)
    return out


def fetch_reference_rates(
    http: HttpClient, rate: str, start: date, end: date
) -> dict[str, pd.Series]:
    """Fetch one reference rate for ``[start, end]`` (see :func:`parse_reference_rates`)."""
    parts: dict[str, list[pd.Series]] = {sid: [] for sid in RATE_SERIES[rate]}
    for lo, hi in search_windows(start, end):
        params = {"startDate": lo.isoformat(), "endDate": hi.isoformat()}
        url = url_for(RATE_PATHS[rate])
        payload = http.get_json(url, params)
        shown = http.display_url(httpx.URL(url).copy_merge_params(params))
        for sid, series in parse_reference_rates(payload, rate, shown).items():
            parts[sid].append(series)
    return {sid: _concat(sid, chunks) for sid, chunks in parts.items()}


def _concat(series_id: str, chunks: list[pd.Series]) -> pd.Series:
    chunks = [c for c in chunks if len(c)]
    if not chunks:
        return dated_series(series_id, {})
    joined = pd.concat(chunks)
    joined = joined[~joined.index.duplicated(keep="last")].sort_index()
    joined.name = series_id
    return joined


# -- repo and reverse repo operations ------------------------------------------------------
_DETAIL_CLASS = {
    "treasury": "treasury_accepted",
    "agency": "agency_accepted",
    "mortgage-backed": "mbs_accepted",
    "mbs": "mbs_accepted",
}
_AWARD_RATE_KEYS = ("percentAwardRate", "percentWeightedAverageRate", "percentStopOutRate")
_OFFERING_RATE_KEYS = ("percentOfferingRate", "percentMinimumBidRate", "minimumBidRate")


def _first_rate(details: list[Mapping[str, Any]], keys: tuple[str, ...], url: str) -> float | None:
    # Treasury collateral first: for the SRF and ON RRP it is the rate the facility is quoted at.
    ordered = sorted(details, key=lambda d: str(d.get("securityType", "")).lower() != "treasury")
    for detail in ordered:
        for key in keys:
            value = value_or_none(detail.get(key), f"details.{key}", SOURCE, url)
            if value is not None:
                return value
    return None


def parse_repo_operations(payload: Any, url: str, default_type: str = "repo") -> pd.DataFrame:
    """Repo / reverse repo operation results from a ``/rp/results/search.json`` payload.

    Parameters
    ----------
    payload
        ``{"repo": {"operations": [{"operationId", "operationDate", "operationType": "Repo" |
        "Reverse Repo", "totalAmtSubmitted", "totalAmtAccepted", "note", "details":
        [{"securityType", "amtAccepted", "percentAwardRate", "percentOfferingRate"}]}]}}``.
    url
        Shown in errors.
    default_type
        ``repo`` | ``reverse_repo`` when an operation has no ``operationType``.

    Returns
    -------
    pd.DataFrame
        Columns of ``catalog.TABLES["repo_operations"]``; amounts in USD, rates in percent,
        missing values as None. The award rate comes from the details (Treasury first:
        ``percentAwardRate``, else the weighted average or stop-out rate); ``small_value`` is 1
        for the NY Fed's test trades (``isSmallValue`` = "Y", a note saying "small value", or
        the size rule of :func:`flag_small_value`).

    Example
    -------
    A $50.35B SRF repo on 2025-10-31 becomes one row with ``total_accepted`` = 5.035e10,
    ``operation_type`` = "repo" and ``small_value`` = 0.
    """
    rows = record_list(payload, ("repo", "operations"), SOURCE, url)
    columns = catalog.TABLES["repo_operations"].column_names
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = records_frame(rows, REPO_OPERATION_FIELDS, SOURCE, url)
    frame["operation_type"] = [
        normalise_operation_type(t, default_type) for t in frame["operation_type"]
    ]
    for column in (
        "treasury_accepted",
        "agency_accepted",
        "mbs_accepted",
        "award_rate",
        "offering_rate",
    ):
        frame[column] = frame[column].astype(object)
    explicit_small: list[bool] = []
    for i, row in enumerate(rows):
        details_raw = row.get("details") or []
        if not isinstance(details_raw, list):
            raise PayloadError(SOURCE, f"record {i + 1}: 'details' is not a list", url)
        details = [d for d in details_raw if isinstance(d, Mapping)]
        sums: dict[str, float] = {}
        for detail in details:
            target = _DETAIL_CLASS.get(str(detail.get("securityType", "")).strip().lower())
            amount = value_or_none(detail.get("amtAccepted"), "details.amtAccepted", SOURCE, url)
            if target and amount is not None:
                sums[target] = sums.get(target, 0.0) + amount
        for column in ("treasury_accepted", "agency_accepted", "mbs_accepted"):
            if pd.isna(frame.at[i, column]) and column in sums:
                frame.at[i, column] = sums[column]
        if pd.isna(frame.at[i, "award_rate"]):
            frame.at[i, "award_rate"] = _first_rate(details, _AWARD_RATE_KEYS, url)
        if pd.isna(frame.at[i, "offering_rate"]):
            frame.at[i, "offering_rate"] = _first_rate(details, _OFFERING_RATE_KEYS, url)
        # The note is read by flag_small_value below, like for imported files.
        explicit_small.append(
            str(row.get("isSmallValue") or "").strip().lower() in {"y", "yes", "true"}
        )
    for column in (
        "total_submitted",
        "total_accepted",
        "treasury_accepted",
        "agency_accepted",
        "mbs_accepted",
        "award_rate",
        "offering_rate",
    ):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    # The note decides where the records carry one (the live API always does, "" when empty);
    # records without the key at all fall back on size, like an export without the column.
    has_note = any("note" in row for row in rows)
    flagged = flag_small_value(frame if has_note else frame.drop(columns="note"))
    frame["small_value"] = (pd.Series(explicit_small, index=frame.index) | flagged).astype(int)
    return frame[columns]


def fetch_repo_operations(http: HttpClient, start: date, end: date) -> pd.DataFrame:
    """Repo and reverse repo operation results for ``[start, end]``, one request per window.

    No ``operationTypes`` is sent: without it the search returns both kinds, each record naming
    its ``operationType``, which is what recorded real requests do; a parameter the API might
    one day reject would otherwise fail the whole table.
    """
    frames: list[pd.DataFrame] = []
    url = url_for(REPO_PATH)
    for lo, hi in search_windows(start, end):
        params = {"startDate": lo.isoformat(), "endDate": hi.isoformat()}
        payload = http.get_json(url, params)
        shown = http.display_url(httpx.URL(url).copy_merge_params(params))
        frames.append(parse_repo_operations(payload, shown, "repo"))
    return _stack(frames, "repo_operations")


def _stack(frames: list[pd.DataFrame], table: str) -> pd.DataFrame:
    columns = catalog.TABLES[table].column_names
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    joined = pd.concat(frames, ignore_index=True)
    key = list(catalog.TABLES[table].key)
    return joined.drop_duplicates(subset=key, keep="last").reset_index(drop=True)[columns]


# -- outright Treasury and agency MBS operations ------------------------------------------
# Agency MBS operations that are not outright purchases or sales: a dollar roll or a coupon
# swap exchanges MBS for MBS and changes no holdings' size, so it must not count as buying.
_MBS_EXCHANGES = (("coupon swap", "mbs_swap"), ("swap", "mbs_swap"), ("roll", "mbs_roll"))


def security_class(operation_type: str | None, default: str | None = None) -> str:
    """``"Outright Bill Purchase"`` -> ``"bill"``; coupon, tips, frn, mbs likewise.

    ``default="mbs"`` says the operation is an agency MBS one (``/ambs``): it is then ``"mbs"``
    whatever its wording, except dollar rolls (``"mbs_roll"``) and coupon swaps
    (``"mbs_swap"``), which are not purchases; an MBS "Coupon Swap" is never a Treasury coupon
    purchase. Agency debt operations give ``"agency"``; anything unrecognised ``default`` or
    ``"other"``.

    >>> security_class("Coupon Swap", "mbs"), security_class("Outright Coupon Purchase")
    ('mbs_swap', 'coupon')
    """
    text = (operation_type or "").lower()
    if default == "mbs" or any(w in text for w in ("mbs", "mortgage", "tba", "specified pool")):
        for word, cls in _MBS_EXCHANGES:
            if word in text:
                return cls
        return "mbs"
    if "dollar roll" in text:
        return "mbs_roll"
    for word, cls in (
        ("bill", "bill"),
        ("tips", "tips"),
        ("frn", "frn"),
        ("floating", "frn"),
        ("coupon", "coupon"),
        ("agency", "agency"),
    ):
        if word in text:
            return cls
    return default or "other"


def operation_family(security: str) -> str:
    """``"mbs"`` for agency MBS classes, else ``"treasury"``: the half of the key that tells
    a Treasury and an MBS operation with the same ``OR mmddyy NN`` id apart."""
    return "mbs" if security.startswith("mbs") else "treasury"


def _direction(raw: Any, operation_type: str | None) -> str | None:
    text = str(raw or "").strip().upper()
    if text in {"P", "S"}:
        return text
    lowered = (operation_type or "").lower()
    if "purchase" in lowered:
        return "P"
    if "sale" in lowered:
        return "S"
    return None


def parse_outright_operations(payload: Any, url: str, kind: str = "treasury") -> pd.DataFrame:
    """Outright operations from ``/tsy/.../summary/search.json`` or ``/ambs/.../search.json``.

    Parameters
    ----------
    payload
        ``{"treasury": {"auctions": [...]}}`` (``kind="treasury"``) or
        ``{"ambs": {"auctions": [...]}}`` (``kind="ambs"``). Each record has ``operationId``,
        ``operationDate``, ``operationType`` ("Outright Bill Purchase", "Outright Coupon
        Purchase", "Outright TIPS Purchase", ..., "Outright TBA Purchase"),
        ``operationDirection`` ("P" | "S"), ``totalParAmtAccepted`` (Treasury, par) or
        ``totalAcceptedOrigFace`` / ``totalAcceptedCurrFace`` (MBS; ``totalAmtAcceptedPar``
        is present and empty there).
    url
        Shown in errors.

    Returns
    -------
    pd.DataFrame
        Columns of ``catalog.TABLES["outright_operations"]``; amounts in USD (Treasury par,
        MBS original face, current face only where original face is empty); ``family``
        ``treasury`` | ``mbs``; ``security_class`` ``bill`` | ``coupon`` | ``tips`` | ``frn``
        | ``mbs`` | ``mbs_roll`` | ``mbs_swap`` (``agency`` / ``other`` for anything else);
        ``operation_direction`` ``P`` | ``S``.

    Example
    -------
    "Outright Bill Purchase" of $7.5B on 2025-12-12 -> security_class "bill", direction "P",
    total_par_accepted 7.5e9.
    """
    root = "ambs" if kind == "ambs" else "treasury"
    rows = record_list(payload, (root, "auctions"), SOURCE, url)
    columns = catalog.TABLES["outright_operations"].column_names
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = records_frame(
        [coalesce_amounts(row) for row in rows], OUTRIGHT_OPERATION_FIELDS, SOURCE, url
    )
    frame["security_class"] = None  # the API has no class: always from the operation type
    frame = classify_outright(frame, "mbs" if kind == "ambs" else None)
    return frame[columns]


def _blank(value: Any) -> bool:
    # A cell of a typed frame: None, NaN or a published "no value".
    return is_missing(value) or (isinstance(value, float) and value != value)


def classify_outright(frame: pd.DataFrame, family: str | None = None) -> pd.DataFrame:
    """Fill ``security_class``, ``family`` and ``operation_direction`` of outright operations
    where a record lacks them (API payloads and CSV exports alike), and make amounts numeric.

    ``family="mbs"`` says every record is an agency MBS operation (the ``/ambs`` endpoint);
    otherwise the family follows the class (``operation_family``).
    """
    out = frame.copy()
    given = out.get("security_class", pd.Series(None, index=out.index, dtype=object))
    out["security_class"] = [
        str(c).strip().lower() if not _blank(c) else security_class(t, family)
        for c, t in zip(given, out["operation_type"], strict=True)
    ]
    fam = out.get("family", pd.Series(None, index=out.index, dtype=object))
    out["family"] = [
        str(f).strip().lower() if not _blank(f) else (family or operation_family(c))
        for f, c in zip(fam, out["security_class"], strict=True)
    ]
    direction = out.get("operation_direction", pd.Series(None, index=out.index, dtype=object))
    out["operation_direction"] = [
        _direction(d, t) for d, t in zip(direction, out["operation_type"], strict=True)
    ]
    for column in ("total_par_submitted", "total_par_accepted"):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def fetch_outright_operations(http: HttpClient, start: date, end: date) -> pd.DataFrame:
    """Outright Treasury operations and agency MBS operations for ``[start, end]``."""
    frames: list[pd.DataFrame] = []
    for kind, path in (("treasury", TSY_OPERATIONS_PATH), ("ambs", AMBS_OPERATIONS_PATH)):
        url = url_for(path)
        for lo, hi in search_windows(start, end):
            params = {"startDate": lo.isoformat(), "endDate": hi.isoformat()}
            payload = http.get_json(url, params)
            shown = http.display_url(httpx.URL(url).copy_merge_params(params))
            frames.append(parse_outright_operations(payload, shown, kind))
    return _stack(frames, "outright_operations")


# -- SOMA summary -------------------------------------------------------------------------
def parse_soma_summary(payload: Any, url: str, start: date | None = None) -> dict[str, pd.Series]:
    """SOMA bills, nominal notes and bonds, and MBS in **USD billions** from ``/soma/summary.json``.

    The API gives one record per week (``asOfDate``, Wednesday) with dollar amounts as strings
    (``"195493000000"``); ``""`` is missing (NaN). ``start`` drops earlier weeks.

    Example: ``{"asOfDate": "2025-11-19", "bills": "195493000000"}`` -> SOMA_BILLS 195.493.
    """
    rows = record_list(payload, ("soma", "summary"), SOURCE, url)
    values: dict[str, dict[pd.Timestamp, float]] = {sid: {} for sid in SOMA_SERIES}
    for number, row in enumerate(rows, start=1):
        raw_day = row.get("asOfDate")
        try:
            day = pd.Timestamp(parse_date(raw_day))
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"record {number}, 'asOfDate': {exc}", url) from None
        if start is not None and day.date() < start:
            continue
        for sid, name in SOMA_SERIES.items():
            if name not in row:
                raise PayloadError(
                    SOURCE,
                    f"record {number} has no {name!r}; the SOMA summary format may have changed",
                    url,
                )
            value = value_or_none(row[name], f"record {number}, {name!r}", SOURCE, url)
            values[sid][day] = float("nan") if value is None else value / 1e9
    out = {sid: dated_series(sid, vals) for sid, vals in values.items()}
    for sid, series in out.items():
        check_units(sid, series, SOURCE, url)
    return out


def fetch_soma_summary(http: HttpClient, start: date | None = None) -> dict[str, pd.Series]:
    """The SOMA summary (the whole history comes in one response; ``start`` filters it)."""
    url = url_for(SOMA_SUMMARY_PATH)
    return parse_soma_summary(http.get_json(url), url, start)


# -- primary dealer fails and series breaks ------------------------------------------------
def parse_pd_fails(payload: Any, url: str, start: date | None = None) -> pd.DataFrame:
    """Primary dealer fails (``PDFTD-USTET``, ``PDFTR-USTET``) in **USD millions**.

    ``{"pd": {"timeseries": [{"asofdate": "2024-07-03", "keyid": "PDFTD-USTET",
    "value": "113493"}]}}``; cumulative for the week ending Wednesday; ``"*"`` (suppressed) and
    ``""`` become NULL. Negative values are a PayloadError. ``start`` drops earlier weeks.

    Example: the record above -> one row (date 2024-07-03, keyid PDFTD-USTET, value 113493.0).
    """
    rows = record_list(payload, ("pd", "timeseries"), SOURCE, url)
    records: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        for name in ("asofdate", "keyid"):
            if is_missing(row.get(name)):
                raise PayloadError(SOURCE, f"record {number}: {name!r} is missing", url)
        try:
            day = parse_date(row["asofdate"])
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"record {number}, 'asofdate': {exc}", url) from None
        if start is not None and date.fromisoformat(day) < start:
            continue
        value = value_or_none(row.get("value"), f"record {number}, 'value'", SOURCE, url)
        if value is not None and value < 0:
            raise PayloadError(
                SOURCE, f"record {number}: fails cannot be negative ({value:g})", url
            )
        records.append({"date": day, "keyid": str(row["keyid"]).strip(), "value": value})
    return pd.DataFrame.from_records(records, columns=["date", "keyid", "value"])


def fetch_pd_fails(http: HttpClient, start: date | None = None) -> pd.DataFrame:
    """Aggregate Treasury fails to deliver / receive (the whole history in one response)."""
    url = url_for(PD_FAILS_PATH)
    return parse_pd_fails(http.get_json(url), url, start)


def parse_pd_series_breaks(payload: Any, url: str) -> pd.DataFrame:
    """Series breaks of the primary dealer statistics (never compare values across one).

    ``{"pd": {"seriesbreaks": [{"seriesbreak": "SBN2024", "label": "...", "startdate":
    "2024-07-03", "enddate": ""}]}}``; an empty ``enddate`` (the current break) is NULL.
    """
    rows = record_list(payload, ("pd", "seriesbreaks"), SOURCE, url)
    return records_frame(rows, SERIES_BREAK_FIELDS, SOURCE, url)


def fetch_pd_series_breaks(http: HttpClient) -> pd.DataFrame:
    url = url_for(PD_SERIES_BREAKS_PATH)
    return parse_pd_series_breaks(http.get_json(url), url)


# -- primary dealer statistics: positions, financing, transactions -------------------------
# One alias map for every FR 2004 key reportgen stores: NY Fed key -> (table, measure).
# Keys and what they hold were checked against recorded bodies of ``/pd/get/{keyid}.json`` and
# the NY Fed's full-history CSV (see ../shared/docs/FORMATS_CAPACITY.md): ``PDPOSGST-TOT`` is
# the sum of every bucket below *including* the four TIPS buckets (0 exceptions in 248 weeks),
# although its description says "excluding TIPS". ``UTSET`` = U.S. Treasury securities
# excluding TIPS.
@dataclass(frozen=True)
class PdKey:
    """One primary dealer statistics key: where it is stored and the weeks it exists.

    ``since`` is the first week the key is expected to have (every current key runs from
    2013-04-03 in the spliced history; the 11-21 and over-21-year coupon buckets from
    2022-01-05, when FR 2004 split the over-11-year bucket); ``until`` the last week of a
    retired key.
    """

    keyid: str
    table: str
    measure: str
    label: str
    since: date = date(2013, 4, 3)
    until: date | None = None


_SPLIT_2022 = date(2022, 1, 5)
PD_KEYS: dict[str, PdKey] = {
    k.keyid: k
    for k in [
        PdKey("PDPOSGST-TOT", "pd_positions", "total",
              "Treasuries, total (bills, FRN, coupons and TIPS)"),
        PdKey("PDPOSGS-B", "pd_positions", "bills", "Treasury bills"),
        PdKey("PDPOSGS-BFRN", "pd_positions", "frn", "Floating rate notes"),
        PdKey("PDPOSGSC-L2", "pd_positions", "coupons_le2y", "Coupons due in 2 years or less"),
        PdKey("PDPOSGSC-G2L3", "pd_positions", "coupons_2y_3y", "Coupons due in 2 to 3 years"),
        PdKey("PDPOSGSC-G3L6", "pd_positions", "coupons_3y_6y", "Coupons due in 3 to 6 years"),
        PdKey("PDPOSGSC-G6L7", "pd_positions", "coupons_6y_7y", "Coupons due in 6 to 7 years"),
        PdKey("PDPOSGSC-G7L11", "pd_positions", "coupons_7y_11y",
              "Coupons due in 7 to 11 years"),
        PdKey("PDPOSGSC-G11L21", "pd_positions", "coupons_11y_21y",
              "Coupons due in 11 to 21 years", since=_SPLIT_2022),
        PdKey("PDPOSGSC-G21", "pd_positions", "coupons_gt21y",
              "Coupons due in more than 21 years", since=_SPLIT_2022),
        PdKey("PDPOSGSC-G11", "pd_positions", "coupons_gt11y",
              "Coupons due in more than 11 years (to 2021-12-29)", until=date(2021, 12, 29)),
        PdKey("PDPOSTIPS-L2", "pd_positions", "tips_le2y", "TIPS due in 2 years or less"),
        PdKey("PDPOSTIPS-G2", "pd_positions", "tips_2y_6y", "TIPS due in 2 to 6 years"),
        PdKey("PDPOSTIPS-G6L11", "pd_positions", "tips_6y_11y", "TIPS due in 6 to 11 years"),
        PdKey("PDPOSTIPS-G11", "pd_positions", "tips_gt11y", "TIPS due in more than 11 years"),
        PdKey("PDSORA-UTSETTOT", "pd_financing", "repo_out",
              "Securities out: repurchase agreements (dealers borrow cash)"),
        PdKey("PDSIRRA-UTSETTOT", "pd_financing", "reverse_repo_in",
              "Securities in: reverse repurchase agreements (dealers lend cash)"),
        PdKey("PDSIOSB-UTSETTOT", "pd_financing", "securities_borrowed",
              "Securities in: securities borrowed"),
        PdKey("PDSOOS-UTSETTOT", "pd_financing", "securities_lent",
              "Securities out: securities lent"),
        PdKey("PDGSWOEXTTOT", "pd_transactions", "total_ex_tips",
              "Treasury transactions excluding TIPS (daily average)"),
    ]
}
PD_TABLES = ("pd_positions", "pd_financing", "pd_transactions")
PD_GET_PATH = "/pd/get/{keyid}.json"
PD_BREAK_PATH = "/pd/get/{series_break}/timeseries/{keyid}.json"
# A history starting within this many days of a break's start is "cut at that break".
_CUT_TOLERANCE_DAYS = 7


@dataclass(frozen=True)
class SeriesBreak:
    """One NY Fed series-break window (``end`` None: the current one)."""

    series_break: str
    start: date
    end: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


# Used when ``/pd/list/seriesbreaks.json`` has not been stored (its shape is known from client
# code only). SBP2001, SBP2013 and SBN2024 dates were read from that endpoint by a client on
# 2026-10-03; SBN2013 / SBN2015 are a client's comment; SBN2022 ends the day before SBN2024.
KNOWN_BREAKS: tuple[SeriesBreak, ...] = (
    SeriesBreak("SBP2001", date(1998, 1, 28), date(2001, 6, 30)),
    SeriesBreak("SBP2013", date(2001, 7, 1), date(2013, 3, 31)),
    SeriesBreak("SBN2013", date(2013, 4, 1), date(2014, 12, 31)),
    SeriesBreak("SBN2015", date(2015, 1, 1), date(2022, 1, 4)),
    SeriesBreak("SBN2022", date(2022, 1, 5), date(2024, 7, 2)),
    SeriesBreak("SBN2024", date(2024, 7, 3), None),
)


def series_breaks(stored: pd.DataFrame | None = None) -> tuple[SeriesBreak, ...]:
    """The break windows: :data:`KNOWN_BREAKS`, overridden and extended by a stored
    ``pd_series_breaks`` table (a break the NY Fed adds later comes from there), by start."""
    known = {b.series_break: b for b in KNOWN_BREAKS}
    if stored is not None and len(stored):
        for row in stored.itertuples(index=False):
            name = str(row.series_break).strip()
            try:
                start = date.fromisoformat(str(row.start_date)[:10])
            except ValueError:
                continue
            end_text = str(row.end_date or "").strip()[:10]
            try:
                end = date.fromisoformat(end_text) if end_text else None
            except ValueError:
                end = None
            known[name] = SeriesBreak(name, start, end)
    return tuple(sorted(known.values(), key=lambda b: b.start))


def break_of(day: date, breaks: tuple[SeriesBreak, ...]) -> str:
    """The break window holding ``day`` (the latest one starting on or before it when the
    windows leave a gap; ``"unknown"`` before the first).

    >>> break_of(date(2024, 6, 26), KNOWN_BREAKS), break_of(date(2024, 7, 3), KNOWN_BREAKS)
    ('SBN2022', 'SBN2024')
    """
    for b in breaks:
        if b.contains(day):
            return b.series_break
    earlier = [b for b in breaks if b.start <= day]
    return earlier[-1].series_break if earlier else "unknown"


def parse_pd_statistics(
    payload: Any,
    url: str,
    breaks: tuple[SeriesBreak, ...] = KNOWN_BREAKS,
    start: date | None = None,
) -> pd.DataFrame:
    """Primary dealer statistics rows (positions, financing, transactions) in **USD millions**.

    Parameters
    ----------
    payload
        ``{"pd": {"timeseries": [{"asofdate": "2026-08-26", "keyid": "PDPOSGST-TOT",
        "value": "477607"}, ...]}}`` from ``/pd/get/{keyid}.json`` (the spliced history) or
        ``/pd/get/{break}/timeseries/{keyid}.json`` (one break window). Values are strings of
        whole millions, negative for net short positions; ``"*"`` is a value the NY Fed
        withheld; ``""`` or an absent ``value`` is not published. A row may carry its own
        ``seriesbreak`` (one client's fixture does); otherwise the break comes from the date.
    url
        Shown in errors.
    breaks
        The break windows (:func:`series_breaks`).
    start
        Drop weeks before this date.

    Returns
    -------
    pd.DataFrame
        Columns of ``catalog.TABLES["pd_positions"]`` (the three PD tables share them) plus
        ``table``, the table each row belongs to. ``"*"`` -> value NULL, suppressed 1; empty ->
        value NULL, suppressed 0. Keys reportgen does not store are skipped. The same key and
        week twice keeps the later row.

    Example
    -------
    ``{"asofdate": "2021-12-15", "keyid": "PDPOSGS-B", "value": "-3975"}`` -> table
    pd_positions, measure bills, series_break SBN2015, value -3975.0, suppressed 0.
    """
    rows = record_list(payload, ("pd", "timeseries"), SOURCE, url)
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in enumerate(rows, start=1):
        for name in ("asofdate", "keyid"):
            if is_missing(row.get(name)):
                raise PayloadError(SOURCE, f"record {number}: {name!r} is missing", url)
        key = PD_KEYS.get(str(row["keyid"]).strip())
        if key is None:
            continue
        try:
            day = parse_date(row["asofdate"])
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"record {number}, 'asofdate': {exc}", url) from None
        when = date.fromisoformat(day)
        if start is not None and when < start:
            continue
        raw = row.get("value")
        suppressed = isinstance(raw, str) and raw.strip() == "*"
        value = None if suppressed else value_or_none(raw, f"record {number}, 'value'",
                                                      SOURCE, url)
        given = row.get("seriesbreak")
        records[(key.keyid, day)] = {
            "date": day,
            "keyid": key.keyid,
            "measure": key.measure,
            "series_break": str(given).strip() if not is_missing(given)
            else break_of(when, breaks),
            "value": value,
            "suppressed": int(suppressed),
            "table": key.table,
        }
    columns = [*catalog.TABLES["pd_positions"].column_names, "table"]
    return pd.DataFrame.from_records(list(records.values()), columns=columns)


@dataclass(frozen=True)
class HistoryCut:
    """A key whose spliced history lacked a break window it should have."""

    keyid: str
    series_break: str
    table: str
    first_returned: str | None
    filled: bool
    rows_filled: int
    note: str


def missing_windows(
    key: PdKey,
    first_returned: date | None,
    need_from: date,
    need_to: date,
    breaks: tuple[SeriesBreak, ...],
) -> list[SeriesBreak]:
    """The break windows a spliced history of ``key`` lacks, newest first.

    The history counts as cut when it returned nothing for ``[need_from, need_to]``, or when it
    begins at the start of a break window (within a week) later than the first week needed:
    the API then served one window, not the spliced history. A history that simply begins
    later (a key that started then) is not cut.

    Example: PDPOSGST-TOT starting 2024-07-03 when 2013-04-03 was needed lacks SBN2022,
    SBN2015 and SBN2013.
    """
    lo = max(need_from, key.since)
    hi = min(need_to, key.until) if key.until else need_to
    if lo > hi:
        return []
    if first_returned is not None:
        if (first_returned - lo).days < _CUT_TOLERANCE_DAYS:
            return []
        at_break = any(0 <= (first_returned - b.start).days < _CUT_TOLERANCE_DAYS
                       for b in breaks)
        if not at_break:
            return []
        hi = min(hi, first_returned - timedelta(days=1))
    wanted = [b for b in breaks
              if b.start <= hi and (b.end is None or b.end >= lo)]
    return sorted(wanted, key=lambda b: b.start, reverse=True)


def _get_pd(http: HttpClient, path: str) -> tuple[Any, str] | None:
    """The payload at ``path``; None when the API refuses it (4xx): a retired key or a
    break window the API no longer serves. Network and server failures still raise."""
    url = url_for(path)
    try:
        return http.get_json(url), url
    except HTTPStatusError as exc:
        if 400 <= exc.status < 500 and exc.status != 429:
            return None
        raise


def fetch_pd_statistics(
    http: HttpClient,
    table: str,
    today: date,
    start: date | None = None,
    breaks: tuple[SeriesBreak, ...] = KNOWN_BREAKS,
) -> tuple[pd.DataFrame, list[HistoryCut]]:
    """Every key of ``table`` (``pd_positions`` | ``pd_financing`` | ``pd_transactions``).

    One ``/pd/get/{keyid}.json`` request per key (it has no date parameters and returns the
    spliced history across breaks). When a history comes back cut at a break (see
    :func:`missing_windows`), each lacking window is asked for at
    ``/pd/get/{break}/timeseries/{keyid}.json`` and recorded as a :class:`HistoryCut`, filled
    or not. The key catalogue (``/pd/list/timeseries.json``) is never used: it lists the
    current break only.

    Returns the rows from ``start`` (all weeks when None) and the cuts found.
    """
    keys = [k for k in PD_KEYS.values() if k.table == table]
    need_from = start or min(k.since for k in keys)
    frames: list[pd.DataFrame] = []
    cuts: list[HistoryCut] = []
    for key in keys:
        if key.until is not None and need_from > key.until:
            continue  # a retired key: nothing new can come
        got = _get_pd(http, PD_GET_PATH.format(keyid=key.keyid))
        frame = (parse_pd_statistics(got[0], got[1], breaks) if got is not None
                 else parse_pd_statistics({"pd": {"timeseries": []}}, "", breaks))
        frame = frame[frame["keyid"] == key.keyid]
        present = frame[frame["value"].notna() | (frame["suppressed"] == 1)]
        first = date.fromisoformat(present["date"].min()) if len(present) else None
        for window in missing_windows(key, first, need_from, today, breaks):
            path = PD_BREAK_PATH.format(series_break=window.series_break, keyid=key.keyid)
            filled = _get_pd(http, path)
            part = (parse_pd_statistics(filled[0], filled[1], breaks) if filled is not None
                    else frame.iloc[0:0])
            part = part[part["keyid"] == key.keyid]
            new = part[~part["date"].isin(frame["date"])]
            cuts.append(HistoryCut(
                key.keyid, window.series_break, table,
                first.isoformat() if first else None, bool(len(new)), int(len(new)),
                f"filled from {path}" if len(new) else
                f"{path} returned nothing; the {window.series_break} window is missing"))
            if len(new):
                frame = pd.concat([frame, new], ignore_index=True)
        if start is not None:
            frame = frame[frame["date"] >= start.isoformat()]
        frames.append(frame)
    columns = catalog.TABLES[table].column_names
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns), cuts
    joined = pd.concat(frames, ignore_index=True).sort_values(["keyid", "date"])
    return joined[columns].reset_index(drop=True), cuts


def cuts_frame(cuts: list[HistoryCut], detected_at: date) -> pd.DataFrame:
    """``cuts`` as rows of ``catalog.TABLES["pd_history_cuts"]``."""
    columns = catalog.TABLES["pd_history_cuts"].column_names
    return pd.DataFrame.from_records(
        [{"keyid": c.keyid, "series_break": c.series_break,
          "detected_at": detected_at.isoformat(), "table_name": c.table,
          "first_returned": c.first_returned, "filled": int(c.filled),
          "rows_filled": c.rows_filled, "note": c.note} for c in cuts],
        columns=columns)


# -- SOMA securities lending ----------------------------------------------------------------
# ``/seclending/{operation}/results/{include}/search.json``; operation ``seclending`` (the
# daily programme; ``extensions`` and ``all`` exist too), include ``details`` (per CUSIP) or
# ``summary``. The shape below is the one a strict client validator accepted on every
# operation of 2019-2023 (pakchu/rllm training/build_new_york_fed_securities_lending.py); no
# readable recorded body was found, so the fixtures are built from that format.
SECLENDING_PATH = "/seclending/seclending/results/details/search.json"
SECLENDING_OPERATION_FIELDS: list[Field] = [
    Field("operation_id", "text", ("operationId",), required=True),
    Field("operation_date", "date", ("operationDate",), required=True),
    Field("operation_type", "text", ("operationType",)),
    Field("settlement_date", "date", ("settlementDate",)),
    Field("maturity_date", "date", ("maturityDate",)),
    Field("release_time", "text", ("releaseTime",)),
    Field("close_time", "text", ("closeTime",)),
    Field("last_updated", "text", ("lastUpdated",)),
    Field("total_par_submitted", "num", ("totalParAmtSubmitted",)),
    Field("total_par_accepted", "num", ("totalParAmtAccepted",)),
    Field("total_par_extended", "num", ("totalParAmtExtended",)),
    Field("note", "text", ()),
]
SECLENDING_DETAIL_FIELDS: list[Field] = [
    Field("cusip", "text", (), required=True),
    Field("security_description", "text", ("securityDescription",)),
    Field("par_submitted", "num", ("parAmtSubmitted",)),
    Field("par_accepted", "num", ("parAmtAccepted",)),
    Field("weighted_average_rate", "num", ("weightedAverageRate",)),
    Field("soma_holdings", "num", ("somaHoldings",)),
    Field("theo_avail_to_borrow", "num", ("theoAvailToBorrow",)),
    Field("actual_avail_to_borrow", "num", ("actualAvailToBorrow",)),
    Field("outstanding_loans", "num", ("outstandingLoans",)),
]


def _unquote(value: Any) -> Any:
    # The rate may arrive as the JSON text "\"N/A\"" (quotes inside the string).
    return value.strip().strip('"') if isinstance(value, str) else value


def parse_seclending(payload: Any, url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SOMA securities lending operations and their per-CUSIP results (amounts in **USD** par).

    Parameters
    ----------
    payload
        ``{"seclending": {"operations": [{"operationId": "SL 020626 1", "operationType":
        "Securities Lending", "operationDate": "2026-02-06", "settlementDate",
        "maturityDate", "releaseTime", "closeTime", "lastUpdated", "note",
        "totalParAmtSubmitted": 34732000000, "totalParAmtAccepted": 34434000000,
        ["totalParAmtExtended"], "details": [{"cusip", "securityDescription",
        "parAmtSubmitted", "parAmtAccepted", "weightedAverageRate" (number or "N/A"),
        "somaHoldings", "theoAvailToBorrow", "actualAvailToBorrow", "outstandingLoans"}]}]}}``.
        Amounts are JSON numbers in dollars. ``summary`` responses have no ``details``.
    url
        Shown in errors.

    Returns
    -------
    (operations, details)
        ``catalog.TABLES["seclending_operations"]`` and ``["seclending_details"]`` columns.
        ``issues_lent`` counts the CUSIPs with a positive accepted par, ``issues_offered``
        the CUSIPs listed (both NULL for a summary response). ``"N/A"`` rates and absent
        ``totalParAmtExtended`` are NULL.

    Example
    -------
    An operation with details for two CUSIPs, one lent $25M and one not lent -> one operation
    row with ``issues_lent`` 1 and ``issues_offered`` 2, and two detail rows.
    """
    rows = record_list(payload, ("seclending", "operations"), SOURCE, url)
    op_columns = catalog.TABLES["seclending_operations"].column_names
    detail_columns = catalog.TABLES["seclending_details"].column_names
    if not rows:
        return pd.DataFrame(columns=op_columns), pd.DataFrame(columns=detail_columns)
    cleaned = [{k: _unquote(v) for k, v in row.items() if k != "details"} for row in rows]
    operations = records_frame(cleaned, SECLENDING_OPERATION_FIELDS, SOURCE, url)
    lent: list[int | None] = []
    offered: list[int | None] = []
    detail_frames: list[pd.DataFrame] = []
    for number, row in enumerate(rows, start=1):
        raw = row.get("details")
        if raw is None:
            lent.append(None)
            offered.append(None)
            continue
        if not isinstance(raw, list) or not all(isinstance(d, Mapping) for d in raw):
            raise PayloadError(SOURCE, f"record {number}: 'details' is not a list", url)
        details = records_frame([{k: _unquote(v) for k, v in d.items()} for d in raw],
                                SECLENDING_DETAIL_FIELDS, SOURCE, f"{url} (operation {number})")
        details.insert(0, "operation_date", operations.at[number - 1, "operation_date"])
        details.insert(0, "operation_id", operations.at[number - 1, "operation_id"])
        accepted = pd.to_numeric(details["par_accepted"], errors="coerce")
        lent.append(int((accepted > 0).sum()))
        offered.append(int(len(details)))
        detail_frames.append(details)
    operations["issues_lent"] = pd.array(lent, dtype="Int64")
    operations["issues_offered"] = pd.array(offered, dtype="Int64")
    frames = [f for f in detail_frames if len(f)]
    details_all = (pd.concat(frames, ignore_index=True)[detail_columns] if frames
                   else pd.DataFrame(columns=detail_columns))
    return operations[op_columns], details_all


def year_windows(start: date, end: date) -> list[tuple[date, date]]:
    """``[start, end]`` cut at calendar years (clients chunk this search by year: the API
    caps a search at about a year).

    >>> [(a.day, b.day) for a, b in year_windows(date(2025, 12, 1), date(2026, 2, 1))]
    [(1, 31), (1, 1)]
    """
    windows: list[tuple[date, date]] = []
    lo = start
    while lo <= end:
        hi = min(end, date(lo.year, 12, 31))
        windows.append((lo, hi))
        lo = hi + timedelta(days=1)
    return windows


def fetch_seclending(
    http: HttpClient, start: date, end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Securities lending operations and per-CUSIP results for ``[start, end]``, one request
    per calendar year (a full year's details response is 8-14 MB)."""
    ops: list[pd.DataFrame] = []
    details: list[pd.DataFrame] = []
    url = url_for(SECLENDING_PATH)
    for lo, hi in year_windows(start, end):
        params = {"startDate": lo.isoformat(), "endDate": hi.isoformat()}
        payload = http.get_json(url, params)
        shown = http.display_url(httpx.URL(url).copy_merge_params(params))
        o, d = parse_seclending(payload, shown)
        ops.append(o)
        details.append(d)
    return _stack(ops, "seclending_operations"), _stack(details, "seclending_details")
