"""US Treasury Fiscal Data: auction results and the Daily Treasury Statement cash balance.

Field maps here are shared by the JSON API parser and the CSV importer, so both produce the
same canonical columns (see ``catalog.TABLES``).
"""

from __future__ import annotations

import pandas as pd

from reportgen.sources.records import Field

AUCTION_FIELDS: list[Field] = [
    Field("cusip", "text", ("Cusip",), required=True),
    Field("auction_date", "date", ("AuctionDate",), required=True),
    Field("issue_date", "date", ("IssueDate",)),
    Field("maturity_date", "date", ("MaturityDate",)),
    Field("security_type", "text", ("SecurityType",)),
    Field("security_term", "text", ("SecurityTerm",)),
    Field("original_security_term", "text", ("OriginalSecurityTerm",)),
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
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"), name="TGA_DTS")
    frame = cash_balance.copy()
    frame["record_date"] = pd.to_datetime(frame["record_date"])
    close = frame.get("close_today_bal", pd.Series(index=frame.index, dtype="float64"))
    values: dict[pd.Timestamp, float] = {}

    closing_rows = frame[frame["account_type"] == TGA_CLOSING_ROW]
    for day, opened, closed in zip(
        closing_rows["record_date"], closing_rows["open_today_bal"],
        close.loc[closing_rows.index], strict=True,
    ):
        value = closed if pd.notna(closed) else opened
        if pd.notna(value):
            values[day] = float(value)

    # Opening balances of every day, whichever era's row carries them.
    opening_rows = frame[frame["account_type"].isin([*TGA_ERA_ACCOUNTS, TGA_OPENING_ROW])]
    openings = opening_rows.groupby("record_date")["open_today_bal"].first().sort_index()
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

    series = pd.Series(values, dtype="float64", name="TGA_DTS").sort_index()
    series.index = pd.DatetimeIndex(series.index, name="date")
    return series
