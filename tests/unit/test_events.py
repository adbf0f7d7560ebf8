"""Decoding and validating new-listing events (schemas/listing-event)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from listing_watch.errors import EventError
from listing_watch.events import decode_listing, listing_to_document, parse_observed_at


def event_bytes(**overrides: object) -> bytes:
    event: dict[str, object] = {
        "event_id": "e-1",
        "platform": "shop-a",
        "listing_id": "L1",
        "title": "手工陶瓷茶杯 四只装",
        "observed_at": "2021-06-20T10:00:00+08:00",
    }
    event.update(overrides)
    return orjson.dumps({k: v for k, v in event.items() if v is not None})


def test_valid_event_decodes_to_listing() -> None:
    listing = decode_listing(event_bytes(price=12.5, seller_region="420100"))

    assert listing.key == "shop-a:L1"
    assert listing.price == 12.5
    assert listing.currency == "CNY"
    assert listing.observed_at == datetime(2021, 6, 20, 2, 0, tzinfo=UTC)


def test_byte_order_mark_before_event_is_ignored() -> None:
    listing = decode_listing(b"\xef\xbb\xbf" + event_bytes())

    assert listing.title == "手工陶瓷茶杯 四只装"


def test_truncated_json_is_a_decode_error() -> None:
    raw = event_bytes()[:30]

    with pytest.raises(EventError, match="decode_error") as caught:
        decode_listing(raw)
    assert caught.value.reason == "decode_error"


def test_bytes_that_are_not_utf8_are_a_decode_error() -> None:
    with pytest.raises(EventError, match="decode_error"):
        decode_listing(b'{"title": "\xff\xfe"}')


def test_json_array_is_refused_as_not_an_object() -> None:
    with pytest.raises(EventError, match="expected an object"):
        decode_listing(b"[1, 2]")


def test_lone_surrogate_in_title_is_replaced_not_refused() -> None:
    raw = event_bytes().replace("手工".encode(), b"\\ud800")

    listing = decode_listing(raw)

    assert listing.title.startswith("\ufffd")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": None}, "'title' is a required property"),
        ({"price": -1}, "price: -1 is less than the minimum of 0"),
        ({"seller_region": "42010"}, "seller_region"),
        ({"platform_type": "wholesale"}, "platform_type"),
        ({"observed_at": "yesterday"}, "observed_at"),
    ],
)
def test_schema_violations_name_the_field(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(EventError, match=message) as caught:
        decode_listing(event_bytes(**overrides))
    assert caught.value.reason == "schema_error"


def test_fields_a_platform_adds_are_kept() -> None:
    listing = decode_listing(event_bytes(shop={"id": "s1", "name": "小店"}, live=True))

    assert listing.extra == {"shop": {"id": "s1", "name": "小店"}, "live": True}
    assert listing_to_document(listing)["shop"] == {"id": "s1", "name": "小店"}


def test_time_without_offset_means_asia_shanghai() -> None:
    moment = parse_observed_at("2021-07-01T08:00:00")

    assert moment.utcoffset() == timedelta(hours=8)


def test_epoch_seconds_and_milliseconds_give_the_same_time() -> None:
    assert parse_observed_at(1625097600) == parse_observed_at(1625097600000)
    assert parse_observed_at(1625097600) == datetime(2021, 7, 1, tzinfo=UTC)


def test_price_zero_survives_the_round_trip() -> None:
    listing = decode_listing(event_bytes(price=0))

    assert listing_to_document(listing)["price"] == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "decode_error"),
        (b'{"event_id":"e","observed_at": Infinity}', "decode_error"),
        (b'{"event_id":"e","price": NaN}', "decode_error"),
        (b'{"event_id":"e","price": 1' + b"0" * 5000 + b"}", "decode_error"),
        (b'{"x": ' + b"[" * 2000 + b"]" * 2000 + b"}", "decode_error"),
        (b"x" * 1_000_001, "too_large"),
    ],
    ids=["tombstone", "infinity", "nan", "huge-int", "deep-array", "too-large"],
)
def test_hostile_bytes_become_dead_letters_not_crashes(
    raw: bytes | None, reason: str
) -> None:
    with pytest.raises(EventError) as caught:
        decode_listing(raw)

    assert caught.value.reason == reason


def test_platform_fields_nested_too_deep_are_refused() -> None:
    nested: object = "leaf"
    for _ in range(40):
        nested = {"n": nested}

    with pytest.raises(EventError, match="nested deeper than 32"):
        decode_listing(event_bytes(extra=nested))


@pytest.mark.parametrize(
    "observed_at",
    [1e20, -5e15, "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"],
)
def test_times_outside_the_plausible_years_are_schema_errors(
    observed_at: object,
) -> None:
    with pytest.raises(EventError, match="observed_at") as caught:
        decode_listing(event_bytes(observed_at=observed_at))

    assert caught.value.reason == "schema_error"


def test_schema_error_detail_is_kept_short() -> None:
    with pytest.raises(EventError) as caught:
        decode_listing(event_bytes(platform_type="x" * 100_000))

    assert len(caught.value.detail) <= 500
