"""Every series and table reportgen knows: id, source, units, frequency, label, release timing.

Units are recorded here once. The store keeps values in the units the publisher uses (H.4.1 in
millions, ON RRP in billions, rates in percent) so that an exported CSV matches the published
figures; anything that mixes series converts through :func:`to_billions`, never by hand.

Every series also names its ``basis``: what one observation is (a Wednesday level, a week
average, a daily rate, a daily close). Series of different bases are not the same quantity: the
H.4.1 reports reserves both as a week average (WRESBAL) and as a Wednesday level (WRBWFRBL), and
only the latter sits beside the Wednesday levels of total assets and the TGA.

Release timing drives two things: staleness in ``data status`` and the no-look-ahead rule of the
analysis (an observation dated D is only visible to an ``as_of`` on or after ``D + lag``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from reportgen.errors import UnitError

Unit = Literal["USD millions", "USD billions", "USD", "percent", "ratio", "index"]
Frequency = Literal["weekly", "daily"]
Basis = Literal[
    "Wednesday level", "week average", "daily", "daily close", "daily total", "in effect"
]
SourceName = Literal["fred", "nyfed", "treasury", "ofr"]
SOURCES: tuple[SourceName, ...] = ("fred", "nyfed", "treasury", "ofr")

_TO_BILLIONS: dict[str, float] = {"USD millions": 1e-3, "USD billions": 1.0, "USD": 1e-9}


@dataclass(frozen=True)
class SeriesSpec:
    """One time series: where it comes from and what its numbers mean."""

    id: str
    source: SourceName
    units: Unit
    frequency: Frequency
    label: str
    # Days after the observation date when the value is public (H.4.1: Wednesday -> Thursday).
    publication_lag_days: int = 1
    # How many days after it is public (observation + lag) a value may still be used: after
    # that the series is stale for its cadence (see ``stale_limit_days``).
    stale_after_days: int = 5
    # Plausible range in the catalog units: a value outside it is a unit error, not data.
    plausible: tuple[float, float] = (-1e12, 1e12)
    # Provider-specific id where it differs from ``id`` (e.g. FRED id for a NY Fed series).
    remote_id: str | None = None
    # What one observation is; render code shows it beside the label (see the module docstring).
    basis: Basis = "daily"


@dataclass(frozen=True)
class TableSpec:
    """A table of records (auctions, operations, fails): columns with SQLite types and its key."""

    name: str
    source: SourceName
    label: str
    date_column: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    units: str
    # As for a series: days after a record is public that it may still be used.
    stale_after_days: int = 10
    # Days after the record date when the record is public (fails: week ending Wed -> Thursday).
    publication_lag_days: int = 0
    # The unit of the table's dollar amounts, for conversion through ``table_billions_factor``.
    amount_units: Unit | None = None
    # What one record is ("per auction", "per operation", "week to Wednesday", ...).
    basis: str = "per record"
    # SQL expressions filling columns added after a store was created, for its existing rows.
    backfill: tuple[tuple[str, str], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


def _h41(
    series_id: str,
    label: str,
    source: SourceName = "fred",
    units: Unit = "USD millions",
    low: float = 0.0,
    basis: Basis = "Wednesday level",
) -> SeriesSpec:
    """A weekly H.4.1-style series: Wednesday date, public the next day (Thursday 4:30 p.m.).

    ``low`` is the smallest plausible value: for the big aggregates it catches a file given in
    billions where millions are expected (8,965 instead of 8,965,487).
    """
    top = 2e7 if units == "USD millions" else 2e4
    return SeriesSpec(
        series_id,
        source,
        units,
        "weekly",
        label,
        publication_lag_days=1,
        stale_after_days=13,
        plausible=(low, top),
        basis=basis,
    )


def _rate(
    series_id: str,
    label: str,
    source: SourceName = "fred",
    lag: int = 1,
    stale_after_days: int = 5,
    remote_id: str | None = None,
    basis: Basis = "daily",
) -> SeriesSpec:
    """A daily rate or yield in percent, usually public the next business day."""
    return SeriesSpec(
        series_id,
        source,
        "percent",
        "daily",
        label,
        publication_lag_days=lag,
        stale_after_days=stale_after_days,
        plausible=(-5.0, 30.0),
        remote_id=remote_id,
        basis=basis,
    )


def _daily_amount(
    series_id: str,
    label: str,
    source: SourceName,
    units: Unit,
    top: float,
    lag: int = 1,
    basis: Basis = "daily",
) -> SeriesSpec:
    """A daily dollar amount (billions unless stated)."""
    return SeriesSpec(
        series_id,
        source,
        units,
        "daily",
        label,
        publication_lag_days=lag,
        stale_after_days=5,
        plausible=(0, top),
        basis=basis,
    )


def _ofr_repo(mnemonic: str, label: str) -> SeriesSpec:
    """A series of the OFR Short-term Funding Monitor's repo collection, id = OFR mnemonic.

    ``..._AR_...`` are average rates in percent, ``..._TV_...`` transaction volumes in US
    dollars (not millions: 3368335031370.9 is $3.37 trn). The suffix is the vintage: ``-P``
    preliminary, public the next business day; ``-F`` final, which in the one recorded snapshot
    (2026-10-02) ran to the end of the previous quarter. Its lag is set for the no-look-ahead
    rule: a date early in a quarter may wait about six months for its final value; once public
    it is stale when the next quarter's release is overdue (about 100 days later).
    """
    final = mnemonic.endswith("-F")
    lag, stale = (185, 100) if final else (1, 5)
    if "_AR_" in mnemonic:
        return SeriesSpec(mnemonic, "ofr", "percent", "daily", label, lag, stale, (-5.0, 30.0))
    # A volume under $1bn is a file in millions or billions, not a day of the repo market.
    return SeriesSpec(mnemonic, "ofr", "USD", "daily", label, lag, stale, (1e9, 2e13),
                      basis="daily total")


def _fsi(series_id: str, label: str) -> SeriesSpec:
    """The OFR Financial Stress Index or one of its contributions (index points, daily).

    The index is standardised (0 = average stress); the five category contributions and the
    three regional contributions each add up to it. Published as a CSV, not through the v1 API.
    """
    return SeriesSpec(series_id, "ofr", "index", "daily", label, publication_lag_days=2,
                      stale_after_days=7, plausible=(-20.0, 60.0))


SERIES: dict[str, SeriesSpec] = {
    s.id: s
    for s in [
        # H.4.1, Wednesday level unless the basis says week average, millions USD
        _h41("WALCL", "Fed total assets", low=1e5),
        _h41("TREAST", "Treasury securities held outright", low=1e5),
        _h41("WSHOBL", "Treasury bills held outright"),
        _h41("WSHONBNL", "Nominal notes and bonds held outright"),
        _h41("WSHOMCB", "Mortgage-backed securities held outright"),
        _h41("WRBWFRBL", "Reserve balances with Federal Reserve Banks (Wednesday level)"),
        _h41(
            "WRESBAL",
            "Reserve balances with Federal Reserve Banks (week average)",
            basis="week average",
        ),
        _h41("WTREGEN", "Treasury General Account (week average)", basis="week average"),
        _h41("WDTGAL", "Treasury General Account (Wednesday level)"),
        # NY Fed SOMA holdings summary, billions USD
        _h41("SOMA_BILLS", "SOMA Treasury bills", "nyfed", "USD billions"),
        _h41("SOMA_NOTESBONDS", "SOMA nominal notes and bonds", "nyfed", "USD billions"),
        _h41("SOMA_MBS", "SOMA agency MBS", "nyfed", "USD billions"),
        # Administered and money-market rates, percent
        _rate(
            "IORB", "Interest on reserve balances", lag=0, stale_after_days=10, basis="in effect"
        ),
        _rate(
            "IOER",
            "Interest on excess reserves (to 2021-07-28)",
            lag=0,
            stale_after_days=100_000,
            basis="in effect",
        ),
        _rate("RRPONTSYAWARD", "ON RRP award rate"),
        _rate("SOFR", "Secured Overnight Financing Rate", "nyfed"),
        _rate("SOFR1", "SOFR 1st percentile", "nyfed"),
        _rate("SOFR25", "SOFR 25th percentile", "nyfed"),
        _rate("SOFR75", "SOFR 75th percentile", "nyfed"),
        _rate("SOFR99", "SOFR 99th percentile", "nyfed"),
        _rate("TGCRRATE", "Tri-party General Collateral Rate", "nyfed", remote_id="tgcr"),
        _rate("BGCR", "Broad General Collateral Rate", "nyfed", remote_id="bgcr"),
        _rate("EFFR", "Effective Federal Funds Rate", "nyfed", remote_id="effr"),
        _rate("OBFR", "Overnight Bank Funding Rate", "nyfed", remote_id="obfr"),
        # Daily amounts
        _daily_amount("SOFRVOL", "SOFR volume", "nyfed", "USD billions", 1e4),
        _daily_amount(
            "RRPONTSYD", "Overnight reverse repo (ON RRP) take-up", "fred", "USD billions", 5e3
        ),
        _daily_amount(
            "RPONTSYD",
            "Overnight repo operations (Treasury collateral)",
            "fred",
            "USD billions",
            2e3,
        ),
        _daily_amount(
            "SRF_ACCEPTED",
            "Repo operations accepted, daily total (SRF)",
            "nyfed",
            "USD billions",
            2e3,
            lag=0,  # operation results are published the same day, like the table
            basis="daily total",
        ),
        _daily_amount(
            "TGA_DTS",
            "Treasury General Account, daily close (DTS)",
            "treasury",
            "USD millions",
            2e6,
            basis="daily close",
        ),
        # Treasury yields and spreads, percent (H.15 constant maturity, from closing bids;
        # public the next day)
        _rate("DGS3MO", "3-month Treasury yield", basis="daily close"),
        _rate("DGS2", "2-year Treasury yield", basis="daily close"),
        _rate("DGS10", "10-year Treasury yield", basis="daily close"),
        _rate("DGS30", "30-year Treasury yield", basis="daily close"),
        _rate("T10Y3M", "10-year minus 3-month spread", basis="daily close"),
        _rate("T10Y2Y", "10-year minus 2-year spread", basis="daily close"),
        # OFR Short-term Funding Monitor, repo segments, overnight/open (percent; USD).
        # Preliminary (-P) for DVP, GCF and tri-party; final (-F) where a recorded response or
        # client showed the mnemonic (DVP rate and volume, tri-party rate).
        _ofr_repo("REPO-DVP_AR_OO-P", "DVP repo average rate, overnight/open (preliminary)"),
        _ofr_repo("REPO-DVP_TV_OO-P", "DVP repo volume, overnight/open (preliminary)"),
        _ofr_repo("REPO-GCF_AR_OO-P", "GCF repo average rate, overnight/open (preliminary)"),
        _ofr_repo("REPO-GCF_TV_OO-P", "GCF repo volume, overnight/open (preliminary)"),
        _ofr_repo("REPO-TRI_AR_OO-P",
                  "Tri-party repo average rate, overnight/open (preliminary)"),
        _ofr_repo("REPO-TRI_TV_OO-P", "Tri-party repo volume, overnight/open (preliminary)"),
        _ofr_repo("REPO-DVP_AR_OO-F", "DVP repo average rate, overnight/open (final)"),
        _ofr_repo("REPO-DVP_TV_OO-F", "DVP repo volume, overnight/open (final)"),
        _ofr_repo("REPO-TRI_AR_OO-F", "Tri-party repo average rate, overnight/open (final)"),
        # OFR Financial Stress Index (index points)
        _fsi("OFR_FSI", "OFR Financial Stress Index"),
        _fsi("OFR_FSI_CREDIT", "OFR FSI: credit contribution"),
        _fsi("OFR_FSI_EQUITY", "OFR FSI: equity valuation contribution"),
        _fsi("OFR_FSI_SAFE_ASSETS", "OFR FSI: safe assets contribution"),
        _fsi("OFR_FSI_FUNDING", "OFR FSI: funding contribution"),
        _fsi("OFR_FSI_VOLATILITY", "OFR FSI: volatility contribution"),
        _fsi("OFR_FSI_US", "OFR FSI: United States contribution"),
        _fsi("OFR_FSI_OTHER_ADVANCED", "OFR FSI: other advanced economies contribution"),
        _fsi("OFR_FSI_EMERGING", "OFR FSI: emerging markets contribution"),
    ]
}

# OFR repo mnemonics by segment: (preliminary, final or None). The dealer-intermediated DVP
# and GCF rates over tri-party price dealer balance-sheet cost; keep vintages apart (see
# ``reportgen.analysis.signals.repo_segments.combine_vintages``).
OFR_REPO_RATES = {
    "DVP": ("REPO-DVP_AR_OO-P", "REPO-DVP_AR_OO-F"),
    "GCF": ("REPO-GCF_AR_OO-P", None),
    "TRI": ("REPO-TRI_AR_OO-P", "REPO-TRI_AR_OO-F"),
}
OFR_REPO_VOLUMES = {
    "DVP": ("REPO-DVP_TV_OO-P", "REPO-DVP_TV_OO-F"),
    "GCF": ("REPO-GCF_TV_OO-P", None),
    "TRI": ("REPO-TRI_TV_OO-P", None),
}


def _pd_statistics(name: str, label: str, units: str, basis: str) -> TableSpec:
    """A table of NY Fed primary dealer statistics (FR 2004), one row per key and week.

    Columns: ``date`` (the Wednesday the week ends on), ``keyid`` (the NY Fed key, e.g.
    ``PDPOSGST-TOT``), ``measure`` (reportgen's name for it, e.g. ``total``, ``bills``),
    ``series_break`` (the NY Fed series-break window the week falls in, e.g. ``SBN2024``: never
    compare values across two breaks), ``value`` (USD millions; NULL when not published) and
    ``suppressed`` (1 when the NY Fed published ``*``, a withheld value: missing, never 0).
    """
    return TableSpec(
        name,
        "nyfed",
        label,
        "date",
        columns=(
            ("date", "TEXT NOT NULL"),
            ("keyid", "TEXT NOT NULL"),
            ("measure", "TEXT NOT NULL"),
            ("series_break", "TEXT NOT NULL"),
            ("value", "REAL"),
            ("suppressed", "INTEGER NOT NULL"),
        ),
        key=("keyid", "date"),
        amount_units="USD millions",
        units=units,
        basis=basis,
        stale_after_days=16,
        # As-of Wednesday W is published on Thursday W + 8 (like the fails).
        publication_lag_days=8,
    )

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in [
        TableSpec(
            "auctions",
            "treasury",
            "Treasury auction results",
            "auction_date",
            columns=(
                ("cusip", "TEXT NOT NULL"),
                ("auction_date", "TEXT NOT NULL"),
                ("issue_date", "TEXT"),
                ("maturity_date", "TEXT"),
                ("security_type", "TEXT"),
                ("security_term", "TEXT"),
                ("original_security_term", "TEXT"),
                ("reopening", "INTEGER"),
                ("tips", "INTEGER"),
                ("frn", "INTEGER"),
                ("cmb", "INTEGER"),
                ("offering_amt", "REAL"),
                ("total_tendered", "REAL"),
                ("total_accepted", "REAL"),
                ("comp_accepted", "REAL"),
                ("bid_to_cover_ratio", "REAL"),
                ("high_yield", "REAL"),
                ("low_yield", "REAL"),
                ("avg_med_yield", "REAL"),
                ("high_discnt_rate", "REAL"),
                ("high_investment_rate", "REAL"),
                ("avg_med_discnt_rate", "REAL"),
                ("primary_dealer_accepted", "REAL"),
                ("direct_bidder_accepted", "REAL"),
                ("indirect_bidder_accepted", "REAL"),
                ("soma_accepted", "REAL"),
                ("allocation_pctage", "REAL"),
            ),
            key=("cusip", "auction_date"),
            amount_units="USD",
            basis="per auction",
            units="USD; yields %",
            stale_after_days=10,
        ),
        TableSpec(
            "repo_operations",
            "nyfed",
            "NY Fed repo and reverse repo operations",
            "operation_date",
            columns=(
                ("operation_id", "TEXT NOT NULL"),
                ("operation_date", "TEXT NOT NULL"),
                ("operation_type", "TEXT NOT NULL"),
                ("operation_method", "TEXT"),
                ("term", "TEXT"),
                ("term_days", "INTEGER"),
                ("release_time", "TEXT"),
                ("total_submitted", "REAL"),
                ("total_accepted", "REAL"),
                ("treasury_accepted", "REAL"),
                ("agency_accepted", "REAL"),
                ("mbs_accepted", "REAL"),
                ("award_rate", "REAL"),
                ("offering_rate", "REAL"),
                ("participating_cpty", "INTEGER"),
                ("accepted_cpty", "INTEGER"),
                ("small_value", "INTEGER NOT NULL"),
                ("note", "TEXT"),
            ),
            key=("operation_id",),
            units="USD; rates %",
            amount_units="USD",
            basis="per operation",
            stale_after_days=5,
        ),
        TableSpec(
            "outright_operations",
            "nyfed",
            "NY Fed outright Treasury and MBS operations",
            "operation_date",
            columns=(
                ("operation_id", "TEXT NOT NULL"),
                ("operation_date", "TEXT NOT NULL"),
                ("operation_type", "TEXT NOT NULL"),
                ("family", "TEXT NOT NULL"),
                ("operation_direction", "TEXT"),
                ("security_class", "TEXT NOT NULL"),
                ("total_par_submitted", "REAL"),
                ("total_par_accepted", "REAL"),
                ("maturity_range_start", "TEXT"),
                ("maturity_range_end", "TEXT"),
                ("note", "TEXT"),
            ),
            # Treasury and MBS operations share the ``OR mmddyy NN`` id scheme: an id alone
            # does not name one operation.
            key=("operation_id", "family"),
            units="USD (par; MBS original face)",
            amount_units="USD",
            basis="per operation",
            # Stores written before ``family`` existed: MBS rows told by their class.
            backfill=(
                ("family", "CASE WHEN security_class LIKE 'mbs%' THEN 'mbs' ELSE 'treasury' END"),
            ),
            stale_after_days=45,
        ),
        TableSpec(
            "pd_fails",
            "nyfed",
            "Primary dealer Treasury settlement fails",
            "date",
            columns=(("date", "TEXT NOT NULL"), ("keyid", "TEXT NOT NULL"), ("value", "REAL")),
            key=("keyid", "date"),
            amount_units="USD millions",
            units="USD millions (week to Wed)",
            basis="week to Wednesday",
            stale_after_days=16,
            # Dealers file the FR 2004C by 4 p.m. the next business day and the NY Fed publishes the
            # week ending Wednesday on the following week's Thursday: 8 days, not 1, so that a
            # past briefing never sees fails that were not yet public.
            publication_lag_days=8,
        ),
        TableSpec(
            "pd_series_breaks",
            "nyfed",
            "Primary dealer statistics series breaks",
            "start_date",
            columns=(
                ("series_break", "TEXT NOT NULL"),
                ("label", "TEXT"),
                ("start_date", "TEXT NOT NULL"),
                ("end_date", "TEXT"),
            ),
            key=("series_break",),
            units="dates",
            stale_after_days=100000,
        ),
        _pd_statistics(
            "pd_positions",
            "Primary dealer net positions in Treasury securities",
            "USD millions (net long minus short, market value)",
            "Wednesday level",
        ),
        _pd_statistics(
            "pd_financing",
            "Primary dealer Treasury financing (repo, reverse repo, borrowed, lent)",
            "USD millions (principal value, Treasuries excluding TIPS)",
            "Wednesday level",
        ),
        _pd_statistics(
            "pd_transactions",
            "Primary dealer Treasury transactions",
            "USD millions (daily average over the week, excluding TIPS)",
            "week average",
        ),
        TableSpec(
            "pd_history_cuts",
            "nyfed",
            "Primary dealer key histories found cut at a series break",
            "detected_at",
            columns=(
                ("keyid", "TEXT NOT NULL"),
                ("series_break", "TEXT NOT NULL"),
                ("detected_at", "TEXT NOT NULL"),
                ("table_name", "TEXT NOT NULL"),
                ("first_returned", "TEXT"),
                ("filled", "INTEGER NOT NULL"),
                ("rows_filled", "INTEGER NOT NULL"),
                ("note", "TEXT"),
            ),
            key=("keyid", "series_break"),
            units="dates",
            basis="per key and break window",
            stale_after_days=100000,
        ),
        TableSpec(
            "seclending_operations",
            "nyfed",
            "SOMA securities lending operations",
            "operation_date",
            columns=(
                ("operation_id", "TEXT NOT NULL"),
                ("operation_date", "TEXT NOT NULL"),
                ("operation_type", "TEXT"),
                ("settlement_date", "TEXT"),
                ("maturity_date", "TEXT"),
                ("release_time", "TEXT"),
                ("close_time", "TEXT"),
                ("last_updated", "TEXT"),
                ("total_par_submitted", "REAL"),
                ("total_par_accepted", "REAL"),
                ("total_par_extended", "REAL"),
                ("issues_lent", "INTEGER"),
                ("issues_offered", "INTEGER"),
                ("note", "TEXT"),
            ),
            key=("operation_id",),
            amount_units="USD",
            units="USD (par)",
            basis="per operation (daily)",
            stale_after_days=5,
        ),
        TableSpec(
            "seclending_details",
            "nyfed",
            "SOMA securities lending by CUSIP",
            "operation_date",
            columns=(
                ("operation_id", "TEXT NOT NULL"),
                ("operation_date", "TEXT NOT NULL"),
                ("cusip", "TEXT NOT NULL"),
                ("security_description", "TEXT"),
                ("par_submitted", "REAL"),
                ("par_accepted", "REAL"),
                ("weighted_average_rate", "REAL"),
                ("soma_holdings", "REAL"),
                ("theo_avail_to_borrow", "REAL"),
                ("actual_avail_to_borrow", "REAL"),
                ("outstanding_loans", "REAL"),
            ),
            key=("operation_id", "cusip"),
            amount_units="USD",
            units="USD (par); rate in percent as published",
            basis="per operation and CUSIP (daily)",
            stale_after_days=5,
        ),
        TableSpec(
            "dts_cash_balance",
            "treasury",
            "Daily Treasury Statement operating cash balance",
            "record_date",
            columns=(
                ("record_date", "TEXT NOT NULL"),
                ("account_type", "TEXT NOT NULL"),
                ("open_today_bal", "REAL"),
                ("close_today_bal", "REAL"),
                ("open_month_bal", "REAL"),
                ("open_fiscal_year_bal", "REAL"),
            ),
            key=("record_date", "account_type"),
            amount_units="USD millions",
            basis="daily",
            units="USD millions",
            stale_after_days=5,
            publication_lag_days=1,
        ),
        TableSpec(
            "dts_debt_transactions",
            "treasury",
            "DTS marketable debt issues and redemptions",
            "record_date",
            columns=(
                ("record_date", "TEXT NOT NULL"),
                ("transaction_type", "TEXT NOT NULL"),
                ("security_type", "TEXT NOT NULL"),
                ("security_type_desc", "TEXT NOT NULL"),
                ("transaction_today_amt", "REAL"),
                ("transaction_mtd_amt", "REAL"),
                ("transaction_fytd_amt", "REAL"),
            ),
            key=("record_date", "transaction_type", "security_type", "security_type_desc"),
            amount_units="USD millions",
            basis="daily",
            units="USD millions",
            stale_after_days=5,
            publication_lag_days=1,
        ),
    ]
}

# Reserve balances where the briefing sets them beside Wednesday levels (total assets, the TGA):
# the Wednesday level first, the week average where only it is stored (stores fetched before
# WRBWFRBL was in the catalog, the bundled sample). Say which one was used: see ``basis``.
RESERVES_PREFERENCE = ("WRBWFRBL", "WRESBAL")

# The aggregate primary-dealer fails series. Per-tenor keys (PDSI2F-TD, ...) measure something
# narrower and are kept separately: never add them to these.
PD_FAILS_AGGREGATE = ("PDFTD-USTET", "PDFTR-USTET")


def series(series_id: str) -> SeriesSpec:
    """The catalog entry for ``series_id``; raises KeyError naming the known ids."""
    try:
        return SERIES[series_id]
    except KeyError:
        raise KeyError(
            f"unknown series {series_id!r}; known series: {', '.join(sorted(SERIES))}"
        ) from None


def basis(series_id: str) -> str:
    """What one observation of ``series_id`` is: "Wednesday level", "week average", ..."""
    return series(series_id).basis


def to_billions(series_id: str, value: float) -> float:
    """Convert a stored value of ``series_id`` to USD billions (the unit every chart uses)."""
    spec = series(series_id)
    if spec.units not in _TO_BILLIONS:
        raise UnitError(
            f"{series_id} is in {spec.units}, which cannot be converted to USD billions"
        )
    return value * _TO_BILLIONS[spec.units]


def billions_factor(series_id: str) -> float:
    """Multiplier that turns stored values of ``series_id`` into USD billions."""
    return to_billions(series_id, 1.0)


def table_billions_factor(table: str) -> float:
    """Multiplier that turns the dollar amounts of ``table`` into USD billions."""
    units = TABLES[table].amount_units
    if units is None or units not in _TO_BILLIONS:
        raise UnitError(f"table {table} has no dollar amounts to convert to USD billions")
    return _TO_BILLIONS[units]


def first_visible_date(series_id: str, as_of: date) -> date:
    """The latest observation date of ``series_id`` that is public on ``as_of``."""
    return as_of - timedelta(days=series(series_id).publication_lag_days)


def stale_limit_days(name: str) -> int:
    """Days after its last observation that the series or table ``name`` counts as stale: its
    publication lag plus the days its cadence allows after publication. The signals apply the
    same rule (:func:`reportgen.analysis.signals.base.align`), so the appendix, brief.json and
    ``data status`` never call stale what the dashboard reads as live, nor the reverse."""
    spec: SeriesSpec | TableSpec | None = SERIES.get(name) or TABLES.get(name)
    if spec is None:
        return SeriesSpec.publication_lag_days + SeriesSpec.stale_after_days
    return spec.publication_lag_days + spec.stale_after_days


def is_stale(last: date | None, today: date, name: str) -> bool:
    """True when the newest observation of ``name`` is older than its release cadence allows
    (see :func:`stale_limit_days`)."""
    return last is None or (today - last).days > stale_limit_days(name)
