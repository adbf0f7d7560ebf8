"""Alerts: a verdict of high or medium risk, as published and indexed.

One alert per listing *version*. Its id is derived from the platform, the
listing id and a hash of the screened content, so a replay of the same
version yields the same id (the Elasticsearch document id, hence an
overwrite, never a duplicate) while an edited listing yields a new alert.

The alert document is the same JSON on the alerts topic and in the index;
field names follow Elastic Common Schema where one fits (``@timestamp``,
``event.*``, ``rule.*``, ``url.full``) and domain fields sit under
``listing``, ``verdict`` and a few top-level summaries for aggregation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from listing_watch.events import listing_to_document
from listing_watch.listing import Listing
from listing_watch.screening import Verdict
from listing_watch.search.bulk import IndexRequest

# Unit separator: cannot occur in a platform name or listing id by accident.
_ID_SEPARATOR = "\x1f"

# A description is copied into the alert twice (searchable and evidence);
# the searchable copy stops here so that an alert stays well within the
# alerts topic's record limit.
SEARCHABLE_DESCRIPTION_CHARS = 32_000


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert ready to publish: its id, its Kafka key, its document."""

    alert_id: str
    key: str
    document: Mapping[str, Any]

    def value_bytes(self) -> bytes:
        return orjson.dumps(self.document)

    def index_request(self, alias: str) -> IndexRequest:
        """Upsert: a replayed alert keeps its investigators' disposition view."""
        return IndexRequest(
            index=alias, doc_id=self.alert_id, document=self.document, upsert=True
        )


def content_hash(listing: Listing) -> str:
    """SHA-256 of the screened text fields, in a canonical JSON form."""
    screened = {
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
    }
    canonical = orjson.dumps(screened, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def evidence_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of a listing document in canonical form (sorted keys, UTF-8)."""
    canonical = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def alert_id_for(listing: Listing) -> str:
    """Deterministic alert id: the same listing version gives the same id."""
    basis = _ID_SEPARATOR.join(
        (listing.platform, listing.listing_id, content_hash(listing))
    )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def build_alert(
    listing: Listing, verdict: Verdict, *, alerted_at: datetime | None = None
) -> Alert:
    """The alert for a listing whose verdict alerts."""
    created = alerted_at or datetime.now(UTC)
    alert_id = alert_id_for(listing)
    listing_document = listing_to_document(listing)
    verdict_document = verdict.to_dict()
    terms = sorted({match.term for match in verdict.matches})

    document: dict[str, Any] = {
        "alert_id": alert_id,
        "@timestamp": listing.observed_at.isoformat(),
        "event": {
            "kind": "alert",
            "created": created.isoformat(),
            "id": listing.event_id,
        },
        "listing": {
            **_listing_fields(listing),
            "extra_flat": sorted(flatten_extra(listing.extra)),
        },
        "risk": verdict.risk,
        "score": verdict.score,
        "violation_kinds": list(verdict.violations),
        "terms": terms,
        "rule": {
            "id": sorted({reason.rule_id for reason in verdict.reasons}),
            "name": sorted({reason.rule for reason in verdict.reasons}),
            "version": verdict.library_version,
        },
        "library_version": verdict.library_version,
        "verdict": verdict_document,
        "evidence": {
            "listing": listing_document,
            "sha256": evidence_hash(listing_document),
            "content_sha256": content_hash(listing),
        },
    }
    if listing.url:
        document["url"] = {"full": listing.url}
    return Alert(alert_id=alert_id, key=listing.key, document=document)


def _listing_fields(listing: Listing) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": listing.key,
        "platform": listing.platform,
        "listing_id": listing.listing_id,
        "title": listing.title,
        # The searchable copy; the evidence keeps the whole text.
        "description": listing.description[:SEARCHABLE_DESCRIPTION_CHARS],
        "category": listing.category,
        "observed_at": listing.observed_at.isoformat(),
        "currency": listing.currency,
    }
    optional = {
        "price": listing.price,
        "shop_id": listing.shop_id,
        "shop_name": listing.shop_name,
        "seller_id": listing.seller_id,
        "seller_region": listing.seller_region,
        "platform_type": listing.platform_type,
    }
    fields.update(
        {name: value for name, value in optional.items() if value is not None}
    )
    return fields


def flatten_extra(extra: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Platform-added fields as ``path=value`` strings, whatever their shape.

    Platforms disagree on shapes (one sends ``shop`` as a string, another as
    an object, case P4); indexing them as-is would make the second shape a
    mapping conflict. As strings they are all searchable and never clash:

    >>> sorted(flatten_extra({"shop": {"id": "s1", "tags": ["a", "b"]}}))
    ['shop.id=s1', 'shop.tags=a', 'shop.tags=b']
    >>> list(flatten_extra({"shop": "s1"}))
    ['shop=s1']
    """
    for name, value in extra.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from flatten_extra(value, prefix=f"{path}.")
        elif isinstance(value, list):
            for element in value:
                yield from flatten_extra({name: element}, prefix=prefix)
        else:
            yield f"{path}={_scalar_text(value)}"


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
