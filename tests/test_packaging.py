"""The Vega runtime ships inside the package: setup.py's build step writes it, a build copies
it into the site (never bundles it), and a checkout without it still builds."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from reportgen.site import assets, vega_runtime

ROOT = Path(__file__).resolve().parents[1]


def load_setup() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reportgen_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the command; setup() runs only as __main__
    return module


def test_the_build_step_writes_the_runtime_into_the_package(tmp_path: Path) -> None:
    from setuptools.dist import Distribution

    setup = load_setup()
    command = setup.BuildPyWithVegaRuntime(Distribution({"name": "reportgen"}))
    command.initialize_options()
    command.finalize_options()
    command.build_lib = str(tmp_path)
    command.run()
    written = tmp_path / "reportgen" / "site" / vega_runtime.RUNTIME_FILE
    data = written.read_bytes()
    assert data.startswith(vega_runtime.marker())
    assert b"window.vegaEmbed" in data and len(data) > 500_000


def test_the_wheel_lists_the_runtime_and_setuptools_runs_the_step() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "site/vega-runtime.js" in pyproject["tool"]["setuptools"]["package-data"]["reportgen"]
    assert any(r.startswith("vl-convert-python") for r in pyproject["build-system"]["requires"])
    assert "/reportgen/site/vega-runtime.js" in (ROOT / ".gitignore").read_text().splitlines()


def test_a_build_copies_the_packaged_runtime(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    packaged = tmp_path / vega_runtime.RUNTIME_FILE
    packaged.write_bytes(b"/* reportgen vega-runtime: vega 9, vega-lite 9, vega-embed 9 */\n"
                         b"window.vegaEmbed = 1;\n")
    monkeypatch.setattr(vega_runtime, "packaged_path", lambda: packaged)
    monkeypatch.setattr(vega_runtime, "bundle", lambda: pytest.fail("bundled during a build"))
    asset = assets.vega_runtime_asset()
    assert asset.marker == b"/* reportgen vega-runtime: vega 9, vega-lite 9, vega-embed 9 */\n"
    assert asset.produce() == packaged.read_bytes()
    assert assets.vega_runtime_marker() == asset.marker


def test_without_a_packaged_runtime_a_build_bundles_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vega_runtime, "packaged_path", lambda: tmp_path / "absent.js")
    asset = assets.vega_runtime_asset()
    assert asset.marker == vega_runtime.marker()
    monkeypatch.setattr(vega_runtime, "bundle", lambda: b"bundled now")
    assert asset.produce() == b"bundled now"


def test_the_packaged_runtime_draws_this_altair_s_specs() -> None:
    """When present (an installed or `make`-built checkout), the shipped Vega-Lite has the
    major version of the specs Altair writes."""
    import altair as alt

    path = vega_runtime.packaged_path()
    if not path.is_file():
        pytest.skip("no packaged runtime in this checkout (make vega-runtime writes it)")
    first = path.open("rb").readline().decode()
    vega_lite = first.split("vega-lite ", 1)[1].split(",", 1)[0]
    assert vega_lite.split(".")[0] == alt.SCHEMA_VERSION.lstrip("v").split(".")[0], first
