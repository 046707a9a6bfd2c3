"""One colour per node category, shared by every visual export (GraphML/yEd, GEXF, DOT, the HTML viewer).

Colours are the Okabe–Ito colour-blind-safe palette extended with Paul Tol's "muted" set, assigned in the
order of kg/categories.py, so a category looks the same in yEd, Gephi, Graphviz and the viewer.
"""
from __future__ import annotations

from kg.categories import CATEGORIES

_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442", "#882255",
            "#44AA99", "#999933", "#AA4499", "#BBBBBB")
_KIND_COLOURS = {"study": "#332288", "publication": "#555555"}
DEFAULT = "#BBBBBB"


def category_colours() -> dict[str, str]:
    """category or node kind → ``#RRGGBB``."""
    colours: dict[str, str] = dict(zip(CATEGORIES, _COLOURS))
    colours.update(_KIND_COLOURS)
    return colours


def colour(category: str) -> str:
    return category_colours().get(category, DEFAULT)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
