"""Rendering: the Jinja environment, the template context, the HTML and PDF editions.

This module itself imports only the standard library: the print worker
(:mod:`reportgen.render.svg_worker`) and a build's first step use it without loading Jinja or
Altair.
"""

from __future__ import annotations

from pathlib import Path

#: The print edition's stylesheet, in :func:`templates_dir`.
PRINT_CSS = "print.css"


def templates_dir() -> Path:
    """The templates folder: ``reportgen/templates`` when installed, else ``templates/`` at the
    top of the source checkout (the same rule as the site writer)."""
    packaged = Path(__file__).resolve().parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def print_css() -> str:
    """The path of the print stylesheet."""
    return str(templates_dir() / PRINT_CSS)
