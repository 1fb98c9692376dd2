"""The web edition: one HTML page with interactive Altair charts and no CDN.

Charts are embedded as Vega-Lite JSON specs (data inline) and drawn by ``vegaEmbed`` from the
site's own ``assets/vega-runtime.js``, linked once per page. Each spec is made responsive here
(width of its container) so the same chart function serves the PDF (fixed width) and the web.

Example
-------
>>> html = render_briefing_html(context, charts, "../../assets/", "data/")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from reportgen.charts.base import chart_spec
from reportgen.errors import RenderError
from reportgen.render import templates_dir

TEMPLATE = "briefing.html"


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """Jinja environment of the briefing: autoescaping on, a missing key is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def responsive_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` that fills its container's width (the height stays as drawn)."""
    out = dict(spec)
    out["width"] = "container"
    out["autosize"] = {"type": "fit-x", "contains": "padding", "resize": True}
    return out


def script_json(value: Any) -> Markup:
    """JSON safe inside a ``<script>`` element (no ``</script>`` or HTML comment can appear)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def chart_specs(charts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Responsive Vega-Lite specs of ``charts`` keyed by name."""
    return {name: responsive_spec(chart_spec(bundle.chart)) for name, bundle in charts.items()}


def render(context: Mapping[str, Any], **extra: Any) -> str:
    """Render the briefing template with ``context`` plus ``extra`` (edition-specific keys)."""
    env = template_environment()
    try:
        return env.get_template(TEMPLATE).render(**context, **extra)
    except jinja2.UndefinedError as exc:
        raise RenderError(f"the briefing template needs a value the context lacks: {exc}; "
                          "check reportgen/render/context.py") from exc
    except jinja2.TemplateError as exc:
        raise RenderError(f"cannot render {TEMPLATE}: {exc}") from exc


def render_briefing_html(context: Mapping[str, Any], charts: Mapping[str, Any],
                         asset_prefix: str, csv_prefix: str) -> str:
    """The web edition of the briefing.

    Parameters
    ----------
    context : from :func:`reportgen.render.context.build_context`.
    charts : the chart bundles (their specs are embedded, data inline).
    asset_prefix : relative path to the site's ``assets/`` folder, ending in ``/``.
    csv_prefix : relative path to the folder of the chart CSVs, ending in ``/``.
    """
    try:
        specs = chart_specs(charts)
    except Exception as exc:  # Altair raises schema errors of its own classes
        raise RenderError(f"cannot serialise a chart to Vega-Lite: {exc}") from exc
    return render(context, mode="html", asset_prefix=asset_prefix, csv_prefix=csv_prefix,
                  specs_json=script_json(specs), svgs={})
