"""The consumed record as the pipeline sees it, independent of the client.

Faust hands the worker its own event objects; the rest of the pipeline
works on :class:`SourceRecord` so that decoding, dead-lettering and tests
need no Faust machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRecord:
    """One record from the listings topic, with its raw bytes untouched."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int | None = None

    @property
    def position(self) -> str:
        """``topic[partition]@offset``, the form operators search logs for."""
        return f"{self.topic}[{self.partition}]@{self.offset}"
