"""Published library versions: the record on the library topic.

A version is ``NUMBER+HASH``: the number increases with every publication
(a rollback too) and the hash is the compiled library's content hash, the
same string every alert carries as ``library_version``. The record holds
the validated source (a :class:`LibraryBundle`), who published it, when,
why, and what it changed against the version in force before it.

Which version is in force: the one with the highest number; two records
with the same number (two publishers racing) are ordered by their offset
on the topic, the later one winning, so every follower agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from listing_watch.errors import LibraryError
from listing_watch.library.bundle import LibraryBundle
from listing_watch.library.diff import LibraryDiff

Action = Literal["publish", "rollback"]
RECORD_FORMAT = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedVersion:
    """One library version as published, with its provenance."""

    version: str
    number: int
    digest: str
    action: Action
    author: str
    note: str
    published_at: datetime
    previous: str | None
    diff: LibraryDiff
    bundle: LibraryBundle = field(repr=False)
    terms: tuple[str, ...] = ()
    rollback_of: str | None = None
    offset: int = -1

    def encode(self) -> bytes:
        return orjson.dumps(self.to_dict(with_files=True))

    def to_dict(self, *, with_files: bool = False) -> dict[str, Any]:
        record: dict[str, Any] = {
            "format": RECORD_FORMAT,
            "version": self.version,
            "number": self.number,
            "digest": self.digest,
            "action": self.action,
            "author": self.author,
            "note": self.note,
            "published_at": self.published_at.isoformat(),
            "previous": self.previous,
            "rollback_of": self.rollback_of,
            "diff": self.diff.to_dict(),
            "terms": list(self.terms),
        }
        if with_files:
            record["files"] = dict(self.bundle.files)
        return record


def decode_version(value: bytes, *, offset: int = -1) -> PublishedVersion:
    """A record from the library topic; ``LibraryError`` when unreadable."""
    try:
        raw = orjson.loads(value)
        return _from_dict(raw, offset)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise LibraryError(
            f"library topic @{offset}", 0, f"unreadable version record: {error!r}"
        ) from None


def _from_dict(raw: Mapping[str, Any], offset: int) -> PublishedVersion:
    return PublishedVersion(
        version=str(raw["version"]),
        number=int(raw["number"]),
        digest=str(raw["digest"]),
        action="rollback" if raw["action"] == "rollback" else "publish",
        author=str(raw["author"]),
        note=str(raw["note"]),
        published_at=datetime.fromisoformat(raw["published_at"]),
        previous=raw.get("previous"),
        rollback_of=raw.get("rollback_of"),
        diff=LibraryDiff.from_dict(raw.get("diff", {})),
        terms=tuple(raw.get("terms", ())),
        bundle=LibraryBundle({str(k): str(v) for k, v in raw["files"].items()}),
        offset=offset,
    )


def in_force(versions: Iterable[PublishedVersion]) -> PublishedVersion | None:
    """The version every follower screens with: highest number, then offset."""
    return max(versions, key=lambda v: (v.number, v.offset), default=None)


def newer(candidate: PublishedVersion, current: PublishedVersion | None) -> bool:
    """Whether ``candidate`` replaces ``current`` as the version in force."""
    if current is None:
        return True
    return (candidate.number, candidate.offset) > (current.number, current.offset)


def find_version(versions: Iterable[PublishedVersion], wanted: str) -> PublishedVersion:
    """The version named ``wanted``: ``7+1a2b3c4d``, or just its number ``7``."""
    found = [v for v in versions if wanted in (v.version, str(v.number))]
    if not found:
        raise LibraryError(
            "library topic",
            0,
            f"no published version {wanted!r}; see 'library history'",
        )
    return max(found, key=lambda v: v.offset)
