"""Decoding and validating new-listing events.

The contract is ``schemas/listing-event.schema.json``; validation uses the
``jsonschema`` package against that file, so the schema is the single
source of truth and this module adds only what a schema cannot say:
time normalisation and the repair of broken text.

Every refusal raises :class:`~listing_watch.errors.EventError` with a
stable reason code, which becomes the dead-letter reason:

``decode_error``   the bytes are not UTF-8 JSON (truncated, binary, ...)
``schema_error``   the JSON does not satisfy the event schema
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import jsonschema
import orjson

from listing_watch.errors import EventError
from listing_watch.listing import Listing

SCHEMA_DIR: Final = Path(__file__).resolve().parents[2] / "schemas"
LISTING_EVENT_SCHEMA: Final = "listing-event.schema.json"

# The notice's platforms are Chinese: a time without an offset is local time.
PLATFORM_TIMEZONE: Final = ZoneInfo("Asia/Shanghai")

# Epoch values above this are milliseconds: 1e11 seconds is the year 5138,
# while 1e11 milliseconds is March 1973, older than any listing.
EPOCH_MILLIS_THRESHOLD: Final = 100_000_000_000

UTF8_BOM: Final = b"\xef\xbb\xbf"

# An event above this size is refused whole (reason too_large): its alert
# would carry the text twice and outgrow the alerts topic's record limit.
MAX_EVENT_BYTES: Final = 1_000_000

# Platform fields nested deeper than this are refused: JSON encoders and
# Elasticsearch both stop far below what a hostile event can send.
MAX_NESTING: Final = 32

# A listing observed outside these years is a broken clock, not a listing;
# it would also overflow the time arithmetic of the report.
EARLIEST_OBSERVED: Final = 2000
LATEST_OBSERVED: Final = 2100

MAX_DETAIL: Final = 500

KNOWN_FIELDS: Final = frozenset(
    {
        "event_id",
        "platform",
        "listing_id",
        "title",
        "observed_at",
        "description",
        "category",
        "price",
        "currency",
        "shop_id",
        "shop_name",
        "seller_id",
        "seller_region",
        "url",
        "platform_type",
    }
)


def decode_listing(raw: bytes | None) -> Listing:
    """Decode one event value into a :class:`Listing`, or raise EventError.

    Whatever the bytes hold, the only exception that leaves is EventError:
    a record that cannot become a listing is a dead letter, never a reason
    for the worker to stop its partition.
    """
    if raw is None:
        raise EventError("decode_error", "record has no value (a tombstone)")
    try:
        document = decode_json(raw)
        validate_event(document)
        _check_nesting(document)
        return listing_from_document(document)
    except EventError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, OSError) as error:
        # Inputs the parser or the standard library reject in their own way:
        # 5,000-digit numbers, nesting deep enough to exhaust the stack, ...
        detail = _short(f"{type(error).__name__}: {error}")
        raise EventError("decode_error", detail) from error


def decode_json(raw: bytes) -> dict[str, Any]:
    """Parse the event bytes as a JSON object.

    A leading UTF-8 byte-order mark is dropped (some Windows tools write
    one). Lone UTF-16 surrogates, which orjson refuses, are parsed by the
    standard library and replaced with U+FFFD so the rest of the listing is
    still screened rather than lost.
    """
    if len(raw) > MAX_EVENT_BYTES:
        raise EventError(
            "too_large",
            f"event is {len(raw):,} bytes; the limit is {MAX_EVENT_BYTES:,}",
        )
    body = raw.removeprefix(UTF8_BOM)
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        document = _decode_with_surrogates(body, error)

    if not isinstance(document, dict):
        kind = type(document).__name__
        raise EventError("decode_error", f"event is a JSON {kind}, expected an object")
    return document


def _decode_with_surrogates(body: bytes, error: orjson.JSONDecodeError) -> Any:
    try:
        text = body.decode("utf-8")
        # orjson refuses NaN and Infinity; so must the fallback.
        document = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EventError("decode_error", f"not valid UTF-8 JSON: {error}") from error
    return _replace_lone_surrogates(document)


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def _check_nesting(document: Mapping[str, Any]) -> None:
    """Refuse platform fields nested deeper than the alert can carry."""

    def depth(value: Any, level: int) -> int:
        if level > MAX_NESTING:
            return level
        if isinstance(value, dict):
            return max((depth(v, level + 1) for v in value.values()), default=level)
        if isinstance(value, list):
            return max((depth(v, level + 1) for v in value), default=level)
        return level

    if depth(document, 0) > MAX_NESTING:
        raise EventError(
            "schema_error", f"fields nested deeper than {MAX_NESTING} levels"
        )


def _short(text: str) -> str:
    """Error details travel in headers and logs: keep them readable."""
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _replace_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_replace_lone_surrogates(element) for element in value]
    if isinstance(value, dict):
        return {
            _replace_lone_surrogates(key): _replace_lone_surrogates(element)
            for key, element in value.items()
        }
    return value


@cache
def _event_validator() -> jsonschema.protocols.Validator:
    schema = orjson.loads((SCHEMA_DIR / LISTING_EVENT_SCHEMA).read_bytes())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def validate_event(document: Mapping[str, Any]) -> None:
    """Raise ``schema_error`` naming the first field at fault, if any."""
    error = jsonschema.exceptions.best_match(_event_validator().iter_errors(document))
    if error is None:
        return
    where = "/".join(str(part) for part in error.absolute_path) or "(event)"
    raise EventError("schema_error", _short(f"{where}: {error.message}"))


def listing_from_document(document: Mapping[str, Any]) -> Listing:
    """Build the value object from a document that passed validation."""
    extra = {key: value for key, value in document.items() if key not in KNOWN_FIELDS}
    return Listing(
        event_id=document["event_id"],
        platform=document["platform"],
        listing_id=document["listing_id"],
        title=document["title"],
        observed_at=parse_observed_at(document["observed_at"]),
        description=document.get("description", ""),
        category=document.get("category", ""),
        price=document.get("price"),
        currency=document.get("currency", "CNY"),
        shop_id=document.get("shop_id"),
        shop_name=document.get("shop_name"),
        seller_id=document.get("seller_id"),
        seller_region=document.get("seller_region"),
        url=document.get("url"),
        platform_type=document.get("platform_type"),
        extra=extra,
    )


def parse_observed_at(value: str | float) -> datetime:
    """Normalise an observed time to an aware datetime.

    >>> parse_observed_at("2021-06-30T20:00:00").isoformat()
    '2021-06-30T20:00:00+08:00'
    >>> parse_observed_at(1625068800).isoformat()
    '2021-06-30T16:00:00+00:00'
    >>> parse_observed_at(1625068800000) == parse_observed_at(1625068800)
    True
    """
    if isinstance(value, int | float):
        seconds = value / 1000 if value >= EPOCH_MILLIS_THRESHOLD else value
        moment = _from_epoch(seconds)
    else:
        moment = _from_text(value)
    if not EARLIEST_OBSERVED <= moment.year <= LATEST_OBSERVED:
        raise EventError(
            "schema_error",
            f"observed_at: {moment.isoformat()} is outside the years "
            f"{EARLIEST_OBSERVED}-{LATEST_OBSERVED}",
        )
    return moment


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError) as error:
        raise EventError(
            "schema_error", f"observed_at: {seconds!r} is not a usable epoch time"
        ) from error


def _from_text(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise EventError(
            "schema_error", _short(f"observed_at: {value!r} is not an RFC 3339 time")
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PLATFORM_TIMEZONE)
    return moment


def listing_to_document(listing: Listing) -> dict[str, Any]:
    """The event document for a listing: the inverse of decoding.

    Extra fields come first so that a contract field always wins.
    """
    document: dict[str, Any] = dict(listing.extra)
    document.update(
        event_id=listing.event_id,
        platform=listing.platform,
        listing_id=listing.listing_id,
        title=listing.title,
        observed_at=listing.observed_at.isoformat(),
    )
    optional = {
        "description": listing.description,
        "category": listing.category,
        "price": listing.price,
        "currency": listing.currency,
        "shop_id": listing.shop_id,
        "shop_name": listing.shop_name,
        "seller_id": listing.seller_id,
        "seller_region": listing.seller_region,
        "url": listing.url,
        "platform_type": listing.platform_type,
    }
    document.update(
        {key: value for key, value in optional.items() if value not in (None, "")}
    )
    return document
