"""Settings: defaults <- reportgen.toml <- environment <- flags, and threshold overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reportgen.analysis.thresholds import DEFAULT, threshold
from reportgen.config import (
    _FILE_KEYS,
    DEFAULT_SITE_TITLE,
    FORMATS,
    SECTIONS,
    Settings,
    apply_threshold_overrides,
    load_settings,
)
from reportgen.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "reportgen.toml.example"
KEY = "0123456789abcdef0123456789abcdef"


def write(tmp_path: Path, text: str, name: str = "reportgen.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- a stand-in for analysis/thresholds.py, whose fields other modules are still adding ---------
@dataclass(frozen=True)
class _Phase:
    flat_band_bn: float = threshold(10.0, "band around zero, billions USD a month")
    min_weeks: int = threshold(4, "weeks a phase must hold")
    use_announced: bool = threshold(True, "weigh FOMC announcements")


@dataclass(frozen=True)
class _Signals:
    spike_bp: float = threshold(5.0, "SOFR - IORB spike, basis points")


@dataclass(frozen=True)
class _Thresholds:
    phase: _Phase = field(default_factory=_Phase)
    signals: _Signals = field(default_factory=_Signals)


def fake_thresholds() -> Any:
    """The stand-in, typed Any: it has the shape of Thresholds but not its (changing) fields."""
    return _Thresholds()


def test_defaults_without_file_or_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.site_title == DEFAULT_SITE_TITLE
    assert settings.base_url == ""
    assert settings.sections == SECTIONS
    assert settings.formats == FORMATS == ("html", "pdf", "json")
    assert dict(settings.threshold_overrides) == {}
    assert settings.config_path is None


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    config = write(tmp_path, """
db_path = "file.sqlite"
output_dir = "/srv/site"
[site]
title = "From the file"
base_url = "https://file.example/reportgen/"
sections = ["front", "phase"]
""")
    only_file = load_settings(env={}, config_path=config)
    # Relative paths are taken from the file's folder, absolute ones as they are.
    assert only_file.db_path == tmp_path / "file.sqlite"
    assert only_file.output_dir == Path("/srv/site")
    assert only_file.site_title == "From the file"
    assert only_file.base_url == "https://file.example/reportgen"  # trailing slash dropped
    assert only_file.sections == ("front", "phase")
    assert only_file.formats == FORMATS  # not in the file: the default
    assert only_file.config_path == config

    env = {"REPORTGEN_DB": "env.sqlite", "REPORTGEN_SITE_TITLE": "From the environment",
           "REPORTGEN_BASE_URL": "https://env.example", "REPORTGEN_OUTPUT": "env-out"}
    with_env = load_settings(env=env, config_path=config)
    assert with_env.db_path == Path("env.sqlite")
    assert with_env.output_dir == Path("env-out")
    assert with_env.site_title == "From the environment"
    assert with_env.base_url == "https://env.example"
    assert with_env.sections == ("front", "phase")  # the environment does not set it

    with_flags = load_settings({"db_path": "flag.sqlite", "output_dir": None,
                                "formats": ["pdf"]}, env=env, config_path=config)
    assert with_flags.db_path == Path("flag.sqlite")
    assert with_flags.output_dir == Path("env-out")  # None = flag not given
    assert with_flags.formats == ("pdf",)


def test_config_found_in_working_folder_or_named_by_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[site]\ntitle = "Working folder"\n')
    other = write(tmp_path, '[site]\ntitle = "Named"\n', name="other.toml")
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).site_title == "Working folder"
    assert load_settings(env={"REPORTGEN_CONFIG": str(other)}).site_title == "Named"
    # An explicit path wins over the environment.
    explicit = load_settings(env={"REPORTGEN_CONFIG": str(other)},
                             config_path=tmp_path / "reportgen.toml")
    assert explicit.site_title == "Working folder"


def test_named_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml \(from REPORTGEN_CONFIG\) does not exist"):
        load_settings(env={"REPORTGEN_CONFIG": str(missing)})
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist"):
        load_settings(env={}, config_path=missing)


def test_unknown_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, '[site]\ntitel = "typo"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, config_path=config)
    assert "'site.titel'" in info.value.message
    assert str(config) in info.value.message
    assert "site.title" in info.value.message  # the valid keys are listed


@pytest.mark.parametrize(("text", "fragment"), [
    ("offline = \"yes\"", "offline must be true or false, not str 'yes'"),
    ("db_path = 3", "db_path must be a string, not int 3"),
    ("formats = \"pdf\"", "formats must be a list of strings"),
    ("formats = [\"pdf\", \"docx\"]", "formats has unknown entry 'docx'"),
    ("[site]\nsections = [\"front\", \"weather\"]", "site.sections has unknown entry 'weather'"),
    ("[site]\nsections = []", "site.sections must not be empty"),
    ("[site]\nbase_url = \"example.org\"", "site.base_url must be empty (relative links)"),
    ("[thresholds]\nphase = 3", "thresholds.phase must be a table"),
])
def test_wrong_type_names_the_key_and_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    config = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, config_path=config)
    assert fragment in info.value.message
    assert str(config) in info.value.message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, "db_path = \n")
    with pytest.raises(ConfigError, match=r"reportgen\.toml is not valid TOML"):
        load_settings(env={}, config_path=config)


def test_fred_key_is_refused_in_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, f'fred_api_key = "{KEY}"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, config_path=config)
    assert "FRED_API_KEY environment variable" in info.value.message
    assert KEY not in info.value.message


def test_fred_key_comes_from_environment_and_is_hidden_from_repr(tmp_path: Path) -> None:
    settings = load_settings(env={"FRED_API_KEY": KEY}, config_path=write(tmp_path, ""))
    assert settings.fred_api_key == KEY
    assert KEY not in repr(settings)
    assert KEY not in str(settings)
    assert "fred_api_key" not in repr(settings)


def test_empty_environment_variables_count_as_unset(tmp_path: Path) -> None:
    # A workflow without the FRED_API_KEY secret passes an empty string.
    settings = load_settings(env={"FRED_API_KEY": "", "REPORTGEN_DB": "", "REPORTGEN_BASE_URL": ""},
                             config_path=write(tmp_path, ""))
    assert settings.fred_api_key is None
    assert settings.db_path == Settings().db_path
    assert settings.base_url == ""


def test_unknown_override_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings({"colour": "blue"}, env={})


def test_settings_are_frozen_and_hashable(tmp_path: Path) -> None:
    settings = load_settings(env={}, config_path=write(tmp_path, ""))
    with pytest.raises(AttributeError):
        settings.base_url = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.threshold_overrides["phase.x"] = 1  # type: ignore[index]
    hash(settings)


# -- thresholds ----------------------------------------------------------------------------------
def test_threshold_override_replaces_only_the_named_values() -> None:
    base = fake_thresholds()
    overrides = {"phase.flat_band_bn": 25, "signals.spike_bp": 7.5}
    result: Any = apply_threshold_overrides(base, overrides)
    assert result.phase.flat_band_bn == 25.0
    assert isinstance(result.phase.flat_band_bn, float)  # an int is accepted for a float
    assert result.phase.min_weeks == 4
    assert result.signals.spike_bp == 7.5
    assert base.phase.flat_band_bn == 10.0  # the original is untouched
    assert apply_threshold_overrides(base, {}) is base


def test_unknown_threshold_lists_the_valid_names() -> None:
    with pytest.raises(ConfigError) as info:
        apply_threshold_overrides(fake_thresholds(), {"phase.flat_band": 3}, source="my.toml")
    message = info.value.message
    assert message.startswith("my.toml: unknown threshold 'phase.flat_band'")
    assert "flat_band_bn, min_weeks, use_announced" in message
    with pytest.raises(ConfigError, match="section one of phase, signals"):
        apply_threshold_overrides(fake_thresholds(), {"weather.rain": 1})


@pytest.mark.parametrize(("key", "value"), [
    ("phase.min_weeks", 2.5),      # float for an int
    ("phase.min_weeks", True),     # a boolean never stands for a number
    ("phase.use_announced", 1),    # a number never stands for a boolean
    ("signals.spike_bp", "five"),
])
def test_threshold_of_the_wrong_type_is_an_error(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"threshold {key} must be"):
        apply_threshold_overrides(fake_thresholds(), {key: value})


def test_thresholds_in_the_file_are_checked_against_the_real_thresholds(tmp_path: Path) -> None:
    config = write(tmp_path, "[thresholds.phase]\nno_such_threshold = 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, config_path=config)
    assert "unknown threshold 'phase.no_such_threshold'" in info.value.message
    assert str(config) in info.value.message


def test_a_real_threshold_can_be_overridden_from_the_file(tmp_path: Path) -> None:
    rows = [(section, name) for section in ("phase", "signals")
            for name in getattr(DEFAULT, section).__dataclass_fields__]
    if not rows:
        pytest.skip("no thresholds are defined yet in reportgen/analysis/thresholds.py")
    section, name = rows[0]
    default = getattr(getattr(DEFAULT, section), name)
    if isinstance(default, bool):
        value: object = not default
    elif isinstance(default, int | float):
        value = default + 1
    else:
        pytest.skip(f"{section}.{name} is neither a number nor a boolean")
    toml_value = str(value).lower() if isinstance(value, bool) else repr(value)
    config = write(tmp_path, f"[thresholds.{section}]\n{name} = {toml_value}\n")
    settings = load_settings(env={}, config_path=config)
    assert dict(settings.threshold_overrides) == {f"{section}.{name}": value}
    applied = apply_threshold_overrides(DEFAULT, settings.threshold_overrides)
    assert getattr(getattr(applied, section), name) == value


# -- the example file ----------------------------------------------------------------------------
def test_example_file_documents_every_key_and_holds_the_defaults() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in _FILE_KEYS:
        table, _, name = key.rpartition(".")
        if table:
            assert f"[{table}]" in text, f"reportgen.toml.example lacks the [{table}] table"
        assert f"\n{name} = " in text, f"reportgen.toml.example does not document {key}"
    for env_name in ("REPORTGEN_CONFIG", "REPORTGEN_DB", "REPORTGEN_OUTPUT",
                     "REPORTGEN_BASE_URL", "REPORTGEN_SITE_TITLE", "FRED_API_KEY"):
        assert env_name in text
    settings = load_settings(env={}, config_path=EXAMPLE)
    defaults = Settings()
    assert settings.db_path == EXAMPLE.parent / defaults.db_path
    assert settings.output_dir == EXAMPLE.parent / defaults.output_dir
    for name in ("offline", "site_title", "base_url", "sections", "formats"):
        assert getattr(settings, name) == getattr(defaults, name), name
