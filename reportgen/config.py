"""Settings: defaults <- reportgen.toml <- environment <- CLI flags, frozen once built.

(Minimal for now: the store location. Extended with reportgen.toml by the publishing work.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DB = Path("data") / "reportgen.sqlite"


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    output_dir: Path = Path("output")
    offline: bool = False
    fred_api_key: str | None = field(default=None, repr=False)


def load_settings(
    overrides: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings: defaults, then the environment, then ``overrides`` (CLI flags)."""
    env = os.environ if env is None else env
    settings = Settings()
    if env.get("REPORTGEN_DB"):
        settings = replace(settings, db_path=Path(env["REPORTGEN_DB"]))
    if env.get("FRED_API_KEY"):
        settings = replace(settings, fred_api_key=env["FRED_API_KEY"])
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if "db_path" in given:
        given["db_path"] = Path(str(given["db_path"]))
    return replace(settings, **given)  # type: ignore[arg-type]
