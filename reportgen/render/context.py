"""The page: every string and number the briefing shows, built once from the week's analysis.

Templates format; they compute nothing. So this module turns the typed results of
:class:`reportgen.analysis.week.WeekAnalysis` (the assessment, the dashboard, the week's
extremes, the reservoir, the implications, the coverage) and the chart bundles into a
:class:`Page` of frozen records: headlines, sentences from :mod:`reportgen.render.narrative`,
table rows with their numbers formatted, figures with their numbers, what was unavailable. The
HTML and PDF editions render the same page, and brief.json carries its text, so the three never
disagree.

Example
-------
>>> page = build_page(week, charts, settings, generated_at)
>>> page.front.phase.headline
'Phase 2: active bill purchases'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

import pandas as pd

from reportgen import catalog
from reportgen.analysis.week import (
    Coverage,
    PhaseAssessment,
    WeekAnalysis,
)
from reportgen.charts import ChartBundle
from reportgen.dataset import Dataset
from reportgen.formatting import bn, count, day, long_day, phase_title, sentence_case
from reportgen.render import narrative as nv

DEFAULT_TITLE = "Fed liquidity & Treasury plumbing briefing"
SECTION_KEYS = ("front", "phase", "reservoir", "pipe", "reservoir_vs_pipe", "implications",
                "appendix")


FIGURE_SOURCES = {
    "holdings": "Federal Reserve H.4.1 (via FRED); NY Fed SOMA holdings for bills after H.4.1 "
                "bill data end; FOMC statements",
    "pace": "Federal Reserve H.4.1 (via FRED) and NY Fed SOMA bills; NY Fed Desk schedules and "
            "FOMC statements, with their evidence grade (reportgen's policy calendar)",
    "reservoir_levels": "Federal Reserve H.4.1 (via FRED); ON RRP from the NY Fed (via FRED)",
    "reservoir_buffers": "Federal Reserve H.4.1 (via FRED); NY Fed ON RRP (via FRED)",
    "repo_spread": "NY Fed reference rates (SOFR and percentiles); Federal Reserve IORB/IOER "
                   "(via FRED)",
    "srf": "NY Fed repo operation results",
    "auctions": "US Treasury auction results (Fiscal Data / TreasuryDirect)",
    "fails": "NY Fed primary dealer statistics",
    "volatility": "Treasury constant-maturity yields, Federal Reserve H.15 (via FRED)",
    "curve": "Treasury constant-maturity yields and spreads (via FRED)",
    "stock_flow": "Federal Reserve H.4.1; reportgen plumbing stress index (pipe signals only)",
    "repo_segments": "OFR Short-term Funding Monitor (DVP, GCF and tri-party repo rates); NY Fed "
                     "reference rates (TGCR, SOFR) where no tri-party rate is stored",
    "dealer_positions": "NY Fed primary dealer statistics (FR 2004 net positions, by series "
                        "break); US Treasury auction results (weak auctions as judged by the "
                        "auction signal)",
    "securities_lending": "NY Fed SOMA securities lending results; NY Fed primary dealer "
                          "statistics (fails)",
}

SOURCE_NAMES = {
    "fred": "Federal Reserve Bank of St. Louis, FRED",
    "nyfed": "Federal Reserve Bank of New York, Markets Data API",
    "treasury": "US Treasury, Fiscal Data",
    "ofr": "Office of Financial Research (OFR)",
}

# Pipe subsections: id, title, signals judged there, figures shown there, what is missing
# when the figures are absent.
PIPE_SUBSECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("repo", "Repo rates and the Standing Repo Facility", ("repo_rates", "srf"),
     ("repo_spread", "srf"), "SOFR, its reference rate or repo operation results"),
    ("segments", "Repo segments", ("repo_segments",), ("repo_segments",),
     "OFR DVP repo rate with a tri-party, TGCR or SOFR reference"),
    ("auctions", "Treasury auctions", ("auctions",), ("auctions",),
     "Treasury auction results"),
    ("dealers", "Dealer balance sheets", ("dealer_positions",), ("dealer_positions",),
     "primary dealer net positions"),
    ("fails", "Settlement fails", ("fails",), ("fails",),
     "primary dealer settlement fails"),
    ("collateral", "Collateral: securities lending", ("securities_lending",),
     ("securities_lending",), "SOMA securities-lending results"),
    ("volatility", "Treasury volatility", ("treasury_volatility",), ("volatility",),
     "daily Treasury yields"),
    ("curve", "The yield curve", ("yield_curve",), ("curve",),
     "Treasury yields or curve spreads"),
)

STATUS_LABELS = {"normal": "Normal", "elevated": "Elevated", "stressed": "Stressed",
                 "unavailable": "Unavailable", "dormant": "Dormant", "forming": "Forming",
                 "engaged": "Engaged", "stale": "Stale", "not_yet": "Not yet"}

METHODOLOGY = (
    "Phase. Each H.4.1 week is classified from the composition of the Fed's securities "
    "holdings, not from total assets (lending facilities move total assets without being QE). "
    "Flows are measured as a pace in USD billions per four weeks: Treasuries over four weeks, "
    "MBS over thirteen weeks scaled to four (MBS move in monthly lumps). A new phase is "
    "confirmed only after it persists for several weeks, with wider exit than entry thresholds. "
    "Confidence combines how clearly the flows sit inside the phase, whether the four- and "
    "thirteen-week readings agree, how long the phase has lasted, data quality and agreement "
    "with the announced FOMC regime.",
    "The reservoir and the pipe are measured apart. Reserves, ON RRP and the TGA are the "
    "reservoir (a stock), read against their own history. The pipe is eight signals of flows and "
    "intermediation (repo rates, SRF take-up, auctions, fails, Treasury volatility, and the "
    "pipe's capacity: the DVP repo rate over tri-party, dealers' net Treasury positions and "
    "SOMA securities lending) with the yield curve as context; each is judged normal, elevated "
    "or stressed against fixed thresholds and its trailing three-year distribution, using only "
    "data published by the briefing date. Repo rates are judged on spikes against their recent "
    "median and on their sustained level against IORB (SOFR lastingly above IORB is scarcity "
    "even when stable); DVP over tri-party the same way, as the price of dealer balance sheets.",
    "Dealer positions are judged within the NY Fed's current series break only, never across "
    "one: their percentile in the break and their four-week build-up (high and building is "
    "inventory forced onto dealers). SOMA securities lending is judged on its volume against "
    "its recent median and three-year history, and on how concentrated it is in a few issues "
    "(issues going special); without stored results it is unavailable, never calm.",
    "The week, not the day. Each signal is read over the business days since the previous "
    "weekly briefing, and its most extreme reading is reported with the date it is for. A "
    "calendar window (month- and quarter-ends, tax dates, coupon settlements, refunding weeks) "
    "is the window of the date the figure is for. Only a funding signal (repo rates, SRF "
    "take-up, fails, DVP over tri-party) can be calendar-explained, and only if its stress "
    "does not persist: the calendar moves cash and collateral, not yield volatility. A "
    "mid-month window (tax date, coupon settlement, refunding) explains elevated readings "
    "only; a month-, quarter- or year-end may explain a stressed spike. Stress that recurs on "
    "most recent days is persistent.",
    "The plumbing stress index (0-100) blends the worst pipe signal with the breadth of all of "
    "them; reserves are not in it, so section 4 compares two independent measures. With fewer "
    "than the minimum of pipe signals live it is published only when what is measured already "
    "shows stress: missing data never read as calm.",
    "Feedback loop. The loop is weak auction, then dealer inventory up (dealers' net positions "
    "up by a threshold after the weak auction where positions are stored, or a heavy dealer "
    "takedown at a weak auction), then funding stress (repo, SRF, fails or DVP over tri-party, "
    "on at least two observation dates and not merely calendar-explained), then a weaker next "
    "auction, each within a fixed window of the previous link: dormant with fewer than two "
    "links in sequence, forming with two or three, engaged with all four. Each link names the "
    "data it rests on.",
    "Auction tails are proxies (high minus median yield): the when-issued yield that defines "
    "the market's tail is not published by any free source. All amounts are in USD billions, "
    "converted once from each publisher's units; spreads are in basis points.",
    "Implications are a rule-based reading of the measured state (the phase, the change in "
    "reserves, the pipe and how much of it has data, the loop), scored in the table below; they "
    "are conditional statements about the liquidity channel, not forecasts and not investment "
    "advice. Missing inputs score nothing and lower the reading's confidence.",
)

CAVEAT = ("These statements follow mechanically from the rules in the appendix. They describe "
          "the liquidity channel only; earnings, policy rates and positioning are outside this "
          "briefing. Nothing here is a forecast or investment advice.")


# -- the records ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    label: str
    css: str


def status(state: str | None) -> Status:
    s = state or "unavailable"
    return Status(STATUS_LABELS.get(s, s.capitalize()), s)


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    alt_text: str
    section: str
    number: int
    source: str
    csv: str


@dataclass(frozen=True)
class Meta:
    title: str
    kicker: str
    as_of: str
    as_of_long: str
    as_of_short: str
    generated: str
    description: str
    data_note: str
    age_note: str
    is_sample: bool
    is_retrospective: bool
    build_note: str  # how it was built, when not live: the sample, after the fact
    colophon: str


@dataclass(frozen=True)
class FrontPhase:
    headline: str
    substate: str
    confidence: str
    since: str
    css: str
    summary: str
    disagreement: str


@dataclass(frozen=True)
class SignalRow:
    name: str
    title: str
    status: Status
    value: str
    note: str
    week: str
    coverage: str


@dataclass(frozen=True)
class Verdict:
    status: Status
    value: str
    summary: str


@dataclass(frozen=True)
class Front:
    phase: FrontPhase
    lead: tuple[str, ...]
    plumbing: Verdict
    signals: tuple[SignalRow, ...]
    reservoir: Verdict
    loop: Verdict
    coverage: str
    changes: tuple[str, ...]
    changes_since: str
    backdrop: str


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    level: str
    c4: str
    c13: str
    reading: str


@dataclass(frozen=True)
class PaceStepRow:
    schedule: str
    change: str
    confirmed: str
    source: str


@dataclass(frozen=True)
class PaceBlock:
    """The purchase pace: sentences, its chart and the steps found (empty outside a window)."""

    narrative: tuple[str, ...]
    figure: Figure | None
    steps: tuple[PaceStepRow, ...]


@dataclass(frozen=True)
class PhaseSection:
    narrative: tuple[str, ...]
    figure: Figure | None
    figure_unavailable: str
    pace: PaceBlock
    evidence: tuple[EvidenceRow, ...]
    evidence_note: str
    evidence_unavailable: str
    triggers: tuple[str, ...]
    announced: tuple[Row, ...]
    agreement: str
    agreement_css: str


@dataclass(frozen=True)
class LevelRow:
    label: str
    basis: str
    latest: str
    d4: str
    d13: str
    d52: str
    date: str


@dataclass(frozen=True)
class ReservoirSection:
    narrative: tuple[str, ...]
    table: tuple[LevelRow, ...]
    figures: tuple[Figure, ...]
    unavailable: tuple[str, ...]


@dataclass(frozen=True)
class Subsection:
    id: str
    title: str
    narrative: tuple[str, ...]
    figures: tuple[Figure, ...]
    unavailable: tuple[str, ...]
    status: Status | None


@dataclass(frozen=True)
class PipeSection:
    narrative: tuple[str, ...]
    subsections: tuple[Subsection, ...]


@dataclass(frozen=True)
class StockFlowSection:
    narrative: tuple[str, ...]
    figures: tuple[Figure, ...]
    unavailable: tuple[str, ...]


@dataclass(frozen=True)
class StatementText:
    condition: str
    reading: str
    changes_if: str


@dataclass(frozen=True)
class AssetReading:
    title: str
    statements: tuple[StatementText, ...]


@dataclass(frozen=True)
class ImplicationsSection:
    backdrop: str
    score: str
    confidence: str
    lede: str
    assets: tuple[AssetReading, ...]
    caveat: str


@dataclass(frozen=True)
class ThresholdRow:
    section: str
    name: str
    value: str
    description: str


@dataclass(frozen=True)
class SourceRow:
    id: str
    label: str
    source: str
    units: str
    basis: str
    last: str
    stale: bool
    css: str


@dataclass(frozen=True)
class RuleRow:
    input: str
    state: str
    score: str


@dataclass(frozen=True)
class Appendix:
    methodology: tuple[str, ...]
    implication_rules: tuple[RuleRow, ...]
    thresholds: tuple[ThresholdRow, ...]
    sources: tuple[SourceRow, ...]
    provenance: str
    attribution: str
    unavailable: tuple[str, ...]


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str


@dataclass(frozen=True)
class Page:
    """Everything the briefing shows (see the module docstring)."""

    meta: Meta
    show: dict[str, bool]
    toc: tuple[TocEntry, ...]
    front: Front
    phase: PhaseSection
    reservoir: ReservoirSection
    pipe: PipeSection
    stock_flow: StockFlowSection
    implications: ImplicationsSection
    appendix: Appendix
    figures: dict[str, Figure] = field(default_factory=dict)

    def to_context(self) -> dict[str, Any]:
        """The template's top-level names (the templates read attributes of the records)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# -- helpers ----------------------------------------------------------------------------------
#: The page section (a ``sections`` setting) that shows each chart section.
_SHOWN_IN = {"stock_flow": "reservoir_vs_pipe"}


def figures(charts: Mapping[str, ChartBundle],
            show: Mapping[str, bool] | None = None) -> dict[str, Figure]:
    """Figure entries for the charts present in the sections shown, numbered in reading order
    (``charts`` comes in the order the briefing shows them; a briefing without section 1 starts
    at Figure 1, not at the first chart of section 2)."""
    shown = {n: c for n, c in charts.items()
             if show is None or show.get(_SHOWN_IN.get(c.section, c.section), True)}
    names = list(shown)
    return {name: Figure(name, shown[name].title, shown[name].alt_text, shown[name].section,
                         i, FIGURE_SOURCES.get(name, "see the appendix"), f"data/{name}.csv")
            for i, name in enumerate(names, start=1)}


def _worst(statuses: Sequence[str]) -> str:
    live = [s for s in statuses if s != "unavailable"]
    if not live:
        return "unavailable"
    return max(live, key=lambda s: nv.STATUS_ORDER.get(s, 0))


def _coverage_note(cov: Coverage, units: str) -> str:
    """What a stale row's reading is (its last value and date). A signal with no reading has
    none: its status says "Not yet" or "Missing" and the coverage line below the dashboard
    says why, so a note would only repeat it (and push the dashboard off page 1 in weeks of
    the early history, when several sources did not exist yet)."""
    if cov.state == "stale" and cov.last_date is not None:
        last = (f"last {nv.signal_value(cov.last_value, units)} for {day(cov.last_date)}"
                if cov.last_value is not None else f"data end {day(cov.last_date)}")
        return f"stale: {last}"
    return ""


def _origin(ds: Dataset) -> str:
    """Where the data came from, without a local path (pages are published)."""
    return ("the bundled sample of real published figures" if ds.provenance.kind == "sample"
            else "the reportgen data store")


def _fmt_threshold(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _num(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    if signed and round(x) == 0:
        return "0"  # not "-0" for a change of -0.3
    return f"{x:+,.0f}" if signed else f"{x:,.0f}"


# -- sections ---------------------------------------------------------------------------------
def _meta(week: WeekAnalysis, title: str, generated_at: datetime) -> Meta:
    as_of = week.as_of
    ds = week.data
    a = week.assessment
    generated = generated_at.date()
    newest = week.newest_data
    age = (as_of - newest).days if newest is not None else None
    h41 = (f"; latest H.4.1 week {day(a.week)} ({count((as_of - a.week).days, 'day')} old)"
           if a else "")
    age_note = (f"Newest data: {day(newest)}, {count(age, 'day')} before the briefing "
                f"date{h41}." if newest is not None and age is not None
                else "No data are public by this date.")
    is_sample = ds.provenance.kind == "sample"
    retro = (generated - as_of).days > 7
    return Meta(
        title=title, kicker="Weekly briefing · Fed balance sheet and Treasury plumbing",
        as_of=as_of.isoformat(), as_of_long=long_day(as_of), as_of_short=day(as_of),
        generated=f"Generated {day(generated)}",
        description=f"{title}, as of {day(as_of)}: the Fed's balance-sheet phase and the "
                    "state of Treasury-market plumbing.",
        data_note=f"Data public by {day(as_of)}",
        age_note=age_note, is_sample=is_sample, is_retrospective=retro,
        build_note=" ".join(
            ([("Built from the bundled offline sample (real published figures, transcribed; "
               "see the appendix): series end at different dates.")] if is_sample else [])
            + ([f"A retrospective briefing: built after the fact from the data public on "
                f"{day(as_of)}."] if retro else [])),
        colophon=(f"Generated by reportgen from {_origin(ds)}. Every number and sentence is "
                  "computed from the data public on the briefing date; the thresholds are "
                  "listed in the appendix."),
    )


def _front_phase(a: PhaseAssessment | None, why: str | None,
                 confirm_weeks: int) -> FrontPhase:
    if a is None:
        return FrontPhase("Not assessed", "", "no confidence", "no H.4.1 holdings", "phase-none",
                          f"The phase cannot be assessed: {why or 'no H.4.1 holdings'}.", "")
    # Count H.4.1 weeks inclusively, as the assessment's confidence reason does ("37 weeks in
    # phase"): the phase's first week is week 1.
    weeks = (a.week - a.since).days // 7 + 1
    # A phase that began with the data began no later than that: say so, not a start date.
    since = nv.since_text(a)
    return FrontPhase(
        headline=phase_title(a.phase, a.label),
        substate=sentence_case(a.substate) if a.substate else "",
        confidence=f"{a.confidence.capitalize()} confidence ({a.confidence_score:.2f})",
        since=(f"{since} ({count(weeks, 'week')}"
               f"{', the start of the data' if 'at least' in since else ''})"),
        css=f"phase-{a.phase}", summary=nv.phase_summary(a, confirm_weeks),
        disagreement=nv.phase_disagreement(a))


def _composite_parts(week: WeekAnalysis) -> tuple[list[str], list[str]]:
    details = week.composite.details
    return list(details.get("live", [])), list(details.get("missing", []))


def _titles(week: WeekAnalysis) -> dict[str, str]:
    """Each signal's reader-facing name, for sentences that list signals."""
    return {name: sig.title for name, sig in week.signals.items()}


def _bands(week: WeekAnalysis) -> tuple[float, float]:
    th = week.thresholds.signals
    return th.composite_elevated, th.composite_stressed


def _front(week: WeekAnalysis, implications: ImplicationsSection) -> Front:
    loop = week.loop
    rows = []
    for name, sig in week.signals.items():
        cov = week.coverage[name]
        ext = week.extremes.get(name)
        week_note, note = "", ""
        if cov.state == "live":
            if nv.week_extreme_matters(sig, ext):
                assert ext is not None
                week_note = f"week: {ext.worst_status}, {nv.extreme_brief(ext)}"
            note = nv.context_note(*nv.signal_context(sig, ext))
        shown = sig.status if cov.state == "live" else cov.state
        rows.append(SignalRow(
            name=name, title=sig.title, status=status(shown),
            value=nv.signal_value(sig.value if cov.state == "live" else cov.last_value,
                                  sig.units),
            note=note, week=week_note, coverage=_coverage_note(cov, sig.units)))
    live, missing = _composite_parts(week)
    signals_live = sum(c.state == "live" for n, c in week.coverage.items() if n in week.signals)
    stale = [f"{week.signals[n].title} (last {day(c.last_date)})" for n, c in
             week.coverage.items() if n in week.signals and c.state == "stale" and c.last_date]
    absent = [week.signals[n].title for n, c in week.coverage.items()
              if n in week.signals and c.state in ("missing", "not_yet")]
    coverage = (f"Coverage: {signals_live} of {len(week.signals)} signals live"
                + (f"; stale: {', '.join(stale)}" if stale else "")
                + (f"; no data: {', '.join(absent)}" if absent else "") + ".")
    reserves = week.signals["reserves"]
    res_row = week.reservoir.row("reserves")
    reservoir = Verdict(
        status(reserves.status if week.coverage["reserves"].state == "live"
               else week.coverage["reserves"].state),
        bn(res_row.latest_bn) if res_row else "n/a",
        nv.reservoir_sentences(week.reservoir, reserves,
                               week.thresholds.signals.reserves_rrp_buffer_bn)[0]
        if res_row else "Reserve balances are not in the data.")
    return Front(
        phase=_front_phase(week.assessment, week.phase_unavailable,
                           week.thresholds.phase.confirm_weeks),
        lead=tuple(nv.week_lead(week)),
        plumbing=_pipe_verdict(week, live, missing),
        signals=tuple(rows), reservoir=reservoir,
        loop=Verdict(status(loop.state), "",
                     nv.loop_summary(loop, loop.state, loop.chain)),
        coverage=coverage, changes=tuple(nv.what_changed(week)),
        changes_since=(f"the week to {day(week.week_before.as_of)}" if week.week_before
                       else "last week"),
        backdrop=(f"Liquidity backdrop: {implications.backdrop} (score {implications.score}, "
                  f"{implications.confidence}); what it means for equities and crypto is in "
                  "section 5."))


def _pipe_verdict(week: WeekAnalysis, live: list[str], missing: list[str]) -> Verdict:
    """The front page's pipe box: the week's status (the worst the index reached this week),
    today's value, and the week's peak when it was higher than today."""
    comp, peak = week.composite, week.extremes.get("composite")
    summary = nv.composite_summary(comp, live, missing, *_bands(week), titles=_titles(week))
    value = nv.signal_value(comp.value, "index") if comp.value is not None else ""
    if nv.peak_is_news(comp, peak):
        assert peak is not None and comp.value is not None
        value = f"week peak {peak.value:.0f}, today {value}"
        # The box's status is the week's: its peak comes first, then today's reading.
        today = summary.replace("The plumbing stress index is ", "Today it is ", 1)
        summary = f"{nv.event_sentence(peak).replace('peaked', 'peaked this week')} {today}"
    return Verdict(status(week.pipe_status), value, summary)


def _phase_section(week: WeekAnalysis, figs: Mapping[str, Figure]) -> PhaseSection:
    a = week.assessment
    common = dict(
        figure=figs.get("holdings"),
        figure_unavailable="The holdings chart needs the H.4.1 Treasury, bill and MBS "
                           "holdings, which the data do not hold for this period.",
        evidence_unavailable="No evidence: the phase could not be assessed.",
        evidence_note="USD billions; changes over the last 4 and 13 weeks to the latest "
                      "H.4.1 week; paces in USD billions per 4 weeks.")
    if a is None:
        return PhaseSection(narrative=("The phase cannot be assessed from the data for this "
                                       "date.",), pace=PaceBlock((), None, ()),
                            evidence=(), triggers=(), announced=(),
                            agreement="No comparison with the announced regime is possible.",
                            agreement_css="agree", **common)  # type: ignore[arg-type]
    evidence = tuple(EvidenceRow(
        label=e.label, level=_num(e.level_bn), c4=_num(e.change_4w_bn, signed=True),
        c13=_num(e.change_13w_bn, signed=True),
        reading=e.comparison + (f" ({e.note})" if e.note else "")) for e in a.evidence)
    announced = [Row("Observed", f"{phase_title(a.phase, a.label)} (week of {day(a.week)})")]
    ann = a.announced
    if ann is not None:
        ann_phase = (f"phase {ann.phase}, {ann.regime}" if ann.phase is not None
                     else ann.regime)
        # The latest decision may not be in force yet: say so, beside the observed week.
        when = "pending" if ann.is_pending(a.week) else "in force"
        told = "" if ann.grade == "official" else f", {ann.grade} evidence"
        announced += [Row(f"Announced ({when})", f"{ann_phase}: decided {day(ann.date)}, "
                                                 f"effective {day(ann.effective)}{told}"),
                      Row("Decision", ann.decision)]
    else:
        announced.append(Row("Announced", "no decision in the calendar"))
    agreement, css = nv.agreement_sentence(a)
    return PhaseSection(
        narrative=(nv.phase_summary(a, week.thresholds.phase.confirm_weeks),
                   *nv.evidence_sentences(a.evidence, week.reservoir)),
        pace=PaceBlock(tuple(nv.pace_sentences(a)), figs.get("pace"), _pace_steps(a)),
        evidence=evidence, triggers=tuple(t[0].upper() + t[1:] + "." for t in a.triggers),
        announced=tuple(announced), agreement=agreement, agreement_css=css,
        **common)  # type: ignore[arg-type]


def _pace_steps(a: PhaseAssessment) -> tuple[PaceStepRow, ...]:
    """One row per step the H.4.1 confirmed, with the outright operations' confirmation of the
    same Desk schedule beside it where operations are stored."""
    if a.pace is None:
        return ()
    by_ops = {st.date: st for st in a.pace.ops_steps}
    rows = []
    for st in a.pace.steps:
        # Rounded as the sentences round the pace (to $5bn), and marked when no decision of
        # the calendar stated it: an inferred step is the data's reading, not a Desk decision.
        change = (f"start at {nv.pace_amount(st.to_bn_month)}" if st.from_bn_month is None
                  else f"{nv.pace_amount(st.from_bn_month)} to {nv.pace_amount(st.to_bn_month)}")
        if not st.announced:
            change += " (inferred from the purchases; no decision on record)"
        seen = [f"{day(st.detected)} ({count(st.lag_weeks, 'week')} later)"]
        sources = [st.source]
        ops = by_ops.get(st.date)
        if ops is not None:
            if ops.detected != st.detected:  # one date when both confirmed it the same week
                seen.append(f"{day(ops.detected)} ({count(ops.lag_weeks, 'week')} later)")
            sources.append(ops.source)
        rows.append(PaceStepRow(day(st.date), change, "; ".join(seen), "; ".join(sources)))
    return tuple(rows)


def _reservoir_section(week: WeekAnalysis, figs: Mapping[str, Figure]) -> ReservoirSection:
    rows = tuple(LevelRow(r.label, r.basis, f"{r.latest_bn:,.0f}", _num(r.change_4w_bn, True),
                          _num(r.change_13w_bn, True), _num(r.change_52w_bn, True), day(r.date))
                 for r in week.reservoir.rows)
    unavailable = []
    if week.reservoir.row("reserves") is None:
        unavailable.append("Reserve balances (WRESBAL) are not in the data.")
    elif "reservoir_levels" not in figs:
        unavailable.append("Net liquidity needs Fed total assets, the TGA and ON RRP.")
    if "reservoir_buffers" not in figs:
        unavailable.append("The TGA and ON RRP are not in the data.")
    return ReservoirSection(
        narrative=tuple(nv.reservoir_sentences(week.reservoir, week.signals["reserves"],
                                               week.thresholds.signals.reserves_rrp_buffer_bn)),
        table=rows,
        figures=tuple(figs[n] for n in ("reservoir_levels", "reservoir_buffers") if n in figs),
        unavailable=tuple(unavailable))


def _pipe_section(week: WeekAnalysis, figs: Mapping[str, Figure]) -> PipeSection:
    subs = []
    for sid, title, names, fig_names, needs in PIPE_SUBSECTIONS:
        sigs = [week.signals[n] for n in names if n in week.signals]
        narrative: list[str] = []
        for sig in sigs:
            narrative += nv.signal_sentences(sig, week.extremes.get(sig.name),
                                             week.coverage[sig.name])
        present = tuple(figs[n] for n in fig_names if n in figs)
        unavailable = () if present else (f"No chart: the data hold no {needs} for this "
                                          "period.",)
        shown = [s.status if week.coverage[s.name].state == "live"
                 else week.coverage[s.name].state for s in sigs]
        subs.append(Subsection(f"pipe-{sid}", title, tuple(narrative), present, unavailable,
                               status(_worst(shown)) if sigs else None))
    live, missing = _composite_parts(week)
    lead = (nv.composite_summary(week.composite, live, missing, *_bands(week),
                                 titles=_titles(week)),
            nv.loop_summary(week.loop, week.loop.state, week.loop.chain))
    return PipeSection(lead, tuple(subs))


def _stock_flow_section(week: WeekAnalysis, figs: Mapping[str, Figure]) -> StockFlowSection:
    frame = week.frames.stock_flow.set_index("date")
    reserves = week.reservoir.row("reserves")
    if reserves is None or not (frame["reserves_bn"].notna().any()
                                and frame["composite"].notna().any()):
        return StockFlowSection((), (), (
            "This comparison needs both bank reserves and the plumbing stress index over the "
            "last year; one of them is missing.",))
    # The pipe signals that reached elevated or worse this week (the curve is context).
    stressed = {n: e for n, e in week.extremes.items()
                if n in week.signals and n != "yield_curve"
                and e.worst_status in ("elevated", "stressed")}
    hot = {n: week.signals[n].title for n, e in stressed.items() if not e.calendar_explained}
    calendar = {n: week.signals[n].title for n, e in stressed.items() if e.calendar_explained}
    sentences = nv.stock_flow_sentences(frame["reserves_bn"], frame["composite"], reserves,
                                        week.pipe_status, hot, calendar)
    # The sentences come from the week's frames; the figure is shown where it was drawn.
    return StockFlowSection(tuple(sentences),
                            (figs["stock_flow"],) if "stock_flow" in figs else (), ())


def _implications(week: WeekAnalysis) -> ImplicationsSection:
    reading = week.implications
    lede = (f"Read together, the phase, the reservoir, the pipe and the feedback loop make a "
            f"{reading.backdrop} liquidity backdrop (score {reading.score:+d} on the scale in the "
            f"appendix; {reading.confidence} confidence: {reading.confidence_reason}). What that "
            "means for each asset class, and what would change it:")
    return ImplicationsSection(
        backdrop=reading.backdrop, score=f"{reading.score:+d}", confidence=reading.confidence,
        lede=lede,
        assets=(AssetReading("Equities", tuple(StatementText(s.condition, s.reading,
                                                             s.changes_if)
                                               for s in reading.equities)),
                AssetReading("Crypto", tuple(StatementText(s.condition, s.reading, s.changes_if)
                                             for s in reading.crypto))),
        caveat=CAVEAT)


def _sources(ds: Dataset, as_of: date) -> tuple[SourceRow, ...]:
    rows = []
    names = sorted(ds.series_map) + sorted(ds.tables)
    for name in names:
        if name in catalog.SERIES:
            spec = catalog.SERIES[name]
            last = ds.last_date(name)
            label, source, units = spec.label, spec.source, str(spec.units)
            stale = catalog.is_stale(last, as_of, name)
            basis = str(getattr(spec, "basis", "") or spec.frequency)
        elif name in catalog.TABLES:
            tspec = catalog.TABLES[name]
            frame = ds.table(name)
            if not len(frame):
                continue
            dates = pd.to_datetime(frame[tspec.date_column].astype(str).str[:10],
                                   errors="coerce").dropna()
            last = dates.max().date() if len(dates) else None
            label, source, units = tspec.label, tspec.source, tspec.units
            stale = catalog.is_stale(last, as_of, name)
            basis = "per operation / auction / week"
        else:
            continue
        rows.append(SourceRow(name, label, SOURCE_NAMES.get(source, source), units, basis,
                              day(last) if last else "none visible", stale,
                              "is-stale" if stale else ""))
    return tuple(rows)


def _unavailable(week: WeekAnalysis, charts: Mapping[str, ChartBundle]) -> tuple[str, ...]:
    out = []
    if week.assessment is None:
        out.append(f"Phase assessment: {week.phase_unavailable}.")
    for name, label in (("holdings", "Holdings composition chart"),
                        ("reservoir_levels", "Reserves and net liquidity chart"),
                        ("reservoir_buffers", "TGA and ON RRP chart"),
                        ("stock_flow", "Reservoir vs pipe chart")):
        if name not in charts:
            out.append(f"{label}: its inputs are missing.")
    for name, cov in week.coverage.items():
        if cov.state == "live":
            continue
        sig = week.signals.get(name) or (week.composite if name == "composite" else week.loop)
        out.append(nv.coverage_sentence(sig.title, cov, sig.units))
    vis = week.data
    bills_end, soma_end = vis.last_date("WSHOBL"), vis.last_date("SOMA_BILLS")
    if bills_end is not None and soma_end is not None and bills_end < soma_end:
        out.append(f"H.4.1 bill holdings (WSHOBL) end on {day(bills_end)}; later weeks use the "
                   "NY Fed SOMA bills.")
    return tuple(dict.fromkeys(out))


# -- the page ---------------------------------------------------------------------------------
def build_page(week: WeekAnalysis, charts: Mapping[str, ChartBundle], settings: Any,
               generated_at: datetime) -> Page:
    """Everything the briefing templates show, formatted, from the week's analysis.

    Parameters
    ----------
    week : the analysis of the briefing week.
    charts : the chart bundles from :func:`reportgen.charts.build_charts`.
    settings : ``reportgen.config.Settings`` (site title, sections); None for defaults.
    generated_at : when the build runs (the page says so, beside the data's age).
    """
    title = getattr(settings, "site_title", None) or DEFAULT_TITLE
    wanted = tuple(getattr(settings, "sections", None) or SECTION_KEYS)
    show = {k: k in wanted for k in SECTION_KEYS}
    figs = figures(charts, show)
    implications = _implications(week)
    toc_entries = [("phase", "phase", "1 Phase assessment"),
                   ("reservoir", "reservoir", "2 The reservoir"),
                   ("pipe", "pipe", "3 The pipe"),
                   ("reservoir_vs_pipe", "stock-flow", "4 Reservoir vs pipe"),
                   ("implications", "implications", "5 Implications"),
                   ("appendix", "appendix", "A Appendix: methodology, thresholds, sources")]
    ds = week.data
    return Page(
        meta=_meta(week, title, generated_at),
        show=show,
        toc=tuple(TocEntry(anchor, text) for key, anchor, text in toc_entries if show[key]),
        front=_front(week, implications),
        phase=_phase_section(week, figs),
        reservoir=_reservoir_section(week, figs),
        pipe=_pipe_section(week, figs),
        stock_flow=_stock_flow_section(week, figs),
        implications=implications,
        appendix=Appendix(
            methodology=METHODOLOGY,
            implication_rules=tuple(RuleRow(**r) for r in week.implications.rules),
            thresholds=tuple(ThresholdRow(str(r.get("section", "")), str(r.get("name", "")),
                                          _fmt_threshold(r.get("value")),
                                          str(r.get("description", "")))
                             for r in week.threshold_rows()),
            sources=_sources(ds, week.as_of),
            provenance=(f"Data: {_origin(ds)}. Last observation public by {day(week.as_of)} "
                        "for each item; stale items are marked."),
            attribution="Sources: " + "; ".join(SOURCE_NAMES.values()) + ". FOMC decisions "
                        "from the Federal Reserve's statements and implementation notes. "
                        "reportgen is not affiliated with these institutions.",
            unavailable=_unavailable(week, charts)),
        figures=figs,
    )
