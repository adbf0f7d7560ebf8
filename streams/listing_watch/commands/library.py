"""``listing-watch library``: validate, publish, diff, history, rollback.

The library topic is the source of truth once anything was published:
workers screen with its version in force. ``publish`` sends the validated
source of ``keywords/`` as a new version; ``rollback`` sends an older
version's content as a new one, so history only ever grows.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from listing_watch.commands import library_review
from listing_watch.config import Settings, load_settings
from listing_watch.errors import ConfigError
from listing_watch.library import load_library
from listing_watch.library.bundle import bundle_specs, read_bundle
from listing_watch.library.diff import diff_specs
from listing_watch.library.publish import Candidate, prepare
from listing_watch.library.specs import LibrarySpecs
from listing_watch.library.versions import (
    PublishedVersion,
    find_version,
    in_force,
)
from listing_watch.pipeline.library_audit import (
    ensure_audit_index,
    record_audit,
    version_event,
)
from listing_watch.pipeline.library_settings import (
    LibrarySettings,
    load_library_settings,
)
from listing_watch.pipeline.library_topic import (
    ensure_library_topics,
    publish_version,
    read_versions,
)
from listing_watch.search.index import connect


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "library",
        help="validate, publish, diff and roll back the keyword library",
        description=(
            "Manage published keyword-library versions. Workers follow the "
            "library topic and swap to each new version within seconds."
        ),
    )
    commands = parser.add_subparsers(dest="library_command", required=True)
    _validate(commands)
    _publish(commands)
    _rollback(commands)
    _diff(commands)
    _history(commands)
    _show(commands)
    library_review.register(commands)


def _keywords_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keywords",
        type=Path,
        default=None,
        help="library folder (default: LW_KEYWORDS_DIR or keywords/)",
    )


def _validate(commands: Any) -> None:
    parser = commands.add_parser(
        "validate", help="check and compile the library files; publish nothing"
    )
    _keywords_option(parser)
    parser.set_defaults(run=run_validate)


def _publish(commands: Any) -> None:
    parser = commands.add_parser(
        "publish", help="publish the library files as a new version"
    )
    _keywords_option(parser)
    parser.add_argument("--author", required=True, help="who publishes")
    parser.add_argument("--note", default="", help="why: shown in the history")
    parser.add_argument(
        "--retrohunt-since",
        metavar="SINCE",
        help="then screen listings since SINCE (72h, 2021-06-28) with it",
    )
    parser.add_argument("--json", action="store_true", help="print the record")
    parser.set_defaults(run=run_publish)


def _rollback(commands: Any) -> None:
    parser = commands.add_parser(
        "rollback", help="publish an older version's content as a new version"
    )
    parser.add_argument("version", help="version to restore: 3+1a2b3c4d or 3")
    parser.add_argument("--author", required=True, help="who rolls back")
    parser.add_argument("--note", default="", help="why")
    parser.add_argument("--json", action="store_true", help="print the record")
    parser.set_defaults(run=run_rollback)


def _diff(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="what changes from A to B",
        description=(
            "A and B are published versions (7+1a2b3c4d or 7), 'current' (the "
            "version in force) or a library folder."
        ),
    )
    parser.add_argument("a")
    parser.add_argument("b", nargs="?", default=None, help="default: keywords/")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run_diff)


def _history(commands: Any) -> None:
    parser = commands.add_parser("history", help="every published version")
    parser.add_argument("--json", action="store_true", help="one JSON line each")
    parser.set_defaults(run=run_history)


def _show(commands: Any) -> None:
    parser = commands.add_parser("show", help="one version's record and terms")
    parser.add_argument("version", help="7+1a2b3c4d, 7 or 'current'")
    parser.add_argument("--files", action="store_true", help="print its files too")
    parser.set_defaults(run=run_show)


# --- handlers -------------------------------------------------------------


def run_validate(args: argparse.Namespace) -> int:
    library = load_library(_root(args, load_settings()))
    print(
        f"library validate: ok version={library.version} "
        f"terms={len(library.terms)} keys={library.key_count}"
    )
    return 0


def run_publish(args: argparse.Namespace) -> int:
    settings = load_settings()
    root = _root(args, settings)
    # Validate the files where they are, so an error names the real file.
    load_library(root)
    lib_settings = _prepared_stack(settings)
    current = in_force(read_versions(settings, lib_settings))
    candidate = prepare(
        read_bundle(root),
        current=current,
        author=args.author,
        note=args.note,
        now=datetime.now(UTC),
    )
    if current is not None and candidate.version.digest == current.digest:
        print(
            f"library publish: unchanged, {current.version} already in force "
            "(nothing published)"
        )
        return 0
    _send(settings, lib_settings, candidate, as_json=args.json)
    if args.retrohunt_since:
        from listing_watch.commands.retrohunt import run_after_publish  # noqa: PLC0415

        return run_after_publish(
            settings, lib_settings, since=args.retrohunt_since, author=args.author
        )
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    settings = load_settings()
    lib_settings = _prepared_stack(settings)
    versions = read_versions(settings, lib_settings)
    target = find_version(versions, args.version)
    candidate = prepare(
        target.bundle,
        current=in_force(versions),
        author=args.author,
        note=args.note or f"rollback to {target.version}",
        now=datetime.now(UTC),
        action="rollback",
        rollback_of=target.version,
    )
    _send(settings, lib_settings, candidate, as_json=args.json)
    return 0


def run_diff(args: argparse.Namespace) -> int:
    settings = load_settings()
    lib_settings = load_library_settings()
    versions: list[PublishedVersion] | None = None

    def specs(name: str | None) -> LibrarySpecs:
        nonlocal versions
        if name is None or Path(name).is_dir():
            return bundle_specs(read_bundle(Path(name or settings.worker.keywords_dir)))
        if versions is None:
            versions = read_versions(settings, lib_settings)
        return bundle_specs(_named(versions, name).bundle)

    diff = diff_specs(specs(args.a), specs(args.b))
    if args.json:
        print(orjson.dumps(diff.to_dict()).decode("utf-8"))
        return 0
    for line in diff.lines():
        print(line)
    if diff.empty:
        print("no change", file=sys.stderr)
    return 0


def run_history(args: argparse.Namespace) -> int:
    settings = load_settings()
    versions = read_versions(settings, load_library_settings())
    current = in_force(versions)
    for version in versions:
        if args.json:
            print(orjson.dumps(version.to_dict()).decode("utf-8"))
            continue
        mark = "*" if version is current else " "
        diff = version.diff
        print(
            f"{mark} {version.version:<14} {version.action:<8} "
            f"{version.published_at:%Y-%m-%d %H:%M} {version.author:<12} "
            f"+{len(diff.terms_added)} -{len(diff.terms_removed)} "
            f"~{len(diff.terms_changed)} terms  {version.note}"
        )
    if not versions:
        print("no version published yet", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    settings = load_settings()
    version = _named(read_versions(settings, load_library_settings()), args.version)
    print(orjson.dumps(version.to_dict(), option=orjson.OPT_INDENT_2).decode())
    if args.files:
        for path, text in sorted(version.bundle.files.items()):
            print(f"--- {path}\n{text}")
    return 0


# --- steps ----------------------------------------------------------------


def _root(args: argparse.Namespace, settings: Settings) -> Path:
    root: Path = args.keywords or settings.worker.keywords_dir
    return root


def _prepared_stack(settings: Settings) -> LibrarySettings:
    lib_settings = load_library_settings()
    ensure_library_topics(settings, lib_settings)
    ensure_audit_index(connect(settings.search), lib_settings)
    return lib_settings


def _send(
    settings: Settings,
    lib_settings: LibrarySettings,
    candidate: Candidate,
    *,
    as_json: bool,
) -> None:
    version = candidate.version
    offset = publish_version(settings, lib_settings, version)
    audited = record_audit(settings, lib_settings, version_event(version))
    if as_json:
        print(orjson.dumps(version.to_dict()).decode("utf-8"))
    else:
        for line in version.diff.lines():
            print(line)
        print(
            f"library {version.action}: version={version.version} "
            f"previous={version.previous} offset={offset} "
            f"terms={len(version.terms)} audited={'yes' if audited else 'no'}"
        )


def _named(versions: list[PublishedVersion], name: str) -> PublishedVersion:
    if name == "current":
        current = in_force(versions)
        if current is None:
            raise ConfigError("no version published yet: 'current' names nothing")
        return current
    return find_version(versions, name)
