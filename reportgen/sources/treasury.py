"""US Treasury Fiscal Data: auction results and the Daily Treasury Statement cash balance.

Field maps here are shared by the JSON API parser and the CSV importer, so both produce the
same canonical columns (see ``catalog.TABLES``). The API is keyless and paginated; every value
arrives as a string and a missing one as the string ``"null"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx
import pandas as pd

from reportgen import catalog
from reportgen.errors import PayloadError
from reportgen.sources import validate
from reportgen.sources.http import HttpClient
from reportgen.sources.payloads import (
    check_units,
    dated_series,
    is_missing,
    record_list,
    records_frame,
)
from reportgen.sources.records import Field

AUCTION_FIELDS: list[Field] = [
    Field("cusip", "text", ("Cusip",), required=True),
    Field("auction_date", "date", ("AuctionDate",), required=True),
    Field("issue_date", "date", ("IssueDate",)),
    Field("maturity_date", "date", ("MaturityDate",)),
    Field("security_type", "text", ("SecurityType",)),
    Field("security_term", "text", ("SecurityTerm",)),
    # ``tenor``: auction-allotment exports label the original term so.
    Field("original_security_term", "text", ("OriginalSecurityTerm", "tenor")),
    Field("reopening", "bool", ("Reopening",)),
    Field("tips", "bool", ("Tips", "inflation_index_security")),
    Field("frn", "bool", ("FloatingRate", "floating_rate")),
    Field("cmb", "bool", ("CashManagementBillCMB", "cash_management_bill_cmb")),
    Field("offering_amt", "num", ("OfferingAmount",)),
    Field("total_tendered", "num", ("TotalTendered",)),
    Field("total_accepted", "num", ("TotalAccepted",)),
    Field("comp_accepted", "num", ("CompetitiveAccepted",)),
    Field("bid_to_cover_ratio", "num", ("BidToCoverRatio",)),
    Field("high_yield", "num", ("HighYield",)),
    Field("low_yield", "num", ("LowYield",)),
    Field("avg_med_yield", "num", ("AverageMedianYield",)),
    Field("high_discnt_rate", "num", ("HighDiscountRate",)),
    Field("high_investment_rate", "num", ("HighInvestmentRate",)),
    Field("avg_med_discnt_rate", "num", ("AverageMedianDiscountRate",)),
    Field("primary_dealer_accepted", "num", ("PrimaryDealerAccepted",)),
    Field("direct_bidder_accepted", "num", ("DirectBidderAccepted",)),
    Field("indirect_bidder_accepted", "num", ("IndirectBidderAccepted",)),
    Field("soma_accepted", "num", ("SomaAccepted",)),
    Field("allocation_pctage", "num", ("AllocationPercentage",)),
]

# Coupon tenors Treasury issues (years). A reopening is sold within a year of the original
# issue, so its remaining term rounds up to the original one ("9-Year 10-Month" -> 10-Year).
COUPON_TENORS_YEARS = (2, 3, 5, 7, 10, 20, 30)
_TERM = re.compile(r"^\s*(?:(\d+)-Year)?\s*(?:(\d+)-Month)?\s*$", re.IGNORECASE)


def original_terms(auctions: pd.DataFrame) -> pd.Series:
    """The original security term of each auction, for files that lack the column.

    Fiscal Data's ``original_security_term`` is absent from some exports, which give only the
    remaining ``security_term`` (a reopening's "9-Year 10-Month"). A new issue's term is its
    original term; a reopening takes the term of the same CUSIP's original auction when that is
    in the file, else, for a note or bond, the smallest issued coupon tenor at least as long
    as the remaining term. A reopened bill whose original auction is not in the file is None.

    Example: a "29-Year 11-Month" bond reopening -> "30-Year"; a new "4-Week" bill -> "4-Week".
    """
    term = auctions.get("security_term", pd.Series(None, index=auctions.index, dtype=object))
    # An export without the column lists no reopenings (each row is read as a new issue).
    flags = auctions.get("reopening", pd.Series(0, index=auctions.index))
    reopening = pd.to_numeric(flags, errors="coerce").fillna(0) == 1
    kind = auctions.get("security_type", pd.Series("", index=auctions.index)).astype(str)
    new_issue = ~reopening & term.notna()
    by_cusip = dict(zip(auctions.loc[new_issue, "cusip"], term[new_issue], strict=True))
    out: list[str | None] = []
    for cusip, text, reopened, sec in zip(auctions["cusip"], term, reopening, kind, strict=True):
        if not isinstance(text, str):
            out.append(None)
        elif not reopened:
            out.append(text.strip())
        elif cusip in by_cusip:
            out.append(by_cusip[cusip])
        elif sec.strip().lower() in {"note", "bond"}:
            out.append(_round_up_to_tenor(text))
        else:
            out.append(None)
    return pd.Series(out, index=auctions.index, dtype=object)


def _round_up_to_tenor(text: str) -> str | None:
    match = _TERM.match(text)
    if match is None or not any(match.groups()):
        return None
    years = int(match.group(1) or 0) + int(match.group(2) or 0) / 12
    tenor = next((t for t in COUPON_TENORS_YEARS if t >= years), None)
    return f"{tenor}-Year" if tenor is not None else None


CASH_BALANCE_FIELDS: list[Field] = [
    Field("record_date", "date", (), required=True),
    Field("account_type", "text", ("type_of_account",), required=True),
    Field("open_today_bal", "num", ("opening_balance_today",)),
    Field("close_today_bal", "num", ("closing_balance_today",)),
    Field("open_month_bal", "num", ("opening_balance_this_month",)),
    Field("open_fiscal_year_bal", "num", ("opening_balance_this_fiscal_year",)),
]

DEBT_TRANSACTION_FIELDS: list[Field] = [
    Field("record_date", "date", (), required=True),
    Field("transaction_type", "text", (), required=True),
    Field("security_type", "text", (), required=True),
    Field("security_type_desc", "text", ("security_type_description",)),
    Field("transaction_today_amt", "num", ("transactions_today",)),
    Field("transaction_mtd_amt", "num", ("transactions_month_to_date",)),
    Field("transaction_fytd_amt", "num", ("transactions_fiscal_year_to_date",)),
]

# The TGA row across the three DTS schema eras.
TGA_ERA_ACCOUNTS = (
    "Federal Reserve Account",  # to 2021-09-30: value in close_today_bal
    "Treasury General Account (TGA)",  # 2021-10-01 .. 2022-04-15
)
TGA_CLOSING_ROW = "Treasury General Account (TGA) Closing Balance"  # from 2022-04-18
TGA_OPENING_ROW = "Treasury General Account (TGA) Opening Balance"


def tga_close_series(cash_balance: pd.DataFrame) -> pd.Series:
    """Daily TGA closing balance (USD millions) from DTS operating-cash-balance rows.

    Handles the three eras of the DTS schema: "Federal Reserve Account" (to Sep 2021),
    "Treasury General Account (TGA)" (Oct 2021 - Apr 2022), and from 2022-04-18 the row
    "Treasury General Account (TGA) Closing Balance", whose value Fiscal Data puts in
    ``open_today_bal`` while ``close_today_bal`` is "null". Where an era-1/2 row carries no
    closing balance (some exports keep only the opening columns), the close of day D is the
    opening balance of the next statement day, which is the same number by construction.

    Example: 2023-06-01 -> 22,892 (the debt-ceiling low).
    """
    if cash_balance.empty:
        return dated_series("TGA_DTS", {})
    frame = cash_balance.copy()
    frame["record_date"] = pd.to_datetime(frame["record_date"])
    # An export may carry only one of the two balance columns.
    close = frame.get("close_today_bal", pd.Series(index=frame.index, dtype="float64"))
    opening = frame.get("open_today_bal", pd.Series(index=frame.index, dtype="float64"))
    values: dict[pd.Timestamp, float] = {}

    closing_rows = frame[frame["account_type"] == TGA_CLOSING_ROW]
    for day, opened, closed in zip(
        closing_rows["record_date"],
        opening.loc[closing_rows.index],
        close.loc[closing_rows.index],
        strict=True,
    ):
        value = closed if pd.notna(closed) else opened
        if pd.notna(value):
            values[day] = float(value)

    # Opening balances of every day, whichever era's row carries them.
    is_opening = frame["account_type"].isin([*TGA_ERA_ACCOUNTS, TGA_OPENING_ROW])
    openings = opening[is_opening].groupby(frame["record_date"][is_opening]).first().sort_index()
    next_opening = openings.shift(-1)
    old_rows = frame[frame["account_type"].isin(TGA_ERA_ACCOUNTS)]
    for idx, row in old_rows.iterrows():
        day = row["record_date"]
        if day in values:
            continue
        value = close.loc[idx]
        if pd.isna(value):
            value = next_opening.get(day)
        if value is not None and pd.notna(value):
            values[day] = float(value)

    return dated_series("TGA_DTS", values)


# ============================================================================================
# The Fiscal Data API (https://api.fiscaldata.treasury.gov, keyless, JSON)
# ============================================================================================

BASE_URL = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
AUCTIONS_PATH = "/v1/accounting/od/auctions_query"
CASH_BALANCE_PATH = "/v1/accounting/dts/operating_cash_balance"
DEBT_TRANSACTIONS_PATH = "/v1/accounting/dts/public_debt_transactions"
SOURCE = "treasury"
PAGE_SIZE = 10_000  # the API's maximum
MAX_PAGES = 1_000  # a guard against a server that keeps saying "next"


def url_for(path: str) -> str:
    """The full API URL of ``path``."""
    return BASE_URL + path


def fetch_pages(
    http: HttpClient,
    path: str,
    filter_: str | None,
    sort: str,
    page_size: int = PAGE_SIZE,
) -> tuple[list[Mapping[str, Any]], str]:
    """Every record of a Fiscal Data query, following the pagination.

    The response is ``{"data": [...], "meta": {"total-pages": N, ...}, "links": {"next":
    "&page%5Bnumber%5D=2&..." | null}}``; pages are requested by number until the last
    (``total-pages``) or until ``links.next`` is null. Returns the records (values as strings,
    ``"null"`` for missing) and the URL to show in errors.

    Raises
    ------
    PayloadError
        A page without a ``data`` list (the API changed its shape).
    """
    url = url_for(path)
    base: dict[str, str | int] = {"sort": sort, "format": "json", "page[size]": page_size}
    if filter_:
        base["filter"] = filter_
    shown = http.display_url(httpx.URL(url).copy_merge_params(base))
    records: list[Mapping[str, Any]] = []
    previous: list[Mapping[str, Any]] | None = None
    for page in range(1, MAX_PAGES + 1):
        params = {**base, "page[number]": page}
        payload = http.get_json(url, params)
        rows = record_list(payload, ("data",), SOURCE, shown)
        if rows and rows == previous:
            raise PayloadError(SOURCE, f"the server sent the same page again as page {page} "
                               "(its pagination is broken); try again later", shown)
        previous = rows
        records.extend(rows)
        meta = payload.get("meta") if isinstance(payload, Mapping) else None
        links = payload.get("links") if isinstance(payload, Mapping) else None
        total = _int(meta.get("total-pages")) if isinstance(meta, Mapping) else None
        has_next = bool(links.get("next")) if isinstance(links, Mapping) else None
        if not rows or has_next is False or (total is not None and page >= total):
            break
        if total is None and has_next is None:
            break  # no pagination information at all: one page is all there is
    else:
        raise PayloadError(SOURCE, f"more than {MAX_PAGES} pages; narrow the date range", shown)
    return records, shown


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _dedupe(frame: pd.DataFrame, table: str, url: str) -> pd.DataFrame:
    """``frame`` without repeated records (pages can overlap); a record whose key comes twice
    with different values is a PayloadError: keeping either would be a guess."""
    problem = validate.conflicting_duplicate(table, frame)
    if problem is not None:
        raise PayloadError(SOURCE, f"record {problem.row + 1}: {problem.reason}", url)
    key = list(catalog.TABLES[table].key)
    return frame.drop_duplicates(subset=key, keep="last").reset_index(drop=True)


def parse_auctions(rows: list[Mapping[str, Any]], url: str) -> pd.DataFrame:
    """Auction records of ``auctions_query`` as the columns of ``catalog.TABLES["auctions"]``.

    Parameters
    ----------
    rows
        Fiscal Data records: every value a string, ``"null"`` for missing. Announced auctions
        carry ``"null"`` results until they happen and are kept with NULLs (a later fetch fills
        them in). All security types: Bill, Note, Bond, FRN, CMB; TIPS are Notes/Bonds with
        ``inflation_index_security`` = "Yes".
    url
        Shown in errors.

    Returns
    -------
    pd.DataFrame
        Amounts in USD, yields and rates in percent, flags 0/1, dates ISO text.

    Raises
    ------
    PayloadError
        ``cusip`` or ``auction_date`` missing from the records or empty in one.

    Example
    -------
    ``{"cusip": "912797QX8", "auction_date": "2025-11-20", "security_type": "Bill",
    "high_yield": "null", "high_investment_rate": "3.912", ...}`` -> one row with
    ``high_yield`` NULL and ``high_investment_rate`` 3.912.
    """
    # TIPS are flagged by ``inflation_index_security``; let it win over any other ``tips`` key.
    rows = [
        {**row, "tips": row["inflation_index_security"]}
        if not is_missing(row.get("inflation_index_security"))
        else row
        for row in rows
    ]
    frame = records_frame(rows, AUCTION_FIELDS, SOURCE, url)
    return _dedupe(frame, "auctions", url)


def fetch_auctions(http: HttpClient, start: date | None) -> pd.DataFrame:
    """Auctions (all security types) with ``auction_date`` on or after ``start``."""
    filter_ = f"auction_date:gte:{start.isoformat()}" if start else None
    rows, shown = fetch_pages(http, AUCTIONS_PATH, filter_, "auction_date,cusip")
    return parse_auctions(rows, shown)


def parse_cash_balance(rows: list[Mapping[str, Any]], url: str) -> pd.DataFrame:
    """DTS operating cash balance rows (USD millions) as ``catalog.TABLES["dts_cash_balance"]``.

    ``record_date`` and ``account_type`` are required; balances ``"null"`` become NULL (from
    2022-04-18 the TGA closing-balance row has its value in ``open_today_bal`` and ``"null"``
    in ``close_today_bal``).
    """
    frame = records_frame(rows, CASH_BALANCE_FIELDS, SOURCE, url)
    return _dedupe(frame, "dts_cash_balance", url)


def fetch_cash_balance(http: HttpClient, start: date | None) -> tuple[pd.DataFrame, pd.Series]:
    """DTS operating cash balance from ``start`` and the daily TGA close derived from it.

    Returns the table rows and the ``TGA_DTS`` series (USD millions, see
    :func:`tga_close_series` for the three schema eras). Example: 2023-06-01 -> 22,892.
    """
    filter_ = f"record_date:gte:{start.isoformat()}" if start else None
    rows, shown = fetch_pages(http, CASH_BALANCE_PATH, filter_, "record_date")
    frame = parse_cash_balance(rows, shown)
    tga = tga_close_series(frame)
    check_units("TGA_DTS", tga, SOURCE, shown)
    return frame, tga


def blank_security_type_desc(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a blank or absent ``security_type_desc`` (subtotal rows) as ``""``.

    It is part of the table's key, so it cannot be NULL; API and CSV rows both pass here.
    """
    desc = frame.get("security_type_desc", pd.Series(index=frame.index, dtype=object))
    frame["security_type_desc"] = desc.fillna("")
    return frame


def parse_debt_transactions(rows: list[Mapping[str, Any]], url: str) -> pd.DataFrame:
    """DTS public debt transactions (USD millions) as ``catalog.TABLES["dts_debt_transactions"]``.

    A blank ``security_type_desc`` (subtotal rows) is kept as ``""`` because it is part of the
    key (see :func:`blank_security_type_desc`).
    """
    frame = records_frame(rows, DEBT_TRANSACTION_FIELDS, SOURCE, url)
    return _dedupe(blank_security_type_desc(frame), "dts_debt_transactions", url)


def fetch_debt_transactions(http: HttpClient, start: date | None) -> pd.DataFrame:
    """Marketable public debt issues and redemptions (DTS table III-A) from ``start``."""
    filters = ["security_market:eq:Marketable"]
    if start:
        filters.append(f"record_date:gte:{start.isoformat()}")
    rows, shown = fetch_pages(http, DEBT_TRANSACTIONS_PATH, ",".join(filters), "record_date")
    return parse_debt_transactions(rows, shown)
