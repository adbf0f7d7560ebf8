"""The exceptions listing-watch raises.

Everything the product raises on purpose derives from one root, so a caller
can catch the product's errors without catching Python's own::

    ListingWatchError
    ├── ConfigError        a setting is missing or malformed
    ├── EventError         a listing event cannot be decoded or is invalid
    ├── LibraryError       a keyword-library file is refused (file:line)
    ├── StackError         the local Kafka/Elasticsearch stack is unusable
    └── DeliveryError      an effect (alert, document, dead letter) failed

Each message says what was wrong, where, and what to do next.
"""

from __future__ import annotations

from pathlib import Path


class ListingWatchError(Exception):
    """Root of every error listing-watch raises on purpose."""


class ConfigError(ListingWatchError):
    """A setting is missing or malformed; the message names the setting."""


class EventError(ListingWatchError):
    """A listing event was refused at one stage of the pipeline.

    ``reason`` is a stable, low-cardinality code (``decode_error``,
    ``schema_error``, ...) used as the dead-letter reason and as a metric
    label; ``detail`` is the human-readable explanation.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class LibraryError(ListingWatchError):
    """A keyword-library file was refused; the library in force stays.

    Carries the file and the 1-based line at fault so that an editor can
    jump there; ``line`` is 0 when the fault is not tied to one line.
    """

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {reason}")
        self.path = Path(path)
        self.line = line
        self.reason = reason


class StackError(ListingWatchError):
    """Kafka or Elasticsearch could not be reached or prepared."""


class DeliveryError(ListingWatchError):
    """An effect could not be made durable; the offset is not committed."""
