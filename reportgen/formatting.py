"""The one place numbers, dates and phase labels are written as text.

Charts, sentences, tables and the terminal all format through these functions, so a figure
reads the same everywhere ("$2,915 bn", "+8 bp", "3 Sep 2026", "Phase 2: active bill
purchases"). Missing values (None, NaN, NaT) are written ``n/a``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def missing(x: Any) -> bool:
    """True for None, NaN and NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def bn(x: float | None, signed: bool = False) -> str:
    """USD billions as text: ``$2,915 bn`` / ``+$12 bn`` / ``-$99 bn`` / ``n/a``."""
    if missing(x):
        return "n/a"
    assert x is not None
    if signed:
        sign = "+" if x > 0 else "-" if x < 0 else "±"
        return f"{sign}${abs(x):,.0f} bn"
    return f"-${abs(x):,.0f} bn" if round(x) < 0 else f"${abs(x):,.0f} bn"


def bn1(x: float | None, signed: bool = False) -> str:
    """USD billions with one decimal, for weekly dealer figures: ``$477.6 bn`` / ``+$41.2 bn``
    / ``-$9.0 bn`` / ``n/a`` (a change that rounds to zero reads ``$0.0 bn``)."""
    if missing(x):
        return "n/a"
    assert x is not None
    if signed and round(x, 1) != 0:
        return f"{'+' if x > 0 else '-'}${abs(x):,.1f} bn"
    return f"${abs(x) if signed else x:,.1f} bn"


def bn5(x: float | None) -> str:
    """USD billions rounded to $5bn, as the purchase pace is stated: ``$25 bn``."""
    if missing(x):
        return "n/a"
    assert x is not None
    return f"${max(5 * round(x / 5), 0):,.0f} bn"


def bn2(x: float | None) -> str:
    """USD billions with two decimals, for daily facility take-up: ``$50.35 bn``."""
    if missing(x):
        return "n/a"
    assert x is not None
    return f"${x:,.2f} bn"


def bp(x: float | None, signed: bool = True) -> str:
    """Basis points as text: ``+8 bp``."""
    if missing(x):
        return "n/a"
    assert x is not None
    return f"{x:+.0f} bp" if signed else f"{x:.0f} bp"


def pct(x: float | None, places: int = 2) -> str:
    """A rate in percent: ``5.25%``."""
    if missing(x):
        return "n/a"
    assert x is not None
    return f"{x:.{places}f}%"


def day(value: Any) -> str:
    """A date as ``3 Sep 2026`` (accepts date, Timestamp or ISO text); ``n/a`` when missing."""
    if missing(value) or value == "":
        return "n/a"
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%b %Y}"


def short_day(value: Any) -> str:
    """A date within the briefing's year context as ``17 Sep``."""
    if missing(value) or value == "":
        return "n/a"
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%b}"


def day_span(first: Any, last: Any) -> str:
    """Two days as one span: ``28-29 Jul 2026``, ``30 Sep-1 Oct 2026``, ``31 Dec 2026-1 Jan
    2027``."""
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}-{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b}-{b.day} {b:%b %Y}"
    return f"{day(a)}-{day(b)}"


def long_day(value: Any) -> str:
    """A date as ``Thursday 3 September 2026``."""
    ts = pd.Timestamp(value)
    return f"{ts:%A} {ts.day} {ts:%B %Y}"


def phase_title(phase: int, label: str) -> str:
    """``Phase 2: active bill purchases``: the one way a phase is named."""
    return f"Phase {int(phase)}: {label}"


def phase_in_sentence(phase: int, label: str) -> str:
    """``phase 0: runoff (QT)``: the phase named inside a sentence (the label keeps its case:
    lower-casing the whole title would write "runoff (qt)")."""
    return f"phase {int(phase)}: {label}"


def sentence_case(text: str) -> str:
    """The first letter upper-cased, the rest untouched ("Bills replacing MBS runoff", where
    ``str.capitalize`` would write "mbs")."""
    return text[:1].upper() + text[1:]


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 week`` / ``3 weeks``: a number with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
