"""The shared files under ``assets/``: the Vega runtime (served by the site itself, so a briefing
needs no CDN and works offline) and the stylesheets the templates link.

The runtime ships inside the package (``reportgen/site/vega-runtime.js``, written when the
package is built or installed: see :mod:`reportgen.site.vega_runtime`), so a build only copies
it: its first line names the bundled versions, and a site whose copy starts with the same
line keeps it. Only a source checkout that was never installed (no packaged file) bundles it
during the build, as before (about 1 s, once per site); ``make vega-runtime`` writes it.
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import RenderError
from reportgen.site import vega_runtime
from reportgen.site.writer import Asset, templates_root

VEGA_RUNTIME = vega_runtime.RUNTIME_FILE
SITE_CSS = "site.css"


def _packaged_marker() -> bytes | None:
    path = vega_runtime.packaged_path()
    try:
        with open(path, "rb") as handle:
            first = handle.readline(4096)
    except OSError:
        return None
    return first if first.startswith(b"/* reportgen vega-runtime:") else None


def vega_runtime_marker() -> bytes:
    """The first line of ``assets/vega-runtime.js``: the bundled library versions (those of
    the packaged runtime, else of the installed vl-convert)."""
    return _packaged_marker() or vega_runtime.marker()


def _bundle_now() -> bytes:
    try:
        return vega_runtime.bundle()
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError
        raise RenderError(f"cannot bundle the Vega runtime with vl-convert: {exc}; "
                          "reinstall vl-convert-python") from exc


def vega_runtime_asset() -> Asset:
    """``assets/vega-runtime.js``: the packaged runtime, copied when the site's differs."""
    marker = _packaged_marker()
    if marker is None:
        return Asset(VEGA_RUNTIME, _bundle_now, marker=vega_runtime.marker())
    path = vega_runtime.packaged_path()

    def produce() -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise RenderError(f"cannot read the packaged Vega runtime {path}: {exc}; "
                              "reinstall reportgen") from exc

    return Asset(VEGA_RUNTIME, produce, marker=marker)


def file_asset(name: str, path: Path) -> Asset:
    """``assets/<name>`` copied from ``path`` (rewritten only when its content changed)."""

    def produce() -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise RenderError(f"cannot read the asset {path}: {exc}") from exc

    return Asset(name, produce)


def css_assets() -> tuple[Asset, ...]:
    """Every stylesheet the templates link: ``templates/site/site.css`` and each ``*.css`` the
    briefing templates ship (``templates/**/*.css``), published flat under ``assets/``."""
    root = templates_root()
    found: dict[str, Path] = {}
    for css in sorted(root.rglob("*.css")):
        found.setdefault(css.name, css)
    return tuple(file_asset(name, path) for name, path in sorted(found.items()))


def site_assets() -> tuple[Asset, ...]:
    return (vega_runtime_asset(), *css_assets())
