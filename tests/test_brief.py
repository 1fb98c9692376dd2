"""brief.json: the builder, its JSON Schema and the "what changed" block."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from reportgen.brief import (
    SCHEMA_VERSION,
    build_brief,
    compute_changes,
    data_items,
    jsonable,
    load_schema,
)
from reportgen.dataset import Dataset
from tests.build_fakes import FakeAssessment, FakeDashboard, fake_charts

AS_OF = date(2026, 9, 3)
NOW = datetime(2026, 9, 4, 6, 30, tzinfo=UTC)
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "reportgen" / "schema" / "brief.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def make(sample: Dataset, as_of: date = AS_OF, previous: dict | None = None,
         repo_status: str = "normal", phase: int = 1) -> dict:
    visible = sample.visible(as_of)
    assessment, dashboard = FakeAssessment(as_of, phase), FakeDashboard(as_of, repo_status)
    return build_brief(as_of=as_of, assessment=assessment, dashboard=dashboard, dataset=visible,
                       charts=fake_charts(visible, assessment, dashboard, as_of),
                       generated_at=NOW, previous_brief=previous,
                       thresholds=[{"section": "phase", "name": "flat_band_bn", "value": 10.0,
                                    "description": "USD billions"}])


def test_schema_file_is_valid_json_schema_and_is_the_packaged_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == load_schema()
    assert schema["properties"]["schema_version"]["pattern"].startswith(
        "^" + SCHEMA_VERSION.split(".")[0])


def test_brief_validates_against_the_schema(sample: Dataset,
                                            validator: jsonschema.Draft202012Validator) -> None:
    brief = make(sample)
    validator.validate(brief)
    assert brief["schema_version"] == SCHEMA_VERSION
    assert brief["generated_at"] == "2026-09-04T06:30:00Z"
    assert brief["previous"] is None and brief["changes"] is None
    assert [c["csv"] for c in brief["charts"]] == ["data/total_assets.csv", "data/second.csv"]


def test_brief_is_plain_json_without_nan(sample: Dataset) -> None:
    text = json.dumps(make(sample), allow_nan=False)
    assert json.loads(text)["as_of"] == AS_OF.isoformat()


def test_data_items_report_what_was_visible_on_as_of(sample: Dataset) -> None:
    items = {i["id"]: i for i in data_items(sample.visible(AS_OF), AS_OF)}
    walcl = items["WALCL"]
    # H.4.1 is dated Wednesday and public Thursday: on Thursday 3 Sep, the 2 Sep week is visible.
    assert walcl["last"] == "2026-09-02"
    assert walcl["units"] == "USD millions" and walcl["stale"] is False
    assert walcl["origin"] == "sample:WALCL.csv"


def test_data_items_flag_series_stale_for_their_cadence(sample: Dataset) -> None:
    later = date(2027, 3, 1)  # long after the sample ends
    items = data_items(sample.visible(later), later)
    assert all(i["stale"] for i in items)


def test_changes_compare_phase_composite_loop_and_each_signal(
        sample: Dataset, validator: jsonschema.Draft202012Validator) -> None:
    first = make(sample, date(2026, 8, 27))
    second = make(sample, AS_OF, previous=first, repo_status="elevated", phase=2)
    validator.validate(second)
    assert second["previous"] == {"as_of": "2026-08-27", "path": "../2026-08-27/brief.json",
                                  "phase": 1, "label": "Phase 1 — test", "source": "published"}
    changes = second["changes"]
    assert changes["since"] == "2026-08-27"
    assert changes["phase"]["changed"] and changes["phase"]["after"] == 2
    assert not changes["confidence"]["changed"]
    repo = next(s for s in changes["signals"] if s["name"] == "repo_rates")
    assert (repo["status_before"], repo["status_after"], repo["changed"]) == \
        ("normal", "elevated", True)
    assert repo["delta"] == 0.0
    assert changes["composite"]["delta"] == 0.0


def test_changes_tolerate_an_older_brief_with_missing_fields() -> None:
    changes = compute_changes({"phase": {"phase": 2}, "signals": {}}, {"as_of": "2025-01-02"})
    assert changes is not None
    assert changes["phase"] == {"before": None, "after": 2, "label_before": None,
                                "label_after": None, "changed": True}
    assert changes["signals"] == []
    assert compute_changes({"phase": {}}, None) is None


def test_jsonable_converts_dates_nan_numpy_and_tuples() -> None:
    value = {"d": date(2025, 1, 2), "ts": pd.Timestamp("2025-01-03"), "x": float("nan"),
             "n": np.float64(1.5), "i": np.int64(2), "t": (1, 2), "nat": pd.NaT,
             "inf": math.inf, "when": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)}
    assert jsonable(value) == {"d": "2025-01-02", "ts": "2025-01-03", "x": None, "n": 1.5,
                               "i": 2, "t": [1, 2], "nat": None, "inf": None,
                               "when": "2025-01-02T03:04:05Z"}


def test_schema_rejects_a_brief_with_an_unknown_top_level_field(
        sample: Dataset, validator: jsonschema.Draft202012Validator) -> None:
    brief = make(sample)
    brief["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        validator.validate(brief)


def test_schema_rejects_an_unknown_signal_status(
        sample: Dataset, validator: jsonschema.Draft202012Validator) -> None:
    brief = make(sample)
    brief["signals"]["signals"]["repo_rates"]["status"] = "on fire"
    with pytest.raises(jsonschema.ValidationError, match="on fire"):
        validator.validate(brief)


def test_real_analysis_output_validates(sample: Dataset,
                                        validator: jsonschema.Draft202012Validator) -> None:
    """The actual phase assessment and dashboard fit the schema (not just the fakes)."""
    from reportgen.analysis.phase import assess
    from reportgen.analysis.signals import compute_dashboard

    as_of = sample.default_as_of()
    assert as_of is not None
    visible = sample.visible(as_of)
    brief = build_brief(as_of=as_of, assessment=assess(visible, as_of),
                        dashboard=compute_dashboard(visible, as_of), dataset=visible, charts={},
                        generated_at=NOW)
    validator.validate(brief)
