"""Operator logs: one JSON object a line, a stable event name and fields.

Use :func:`log_event` rather than formatting messages, so that every line
is machine-readable and its event name can be alerted on::

    log_event(logger, "batch_screened", listings=500, alerts=2, elapsed_ms=12)

renders as ``{"time": "...+00:00", "level": "INFO", "logger": "...",
"event": "batch_screened", "listings": 500, "alerts": 2, "elapsed_ms": 12}``.
Never pass secrets or whole listings as fields.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

_FIELDS_ATTRIBUTE = "lw_fields"


class JsonFormatter(logging.Formatter):
    """Renders records as JSON; third-party records keep their message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, _FIELDS_ATTRIBUTE, {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode("utf-8")


def log_event(
    logger: logging.Logger, event: str, *, level: int = logging.INFO, **fields: Any
) -> None:
    logger.log(level, event, extra={_FIELDS_ATTRIBUTE: fields})


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process, stdout stays for results."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
