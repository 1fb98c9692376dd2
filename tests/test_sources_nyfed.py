"""NY Fed Markets Data API: reference rates, operations, SOMA summary, dealer fails."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from reportgen import catalog
from reportgen.errors import HTTPStatusError, PayloadError, UnitError
from reportgen.sources import nyfed
from reportgen.sources.csvfiles import parse_file
from reportgen.sources.http import HttpClient, RetryPolicy
from reportgen.sources.records import convert_record, resolve_columns
from reportgen.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "nyfed"
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _: None)
URL = "https://markets.newyorkfed.org/api/test"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def client_for(routes: dict[str, str], seen: list[httpx.URL] | None = None) -> HttpClient:
    """A client answering each API path (plus ``?operationTypes=`` for /rp) with a fixture."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url)
        path = request.url.path.removeprefix("/api")
        kind = request.url.params.get("operationTypes")
        name = routes.get(f"{path}?{kind}" if kind else path)
        if name is None:
            return httpx.Response(404, text="Not Found")
        return httpx.Response(200, content=(FIXTURES / name).read_bytes())

    return HttpClient("nyfed", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT)


# -- reference rates --------------------------------------------------------------------------
def test_parse_refrates_gives_sofr_percentiles_and_volume() -> None:
    out = nyfed.parse_reference_rates(load("sofr_search.json"), "sofr", URL)
    assert set(out) == {"SOFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL"}
    day = pd.Timestamp("2025-10-31")
    assert out["SOFR"][day] == 4.22 and out["SOFR1"][day] == 4.05 and out["SOFR99"][day] == 4.35
    assert out["SOFRVOL"][day] == 2563
    assert math.isnan(out["SOFRVOL"][pd.Timestamp("2025-10-29")])  # null volume -> missing
    assert list(out["SOFR"].index) == sorted(out["SOFR"].index)
    assert out["SOFR"].index.name == "date"


def test_parse_refrates_accepts_old_percentile_names() -> None:
    out = nyfed.parse_reference_rates(load("sofr_search_old_names.json"), "sofr", URL)
    day = pd.Timestamp("2019-09-17")
    assert out["SOFR"][day] == 5.25 and out["SOFR1"][day] == 2.30 and out["SOFR99"][day] == 9.0


def test_parse_refrates_maps_tgcr_to_catalog_id() -> None:
    out = nyfed.parse_reference_rates(load("tgcr_search.json"), "tgcr", URL)
    assert list(out) == ["TGCRRATE"]
    assert out["TGCRRATE"][pd.Timestamp("2025-10-31")] == 4.15


def test_parse_refrates_rate_in_basis_points_is_a_unit_error() -> None:
    payload = {"refRates": [{"effectiveDate": "2025-10-31", "type": "BGCR", "percentRate": 415}]}
    with pytest.raises(UnitError, match="BGCR = 415"):
        nyfed.parse_reference_rates(payload, "bgcr", URL)


def test_parse_refrates_without_refrates_key_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="no 'refRates'") as info:
        nyfed.parse_reference_rates({"rates": []}, "sofr", URL)
    assert URL in info.value.message


def test_parse_refrates_empty_list_gives_empty_series() -> None:
    out = nyfed.parse_reference_rates({"refRates": []}, "effr", URL)
    assert out["EFFR"].empty


def test_fetch_refrates_searches_in_windows_with_start_and_end() -> None:
    seen: list[httpx.URL] = []
    http = client_for({"/rates/secured/sofr/search.json": "sofr_search.json"}, seen)
    out = nyfed.fetch_reference_rates(http, "sofr", date(2024, 1, 1), date(2025, 11, 21))
    assert [(u.params["startDate"], u.params["endDate"]) for u in seen] == [
        ("2024-01-01", "2024-12-31"),
        ("2025-01-01", "2025-11-21"),
    ]
    assert len(out["SOFR"]) == 4  # the same fixture twice: duplicates collapse


# -- repo operations --------------------------------------------------------------------------
def test_parse_repo_operations_takes_amounts_and_rates_from_details() -> None:
    frame = nyfed.parse_repo_operations(load("rp_repo.json"), URL).set_index("operation_id")
    am = frame.loc["RP 103125 1"]
    assert am["operation_type"] == "repo" and am["operation_date"] == "2025-10-31"
    assert am["total_accepted"] == 20_350_000_000
    assert am["treasury_accepted"] == 4_400_000_000 and am["mbs_accepted"] == 15_950_000_000
    assert am["agency_accepted"] == 0
    assert am["award_rate"] == 4.0 and am["offering_rate"] == 4.0
    assert am["term_days"] == 3 and am["small_value"] == 0
    assert list(frame.reset_index().columns) == nyfed.catalog.TABLES["repo_operations"].column_names


def test_parse_repo_operations_flags_small_value_exercise() -> None:
    frame = nyfed.parse_repo_operations(load("rp_repo.json"), URL).set_index("operation_id")
    assert frame.loc["RP 112425 27", "small_value"] == 1
    assert frame["small_value"].sum() == 1


def test_parse_repo_operations_reads_is_small_value_flag() -> None:
    payload = load("rp_repo.json")
    op = payload["repo"]["operations"][1]
    op["isSmallValue"] = "Y"
    frame = nyfed.parse_repo_operations(payload, URL).set_index("operation_id")
    assert frame.loc["RP 103125 3", "small_value"] == 1


def test_flag_small_value_reads_a_hyphenated_note_like_the_api_parser() -> None:
    # A note names the exercise; the note alone decides, whatever the size.
    frame = pd.DataFrame({
        "operation_date": ["2025-06-02", "2025-06-02"],
        "operation_type": ["repo", "repo"],
        "total_accepted": [1e9, 2e9],
        "note": ["Small-Value Exercise", "Regular operation"],
    })
    assert nyfed.flag_small_value(frame).tolist() == [True, False]


def test_parse_reverse_repo_award_rate_and_counterparties() -> None:
    frame = nyfed.parse_repo_operations(load("rp_reverserepo.json"), URL, "reverse_repo")
    row = frame.iloc[0]
    assert row["operation_type"] == "reverse_repo"
    assert row["award_rate"] == 3.75 and row["offering_rate"] == 3.75
    assert row["participating_cpty"] == 25 and row["total_accepted"] == 51_802_000_000


def test_parse_repo_operations_missing_operation_id_is_a_payload_error() -> None:
    payload = load("rp_repo.json")
    for op in payload["repo"]["operations"]:
        del op["operationId"]
    with pytest.raises(PayloadError, match="operation_id"):
        nyfed.parse_repo_operations(payload, URL)


def test_fetch_repo_operations_sends_no_operation_types() -> None:
    # Recorded real requests send only the dates: the search then returns both kinds, each
    # record naming its operationType. One request per window, and no parameter to reject.
    seen: list[httpx.URL] = []
    http = client_for({"/rp/results/search.json": "rp_results.json"}, seen)
    frame = nyfed.fetch_repo_operations(http, date(2025, 10, 1), date(2025, 11, 30))
    assert len(seen) == 1
    assert set(seen[0].params) == {"startDate", "endDate"}
    assert sorted(frame["operation_type"].unique()) == ["repo", "reverse_repo"]
    assert len(frame) == 4


def test_small_srf_take_up_with_an_empty_note_is_real_take_up() -> None:
    # Real shapes: $1M on 2024-10-16 and $78M on 2025-10-29 with note "" are SRF loans; the
    # $99M of 2025-11-05 at 10:00 is noted as an exercise. The note decides, not the size.
    frame = nyfed.parse_repo_operations(load("rp_srf_no_note.json"), URL)
    flags = dict(zip(frame["operation_id"], frame["small_value"], strict=True))
    assert flags == {"RP 101624 3": 0, "RP 102925 3": 0, "RP 110525 25": 1}


def test_records_without_a_note_key_fall_back_on_size() -> None:
    payload = load("rp_srf_no_note.json")
    for op in payload["repo"]["operations"]:
        del op["note"]
    frame = nyfed.parse_repo_operations(payload, URL)
    assert frame["small_value"].tolist() == [1, 1, 1]  # all at or under $100M


def test_flag_small_value_uses_size_only_without_a_note_column() -> None:
    ops = pd.DataFrame({
        "operation_date": ["2024-10-16", "2025-10-31"],
        "operation_type": ["repo", "repo"],
        "total_accepted": [1e6, 2.035e10],
    })
    assert nyfed.flag_small_value(ops).tolist() == [True, False]
    with_note = ops.assign(note=[None, None])  # a CSV note column, empty on both rows
    assert nyfed.flag_small_value(with_note).tolist() == [False, False]


# -- outright operations ----------------------------------------------------------------------
def test_parse_outright_treasury_operations_classifies_bills_coupons_tips() -> None:
    frame = nyfed.parse_outright_operations(load("tsy_operations.json"), URL, "treasury")
    by_type = dict(zip(frame["operation_type"], frame["security_class"], strict=True))
    assert by_type == {
        "Outright Bill Purchase": "bill",
        "Outright Coupon Purchase": "coupon",
        "Outright TIPS Purchase": "tips",
    }
    bill = frame.iloc[0]
    assert bill["operation_direction"] == "P" and bill["total_par_accepted"] == 7.5e9
    assert bill["maturity_range_end"] == "2026-06-11"
    assert frame["total_par_submitted"].isna().sum() == 1  # "" -> missing


def test_parse_agency_mbs_operations_store_original_face() -> None:
    frame = nyfed.parse_outright_operations(load("ambs_operations.json"), URL, "ambs")
    row = frame.iloc[0]
    assert row["security_class"] == "mbs" and row["operation_direction"] == "P"
    assert row["family"] == "mbs" and row["total_par_accepted"] == 8e9


def test_real_shaped_mbs_operations_keep_original_face_row_by_row() -> None:
    # Real AMBS records carry empty "totalAmtAcceptedPar" keys, original face and current face
    # (factor-reduced); a coupon swap may have no current face. Aliases resolved once for the
    # batch would read current face for both and turn the swap into NULL.
    frame = nyfed.parse_outright_operations(load("ambs_operations_real_shape.json"), URL, "ambs")
    by_id = frame.set_index("operation_id")
    sale = by_id.loc["OR 081426 25"]
    assert sale["total_par_accepted"] == 130_453_820 and sale["total_par_submitted"] == 2.424e9
    assert sale["security_class"] == "mbs" and sale["operation_direction"] == "S"
    swap = by_id.loc["OR 081326 1"]
    assert swap["total_par_accepted"] == 2.5e8
    assert swap["security_class"] == "mbs_swap"  # not a Treasury coupon purchase


def test_mbs_coupon_swaps_and_rolls_are_not_coupon_purchases() -> None:
    assert nyfed.security_class("Coupon Swap", "mbs") == "mbs_swap"
    assert nyfed.security_class("Dollar Roll", "mbs") == "mbs_roll"
    assert nyfed.security_class("Outright TBA Purchase", "mbs") == "mbs"
    assert nyfed.security_class("Outright Coupon Purchase") == "coupon"
    assert nyfed.security_class("Outright TBA Purchase") == "mbs"


def test_treasury_and_mbs_operations_with_one_id_are_both_kept(tmp_path: Path) -> None:
    # Both families number operations "OR mmddyy NN": the key is id plus family.
    http = client_for(
        {
            "/tsy/all/results/summary/search.json": "tsy_operations_or_ids.json",
            "/ambs/all/results/summary/search.json": "ambs_operations_real_shape.json",
        }
    )
    frame = nyfed.fetch_outright_operations(http, date(2026, 8, 1), date(2026, 8, 31))
    shared = frame[frame["operation_id"] == "OR 081426 25"]
    assert sorted(shared["family"]) == ["mbs", "treasury"]
    store = Store.open(tmp_path / "s.sqlite")
    store.upsert_table("outright_operations", frame, "nyfed", datetime(2026, 9, 1))
    assert len(store.read_table("outright_operations")) == 3


def test_security_class_and_direction_fallbacks() -> None:
    assert nyfed.security_class("Outright FRN Purchase") == "frn"
    assert nyfed.security_class("Outright Coupon Sale") == "coupon"
    assert nyfed.security_class("Something New") == "other"
    payload = load("tsy_operations.json")
    payload["treasury"]["auctions"][0]["operationDirection"] = ""
    frame = nyfed.parse_outright_operations(payload, URL, "treasury")
    assert frame.iloc[0]["operation_direction"] == "P"  # read from "Purchase"


def test_fetch_outright_operations_combines_treasury_and_mbs() -> None:
    http = client_for(
        {
            "/tsy/all/results/summary/search.json": "tsy_operations.json",
            "/ambs/all/results/summary/search.json": "ambs_operations.json",
        }
    )
    frame = nyfed.fetch_outright_operations(http, date(2025, 11, 1), date(2025, 12, 31))
    assert sorted(frame["security_class"]) == ["bill", "coupon", "mbs", "tips"]
    assert sorted(frame["family"]) == ["mbs", "treasury", "treasury", "treasury"]


def test_exported_outright_operations_share_the_field_map() -> None:
    rows = load("tsy_operations.json")["treasury"]["auctions"]
    frame = pd.DataFrame(rows)
    resolved = resolve_columns(list(frame.columns), nyfed.OUTRIGHT_OPERATION_FIELDS)
    assert resolved["operation_direction"] == "operationDirection"
    assert nyfed.coalesce_amounts(rows[0])["total_par_accepted"] == "7500000000"


# -- SOMA summary -----------------------------------------------------------------------------
def test_parse_soma_summary_in_billions_with_empty_as_missing() -> None:
    out = nyfed.parse_soma_summary(load("soma_summary.json"), URL)
    assert out["SOMA_BILLS"][pd.Timestamp("2025-11-19")] == pytest.approx(195.493)
    assert out["SOMA_NOTESBONDS"][pd.Timestamp("2025-11-19")] == pytest.approx(3572.723)
    assert out["SOMA_BILLS"][pd.Timestamp("2003-07-09")] == pytest.approx(239.3)
    assert math.isnan(out["SOMA_MBS"][pd.Timestamp("2003-07-09")])


def test_parse_soma_summary_filters_by_start() -> None:
    out = nyfed.parse_soma_summary(load("soma_summary.json"), URL, date(2025, 11, 13))
    assert list(out["SOMA_BILLS"].index) == [pd.Timestamp("2025-11-19")]


def test_parse_soma_summary_missing_column_is_a_payload_error() -> None:
    payload = load("soma_summary.json")
    del payload["soma"]["summary"][1]["notesbonds"]
    with pytest.raises(PayloadError, match="record 2 has no 'notesbonds'"):
        nyfed.parse_soma_summary(payload, URL)


# -- primary dealer fails ---------------------------------------------------------------------
def test_parse_pd_fails_suppressed_and_empty_are_null() -> None:
    frame = nyfed.parse_pd_fails(load("pd_fails.json"), URL)
    assert len(frame) == 4
    first = frame[(frame["date"] == "2024-07-03") & (frame["keyid"] == "PDFTD-USTET")]
    assert first["value"].iloc[0] == 113493
    assert frame[frame["date"] == "2024-07-10"]["value"].isna().all()


def test_parse_pd_fails_negative_value_is_a_payload_error() -> None:
    payload = load("pd_fails.json")
    payload["pd"]["timeseries"][0]["value"] = "-5"
    with pytest.raises(PayloadError, match="cannot be negative"):
        nyfed.parse_pd_fails(payload, URL)


def test_parse_pd_series_breaks_with_open_end() -> None:
    frame = nyfed.parse_pd_series_breaks(load("pd_seriesbreaks.json"), URL).set_index(
        "series_break"
    )
    assert frame.loc["SBN2024", "start_date"] == "2024-07-03"
    assert pd.isna(frame.loc["SBN2024", "end_date"])
    assert frame.loc["SBN2022", "end_date"] == "2024-06-26"


def test_changed_pd_shape_is_a_payload_error_naming_the_path() -> None:
    with pytest.raises(PayloadError, match="no 'pd.timeseries'"):
        nyfed.parse_pd_fails({"pd": {"series": []}}, URL)


def test_repo_csv_import_still_uses_the_shared_field_map(tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_text(
        "operation_date,operation_id,term,total_amt_submitted_usd,total_amt_accepted_usd\n"
        "2025-10-31,RP 103125 1,Overnight,20350000000,20350000000\n"
    )
    parsed = parse_file(path)
    assert parsed.tables["repo_operations"]["total_accepted"].iloc[0] == 20_350_000_000


def test_exported_csv_rows_with_blank_optional_dates_convert() -> None:
    header = [
        "operation_id",
        "operation_date",
        "operation_type",
        "security_class",
        "maturity_range_start",
        "maturity_range_end",
        "total_par_accepted",
    ]
    row = dict(
        zip(
            header,
            ["AMBS 031620 1", "2020-03-16", "Outright TBA Purchase", "mbs", "", "", "8000000000"],
            strict=True,
        )
    )
    mapping = resolve_columns(header, nyfed.OUTRIGHT_OPERATION_FIELDS)
    record = convert_record(row, mapping, nyfed.OUTRIGHT_OPERATION_FIELDS)
    assert record["maturity_range_start"] is None and record["security_class"] == "mbs"
    breaks = ["series_break", "label", "start_date", "end_date"]
    mapping = resolve_columns(breaks, nyfed.SERIES_BREAK_FIELDS)
    record = convert_record(
        dict(zip(breaks, ["SBN2024", "x", "2024-07-03", ""], strict=True)),
        mapping,
        nyfed.SERIES_BREAK_FIELDS,
    )
    assert record["end_date"] is None


# -- primary dealer statistics: positions, financing, transactions ----------------------------
PD_FIXTURES = Path(__file__).parent / "fixtures" / "nyfed_pd"
SAMPLE = Path(__file__).parent.parent / "reportgen" / "sample"
TODAY = date(2026, 9, 3)


def pd_client(
    overrides: dict[str, Any] | None = None, seen: list[str] | None = None
) -> HttpClient:
    """The pd API: ``/pd/get/{keyid}.json`` and ``/pd/get/{break}/timeseries/{keyid}.json``
    answered from tests/fixtures/nyfed_pd (``{break}_{keyid}.json`` for break windows);
    ``overrides`` maps a path to a fixture name or an HTTP status."""
    overrides = overrides or {}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api")
        if seen is not None:
            seen.append(path)
        answer = overrides.get(path)
        if isinstance(answer, int):
            return httpx.Response(answer, text="Bad Request")
        if answer is None:
            parts = path.removeprefix("/pd/get/").removesuffix(".json").split("/")
            answer = parts[0] + ".json" if len(parts) == 1 else f"{parts[0]}_{parts[2]}.json"
        file = PD_FIXTURES / answer
        if not file.exists():
            return httpx.Response(400, text="Bad Request")
        return httpx.Response(200, content=file.read_bytes())

    return HttpClient("nyfed", httpx.Client(transport=httpx.MockTransport(handler)), NO_WAIT)


def pd_load(name: str) -> Any:
    return json.loads((PD_FIXTURES / name).read_text())


def test_parse_pd_statistics_labels_each_week_with_its_series_break() -> None:
    frame = nyfed.parse_pd_statistics(pd_load("PDPOSGST-TOT.json"), URL)
    by_date = frame.set_index("date")
    assert by_date.loc["2021-12-29", "series_break"] == "SBN2015"
    assert by_date.loc["2022-01-05", "series_break"] == "SBN2022"
    assert by_date.loc["2024-06-26", "series_break"] == "SBN2022"
    assert by_date.loc["2024-07-03", "series_break"] == "SBN2024"
    assert by_date.loc["2026-08-26", "value"] == 477607.0
    assert set(frame["table"]) == {"pd_positions"} and set(frame["measure"]) == {"total"}


def test_parse_pd_statistics_suppressed_empty_absent_and_unknown_keys() -> None:
    frame = nyfed.parse_pd_statistics(pd_load("edge_cases.json"), URL)
    rows = frame.set_index(["keyid", "date"])
    lent = rows.loc[("PDSOOS-UTSETTOT", "2024-07-03")]
    assert lent["value"] is None or pd.isna(lent["value"])
    assert lent["suppressed"] == 1  # "*": withheld, never 0
    borrowed = rows.loc[("PDSIOSB-UTSETTOT", "2024-07-03")]
    assert pd.isna(borrowed["value"]) and borrowed["suppressed"] == 0  # "": not published
    absent = rows.loc[("PDSORA-UTSETTOT", "2024-07-03")]
    assert pd.isna(absent["value"]) and absent["suppressed"] == 0  # no "value" key
    assert "PDPOSMBS-TOT" not in set(frame["keyid"])  # a key reportgen does not store
    assert rows.loc[("PDPOSGS-B", "2021-12-15"), "value"] == -3975.0  # net short
    assert rows.loc[("PDPOSGST-TOT", "2024-07-03"), "series_break"] == "SBN2024"  # row's own
    assert rows.loc[("PDSOOS-UTSETTOT", "2024-07-03"), "table"] == "pd_financing"


def test_parse_pd_statistics_refuses_a_row_without_a_date() -> None:
    with pytest.raises(PayloadError, match="'asofdate' is missing"):
        nyfed.parse_pd_statistics({"pd": {"timeseries": [{"keyid": "PDPOSGS-B",
                                                          "value": "1"}]}}, URL)


def test_series_breaks_prefer_the_stored_list_and_keep_known_ones() -> None:
    stored = nyfed.parse_pd_series_breaks(load("pd_seriesbreaks.json"), URL)
    breaks = nyfed.series_breaks(stored)
    names = [b.series_break for b in breaks]
    assert names == ["SBP2001", "SBP2013", "SBN2013", "SBN2015", "SBN2022", "SBN2024"]
    sbn2022 = next(b for b in breaks if b.series_break == "SBN2022")
    assert sbn2022.end == date(2024, 6, 26)  # the stored list wins over the built-in one
    assert nyfed.break_of(date(2024, 7, 1), breaks) == "SBN2022"  # a gap: latest started


def test_missing_windows_only_for_a_history_that_begins_at_a_break() -> None:
    key = nyfed.PD_KEYS["PDPOSGST-TOT"]
    need = date(2013, 4, 3)
    cut = nyfed.missing_windows(key, date(2024, 7, 3), need, TODAY, nyfed.KNOWN_BREAKS)
    assert [b.series_break for b in cut] == ["SBN2022", "SBN2015", "SBN2013"]
    # Whole history, or history from the incremental start: nothing is missing.
    assert nyfed.missing_windows(key, need, need, TODAY, nyfed.KNOWN_BREAKS) == []
    assert nyfed.missing_windows(key, date(2024, 7, 3), date(2026, 7, 1), TODAY,
                                 nyfed.KNOWN_BREAKS) == []
    # A history beginning mid-window is a key that started then, not a cut.
    assert nyfed.missing_windows(key, date(2021, 12, 1), need, TODAY, nyfed.KNOWN_BREAKS) == []
    # The 2022 buckets are not expected before 2022-01-05; a retired key not after its end.
    g21 = nyfed.PD_KEYS["PDPOSGSC-G21"]
    assert [b.series_break for b in nyfed.missing_windows(
        g21, date(2024, 7, 3), need, TODAY, nyfed.KNOWN_BREAKS)] == ["SBN2022"]
    g11 = nyfed.PD_KEYS["PDPOSGSC-G11"]
    assert nyfed.missing_windows(g11, None, date(2022, 6, 1), TODAY, nyfed.KNOWN_BREAKS) == []


def test_fetch_pd_positions_fills_a_history_cut_at_a_break_from_the_break_paths() -> None:
    seen: list[str] = []
    http = pd_client({"/pd/get/PDPOSGST-TOT.json": "PDPOSGST-TOT_cut_at_SBN2024.json"}, seen)
    frame, cuts = nyfed.fetch_pd_statistics(http, "pd_positions", TODAY)
    total = frame[frame["keyid"] == "PDPOSGST-TOT"].set_index("date")
    assert "/pd/get/SBN2022/timeseries/PDPOSGST-TOT.json" in seen
    assert total.loc["2024-06-26", ["value", "series_break"]].tolist() == [296491.0, "SBN2022"]
    assert total.loc["2021-12-01", ["value", "series_break"]].tolist() == [152614.0, "SBN2015"]
    assert total.loc["2024-07-03", "series_break"] == "SBN2024"
    recorded = {(c.keyid, c.series_break): c for c in cuts}
    assert recorded[("PDPOSGST-TOT", "SBN2022")].filled
    assert recorded[("PDPOSGST-TOT", "SBN2022")].first_returned == "2024-07-03"
    unfilled = recorded[("PDPOSGST-TOT", "SBN2013")]  # the API refused that window (400)
    assert not unfilled.filled and unfilled.rows_filled == 0
    assert "SBN2013 window is missing" in unfilled.note
    assert list(frame.columns) == catalog.TABLES["pd_positions"].column_names


def test_fetch_pd_positions_spliced_history_needs_no_break_path() -> None:
    seen: list[str] = []
    frame, cuts = nyfed.fetch_pd_statistics(pd_client(seen=seen), "pd_positions", TODAY)
    assert cuts == [] or all(c.keyid != "PDPOSGST-TOT" for c in cuts)
    assert not any("/timeseries/PDPOSGST-TOT" in p for p in seen)
    assert frame.duplicated(["keyid", "date"]).sum() == 0
    # G11L21 runs straight through the 2024 break (22652 -> 22660), labelled apart.
    g = frame[frame["keyid"] == "PDPOSGSC-G11L21"].set_index("date")
    assert g.loc["2024-06-26", ["value", "series_break"]].tolist() == [22652.0, "SBN2022"]
    assert g.loc["2024-07-03", ["value", "series_break"]].tolist() == [22660.0, "SBN2024"]


def test_fetch_pd_incremental_skips_retired_keys_and_filters_weeks() -> None:
    seen: list[str] = []
    frame, _ = nyfed.fetch_pd_statistics(pd_client(seen=seen), "pd_positions", TODAY,
                                         start=date(2026, 7, 1))
    assert "/pd/get/PDPOSGSC-G11.json" not in seen
    assert frame["date"].min() >= "2026-07-01"


def test_fetch_pd_financing_keeps_suppressed_weeks() -> None:
    frame, cuts = nyfed.fetch_pd_statistics(pd_client(), "pd_financing", TODAY,
                                            start=date(2021, 12, 1))
    lent = frame[frame["keyid"] == "PDSOOS-UTSETTOT"]
    assert int(lent["suppressed"].sum()) == 6 and lent["value"].isna().sum() == 6
    assert set(frame["measure"]) == {"repo_out", "reverse_repo_in", "securities_borrowed",
                                     "securities_lent"}
    assert cuts == []


def test_fetch_pd_server_error_still_fails_the_table() -> None:
    http = pd_client({"/pd/get/PDSORA-UTSETTOT.json": 503})
    with pytest.raises(HTTPStatusError):
        nyfed.fetch_pd_statistics(http, "pd_financing", TODAY)


def test_pd_store_round_trip_keeps_breaks_and_suppressed_flags(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "x.sqlite")
    frame, cuts = nyfed.fetch_pd_statistics(
        pd_client({"/pd/get/PDPOSGST-TOT.json": "PDPOSGST-TOT_cut_at_SBN2024.json"}),
        "pd_positions", TODAY)
    when = datetime(2026, 9, 3)
    assert store.upsert_table("pd_positions", frame, "nyfed", when) == len(frame)
    store.upsert_table("pd_history_cuts", nyfed.cuts_frame(cuts, TODAY), "nyfed", when)
    back = store.read_table("pd_positions")
    assert len(back) == len(frame) and set(back["series_break"]) >= {"SBN2022", "SBN2024"}
    stored_cuts = store.read_table("pd_history_cuts").set_index(["keyid", "series_break"])
    assert stored_cuts.loc[("PDPOSGST-TOT", "SBN2022"), "filled"] == 1
    assert stored_cuts.loc[("PDPOSGST-TOT", "SBN2013"), "detected_at"] == "2026-09-03"
    assert store.upsert_table("pd_positions", frame, "nyfed", when) == 0  # unchanged


def test_sample_positions_file_imports_every_bucket_with_its_break() -> None:
    parsed = parse_file(SAMPLE / "nyfed_pd_ust_net_positions_weekly_wide.csv")
    frame = parsed.tables["pd_positions"]
    assert set(parsed.tables) == {"pd_positions"} and len(frame) == 3467
    wide = frame.pivot(index="date", columns="keyid", values="value")
    parts = wide.drop(columns="PDPOSGST-TOT").sum(axis=1)
    assert (wide["PDPOSGST-TOT"] == parts).all()  # the total includes the TIPS buckets
    counts = frame[frame["keyid"] == "PDPOSGST-TOT"]["series_break"].value_counts()
    assert counts.to_dict() == {"SBN2022": 130, "SBN2024": 113, "SBN2015": 5}
    assert frame[frame["keyid"] == "PDPOSGSC-G11L21"]["date"].min() == "2022-01-05"


def test_sample_financing_file_splits_into_financing_transactions_and_fails() -> None:
    # The shared sample's financing file (real bodies of /pd/get/{keyid}.json, 2021-12..2022-02),
    # kept as a fixture: it is not bundled (see reportgen/sample/SOURCES.md).
    parsed = parse_file(PD_FIXTURES / "nyfed_pd_financing_weekly_2021-12_to_2022-02_wide.csv")
    assert set(parsed.tables) == {"pd_financing", "pd_transactions", "pd_fails"}
    fin = parsed.tables["pd_financing"]
    assert len(fin) == 48 and int(fin["suppressed"].sum()) == 7
    assert set(parsed.tables["pd_fails"]["keyid"]) == set(catalog.PD_FAILS_AGGREGATE)
    assert len(parsed.tables["pd_transactions"]) == 12


# -- SOMA securities lending -------------------------------------------------------------------
LENDING = Path(__file__).parent / "fixtures" / "nyfed_seclending"


def test_parse_seclending_gives_operations_and_cusip_rows() -> None:
    payload = json.loads((LENDING / "seclending_details_search.json").read_text())
    ops, details = nyfed.parse_seclending(payload, URL)
    assert list(ops.columns) == catalog.TABLES["seclending_operations"].column_names
    assert list(details.columns) == catalog.TABLES["seclending_details"].column_names
    first = ops.set_index("operation_id").loc["SL 020526 1"]
    assert first["total_par_accepted"] == 30100000000 and first["issues_lent"] == 1 + 1
    assert first["issues_offered"] == 3 and pd.isna(first["total_par_extended"])  # absent key
    assert ops.set_index("operation_id").loc["SL 020626 1", "total_par_extended"] == 0
    rate = details.set_index(["operation_id", "cusip"])["weighted_average_rate"]
    assert pd.isna(rate[("SL 020526 1", "912810TM0")])  # "N/A"
    assert pd.isna(rate[("SL 020626 1", "912797QZ3")])  # the quoted text "\"N/A\""
    assert rate[("SL 020626 1", "91282CLW9")] == 0.35
    sums = details.groupby("operation_id")["par_accepted"].sum()
    assert (sums == ops.set_index("operation_id")["total_par_accepted"]).all()


def test_parse_seclending_summary_has_no_details_and_no_counts() -> None:
    payload = json.loads((LENDING / "seclending_summary_search.json").read_text())
    ops, details = nyfed.parse_seclending(payload, URL)
    assert len(ops) == 2 and details.empty
    assert ops["issues_lent"].isna().all()


def test_parse_seclending_refuses_another_top_level() -> None:
    with pytest.raises(PayloadError, match="seclending"):
        nyfed.parse_seclending({"operations": []}, URL)
    with pytest.raises(PayloadError, match="details"):
        nyfed.parse_seclending({"seclending": {"operations": [
            {"operationId": "SL 1", "operationDate": "2026-02-05", "details": "none"}]}}, URL)


def test_fetch_seclending_asks_one_calendar_year_at_a_time() -> None:
    seen: list[httpx.URL] = []
    http = client_for({nyfed.SECLENDING_PATH: "../nyfed_seclending/seclending_details_search.json"},
                      seen)
    ops, details = nyfed.fetch_seclending(http, date(2025, 12, 1), date(2026, 2, 10))
    assert [(u.params["startDate"], u.params["endDate"]) for u in seen] == [
        ("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-02-10")]
    assert len(ops) == 2 and len(details) == 5  # the same body twice: deduplicated


def test_seclending_store_round_trip(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "x.sqlite")
    payload = json.loads((LENDING / "seclending_details_search.json").read_text())
    ops, details = nyfed.parse_seclending(payload, URL)
    when = datetime(2026, 2, 6)
    store.upsert_table("seclending_operations", ops, "nyfed", when)
    store.upsert_table("seclending_details", details, "nyfed", when)
    back = store.read_table("seclending_operations")
    assert back["issues_lent"].tolist() == [2, 2]
    assert len(store.read_table("seclending_details")) == 5


def test_sample_loader_imports_the_capacity_files() -> None:
    from reportgen.sample import load_sample_store

    with load_sample_store() as store:
        positions = store.read_table("pd_positions")
        assert len(positions) == 3467 and positions["date"].max() == "2026-08-26"
        assert store.last_date("REPO-DVP_AR_OO-P") == date(2026, 10, 1)
        assert store.last_date("OFR_FSI") == date(2024, 11, 29)
        # No real securities lending or dealer financing values are bundled.
        assert store.read_table("seclending_operations").empty
        assert store.read_table("pd_financing").empty
        # The per-tenor fails stay the sample's only fails definition.
        assert not store.read_table("pd_fails")["keyid"].isin(catalog.PD_FAILS_AGGREGATE).any()
