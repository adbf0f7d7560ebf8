"""Reading listing files for the offline commands (screen, evaluate).

``--as-of DATE`` (explain, screen, evaluate) is the Asia/Shanghai day the
campaigns are judged on for listings without ``observed_at``. JSON Lines,
plain or gzip. A line that is not a JSON object is reported
with its number, never fatal. A lone surrogate escape (``"\\ud800"``) is
decoded and then replaced, so such a title is screened with U+FFFD in
place of the bad code unit (screening case S6).
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

import orjson

from listing_watch.errors import ConfigError

# The fields the screen reads; each must be a string when present.
TEXT_FIELDS = ("title", "description", "category")


@dataclass(frozen=True, slots=True)
class InputLine:
    """One line of an input file: its record, or why it has none."""

    number: int
    record: dict[str, Any] | None
    error: str = ""

    @property
    def label(self) -> str:
        """The listing's ``id``, or ``line N`` when it has none."""
        if self.record is not None and isinstance(self.record.get("id"), str):
            return str(self.record["id"])
        return f"line {self.number}"


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """Add ``--as-of DATE`` to an offline command."""
    parser.add_argument(
        "--as-of",
        type=_iso_day,
        default=None,
        metavar="DATE",
        help="day (YYYY-MM-DD, Asia/Shanghai) whose campaigns apply to listings "
        "without observed_at; default: no campaign for them",
    )


def _iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2021-07-01"
        ) from None


def read_input(path: Path) -> Iterator[InputLine]:
    """The lines of ``path`` (1-based numbers), blank lines skipped."""
    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    with _open(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if raw.strip():
                yield _decode(number, raw)


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _decode(number: int, raw: bytes) -> InputLine:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        record = _lenient(raw)
        if record is None:
            return InputLine(number, None, "decode_error: not valid JSON")
    if not isinstance(record, dict):
        return InputLine(number, None, "schema_error: not a JSON object")
    problem = text_field_problem(record)
    if problem:
        return InputLine(number, None, f"schema_error: {problem}")
    return InputLine(number, record)


def text_field_problem(record: dict[str, Any]) -> str:
    """Why a record's text fields cannot be screened, or "" when they can.

    The worker refuses a listing event whose title, description or category
    is not a string (``schema_error``); the offline commands refuse the same
    records rather than screen them as empty text.
    """
    for name in TEXT_FIELDS:
        if name in record and not isinstance(record[name], str):
            kind = type(record[name]).__name__
            return f"{name} must be a string, got {kind} {record[name]!r:.40}"
    return ""


def _lenient(raw: bytes) -> Any:
    # orjson refuses lone surrogates; the standard parser keeps them and the
    # record is then cleaned so that no unencodable character travels on.
    try:
        record = json.loads(raw.decode("utf-8", errors="replace").lstrip("\ufeff"))
    except ValueError:
        return None
    return _replace_surrogates(record)


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", errors="replace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _replace_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    return value
