"""Screening one batch of consumed records: decode, validate, screen.

No I/O happens here: the result says which alerts to publish and index and
which records to dead-letter, and :mod:`listing_watch.pipeline.delivery`
makes those effects durable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from listing_watch.errors import EventError
from listing_watch.events import decode_listing
from listing_watch.library import CompiledLibrary
from listing_watch.listing import Listing
from listing_watch.logs import log_event
from listing_watch.pipeline.alerts import Alert, build_alert
from listing_watch.pipeline.deadletter import DeadLetter, Stage, dead_letter
from listing_watch.pipeline.records import SourceRecord
from listing_watch.pipeline.routing import with_routing
from listing_watch.screening import ListingText, Verdict, screen, screen_many
from listing_watch.workflow import CoverageBatch, CoverageDocument, WorkflowSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert together with the consumed record it came from."""

    record: SourceRecord
    alert: Alert


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchResult:
    """What one batch asks of delivery, and what it counted."""

    screened: list[tuple[SourceRecord, Listing, Verdict]] = field(default_factory=list)
    alerts: list[RaisedAlert] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    coverage: list[CoverageDocument] = field(default_factory=list)
    escalations: list[tuple[bytes, bytes]] = field(default_factory=list)
    suppressed: int = 0
    library_version: str = ""

    @property
    def matched(self) -> int:
        """Listings that matched any library term, alerting or not."""
        return sum(1 for _, _, verdict in self.screened if verdict.matches)


def screen_batch(
    records: Sequence[SourceRecord],
    library: CompiledLibrary,
    workflow: WorkflowSettings,
    *,
    alerted_at: datetime,
) -> BatchResult:
    """Decode every record, screen the valid listings in one call.

    Alerts come out routed (region, unit, where to forward), and the batch's
    coverage (Annex 2 rows 1 and 2) is counted from every screened listing.
    """
    decoded: list[tuple[SourceRecord, Listing]] = []
    dead_letters: list[DeadLetter] = []
    for record in records:
        try:
            decoded.append((record, decode_listing(record.value)))
        except EventError as error:
            dead_letters.append(_refused(record, error))

    verdicts = _screen_all(decoded, library, dead_letters)
    screened = [
        (record, listing, verdicts[index])
        for index, (record, listing) in enumerate(decoded)
        if index in verdicts
    ]
    alerts = _raise_alerts(screened, workflow, alerted_at, dead_letters)
    coverage = CoverageBatch(workflow, library_version=library.version)
    for _, listing, verdict in screened:
        coverage.add(listing, verdict)
    return BatchResult(
        screened=screened,
        alerts=alerts,
        dead_letters=dead_letters,
        coverage=coverage.to_documents(),
        library_version=library.version,
    )


def _raise_alerts(
    screened: Sequence[tuple[SourceRecord, Listing, Verdict]],
    workflow: WorkflowSettings,
    alerted_at: datetime,
    dead_letters: list[DeadLetter],
) -> list[RaisedAlert]:
    """An alert for each alerting verdict; one that cannot be built is a dead
    letter (stage ``screen``) rather than a stopped partition."""
    alerts = []
    for record, listing, verdict in screened:
        if not verdict.alert:
            continue
        try:
            alert = build_alert(listing, verdict, alerted_at=alerted_at)
            alerts.append(RaisedAlert(record, with_routing(alert, listing, workflow)))
        except Exception as error:
            dead_letters.append(
                dead_letter(
                    record,
                    stage="screen",
                    reason="alert_error",
                    error_class=type(error).__name__,
                    message=str(error),
                )
            )
    return alerts


def _refused(record: SourceRecord, error: EventError) -> DeadLetter:
    stage: Stage = "decode" if error.reason == "decode_error" else "validate"
    log_event(
        logger,
        "event_refused",
        level=logging.WARNING,
        position=record.position,
        reason=error.reason,
        detail=error.detail[:200],
        action="sent to the dead-letter topic",
    )
    return dead_letter(
        record,
        stage=stage,
        reason=error.reason,
        error_class=type(error).__name__,
        message=error.detail,
    )


def _screen_all(
    decoded: Sequence[tuple[SourceRecord, Listing]],
    library: CompiledLibrary,
    dead_letters: list[DeadLetter],
) -> dict[int, Verdict]:
    """Screen in one call; if that fails, find the culprit one by one.

    A screening failure is a bug, but one listing must not hold up its
    partition: the batch is screened listing by listing and only the
    listings that fail go to the dead-letter topic (stage ``screen``).
    """
    texts = [ListingText.from_listing(listing) for _, listing in decoded]
    try:
        return dict(enumerate(screen_many(texts, library)))
    except Exception:
        logger.exception("screen_many failed; screening the batch one by one")

    verdicts: dict[int, Verdict] = {}
    for index, ((record, _), text) in enumerate(zip(decoded, texts, strict=True)):
        try:
            verdicts[index] = screen(text, library)
        except Exception as error:
            dead_letters.append(
                dead_letter(
                    record,
                    stage="screen",
                    reason="screen_error",
                    error_class=type(error).__name__,
                    message=str(error)[:1000],
                )
            )
    return verdicts
