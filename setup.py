"""Packaging hook: the Vega runtime is bundled into the package when it is built or installed.

Everything else about the package is in pyproject.toml. ``build_py`` runs
``reportgen/site/vega_runtime.py`` (loaded by path: the build environment has vl-convert, not
reportgen's other dependencies) and writes ``reportgen/site/vega-runtime.js`` into the wheel,
or, for an editable install (``pip install -e``, ``make``), into the source tree, so that no
user's first build spends a second and 126 MiB bundling it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _vega_runtime() -> ModuleType:
    path = HERE / "reportgen" / "site" / "vega_runtime.py"
    spec = importlib.util.spec_from_file_location("_reportgen_vega_runtime", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithVegaRuntime(build_py):
    """``build_py``, then the packaged Vega runtime beside ``reportgen/site/assets.py``."""

    def run(self) -> None:
        super().run()
        runtime = _vega_runtime()
        if getattr(self, "editable_mode", False):
            folder = HERE / "reportgen" / "site"
        else:
            folder = Path(self.build_lib) / "reportgen" / "site"
        written = runtime.write(folder / runtime.RUNTIME_FILE)
        print(f"reportgen: bundled the Vega runtime into {written}")


if __name__ == "__main__":  # the build backend runs this file as __main__; tests import it
    setup(cmdclass={"build_py": BuildPyWithVegaRuntime})
