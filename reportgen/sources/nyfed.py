"""NY Fed Markets Data API: reference rates, repo operations, outright operations, SOMA, fails.

Field maps here are shared by the JSON API parser and the CSV importer.
"""

from __future__ import annotations

import pandas as pd

from reportgen.sources.records import Field

# Operations this small with no explanatory note are the NY Fed's test trades ("small value
# exercises", about $1M each); they say nothing about demand for the facility.
SMALL_VALUE_MAX_USD = 100e6

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

    The API's ``note`` says so explicitly ("Small Value Exercise"). Exports without the note
    fall back on size: a repo operation at or under $100M, or a reverse repo operation at or
    under $100M on a day with a larger one of the same type (the exercise runs beside the
    regular operation).
    """
    if operations.empty:
        return pd.Series(dtype=bool, index=operations.index)
    note = operations.get("note", pd.Series(index=operations.index, dtype=object))
    by_note = note.fillna("").str.contains("small value", case=False)
    has_note = note.notna() & (note.fillna("") != "")
    accepted = operations["total_accepted"].fillna(0.0)
    small = (accepted > 0) & (accepted <= SMALL_VALUE_MAX_USD)
    day_max = operations.groupby(["operation_date", "operation_type"])["total_accepted"].transform("max")
    reverse = operations["operation_type"] == "reverse_repo"
    by_size = small & (~reverse | (accepted < day_max.fillna(0.0)))
    return (by_note | (~has_note & by_size)).astype(bool)
