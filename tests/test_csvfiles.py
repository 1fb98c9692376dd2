from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from reportgen.dataset import Dataset
from reportgen.errors import ImportFileError
from reportgen.sources.csvfiles import csv_files, import_files, parse_file
from reportgen.store import Store

T0 = datetime(2026, 1, 1)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_fred_download_with_observation_date_header(tmp_path: Path) -> None:
    p = write(
        tmp_path, "fredgraph.csv", "observation_date,WALCL\n2024-01-03,7681024\n2024-01-10,.\n"
    )
    parsed = parse_file(p)
    assert parsed.series["WALCL"].iloc[0] == 7681024.0
    assert parsed.series["WALCL"].isna().iloc[1]


def test_old_fred_download_with_date_header_and_several_series(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "DATE,DGS10,DGS2\n2024-01-02,3.95,4.33\n2024-01-03,3.91,\n")
    parsed = parse_file(p)
    assert set(parsed.series) == {"DGS10", "DGS2"}
    assert parsed.series["DGS2"].isna().tolist() == [False, True]


def test_published_alias_file_names_map_to_catalog_ids(tmp_path: Path) -> None:
    p = write(tmp_path, "SOMA_BILLS_BN.csv", "date,value\n2024-01-03,238.9\n")
    assert list(parse_file(p).series) == ["SOMA_BILLS"]


def test_bad_number_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "WALCL.csv", "date,value\n2024-01-03,7681024\n2024-01-10,12abc\n")
    with pytest.raises(ImportFileError, match=r"WALCL.csv, line 3: .*'12abc'"):
        parse_file(p)


def test_wrong_unit_is_refused(tmp_path: Path) -> None:
    # WALCL in billions instead of millions: 7,681 is implausibly small.
    p = write(tmp_path, "WALCL.csv", "date,value\n2024-01-03,7681.024\n")
    with pytest.raises(ImportFileError, match="plausible range for USD millions"):
        parse_file(p)


def test_rate_in_basis_points_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "SOFR.csv", "date,value\n2019-09-17,525\n")
    with pytest.raises(ImportFileError, match="SOFR = 525"):
        parse_file(p)


def test_unknown_series_is_refused_with_the_known_list(tmp_path: Path) -> None:
    p = write(tmp_path, "GDP.csv", "observation_date,GDP\n2024-01-01,28000\n")
    with pytest.raises(
        ImportFileError, match="'GDP' is not one reportgen uses; known series: .*WALCL"
    ):
        parse_file(p)


def test_ragged_row_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "WALCL.csv", "date,value\n2024-01-03,7681024,9\n")
    with pytest.raises(ImportFileError, match="line 2: 3 fields where the header has 2"):
        parse_file(p)


def test_unrecognised_header_explains_expected_formats(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(ImportFileError, match="unrecognised columns foo, bar"):
        parse_file(p)


def test_a_bad_file_imports_nothing(tmp_path: Path, store: Store) -> None:
    write(tmp_path, "WALCL.csv", "date,value\n2024-01-03,7681024\n")
    write(tmp_path, "WRESBAL.csv", "date,value\n2024-01-03,oops\n")
    with pytest.raises(ImportFileError, match="WRESBAL.csv, line 2"):
        import_files(store, csv_files(tmp_path), T0)
    assert store.is_empty()


def test_duplicate_dates_are_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "WALCL.csv", "date,value\n2024-01-03,7681024\n2024-01-03,7681025\n")
    with pytest.raises(ImportFileError, match="line 3: date 2024-01-03 appears twice"):
        parse_file(p)


def test_dts_cash_balance_derives_tga_across_schema_eras(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "dts.csv",
        (
            "record_date,type_of_account,opening_balance_today,opening_balance_this_month,"
            "opening_balance_this_fiscal_year,source_line_number\n"
            "2021-09-29,Federal Reserve Account,100,1,1,1\n"
            "2021-09-30,Federal Reserve Account,110,1,1,1\n"
            "2021-10-01,Treasury General Account (TGA),120,1,1,1\n"
            "2021-10-04,Treasury General Account (TGA),130,1,1,1\n"
            "2022-04-18,Treasury General Account (TGA) Opening Balance,140,1,1,1\n"
            "2022-04-18,Treasury General Account (TGA) Closing Balance,150,1,1,1\n"
        ),
    )
    tga = parse_file(p).series["TGA_DTS"]
    # Era 1/2 exports carry only openings: the close of D is the opening of the next day.
    assert tga["2021-09-29"] == 110 and tga["2021-09-30"] == 120 and tga["2021-10-04"] == 140
    # From 2022-04-18 the closing balance sits in the opening-balance column.
    assert tga["2022-04-18"] == 150


def test_semicolon_separated_treasurydirect_export(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "auctions.csv",
        (
            "Cusip;SecurityType;OriginalSecurityTerm;AuctionDate;HighYield;AverageMedianYield\n"
            "912810UE6;Bond;30-Year;2025-01-08T00:00:00;4.913;4.870\n"
        ),
    )
    frame = parse_file(p).tables["auctions"]
    assert frame.loc[0, "auction_date"] == "2025-01-08" and frame.loc[0, "high_yield"] == 4.913


@pytest.mark.real_data
def test_every_real_file_imports_with_known_values(real_store: Store) -> None:
    ds = Dataset.from_store(real_store)
    assert ds.series("WALCL")["2022-04-13"] == 8_965_487
    assert ds.series("SOFR")["2019-09-17"] == 5.25
    assert ds.series("RRPONTSYD")["2022-12-30"] == 2553.716
    assert ds.series("TGA_DTS")["2023-06-01"] == 22_892
    assert ds.series("SOMA_BILLS")["2026-09-23"] == 554.4
    ops = ds.table("repo_operations")
    srf = ops[(ops.operation_date == "2025-10-31") & (ops.operation_type == "repo")]
    assert srf["total_accepted"].sum() == 50.35e9
    auctions = ds.table("auctions")
    twenty = auctions[auctions.auction_date == "2025-05-21"].iloc[0]
    assert (twenty.high_yield, twenty.bid_to_cover_ratio) == (5.047, 2.46)
    names = {i.name for i in real_store.summary()}
    assert {
        "auctions",
        "repo_operations",
        "pd_fails",
        "dts_cash_balance",
        "dts_debt_transactions",
        "WDTGAL",
        "WTREGEN",
        "T10Y3M",
    } <= names


def test_value_billions_file_is_stored_in_the_catalog_units(tmp_path: Path) -> None:
    # WSHOBL is kept in USD millions: a billions file must not be stored 1,000 times too small.
    p = write(tmp_path, "WSHOBL.csv", "date,value_billions\n2024-01-03,216.788\n")
    assert parse_file(p).series["WSHOBL"].iloc[0] == pytest.approx(216788.0)


def test_value_billions_file_for_a_rate_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "SOFR.csv", "date,value_billions\n2024-01-03,5.31\n")
    with pytest.raises(ImportFileError, match="SOFR is in percent, not a dollar amount"):
        parse_file(p)


@pytest.mark.parametrize(
    ("name", "text", "table"),
    [
        (
            "debt.csv",
            "record_date,transaction_type,security_type,transactions_today\n"
            "2024-01-03,Issues,Bills,100\n",
            "dts_debt_transactions",
        ),
        ("repo.csv", "operation_id,operation_date,operation_type\nRP1,2024-01-03,Repo\n",
         "repo_operations"),
        (
            "cash.csv",
            "record_date,account_type,close_today_bal\n"
            "2024-01-03,Treasury General Account (TGA),700000\n",
            "dts_cash_balance",
        ),
    ],
)
def test_export_without_an_optional_column_imports(
    tmp_path: Path, store: Store, name: str, text: str, table: str
) -> None:
    # These raised KeyError (a traceback) for a column the field map calls optional.
    report = import_files(store, [write(tmp_path, name, text)], T0)
    assert report.rows_written >= 1
    assert len(store.read_table(table)) == 1
