"""The one great-circle distance (haversine on the IUGG mean earth radius), for scalars and numpy
arrays alike: the search engine, the BMLT API and the duplicate finder all measure with it."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

# The other points: one (a float), or many (an array of them); the answer is the same shape.
Points = TypeVar("Points", float, npt.NDArray[np.floating[Any]])


def km_from(lat_r: float, lng_r: float, cos_lat: float, lats_r: Points, lngs_r: Points, cos_lats: Points) -> Points:
    """Kilometres from a point to others, all in radians, each latitude's cosine given (the search
    index keeps its meetings' radians and cosines). Clamped, so rounding never takes arcsin out
    of its domain."""
    h = np.sin((lats_r - lat_r) / 2) ** 2 + cos_lat * cos_lats * np.sin((lngs_r - lng_r) / 2) ** 2
    # numpy's ufuncs are typed to return Any for scalars: the answer has the points' own type.
    distance: Points = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return distance


def km(lat: float, lng: float, lats: Points, lngs: Points) -> Points:
    """Kilometres between a point and another (or an array of others), in degrees."""
    lat_r, lats_r = np.radians(lat), np.radians(lats)
    distance: Points = km_from(lat_r, np.radians(lng), np.cos(lat_r), lats_r, np.radians(lngs), np.cos(lats_r))
    return distance
