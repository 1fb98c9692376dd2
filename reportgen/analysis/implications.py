"""A rule-based reading of the measured state for equities and crypto.

This is conditional reasoning, not a forecast. The reading starts from what was measured this
week (:class:`MeasuredState`: the phase, the change in reserves, the pipe's status and how much
of the pipe has data, the feedback loop), and each statement says which measured condition it
rests on (with its number), what that condition means for the asset class through the liquidity
channel, and what would change the reading. The scoring is three small tables, printed in the
briefing's appendix:

=====================  =====================================================================
input                  effect on the liquidity backdrop (score)
=====================  =====================================================================
phase 0 runoff         -1: the portfolio shrinks (a headwind)
phase 1 drain stops     0: the headwind ends; no tailwind yet
phase 2 bill purchases +1: the Fed adds reserves; duration is not taken out of the market
phase 3 full QE        +2: reserves are added fast and duration is bought
plumbing normal         0: liquidity reaches markets
plumbing elevated      -1: intermediation is strained around the edges
plumbing stressed      -2: the pipe binds: funding stress comes first
loop forming           -1: weak auctions and dealer inventory building
loop engaged           -2: auctions, dealers and repo feeding one another
=====================  =====================================================================

The backdrop is the sum: ``>= 2`` supportive, ``1`` mildly supportive, ``0`` neutral, ``-1``
mild headwind, ``<= -2`` headwind. Missing data score nothing, and they never read as calm: an
unmeasured pipe or loop lowers the reading's *confidence* and is said so.

Whether reserves are actually rising is read from the data, not from the phase: in 2022-25
runoff came out of ON RRP while reserves held up, and in 2026 the TGA absorbed purchases.

Example
-------
>>> reading = read_implications(MeasuredState(phase=1, reserves_change_13w_bn=-40.0,
...                                           plumbing="elevated", pipe_live=8, loop="dormant"))
>>> reading.backdrop, reading.confidence
('mild headwind', 'high')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportgen.analysis.signals.composite import CORE

PHASE_SCORE = {0: -1, 1: 0, 2: 1, 3: 2}
PLUMBING_SCORE = {"normal": 0, "elevated": -1, "stressed": -2, "unavailable": 0}
LOOP_SCORE = {"dormant": 0, "forming": -1, "engaged": -2, "unavailable": 0}
#: The pipe signals (the stress index's core): repo rates, SRF, repo segments, auctions, dealer
#: positions, fails, securities lending, Treasury volatility.
PIPE_SIGNALS = len(CORE)

_PHASE_CONDITION = {
    0: "The Fed is running its portfolio off (phase 0)",
    1: "The Fed has stopped shrinking its portfolio (phase 1) but is not adding to it",
    2: "The Fed is buying bills beyond reinvestment (phase 2)",
    3: "The Fed is buying longer-dated securities (phase 3, full QE)",
}
_PHASE_UNKNOWN = "The balance-sheet phase cannot be read from the data"

_PLUMBING_CONDITION = {
    "normal": "the pipe shows no stress",
    "elevated": "the pipe shows elevated stress",
    "stressed": "the pipe is stressed",
    "unavailable": "the pipe cannot be read (too few of its signals have data)",
}
_LOOP_CONDITION = {
    "dormant": "the auction-dealer-funding loop is dormant",
    "forming": "the auction-dealer-funding loop is forming",
    "engaged": "the auction-dealer-funding loop is engaged",
    "unavailable": "the auction-dealer-funding loop cannot be assessed (no auction results)",
}


@dataclass(frozen=True)
class MeasuredState:
    """What the reading rests on, as measured for the briefing date.

    ``reserves_change_13w_bn`` in USD bn (None when not comparable); ``plumbing`` is the
    composite's status; ``pipe_live`` how many of the eight pipe signals have a live reading;
    ``loop`` the feedback loop's state (``unavailable`` without auction results);
    ``pending`` a balance-sheet decision already taken whose operations have not started
    (a reading must not wait for what is already decided).
    """

    phase: int | None
    reserves_change_13w_bn: float | None = None
    plumbing: str = "unavailable"
    pipe_live: int = 0
    loop: str = "unavailable"
    pending: str | None = None  # a decision taken but not yet in force, in words


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
    """The reading for both asset classes, with the backdrop score and its confidence."""

    state: MeasuredState
    score: int
    backdrop: str
    confidence: str
    confidence_reason: str
    equities: tuple[Statement, ...]
    crypto: tuple[Statement, ...]
    rules: tuple[dict[str, str], ...] = field(default_factory=tuple)

    @property
    def plumbing(self) -> str:
        return self.state.plumbing

    @property
    def loop(self) -> str:
        return self.state.loop

    def to_dict(self) -> dict[str, object]:
        return {"phase": self.state.phase, "plumbing": self.state.plumbing,
                "loop": self.state.loop, "pipe_live": self.state.pipe_live,
                "reserves_change_13w_bn": None if self.state.reserves_change_13w_bn is None
                else round(self.state.reserves_change_13w_bn, 3),
                "pending": self.state.pending,
                "score": self.score, "backdrop": self.backdrop,
                "confidence": self.confidence, "confidence_reason": self.confidence_reason,
                "equities": [s.to_dict() for s in self.equities],
                "crypto": [s.to_dict() for s in self.crypto]}


def _pipe_condition(plumbing: str, live: int) -> str:
    """The pipe's state in words, saying how much of it was measured: a calm reading of three
    signals is not a calm pipe of eight."""
    if plumbing == "normal" and live < PIPE_SIGNALS:
        return f"the {live} of the {PIPE_SIGNALS} pipe signals with data show no stress"
    return _PLUMBING_CONDITION[plumbing]


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


def _bn(x: float) -> str:
    return f"${abs(x):,.0f} bn"


def _reserves_clause(change: float | None) -> str:
    """What reserves did over 13 weeks, in words whose direction is the number's sign."""
    if change is None:
        return "reserves cannot be compared over 13 weeks"
    if abs(change) < 1:
        return "reserves were unchanged over 13 weeks"
    return f"reserves {'rose' if change > 0 else 'fell'} {_bn(change)} over 13 weeks"


def _phase_reading(state: MeasuredState, asset: str) -> tuple[str, str]:
    """(reading, changes_if) of the phase and the measured reserves for ``asset``."""
    phase, change = state.phase, state.reserves_change_13w_bn
    rising = change is not None and change >= 1
    falling = change is not None and change <= -1
    if phase is None:
        return ("no liquidity reading can be drawn from the balance sheet; the plumbing "
                "statements below carry the weight", "the holdings data become available")
    if asset == "equities":
        if phase == 0:
            cushion = ("sell-offs meet a shrinking cushion of reserves" if falling else
                       "so far the runoff has not come out of reserves, which cushions it")
            return (f"the liquidity channel works against valuations: returns have to come "
                    f"from earnings, and {cushion}",
                    "the FOMC ends runoff or reserves stop falling (phase 1)")
        if phase == 1:
            return ("the headwind from runoff is gone but there is no tailwind: the end of the "
                    "headwind is not the beginning of the tailwind, so earnings and rates, not "
                    "liquidity, set the direction",
                    "bills grow faster than reinvestment alone explains (phase 2) or runoff "
                    "resumes")
        if phase == 2:
            reserves = ("the added reserves support liquidity-sensitive equities at the margin"
                        if rising else "the purchases add reserves, but other accounts (the "
                        "TGA, ON RRP) absorbed more, so the support has not reached reserves yet")
            return (f"{reserves}; bill purchases leave duration with the market, so long yields "
                    "and the discount rate get no direct help",
                    "purchases taper back to reinvestment (phase 1) or extend into coupons "
                    "(phase 3)")
        return ("the Fed is absorbing duration as well as adding reserves: the liquidity and "
                "discount-rate channels both support equity valuations",
                "purchases taper or the FOMC signals an end to QE")
    if phase == 0:
        drain = ("a draining reservoir is a headwind" if falling else
                 "a shrinking portfolio is a headwind even while reserves hold up")
        return (f"crypto is priced on marginal liquidity, so {drain}; rallies rest on flows "
                "specific to crypto rather than on system liquidity", "runoff ends (phase 1)")
    if phase == 1:
        return ("the drain has stopped, removing a headwind, but system liquidity is not "
                "growing; crypto has no liquidity tailwind to lean on",
                "active bill purchases start (phase 2)")
    if phase == 2:
        backdrop = ("the liquidity backdrop crypto is most sensitive to is improving" if rising
                    else "the purchases have not yet shown up as higher reserves")
        return (f"{backdrop}, though bill purchases are smaller and slower than QE",
                "purchases taper back to reinvestment (phase 1)")
    return ("system liquidity is expanding fast, the most favourable backdrop for "
            "liquidity-sensitive assets through this channel", "the pace of purchases slows or "
            "QE ends")


def _plumbing_reading(state: MeasuredState, asset: str) -> tuple[str, str] | None:
    plumbing = state.plumbing
    if plumbing == "normal":
        return None
    if plumbing == "unavailable":
        return (f"only {state.pipe_live} of the {PIPE_SIGNALS} pipe signals have data, so the "
                "phase statement stands alone and assumes liquidity reaches markets; that is "
                "an assumption, not a measurement", "enough pipe signals have data to read the "
                "stress index")
    if asset == "equities":
        if plumbing == "elevated":
            return ("strained intermediation makes calendar dates (month- and quarter-ends, tax "
                    "and settlement days) riskier for equity volatility, and weakens whatever "
                    "support the phase gives", "the stress index returns to normal")
        return ("when the pipe binds, funding stress reaches leveraged positions first and can "
                "force deleveraging whatever the phase says", "SRF take-up and repo spreads fall "
                "back, or the Fed responds with more reserves")
    if plumbing == "elevated":
        return ("elevated funding stress reaches the most leveraged and liquidity-sensitive "
                "markets first; crypto is one of them", "the stress index returns to normal")
    return ("with the pipe stressed, crypto's dependence on leverage and margin puts it among "
            "the first places funding stress can reach", "repo spreads and SRF take-up "
            "normalise")


def _loop_reading(loop: str, asset: str) -> tuple[str, str] | None:
    if loop == "dormant":
        return None
    if loop == "unavailable":
        return ("the loop's first link cannot be seen, so it is not assumed dormant and "
                "this reading has less to rest on", "auction results become available")
    if asset == "equities":
        if loop == "forming":
            return ("weak auctions with heavy dealer takedown are the first links of the loop; "
                    "if funding stress follows, pressure on long yields would raise the "
                    "discount rate equities are valued with", "the next auctions in the weak "
                    "tenors clear well")
        return ("the loop is engaged: weak auctions, dealer inventory and funding stress are "
                "feeding one another, which pushes term premia up; duration-sensitive equities "
                "are exposed while it runs", "auctions clear well again and dealer takedown "
                "falls back to its average")
    if loop == "forming":
        return ("a forming loop is a warning for funding conditions rather than a present "
                "stress; crypto would feel it if it turns into repo stress",
                "the weak auctions are not repeated")
    return ("an engaged loop tightens funding across the system; leveraged crypto positions "
            "are exposed to the same squeeze", "the loop goes dormant")


def _confidence(state: MeasuredState) -> tuple[str, str]:
    """How much the reading rests on: every missing input lowers it, and is named."""
    gaps = []
    if state.phase is None:
        gaps.append("the phase cannot be assessed")
    if state.plumbing == "unavailable" or state.pipe_live < PIPE_SIGNALS:
        gone = PIPE_SIGNALS - state.pipe_live
        gaps.append(f"{gone} of the {PIPE_SIGNALS} pipe signals {'has' if gone == 1 else 'have'} "
                    "no live reading")
    if state.loop == "unavailable":
        gaps.append("the feedback loop cannot be assessed")
    if state.reserves_change_13w_bn is None:
        gaps.append("reserves cannot be compared over 13 weeks")
    if not gaps:
        return "high", "every input of the reading has live data"
    weak = state.phase is None or state.plumbing == "unavailable" or state.pipe_live < 3
    return ("low" if weak or len(gaps) >= 3 else "medium"), "; ".join(gaps)


def read_implications(state: MeasuredState) -> Implications:
    """The rule-based reading for equities and crypto from the measured state.

    Returns
    -------
    Implications with one to three statements per asset class, the backdrop score and how
    confident the reading is (and why).
    """
    plumbing = _norm(state.plumbing, PLUMBING_SCORE)
    loop = _norm(state.loop, LOOP_SCORE)
    state = MeasuredState(state.phase, state.reserves_change_13w_bn, plumbing, state.pipe_live,
                          loop, state.pending)
    score = (PHASE_SCORE.get(state.phase, 0) if state.phase is not None else 0) \
        + PLUMBING_SCORE[plumbing] + LOOP_SCORE[loop]
    phase_text = (_PHASE_CONDITION.get(state.phase, _PHASE_UNKNOWN) if state.phase is not None
                  else _PHASE_UNKNOWN)
    evidence = _reserves_clause(state.reserves_change_13w_bn)
    out: dict[str, list[Statement]] = {}
    pipe = _pipe_condition(plumbing, state.pipe_live)
    for asset in ("equities", "crypto"):
        reading, changes = _phase_reading(state, asset)
        if state.pending:
            changes += f"; already decided: {state.pending}"
        statements = [Statement(f"{phase_text}; {evidence}; and {pipe}.",
                                f"If that holds, {reading}.",
                                f"This reading changes if {changes}.")]
        plumb = _plumbing_reading(state, asset)
        if plumb is not None:
            statements.append(Statement(
                f"Plumbing: {pipe}.",
                f"If it persists, {plumb[0]}.", f"This reading changes if {plumb[1]}."))
        lp = _loop_reading(loop, asset)
        if lp is not None:
            lead = ("If it continues, " if loop != "unavailable"
                    else "If auction results stay unavailable, ")
            statements.append(Statement(
                f"Feedback loop: {_LOOP_CONDITION[loop]}.",
                f"{lead}{lp[0]}.", f"This reading changes if {lp[1]}."))
        out[asset] = statements
    confidence, why = _confidence(state)
    return Implications(state, score, backdrop_label(score), confidence, why,
                        tuple(out["equities"]), tuple(out["crypto"]), tuple(rules_table()))


def rules_table() -> list[dict[str, str]]:
    """The scoring rules as rows ``{input, state, score}`` for the methodology appendix."""
    rows = [{"input": "phase", "state": f"phase {p}", "score": f"{s:+d}"}
            for p, s in PHASE_SCORE.items()]
    rows += [{"input": "plumbing stress index", "state": k, "score": f"{v:+d}"}
             for k, v in PLUMBING_SCORE.items() if k != "unavailable"]
    rows += [{"input": "feedback loop", "state": k, "score": f"{v:+d}"}
             for k, v in LOOP_SCORE.items() if k != "unavailable"]
    rows.append({"input": "missing data", "state": "pipe or loop unmeasured",
                 "score": "+0, lowers confidence"})
    return rows
