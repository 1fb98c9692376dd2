"""Settings: defaults <- reportgen.toml <- environment <- CLI flags, frozen once built.

Each layer overrides the one before it, key by key:

1. the defaults of :class:`Settings`;
2. a ``reportgen.toml`` file: the path given to :func:`load_settings`, else the file named by
   ``REPORTGEN_CONFIG``, else ``reportgen.toml`` in the working folder if there is one
   (``reportgen.toml.example`` at the repository root documents every key);
3. the environment: ``REPORTGEN_DB``, ``REPORTGEN_OUTPUT``, ``REPORTGEN_BASE_URL``,
   ``REPORTGEN_SITE_TITLE``, ``FRED_API_KEY``;
4. ``overrides``: the command-line flags (``None`` means "flag not given").

An unknown key or a value of the wrong type raises :class:`~reportgen.errors.ConfigError` naming
the key and the file, so a typo never silently falls back to a default. The FRED API key is
accepted only from the environment (or a flag), never from the file, so that it cannot end up in
a committed ``reportgen.toml``; it is also left out of ``repr``.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reportgen import redaction
from reportgen.errors import ConfigError

if TYPE_CHECKING:
    from reportgen.analysis.thresholds import Thresholds

DEFAULT_DB = Path("data") / "reportgen.sqlite"
CONFIG_FILE = "reportgen.toml"
CONFIG_ENV = "REPORTGEN_CONFIG"
DEFAULT_SITE_TITLE = "reportgen: Fed balance sheet & Treasury plumbing"
#: The briefing's sections, in reading order.
SECTIONS: tuple[str, ...] = (
    "front", "phase", "reservoir", "pipe", "reservoir_vs_pipe", "implications", "appendix",
)
#: The output formats ``reportgen build`` can write.
FORMATS: tuple[str, ...] = ("html", "pdf", "json")

ThresholdValue = bool | int | float | str


def _no_overrides() -> Mapping[str, ThresholdValue]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know that is not data. Build it with :func:`load_settings`.

    ``base_url`` is the public address of the published site without a trailing slash, or ""
    for relative links (the default: the site works from any folder). ``threshold_overrides``
    maps ``"phase.<name>"`` / ``"signals.<name>"`` to a value; apply it with
    :func:`apply_threshold_overrides`. ``config_path`` is the file that was read, if any.
    """

    db_path: Path = DEFAULT_DB
    output_dir: Path = Path("output")
    offline: bool = False
    fred_api_key: str | None = field(default=None, repr=False)
    site_title: str = DEFAULT_SITE_TITLE
    base_url: str = ""
    sections: tuple[str, ...] = SECTIONS
    formats: tuple[str, ...] = FORMATS
    # Read-only and left out of the hash: a frozen Settings must not change after it is built.
    threshold_overrides: Mapping[str, ThresholdValue] = field(default_factory=_no_overrides,
                                                              hash=False)
    config_path: Path | None = None


# -- the file ------------------------------------------------------------------------------------
# Key in the file -> (Settings field, expected type). Tables are written "table.key".
_FILE_KEYS: dict[str, tuple[str, type]] = {
    "db_path": ("db_path", str),
    "output_dir": ("output_dir", str),
    "offline": ("offline", bool),
    "formats": ("formats", list),
    "site.title": ("site_title", str),
    "site.base_url": ("base_url", str),
    "site.sections": ("sections", list),
}
_TABLES = ("site", "thresholds")
_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list of strings"}


def find_config(env: Mapping[str, str], config_path: Path | str | None = None) -> Path | None:
    """The reportgen.toml to read: ``config_path``, else ``$REPORTGEN_CONFIG``, else
    ``./reportgen.toml`` when it exists, else ``None`` (defaults only).

    A file named explicitly (argument or environment) must exist.
    """
    named = config_path if config_path is not None else env.get(CONFIG_ENV) or None
    if named is not None:
        path = Path(named)
        if not path.is_file():
            origin = "" if config_path is not None else f" (from {CONFIG_ENV})"
            raise ConfigError(f"configuration file {path}{origin} does not exist; create it "
                              f"from reportgen.toml.example or unset {CONFIG_ENV}")
        return path
    default = Path(CONFIG_FILE)
    return default if default.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings a reportgen.toml holds, as ``Settings`` field names -> checked values.

    Relative paths in the file are taken relative to the file's folder, so a config named by
    ``REPORTGEN_CONFIG`` means the same thing from any working folder.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded); save "
                          "it as UTF-8 (TOML files must be UTF-8)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc

    values: dict[str, Any] = {}
    flat: dict[str, Any] = {}  # "site.title" -> value
    for key, entry in raw.items():
        if key in _TABLES and isinstance(entry, dict):
            if key == "thresholds":
                values["threshold_overrides"] = _read_thresholds(entry, path)
                continue
            flat.update({f"{key}.{sub}": v for sub, v in entry.items()})
        else:
            flat[key] = entry

    for key, item in flat.items():
        if key in ("fred_api_key", "FRED_API_KEY"):
            raise ConfigError(f"{path}: the FRED API key is not read from the file; set the "
                              "FRED_API_KEY environment variable (or a repository secret) instead")
        if key not in _FILE_KEYS:
            valid = ", ".join([*_FILE_KEYS, "thresholds.phase.<name>", "thresholds.signals.<name>"])
            raise ConfigError(f"{path}: unknown key {key!r}; valid keys are: {valid}")
        name, expected = _FILE_KEYS[key]
        # Any, not object: isinstance against a type held in a variable narrows to object.
        value: Any = item
        if not isinstance(item, expected):
            raise ConfigError(f"{path}: {key} must be {_TYPE_NAMES[expected]}, "
                              f"not {type(value).__name__} {value!r}")
        if name in ("db_path", "output_dir") and not value.strip():
            # "" would mean the folder of reportgen.toml itself: the project, not an output.
            raise ConfigError(f"{path}: {key} must not be empty; name a file or folder such as "
                              f"{'data/reportgen.sqlite' if name == 'db_path' else 'output'}")
        if name in ("db_path", "output_dir"):
            values[name] = path.parent / value if not Path(value).is_absolute() else Path(value)
        elif name in ("sections", "formats"):
            values[name] = _choices(key, value, path)
        elif name == "base_url":
            values[name] = _base_url(value, f"{path}: {key}")
        else:
            values[name] = value
    return values


def _read_thresholds(table: Mapping[str, Any], path: Path) -> dict[str, ThresholdValue]:
    overrides: dict[str, ThresholdValue] = {}
    for section, entries in table.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: thresholds.{section} must be a table such as "
                              f"[thresholds.phase] with name = value lines")
        for name, value in entries.items():
            if isinstance(value, dict | list):
                raise ConfigError(f"{path}: thresholds.{section}.{name} must be a number, "
                                  f"true/false or a string, not {type(value).__name__}")
            overrides[f"{section}.{name}"] = value
    # Check names and types now, so the error names the file rather than surfacing later.
    from reportgen.analysis.thresholds import DEFAULT

    apply_threshold_overrides(DEFAULT, overrides, source=str(path))
    return overrides


def _choices(key: str, value: list[Any], source: Path | str) -> tuple[str, ...]:
    valid = SECTIONS if key.endswith("sections") else FORMATS
    if not value:
        raise ConfigError(f"{source}: {key} must not be empty; choose from {', '.join(valid)}")
    for item in value:
        if item not in valid:
            raise ConfigError(f"{source}: {key} has unknown entry {item!r}; "
                              f"choose from {', '.join(valid)}")
    return tuple(value)


def _base_url(value: str, what: str) -> str:
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        raise ConfigError(f"{what} must be empty (relative links) or start with https:// or "
                          f"http://, not {value!r}")
    # Stored without the trailing slash so that templates can always write base_url + "/path".
    return value.rstrip("/")


# -- all layers ----------------------------------------------------------------------------------
def load_settings(
    overrides: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | str | None = None,
) -> Settings:
    """Build the settings: defaults <- reportgen.toml <- environment <- ``overrides``.

    Parameters
    ----------
    overrides
        The command-line flags, keyed by ``Settings`` field name; ``None`` values are flags that
        were not given and are ignored. ``threshold_overrides`` is merged into the file's.
    env
        The environment (default ``os.environ``): ``REPORTGEN_CONFIG``, ``REPORTGEN_DB``,
        ``REPORTGEN_OUTPUT``, ``REPORTGEN_BASE_URL``, ``REPORTGEN_SITE_TITLE``, ``FRED_API_KEY``.
        Empty variables count as unset.
    config_path
        A reportgen.toml to read instead of ``$REPORTGEN_CONFIG`` or ``./reportgen.toml``.

    Raises
    ------
    ConfigError
        The file is missing (when named), is not TOML, has an unknown key or a wrong type.

    Examples
    --------
    >>> load_settings({"db_path": "x.sqlite"}, env={}).db_path
    PosixPath('x.sqlite')
    """
    env = os.environ if env is None else env
    settings = Settings()

    path = find_config(env, config_path)
    if path is not None:
        settings = replace(settings, config_path=path, **read_config_file(path))

    from_env: dict[str, Any] = {}
    if env.get("REPORTGEN_DB"):
        from_env["db_path"] = Path(env["REPORTGEN_DB"])
    if env.get("REPORTGEN_OUTPUT"):
        from_env["output_dir"] = Path(env["REPORTGEN_OUTPUT"])
    if env.get("REPORTGEN_BASE_URL"):
        from_env["base_url"] = _base_url(env["REPORTGEN_BASE_URL"], "REPORTGEN_BASE_URL")
    if env.get("REPORTGEN_SITE_TITLE"):
        from_env["site_title"] = env["REPORTGEN_SITE_TITLE"]
    if env.get("FRED_API_KEY"):
        from_env["fred_api_key"] = env["FRED_API_KEY"].strip()
    settings = replace(settings, **from_env)

    given: dict[str, Any] = {k: v for k, v in (overrides or {}).items() if v is not None}
    known = {f.name for f in fields(Settings)}
    for key in given:
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}; valid settings are: "
                              f"{', '.join(sorted(known))}")
    for key in ("db_path", "output_dir", "config_path"):
        if key in given:
            if not str(given[key]).strip():
                raise ConfigError(f"the {key} given on the command line must not be empty")
            given[key] = Path(str(given[key]))
    for key in ("sections", "formats"):
        if key in given:
            given[key] = _choices(key, list(given[key]), "command line")
    if "base_url" in given:
        given["base_url"] = _base_url(str(given["base_url"]), "--base-url")
    if "threshold_overrides" in given:
        merged = {**settings.threshold_overrides, **given["threshold_overrides"]}
        from reportgen.analysis.thresholds import DEFAULT

        apply_threshold_overrides(DEFAULT, merged, source="command line")
        given["threshold_overrides"] = merged
    settings = replace(settings, **given)
    # From here on the key is scrubbed from every message and log record, in any encoding.
    redaction.register(settings.fred_api_key)
    frozen_overrides = MappingProxyType(dict(settings.threshold_overrides))
    return replace(settings, threshold_overrides=frozen_overrides)


# -- thresholds ----------------------------------------------------------------------------------
def apply_threshold_overrides(
    thresholds: Thresholds,
    overrides: Mapping[str, object],
    source: str = "threshold overrides",
) -> Thresholds:
    """``thresholds`` with the values of ``overrides`` put in, section by section.

    Parameters
    ----------
    thresholds
        The thresholds to start from (usually ``reportgen.analysis.thresholds.DEFAULT``).
    overrides
        ``"<section>.<name>" -> value``, e.g. ``{"phase.flat_band_bn": 15}``. A value must have
        the type of the default: an integer is accepted where a float is expected (and made a
        float), a boolean never stands for a number.
    source
        Where the overrides came from (a file name), for error messages.

    Returns
    -------
    Thresholds
        A new frozen object; ``thresholds`` is unchanged. No overrides returns it as it is.

    Raises
    ------
    ConfigError
        An unknown section or threshold name (the message lists the valid ones), or a value of
        the wrong type.
    """
    by_section: dict[str, dict[str, Any]] = {}
    section_names = [f.name for f in fields(thresholds)]
    for key, value in overrides.items():
        section_name, _, name = key.partition(".")
        if section_name not in section_names or not name:
            raise ConfigError(f"{source}: unknown threshold {key!r}; thresholds are named "
                              f"<section>.<name> with section one of {', '.join(section_names)}")
        section = getattr(thresholds, section_name)
        assert is_dataclass(section)
        valid = {f.name for f in fields(section)}
        if name not in valid:
            listed = ", ".join(sorted(valid)) or "(none defined yet)"
            raise ConfigError(f"{source}: unknown threshold {key!r}; valid {section_name} "
                              f"thresholds are: {listed}")
        by_section.setdefault(section_name, {})[name] = _check_type(
            key, value, getattr(section, name), source)
    if not by_section:
        return thresholds
    changed = {s: replace(getattr(thresholds, s), **values) for s, values in by_section.items()}
    result = replace(thresholds, **changed)
    _check_ordering(result, set(overrides), source)
    return result


# -- threshold ranges ----------------------------------------------------------------------------
# Counts of days / weeks / observations: a value past these would make a window longer than any
# data (or overflow a date), so it is refused rather than left to crash or stall the build.
_MAX_DAYS = 36_500
_MAX_WEEKS = 5_200
_MAX_COUNT = 10_000
_ZERO_ALLOWED = frozenset({"phase.fill_limit_weeks"})
# Shares and percentiles are fractions.
_FRACTION = ("_pct", "_weight", "confidence_", "substate_ratio")
# Thresholds measured from zero upwards (a negative one would flag every day): every signal
# level, z-score and ratio, and every phase pace but the runoff ones (declines, so negative).
_NON_NEGATIVE = ("_bp", "_bn", "_ratio", "_drop", "_pp", "_z")
_SIGNED = frozenset({f"phase.runoff_{k}_{e}_bn" for k in ("total", "treasury")
                     for e in ("entry", "exit")})

#: (lower, higher, why): the first must be below the second once overrides are applied.
_ORDER: tuple[tuple[str, str, str], ...] = (
    ("phase.confidence_medium", "phase.confidence_high", "medium confidence starts below high"),
    ("phase.short_weeks", "phase.long_weeks", "the short horizon is shorter than the long"),
    ("phase.runoff_veto_min_weeks", "phase.runoff_veto_weeks", "within the look-back"),
    *((f"phase.{k}_exit_bn", f"phase.{k}_entry_bn", "a phase is left below where it is entered")
      for k in ("qe_duration", "qe_total", "rmp_bills", "rmp_total")),
    *((f"phase.runoff_{k}_entry_bn", f"phase.runoff_{k}_exit_bn",
       "runoff is entered at a faster decline than it is left") for k in ("total", "treasury")),
    *((f"signals.{k}_elevated_{u}", f"signals.{k}_stressed_{u}", "elevated comes before stressed")
      for k, u in (("repo_spike", "bp"), ("repo_dispersion", "bp"), ("repo_gc", "bp"),
                   ("srf", "bn"), ("fails", "ratio"), ("vol", "pct"), ("vol", "bp"),
                   ("dealer", "pct"), ("dealer_build", "bn"), ("segments_spike", "bp"),
                   ("segments_level", "bp"), ("seclending", "ratio"), ("seclending", "pct"))),
    ("signals.composite_elevated", "signals.composite_stressed", "elevated comes before stressed"),
    # Reserves: lower is worse, so stressed is the lower percentile.
    ("signals.reserves_stressed_pct", "signals.reserves_elevated_pct",
     "stressed is a lower percentile than elevated"),
    ("signals.persist_min_days", "signals.persist_window_days", "within the look-back"),
    ("signals.auction_min_prior", "signals.auction_lookback", "within the look-back"),
    ("signals.auction_persist_weak", "signals.auction_persist_of", "within the look-back"),
)
#: Pairs where equality is allowed (counts within a window).
_ORDER_EQUAL_OK = frozenset({"phase.runoff_veto_min_weeks", "signals.persist_min_days",
                             "signals.auction_min_prior", "signals.auction_persist_weak"})


def _check_range(key: str, value: object, source: str) -> None:
    """Refuse a threshold value no analysis can use: NaN/inf, a negative or huge count, a
    fraction outside 0-1, a negative level where levels start at zero."""
    name = key.partition(".")[2]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    def refuse(why: str) -> None:
        raise ConfigError(f"{source}: threshold {key} = {value!r} is out of range: {why}")

    if isinstance(value, float) and not math.isfinite(value):
        refuse("it must be a finite number")
    if isinstance(value, int):
        top = _MAX_DAYS if "days" in name else _MAX_WEEKS if "weeks" in name else _MAX_COUNT
        bottom = 0 if key in _ZERO_ALLOWED else 1
        if not bottom <= value <= top:
            refuse(f"it must be a whole number from {bottom} to {top}")
        if key == "signals.auction_weak_criteria" and value > 3:
            refuse("there are three criteria")
        return
    if any(part in name for part in _FRACTION):
        if not 0.0 <= value <= 1.0:
            refuse("it is a fraction from 0 to 1")
    elif key.startswith("signals.composite_") and not 0.0 <= value <= 100.0:
        refuse("the composite index runs from 0 to 100")
    elif key not in _SIGNED and name.endswith(_NON_NEGATIVE) and value < 0:
        refuse("it must be zero or more")
    elif abs(value) > 1e9:
        refuse("it is far beyond any balance-sheet figure")


def _check_ordering(thresholds: Thresholds, given: set[str], source: str) -> None:
    for low, high, why in _ORDER:
        if low not in given and high not in given:
            continue
        lo_value = getattr(getattr(thresholds, low.split(".")[0]), low.split(".")[1])
        hi_value = getattr(getattr(thresholds, high.split(".")[0]), high.split(".")[1])
        ok = lo_value <= hi_value if low in _ORDER_EQUAL_OK else lo_value < hi_value
        if not ok:
            raise ConfigError(
                f"{source}: thresholds {low} = {lo_value!r} and {high} = {hi_value!r} are in the "
                f"wrong order: {low} must be {'at most' if low in _ORDER_EQUAL_OK else 'below'} "
                f"{high} ({why})"
            )


def _check_type(key: str, value: object, default: object, source: str) -> object:
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(default, bool) and isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float)
        value = float(value) if ok else value  # type: ignore[arg-type]
    elif isinstance(default, tuple) and isinstance(value, list):
        value, ok = tuple(value), True
    else:
        ok = default is None or isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{source}: threshold {key} must be {type(default).__name__} like its "
                          f"default {default!r}, not {type(value).__name__} {value!r}")
    _check_range(key, value, source)
    return value


def thresholds_in_force(settings: Settings) -> Thresholds:
    """The thresholds a command uses: the defaults with the settings' overrides applied (the
    same for ``build``, ``assess``, ``signals`` and ``phases``)."""
    from reportgen.analysis.thresholds import DEFAULT

    return apply_threshold_overrides(DEFAULT, settings.threshold_overrides)
