"""Vega-Lite to SVG, run in a worker process.

vl-convert holds the GIL while it renders, so threads would only take turns with the rest of the
build; a separate process renders on the second core. The module imports nothing of reportgen's
so that the worker starts quickly.
"""

from __future__ import annotations

from typing import Any


def to_svg(spec: dict[str, Any]) -> str:
    """SVG markup of a Vega-Lite ``spec`` (no base URLs: a chart can never reach the network)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]))
