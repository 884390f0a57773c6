"""The coordinate transforms against the published reference points of coordtransform
(wandergis/coordtransform, test/app.js: input 116.404, 39.915), and distances."""

import pytest

from field import geo

REF = (39.915, 116.404)  # (lat, lon)


def _close(got, want, places=9):
    assert got[0] == pytest.approx(want[0], abs=10**-places)
    assert got[1] == pytest.approx(want[1], abs=10**-places)


def test_wgs84_to_gcj02_matches_the_reference():
    _close(geo.wgs84_to_gcj02(*REF), (39.91640428150164, 116.41024449916938))


def test_gcj02_to_wgs84_matches_the_reference():
    _close(geo.gcj02_to_wgs84(*REF), (39.91359571849836, 116.39775550083061))


def test_gcj02_to_bd09_matches_the_reference():
    _close(geo.gcj02_to_bd09(*REF), (39.92133699351021, 116.41036949371029))


def test_bd09_to_gcj02_matches_the_reference():
    _close(geo.bd09_to_gcj02(*REF), (39.90865673957631, 116.39762729119315))


def test_round_trips_stay_within_a_few_metres():
    shanghai = (31.2304, 121.4737)
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*shanghai))
    assert geo.distance_m(*shanghai, *back) < 5
    bd = geo.wgs84_to_bd09(*shanghai)
    again = geo.gcj02_to_wgs84(*geo.bd09_to_gcj02(*bd))
    assert geo.distance_m(*shanghai, *again) < 5


def test_outside_china_nothing_is_shifted():
    paris = (48.8566, 2.3522)
    assert geo.wgs84_to_gcj02(*paris) == paris
    assert geo.wgs84_to_bd09(*paris) == paris


def test_distance_of_a_known_pair():
    # Beijing Tiananmen to Shanghai People's Square: about 1,067 km.
    km = geo.distance_m(39.9087, 116.3975, 31.2317, 121.4726) / 1000
    assert 1060 < km < 1075
    assert geo.distance_m(*REF, *REF) == 0


def test_navigation_links_carry_each_app_its_own_system():
    links = geo.navigation_links(*REF, "Site A")
    glat, glon = geo.wgs84_to_gcj02(*REF)
    blat, blon = geo.wgs84_to_bd09(*REF)
    assert links["amap"].startswith("amapuri://route/plan/?")
    assert f"dlat={glat:.6f}" in links["amap"] and f"dlon={glon:.6f}" in links["amap"]
    assert "dev=0" in links["amap"]  # already GCJ-02: Amap must not shift again
    assert links["baidu"].startswith("baidumap://map/direction?destination=")
    assert f"latlng:{blat:.6f},{blon:.6f}" in links["baidu"]
    assert "coord_type=bd09ll" in links["baidu"]
    assert links["geo"] == "geo:39.915000,116.404000"
