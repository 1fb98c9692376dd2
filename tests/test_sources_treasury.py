"""US Treasury Fiscal Data: pagination, "null" values, the three DTS eras, changed shapes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from reportgen.errors import PayloadError
from reportgen.sources import treasury
from reportgen.sources.http import HttpClient, RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "treasury"
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _: None)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def paged_client(pages: dict[str, list[Any]], seen: list[httpx.URL]) -> HttpClient:
    """Serves ``pages[path][page_number - 1]`` for each Fiscal Data path."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        path = request.url.path.removeprefix("/services/api/fiscal_service")
        number = int(request.url.params.get("page[number]", "1"))
        return httpx.Response(200, json=pages[path][number - 1])

    return HttpClient("treasury", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT)


def test_auctions_follow_pagination_and_keep_announced_auctions_with_nulls() -> None:
    seen: list[httpx.URL] = []
    http = paged_client(
        {treasury.AUCTIONS_PATH: [load("auctions_page1.json"), load("auctions_page2.json")]}, seen
    )
    frame = treasury.fetch_auctions(http, date(2025, 1, 1)).set_index("cusip")
    assert [u.params["page[number]"] for u in seen] == ["1", "2"]
    assert seen[0].params["filter"] == "auction_date:gte:2025-01-01"
    assert seen[0].params["page[size]"] == "10000"
    assert len(frame) == 3
    bond = frame.loc["912810UE6"]
    assert bond["high_yield"] == 4.913 and bond["bid_to_cover_ratio"] == 2.52
    assert bond["reopening"] == 1 and bond["tips"] == 0
    assert bond["indirect_bidder_accepted"] == 14_636_231_600
    announced = frame.loc["912797NP8"]
    assert announced["auction_date"] == "2025-01-27" and announced["offering_amt"] == 81e9
    assert pd.isna(announced["high_investment_rate"]) and pd.isna(announced["total_accepted"])


def test_pagination_stops_when_next_link_is_null() -> None:
    seen: list[httpx.URL] = []
    page = load("auctions_page2.json")
    page["meta"]["total-pages"] = 5  # inconsistent meta: the null next link wins
    http = paged_client({treasury.AUCTIONS_PATH: [page]}, seen)
    rows, _ = treasury.fetch_pages(http, treasury.AUCTIONS_PATH, None, "auction_date")
    assert len(seen) == 1 and len(rows) == 1


def test_missing_data_key_is_a_payload_error_naming_the_url() -> None:
    seen: list[httpx.URL] = []
    http = paged_client({treasury.AUCTIONS_PATH: [{"error": "moved", "meta": {}}]}, seen)
    with pytest.raises(PayloadError, match="no 'data'") as info:
        treasury.fetch_auctions(http, date(2025, 1, 1))
    assert "auctions_query" in info.value.message


def test_missing_required_field_is_a_payload_error_naming_it() -> None:
    rows = load("auctions_page1.json")["data"]
    for row in rows:
        del row["cusip"]
    with pytest.raises(PayloadError, match="required field.*cusip"):
        treasury.parse_auctions(rows, "https://api.fiscaldata.treasury.gov/x")


def test_empty_required_value_is_a_payload_error_naming_the_record() -> None:
    rows = load("auctions_page1.json")["data"]
    rows[1]["auction_date"] = "null"
    with pytest.raises(PayloadError, match="record 2: required field 'auction_date' is empty"):
        treasury.parse_auctions(rows, "https://api.fiscaldata.treasury.gov/x")


def test_bad_number_is_a_payload_error_naming_field() -> None:
    rows = load("auctions_page1.json")["data"]
    rows[0]["high_yield"] = "4.9l3"
    with pytest.raises(PayloadError, match="record 1, field 'high_yield'"):
        treasury.parse_auctions(rows, "https://api.fiscaldata.treasury.gov/x")


def test_cash_balance_gives_table_and_tga_across_three_eras() -> None:
    seen: list[httpx.URL] = []
    http = paged_client({treasury.CASH_BALANCE_PATH: [load("operating_cash_balance.json")]}, seen)
    frame, tga = treasury.fetch_cash_balance(http, date(2021, 9, 30))
    assert seen[0].params["filter"] == "record_date:gte:2021-09-30"
    assert len(frame) == 9
    assert tga[pd.Timestamp("2021-09-30")] == 215160  # era 1: close_today_bal
    assert tga[pd.Timestamp("2022-04-15")] == 578473  # era 2
    assert tga[pd.Timestamp("2022-04-18")] == 841253  # era 3: value in open_today_bal
    assert tga[pd.Timestamp("2023-06-01")] == 22892
    closing = frame[frame["account_type"].str.endswith("Closing Balance")]
    assert closing["close_today_bal"].isna().all()  # "null" -> NULL


def test_debt_transactions_keep_blank_description_as_empty_text() -> None:
    seen: list[httpx.URL] = []
    http = paged_client(
        {treasury.DEBT_TRANSACTIONS_PATH: [load("public_debt_transactions.json")]}, seen
    )
    frame = treasury.fetch_debt_transactions(http, date(2021, 6, 1))
    assert seen[0].params["filter"] == ("security_market:eq:Marketable,record_date:gte:2021-06-01")
    assert list(frame["security_type_desc"]) == ["Cash Management Series", ""]
    assert frame["transaction_mtd_amt"].tolist() == [300010, 225448]


def test_tips_are_read_from_inflation_index_security() -> None:
    rows = load("auctions_page1.json")["data"]
    rows[0]["security_type"] = "Note"
    rows[0]["inflation_index_security"] = "Yes"
    frame = treasury.parse_auctions(rows, "https://api.fiscaldata.treasury.gov/x")
    assert frame["tips"].tolist() == [1, 0]
