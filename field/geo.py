"""Coordinates on the map: China's two shifted systems, distances, navigation links.

Which system each stored field holds:

- ``Incident.latitude`` / ``longitude``: WGS-84 (what a phone's GPS and the browser's
  geolocation give; what the report form and the API take).
- ``field.SyncedAction.latitude`` / ``longitude`` and ``field.LastPosition``: WGS-84 (the
  browser's ``navigator.geolocation``).
- Nothing is stored in GCJ-02 or BD-09: they are computed here when a link to Amap (GCJ-02,
  "Mars coordinates", the national survey bureau's obfuscation) or Baidu Maps (BD-09,
  Baidu's further shift of GCJ-02) is built. Outside mainland China both maps use WGS-84,
  so the shift is applied only inside China's rough bounding box, as the apps do.

The transforms are the standard published ones (Krasovsky 1940 ellipsoid, a = 6378245 m,
e² = 0.00669342162296594323; BD-09 adds x_pi = π·3000/180), the same as
``eviltransform`` and ``coordtransform``; ``tests/field/test_geo.py`` checks them against
those libraries' reference points.
"""

from __future__ import annotations

import math
from urllib.parse import quote, urlencode

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # mean radius (IUGG)


def out_of_china(lat: float, lon: float) -> bool:
    """Outside the rough box where GCJ-02 applies (Hong Kong, Macau and Taiwan are inside
    the box; the map apps treat them alike)."""
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _dlat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _dlon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _shift(lat: float, lon: float) -> tuple[float, float]:
    dlat = _dlat(lon - 105.0, lat - 35.0)
    dlon = _dlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _shift(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The usual one-step inverse (an error of a few metres, enough for a map pin)."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _shift(lat, lon)
    return lat - dlat, lon - dlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; WGS-84 points)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


APP_NAME = "aftersales.desk"  # who asks, as both apps want a source name


def navigation_links(lat: float, lon: float, name: str = "") -> dict[str, str]:
    """Links that open a route to a stored WGS-84 point in Amap, Baidu Maps, or the
    phone's default map (``geo:``, WGS-84, which most Chinese phones ignore).

    Amap's URI API (``amapuri://route/plan/``) takes GCJ-02 with ``dev=0`` (do not shift
    again); Baidu's (``baidumap://map/direction``) takes BD-09 with ``coord_type=bd09ll``.
    """
    glat, glon = wgs84_to_gcj02(lat, lon)
    blat, blon = wgs84_to_bd09(lat, lon)
    label = name or f"{lat:.5f},{lon:.5f}"
    amap = "amapuri://route/plan/?" + urlencode(
        {
            "sourceApplication": APP_NAME,
            "dlat": f"{glat:.6f}",
            "dlon": f"{glon:.6f}",
            "dname": label,
            "dev": 0,
            "t": 0,
        }
    )
    baidu = (
        "baidumap://map/direction?destination="
        + quote(f"latlng:{blat:.6f},{blon:.6f}|name:{label}", safe=":,|")
        + "&"
        + urlencode({"coord_type": "bd09ll", "mode": "driving", "src": APP_NAME})
    )
    return {"amap": amap, "baidu": baidu, "geo": f"geo:{lat:.6f},{lon:.6f}"}
