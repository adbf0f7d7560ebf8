"""Preparing a version to publish: validate, number, compile, diff.

Nothing here touches Kafka: :mod:`listing_watch.pipeline.library_topic`
sends what these functions return. A library that fails validation raises
``LibraryError`` (file, line, reason) before any record exists, so it can
never reach the topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from listing_watch.errors import LibraryError
from listing_watch.library.bundle import (
    LibraryBundle,
    bundle_specs,
    compile_bundle,
    meaning_digest,
)
from listing_watch.library.diff import diff_specs
from listing_watch.library.versions import Action, PublishedVersion
from listing_watch.screening.model import CompiledLibrary


@dataclass(frozen=True, slots=True)
class Candidate:
    """A validated version ready to send, and its compiled library."""

    version: PublishedVersion
    library: CompiledLibrary


def next_number(current: PublishedVersion | None, local: int) -> int:
    """One more than the version in force, or the local number if higher.

    A bureau that raised ``VERSION`` by hand keeps its number; one that
    forgot still gets an increasing one.
    """
    return max(local, (current.number + 1) if current else 1)


def prepare(
    bundle: LibraryBundle,
    *,
    current: PublishedVersion | None,
    author: str,
    note: str,
    now: datetime,
    action: Action = "publish",
    rollback_of: str | None = None,
) -> Candidate:
    """Number, compile and diff ``bundle`` against the version in force."""
    if not author.strip():
        raise LibraryError("--author", 0, "name who publishes (--author NAME)")
    numbered = bundle.with_number(next_number(current, bundle.number))
    library = compile_bundle(numbered)
    specs = bundle_specs(numbered)
    previous_specs = bundle_specs(current.bundle) if current else None
    version = PublishedVersion(
        version=library.version,
        number=numbered.number,
        digest=meaning_digest(specs),
        action=action,
        author=author.strip(),
        note=note,
        published_at=now,
        previous=current.version if current else None,
        rollback_of=rollback_of,
        diff=diff_specs(previous_specs, specs),
        terms=tuple(sorted(spec.canonical for spec in specs.terms)),
        bundle=numbered,
    )
    return Candidate(version=version, library=library)
