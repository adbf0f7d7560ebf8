"""Alerts are routed by GB/T 2260 region code to their unit or forwarded."""

from __future__ import annotations

import pytest

from listing_watch.workflow.errors import RegionError
from listing_watch.workflow.regions import EDITION, check_unit, covers, place_of
from listing_watch.workflow.routing import route
from listing_watch.workflow.settings import WorkflowSettings

WUHAN = WorkflowSettings(unit="420100", platform_regions={"jdmall": "110115"})


def test_district_resolves_to_province_city_and_county_names() -> None:
    place = place_of("420102")

    assert place is not None
    assert (place.province.name, place.city_unit.name) == ("湖北省", "武汉市")
    assert place.county is not None
    assert place.county.name == "江岸区"


def test_county_level_city_under_the_province_is_a_unit_of_its_own() -> None:
    place = place_of("429004")

    assert place is not None
    assert place.city_unit.name == "仙桃市"
    assert covers("429004", "429004")
    assert covers("420000", "429004")
    assert not covers("420100", "429004")


def test_municipality_district_goes_to_the_municipality() -> None:
    place = place_of("110105")

    assert place is not None
    assert place.city_unit.name == "北京市"


def test_province_covers_all_its_cities() -> None:
    assert covers("420000", "420102")
    assert covers("420000", "420500")
    assert not covers("420000", "330106")


def test_seller_in_unit_is_not_forwarded() -> None:
    routing = route("420111", "testmall", WUHAN)

    assert routing.in_unit
    assert routing.forward_to is None


def test_out_of_province_seller_is_forwarded_to_its_city_bureau() -> None:
    routing = route("330106", "testmall", WUHAN)

    assert not routing.in_unit
    assert routing.to_document()["forward_to"] == {
        "code": "330100",
        "name": "杭州市市场监督管理局",
    }


def test_seller_in_xiantao_is_forwarded_from_wuhan_to_xiantao() -> None:
    routing = route("429004", "testmall", WUHAN)

    assert routing.forward_to is not None
    assert routing.forward_to.code == "429004"


def test_missing_seller_region_falls_back_to_the_platform_registration() -> None:
    routing = route(None, "jdmall", WUHAN)

    assert (routing.source, routing.region_code) == ("platform", "110115")
    assert routing.to_document()["forward_to"]["name"] == "北京市市场监督管理局"


def test_unknown_region_is_marked_unknown_and_not_in_unit() -> None:
    routing = route(None, "testmall", WUHAN)

    assert (routing.source, routing.in_unit, routing.units) == ("unknown", False, ())


def test_routing_records_the_table_edition() -> None:
    assert route("420102", "testmall", WUHAN).to_document()["edition"] == EDITION


def test_unknown_unit_is_refused_with_an_example() -> None:
    with pytest.raises(RegionError, match=r"'429000'.*420000"):
        check_unit("429000")
