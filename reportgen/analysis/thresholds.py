"""Every threshold the analysis uses, in one place, printed in the briefing's methodology appendix.

Each section is a frozen dataclass whose fields carry their unit in the name or the docstring;
``describe()`` lists them all for the appendix and ``reportgen.toml`` can override them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def threshold(default: Any, doc: str) -> Any:
    """A threshold field: its default and a one-line description with its unit."""
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class PhaseThresholds:
    """Thresholds of the three-phase balance-sheet assessment (``analysis/phase.py``)."""

    # --- phase thresholds (owned by analysis/phase.py) ---
    # Paces are $bn per 4 weeks (about a month). Treasuries are measured over 4 weeks (they move
    # smoothly); MBS over 13 weeks scaled to 4 (monthly paydown/settlement lumps average out).
    short_weeks: int = threshold(4, "short horizon for bills, coupons and Treasuries, weeks")
    long_weeks: int = threshold(13, "long horizon (evidence, MBS pace, sub-states), weeks")
    confirm_weeks: int = threshold(2, "consecutive weeks a new phase must show before the "
                                      "classification switches (causal persistence)")
    fill_limit_weeks: int = threshold(2, "missing weeks bridged by carrying the last value "
                                         "forward; longer gaps leave the input missing")
    qe_duration_entry_bn: float = threshold(12.0, "phase 3 entry: coupons (4-week) + MBS pace "
                                                  "above this, $bn per 4 weeks")
    qe_total_entry_bn: float = threshold(10.0, "phase 3 entry: holdings pace (Treasuries 4-week "
                                               "+ MBS pace) above this, $bn per 4 weeks")
    qe_duration_exit_bn: float = threshold(6.0, "phase 3 holds while coupons + MBS pace stay "
                                                "above this, $bn per 4 weeks")
    qe_total_exit_bn: float = threshold(5.0, "phase 3 holds while the holdings pace stays above "
                                             "this, $bn per 4 weeks")
    rmp_bills_entry_bn: float = threshold(10.0, "phase 2 entry: bills up by more than this over "
                                                "4 weeks, $bn")
    rmp_total_entry_bn: float = threshold(8.0, "phase 2 entry: holdings pace above this, $bn "
                                               "per 4 weeks (bills that only replace MBS runoff "
                                               "are phase 1)")
    rmp_bills_exit_bn: float = threshold(5.0, "phase 2 holds while bills grow faster than this, "
                                              "$bn per 4 weeks")
    rmp_total_exit_bn: float = threshold(3.0, "phase 2 holds while the holdings pace stays above "
                                              "this, $bn per 4 weeks")
    runoff_total_entry_bn: float = threshold(-8.0, "phase 0 entry: holdings pace below this, $bn "
                                                   "per 4 weeks")
    runoff_treasury_entry_bn: float = threshold(-4.0, "phase 0 entry (lump-free): Treasuries "
                                                      "down by more than this over 4 weeks and "
                                                      "over 13 weeks, $bn")
    runoff_total_exit_bn: float = threshold(-4.0, "phase 0 holds while the holdings pace stays "
                                                  "below this, $bn per 4 weeks")
    runoff_treasury_exit_bn: float = threshold(-2.0, "phase 0 holds while Treasuries fall by more "
                                                     "than this over 13 weeks (and fell over the "
                                                     "last 4), $bn")
    runoff_veto_weeks: int = threshold(6, "weeks looked back for Treasury additions that rule "
                                          "out runoff")
    runoff_max_weekly_add_bn: float = threshold(2.0, "a one-week rise in Treasuries above this "
                                                     "is an addition (runoff weeks never "
                                                     "exceeded 1.5, TIPS accrual), $bn")
    runoff_veto_min_weeks: int = threshold(2, "additions in at least this many weeks of the "
                                              "look-back rule out phase 0 (one blip does not)")
    mbs_weeks: int = threshold(13, "MBS pace = change over this many weeks scaled to 4 "
                                   "(several monthly paydown/settlement cycles)")
    qe_exit_mbs_weeks: int = threshold(6, "while in phase 3, the MBS pace is the smaller of the "
                                          "13-week and this-many-week paces (faster exit)")
    substate_ratio: float = threshold(0.75, "pace now / pace over the previous 13 weeks below "
                                           "this: tapering/slowing; above 1/this: accelerating")
    ops_qe_bn: float = threshold(60.0, "outright operations: net coupon + MBS purchases over 4 "
                                       "weeks above this signal phase 3 before holdings settle, "
                                       "$bn")
    ops_bills_bn: float = threshold(20.0, "outright operations: net bill purchases over 4 weeks "
                                          "above this support phase 2, $bn")
    # --- purchase pace (owned by analysis/pace.py); $bn a month, a month = 52/12 weeks ---
    pace_reinvest_weeks: int = threshold(13, "MBS reinvestment = MBS paydown over this many "
                                             "weeks, scaled to a month (monthly lumps)")
    pace_min_step_bn: float = threshold(7.5, "purchase pace: a new pace must differ from the "
                                             "level by at least this, $bn per schedule month")
    pace_confirm_weeks: int = threshold(3, "purchase pace: weeks into a Desk-schedule period "
                                           "before its projection can make a step")
    pace_announced_confirm_weeks: int = threshold(
        2, "purchase pace: weeks into a Desk-schedule period after which a projection that "
           "matches a newly announced pace (and not the old level) makes the step at once")
    confidence_high: float = threshold(0.7, "confidence score at or above this: high")
    confidence_medium: float = threshold(0.45, "confidence score at or above this: medium")


@dataclass(frozen=True)
class SignalThresholds:
    """Thresholds of the plumbing stress signals (``analysis/signals``)."""

    # --- signal thresholds (owned by analysis/signals) ---
    # Trailing statistics shared by every signal
    window_days: int = threshold(1095, "trailing window for percentiles and z-scores, calendar "
                                       "days (three years)")
    min_history_daily: int = threshold(120, "observations a daily input needs in the window "
                                            "before a percentile or z-score is published")
    min_history_weekly: int = threshold(26, "observations a weekly input needs in the window "
                                            "before a percentile or z-score is published")
    persist_window_days: int = threshold(10, "business days looked back to judge persistence "
                                             "('climate' vs 'weather')")
    persist_min_days: int = threshold(5, "business days elevated or worse within that look-back "
                                         "for the elevation to count as persistent")
    # repo_rates
    repo_baseline_days: int = threshold(20, "observations in the trailing median that a repo "
                                            "spike is measured against (recent history)")
    repo_spike_elevated_bp: float = threshold(5.0, "SOFR-minus-reference above its trailing "
                                                   "median by this many bp: elevated")
    repo_spike_stressed_bp: float = threshold(15.0, "SOFR-minus-reference above its trailing "
                                                    "median by this many bp: stressed")
    repo_level_days: int = threshold(10, "observations in the median that measures the sustained "
                                         "level of SOFR-minus-reference (scarcity, not spikes)")
    repo_level_elevated_bp: float = threshold(
        5.0, "that median at or above this many bp over the reference: elevated (SOFR lastingly "
             "above IORB: reserves are leaving 'ample')")
    repo_level_stressed_bp: float = threshold(15.0, "that median at or above this many bp: "
                                                    "stressed")
    repo_dispersion_elevated_bp: float = threshold(
        10.0, "SOFR 99th-1st percentile above its trailing median by this many bp: elevated")
    repo_dispersion_stressed_bp: float = threshold(
        25.0, "SOFR 99th-1st percentile above its trailing median by this many bp: stressed")
    repo_gc_elevated_bp: float = threshold(10.0, "TGCR (or BGCR) above the ON RRP award rate by "
                                                 "this many bp: elevated (far above the floor)")
    repo_gc_stressed_bp: float = threshold(25.0, "TGCR (or BGCR) above the ON RRP award rate "
                                                 "by this many bp: stressed")
    repo_vol_days: int = threshold(10, "observations in the realised volatility of daily "
                                       "changes of SOFR-minus-reference")
    repo_vol_elevated_bp: float = threshold(5.0, "that volatility (bp a day) at or above which, "
                                                 "with z >= repo_vol_z, repo rates are elevated")
    repo_vol_z: float = threshold(2.0, "z-score of that volatility against the trailing window "
                                       "for it to count as elevated")
    # srf
    srf_elevated_bn: float = threshold(1.0, "daily SRF / repo take-up (small-value exercises "
                                            "excluded) at or above this, USD bn: elevated")
    srf_stressed_bn: float = threshold(10.0, "daily SRF / repo take-up at or above this, "
                                             "USD bn: stressed")
    # auctions
    auction_lookback: int = threshold(6, "previous auctions of the same original tenor that "
                                         "bid-to-cover and dealer share are compared with")
    auction_min_prior: int = threshold(3, "previous auctions of a tenor needed before it is judged")
    auction_tail_margin_bp: float = threshold(
        1.0, "tail (proxy: high minus median yield) above its prior-auction average by this "
             "many bp: weak")
    auction_btc_drop: float = threshold(0.15, "bid-to-cover below its prior-auction average by "
                                              "this much (ratio): weak")
    auction_dealer_rise_pp: float = threshold(4.0, "dealer takedown share of competitive accepted "
                                                   "above its prior-auction average by this many "
                                                   "percentage points: weak")
    auction_weak_criteria: int = threshold(2, "how many of the three criteria above make an "
                                              "auction weak")
    auction_persist_weak: int = threshold(2, "weak auctions among a tenor's last "
                                             "auction_persist_of that flag the tenor")
    auction_persist_of: int = threshold(3, "recent auctions of a tenor looked at for persistence")
    auction_recent_days: int = threshold(10, "business days looked back for recent weak auctions")
    auction_recent_weak: int = threshold(2, "weak auctions (any tenor) within that look-back "
                                            "that make the signal elevated without a flagged tenor")
    auction_stale_days: int = threshold(45, "calendar days without any auction result after "
                                            "which the signal is unavailable")
    # fails
    fails_elevated_ratio: float = threshold(
        2.0, "weekly fails above this multiple of their trailing median (within a series "
             "break): elevated")
    fails_stressed_ratio: float = threshold(4.0, "weekly fails above this multiple of their "
                                                 "trailing median: stressed")
    fails_elevated_pct: float = threshold(0.90, "trailing percentile fails must also reach for "
                                                "elevated (0-1)")
    fails_persist_weeks: int = threshold(2, "elevated weeks among the last three that make "
                                            "fails persistent")
    # treasury_volatility
    vol_days: int = threshold(10, "observations in the realised volatility of daily yield "
                                  "changes (2y, 10y, 30y; the largest is the headline)")
    vol_elevated_pct: float = threshold(0.90, "trailing percentile of that volatility for "
                                              "elevated (0-1)")
    vol_stressed_pct: float = threshold(0.98, "trailing percentile for stressed (0-1)")
    vol_elevated_bp: float = threshold(9.0, "volatility floor for elevated, bp a day (keeps calm "
                                            "years quiet)")
    vol_stressed_bp: float = threshold(12.0, "volatility floor for stressed, bp a day")
    vol_surge_ratio: float = threshold(1.6, "volatility over its median of the previous "
                                            "vol_surge_days observations at or above which "
                                            "(with vol_elevated_bp) it is elevated: a jump "
                                            "against the recent regime, as in April 2025")
    vol_surge_days: int = threshold(250, "observations in the recent-regime median (one year)")
    # dealer_positions (NY Fed primary dealer statistics, judged within one series break)
    dealer_change_weeks: int = threshold(4, "weeks over which the build-up of dealers' net "
                                            "Treasury positions is measured")
    dealer_elevated_pct: float = threshold(
        0.90, "dealers' net Treasury positions at or above this percentile of their trailing "
              "history within the current series break (0-1), and building: elevated")
    dealer_build_elevated_bn: float = threshold(
        30.0, "the build-up over dealer_change_weeks that counts as building, USD bn (with "
              "dealer_elevated_pct: elevated, the loop's 'inventory forced onto dealers')")
    dealer_stressed_pct: float = threshold(
        0.98, "positions at or above this percentile within the break (0-1), with a build-up "
              "of dealer_build_stressed_bn: stressed (extreme inventory)")
    dealer_build_stressed_bn: float = threshold(60.0, "the build-up over dealer_change_weeks "
                                                      "that, with dealer_stressed_pct, is "
                                                      "stressed, USD bn")
    dealer_persist_weeks: int = threshold(2, "elevated weeks among the last three that make "
                                             "dealer positions persistent")
    # repo_segments (OFR Short-term Funding Monitor)
    segments_baseline_days: int = threshold(20, "observations in the trailing median that a "
                                                "DVP-over-tri-party spike is measured against")
    segments_spike_elevated_bp: float = threshold(
        5.0, "DVP repo over tri-party above its trailing median by this many bp: elevated")
    segments_spike_stressed_bp: float = threshold(
        15.0, "DVP repo over tri-party above its trailing median by this many bp: stressed")
    segments_level_days: int = threshold(10, "observations in the median that measures the "
                                             "sustained level of DVP over tri-party")
    segments_level_elevated_bp: float = threshold(
        10.0, "that median at or above this many bp: elevated (dealer balance sheets priced "
              "dear for weeks, not a one-day spike)")
    segments_level_stressed_bp: float = threshold(25.0, "that median at or above this many bp: "
                                                        "stressed")
    # securities_lending (NY Fed SOMA securities lending)
    seclending_median_days: int = threshold(60, "observations in the trailing median that the "
                                                "day's lending volume is compared with")
    seclending_elevated_ratio: float = threshold(
        1.5, "SOMA securities lending (par lent a day) at or above this multiple of its trailing "
             "median, and at the seclending_elevated_pct percentile: elevated")
    seclending_stressed_ratio: float = threshold(2.5, "that multiple for stressed (with "
                                                      "seclending_stressed_pct)")
    seclending_elevated_pct: float = threshold(0.90, "trailing percentile the lending volume must "
                                                     "also reach for elevated (0-1)")
    seclending_stressed_pct: float = threshold(0.98, "trailing percentile for stressed (0-1)")
    seclending_top_issues: int = threshold(5, "issues whose share of the day's lending measures "
                                              "its concentration")
    seclending_concentration_pct: float = threshold(
        0.95, "that share at or above this trailing percentile (0-1), on a day lending is at "
              "least its trailing median: elevated (a few issues in demand: going special)")
    # yield_curve
    curve_change_days: int = threshold(20, "business days over which the direction of change "
                                           "(steepening / flattening) is measured")
    curve_stressed_days: int = threshold(60, "business days of 10y-3m inversion after which "
                                             "the curve signal is stressed")
    # reserves
    reserves_elevated_pct: float = threshold(0.10, "reserve balances at or below this trailing "
                                                   "percentile (0-1): elevated")
    reserves_rrp_buffer_bn: float = threshold(100.0, "ON RRP balance below which the buffer is "
                                                     "spent, USD bn")
    reserves_stressed_pct: float = threshold(0.05, "reserves at or below this trailing "
                                                   "percentile with the ON RRP buffer spent: "
                                                   "stressed")
    # composite
    composite_min_live: int = threshold(3, "live core (pipe) components needed to publish the "
                                           "composite: with fewer it is unavailable, not normal")
    composite_elevated: float = threshold(40.0, "composite index (0-100) at or above which "
                                                "plumbing stress is elevated")
    composite_stressed: float = threshold(60.0, "composite index (0-100) at or above which "
                                                "plumbing stress is stressed")
    composite_max_weight: float = threshold(0.5, "weight of the worst component in the index "
                                                 "(the rest is the weighted mean)")
    composite_context_weight: float = threshold(0.5, "weight of the context component (the "
                                                     "yield curve) relative to the pipe signals")
    # feedback_loop
    loop_window_days: int = threshold(30, "business days within which the links of the loop "
                                          "must follow one another")
    loop_min_stress_days: int = threshold(2, "business days of funding stress (on different "
                                             "observation dates) for the funding link to hold: "
                                             "one blip is not dealers pulling back")
    loop_dealer_rise_bn: float = threshold(
        20.0, "dealers' net Treasury positions up by at least this after a weak auction (against "
              "the last week before it, within the loop window and the same series break), USD "
              "bn: the loop's 'dealer inventory up' link, besides a heavy takedown")


@dataclass(frozen=True)
class Thresholds:
    phase: PhaseThresholds = PhaseThresholds()
    signals: SignalThresholds = SignalThresholds()


DEFAULT = Thresholds()


def describe(thresholds: Thresholds = DEFAULT) -> list[dict[str, Any]]:
    """Rows ``{section, name, value, description}`` for the methodology appendix."""
    rows: list[dict[str, Any]] = []
    for section_name in ("phase", "signals"):
        section = getattr(thresholds, section_name)
        for f in fields(section):
            rows.append({
                "section": section_name,
                "name": f.name,
                "value": getattr(section, f.name),
                "description": f.metadata.get("doc", ""),
            })
    return rows
