"""The shared files under ``assets/``: the Vega runtime (served by the site itself, so a briefing
needs no CDN and works offline) and the stylesheets the templates link.

``vl_convert.javascript_bundle()`` takes about 3 s, so the runtime is written once per Vega
version: the file starts with a marker naming the versions, and a build that finds the same
marker keeps the file.
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import RenderError
from reportgen.site.writer import Asset, templates_root

VEGA_RUNTIME = "vega-runtime.js"
SITE_CSS = "site.css"


def vega_runtime_marker() -> bytes:
    """The first line of ``assets/vega-runtime.js``: the bundled library versions."""
    import vl_convert

    vl = vl_convert.get_vegalite_versions()[-1]
    return (
        f"/* reportgen vega-runtime: vega {vl_convert.get_vega_version()}, vega-lite {vl}, "
        f"vega-embed {vl_convert.get_vega_embed_version()} */\n"
    ).encode()


def _vega_runtime() -> bytes:
    import vl_convert

    try:
        bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # snippet is optional
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError
        raise RenderError(f"cannot bundle the Vega runtime with vl-convert: {exc}; "
                          "reinstall vl-convert-python") from exc
    return vega_runtime_marker() + bundle.encode("utf-8")


def vega_runtime_asset() -> Asset:
    return Asset(VEGA_RUNTIME, _vega_runtime, marker=vega_runtime_marker())


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
