"""The floor of a build: only the work no build of the same document can avoid, in one process.

    python tests/bench_floor.py SPECS_JSON PRINT_HTML CSS BASE_URL OUT_PDF

It imports vl-convert and WeasyPrint, converts each chart spec of SPECS_JSON (name -> the
static Vega-Lite spec the build sends to the print worker) to SVG, puts each SVG into
PRINT_HTML as the build does (gradients drawn as stripes, a ``data:`` URI in place of
``reportgen-floor-svg-NAME``), lays it out with the print stylesheet CSS and writes OUT_PDF,
then ends the process at once (as ``reportgen`` does). Of reportgen it imports only the
gradient fix (a standard-library module), so the SVGs are the build's byte for byte: no
pandas, no Altair, no analysis, no site. tests/test_bench_build.py produces the inputs from a
real build and times this script against ``reportgen build`` in alternated rounds.
"""

from __future__ import annotations

import base64
import json
import os
import sys

import vl_convert
import weasyprint

from reportgen.render.svg_worker import flatten_gradients


def main(specs_path: str, html_path: str, css: str, base_url: str, out: str) -> None:
    with open(specs_path, encoding="utf-8") as handle:
        specs = json.load(handle)
    with open(html_path, encoding="utf-8") as handle:
        html = handle.read()
    for name, spec in specs.items():
        svg = flatten_gradients(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]))
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()
        html = html.replace(f"reportgen-floor-svg-{name}", uri)
    weasyprint.HTML(string=html, base_url=base_url).write_pdf(
        out, stylesheets=[weasyprint.CSS(filename=css)])
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(*sys.argv[1:6])
