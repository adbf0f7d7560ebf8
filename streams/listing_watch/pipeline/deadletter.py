"""Dead-letter records: the original bytes, and why they could not be used.

Following Kafka Connect's dead-letter convention, the key and value are the
consumed record's bytes, untouched, and the context travels in headers,
all under one prefix of our own (``lw.dlq.``):

==========================  =============================================
``lw.dlq.topic``            source topic
``lw.dlq.partition``        source partition (decimal)
``lw.dlq.offset``           source offset (decimal)
``lw.dlq.stage``            ``decode``, ``validate``, ``screen``, ``index``
``lw.dlq.reason``           stable reason code (``decode_error``, ...)
``lw.dlq.exception.class``  the exception's class name
``lw.dlq.exception.message``  its message
``lw.dlq.document.id``      (index stage) the rejected document's id
``lw.dlq.error.type``       (index stage) Elasticsearch's error type
==========================  =============================================

A re-drive tool therefore needs nothing but the record itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from listing_watch.pipeline.records import SourceRecord

HEADER_PREFIX: Final = "lw.dlq."
MAX_MESSAGE_CHARS: Final = 1000

Stage = Literal["decode", "validate", "screen", "index"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """A record bound for the dead-letter topic."""

    key: bytes | None
    value: bytes
    reason: str
    stage: Stage
    headers: tuple[tuple[str, bytes], ...]


def dead_letter(
    record: SourceRecord,
    *,
    stage: Stage,
    reason: str,
    error_class: str,
    message: str,
    extra_headers: dict[str, str] | None = None,
) -> DeadLetter:
    """Wrap a consumed record whose processing failed at ``stage``."""
    context = {
        "topic": record.topic,
        "partition": str(record.partition),
        "offset": str(record.offset),
        "stage": stage,
        "reason": reason,
        "exception.class": error_class,
        # For a person reading the record: a parser's message can quote a
        # megabyte of the value, which the record holds anyway.
        "exception.message": message[:MAX_MESSAGE_CHARS],
        **(extra_headers or {}),
    }
    headers = tuple(
        (f"{HEADER_PREFIX}{name}", value.encode("utf-8"))
        for name, value in context.items()
    )
    return DeadLetter(
        key=record.key, value=record.value, reason=reason, stage=stage, headers=headers
    )


def header_map(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    """Our context headers of a dead-letter record, prefix removed."""
    found: dict[str, str] = {}
    for name, value in headers or []:
        if name.startswith(HEADER_PREFIX):
            found[name.removeprefix(HEADER_PREFIX)] = value.decode("utf-8", "replace")
    return found
