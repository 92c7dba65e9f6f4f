"""The venue's coordinates: read from the catalogue's optional `lat`, `lon` columns, and how far a shared location
is from them (for ATTENDANCE_REQUIRE_LOCATION)."""

from __future__ import annotations

import math
from typing import Literal

EARTH_RADIUS_M = 6_371_000.0
# Indonesia lies within about 6°N-11°S and 95°E-141°E; a little margin, so a swapped pair or a typo is caught.
LAT_RANGE = (-12.0, 7.0)
LON_RANGE = (94.0, 142.0)


def parse_coordinates(lat_text: str, lon_text: str) -> tuple[float, float] | Literal[False] | None:
    """(lat, lon) from the two cells ("-6.0174", "106.0539"; a decimal comma is accepted); None when both are
    empty; False when only one is given, either is not a number, or the point is not in Indonesia."""
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return None
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        return False
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        return False
    return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): accurate to well under a metre over a venue's few hundred."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
