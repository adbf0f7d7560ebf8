"""Reading library files line by line, the same whatever the editor did.

A byte-order mark, Windows line endings, blank lines, trailing spaces and
comments do not change what a file means (pipeline case P6): they are
dropped here, before any parser sees a line, and every remaining line keeps
its file and 1-based number for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from listing_watch.errors import LibraryError

COMMENT = "#"


@dataclass(frozen=True, slots=True)
class Line:
    """One meaningful line of a library file."""

    path: Path
    number: int
    text: str

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.number}"

    def error(self, reason: str) -> LibraryError:
        return LibraryError(self.path, self.number, reason)


def read_lines(path: Path) -> list[Line]:
    """The non-blank, non-comment lines of ``path``, stripped."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as error:
        raise LibraryError(path, 0, f"cannot read: {error.strerror}") from None
    lines = []
    for number, raw in enumerate(split_text(decode_text(path, raw_bytes)), start=1):
        text = _without_comment(raw).strip()
        if text:
            lines.append(Line(path, number, text))
    return lines


def decode_text(path: Path, content: bytes) -> str:
    """``content`` as UTF-8 (a byte-order mark dropped), or the bad line."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        number = content.count(b"\n", 0, error.start) + 1
        raise LibraryError(
            path,
            number,
            f"not UTF-8 (byte 0x{content[error.start]:02x}); save the file as UTF-8",
        ) from None


def split_text(content: str) -> list[str]:
    """The lines of ``content``: split at "\n" only, "\r" dropped at the end.

    ``str.splitlines`` also splits at U+2028, U+2029, form feed and U+001C
    to U+001E, so one of them inside a comment would shift every later line
    number and cut a comment into a line that is read.
    """
    return [line.removesuffix("\r") for line in content.split("\n")]


def _without_comment(raw: str) -> str:
    # A comment starts at "#" at the start of a line or after whitespace, so
    # a "#" inside a word (C#, #5) stays part of it.
    if raw.lstrip().startswith(COMMENT):
        return ""
    cut = raw.find(f" {COMMENT}")
    return raw if cut < 0 else raw[:cut]


def split_fields(line: Line) -> tuple[list[str], dict[str, str]]:
    """Split ``WORD WORD key=value key=value`` into words and fields."""
    words: list[str] = []
    fields: dict[str, str] = {}
    for token in line.text.split():
        key, equals, value = token.partition("=")
        if not equals:
            if fields:
                raise line.error(f"'{token}' follows the fields; put words first")
            words.append(token)
            continue
        if not key:
            raise line.error(f"'{token}' has no field name before '='")
        if key in fields:
            raise line.error(f"field '{key}' given twice")
        fields[key] = value
    return words, fields


def split_list(value: str) -> list[str]:
    """A comma-separated field value, without empty items."""
    return [
        item.strip() for item in value.replace("，", ",").split(",") if item.strip()
    ]
