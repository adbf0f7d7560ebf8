"""Evidence for the case record: the listing exactly as screened, verified.

The alert keeps the listing document as it arrived (every field) and the
SHA-256 of its canonical form (sorted keys, UTF-8). The export recomputes
the hash, so the file shows whether the stored copy is intact; sellers'
later edits never reach it, since an edit is a new alert.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listing_watch.pipeline.alerts import evidence_hash
from listing_watch.workflow.state import AlertState


def evidence_record(
    alert: dict[str, Any], state: AlertState, *, exported_at: datetime | None = None
) -> dict[str, Any]:
    """The export: listing, hashes and their check, verdict, routing, history."""
    evidence = alert.get("evidence", {})
    listing = evidence.get("listing", {})
    recomputed = evidence_hash(listing)
    return {
        "alert_id": alert["alert_id"],
        "exported_at": (exported_at or datetime.now(UTC)).isoformat(),
        "listing": listing,
        "sha256": evidence.get("sha256"),
        "sha256_recomputed": recomputed,
        "intact": recomputed == evidence.get("sha256"),
        "content_sha256": evidence.get("content_sha256"),
        "observed_at": alert.get("@timestamp"),
        "alerted_at": alert.get("event", {}).get("created"),
        "risk": alert.get("risk"),
        "violation_kinds": alert.get("violation_kinds", []),
        "terms": alert.get("terms", []),
        "rule": alert.get("rule", {}),
        "library_version": alert.get("library_version"),
        "verdict": alert.get("verdict", {}),
        "routing": alert.get("routing"),
        "disposition": state.to_document(),
    }
