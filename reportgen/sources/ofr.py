"""Office of Financial Research: the Short-term Funding Monitor API and the Financial Stress Index.

Both are keyless. The Short-term Funding Monitor (``https://data.financialresearch.gov/v1``)
serves one series per request, named by its mnemonic, which is also the catalog id here
(``REPO-DVP_AR_OO-P``: repo, DVP service, average rate, overnight/open, preliminary):

====================  ==========================================================================
part of a mnemonic    meaning
====================  ==========================================================================
``DVP|GCF|TRI``       the segment: FICC DVP (dealer-intermediated bilateral, cleared), FICC GCF
                      (interdealer general collateral), tri-party
``AR|TV``             average rate (percent, 2 decimals) | transaction volume (**US dollars**,
                      not millions: 3368335031370.9 is $3.37 trn)
``OO``                overnight/open
``-P|-F``             vintage: preliminary (T+1 business day) | final (about a quarter later;
                      fills some preliminary nulls, otherwise equal)
====================  ==========================================================================

Stages: ``fetch_*`` (extract: one request) -> ``parse_*`` (transform: typed, checked series).
The alias map of this source is :data:`FSI_COLUMNS` (CSV column -> catalog id); repo series
need none, their catalog id is the mnemonic.

Evidence for the formats (see ../shared/docs/FORMATS_CAPACITY.md): recorded bodies of
``/v1/series/timeseries`` (eleonorabjornberg/repo-market-model
``tests/fixtures/snapshots/ofr_inputs/ofr_stfm_repo/``), Jaldekoa/ofrapi ``ofrapi/stfm`` for the
parameters, and clients reading ``series/full`` as ``[mnemonic]["timeseries"]["aggregation"]``.
Percentile mnemonics were not found in any recorded response or client, so none is fetched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx
import pandas as pd

from reportgen import catalog
from reportgen.errors import PayloadError
from reportgen.sources.http import HttpClient
from reportgen.sources.payloads import check_units, dated_series, value_or_none
from reportgen.sources.records import ValueParseError, parse_date

SOURCE = "ofr"
BASE_URL = "https://data.financialresearch.gov/v1"
TIMESERIES_PATH = "/series/timeseries"
FSI_URL = "https://www.financialresearch.gov/financial-stress-index/data/fsi.csv"

# Financial Stress Index CSV columns -> catalog ids (map by name: client copies reorder them).
FSI_COLUMNS: dict[str, str] = {
    "ofr fsi": "OFR_FSI",
    "credit": "OFR_FSI_CREDIT",
    "equity valuation": "OFR_FSI_EQUITY",
    "safe assets": "OFR_FSI_SAFE_ASSETS",
    "funding": "OFR_FSI_FUNDING",
    "volatility": "OFR_FSI_VOLATILITY",
    "united states": "OFR_FSI_US",
    "other advanced economies": "OFR_FSI_OTHER_ADVANCED",
    "emerging markets": "OFR_FSI_EMERGING",
}
FSI_SERIES: tuple[str, ...] = tuple(FSI_COLUMNS.values())


def repo_mnemonics() -> list[str]:
    """The repo series of the catalog, in catalog order (one request each)."""
    return [s.id for s in catalog.SERIES.values() if s.source == "ofr" and s.id.startswith("REPO-")]


def _pairs(payload: Any, mnemonic: str, url: str) -> list[Any]:
    """The ``[[date, value], ...]`` list of a ``series/timeseries`` body (a bare array) or of a
    ``series/full`` body (``{mnemonic: {"timeseries": {"aggregation": [...]}}}``)."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, Mapping):
        node = payload.get(mnemonic)
        if isinstance(node, Mapping):
            series = node.get("timeseries")
            if isinstance(series, Mapping) and isinstance(series.get("aggregation"), list):
                return list(series["aggregation"])
        # The API answers an unknown mnemonic with an object, not an array.
        text = "; ".join(f"{k}: {v}" for k, v in list(payload.items())[:3])
        raise PayloadError(SOURCE, f"no time series for {mnemonic} in the response ({text[:200]})",
                           url)
    raise PayloadError(SOURCE, f"expected a JSON array of [date, value] pairs for {mnemonic}, "
                       f"got {type(payload).__name__}", url)


def parse_timeseries(payload: Any, mnemonic: str, url: str) -> pd.Series:
    """One Short-term Funding Monitor series from ``/v1/series/timeseries?mnemonic=...``.

    Parameters
    ----------
    payload
        A bare JSON array of pairs, dates ascending, business days only:
        ``[["2022-01-03", -0.0], ["2022-01-04", 0.0], ..., ["2024-04-03", null]]``. The
        ``series/full`` shape (``{mnemonic: {"timeseries": {"aggregation": [...]}}}``) is
        accepted too.
    mnemonic
        The series asked for (``REPO-DVP_AR_OO-P``), also its catalog id.
    url
        Shown in errors.

    Returns
    -------
    pd.Series
        Float values on a DatetimeIndex ``date``, in the catalog units (rates percent, volumes
        USD). ``null`` -> NaN: the OFR listed the day but published no value, which is kept
        apart from a day it does not list (no row). ``-0.0`` -> 0.0. A date listed twice keeps
        the later pair.

    Example
    -------
    >>> parse_timeseries([["2024-04-02", 5.33], ["2024-04-03", None]], "REPO-DVP_AR_OO-P",
    ...                  "u").tolist()
    [5.33, nan]
    """
    values: dict[pd.Timestamp, float] = {}
    for number, pair in enumerate(_pairs(payload, mnemonic, url), start=1):
        if not isinstance(pair, list | tuple) or len(pair) < 2:
            raise PayloadError(SOURCE, f"{mnemonic} pair {number} is not [date, value]: "
                               f"{pair!r}", url)
        try:
            day = pd.Timestamp(parse_date(pair[0]))
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"{mnemonic} pair {number}: {exc}", url) from None
        value = value_or_none(pair[1], f"{mnemonic} pair {number}", SOURCE, url)
        values[day] = float("nan") if value is None else value + 0.0  # -0.0 -> 0.0
    series = dated_series(mnemonic, values)
    check_units(mnemonic, series, SOURCE, url)
    return series


def fetch_timeseries(http: HttpClient, mnemonic: str, start: date | None = None) -> pd.Series:
    """One request for ``mnemonic`` from ``start`` (the whole history when None).

    ``remove_nulls`` is not sent: a published ``null`` is kept as a missing day.
    """
    url = BASE_URL + TIMESERIES_PATH
    params = {"mnemonic": mnemonic, "start_date": start.isoformat() if start else None}
    payload = http.get_json(url, params)
    shown = http.display_url(httpx.URL(url).copy_merge_params(
        {k: v for k, v in params.items() if v is not None}))
    return parse_timeseries(payload, mnemonic, shown)


def parse_fsi_csv(text: str, url: str, start: date | None = None) -> dict[str, pd.Series]:
    """The OFR Financial Stress Index and its contributions from ``fsi.csv``.

    Parameters
    ----------
    text
        ``Date,OFR FSI,Credit,Equity valuation,Safe assets,Funding,Volatility,United States,
        Other advanced economies,Emerging markets`` then one row a day, ascending, numbers
        with up to 3 decimals (``-2``, ``0.32``). Columns are matched by name.
    url
        Shown in errors.
    start
        Drop earlier days.

    Returns
    -------
    dict[str, pd.Series]
        Catalog id -> index points on a DatetimeIndex; an empty cell is NaN. Every column of
        :data:`FSI_COLUMNS` is required.

    Example: the row ``2024-11-29,-1.845,-0.904,...`` gives OFR_FSI -1.845 on 2024-11-29.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise PayloadError(SOURCE, "the Financial Stress Index file is empty", url)
    header = [h.strip().lower() for h in rows[0]]
    if not header or header[0] != "date":
        raise PayloadError(SOURCE, f"the Financial Stress Index file starts {rows[0][:3]}, not "
                           "Date,OFR FSI,...; the file format may have changed", url)
    missing = [name for name in FSI_COLUMNS if name not in header]
    if missing:
        raise PayloadError(SOURCE, f"the Financial Stress Index file lacks {', '.join(missing)}",
                           url)
    values: dict[str, dict[pd.Timestamp, float]] = {sid: {} for sid in FSI_SERIES}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise PayloadError(SOURCE, f"line {line} has {len(row)} fields, not {len(header)}",
                               url)
        try:
            day = pd.Timestamp(parse_date(row[0]))
        except ValueParseError as exc:
            raise PayloadError(SOURCE, f"line {line}: {exc}", url) from None
        if start is not None and day.date() < start:
            continue
        for name, sid in FSI_COLUMNS.items():
            value = value_or_none(row[header.index(name)], f"line {line}, {name!r}", SOURCE, url)
            values[sid][day] = float("nan") if value is None else value
    out = {sid: dated_series(sid, vals) for sid, vals in values.items()}
    for sid, series in out.items():
        check_units(sid, series, SOURCE, url)
    return out


def fetch_fsi(http: HttpClient, start: date | None = None) -> dict[str, pd.Series]:
    """The whole Financial Stress Index file (one request, about 0.5 MB); ``start`` filters."""
    response = http.get(FSI_URL)
    return parse_fsi_csv(response.text, FSI_URL, start)
