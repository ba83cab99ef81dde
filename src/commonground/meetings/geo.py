"""The one great-circle distance (haversine on the IUGG mean earth radius), for scalars and numpy
arrays alike: the search engine, the BMLT API and the duplicate finder all measure with it."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def km_from(lat_r, lng_r, cos_lat, lats_r, lngs_r, cos_lats):
    """Kilometres from a point to others, all in radians, each latitude's cosine given (the search
    index keeps its meetings' radians and cosines). Clamped, so rounding never takes arcsin out
    of its domain."""
    h = np.sin((lats_r - lat_r) / 2) ** 2 + cos_lat * cos_lats * np.sin((lngs_r - lng_r) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def km(lat, lng, lats, lngs):
    """Kilometres between a point and another (or an array of others), in degrees."""
    lat_r, lats_r = np.radians(lat), np.radians(lats)
    return km_from(lat_r, np.radians(lng), np.cos(lat_r), lats_r, np.radians(lngs), np.cos(lats_r))
