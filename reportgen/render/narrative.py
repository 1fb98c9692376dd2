"""Sentences generated from the numbers: every narrative line of the briefing is built here.

Each function takes the typed results of the week's analysis (never brief.json dicts) and
chooses among sentence templates with explicit conditions, so the text changes when the data
does and says "unavailable" when a number is missing. A direction word (rose, fell, adding,
draining, up, down) is always chosen from the sign of the number the same sentence cites, so a
sentence cannot contradict its figure. Templates only place these strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from reportgen.analysis.week import (
    PIPE_SIGNALS,
    Coverage,
    Evidence,
    FomcDecision,
    PhaseAssessment,
    Reservoir,
    ReservoirRow,
    SignalResult,
    WeekAnalysis,
    WeekExtreme,
)
from reportgen.formatting import (
    bn,
    bn1,
    bn2,
    bp,
    count,
    day,
    day_span,
    missing,
    ordinal,
    pct,
    phase_in_sentence,
)

#: A change of reserves smaller than this share of their level is "about flat" everywhere.
FLAT_SHARE = 0.01
#: A four-week change of the TGA smaller than this share of its level is "little changed".
TGA_FLAT_SHARE = 0.05
#: A weekly move of reserves, the TGA or ON RRP at least this large makes page 1's lead state
#: the reservoir's moves of the week: about the 75th percentile of their weekly moves in
#: 2018-2026 ($71 bn, $71 bn and $51 bn).
LARGE_WEEK_MOVE_BN = 70.0
#: Lines of page 1's lead (decisions, events) beyond which the reservoir's moves are left out.
MAX_LEAD = 3
#: The reservoir quantities page 1's lead reports the week's moves of, as it names them.
WEEK_MOVES = (("reserves", "reserves (week average)"), ("tga", "the TGA"), ("on_rrp", "ON RRP"))

STATUS_ORDER = {"stressed": 3, "elevated": 2, "normal": 1, "unavailable": 0}
#: The buckets of dealers' positions as sentences name them.
DEALER_BUCKETS = {"bills": "bills", "coupons": "coupons", "tips": "TIPS", "frn": "FRN"}
CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}


def _moved(delta: float, up: str = "rose", down: str = "fell") -> str:
    return up if delta > 0 else down


def signal_value(value: float | None, units: str) -> str:
    """A signal's headline value in its own units, briefly."""
    if missing(value):
        return "n/a"
    assert value is not None
    u = units.lower()
    if u.startswith("usd bn a day"):
        return bn2(value)
    if u.startswith("usd bn"):
        return bn(value)
    if u.startswith("bp a day"):
        return f"{value:.1f} bp/day"
    if u.startswith("bp"):
        return bp(value)
    if u.startswith("index"):
        return f"{value:.0f}/100"
    if u.startswith("tenors"):
        n = int(round(value))
        return f"{n} tenor{'s' if n != 1 else ''} flagged"
    if u.startswith("links"):
        return f"{int(round(value))} of 4 links"
    return f"{value:,.2f}"


# -- the week's events ------------------------------------------------------------------------
def event_sentence(e: WeekExtreme) -> str:
    """The week's extreme of one signal, in numbers and with its date (the day it is for)."""
    when = day(e.date)
    if e.signal == "repo_rates":
        ref = e.extra.get("reference", "the policy rate")
        return (f"SOFR printed {pct(e.extra.get('sofr_pct'))} on {when}, {bp(e.value)} over "
                f"{ref} ({e.status}).")
    if e.signal == "srf":
        return f"The Standing Repo Facility lent {bn2(e.value)} on {when} ({e.status})."
    if e.signal == "repo_segments":
        ref = e.extra.get("reference", "tri-party")
        return (f"The DVP repo rate printed {pct(e.extra.get('dvp_pct'))} on {when}, "
                f"{bp(e.value)} against {ref} ({e.status}).")
    if e.signal == "dealer_positions":
        change = e.extra.get("change_bn")
        weeks = e.extra.get("change_weeks") or 4
        move = (f", {bn1(change, signed=True)} in {count(int(weeks), 'week')}"
                if not missing(change) else "")
        driver = e.extra.get("driver")
        led = f", led by {DEALER_BUCKETS.get(driver, driver)}" if driver and move else ""
        return (f"Dealers' net Treasury positions stood at {bn1(e.value)} in the week to {when}"
                f"{move}{led} ({e.status}).")
    if e.signal == "securities_lending":
        share = e.extra.get("top_share_pct")
        top = (f", its most-lent issues taking {share:.0f}% of it" if not missing(share)
               else "")
        return f"The Fed lent {bn2(e.value)} of Treasuries from its portfolio on {when}{top} " \
               f"({e.status})."
    if e.signal == "fails":
        return (f"Treasury settlement fails reached ${e.value:,.1f} bn in the week to {when} "
                f"({e.status}).")
    if e.signal == "treasury_volatility":
        return (f"Treasury yield volatility reached {e.value:.1f} bp a day on {when} "
                f"({e.status}).")
    if e.signal == "auctions":
        weak = "weak" if e.extra.get("weak") else "not weak"
        tail = f", tail proxy {bp(e.value)}" if not missing(e.value) else ""
        return (f"The {e.extra.get('tenor')} auction on {when} was {weak}: "
                f"{e.extra.get('criteria_met')} of 3 weakness criteria{tail} ({e.status}).")
    if e.signal == "composite":
        return f"The plumbing stress index peaked at {e.value:.0f} on {when} ({e.status})."
    return f"{e.title}: {e.measure} {e.value:,.1f} {e.units} on {when} ({e.status})."


def decision_sentence(d: FomcDecision) -> str:
    """A policy decision of the week, with its evidence grade: the record, not commentary."""
    grade = {"official": "", "press": " (reported by the press)",
             "unverified": " (inferred, not confirmed by an announcement)"}.get(d.grade, "")
    when = (f", effective {day(d.effective_date)}" if d.effective_date != d.decision_date
            else "")
    pace = (f", purchases about ${d.rmp_pace_bn_month:g}bn a month"
            if d.rmp_pace_bn_month is not None else "")
    return f"Policy, {day(d.decision_date)}: {d.regime}{pace}{when}{grade}."


def reservoir_week_sentence(reservoir: Reservoir, large_only: bool = False) -> str | None:
    """The week's moves of reserves, the TGA and ON RRP, each to its level, in the week to the
    latest reserves figure (a row with another date says its own). With ``large_only``, None
    unless one of them moved at least ``LARGE_WEEK_MOVE_BN``; None without a weekly change."""
    rows = [(name, r) for key, name in WEEK_MOVES
            if (r := reservoir.row(key)) is not None and r.change_1w_bn is not None]
    if not rows or (large_only and all(abs(r.change_1w_bn or 0.0) < LARGE_WEEK_MOVE_BN
                                       for _, r in rows)):
        return None
    anchor = rows[0][1].date
    parts = []
    for name, r in rows:
        change = r.change_1w_bn or 0.0
        when = "" if r.date == anchor else f" (to {day(r.date)})"
        move = (f"was little changed at {bn(r.latest_bn)}" if round(change) == 0
                else f"{_moved(change)} {bn(abs(change))} to {bn(r.latest_bn)}")
        parts.append(f"{name}{when} {move}")
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"In the week to {day(anchor)}, {listed}."


def week_lead(week: WeekAnalysis) -> list[str]:
    """The front page's first lines: the week's policy decisions, then its events, most
    severe first, or that no pipe signal reached elevated (with the week's range); then the
    reservoir's moves of the week when one of them is large."""
    since = day(week.week_start)
    policy = [decision_sentence(d) for d in week.decisions]
    # The reservoir's large moves of the week come last, on a front page not already full.
    large = reservoir_week_sentence(week.reservoir, large_only=True)
    lines = len(policy) + max(1, min(len(week.events), 3))
    reservoir = [large] if large and lines < MAX_LEAD else []
    if week.events:
        return policy + [event_sentence(e) for e in week.events[:3]] + reservoir
    # No new event, but stress that persists from before is still the week's state.
    still = [s.title for n, s in week.signals.items() if n not in ("reserves", "yield_curve")
             and week.coverage[n].state == "live" and s.status in ("elevated", "stressed")]
    if still:
        return policy + [f"No new stress in the week from {since} to {day(week.as_of)}; still "
                         f"elevated or worse: {', '.join(still)}."] + reservoir
    live = week.implications.state.pipe_live
    if live < week.thresholds.signals.composite_min_live:
        # Quiet only where it is measured: with most of the pipe dark, say so first.
        return policy + [f"Only {live} of the {PIPE_SIGNALS} pipe signals have data for the week "
                         f"from {since} to {day(week.as_of)}, too few to call the pipe calm"
                         + ("; none of them reached elevated." if live else ".")] + reservoir
    return policy + [f"No pipe signal reached elevated in the week from {since} to "
                     f"{day(week.as_of)}."] + reservoir


# -- the phase --------------------------------------------------------------------------------
PHASE_NAMES = {0: "runoff (QT)", 1: "drain stopped / reinvesting", 2: "active bill purchases",
               3: "QE"}


def phase_summary(a: PhaseAssessment, confirm_weeks: int = 2) -> str:
    """The assessment in two sentences, and a third when this week's flows already point to
    another phase (a switch is made only after ``confirm_weeks`` weeks in a row)."""
    sub = f" ({a.substate})" if a.substate else ""
    out = (f"The holdings show {phase_in_sentence(a.phase, a.label)}{sub} for the week of "
           f"{day(a.week)}. Confidence is {a.confidence}: {a.confidence_reason}.")
    candidate = a.history["candidate"].iloc[-1] if len(a.history) else None
    if candidate is not None and not pd.isna(candidate) and int(candidate) != a.phase:
        c = int(candidate)
        out += (f" This week's flows already point to {phase_in_sentence(c, PHASE_NAMES[c])}; "
                f"the assessment switches after {count(confirm_weeks, 'week')} in a row.")
    return out


def _purchases_stopped(a: PhaseAssessment, short: bool = False) -> str:
    """Where the data show purchases near zero against an announced purchase regime."""
    p = a.pace
    if p is None or p.rounded_bn_month > 0 or a.phase >= 2:
        return ""
    if short:
        return f"; purchases near zero since {day(p.since)}, no stop announced"
    return (f"; the data show purchases near zero since the Desk schedule of {day(p.since)}, "
            "with no announcement of a stop on record")


def phase_disagreement(a: PhaseAssessment) -> str:
    """The front page's warning when the announced regime and the observed phase disagree
    (short: section 1 gives the whole comparison), else ''."""
    if a.agreement != "disagrees":
        return ""
    # The headline already names the observed phase; the warning names the announced one.
    note = re.sub(r"; holdings still show phase \d", "", a.agreement_note or "see section 1")
    return f"Disagrees with the {note}{_purchases_stopped(a, short=True)}."


def evidence_sentences(evidence: Sequence[Evidence], reservoir: Reservoir) -> list[str]:
    """What the holdings did over the last 4 and 13 weeks, and how that squares with reserves.

    The portfolio and reserves can move apart (the TGA and ON RRP sit between them), so the
    holdings sentence never claims what reserves did; the reserves' own change is cited beside
    it, with the accounts that absorbed the difference.
    """
    by = {e.name: e for e in evidence}
    parts = []
    for name, noun in (("bills", "bills"), ("coupons", "notes and bonds"), ("mbs", "MBS")):
        e = by.get(name)
        if e is None or e.change_4w_bn is None:
            continue
        c4 = e.change_4w_bn
        verb = "were flat" if abs(c4) < 1 else f"{_moved(c4)} {bn(abs(c4))}"
        tail = (f" ({bn(e.change_13w_bn, signed=True)} over 13 weeks)"
                if e.change_13w_bn is not None else "")
        parts.append(f"{noun} {verb}{tail}")
    out = []
    if parts:
        out.append(f"Over the last four weeks {'; '.join(parts)}.")
    hold = by.get("holdings")
    if hold is None or hold.change_4w_bn is None:
        return out
    c4 = hold.change_4w_bn
    level = f" to {bn(hold.level_bn)}" if hold.level_bn is not None else ""
    if abs(c4) < 5:
        out.append(f"Securities held were roughly flat{level} ({bn(c4, signed=True)} in four "
                   "weeks).")
    else:
        out.append(f"Securities held {_moved(c4)} {bn(abs(c4))} in four weeks{level}.")
    res, tga, rrp = (reservoir.row(k) for k in ("reserves", "tga", "on_rrp"))
    if res is not None and res.change_4w_bn is not None:
        out.append(_reserves_against_holdings(c4, res.change_4w_bn, tga, rrp))
    return out


def _reserves_against_holdings(c4: float, r4: float, tga: ReservoirRow | None,
                               rrp: ReservoirRow | None) -> str:
    """Reserves beside the portfolio's 4-week change, with the accounts between them.

    Reserves ~ securities - TGA - ON RRP + other items, so when reserves move against the
    portfolio the sentence says what the TGA and ON RRP gave or took (their fall gives
    reserves, their rise takes them) and, where they do not cover the whole move, what the
    rest of the balance sheet did (March 2023: the Fed's lending); each claim follows from the
    signs and sizes of the numbers it cites.
    """
    moves = {k: x.change_4w_bn for k, x in (("the TGA", tga), ("ON RRP", rrp))
             if x is not None and x.change_4w_bn is not None}
    why = (" (" + ", ".join(f"{k} {bn(v, signed=True)}" for k, v in moves.items()) + ")"
           if moves else "")
    against = (c4 >= 5 and r4 < 0) or (c4 <= -5 and r4 > 0)
    if not against:
        return f"Reserves changed {bn(r4, signed=True)} over the same four weeks{why}."
    # What the accounts gave reserves (+: a fall of the TGA or ON RRP) or took (-), and what
    # the rest of the balance sheet (lending, currency, other liabilities) must have done.
    given = -sum(moves.values())
    other = r4 - c4 - given
    head = f"Reserves moved the other way, {bn(r4, signed=True)} over the same four weeks"
    accounts = (f"the TGA and ON RRP together {'gave' if given > 0 else 'took'} "
                f"{bn(abs(given))}{why}" if moves else "")
    if moves and abs(other) <= max(15.0, 0.15 * abs(r4 - c4)):
        return (f"{head}: {accounts}, {'more' if abs(given) > abs(c4) else 'as much'} than "
                f"the portfolio {'added' if c4 > 0 else 'ran off'}.")
    rest = (f"other items of the Fed's balance sheet (lending, currency, other liabilities) "
            f"{'added' if other > 0 else 'took'} about {bn(abs(other))}")
    if not moves:
        return f"{head}: {rest}."
    return f"{head}: {accounts}, and {rest}."


def pace_sentences(a: PhaseAssessment) -> list[str]:
    """The purchase pace in words: bill growth split into its two flows, the pace read per
    Desk-schedule month beside the announced one, and the next decision point.

    Bills grow from two flows since December 2025: MBS principal reinvested in bills (nobody
    sells MBS) and reserve-management purchases. Each amount is cited with its sign, so the
    sentence cannot say "purchases" where bills grew less than the reinvestment alone.
    """
    out: list[str] = []
    p = a.pace
    if p is not None and not p.history.empty:
        last = p.history.iloc[-1]
        growth, reinvest, bought = (last.get(c) for c in (
            "bills_bn_month", "mbs_reinvestment_bn_month", "reserve_management_bn_month"))
        if not any(missing(x) for x in (growth, reinvest, bought)):
            bought_text = (f"about {bn(bought)} of reserve-management purchases" if bought >= 0.5
                           else "next to nothing beyond it" if bought > -0.5
                           else f"{bn(abs(bought))} less than that reinvestment alone would add")
            out.append(f"Over the four weeks to {day(p.week)} bills "
                       f"{'grew' if growth >= 0 else 'shrank'} {bn(abs(growth))} a month: about "
                       f"{bn(reinvest)} of MBS principal reinvested in bills and {bought_text}. "
                       "The Fed sells no MBS; it reinvests their paydowns in bills.")
        said = p.announced_sentence
        gap = ""
        ann = p.announced
        if ann is not None and abs(ann.pace_bn_month - p.current_bn_month) >= 7.5:
            # A schedule younger than a Desk month cannot be judged against the purchases yet.
            if (p.week - ann.effective).days < 28:
                gap = (f"; too few weeks of purchases under the schedule of {day(ann.decided)} "
                       "to confirm its pace yet")
            else:
                gap = (f"; the data and the schedule differ by "
                       f"{bn(abs(ann.pace_bn_month - p.current_bn_month))} a month")
        out.append(f"Read per Desk-schedule month, {p.sentence}"
                   + (f"; {said}" if said else "; no pace is stated in the calendar") + gap + ".")
    elif a.announced_pace is not None:
        ann = a.announced_pace
        told = "" if ann.grade == "official" else " (reported)"
        bills = next((e.change_4w_bn for e in a.evidence if e.name == "bills"), None)
        seen = (f"; bills {bn(bills, signed=True)} over the last four weeks"
                if bills is not None else "")
        out.append(f"Reserve-management purchases of about ${ann.pace_bn_month:g}bn a month "
                   f"were decided on {day(ann.decided)}{told}, effective {day(ann.effective)}: "
                   f"not yet visible in the H.4.1{seen}.")
    elif a.phase in (0, 1):
        out.append("No reserve-management purchases are in force, announced or observed.")
    n = a.next_decision
    if n is not None:
        meeting = ("; the FOMC meets " + day_span(n.meeting.start, n.meeting.end)
                   + (" (reported schedule)" if n.meeting.grade != "official" else "")
                   if n.meeting else "")
        out.append(f"Next decision points: the Desk's monthly schedule about "
                   f"{day(n.desk_schedule)}{meeting}.")
    return out


def pace_amount(x: float) -> str:
    """A purchase pace as the sentences state it: "about $25bn a month", or "near zero"."""
    rounded = 5 * round(x / 5)
    return "near zero" if rounded <= 0 else f"about ${rounded:,.0f}bn a month"


def since_text(a: PhaseAssessment) -> str:
    """When the phase began: "since 24 Dec 2025", or "since at least 31 Jan 2024" when that is
    where the data begin (the phase is older than the data)."""
    first = a.history["date"].iloc[0].date() if len(a.history) else None
    at_least = "at least " if first is not None and a.since <= first else ""
    return f"since {at_least}{day(a.since)}"


def agreement_sentence(a: PhaseAssessment) -> tuple[str, str]:
    """(sentence, css class) comparing the announced regime with the observed phase."""
    note = a.agreement_note
    if a.agreement == "agrees":
        return (f"Observed and announced agree: {note}.", "agree")
    if a.agreement == "disagrees":
        since = a.announced.effective if a.announced is not None else None
        recent = since is not None and (a.week - since).days <= 13 * 7
        why = ("Holdings can lag a decision by weeks; the gap closes when operations show up "
               "in the H.4.1." if recent else
               "This is not a lag: the holdings have moved away from the announced regime.")
        return (f"Observed and announced disagree: {note}{_purchases_stopped(a)}. {why}",
                "disagree")
    return ("No announced balance-sheet regime to compare with" + (f": {note}." if note else "."),
            "agree")


# -- the reservoir ----------------------------------------------------------------------------
def reservoir_sentences(reservoir: Reservoir, reserves: SignalResult,
                        rrp_buffer_bn: float) -> list[str]:
    """The reservoir in words: its status, reserves, net liquidity, the TGA and ON RRP."""
    out: list[str] = []
    r = reservoir.row("reserves")
    if r is not None:
        trend = ""
        if r.change_13w_bn is not None:
            if abs(r.change_13w_bn) < FLAT_SHARE * r.latest_bn:
                trend = f", about flat over 13 weeks ({bn(r.change_13w_bn, signed=True)})"
            else:
                trend = (f", {_moved(r.change_13w_bn, 'up', 'down')} "
                         f"{bn(abs(r.change_13w_bn))} over 13 weeks")
        four = (f" ({bn(r.change_4w_bn, signed=True)} in four weeks)"
                if r.change_4w_bn is not None else "")
        status = (f" The reservoir reads {reserves.status}"
                  + (f": reserves are at the {ordinal(round(reserves.percentile * 100))} "
                     "percentile of "
                     "three years" if reserves.percentile is not None else "") + "."
                  if reserves.status != "unavailable" else "")
        out.append(f"Bank reserves ({r.basis}) stood at {bn(r.latest_bn)} in the week to "
                   f"{day(r.date)}{four}{trend}.{status}")
    n = reservoir.row("net_liquidity")
    if n is not None:
        move = ""
        if n.change_13w_bn is not None:
            move = (f", {_moved(n.change_13w_bn, 'up', 'down')} {bn(abs(n.change_13w_bn))} over "
                    "13 weeks" if abs(n.change_13w_bn) >= 1 else ", unchanged over 13 weeks")
        out.append(f"Net liquidity (Fed assets less the TGA and ON RRP) was {bn(n.latest_bn)}"
                   f"{move}.")
    t = reservoir.row("tga")
    if t is not None:
        c4 = t.change_4w_bn
        if c4 is not None and abs(c4) >= TGA_FLAT_SHARE * max(t.latest_bn, 100.0):
            effect = "draining reserves" if c4 > 0 else "releasing reserves"
            out.append(f"The Treasury's cash account {_moved(c4)} {bn(abs(c4))} in four weeks "
                       f"to {bn(t.latest_bn)}, {effect}.")
        else:
            moved = f" ({bn(c4, signed=True)})" if c4 is not None else ""
            out.append(f"The Treasury's cash account was {bn(t.latest_bn)}, little changed "
                       f"over four weeks{moved}.")
    q = reservoir.row("on_rrp")
    if q is not None:
        if q.latest_bn < rrp_buffer_bn:
            out.append(f"ON RRP usage is {bn(q.latest_bn)}, below {bn(rrp_buffer_bn)}: the "
                       "buffer is spent, so a drain (a larger TGA, or runoff) now comes out of "
                       "reserves directly.")
        else:
            out.append(f"ON RRP usage is {bn(q.latest_bn)}: money funds still hold a buffer "
                       "that can absorb drains before reserves do.")
    return out


# -- the pipe ---------------------------------------------------------------------------------
#: Calendar windows that another one implies (a year-end is a quarter-end and a month-end).
_IMPLIED = {"year-end": ("quarter-end", "month-end"), "quarter-end": ("month-end",)}


def window_names(windows: Sequence[str]) -> str:
    """The calendar windows in words, without those another one implies: ``year-end, coupon
    settlement`` rather than ``quarter-end, year-end, month-end, coupon settlement``."""
    present = [w for w in windows if w]
    implied = {i for w in present for i in _IMPLIED.get(w, ())}
    return ", ".join(w for w in present if w not in implied)


def context_sentence(status: str, windows: Sequence[str], persistent: bool,
                     calendar_explained: bool) -> str:
    """Calendar and persistence of one reading (today's, or the week's extreme on the day it
    is for), composed so they never contradict each other: stress that persists is never
    'the kind that usually passes'."""
    if status not in ("elevated", "stressed"):
        return ""
    named = window_names(windows)
    if persistent:
        inside = f" even though the date falls in a calendar window ({named})" if named else ""
        return (f"It is persistent (elevated on most recent days){inside}: climate, not "
                "weather.")
    if calendar_explained and named:
        return (f"The date it is for falls in a calendar window ({named}), so this stress is "
                "calendar-explained: the kind that usually passes.")
    if named:
        return (f"The date it is for falls in a calendar window ({named}), but the calendar "
                "does not explain stress of this kind or size: this is the kind of stress to "
                "watch.")
    return "No calendar window explains it: this is the kind of stress to watch."


def context_note(status: str, windows: Sequence[str], persistent: bool,
                 calendar_explained: bool) -> str:
    """The same in a few words, for the dashboard table."""
    if status not in ("elevated", "stressed"):
        return ""
    named = window_names(windows)
    if persistent:
        return "persistent"
    return f"calendar-explained ({named})" if calendar_explained and named \
        else "not calendar-explained"


def extreme_brief(e: WeekExtreme) -> str:
    """A week's extreme in a few words and its own units: ``+295 bp on 17 Sep 2019``."""
    when = day(e.date)
    if e.signal == "auctions":
        return f"{e.extra.get('tenor')} {'weak' if e.extra.get('weak') else 'auction'} on {when}"
    if e.signal == "fails":
        return f"${e.value:,.1f} bn, week to {when}"
    if e.signal in ("srf", "securities_lending"):
        return f"{bn2(e.value)} on {when}"
    if e.signal == "dealer_positions":
        return f"{bn1(e.value)}, week to {when}"
    if e.signal == "treasury_volatility":
        return f"{e.value:.1f} bp/day on {when}"
    if e.signal == "composite":
        return f"{e.value:.0f}/100 on {when}"
    return f"{bp(e.value)} on {when}"


def coverage_sentence(title: str, cov: Coverage, units: str) -> str:
    """Why a signal has no live reading, with its last reading where there is one."""
    if cov.state == "not_yet":
        return f"{title}: no reading, {cov.reason}."
    if cov.state == "stale" and cov.last_date is not None:
        last = (f"; its last reading was {signal_value(cov.last_value, units)} "
                f"({cov.last_status}) for {day(cov.last_date)}"
                if cov.last_value is not None else f"; its data end on {day(cov.last_date)}")
        return (f"{title}: stale{last}. The store holds nothing newer by this date (a gap in "
                "the stored data, not a calm reading).")
    # The reason is the signal's own "X unavailable: why." sentence: keep the why.
    why = cov.reason.removeprefix(f"{title} unavailable: ").rstrip(".")
    return f"{title}: no data ({why})."


def week_extreme_matters(sig: SignalResult, extreme: WeekExtreme | None) -> bool:
    """Whether the week's extreme is news beside today's reading: the week was stressed or
    elevated, at least as badly as today, on another day or worse than today."""
    return (extreme is not None and extreme.worst_status != "normal"
            and STATUS_ORDER[extreme.worst_status] >= STATUS_ORDER.get(sig.status, 0))


def signal_sentences(sig: SignalResult, extreme: WeekExtreme | None, cov: Coverage) -> list[str]:
    """A signal's explanation, the week's extreme when it is news, and the context of each:
    the week's event is judged on the calendar windows of the day it is for, today's reading
    on its own (so a quarter-end spike three days ago is explained by the quarter-end)."""
    if cov.state != "live":
        return [coverage_sentence(sig.title, cov, sig.units)]
    out = [sig.explanation]
    if week_extreme_matters(sig, extreme):
        assert extreme is not None
        out.append(f"This week: {event_sentence(extreme)}")
    out.append(context_sentence(*signal_context(sig, extreme)))
    return [s for s in out if s]


def signal_context(sig: SignalResult, extreme: WeekExtreme | None
                   ) -> tuple[str, tuple[str, ...], bool, bool]:
    """(status, windows, persistent, calendar-explained) that the page states for a signal:
    the week's extreme judged on the windows of the day it is for, unless the stress persists
    today (then it is climate, whatever window the spike fell in); today's own otherwise. One
    context per signal, so its labels never contradict each other."""
    if week_extreme_matters(sig, extreme) and not (
            sig.persistent and sig.status in ("elevated", "stressed")):
        assert extreme is not None
        return (extreme.worst_status, extreme.calendar_windows, extreme.persistent,
                extreme.calendar_explained)
    return sig.status, sig.calendar_windows, sig.persistent, sig.calendar_explained


def composite_summary(comp: SignalResult, live: Sequence[str], missing_: Sequence[str],
                      elevated_at: float, stressed_at: float,
                      titles: Mapping[str, str] | None = None) -> str:
    """The pipe-only stress index in one sentence: value, band (thresholds in force), what it
    rests on and what moves it. ``titles`` gives the reader-facing name of each signal."""
    def name(n: str) -> str:
        return (titles or {}).get(n, n.replace("_", " "))

    # The same denominator as coverage and the implications: the pipe signals; the yield
    # curve is in the index as context, at a lower weight.
    pipe_live = [n for n in live if n != "yield_curve"]
    pipe_all = pipe_live + [n for n in missing_ if n != "yield_curve"]
    curve = " and the yield curve as context" if "yield_curve" in live else ""
    names = ", ".join(name(n) for n in missing_)
    rests = f"from {len(pipe_live)} of {len(pipe_all)} pipe signals{curve}" + (
        f" ({names} without data)" if missing_ else "")
    if comp.status == "unavailable" or comp.value is None:
        return (f"The plumbing stress index is not published: {rests}, too few to call the "
                "pipe calm.")
    drivers = [name(str(d)) for d in comp.details.get("drivers", [])]
    drive = f"; what moves it: {', '.join(drivers[:3])}" if drivers else ""
    band = (f"the normal band (below {elevated_at:g})" if comp.status == "normal" else
            f"the elevated band ({elevated_at:g} to {stressed_at:g})"
            if comp.status == "elevated" else f"the stressed band ({stressed_at:g} and above)")
    return f"The plumbing stress index is {comp.value:.0f} of 100, in {band}, {rests}{drive}."


def loop_summary(loop: SignalResult, state: str, chain: Sequence[str]) -> str:
    """The feedback loop: its state and which links hold, with their dates."""
    if state == "unavailable":
        return ("The feedback loop cannot be assessed: it starts from auction results, which "
                "are not available for this date. It is not assumed dormant.")
    held = [c for c in chain if "not seen" not in c]
    missing_link = next((c for c in chain if "not seen" in c), "")
    links = f" Links that hold: {'; '.join(held)}." if held else ""
    gap = f" Next link: {missing_link}." if missing_link else ""
    return f"The feedback loop is {state} ({int(loop.value or 0)} of 4 links).{links}{gap}"


# -- reservoir vs pipe ------------------------------------------------------------------------
#: The pipe signals whose stress is a funding strain (the ones reserve scarcity shows in).
FUNDING_SIGNALS = ("repo_rates", "srf")


def stock_flow_sentences(reserves: pd.Series, composite: pd.Series, reserves_row: ReservoirRow,
                         pipe_status: str, hot: Mapping[str, str],
                         calendar: Mapping[str, str] | None = None) -> list[str]:
    """Whether the pipe's stress moves with the reservoir or apart from it.

    ``reserves`` (USD bn, weekly) and ``composite`` (the pipe-only index, weekly averages)
    describe the chart's window, from one end to the other, with no direction word. The reading
    rests on what page 1 shows: reserves' 13-week change, the pipe's status for the week and
    the signals that reached elevated or worse (``hot``: name -> title) and those whose stress
    the calendar explains (``calendar``: a period-end, a tax date). Only funding stress (repo
    rates, the SRF) speaks to reserve scarcity; stress in fails, volatility or auctions does
    not, nor funding pressure the calendar explains.
    """
    r, c = reserves.dropna(), composite.dropna()
    out: list[str] = []
    if len(r) >= 2 and len(c) >= 2:
        out.append(f"Over the chart's window, reserves went from {bn(r.iloc[0])} to "
                   f"{bn(r.iloc[-1])} and the weekly stress index from {c.iloc[0]:.0f} to "
                   f"{c.iloc[-1]:.0f} (peak {c.max():.0f} in the week to {day(c.idxmax())}).")
    change = reserves_row.change_13w_bn
    if change is None:
        return out
    rel = change / reserves_row.latest_bn if reserves_row.latest_bn else 0.0
    # The same flat band as section 2's reserves sentence (1% of the level).
    trend = ("falling" if rel < -FLAT_SHARE else "rising" if rel > FLAT_SHARE else "about steady")
    moved = f"{bn(change, signed=True)} over 13 weeks"
    funding = [t for n, t in hot.items() if n in FUNDING_SIGNALS]
    other = [t for n, t in hot.items() if n not in FUNDING_SIGNALS]
    if pipe_status == "unavailable":
        out.append("The pipe's index is not published this week (too few pipe signals have "
                   "data), so the two measures cannot be compared.")
    elif pipe_status in ("elevated", "stressed") and funding:
        out.append(f"Funding is strained ({', '.join(funding)}) while reserves are {trend} "
                   f"({moved}): " + (
                       "the sign that reserves are nearing the level where they stop being "
                       "ample." if trend == "falling" else
                       "the constraint is in intermediation, not in the amount of "
                       "reserves."))
    elif pipe_status in ("elevated", "stressed") and not other and calendar:
        out.append(f"The pipe's stress this week is funding pressure the calendar explains "
                   f"({', '.join(calendar.values())}): by itself it does not point to a "
                   f"shortage of reserves, which are {trend} ({moved}).")
    elif pipe_status in ("elevated", "stressed"):
        named = ", ".join(other) or "the pipe"
        out.append(f"The stress is in {named}, not in funding: it does not point to a "
                   f"shortage of reserves, which are {trend} ({moved}).")
    else:
        out.append(f"Reserves are {trend} ({moved}) and the pipe is calm" + (
            ": the reservoir still has room, but the margin narrows as it drains."
            if trend == "falling" else "."))
    return out


# -- what changed since last week -------------------------------------------------------------
def peak_is_news(today: SignalResult, peak: WeekExtreme | None) -> bool:
    """Whether the index's peak of the week is worth stating beside today's reading: the week
    had stress (elevated or worse) and the peak was above today's value."""
    return (today.status != "unavailable" and today.value is not None and peak is not None
            and peak.worst_status != "normal" and round(peak.value) > round(today.value))


def what_changed(week: WeekAnalysis) -> list[str]:
    """Three to five lines on what changed since the week before, comparing like with like:
    this week's readings and extremes against the previous week's, from the same data."""
    before = week.week_before
    if before is None:
        return ["There is no earlier week in the data to compare with."]
    since = day(before.as_of)
    must: list[str] = []
    ranked: list[tuple[int, str]] = []
    a0, a1 = before.assessment, week.assessment
    if a0 is not None and a1 is not None:
        if a0.phase != a1.phase:
            must.append(f"The phase moved from {phase_in_sentence(a0.phase, a0.label)} to "
                        f"{phase_in_sentence(a1.phase, a1.label)}.")
        else:
            sub = f", {a1.substate}" if a1.substate else ""
            must.append(f"The phase is unchanged: {phase_in_sentence(a1.phase, a1.label)}"
                        f"{sub}, {since_text(a1)}.")
        if a0.confidence != a1.confidence:
            up = CONFIDENCE_ORDER.get(a1.confidence, 0) > CONFIDENCE_ORDER.get(a0.confidence, 0)
            ranked.append((2, f"Confidence in the phase {'rose' if up else 'fell'} from "
                              f"{a0.confidence} to {a1.confidence}."))
    c0, c1 = before.dashboard.composite, week.composite
    p0, p1 = before.extremes.get("composite"), week.extremes.get("composite")
    if peak_is_news(c1, p1):
        assert p1 is not None and c1.value is not None
        # The week's news is its peak: compare it with the week before's, like with like.
        earlier = (f", against {p0.value:.0f} ({p0.worst_status}) at the peak of the week "
                   "before" if p0 is not None else "")
        must.append(f"The plumbing stress index peaked at {p1.value:.0f} ({p1.worst_status}) "
                    f"on {day(p1.date)}{earlier}; it stands at {c1.value:.0f} ({c1.status}) on "
                    f"{day(c1.date)}.")
    elif peak_is_news(c0, p0) and c1.status != "unavailable" and c1.value is not None:
        assert p0 is not None
        # The week before's news was its peak: today's reading is set against it.
        must.append(f"The plumbing stress index stands at {c1.value:.0f} ({c1.status}) on "
                    f"{day(c1.date)}, against a peak of {p0.value:.0f} ({p0.worst_status}) "
                    "the week before.")
    elif c1.status != "unavailable" and c1.value is not None:
        if c0.value is None:
            # Nothing to compare with: the week before had too few pipe signals for an index.
            must.append(f"The plumbing stress index is {c1.value:.0f} ({c1.status}); the week "
                        "before it was not published (too few pipe signals had data).")
        elif c0.status != c1.status:
            must.append(f"The plumbing stress index moved from {c0.status} to {c1.status} "
                        f"({c0.value:.0f} to {c1.value:.0f}).")
        elif abs(c1.value - c0.value) >= 1:
            points = count(round(abs(c1.value - c0.value)), "point")
            must.append(f"The plumbing stress index {_moved(c1.value - c0.value)} {points} to "
                        f"{c1.value:.0f} "
                        f"(still {c1.status}).")
        else:
            must.append(f"The plumbing stress index was unchanged at {c1.value:.0f} "
                        f"({c1.status}).")
    l0, l1 = before.dashboard.feedback_loop.state, week.loop.state
    if l0 != l1:
        # A change of the loop is always said (a loop that fades on a record funding day
        # is news), with the weak auction that left its window when that is why.
        lapsed = ""
        links = before.dashboard.feedback_loop.details.get("links") or [{}]
        first = links[0]
        if l1 == "dormant" and first.get("link") == "weak auction" and first.get("holds"):
            lapsed = (f": the weak auction of {day(first['date'])} has left its "
                      f"{week.thresholds.signals.loop_window_days}-business-day window")
        must.append(f"The feedback loop went from {l0} to {l1}{lapsed}.")
    # Each signal: the week's worst against the week before's worst.
    for name, now in week.extremes.items():
        if name in ("composite", "yield_curve"):
            continue
        then = before.extremes.get(name)
        worse = then is None or STATUS_ORDER[now.worst_status] > STATUS_ORDER[then.worst_status]
        if now.worst_status != "normal" and worse:
            was = f"; the week before: {then.worst_status}" if then is not None else ""
            ranked.append((STATUS_ORDER[now.worst_status] + 1,
                           f"{event_sentence(now)[:-1]}{was}."))
        elif then is not None and then.worst_status != "normal" and now.worst_status == "normal":
            ranked.append((2, f"{now.title}: back to normal, after {then.worst_status} the week "
                              f"before ({event_sentence(then)[:-1]})."))
    for name, sig in week.signals.items():
        prev = before.dashboard.signals.get(name)
        if prev is None or prev.status == sig.status or name in week.extremes:
            continue
        if "unavailable" in (prev.status, sig.status):
            continue
        ranked.append((STATUS_ORDER[sig.status], f"{sig.title}: {prev.status} to {sig.status}."))
    res = week.reservoir.row("reserves")
    fillers = []
    if res is not None and res.change_4w_bn is not None:
        fillers.append(f"Reserves {_moved(res.change_4w_bn)} {bn(abs(res.change_4w_bn))} over "
                       f"four weeks, to {bn(res.latest_bn)}.")
    lines = must + [t for _, t in sorted(ranked, key=lambda x: -x[0])] + fillers
    if len(lines) < 3:
        lines.append(f"No signal changed status since the week of {since}.")
    return [*lines[:4], f"Compared with the week to {since}, from the data public then."]
