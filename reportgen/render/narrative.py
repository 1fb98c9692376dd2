"""Sentences generated from the numbers: every narrative line of the briefing is built here.

Nothing in the briefing's prose is hard-coded about the data: each function takes numbers (or the
brief.json dicts) and chooses among sentence templates with explicit conditions, so the text
changes when the data does and says "unavailable" when a number is missing. Templates only
place these strings; they never compute.

Formatting helpers (``bn``, ``bp``, ``day``) are shared with :mod:`reportgen.render.context`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

STATUS_ORDER = {"stressed": 3, "elevated": 2, "normal": 1, "unavailable": 0}
LOOP_ORDER = {"engaged": 3, "forming": 2, "dormant": 1, "unavailable": 0}
CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}


# -- number formatting ------------------------------------------------------------------------
def missing(x: Any) -> bool:
    """True for None, NaN and NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def bn(x: float | None, signed: bool = False) -> str:
    """USD billions as text: ``$2,915 bn`` / ``+$12 bn`` / ``n/a``."""
    if missing(x):
        return "n/a"
    assert x is not None
    if signed:
        sign = "+" if x > 0 else "-" if x < 0 else "±"
        return f"{sign}${abs(x):,.0f} bn"
    return f"${x:,.0f} bn"


def bp(x: float | None, signed: bool = True) -> str:
    """Basis points as text: ``+8 bp``."""
    if missing(x):
        return "n/a"
    assert x is not None
    return f"{x:+.0f} bp" if signed else f"{x:.0f} bp"


def day(value: Any) -> str:
    """A date as ``3 Sep 2026`` (accepts date, Timestamp or ISO text); ``n/a`` when missing."""
    if missing(value) or value == "":
        return "n/a"
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%b %Y}"


def long_day(value: Any) -> str:
    """A date as ``Thursday 3 September 2026``."""
    ts = pd.Timestamp(value)
    return f"{ts:%A} {ts.day} {ts:%B %Y}"


def signal_value(value: float | None, units: str) -> str:
    """A signal's headline value in its own units, briefly."""
    if missing(value):
        return "n/a"
    assert value is not None
    u = units.lower()
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


def _change_word(delta: float, up: str = "rose", down: str = "fell") -> str:
    return up if delta > 0 else down


# -- the phase --------------------------------------------------------------------------------
def phase_headline(phase: Mapping[str, Any]) -> str:
    """``Phase 1: drain stopped / reinvesting``."""
    return f"Phase {phase['phase']}: {phase['label']}"


def phase_summary(phase: Mapping[str, Any]) -> str:
    """One sentence for the front page from the assessment dict."""
    sub = f" ({phase['substate']})" if phase.get("substate") else ""
    return (f"The holdings show phase {phase['phase']}, {phase['label']}{sub}, for the week of "
            f"{day(phase['week'])}. Confidence is {phase['confidence']}: "
            f"{phase['confidence_reason']}.")


def phase_disagreement(phase: Mapping[str, Any]) -> str:
    """A warning when the announced regime and the observed phase disagree, else ''."""
    if phase.get("agreement") != "disagrees":
        return ""
    return f"Announced and observed disagree: {phase.get('agreement_note') or 'see section 1'}."


def evidence_sentences(evidence: Sequence[Mapping[str, Any]]) -> list[str]:
    """What the holdings did over the last 4 and 13 weeks, in words."""
    by = {e["name"]: e for e in evidence}
    parts = []
    for name, noun in (("bills", "bills"), ("coupons", "notes and bonds"), ("mbs", "MBS")):
        e = by.get(name)
        if e is None or missing(e.get("change_4w_bn")):
            continue
        c4, c13 = e["change_4w_bn"], e.get("change_13w_bn")
        verb = "were flat" if abs(c4) < 1 else f"{_change_word(c4)} {bn(abs(c4))}"
        tail = f" ({bn(c13, signed=True)} over 13 weeks)" if not missing(c13) else ""
        parts.append(f"{noun} {verb}{tail}")
    out = []
    if parts:
        text = "; ".join(parts)
        out.append(f"Over the last four weeks {text}.")
    hold = by.get("holdings")
    if hold is not None and not missing(hold.get("change_4w_bn")):
        c4 = hold["change_4w_bn"]
        level = f" to {bn(hold['level_bn'])}" if not missing(hold.get("level_bn")) else ""
        if abs(c4) < 5:
            out.append(f"Securities held were roughly flat{level} ({bn(c4, signed=True)} in four "
                       "weeks): the portfolio is neither draining nor growing much.")
        elif c4 < 0:
            out.append(f"Securities held fell {bn(abs(c4))} in four weeks{level}: a drain on "
                       "reserves.")
        else:
            out.append(f"Securities held rose {bn(c4)} in four weeks{level}: the Fed is adding "
                       "reserves.")
    return out


def agreement_sentence(phase: Mapping[str, Any]) -> tuple[str, str]:
    """(sentence, css class) comparing the announced regime with the observed phase."""
    status = phase.get("agreement")
    note = phase.get("agreement_note")
    if status == "agrees":
        return (f"Observed and announced agree: {note}.", "agree")
    if status == "disagrees":
        return (f"Observed and announced disagree: {note}. Holdings can lag a decision by "
                "weeks; the gap closes when operations show up in the H.4.1.", "disagree")
    return ("No announced balance-sheet regime to compare with" + (f": {note}." if note else "."),
            "agree")


# -- the reservoir ----------------------------------------------------------------------------
def change_over(s: pd.Series, weeks: int) -> float | None:
    """The change of ``s`` over ``weeks`` up to its last value; None without a comparable
    observation (none that old, or the nearest one more than ten days short of the horizon,
    after a gap in the data). The reservoir table and its sentences both use this."""
    s = s.dropna()
    if len(s) < 2:
        return None
    last = s.index.max()
    before = s.loc[: last - pd.Timedelta(weeks=weeks)]
    if not len(before) or (last - before.index[-1]).days > weeks * 7 + 10:
        return None
    return float(s.iloc[-1] - before.iloc[-1])


def reservoir_sentences(reserves: pd.Series, net_liquidity: pd.Series, tga: pd.Series,
                        rrp: pd.Series, rrp_buffer_bn: float) -> list[str]:
    """The reservoir in words: reserves, net liquidity, the TGA and the ON RRP buffer.

    All series in USD billions with a DatetimeIndex; empty series are skipped.
    """
    out: list[str] = []
    if len(reserves.dropna()):
        r = reserves.dropna()
        c4, c13 = change_over(r, 4), change_over(r, 13)
        trend = ""
        if c13 is not None:
            if abs(c13) < 0.01 * r.iloc[-1]:
                trend = f", about flat over 13 weeks ({bn(c13, signed=True)})"
            else:
                trend = f", {'up' if c13 > 0 else 'down'} {bn(abs(c13))} over 13 weeks"
        four = f" ({bn(c4, signed=True)} in four weeks)" if c4 is not None else ""
        out.append(f"Bank reserves stood at {bn(r.iloc[-1])} on {day(r.index[-1])}{four}{trend}.")
    if len(net_liquidity.dropna()):
        n = net_liquidity.dropna()
        c13 = change_over(n, 13)
        move = ""
        if c13 is not None:
            move = (f", {'up' if c13 > 0 else 'down'} {bn(abs(c13))} over 13 weeks"
                    if abs(c13) >= 1 else ", unchanged over 13 weeks")
        out.append(f"Net liquidity (Fed assets less the TGA and ON RRP) was {bn(n.iloc[-1])}"
                   f"{move}.")
    if len(tga.dropna()):
        t = tga.dropna()
        c4 = change_over(t, 4)
        if c4 is not None and abs(c4) >= 50:
            effect = "draining reserves" if c4 > 0 else "releasing reserves"
            out.append(f"The Treasury's cash account {'rose' if c4 > 0 else 'fell'} "
                       f"{bn(abs(c4))} in four weeks to {bn(t.iloc[-1])}, {effect}.")
        else:
            out.append(f"The Treasury's cash account was {bn(t.iloc[-1])}, little changed over "
                       "four weeks.")
    if len(rrp.dropna()):
        q = rrp.dropna()
        if q.iloc[-1] < rrp_buffer_bn:
            out.append(f"ON RRP usage is {bn(q.iloc[-1])}, below {bn(rrp_buffer_bn)}: the buffer "
                       "is spent, so a larger TGA or further runoff now comes out of reserves "
                       "directly.")
        else:
            out.append(f"ON RRP usage is {bn(q.iloc[-1])}: money funds still hold a buffer that "
                       "can absorb drains before reserves do.")
    return out


# -- the pipe ---------------------------------------------------------------------------------
def signal_sentences(sig: Mapping[str, Any]) -> list[str]:
    """The signal's own explanation plus calendar and persistence context, from its dict."""
    out = [str(sig.get("explanation") or "")]
    status = sig.get("status")
    windows = [w for w in (sig.get("calendar_windows") or []) if w]
    if status in ("elevated", "stressed"):
        if sig.get("calendar_explained") and windows:
            out.append(f"The date falls in a calendar window ({', '.join(windows)}), so this "
                       "stress is calendar-explained: the kind that usually passes.")
        else:
            out.append("No calendar window explains it: this is the kind of stress to watch.")
        if sig.get("persistent"):
            out.append("It is persistent (elevated on most recent days): climate, not weather.")
    return [s for s in out if s]


def composite_summary(comp: Mapping[str, Any], elevated_at: float, stressed_at: float) -> str:
    """The plumbing index in one sentence; the bands are the composite's thresholds
    (``composite_elevated`` / ``composite_stressed``) in force for the briefing."""
    if comp.get("status") == "unavailable" or missing(comp.get("value")):
        return str(comp.get("explanation") or "The plumbing index is unavailable.")
    drivers = [str(d).replace("_", " ") for d in (comp.get("details", {}) or {}).get(
        "drivers", comp.get("drivers", [])) or []]
    drive = f"; what moves it: {', '.join(drivers[:3])}" if drivers else ""
    value = float(comp["value"])
    band = (f"the normal band (below {elevated_at:g})" if comp["status"] == "normal" else
            f"the elevated band ({elevated_at:g} to {stressed_at:g})"
            if comp["status"] == "elevated" else f"the stressed band ({stressed_at:g} and above)")
    return f"The plumbing stress index is {value:.0f} of 100, in {band}{drive}."


def loop_summary(loop: Mapping[str, Any]) -> str:
    """The feedback loop in one sentence (its own explanation when it gives one)."""
    return str(loop.get("explanation") or f"The feedback loop is {loop.get('state')}.")


# -- reservoir vs pipe ------------------------------------------------------------------------
def stock_flow_sentences(reserves: pd.Series, composite: pd.Series) -> list[str]:
    """Whether stress moves with the reservoir or independently of it.

    ``reserves`` in USD bn (weekly), ``composite`` 0-100 (daily), over the same window.
    """
    r, c = reserves.dropna(), composite.dropna()
    if len(r) < 2 or len(c) < 2:
        return []
    dr = float(r.iloc[-1] - r.iloc[0])
    dc = float(c.iloc[-1] - c.iloc[0])
    rel = dr / float(r.iloc[0]) if r.iloc[0] else 0.0
    r_dir = "fell" if rel < -0.02 else "rose" if rel > 0.02 else "held roughly steady"
    c_dir = "rose" if dc >= 10 else "fell" if dc <= -10 else "was little changed"
    amount = f" by {bn(abs(dr))}" if r_dir != "held roughly steady" else ""
    first = (f"Since {day(r.index[0])} reserves {r_dir}{amount}, to {bn(r.iloc[-1])}, while "
             f"the plumbing stress index {c_dir} ({c.iloc[0]:.0f} to {c.iloc[-1]:.0f}).")
    if r_dir == "fell" and c_dir == "rose":
        reading = ("Stress is rising as the reservoir drains: the classic sign that reserves are "
                   "approaching the level where they stop being ample.")
    elif r_dir != "fell" and c_dir == "rose":
        reading = ("Stress rose without a fall in reserves: the constraint is in the pipe "
                   "(dealer balance sheets, settlement), not in the amount of reserves.")
    elif r_dir == "fell" and c_dir != "rose":
        reading = ("Reserves fell without a rise in stress: the reservoir still has room, but "
                   "the margin is shrinking.")
    elif c_dir == "fell":
        reading = "Stress eased: the pipe is carrying what the reservoir supplies."
    else:
        reading = "Neither the stock nor the flow measures moved much over the window."
    return [first, reading]


# -- what changed since last week -------------------------------------------------------------
def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return None if math.isnan(float(x)) else float(x)


def what_changed(previous_brief: Mapping[str, Any] | None, brief: Mapping[str, Any]) -> list[str]:
    """Three to five lines on what changed since the previous briefing.

    Reads the ``changes`` block of ``brief`` (computed by ``reportgen.brief.compute_changes``)
    or computes it; fields missing on either side are skipped, so an older brief.json still
    compares. With no previous briefing, one line says so.

    Example
    -------
    >>> what_changed(None, brief)
    ['This is the first briefing: there is no earlier week to compare with.']
    """
    if not previous_brief:
        return ["This is the first briefing: there is no earlier week to compare with."]
    changes = brief.get("changes")
    if not changes:
        from reportgen.brief import compute_changes

        changes = compute_changes(brief, previous_brief) or {}
    since = day(changes.get("since") or previous_brief.get("as_of"))
    phase_now = brief.get("phase") or {}
    must: list[str] = []
    changed: list[tuple[int, str]] = []
    fillers: list[str] = []

    ph = changes.get("phase") or {}
    if ph.get("before") is not None and ph.get("after") is not None:
        if ph["before"] != ph["after"]:
            must.append(f"The phase moved from phase {ph['before']} ({ph.get('label_before')}) "
                        f"to phase {ph['after']} ({ph.get('label_after')}).")
        else:
            sub = f", {phase_now['substate']}" if phase_now.get("substate") else ""
            must.append(f"The phase is unchanged: phase {ph['after']} ({ph.get('label_after')}"
                        f"{sub}), since {day(phase_now.get('since'))}.")
    conf = changes.get("confidence") or {}
    if conf.get("changed") and conf.get("before") and conf.get("after"):
        up = CONFIDENCE_ORDER.get(conf["after"], 0) > CONFIDENCE_ORDER.get(conf["before"], 0)
        changed.append((2, f"Confidence in the phase {'rose' if up else 'fell'} from "
                           f"{conf['before']} to {conf['after']}."))

    comp = changes.get("composite") or {}
    v0, v1 = _num(comp.get("value_before")), _num(comp.get("value_after"))
    s0, s1 = comp.get("status_before"), comp.get("status_after")
    if s1:
        nums = f" ({v0:.0f} to {v1:.0f})" if v0 is not None and v1 is not None else ""
        if s0 and s0 != s1:
            must.append(f"The plumbing stress index moved from {s0} to {s1}{nums}.")
        elif v0 is not None and v1 is not None and abs(v1 - v0) >= 1:
            must.append(f"The plumbing stress index {_change_word(v1 - v0)} "
                        f"{abs(v1 - v0):.0f} points to {v1:.0f} (still {s1}).")
        elif v1 is not None:
            must.append(f"The plumbing stress index was unchanged at {v1:.0f} ({s1}).")
        else:
            must.append(f"The plumbing stress index is {s1}.")

    loop = changes.get("feedback_loop") or {}
    if loop.get("changed") and loop.get("before") and loop.get("after"):
        changed.append((3, f"The feedback loop went from {loop['before']} to {loop['after']}."))

    units = {name: (sig or {}).get("units", "") for name, sig in
             ((brief.get("signals") or {}).get("signals") or {}).items()}
    titles = {name: (sig or {}).get("title", name) for name, sig in
              ((brief.get("signals") or {}).get("signals") or {}).items()}
    for sig in changes.get("signals") or []:
        name = sig.get("name")
        title = titles.get(name, str(name).replace("_", " "))
        unit = units.get(name, "")
        a0, a1 = sig.get("status_before"), sig.get("status_after")
        b0, b1 = _num(sig.get("value_before")), _num(sig.get("value_after"))
        if sig.get("changed") and a0 and a1:
            vals = (f" ({signal_value(b1, unit)}, was {signal_value(b0, unit)})"
                    if b0 is not None and b1 is not None else "")
            worse = STATUS_ORDER.get(a1, 0) > STATUS_ORDER.get(a0, 0)
            changed.append((STATUS_ORDER.get(a1, 0) + (1 if worse else 0),
                            f"{title}: {a0} to {a1}{vals}."))
        elif name == "reserves" and b0 is not None and b1 is not None and abs(b1 - b0) >= 1:
            fillers.append(f"Reserves {_change_word(b1 - b0)} {bn(abs(b1 - b0))} to {bn(b1)}.")
        elif name == "repo_rates" and b0 is not None and b1 is not None and abs(b1 - b0) >= 2:
            fillers.append(f"SOFR against the policy reference moved from {bp(b0)} to {bp(b1)}.")

    lines = must + [text for _, text in sorted(changed, key=lambda x: -x[0])] + fillers
    # An older brief.json may lack the fields compared above: state this week's readings.
    if not ph and phase_now.get("phase") is not None:
        lines.append(f"This week's phase: phase {phase_now['phase']} ({phase_now.get('label')}).")
    comp_now = (brief.get("signals") or {}).get("composite") or {}
    if not s1 and comp_now.get("status"):
        lines.append(f"This week's plumbing stress index: {comp_now['status']}.")
    if len(lines) < 3:
        lines.append(f"No signal changed status since {since}.")
    if previous_brief.get("previous_source") == "reconstructed":
        # Say what the comparison is against: no briefing was published for that week.
        return [*lines[:4], f"Compared with the week of {since}, recomputed from the same data "
                            "(the site holds no earlier briefing)."]
    if len(lines) < 3:
        lines.append(f"Compared with the briefing of {since}.")
    return lines[:5]


def first_or_since(previous_brief: Mapping[str, Any] | None) -> str:
    """The heading's reference: ``the briefing of 27 Aug 2026`` (published), ``the week of
    27 Aug 2026`` (recomputed from the same data), or ``last week`` when there is none."""
    if not previous_brief:
        return "last week"
    if previous_brief.get("previous_source") == "reconstructed":
        return f"the week of {day(previous_brief.get('as_of'))}"
    return f"the briefing of {day(previous_brief.get('as_of'))}"


def as_of_text(as_of: date) -> str:
    return long_day(as_of)
