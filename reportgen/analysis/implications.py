"""A rule-based reading of the phase and the plumbing for equities and crypto.

This is conditional reasoning, not a forecast: each statement says which observed condition it
rests on, what that condition has tended to mean for the asset class through the liquidity
channel, and what would change the reading. The rules are three small tables, so a reader can
check every sentence against them (the briefing prints them in its methodology appendix):

=====================  =====================================================================
input                  effect on the liquidity backdrop (score)
=====================  =====================================================================
phase 0 runoff         -1: reserves drain every month (a headwind)
phase 1 drain stops     0: the headwind ends; no tailwind yet
phase 2 bill purchases +1: reserves grow, duration is not taken out of the market
phase 3 full QE        +2: reserves grow fast and duration is bought
plumbing normal         0: liquidity reaches markets
plumbing elevated      -1: intermediation is strained around the edges
plumbing stressed      -2: the pipe binds: funding stress comes first
loop forming           -1: weak auctions and dealer inventory building
loop engaged           -2: auctions, dealers and repo feeding one another
=====================  =====================================================================

The backdrop is the sum: ``>= 2`` supportive, ``1`` mildly supportive, ``0`` neutral, ``-1``
mild headwind, ``<= -2`` headwind. Crypto reads the same backdrop with more sensitivity to
funding stress (it is priced on marginal liquidity and leverage), equities with more
sensitivity to the loop (it works through long yields and the discount rate).

Example
-------
>>> reading = read_implications(phase=1, plumbing="elevated", loop="dormant")
>>> reading.backdrop
'mild headwind'
>>> reading.equities[0].condition
'The Fed has stopped draining reserves (phase 1) ...'
"""

from __future__ import annotations

from dataclasses import dataclass

PHASE_SCORE = {0: -1, 1: 0, 2: 1, 3: 2}
PLUMBING_SCORE = {"normal": 0, "elevated": -1, "stressed": -2, "unavailable": 0}
LOOP_SCORE = {"dormant": 0, "forming": -1, "engaged": -2, "unavailable": 0}

_PHASE_CONDITION = {
    0: "The Fed is running its portfolio off (phase 0), draining reserves every month",
    1: "The Fed has stopped draining reserves (phase 1) but is not adding to them",
    2: "The Fed is buying bills beyond reinvestment (phase 2), adding reserves",
    3: "The Fed is buying longer-dated securities (phase 3, full QE), adding reserves fast",
}
_PHASE_UNKNOWN = "The balance-sheet phase cannot be read from the data"

_PLUMBING_CONDITION = {
    "normal": "the plumbing shows no stress",
    "elevated": "the plumbing shows elevated stress",
    "stressed": "the plumbing is stressed",
    "unavailable": "the plumbing cannot be read (too little data)",
}
_LOOP_CONDITION = {
    "dormant": "the auction-dealer-funding loop is dormant",
    "forming": "the auction-dealer-funding loop is forming",
    "engaged": "the auction-dealer-funding loop is engaged",
    "unavailable": "the auction-dealer-funding loop cannot be assessed",
}


@dataclass(frozen=True)
class Statement:
    """One conditional statement: the condition observed, the reading, what would change it."""

    condition: str
    reading: str
    changes_if: str

    def to_dict(self) -> dict[str, str]:
        return {"condition": self.condition, "reading": self.reading,
                "changes_if": self.changes_if}


@dataclass(frozen=True)
class Implications:
    """The reading for both asset classes, with the backdrop score it rests on."""

    phase: int | None
    plumbing: str
    loop: str
    score: int
    backdrop: str
    equities: tuple[Statement, ...]
    crypto: tuple[Statement, ...]

    def to_dict(self) -> dict[str, object]:
        return {"phase": self.phase, "plumbing": self.plumbing, "loop": self.loop,
                "score": self.score, "backdrop": self.backdrop,
                "equities": [s.to_dict() for s in self.equities],
                "crypto": [s.to_dict() for s in self.crypto]}


def backdrop_label(score: int) -> str:
    """The word for a backdrop score (see the module table)."""
    if score >= 2:
        return "supportive"
    if score == 1:
        return "mildly supportive"
    if score == 0:
        return "neutral"
    if score == -1:
        return "mild headwind"
    return "headwind"


def _norm(value: str | None, table: dict[str, int]) -> str:
    v = (value or "unavailable").lower()
    return v if v in table else "unavailable"


def _phase_reading(phase: int | None, asset: str) -> tuple[str, str]:
    """(reading, changes_if) of the phase alone for ``asset``."""
    if phase is None:
        return ("no liquidity reading can be drawn from the balance sheet; the plumbing "
                "statements below carry the weight", "the holdings data become available")
    if asset == "equities":
        readings = {
            0: ("the liquidity channel works against valuations: returns have to come from "
                "earnings, and sell-offs meet a shrinking cushion of reserves",
                "the FOMC ends runoff or reserves stop falling (phase 1)"),
            1: ("the headwind from runoff is gone but there is no tailwind: the end of the "
                "headwind is not the beginning of the tailwind, so earnings and rates, not "
                "liquidity, set the direction",
                "bills grow faster than reinvestment alone explains (phase 2) or runoff resumes"),
            2: ("reserves are growing, which supports liquidity-sensitive equities at the margin; "
                "bill purchases leave duration with the market, so long yields and the discount "
                "rate get no direct help",
                "purchases taper back to reinvestment (phase 1) or extend into coupons (phase 3)"),
            3: ("the Fed is absorbing duration as well as adding reserves: the liquidity and "
                "discount-rate channels both support equity valuations",
                "purchases taper or the FOMC signals an end to QE"),
        }
    else:
        readings = {
            0: ("crypto is priced on marginal liquidity, so a draining reservoir is a headwind; "
                "rallies rest on flows specific to crypto rather than on system liquidity",
                "runoff ends (phase 1)"),
            1: ("the drain has stopped, removing a headwind, but system liquidity is not "
                "growing; crypto has no liquidity tailwind to lean on",
                "active bill purchases start (phase 2)"),
            2: ("reserves are growing: the liquidity backdrop that crypto is most sensitive to "
                "is improving, though bill purchases are smaller and slower than QE",
                "purchases taper back to reinvestment (phase 1)"),
            3: ("system liquidity is expanding fast, the backdrop in which liquidity-sensitive "
                "assets such as crypto have tended to do best",
                "the pace of purchases slows or QE ends"),
        }
    return readings[phase]


def _plumbing_reading(plumbing: str, asset: str) -> tuple[str, str] | None:
    if plumbing == "normal":
        return None
    if plumbing == "unavailable":
        return ("without a plumbing reading the phase statement stands alone; it assumes "
                "liquidity reaches markets", "enough signals have data to compute the composite")
    if asset == "equities":
        if plumbing == "elevated":
            return ("strained intermediation makes calendar dates (month- and quarter-ends, tax "
                    "and settlement days) riskier for equity volatility, and weakens whatever "
                    "support the phase gives", "the composite returns to normal")
        return ("when the pipe binds, funding stress reaches leveraged positions first; in that "
                "state equity drawdowns have tended to follow from forced deleveraging whatever "
                "the phase says", "SRF take-up and repo spreads fall back, or the Fed responds "
                "with more reserves")
    if plumbing == "elevated":
        return ("elevated funding stress usually shows up first in the most leveraged and "
                "liquidity-sensitive markets; crypto is one of them",
                "the composite returns to normal")
    return ("with the plumbing stressed, crypto's sensitivity to leverage and margin makes it "
            "among the first places where funding stress would show",
            "repo spreads and SRF take-up normalise")


def _loop_reading(loop: str, asset: str) -> tuple[str, str] | None:
    if loop in ("dormant", "unavailable"):
        return None
    if asset == "equities":
        if loop == "forming":
            return ("weak auctions with heavy dealer takedown are the first links of the loop; "
                    "if repo stress follows, pressure on long yields would raise the discount "
                    "rate equities are valued with", "the next auctions in the weak tenors clear "
                    "well")
        return ("the loop is engaged: weak auctions, dealer inventory and repo stress are "
                "feeding one another, which pushes term premia up; duration-sensitive equities "
                "are exposed while it runs", "auctions clear well again and dealer takedown "
                "falls back to its average")
    if loop == "forming":
        return ("a forming loop is a warning for funding conditions rather than a present "
                "stress; crypto would feel it if it turns into repo stress",
                "the weak auctions are not repeated")
    return ("an engaged loop tightens funding across the system; leveraged crypto positions "
            "are exposed to the same squeeze", "the loop goes dormant")


def read_implications(phase: int | None, plumbing: str | None,
                      loop: str | None) -> Implications:
    """The rule-based reading for equities and crypto.

    Parameters
    ----------
    phase : the observed balance-sheet phase, 0-3, or None when it cannot be assessed.
    plumbing : composite status, ``normal`` | ``elevated`` | ``stressed`` | ``unavailable``.
    loop : feedback-loop state, ``dormant`` | ``forming`` | ``engaged`` (or ``unavailable``).

    Returns
    -------
    Implications with two to three statements per asset class and the backdrop score.

    Example
    -------
    >>> read_implications(2, "normal", "dormant").backdrop
    'mildly supportive'
    """
    plumbing_n = _norm(plumbing, PLUMBING_SCORE)
    loop_n = _norm(loop, LOOP_SCORE)
    score = (PHASE_SCORE.get(phase, 0) if phase is not None else 0) \
        + PLUMBING_SCORE[plumbing_n] + LOOP_SCORE[loop_n]
    phase_text = _PHASE_CONDITION.get(phase, _PHASE_UNKNOWN) if phase is not None \
        else _PHASE_UNKNOWN
    out: dict[str, list[Statement]] = {}
    for asset in ("equities", "crypto"):
        statements = []
        reading, changes = _phase_reading(phase, asset)
        statements.append(Statement(
            f"{phase_text}, and {_PLUMBING_CONDITION[plumbing_n]}.",
            f"If that holds, {reading}.", f"This reading changes if {changes}."))
        plumb = _plumbing_reading(plumbing_n, asset)
        if plumb is not None:
            statements.append(Statement(
                f"Plumbing: {_PLUMBING_CONDITION[plumbing_n]}.",
                f"If it persists, {plumb[0]}.", f"This reading changes if {plumb[1]}."))
        lp = _loop_reading(loop_n, asset)
        if lp is not None:
            statements.append(Statement(
                f"Feedback loop: {_LOOP_CONDITION[loop_n]}.",
                f"If it continues, {lp[0]}.", f"This reading changes if {lp[1]}."))
        out[asset] = statements
    return Implications(phase, plumbing_n, loop_n, score, backdrop_label(score),
                        tuple(out["equities"]), tuple(out["crypto"]))


def rules_table() -> list[dict[str, str]]:
    """The scoring rules as rows ``{input, state, score}`` for the methodology appendix."""
    rows = [{"input": "phase", "state": f"phase {p}", "score": f"{s:+d}"}
            for p, s in PHASE_SCORE.items()]
    rows += [{"input": "plumbing composite", "state": k, "score": f"{v:+d}"}
             for k, v in PLUMBING_SCORE.items() if k != "unavailable"]
    rows += [{"input": "feedback loop", "state": k, "score": f"{v:+d}"}
             for k, v in LOOP_SCORE.items() if k != "unavailable"]
    return rows
