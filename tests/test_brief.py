"""brief.json: the builder, its JSON Schema (2.2), the "what changed" block and the page's text.

Every brief here is built the way ``reportgen build`` builds it: a real
:class:`~reportgen.analysis.week.WeekAnalysis` (from the bundled sample through
``tests/factories.py``, from a store a test builds, or from the real history), its real charts
and page, then :func:`reportgen.brief.build_brief`. No dict stands in for an analysis.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest

import reportgen.sample
from reportgen.analysis.signals.base import SIGNAL_NAMES
from reportgen.analysis.week import WeekAnalysis, analyse
from reportgen.brief import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    build_brief,
    data_items,
    jsonable,
    load_schema,
)
from reportgen.charts import build_charts
from reportgen.dataset import Dataset
from reportgen.formatting import bn, day
from reportgen.render.context import Page, build_page
from reportgen.render.narrative import LARGE_WEEK_MOVE_BN, signal_value
from reportgen.sample import SAMPLE_ASSEMBLED
from reportgen.sources.csvfiles import csv_files, import_files
from reportgen.store import Store
from tests.factories import (
    GENERATED_AT,
    SAMPLE_AS_OF,
    sample_charts,
    sample_page,
    sample_week,
    week_of,
)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "reportgen" / "schema" / "brief.schema.json"
SAMPLE_DIR = Path(reportgen.sample.__file__).resolve().parent
#: Sample briefing dates: bill purchases starting, steady purchases, purchases over (phase 1).
SAMPLE_DATES = (date(2026, 1, 8), date(2026, 5, 21), SAMPLE_AS_OF)
#: Real-history weeks: the September 2019 repo spike; the October 2025 month-end SRF take-up.
REAL_DATES = (date(2019, 9, 20), date(2025, 11, 6))
PAGE_SECTIONS = {"meta", "toc", "front", "phase", "reservoir", "pipe", "stock_flow",
                 "implications", "appendix"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def brief_of(week: WeekAnalysis, page: Page, charts: dict[str, Any],
             previous: dict[str, Any] | None = None) -> dict[str, Any]:
    return build_brief(week=week, page=page, charts=charts, generated_at=GENERATED_AT,
                       previous_published=previous, site_title="Test briefing")


def sample_brief(as_of: date = SAMPLE_AS_OF, previous: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
    """The brief.json of the sample's week ``as_of``, as ``reportgen build --sample`` makes it."""
    return brief_of(sample_week(as_of), sample_page(as_of), sample_charts(as_of), previous)


def built(dataset: Dataset, as_of: date) -> tuple[WeekAnalysis, Page, dict[str, Any]]:
    """Analysis, page and brief of any dataset, through the production steps."""
    week = week_of(dataset, as_of)
    charts = build_charts(week)
    page = build_page(week, charts, None, GENERATED_AT)
    return week, page, brief_of(week, page, charts)


def as_json(brief: dict[str, Any]) -> dict[str, Any]:
    """What a reader of the file gets (fails on NaN, like the site writer)."""
    return json.loads(json.dumps(brief, allow_nan=False))


# -- the schema --------------------------------------------------------------------------------
def test_schema_file_is_valid_json_schema_and_is_the_packaged_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == load_schema()
    assert schema["$id"] == SCHEMA_ID and "/2.2/" in schema["$id"]
    major = SCHEMA_VERSION.split(".")[0]
    assert schema["properties"]["schema_version"]["pattern"] == rf"^{major}\.[0-9]+$"


def _walk(node: Any, path: str, visit: Callable[[dict[str, Any], str], None]) -> None:
    if isinstance(node, dict):
        visit(node, path)
        for key, value in node.items():
            _walk(value, f"{path}/{key}", visit)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, f"{path}[{i}]", visit)


def test_schema_describes_every_field_and_closes_every_object() -> None:
    """Every property has a description (its own, or that of the definition it refers to),
    and every object with fixed keys refuses others."""
    schema = load_schema()
    defs = schema["$defs"]
    undescribed: list[str] = []
    open_objects: list[str] = []

    def described(prop: dict[str, Any]) -> bool:
        if "description" in prop:
            return True
        target = prop.get("$ref", "")
        return target.startswith("#/$defs/") and "description" in defs[target.split("/")[-1]]

    def visit(node: dict[str, Any], path: str) -> None:
        props = node.get("properties")
        if not isinstance(props, dict) or "$ref" in node or path.startswith("/allOf"):
            return  # a refinement of a described, closed definition, or a condition
        undescribed.extend(f"{path}/{k}" for k, v in props.items() if not described(v))
        closed = node.get("additionalProperties") is False
        if not closed and path not in ("/$defs/signal_common",):
            open_objects.append(path)

    _walk(schema, "", visit)
    assert undescribed == []
    assert open_objects == []


# -- the brief of one sample week --------------------------------------------------------------
def test_brief_validates_against_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    brief = sample_brief()
    validator.validate(as_json(brief))
    assert brief["schema_version"] == SCHEMA_VERSION == "2.2"
    assert brief["as_of"] == "2026-09-17"
    assert brief["generated_at"] == "2026-09-18T06:30:00Z"
    assert brief["title"] == "Test briefing"
    assert brief["previous"] is None
    assert brief["changes"] is not None and brief["changes"]["since"] == "2026-09-10"
    assert brief["week"]["start"] == "2026-09-11" and brief["week"]["end"] == "2026-09-17"
    charts = sample_charts()
    assert [c["name"] for c in brief["charts"]] == list(charts)
    assert [c["csv"] for c in brief["charts"]] == [f"data/{n}.csv" for n in charts]
    assert brief["files"] == {"html": "briefing.html", "pdf": "briefing.pdf",
                              "json": "brief.json", "data": "data/"}


def test_brief_is_plain_json_without_nan() -> None:
    brief = sample_brief()
    text = json.dumps(brief, allow_nan=False)
    # Only JSON types: a tuple, date or numpy number would not survive the round trip equal.
    assert json.loads(text) == brief


def test_brief_holds_no_local_path(tmp_path: Path) -> None:
    """A brief built from a store names neither the store's path nor the imported files'."""
    store = Store.open(tmp_path / "private" / "store.sqlite")
    import_files(store, csv_files(SAMPLE_DIR), SAMPLE_ASSEMBLED)  # after its last row
    dataset = Dataset.from_store(store)
    assert str(tmp_path) in dataset.provenance.description  # the provenance does hold it
    _, _, brief = built(dataset, SAMPLE_AS_OF)
    text = json.dumps(brief)
    assert str(tmp_path) not in text and str(SAMPLE_DIR) not in text
    assert brief["data"]["kind"] == "store"
    assert brief["data"]["description"] == "the reportgen data store"
    origins = {i["origin"] for i in brief["data"]["items"]}
    assert "import:WALCL.csv" in origins and all("/" not in o for o in origins)


def test_data_items_report_what_was_visible_on_as_of() -> None:
    week = sample_week()
    items = {i["id"]: i for i in data_items(week.data, week.as_of)}
    walcl = items["WALCL"]
    # H.4.1 is dated Wednesday and public Thursday: on Thursday 17 Sep the 16 Sep week is the
    # newest visible, although the sample holds later weeks.
    assert walcl["last"] == "2026-09-16"
    assert walcl["units"] == "USD millions" and walcl["stale"] is False
    assert walcl["origin"] == "sample:WALCL.csv"
    assert walcl["rows"] == len(week.data.series("WALCL").dropna())
    brief = sample_brief()
    assert brief["data"]["items"] == list(items.values())
    newest = max(i["last"] for i in brief["data"]["items"] if i["kind"] == "series")
    assert brief["data"]["newest_observation"] == newest


def test_data_items_flag_series_stale_for_their_cadence() -> None:
    week = sample_week()
    items = {i["id"]: i for i in data_items(week.data, week.as_of)}
    # The H.4.1 bill series ends in Nov 2025 (later weeks use the NY Fed SOMA bills).
    assert items["WSHOBL"]["last"] == "2025-11-19" and items["WSHOBL"]["stale"] is True
    assert items["SOFR"]["stale"] is False
    later = date(2027, 3, 1)  # long after the sample ends
    assert all(i["stale"] for i in data_items(week.data.visible(later), later))


def test_jsonable_converts_dates_nan_numpy_and_tuples() -> None:
    value = {"d": date(2025, 1, 2), "ts": pd.Timestamp("2025-01-03"), "x": float("nan"),
             "n": np.float64(1.5), "i": np.int64(2), "t": (1, 2), "nat": pd.NaT,
             "inf": math.inf, "when": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
             "naive": datetime(2025, 1, 2, 3, 4, 5), "nan64": np.float64("nan")}
    assert jsonable(value) == {"d": "2025-01-02", "ts": "2025-01-03", "x": None, "n": 1.5,
                               "i": 2, "t": [1, 2], "nat": None, "inf": None,
                               "when": "2025-01-02T03:04:05Z", "naive": "2025-01-02T03:04:05Z",
                               "nan64": None}


def test_jsonable_serialises_the_real_records() -> None:
    week = sample_week()
    assert jsonable(week.coverage["fails"]) == week.coverage["fails"].to_dict()
    assert jsonable(week.dashboard)["signals"]["srf"] == week.signals["srf"].to_dict()
    front = jsonable(sample_page().front)
    assert front["plumbing"]["status"] == {"label": "Normal", "css": "normal"}


def test_brief_carries_the_analysis_it_serialises() -> None:
    week, brief = sample_week(), sample_brief()
    assert brief["phase"] == jsonable(week.assessment)
    assert brief["phase_unavailable"] is None
    assert brief["signals"] == week.dashboard.to_dict()
    assert brief["coverage"] == {n: c.to_dict() for n, c in week.coverage.items()}
    assert list(brief["coverage"]) == [*SIGNAL_NAMES, "composite", "feedback_loop"]
    assert brief["reservoir"] == week.reservoir.to_dict()
    assert brief["implications"] == jsonable(week.implications)
    assert brief["thresholds"] == jsonable(week.threshold_rows())
    assert brief["week"]["extremes"] == {n: e.to_dict() for n, e in week.extremes.items()}
    assert brief["week"]["events"] == [e.to_dict() for e in week.events]


def test_brief_carries_every_section_of_the_page() -> None:
    page, brief = sample_page(), sample_brief()
    assert set(brief["page"]) == PAGE_SECTIONS
    for name in PAGE_SECTIONS:
        assert brief["page"][name] == jsonable(getattr(page, name)), name
    assert brief["retrospective"] is page.meta.is_retrospective is False


# -- the schema refuses what production never writes -------------------------------------------
def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(brief: dict[str, Any]) -> None:
        node = brief
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return apply


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def apply(brief: dict[str, Any]) -> None:
        node = brief
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return apply


@pytest.mark.parametrize(("mutate", "message"), [
    (_set(("surprise",), 1), "surprise"),
    (_set(("signals", "signals", "repo_rates", "status"), "on fire"), "on fire"),
    (_set(("signals", "signals", "repo_rates", "value"), "3 bp"), "3 bp"),
    (_set(("signals", "signals", "repo_rates", "details", "hint"), 1), "'hint'"),
    (_set(("signals", "signals", "hunch"), {}), "hunch"),
    (_set(("signals", "feedback_loop", "state"), "spinning"), "spinning"),
    (_set(("coverage", "fails", "state"), "gone"), "gone"),
    (_set(("coverage", "fails", "signal"), "srf"), "fails"),
    (_set(("schema_version",), "1.1"), "1.1"),
    (_set(("as_of",), "17/09/2026"), "17/09/2026"),
    (_set(("data", "items", 0, "rows"), 1.5), "1.5"),
    (_set(("phase_unavailable",), "no reason"), "no reason"),
    (_set(("phase", "agreement"), True), "True"),
    (_set(("page", "front", "mood"), "calm"), "mood"),
    (_set(("page", "front", "plumbing", "status", "css"), "purple"), "purple"),
    (_set(("page", "front", "signals", 0, "status"), "Normal"), "Normal"),
    (_delete(("page", "front", "coverage")), "coverage"),
    (_set(("week", "extremes", "repo_rates", "signal"), "srf"), "repo_rates"),
    (_set(("changes", "signals", 0, "delta"), 0.0), "delta"),
    (_set(("changes", "feedback_loop", "after"), "normal"), "normal"),
    (_set(("implications", "backdrop"), "rosy"), "rosy"),
    (_set(("previous",), {"as_of": "2026-09-10", "path": "../2026-09-10/brief.json",
                          "phase": 2, "label": "active bill purchases",
                          "source": "reconstructed"}), "source"),
    (_set(("previous",), {"as_of": "2026-09-10", "path": "/home/me/site/brief.json",
                          "phase": 2, "label": "active bill purchases"}), "/home/me"),
])
def test_schema_rejects_what_production_never_writes(
        mutate: Callable[[dict[str, Any]], None], message: str,
        validator: jsonschema.Draft202012Validator) -> None:
    brief = as_json(sample_brief())
    validator.validate(brief)
    broken = copy.deepcopy(brief)
    mutate(broken)
    errors = list(validator.iter_errors(broken))
    assert errors, "the schema accepted it"
    text = " ".join(str(e.message) + " " + " ".join(map(str, e.absolute_path))
                    for err in errors for e in [err, *(err.context or [])])
    assert message in text


def test_schema_rejects_an_unknown_top_level_field(
        validator: jsonschema.Draft202012Validator) -> None:
    brief = as_json(sample_brief())
    brief["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        validator.validate(brief)


def test_schema_rejects_an_unknown_signal_status(
        validator: jsonschema.Draft202012Validator) -> None:
    brief = as_json(sample_brief())
    brief["signals"]["signals"]["repo_rates"]["status"] = "on fire"
    with pytest.raises(jsonschema.ValidationError, match="on fire"):
        validator.validate(brief)


# -- what changed, and the previous briefing ---------------------------------------------------
def test_changes_compare_phase_composite_loop_and_each_signal_with_the_week_before(
        validator: jsonschema.Draft202012Validator) -> None:
    """The week before is read from the data public then: its brief, built on its own, gives
    the "before" side of every comparison, and this week's brief the "after" side."""
    now, then = sample_brief(SAMPLE_AS_OF), sample_brief(date(2026, 9, 10))
    validator.validate(as_json(now))
    changes = now["changes"]
    assert changes["since"] == then["as_of"] == "2026-09-10"
    # In the sample, purchases ended in August 2026: phase 2 the week before, phase 1 now.
    assert changes["phase"] == {
        "before": then["phase"]["phase"], "after": now["phase"]["phase"],
        "label_before": then["phase"]["label"], "label_after": now["phase"]["label"],
        "changed": True,
        "substate_changed": then["phase"]["substate"] != now["phase"]["substate"]}
    assert (changes["phase"]["before"], changes["phase"]["after"]) == (2, 1)
    assert changes["confidence"] == {
        "before": then["phase"]["confidence"], "after": now["phase"]["confidence"],
        "changed": then["phase"]["confidence"] != now["phase"]["confidence"]}
    c0, c1 = then["signals"]["composite"], now["signals"]["composite"]
    assert changes["composite"] == {
        "status_before": c0["status"], "status_after": c1["status"],
        "value_before": c0["value"], "value_after": c1["value"],
        "changed": c0["status"] != c1["status"]}
    l0, l1 = then["signals"]["feedback_loop"]["state"], now["signals"]["feedback_loop"]["state"]
    assert changes["feedback_loop"] == {"before": l0, "after": l1, "changed": l0 != l1}
    assert [s["name"] for s in changes["signals"]] == list(now["signals"]["signals"])
    for row in changes["signals"]:
        s0 = then["signals"]["signals"][row["name"]]
        s1 = now["signals"]["signals"][row["name"]]
        assert (row["status_before"], row["value_before"]) == (s0["status"], s0["value"])
        assert (row["status_after"], row["value_after"]) == (s1["status"], s1["value"])
        assert row["changed"] == (s0["status"] != s1["status"])
        e0 = then["week"]["extremes"].get(row["name"])
        e1 = now["week"]["extremes"].get(row["name"])
        assert row["week_worst_before"] == (e0["worst_status"] if e0 else None)
        assert row["week_worst_after"] == (e1["worst_status"] if e1 else None)


def test_changes_are_null_without_an_earlier_week_in_the_data(
        validator: jsonschema.Draft202012Validator) -> None:
    first = date(2024, 1, 4)  # the sample's first H.4.1 week is public on this day
    brief = sample_brief(first)
    validator.validate(as_json(brief))
    assert brief["changes"] is None
    assert brief["page"]["front"]["changes_since"] == "last week"


def test_a_week_without_a_phase_says_why(validator: jsonschema.Draft202012Validator) -> None:
    as_of = date(2024, 1, 25)  # four H.4.1 weeks: too few to classify a phase
    brief = sample_brief(as_of)
    validator.validate(as_json(brief))
    assert brief["phase"] is None
    assert "not enough H.4.1 weeks" in brief["phase_unavailable"]
    assert brief["implications"]["phase"] is None
    assert brief["changes"]["phase"] == {"before": None, "after": None, "label_before": None,
                                         "label_after": None, "changed": False,
                                         "substate_changed": False}
    front = brief["page"]["front"]["phase"]
    assert front["headline"] == "Not assessed" and front["css"] == "phase-none"
    assert brief["phase_unavailable"] in front["summary"]
    broken = as_json(brief)
    broken["phase_unavailable"] = None
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_previous_links_the_latest_published_briefing(
        validator: jsonschema.Draft202012Validator) -> None:
    published = json.loads(json.dumps(sample_brief(date(2026, 8, 27))))
    brief = sample_brief(SAMPLE_AS_OF, previous=published)
    validator.validate(as_json(brief))
    assert brief["previous"] == {"as_of": "2026-08-27", "path": "../2026-08-27/brief.json",
                                 "phase": published["phase"]["phase"],
                                 "label": published["phase"]["label"]}
    # The link is only a link: what changed is always measured against the week before.
    assert brief["changes"]["since"] == "2026-09-10"
    assert brief["changes"] == sample_brief(SAMPLE_AS_OF)["changes"]


def test_previous_reads_a_briefing_published_under_schema_1(
        validator: jsonschema.Draft202012Validator) -> None:
    old = {"schema_version": "1.1", "as_of": "2026-09-10",
           "phase": {"phase": 2, "label": "active bill purchases", "substate": None},
           "signals": {}, "previous": {"as_of": "2026-09-03", "source": "reconstructed"}}
    brief = sample_brief(SAMPLE_AS_OF, previous=old)
    validator.validate(as_json(brief))
    assert brief["previous"] == {"as_of": "2026-09-10", "path": "../2026-09-10/brief.json",
                                 "phase": 2, "label": "active bill purchases"}


# -- every figure the front page shows is the brief.json value it comes from -------------------
def assert_front_page_matches_brief(brief: dict[str, Any]) -> None:
    front = brief["page"]["front"]
    phase, signals, coverage = brief["phase"], brief["signals"], brief["coverage"]

    # The phase box.
    box = front["phase"]
    if phase is None:
        assert box["headline"] == "Not assessed"
    else:
        assert box["headline"] == f"Phase {phase['phase']}: {phase['label']}"
        assert phase["headline"].startswith(f"Phase {phase['phase']} ({phase['label']})")
        assert box["css"] == f"phase-{phase['phase']}"
        assert box["confidence"] == (f"{phase['confidence'].capitalize()} confidence "
                                     f"({phase['confidence_score']:.2f})")
        assert box["since"].startswith(f"since {day(phase['since'])} (")
        assert (box["disagreement"] != "") == (phase["agreement"] == "disagrees")

    # The plumbing stress index.
    # The box shows the pipe's status for the week (the worst the index reached, which the
    # implications read too), today's value and the week's peak when it was higher.
    comp, plumbing = signals["composite"], front["plumbing"]
    peak = brief["week"]["extremes"].get("composite")
    assert plumbing["status"]["css"] == brief["implications"]["plumbing"]
    order = ["unavailable", "normal", "elevated", "stressed"]
    assert order.index(plumbing["status"]["css"]) >= order.index(comp["status"])
    if comp["value"] is None:
        assert plumbing["value"] == ""
    elif peak is not None and peak["worst_status"] != "normal" \
            and round(peak["value"]) > round(comp["value"]):
        assert plumbing["value"] == f"week peak {peak['value']:.0f}, today {comp['value']:.0f}/100"
        assert plumbing["status"]["css"] == peak["worst_status"] or \
            order.index(comp["status"]) > order.index(peak["worst_status"])
    else:
        assert plumbing["value"] == f"{comp['value']:.0f}/100"
    if comp["status"] != "unavailable":
        assert f"is {comp['value']:.0f} of 100" in plumbing["summary"]

    # One row per signal: its status when live, else its coverage state, and its value (the
    # last reading's when stale).
    rows = front["signals"]
    assert [r["name"] for r in rows] == list(signals["signals"])
    for row in rows:
        sig, cov = signals["signals"][row["name"]], coverage[row["name"]]
        live = cov["state"] == "live"
        assert live == (sig["status"] != "unavailable")
        assert row["title"] == sig["title"]
        assert row["status"]["css"] == (sig["status"] if live else cov["state"])
        shown = sig["value"] if live else cov["last_value"]
        assert row["value"] == signal_value(shown, sig["units"])
        # A stale row says what its last reading was; a live or absent one needs no note
        # (its status says "Missing" or "Not yet", the coverage line why).
        assert (row["coverage"] != "") == (cov["state"] == "stale")
        assert row["coverage"] == "" or row["coverage"].startswith("stale: ")
    n_live = sum(coverage[n]["state"] == "live" for n in signals["signals"])
    assert front["coverage"].startswith(
        f"Coverage: {n_live} of {len(signals['signals'])} signals live")

    # The feedback loop and the reservoir.
    loop = signals["feedback_loop"]
    assert front["loop"]["status"]["css"] == loop["state"]
    if loop["state"] != "unavailable":
        assert f"is {loop['state']} ({int(loop['value'] or 0)} of 4 links)" in \
            front["loop"]["summary"]
    reserves = next((r for r in brief["reservoir"]["rows"] if r["key"] == "reserves"), None)
    assert reserves is not None
    assert front["reservoir"]["value"] == bn(reserves["latest_bn"])
    res_signal, res_cov = signals["signals"]["reserves"], coverage["reserves"]
    assert front["reservoir"]["status"]["css"] == (
        res_signal["status"] if res_cov["state"] == "live" else res_cov["state"])

    # The week's policy decisions lead the page, then its events, most severe first.
    decisions, events = brief["week"]["decisions"], brief["week"]["events"]
    lead = front["lead"]
    for line, decision in zip(lead, decisions, strict=False):
        assert line.startswith(f"Policy, {day(decision['decision_date'])}: "
                               f"{decision['regime']}")
    lead = lead[len(decisions):]
    # Then the reservoir's moves of the week, when one of them was large (in brief.json too).
    moves = {r["key"]: r["change_1w_bn"] for r in brief["reservoir"]["rows"]
             if r["key"] in ("reserves", "tga", "on_rrp") and r["change_1w_bn"] is not None}
    if lead and lead[-1].startswith("In the week to "):
        assert max(map(abs, moves.values())) >= LARGE_WEEK_MOVE_BN, lead[-1]
        lead = lead[:-1]
    if events:
        assert len(lead) == min(3, len(events))
        for line, event in zip(lead, events, strict=False):
            assert day(event["date"]) in line and f"({event['status']})" in line
    else:
        span = f"in the week from {day(brief['week']['start'])} to {day(brief['as_of'])}"
        assert lead == [f"No pipe signal reached elevated {span}."] or (
            len(lead) == 1 and lead[0].startswith(f"No new stress {span}; still elevated")) or (
            len(lead) == 1 and lead[0].startswith("Only ")
            and f"pipe signals have data for the week from {day(brief['week']['start'])}"
            in lead[0] and brief["implications"]["pipe_live"]
            < next(t["value"] for t in brief["thresholds"] if t["name"] == "composite_min_live"))

    # What changed, and the backdrop.
    changes = brief["changes"]
    if changes is not None:
        assert front["changes_since"] == f"the week to {day(changes['since'])}"
        moved = changes["phase"]
        if moved["before"] is not None and moved["after"] is not None \
                and moved["before"] != moved["after"]:
            assert any(f"phase {moved['before']}: {moved['label_before']}" in s
                       and f"phase {moved['after']}: {moved['label_after']}" in s
                       for s in front["changes"])
        if changes["composite"]["value_after"] is not None and comp["status"] != "unavailable":
            assert any("plumbing stress index" in s
                       and f"{changes['composite']['value_after']:.0f}" in s
                       for s in front["changes"])
    imp = brief["implications"]
    assert front["backdrop"].startswith(
        f"Liquidity backdrop: {imp['backdrop']} (score {imp['score']:+d}, {imp['confidence']})")


def assert_sections_match_brief(brief: dict[str, Any]) -> None:
    """Sections 2 and 5 show the reservoir table and the implications of the brief."""
    table = brief["page"]["reservoir"]["table"]
    rows = brief["reservoir"]["rows"]
    assert [t["label"] for t in table] == [r["label"] for r in rows]
    for shown, row in zip(table, rows, strict=True):
        assert shown["latest"] == f"{row['latest_bn']:,.0f}"
        assert shown["date"] == day(row["date"])
        for key, col in (("d4", "change_4w_bn"), ("d13", "change_13w_bn"),
                         ("d52", "change_52w_bn")):
            assert shown[key] == ("n/a" if row[col] is None else "0" if round(row[col]) == 0
                                  else f"{row[col]:+,.0f}")
    imp, section = brief["implications"], brief["page"]["implications"]
    assert section["backdrop"] == imp["backdrop"]
    assert section["score"] == f"{imp['score']:+d}"
    assert section["confidence"] == imp["confidence"]
    assert [a["title"] for a in section["assets"]] == ["Equities", "Crypto"]
    assert section["assets"][0]["statements"] == imp["equities"]
    assert section["assets"][1]["statements"] == imp["crypto"]
    if brief["phase"] is not None:
        assert brief["page"]["phase"]["triggers"] == [
            t[0].upper() + t[1:] + "." for t in brief["phase"]["triggers"]]
        assert len(brief["page"]["phase"]["evidence"]) == len(brief["phase"]["evidence"])


@pytest.mark.parametrize("as_of", SAMPLE_DATES, ids=str)
def test_sample_briefs_validate_and_their_front_page_is_the_brief(
        as_of: date, validator: jsonschema.Draft202012Validator) -> None:
    brief = as_json(sample_brief(as_of))
    validator.validate(brief)
    assert brief["as_of"] == as_of.isoformat()
    assert_front_page_matches_brief(brief)
    assert_sections_match_brief(brief)


def test_the_sample_front_page_shows_the_stale_fails_reading() -> None:
    """Fails stop in Nov 2025 in the sample: the row shows the last reading, dated, as stale."""
    brief = sample_brief()
    fails = brief["coverage"]["fails"]
    row = next(r for r in brief["page"]["front"]["signals"] if r["name"] == "fails")
    assert row["name"] == "fails"
    assert fails["state"] == "stale" and fails["last_date"] == "2025-11-12"
    assert row["status"] == {"label": "Stale", "css": "stale"}
    assert row["value"] == signal_value(fails["last_value"], "USD bn") == "$2 bn"
    assert row["coverage"] == f"stale: last $2 bn for {day(fails['last_date'])}"


def test_front_page_substate_is_the_assessments_substate() -> None:
    brief = sample_brief()
    substate = brief["phase"]["substate"]
    assert substate == "bills replacing MBS runoff"
    assert brief["page"]["front"]["phase"]["substate"] == substate[0].upper() + substate[1:]


# -- real history ------------------------------------------------------------------------------
_REAL: dict[date, tuple[WeekAnalysis, Page, dict[str, Any]]] = {}


def real_brief(dataset: Dataset, as_of: date) -> tuple[WeekAnalysis, Page, dict[str, Any]]:
    if as_of not in _REAL:
        week = analyse(dataset, as_of)
        charts = build_charts(week)
        page = build_page(week, charts, None, GENERATED_AT)
        _REAL[as_of] = (week, page, brief_of(week, page, charts))
    return _REAL[as_of]


@pytest.mark.parametrize("as_of", [
    *REAL_DATES,
    date(2025, 4, 24),
], ids=str)
def test_real_history_briefs_validate(as_of: date, real_dataset: Dataset,
                                      validator: jsonschema.Draft202012Validator) -> None:
    _, _, brief = real_brief(real_dataset, as_of)
    plain = as_json(brief)
    validator.validate(plain)
    assert plain["data"]["kind"] == "store"
    assert_front_page_matches_brief(plain)
    assert_sections_match_brief(plain)


def test_real_september_2019_week_leads_with_the_repo_spike(real_dataset: Dataset) -> None:
    """On Friday 20 Sep 2019 the day was calm again; the week's event was SOFR at 5.25% on the
    17th. The SRF did not exist yet, and is not read as calm."""
    _, page, brief = real_brief(real_dataset, date(2019, 9, 20))
    repo = brief["week"]["extremes"]["repo_rates"]
    assert (repo["date"], repo["worst_status"], repo["extra"]["sofr_pct"]) == \
        ("2019-09-17", "stressed", 5.25)
    assert brief["week"]["events"][0] == repo
    assert page.front.lead[0].startswith("SOFR printed 5.25% on 17 Sep 2019")
    assert brief["coverage"]["srf"]["state"] == "not_yet"
    srf_row = next(r for r in brief["page"]["front"]["signals"] if r["name"] == "srf")
    assert srf_row["status"]["css"] == "not_yet"
    assert brief["changes"]["since"] == "2019-09-13"


def test_real_november_2025_week_reports_the_month_end_take_up(real_dataset: Dataset) -> None:
    _, _, brief = real_brief(real_dataset, date(2025, 11, 6))
    assert brief["phase"]["phase"] == 0
    events = {e["signal"]: e for e in brief["week"]["events"]}
    assert events["srf"]["date"] == "2025-10-31" and events["srf"]["status"] == "stressed"
    assert events["srf"]["value"] == pytest.approx(50.35)
    # Every signal is live but the capacity ones, of which the shared history holds no data.
    capacity = ("repo_segments", "dealer_positions", "securities_lending")
    assert all(c["state"] == "live" for n, c in brief["coverage"].items() if n not in capacity)
    assert {brief["coverage"][n]["state"] for n in capacity} == {"missing"}


@pytest.mark.parametrize("as_of", [date(2025, 11, 20), date(2026, 1, 8), date(2026, 9, 17)])
def test_the_appendix_never_calls_stale_what_the_dashboard_reads_live(as_of: date) -> None:
    """One staleness rule (catalog.stale_limit_days): a weekly table whose signal is live is
    not stale in the data list, and a stale signal's table is."""
    week = sample_week(as_of)
    items = {i["id"]: i for i in data_items(week.data, week.as_of)}
    for signal, table in (("dealer_positions", "pd_positions"), ("fails", "pd_fails")):
        state = week.coverage[signal].state
        if table in items and state in ("live", "stale"):
            assert items[table]["stale"] == (state == "stale"), (as_of, signal, state)
