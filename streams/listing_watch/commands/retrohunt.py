"""``listing-watch retrohunt --since 72h``: screen past listings with a version.

By default the version in force is compared with the one it replaced;
``--version`` and ``--previous`` name others (published versions). The
run is held to ``--rate`` listings per second (``LW_RETROHUNT_RATE``) so it
can run beside the live screen; progress goes to stderr, the summary to
stdout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from listing_watch.config import Settings, load_settings
from listing_watch.errors import ConfigError
from listing_watch.library.bundle import compile_bundle
from listing_watch.library.versions import PublishedVersion, find_version, in_force
from listing_watch.pipeline.library_audit import record_audit, retrohunt_event
from listing_watch.pipeline.library_settings import (
    LibrarySettings,
    load_library_settings,
)
from listing_watch.pipeline.library_topic import read_versions
from listing_watch.pipeline.retrohunt import Retrohunt, RetrohuntSummary, parse_since
from listing_watch.search.index import connect, ensure_alerts_index


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "retrohunt",
        help="screen listings already on the topic with a new library version",
        description=(
            "Raise alerts only where the new version's verdict is new or worse; "
            "never withdraw one (alerts it would clear are marked for review)."
        ),
    )
    parser.add_argument("--since", required=True, help="72h, 2d or an RFC 3339 time")
    parser.add_argument("--version", help="new version (default: the one in force)")
    parser.add_argument("--previous", help="compare with (default: the one before)")
    parser.add_argument("--rate", type=float, help="listings per second")
    parser.add_argument("--author", default="retrohunt", help="recorded in the audit")
    parser.add_argument("--json", action="store_true", help="summary as JSON")
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    lib_settings = load_library_settings()
    summary = hunt(
        settings,
        lib_settings,
        since=args.since,
        version=args.version,
        previous=args.previous,
        rate=args.rate,
        author=args.author,
        progress=not args.no_progress,
    )
    _print(summary, as_json=args.json)
    return 0


def run_after_publish(
    settings: Settings, lib_settings: LibrarySettings, *, since: str, author: str
) -> int:
    """The ``library publish --retrohunt-since`` step."""
    summary = hunt(settings, lib_settings, since=since, author=author, progress=True)
    _print(summary, as_json=False)
    return 0


def hunt(
    settings: Settings,
    lib_settings: LibrarySettings,
    *,
    since: str,
    author: str,
    version: str | None = None,
    previous: str | None = None,
    rate: float | None = None,
    progress: bool = True,
) -> RetrohuntSummary:
    versions = read_versions(settings, lib_settings)
    new = find_version(versions, version) if version else in_force(versions)
    if new is None:
        raise ConfigError("no version published yet: publish one first")
    old = _previous(versions, new, previous)
    search = connect(settings.search)
    # Indices made before ``retrohunt`` and ``review`` existed get them.
    ensure_alerts_index(search, settings.search)
    run = Retrohunt(
        settings,
        new=compile_bundle(new.bundle),
        previous=compile_bundle(old.bundle),
        since=parse_since(since, now=datetime.now(UTC)),
        rate=rate or lib_settings.retrohunt_rate,
        progress=_progress_bar if progress else None,
    )
    summary = run.run(search)
    if progress:
        print(file=sys.stderr)
    record_audit(
        settings, lib_settings, retrohunt_event(summary.to_event(), author=author)
    )
    return summary


def _previous(
    versions: list[PublishedVersion], new: PublishedVersion, wanted: str | None
) -> PublishedVersion:
    if wanted:
        return find_version(versions, wanted)
    if new.previous:
        return find_version(versions, new.previous)
    raise ConfigError(
        f"{new.version} is the first published version: name one with --previous"
    )


def _progress_bar(done: int, total: int) -> None:
    share = done / total if total else 1.0
    print(
        f"\rretrohunt: {done}/{total} listings ({share:.0%})", end="", file=sys.stderr
    )


def _print(summary: RetrohuntSummary, *, as_json: bool) -> None:
    if as_json:
        print(orjson.dumps(summary.to_event()).decode("utf-8"))
        return
    print(
        f"retrohunt: previous={summary.previous_version} new={summary.new_version} "
        f"listings={summary.listings} raised={summary.raised} "
        f"upgraded={summary.upgraded} review={summary.marked_for_review} "
        f"skipped_existing={summary.skipped_existing} "
        f"seconds={summary.seconds} rate={summary.rate}/s"
    )
