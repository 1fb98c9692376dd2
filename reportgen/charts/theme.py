"""The one chart theme of the briefing, registered with Altair and enabled on import.

Every chart in the HTML and the PDF goes through this theme, so fonts, colours, axis styles and
the default size are decided here and nowhere else. Colours are named in ``PALETTE`` so that the
chart functions refer to meanings ("bills", "stress") rather than hex codes.
"""

from __future__ import annotations

import altair as alt

THEME_NAME = "reportgen"

FONT = "'Liberation Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif"

# Default plot size for the static (PDF) rendering; the HTML makes charts fill their container.
WIDTH = 620
HEIGHT = 200

PALETTE: dict[str, str] = {
    "ink": "#1d2733",
    "muted": "#6b7480",
    "grid": "#e6e8eb",
    "primary": "#1f4e79",
    "secondary": "#c2762a",
    "tertiary": "#5b8c5a",
    "quaternary": "#8e6c9e",
    # holdings composition
    "bills": "#2f6f9f",
    "coupons": "#a9c1d9",
    "mbs": "#d2b48c",
    # traffic lights
    "green": "#2e7d32",
    "amber": "#d08c10",
    "red": "#b8322a",
    "grey": "#9aa1a9",
    # calendar windows and bands
    "calendar": "#f1e7c6",
    "band_outer": "#dbe6f1",
    "band_inner": "#a9c1d9",
}

# Background shading of the balance-sheet phases (0 runoff .. 3 full QE): light, distinct tints.
PHASE_COLORS: dict[int, str] = {
    0: "#f4dcd8",
    1: "#e9e9e4",
    2: "#dcebd9",
    3: "#d6e3f3",
}

STATUS_COLORS: dict[str, str] = {
    "green": PALETTE["green"],
    "amber": PALETTE["amber"],
    "red": PALETTE["red"],
    "unavailable": PALETTE["grey"],
}


def theme_config() -> alt.theme.ThemeConfig:
    """The theme as a Vega-Lite config: quiet grid, readable type, no chart border."""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "background": "#ffffff",
        "padding": {"left": 4, "right": 12, "top": 6, "bottom": 4},
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "title": {
                "font": FONT,
                "fontSize": 13,
                "fontWeight": 600,
                "color": PALETTE["ink"],
                "anchor": "start",
                "subtitleFontSize": 11,
                "subtitleColor": PALETTE["muted"],
                "offset": 8,
            },
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 10,
                "titleFontSize": 10,
                "titleFontWeight": 400,
                "labelColor": PALETTE["muted"],
                "titleColor": PALETTE["muted"],
                "gridColor": PALETTE["grid"],
                "domainColor": "#b9bfc6",
                "tickColor": "#b9bfc6",
            },
            "axisX": {"grid": False, "labelAngle": 0, "labelFlush": True},
            "axisY": {"domain": False, "ticks": False, "labelPadding": 4, "tickCount": 5},
            "legend": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 10,
                "titleFontSize": 10,
                "orient": "top",
                "direction": "horizontal",
                "symbolSize": 80,
                "labelColor": PALETTE["ink"],
                # Room for the longest label ("Notes, bonds and other coupons") even in a
                # wider fallback font, and space between entries so swatches never touch
                # the label before them.
                "labelLimit": 280,
                "columnPadding": 14,
                "title": None,
            },
            # Lines and areas break where a value is missing (the chart functions put an
            # empty row in every gap): a straight segment across months without data would
            # read as data.
            "line": {"strokeWidth": 1.8, "invalid": "break-paths-filter-domains"},
            "area": {"invalid": "break-paths-filter-domains"},
            "text": {"font": FONT, "fontSize": 10, "color": PALETTE["ink"]},
            "range": {
                "category": [PALETTE["primary"], PALETTE["secondary"], PALETTE["tertiary"],
                             PALETTE["quaternary"], PALETTE["muted"]],
            },
        },
    }


@alt.theme.register(THEME_NAME, enable=True)
def _reportgen_theme() -> alt.theme.ThemeConfig:
    return theme_config()


def enable() -> None:
    """Make the briefing theme the active one (idempotent; importing this module does it too)."""
    alt.theme.enable(THEME_NAME)
