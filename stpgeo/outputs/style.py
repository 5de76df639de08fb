"""How the map looks: verdict colours, share classes and line styles, in one place.

The colours are Paul Tol's colour-blind-safe schemes: his high-contrast red and
yellow for the two kinds of mismatch (they differ in lightness too, so they also
survive greyscale printing) and a pale blue for wards that are fine; the share
of residents outside the home footprint is a light-to-dark sequential scale
(ColorBrewer YlOrBr), readable by lightness alone. Pieces the analysis marks
``uncertain`` (they may come only from boundary generalisation) are hatched.

The JavaScript receives these values as JSON, and the legend is drawn from them,
so the map and its legend cannot disagree.
"""

from __future__ import annotations

from typing import Any

#: Fill colour and label of each verdict, in legend order.
VERDICTS: dict[str, dict[str, str]] = {
    "within": {"colour": "#77AADD", "label": "within the council's home footprint"},
    "split": {"colour": "#DDAA33", "label": "split: partly outside the home footprint"},
    "outside_home": {"colour": "#BB5566", "label": "wholly outside the home footprint"},
    "no_footprint": {"colour": "#555555", "label": "in no footprint"},
    "unknown_council": {"colour": "#FFFFFF", "label": "council unknown"},
}

#: Upper bounds of the classes of share outside the home footprint, and their colours.
SHARE_BOUNDS = (0.0, 0.05, 0.25, 0.5, 0.75, 1.0)
SHARE_COLOURS = ("#FFFFE5", "#FEE391", "#FEC44F", "#FE9929", "#CC4C02", "#662506")
SHARE_LABELS = ("none", "up to 5%", "5–25%", "25–50%", "50–75%", "over 75%")

#: Ward fill and border.
WARD = {"weight": 0.6, "color": "#444444", "opacity": 0.8, "fillOpacity": 0.65}
WARD_HOVER = {"weight": 3, "color": "#000000", "opacity": 1}
#: Outlines: the chosen council heavy, other councils lighter, then footprint layers.
COUNCIL_FOCUS = {"weight": 5, "color": "#000000", "opacity": 0.9, "fill": False}
COUNCIL = {"weight": 2, "color": "#000000", "opacity": 0.7, "fill": False}
FOOTPRINTS = (
    {"weight": 3, "color": "#AA3377", "opacity": 0.95, "fill": False},
    {"weight": 2, "color": "#004488", "opacity": 0.9, "fill": False, "dashArray": "6 4"},
    {"weight": 1.5, "color": "#228833", "opacity": 0.9, "fill": False, "dashArray": "2 4"},
)
UNCERTAIN = {"weight": 1, "color": "#000000", "opacity": 0.8, "dashArray": "3 3",
             "fillColor": "url(#stpgeo-hatch)", "fillOpacity": 1}

#: Deciles of deprivation, 1 (most deprived) to 10: viridis, dark to light (readable by
#: lightness alone and colour-blind safe).
DECILE_COLOURS = ("#440154", "#482878", "#3E4989", "#31688E", "#26828E", "#1F9E89",
                  "#35B779", "#6ECE58", "#B5DE2B", "#FDE725")
DECILE_LABELS = ("1: most deprived 10%", *(str(d) for d in range(2, 10)),
                 "10: least deprived 10%")
#: Block (neighbourhood) fill and border.
BLOCK = {"weight": 0.3, "color": "#FFFFFF", "opacity": 0.7, "fillOpacity": 0.85}
#: GP practices: one colour per CCG (Paul Tol's bright and vibrant schemes), a black ring
#: for a practice whose CCG is not its council's home.
CCG_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
               "#EE7733", "#0077BB", "#009988")
PRACTICE = {"radius": 4.5, "weight": 0.8, "color": "#333333", "opacity": 0.9, "fillOpacity": 0.9}
PRACTICE_AWAY = {"radius": 5.5, "weight": 2.5, "color": "#000000", "opacity": 1}

#: Panes (stacking order): wards under hatching under footprints and council outlines,
#: GP practices on top.
PANES = {"stpgeo-wards": 410, "stpgeo-uncertain": 420, "stpgeo-footprints-2": 425,
         "stpgeo-footprints-1": 430, "stpgeo-councils": 435, "stpgeo-footprints-0": 440,
         "stpgeo-practices": 450}


def footprint_style(position: int) -> dict[str, Any]:
    """The outline style of the ``position``-th footprint layer (0 = the primary one)."""
    return FOOTPRINTS[min(position, len(FOOTPRINTS) - 1)]


def for_javascript() -> dict[str, Any]:
    """Everything the map's JavaScript needs to colour the wards."""
    return {"verdicts": VERDICTS, "shareBounds": SHARE_BOUNDS, "shareColours": SHARE_COLOURS,
            "ward": WARD, "wardHover": WARD_HOVER, "panes": PANES, "deciles": DECILE_COLOURS,
            "block": BLOCK, "ccgColours": CCG_COLOURS, "practice": PRACTICE,
            "practiceAway": PRACTICE_AWAY}
