"""The template context: every string and number the briefing shows, ready to place.

Templates format; they compute nothing. So this module turns the brief.json dicts (the phase
assessment and the signal dashboard), the dataset and the chart bundles into display-ready
values: headlines, sentences from :mod:`reportgen.render.narrative`, table rows with their
numbers already formatted, figures with their numbers, and the lists of what was unavailable.

The HTML and PDF editions share this context; :mod:`.html` and :mod:`.pdf` add only what
differs between them (chart specs or SVGs, asset paths).

Example
-------
>>> ctx = build_context(ds, assessment, dashboard, brief, None, settings, charts)
>>> ctx["front"]["phase"]["headline"]
'Phase 2: active bill purchases'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from reportgen import catalog
from reportgen.analysis.implications import read_implications, rules_table
from reportgen.analysis.thresholds import SignalThresholds, describe
from reportgen.charts import ChartBundle, frames
from reportgen.dataset import Dataset
from reportgen.render import narrative as nv

DEFAULT_TITLE = "Fed liquidity & Treasury plumbing briefing"
SECTION_KEYS = ("front", "phase", "reservoir", "pipe", "reservoir_vs_pipe", "implications",
                "appendix")

# Order of the figures in the briefing (their numbers follow this order).
FIGURE_ORDER = ("holdings", "reservoir_levels", "reservoir_buffers", "repo_spread", "srf",
                "auctions", "fails", "volatility", "curve", "stock_flow")

FIGURE_SOURCES = {
    "holdings": "Federal Reserve H.4.1 (via FRED); NY Fed SOMA holdings for bills after H.4.1 "
                "bill data end; FOMC statements",
    "reservoir_levels": "Federal Reserve H.4.1 (via FRED); ON RRP from the NY Fed (via FRED)",
    "reservoir_buffers": "Federal Reserve H.4.1 (via FRED); NY Fed ON RRP (via FRED)",
    "repo_spread": "NY Fed reference rates (SOFR and percentiles); Federal Reserve IORB (via FRED)",
    "srf": "NY Fed repo operation results",
    "auctions": "US Treasury auction results (Fiscal Data / TreasuryDirect)",
    "fails": "NY Fed primary dealer statistics",
    "volatility": "Treasury constant-maturity yields, Federal Reserve H.15 (via FRED)",
    "curve": "Treasury constant-maturity yields and spreads (via FRED)",
    "stock_flow": "Federal Reserve H.4.1; reportgen plumbing stress index",
}

SOURCE_NAMES = {
    "fred": "Federal Reserve Bank of St. Louis, FRED",
    "nyfed": "Federal Reserve Bank of New York, Markets Data API",
    "treasury": "US Treasury, Fiscal Data",
}

# Pipe subsections: id, title, signals judged there, figures shown there, what is missing
# when the figures are absent.
PIPE_SUBSECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("repo", "Repo rates and the Standing Repo Facility", ("repo_rates", "srf"),
     ("repo_spread", "srf"), "SOFR, its percentiles, IORB or repo operation results"),
    ("auctions", "Treasury auctions", ("auctions",), ("auctions",),
     "Treasury auction results"),
    ("fails", "Settlement fails", ("fails",), ("fails",),
     "primary dealer settlement fails"),
    ("volatility", "Treasury volatility", ("treasury_volatility",), ("volatility",),
     "daily Treasury yields"),
    ("curve", "The yield curve", ("yield_curve",), ("curve",),
     "Treasury yields or curve spreads"),
)

STATUS_LABELS = {"normal": "Normal", "elevated": "Elevated", "stressed": "Stressed",
                 "unavailable": "Unavailable", "dormant": "Dormant", "forming": "Forming",
                 "engaged": "Engaged"}

METHODOLOGY = (
    "Phase. Each H.4.1 week is classified from the composition of the Fed's securities "
    "holdings, not from total assets (lending facilities move total assets without being QE). "
    "Flows are measured as a pace in USD billions per four weeks: Treasuries over four weeks, "
    "MBS over thirteen weeks scaled to four (MBS move in monthly lumps). A new phase is "
    "confirmed only after it persists for several weeks, with wider exit than entry thresholds. "
    "Confidence combines how clearly the flows sit inside the phase, whether the four- and "
    "thirteen-week readings agree, how long the phase has lasted, data quality and agreement "
    "with the announced FOMC regime.",
    "Plumbing. Seven signals (repo rates, SRF take-up, auctions, fails, Treasury volatility, the "
    "yield curve and reserves) are each judged normal, elevated or stressed against fixed "
    "thresholds and their own trailing three-year distribution, using only data published by "
    "the briefing date. Stress that falls in a known calendar window (month- and quarter-ends, "
    "tax dates, coupon settlements, refunding weeks) is labelled calendar-explained; stress "
    "that recurs on most recent days is labelled persistent. The stress index (0-100) blends "
    "the worst core signal with the breadth of all of them.",
    "Feedback loop. The loop is weak auction, then heavy dealer takedown, then funding stress "
    "(repo, SRF or fails), then a weaker next auction, each within a fixed window of the "
    "previous link: dormant with fewer than two links in sequence, forming with two or three, "
    "engaged with all four.",
    "Auction tails are proxies (high minus median yield): the when-issued yield that defines "
    "the market's tail is not published by any free source. All amounts are in USD billions, "
    "converted once from each publisher's units; spreads are in basis points.",
    "Implications are a rule-based reading of the three inputs above (scored in the table "
    "below); they are conditional statements about the liquidity channel, not forecasts and "
    "not investment advice.",
)

CAVEAT = ("These statements follow mechanically from the rules in the appendix. They describe "
          "the liquidity channel only; earnings, policy rates and positioning are outside this "
          "briefing. Nothing here is a forecast or investment advice.")


def _status(state: str | None) -> dict[str, str]:
    s = state or "unavailable"
    return {"label": STATUS_LABELS.get(s, s.capitalize()), "css": s}


def _figure(bundle: ChartBundle, number: int) -> dict[str, Any]:
    return {"name": bundle.name, "title": bundle.title, "alt_text": bundle.alt_text,
            "section": bundle.section, "number": number,
            "source": FIGURE_SOURCES.get(bundle.name, "see the appendix"),
            "csv": f"data/{bundle.name}.csv"}


def figures(charts: Mapping[str, ChartBundle]) -> dict[str, dict[str, Any]]:
    """Figure entries for the charts present, numbered in reading order."""
    names = [n for n in FIGURE_ORDER if n in charts] + [n for n in charts if n not in FIGURE_ORDER]
    return {name: _figure(charts[name], i) for i, name in enumerate(names, start=1)}


def _worst(statuses: Sequence[str]) -> str:
    live = [s for s in statuses if s != "unavailable"]
    if not live:
        return "unavailable"
    return max(live, key=lambda s: nv.STATUS_ORDER.get(s, 0))


def _signal_note(sig: Mapping[str, Any]) -> str:
    notes = []
    if sig.get("status") in ("elevated", "stressed"):
        windows = [w for w in sig.get("calendar_windows") or [] if w]
        if sig.get("calendar_explained") and windows:
            notes.append(f"calendar-explained ({', '.join(windows)})")
        elif sig.get("status") != "unavailable":
            notes.append("not calendar-explained")
    if sig.get("persistent"):
        notes.append("persistent")
    return "; ".join(notes)


def _threshold_value(rows: Sequence[Mapping[str, Any]], name: str, default: float) -> float:
    for r in rows:
        if r.get("name") == name and isinstance(r.get("value"), int | float):
            return float(r["value"])
    return default


def _fmt_threshold(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# -- sections ---------------------------------------------------------------------------------
def _front_phase(phase: Mapping[str, Any] | None) -> dict[str, Any]:
    if not phase:
        return {"headline": "Not assessed", "substate": "", "confidence": "no confidence",
                "since": "no H.4.1 holdings", "css": "phase-none",
                "summary": "The phase cannot be assessed: the data hold no H.4.1 securities "
                           "holdings for this date.", "disagreement": ""}
    since = phase.get("since")
    # Count H.4.1 weeks inclusively, as the assessment's confidence reason does ("37 weeks in
    # phase"): the phase's first week is week 1.
    weeks = (pd.Timestamp(phase["week"]) - pd.Timestamp(since)).days // 7 + 1 if since else None
    weeks_txt = f" ({weeks} week{'s' if weeks != 1 else ''})" if weeks is not None else ""
    return {
        "headline": nv.phase_headline(phase),
        "substate": str(phase["substate"]).capitalize() if phase.get("substate") else "",
        "confidence": f"{str(phase['confidence']).capitalize()} confidence "
                      f"({float(phase['confidence_score']):.2f})",
        "since": f"since {nv.day(since)}{weeks_txt}",
        "css": f"phase-{phase['phase']}",
        "summary": nv.phase_summary(phase),
        "disagreement": nv.phase_disagreement(phase),
    }


def _phase_section(phase: Mapping[str, Any] | None,
                   figs: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "figure": figs.get("holdings"),
        "figure_unavailable": "The holdings chart needs the H.4.1 Treasury, bill and MBS "
                              "holdings, which the data do not hold for this period.",
        "evidence_unavailable": "No evidence: the phase could not be assessed.",
        "evidence_note": "USD billions; changes over the last 4 and 13 weeks to the latest "
                         "H.4.1 week; paces in USD billions per 4 weeks.",
    }
    if not phase:
        out.update(narrative=["The phase cannot be assessed from the data for this date."],
                   evidence=[], triggers=[], announced=[],
                   agreement="No comparison with the announced regime is possible.",
                   agreement_css="agree")
        return out
    narrative = [nv.phase_summary(phase), *nv.evidence_sentences(phase.get("evidence") or [])]
    evidence = []
    for e in phase.get("evidence") or []:
        note = str(e.get("note") or "")
        evidence.append({
            "label": e["label"],
            "level": _num_text(e.get("level_bn")),
            "c4": _num_text(e.get("change_4w_bn"), signed=True),
            "c13": _num_text(e.get("change_13w_bn"), signed=True),
            "reading": str(e["comparison"]) + (f" ({note})" if note else ""),
        })
    ann = phase.get("announced") or {}
    announced_rows = [
        {"label": "Observed", "value": f"{nv.phase_headline(phase)} (week of "
                                       f"{nv.day(phase['week'])})"},
    ]
    if ann:
        ann_phase = (f"phase {ann['phase']}, {ann['regime']}" if ann.get("phase") is not None
                     else str(ann.get("regime")))
        announced_rows += [
            {"label": "Announced", "value": f"{ann_phase}: decided {nv.day(ann['date'])}, "
                                            f"effective {nv.day(ann['effective'])}"},
            {"label": "Decision", "value": str(ann.get("decision", ""))},
        ]
    else:
        announced_rows.append({"label": "Announced", "value": "no decision in the calendar"})
    agreement, css = nv.agreement_sentence(phase)
    triggers = [t[0].upper() + t[1:] + "." for t in phase.get("triggers") or []]
    out.update(narrative=narrative, evidence=evidence, triggers=triggers,
               announced=announced_rows, agreement=agreement, agreement_css=css)
    return out


def _reservoir_section(vis: Dataset, as_of: date, figs: Mapping[str, dict[str, Any]],
                       rrp_buffer: float) -> dict[str, Any]:
    reserves = vis.billions("WRESBAL").dropna()
    net = frames.net_liquidity(vis)
    tga = frames.tga(vis)
    rrp = vis.billions("RRPONTSYD").dropna()
    walcl = vis.billions("WALCL").dropna()
    rows = []
    for label, s in (("Fed total assets", walcl), ("Reserve balances", reserves),
                     ("Net liquidity", net), ("Treasury General Account", tga),
                     ("ON RRP", rrp)):
        if not len(s):
            continue
        rows.append({
            "label": label, "latest": f"{s.iloc[-1]:,.0f}",
            "d4": _delta_text(s, 4), "d13": _delta_text(s, 13), "d52": _delta_text(s, 52),
            "date": nv.day(s.index[-1]),
        })
    unavailable = []
    if not len(reserves):
        unavailable.append("Reserve balances (WRESBAL) are not in the data.")
    if "reservoir_levels" not in figs and len(reserves):
        unavailable.append("Net liquidity needs Fed total assets, the TGA and ON RRP.")
    if "reservoir_buffers" not in figs:
        unavailable.append("The TGA and ON RRP are not in the data.")
    return {
        "narrative": nv.reservoir_sentences(reserves, net, tga, rrp, rrp_buffer),
        "table": rows,
        "figures": [figs[n] for n in ("reservoir_levels", "reservoir_buffers") if n in figs],
        "unavailable": unavailable,
    }


def _num_text(x: Any, signed: bool = False) -> str:
    if nv.missing(x):
        return "n/a"
    return f"{float(x):+,.0f}" if signed else f"{float(x):,.0f}"


def _delta_text(s: pd.Series, weeks: int) -> str:
    d = nv.change_over(s, weeks)
    return "n/a" if d is None else f"{d:+,.0f}"


def _pipe_section(signals: Mapping[str, Any], figs: Mapping[str, dict[str, Any]],
                  comp: Mapping[str, Any], loop: Mapping[str, Any],
                  bands: tuple[float, float]) -> dict[str, Any]:
    subs = []
    unavailable_all = []
    for sid, title, sig_names, fig_names, needs in PIPE_SUBSECTIONS:
        sigs = [signals[n] for n in sig_names if n in signals]
        narrative: list[str] = []
        for sig in sigs:
            narrative += nv.signal_sentences(sig)
        present = [figs[n] for n in fig_names if n in figs]
        unavailable = []
        if not present:
            unavailable.append(f"No chart: the data hold no {needs} for this period.")
            unavailable_all.append(f"{title}: no {needs} in the data.")
        for sig in sigs:
            if sig.get("status") == "unavailable":
                unavailable_all.append(f"{sig.get('title')}: {sig.get('explanation')}")
        statuses = [str(s.get("status")) for s in sigs]
        subs.append({"id": f"pipe-{sid}", "title": title, "narrative": narrative,
                     "figures": present, "unavailable": unavailable,
                     "status": _status(_worst(statuses)) if sigs else None})
    lead = [nv.composite_summary(comp, *bands), nv.loop_summary(loop)] if comp else [
        "The plumbing signals could not be computed for this date."]
    return {"narrative": lead, "subsections": subs, "_unavailable": unavailable_all}


def _stock_flow_section(vis: Dataset, charts: Mapping[str, ChartBundle],
                        figs: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    if "stock_flow" not in charts:
        return {"narrative": [], "figures": [], "unavailable": [
            "This chart needs both bank reserves and the plumbing stress index over the last "
            "year; one of them is missing."]}
    data = charts["stock_flow"].data
    date_col = data["date"]
    reserves = pd.Series(data.iloc[:, 1].to_numpy(dtype=float), index=date_col).dropna()
    comp = pd.Series(data.iloc[:, 2].to_numpy(dtype=float), index=date_col).dropna()
    return {"narrative": nv.stock_flow_sentences(reserves, comp),
            "figures": [figs["stock_flow"]], "unavailable": []}


def _implications(phase: Mapping[str, Any] | None, comp: Mapping[str, Any],
                  loop: Mapping[str, Any]) -> dict[str, Any]:
    reading = read_implications(phase.get("phase") if phase else None,
                                comp.get("status") if comp else None,
                                (loop.get("details") or {}).get("state") or loop.get("state")
                                if loop else None)
    lede = (f"Read together, the phase, the plumbing and the feedback loop make a "
            f"{reading.backdrop} liquidity backdrop (score {reading.score:+d} on the scale in the "
            f"appendix). What that means for each asset class, and what would change it:")
    return {
        "backdrop": reading.backdrop, "score": f"{reading.score:+d}", "lede": lede,
        "assets": [
            {"title": "Equities", "statements": [s.to_dict() for s in reading.equities]},
            {"title": "Crypto", "statements": [s.to_dict() for s in reading.crypto]},
        ],
        "caveat": CAVEAT,
    }


def _sources(ds: Dataset, vis: Dataset, as_of: date) -> list[dict[str, Any]]:
    rows = []
    names = [i.name for i in ds.provenance.items] or sorted(ds.series_map) + sorted(ds.tables)
    for name in names:
        if name in catalog.SERIES:
            spec = catalog.SERIES[name]
            last = vis.last_date(name)
            label, source, units = spec.label, spec.source, str(spec.units)
            stale = catalog.is_stale(last, as_of, spec.stale_after_days)
        elif name in catalog.TABLES:
            tspec = catalog.TABLES[name]
            frame = vis.table(name)
            dates = pd.to_datetime(frame[tspec.date_column].astype(str).str[:10],
                                   errors="coerce").dropna() if len(frame) else pd.Series()
            last = dates.max().date() if len(dates) else None
            label, source, units = tspec.label, tspec.source, tspec.units
            stale = catalog.is_stale(last, as_of, tspec.stale_after_days)
        else:
            continue
        rows.append({"id": name, "label": label, "source": SOURCE_NAMES.get(source, source),
                     "units": units, "last": nv.day(last) if last else "none visible",
                     "stale": stale, "css": "is-stale" if stale else ""})
    return rows


def _unavailable(vis: Dataset, charts: Mapping[str, ChartBundle], phase: Any,
                 pipe_missing: Sequence[str]) -> list[str]:
    out = []
    if not phase:
        out.append("Phase assessment: no H.4.1 holdings public on this date.")
    for name, label in (("holdings", "Holdings composition chart"),
                        ("reservoir_levels", "Reserves and net liquidity chart"),
                        ("reservoir_buffers", "TGA and ON RRP chart"),
                        ("stock_flow", "Reservoir vs pipe chart")):
        if name not in charts:
            out.append(f"{label}: its inputs are missing.")
    out += list(pipe_missing)
    if not vis.has("WSHOBL"):
        out.append("H.4.1 bill holdings (WSHOBL): not in the data; bills come from the NY Fed "
                   "SOMA summary.")
    else:
        bills_end, soma_end = vis.last_date("WSHOBL"), vis.last_date("SOMA_BILLS")
        if bills_end is not None and soma_end is not None and bills_end < soma_end:
            out.append(f"H.4.1 bill holdings (WSHOBL) end on {nv.day(bills_end)}; later weeks "
                       "use the NY Fed SOMA bills.")
    return list(dict.fromkeys(out))


# -- the context ------------------------------------------------------------------------------
def build_context(ds: Dataset, assessment: Any, dashboard: Any, brief: Mapping[str, Any],
                  previous_brief: Mapping[str, Any] | None, settings: Any,
                  charts: Mapping[str, ChartBundle]) -> dict[str, Any]:
    """Everything the briefing templates show, formatted.

    Parameters
    ----------
    ds : the dataset (cut at ``as_of`` here again, so the full one is safe).
    assessment, dashboard : the analysis results; their brief.json forms (``brief["phase"]``,
        ``brief["signals"]``) are what is read, so a missing one degrades to "unavailable".
    brief : this week's brief.json dict (``as_of``, ``phase``, ``signals``, ``changes``,
        ``thresholds``, ``data``).
    previous_brief : last week's brief.json, or None for the first briefing.
    settings : ``reportgen.config.Settings`` (site title, sections); None for defaults.
    charts : the chart bundles from :func:`reportgen.charts.build_charts`.

    Returns
    -------
    dict with ``meta``, ``show``, ``toc``, ``front``, ``phase``, ``reservoir``, ``pipe``,
    ``stock_flow``, ``implications``, ``appendix``, ``figures``.
    """
    as_of = date.fromisoformat(str(brief["as_of"])[:10])
    vis = ds.visible(as_of)
    phase = brief.get("phase") or None
    sig_block = brief.get("signals") or {}
    signals: dict[str, Any] = dict(sig_block.get("signals") or {})
    comp: dict[str, Any] = dict(sig_block.get("composite") or {})
    loop: dict[str, Any] = dict(sig_block.get("feedback_loop") or {})
    loop_state = (loop.get("state") or (loop.get("details") or {}).get("state")
                  or ("unavailable" if not loop else "dormant"))
    threshold_rows = list(brief.get("thresholds") or describe())
    defaults = SignalThresholds()
    rrp_buffer = _threshold_value(threshold_rows, "reserves_rrp_buffer_bn",
                                  defaults.reserves_rrp_buffer_bn)
    bands = (_threshold_value(threshold_rows, "composite_elevated", defaults.composite_elevated),
             _threshold_value(threshold_rows, "composite_stressed", defaults.composite_stressed))
    figs = figures(charts)
    title = getattr(settings, "site_title", None) or DEFAULT_TITLE
    wanted = tuple(getattr(settings, "sections", None) or SECTION_KEYS)
    show = {k: k in wanted for k in SECTION_KEYS}

    is_sample = ds.provenance.kind == "sample"
    meta = {
        "title": title,
        "kicker": "Weekly briefing · Fed balance sheet and Treasury plumbing",
        "as_of": as_of.isoformat(),
        "as_of_long": nv.long_day(as_of),
        "as_of_short": nv.day(as_of),
        "description": f"{title}, as of {nv.day(as_of)}: the Fed's balance-sheet phase and the "
                       "state of Treasury-market plumbing.",
        "data_note": (f"Data public by {nv.day(as_of)}; latest H.4.1 week "
                      f"{nv.day(phase['week'])}" if phase else
                      f"Data public by {nv.day(as_of)}"),
        "is_sample": is_sample,
        "sample_note": ("Built from the bundled offline sample (real published figures, "
                        "transcribed; see the appendix): series end at different dates and "
                        "some sections are unavailable." if is_sample else ""),
        "colophon": (f"Generated by reportgen from {ds.provenance.description}. Every number "
                     "and sentence is computed from the data public on the briefing date; the "
                     "thresholds are listed in the appendix."),
    }

    signal_rows = []
    for name, sig in signals.items():
        signal_rows.append({
            "name": name, "title": sig.get("title", name),
            "status": _status(sig.get("status")),
            "value": nv.signal_value(sig.get("value"), str(sig.get("units", ""))),
            "note": _signal_note(sig),
        })
    front = {
        "phase": _front_phase(phase),
        "plumbing": {
            "status": _status(comp.get("status")),
            "value": nv.signal_value(comp.get("value"), "index") if comp else "",
            "summary": nv.composite_summary(comp, *bands) if comp else
            "The plumbing signals could not be computed.",
            "signals": signal_rows,
        },
        "loop": {"status": _status(loop_state),
                 "summary": nv.loop_summary(loop) if loop else "Not assessed."},
        "changes": nv.what_changed(previous_brief, brief),
        "changes_since": nv.first_or_since(previous_brief),
    }
    pipe = _pipe_section(signals, figs, comp, loop, bands)
    pipe_missing = pipe.pop("_unavailable")
    implications = _implications(phase, comp, {**loop, "state": loop_state})
    front["backdrop"] = (f"Liquidity backdrop: {implications['backdrop']} (score "
                         f"{implications['score']}); what it means for equities and crypto is "
                         "in section 5.")
    toc_entries = [("phase", "phase", "1 Phase assessment"),
                   ("reservoir", "reservoir", "2 The reservoir"),
                   ("pipe", "pipe", "3 The pipe"),
                   ("reservoir_vs_pipe", "stock-flow", "4 Reservoir vs pipe"),
                   ("implications", "implications", "5 Implications"),
                   ("appendix", "appendix", "A Appendix: methodology, thresholds, sources")]
    return {
        "meta": meta,
        "show": show,
        "toc": [{"id": anchor, "title": text} for key, anchor, text in toc_entries if show[key]],
        "front": front,
        "phase": _phase_section(phase, figs),
        "reservoir": _reservoir_section(vis, as_of, figs, rrp_buffer),
        "pipe": pipe,
        "stock_flow": _stock_flow_section(vis, charts, figs),
        "implications": implications,
        "appendix": {
            "methodology": list(METHODOLOGY),
            "implication_rules": rules_table(),
            "thresholds": [{"section": r.get("section", ""), "name": r.get("name", ""),
                            "value": _fmt_threshold(r.get("value")),
                            "description": r.get("description", "")} for r in threshold_rows],
            "sources": _sources(ds, vis, as_of),
            "provenance": f"Data: {ds.provenance.description}. Last observation public by "
                          f"{nv.day(as_of)} for each item; stale items are marked.",
            "attribution": "Sources: " + "; ".join(
                f"{v}" for v in SOURCE_NAMES.values()) + ". FOMC decisions from the Federal "
                "Reserve's statements and implementation notes. reportgen is not affiliated "
                "with these institutions.",
            "unavailable": _unavailable(vis, charts, phase, pipe_missing),
        },
        "figures": figs,
    }
