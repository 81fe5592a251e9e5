"""A tile-grid cartogram of the states as inline SVG: one equal square per state.

The grid follows the common newsroom layout (rows north to south, columns west to east). Maine
and Nebraska tiles carry one small square per congressional district, coloured by that
district's winner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

__all__ = ["TILES", "tile_svg"]

# (row, column) of each state's tile.
TILES: Mapping[str, tuple[int, int]] = {
    "AK": (0, 0),
    "ME": (0, 11),
    "VT": (1, 10),
    "NH": (1, 11),
    "WA": (2, 1),
    "ID": (2, 2),
    "MT": (2, 3),
    "ND": (2, 4),
    "MN": (2, 5),
    "IL": (2, 6),
    "WI": (2, 7),
    "MI": (2, 8),
    "NY": (2, 9),
    "RI": (2, 10),
    "MA": (2, 11),
    "OR": (3, 1),
    "NV": (3, 2),
    "WY": (3, 3),
    "SD": (3, 4),
    "IA": (3, 5),
    "IN": (3, 6),
    "OH": (3, 7),
    "PA": (3, 8),
    "NJ": (3, 9),
    "CT": (3, 10),
    "CA": (4, 1),
    "UT": (4, 2),
    "CO": (4, 3),
    "NE": (4, 4),
    "MO": (4, 5),
    "KY": (4, 6),
    "WV": (4, 7),
    "VA": (4, 8),
    "MD": (4, 9),
    "DE": (4, 10),
    "AZ": (5, 2),
    "NM": (5, 3),
    "KS": (5, 4),
    "AR": (5, 5),
    "TN": (5, 6),
    "NC": (5, 7),
    "SC": (5, 8),
    "DC": (5, 9),
    "OK": (6, 4),
    "LA": (6, 5),
    "MS": (6, 6),
    "AL": (6, 7),
    "GA": (6, 8),
    "HI": (7, 0),
    "TX": (7, 4),
    "FL": (7, 9),
}

SIZE = 54
GAP = 4


def _ink(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (#rrggbb)."""
    if not (fill.startswith("#") and len(fill) == 7):
        return "#111"
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"


def tile_svg(
    fill: Callable[[str], str],
    label: Callable[[str], str],
    title: Callable[[str], str],
    districts: Mapping[str, list[str]],
    *,
    highlight: frozenset[str] = frozenset(),
) -> str:
    """The map as an ``<svg>`` element.

    Parameters
    ----------
    fill : unit id → CSS colour
    label : state → the short second line in the tile (e.g. the margin)
    title : unit id → tooltip text
    districts : state → its district unit ids (drawn as small squares in the tile)
    highlight : states to outline (e.g. the tipping point and flip set)
    """
    cols = 1 + max(c for _, c in TILES.values())
    rows = 1 + max(r for r, _ in TILES.values())
    width, height = cols * (SIZE + GAP), rows * (SIZE + GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Tile map of the states coloured by winner and margin" '
        f'class="tilemap">'
    ]
    for state, (r, c) in TILES.items():
        x, y = c * (SIZE + GAP), r * (SIZE + GAP)
        stroke = ' stroke="#111" stroke-width="3"' if state in highlight else ""
        colour = fill(state)
        ink = _ink(colour)
        parts.append(
            f'<g class="tile" data-unit="{state}"><title>{escape(title(state))}</title>'
            f'<rect x="{x}" y="{y}" width="{SIZE}" height="{SIZE}" rx="4" '
            f'fill="{colour}"{stroke}/>'
            f'<text x="{x + SIZE / 2}" y="{y + 22}" text-anchor="middle" class="st" '
            f'fill="{ink}">{state}</text>'
            f'<text x="{x + SIZE / 2}" y="{y + 37}" text-anchor="middle" class="mg" '
            f'fill="{ink}">'
            f"{escape(label(state))}</text>"
        )
        subs = districts.get(state, [])
        for i, d in enumerate(subs):
            w = (SIZE - 8) / max(len(subs), 1)
            parts.append(
                f'<rect class="district" data-unit="{d}" x="{x + 4 + i * w:.1f}" '
                f'y="{y + SIZE - 13}" width="{w - 2:.1f}" height="9" fill="{fill(d)}" '
                f'stroke="#fff" stroke-width="1"><title>{escape(title(d))}</title></rect>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
