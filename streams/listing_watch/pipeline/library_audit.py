"""Audit events of the keyword library: publish, rollback, swap, retro-hunt.

Each event is kept twice: as a record on the audit topic (the history
that survives the index) and as a document in the audit index, whose id
is the event's id so a re-sent event overwrites. An investigator looks up
an alert's ``library_version`` there and finds the terms in force, and
with ``library.terms_added`` who added a term and when.

Auditing never stops the screen: a worker that cannot record a swap logs
a warning and keeps screening with the new version.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

import orjson
from confluent_kafka import Producer
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from listing_watch.config import Settings
from listing_watch.errors import DeliveryError
from listing_watch.library.versions import PublishedVersion
from listing_watch.logs import log_event
from listing_watch.pipeline.library_settings import LibrarySettings
from listing_watch.pipeline.library_topic import library_producer, send_record
from listing_watch.search.index import connect, ensure_index

logger = logging.getLogger(__name__)

TEMPLATE_FILE: Final = "library-audit-index-template.json"

AuditAction = Literal[
    "library_published",
    "library_rolled_back",
    "library_swapped",
    "retrohunt_finished",
]


def ensure_audit_index(client: Elasticsearch, library: LibrarySettings) -> None:
    """Install the audit template; create the alias and first index if missing."""
    ensure_index(client, library.audit_alias, TEMPLATE_FILE)


def version_event(version: PublishedVersion) -> dict[str, Any]:
    """The audit event of a publication or a rollback."""
    action: AuditAction = (
        "library_rolled_back" if version.action == "rollback" else "library_published"
    )
    diff = version.diff.to_dict()
    return {
        "audit_id": _audit_id(action, version.version),
        "@timestamp": version.published_at.isoformat(),
        "event": _event(action),
        "author": version.author,
        "note": version.note,
        "library": {
            "version": version.version,
            "number": version.number,
            "digest": version.digest,
            "previous": version.previous,
            "rollback_of": version.rollback_of,
            "terms": list(version.terms),
            **diff,
        },
    }


def swap_event(
    *, version: str, from_version: str, compile_ms: float, lag_ms: float, worker: str
) -> dict[str, Any]:
    """The audit event of one worker starting to screen with ``version``."""
    now = datetime.now(UTC)
    return {
        "audit_id": _audit_id("library_swapped", version, worker),
        "@timestamp": now.isoformat(),
        "event": _event("library_swapped"),
        "library": {"version": version},
        "worker": {"id": worker, "host": socket.gethostname(), "pid": os.getpid()},
        "swap": {
            "from_version": from_version,
            "compile_ms": round(compile_ms, 1),
            "lag_ms": round(lag_ms, 1),
        },
    }


def retrohunt_event(summary: Mapping[str, Any], *, author: str) -> dict[str, Any]:
    """The audit event of a finished retro-hunt run."""
    return {
        "audit_id": _audit_id("retrohunt_finished", str(summary["run_id"])),
        "@timestamp": datetime.now(UTC).isoformat(),
        "event": _event("retrohunt_finished"),
        "author": author,
        "library": {"version": summary["new_version"]},
        "retrohunt": dict(summary),
    }


class AuditRecorder:
    """Keeps audit events on the audit topic and in the audit index.

    One producer and one Elasticsearch client for the recorder's life: a
    worker records a swap per version, and a client per event would cost
    memory and connections on every swap.
    """

    def __init__(self, settings: Settings, library: LibrarySettings) -> None:
        self._settings = settings
        self._library = library
        self._producer: Producer | None = None
        self._search: Elasticsearch | None = None

    def record(self, event: Mapping[str, Any]) -> bool:
        """Keep ``event``; False (after a warning) when either write failed."""
        try:
            self._send(event)
            self._index(event)
        except (DeliveryError, TransportError, ApiError) as error:
            log_event(
                logger,
                "audit_not_recorded",
                level=logging.WARNING,
                action=event["event"]["action"],
                audit_id=event["audit_id"],
                error=str(error)[:300],
                next="the library change stands; run 'listing-watch setup' and "
                "check the broker and Elasticsearch",
            )
            return False
        return True

    def _send(self, event: Mapping[str, Any]) -> None:
        if self._producer is None:
            self._producer = library_producer(self._settings)
        send_record(
            self._producer,
            self._library.audit_topic,
            str(event["library"]["version"]),
            orjson.dumps(event),
        )

    def _index(self, event: Mapping[str, Any]) -> None:
        if self._search is None:
            self._search = connect(self._settings.search)
        self._search.index(
            index=self._library.audit_alias, id=str(event["audit_id"]), document=event
        )


def record_audit(
    settings: Settings, library: LibrarySettings, event: Mapping[str, Any]
) -> bool:
    """Keep one event (commands); a worker keeps an :class:`AuditRecorder`."""
    return AuditRecorder(settings, library).record(event)


def _event(action: AuditAction) -> dict[str, str]:
    return {"kind": "event", "action": action, "created": datetime.now(UTC).isoformat()}


def _audit_id(*parts: str) -> str:
    basis = "\x1f".join(parts).encode("utf-8")
    return hashlib.sha256(basis).hexdigest()[:32]
