"""``listing-watch replay FILE...``: publish listings as new-listing events."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from listing_watch.config import load_settings
from listing_watch.errors import ConfigError
from listing_watch.events import parse_observed_at
from listing_watch.pipeline.replay import replay

# How many refused lines to print before summarising the rest.
SHOWN_SKIPS = 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="publish listings from JSON Lines files (gzip or plain)",
        description=(
            "Publish each line as a new-listing event with stable ids: the same "
            "line always gives the same event. Labels of evaluation files are "
            "never published."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--bootstrap-servers",
        help="Kafka bootstrap servers (env LW_KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.add_argument(
        "--observed-at",
        help="observed time for records without one (RFC 3339; default: now)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.bootstrap_servers:
        settings = settings.with_bootstrap(args.bootstrap_servers)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        raise ConfigError(f"no such file: {', '.join(missing)}")
    observed_at = (
        parse_observed_at(args.observed_at) if args.observed_at else datetime.now(UTC)
    )

    report, skipped = replay(
        args.files, settings, observed_at=observed_at, progress=not args.no_progress
    )

    for line in skipped[:SHOWN_SKIPS]:
        print(f"{line.path}:{line.line}: skipped: {line.reason}", file=sys.stderr)
    if len(skipped) > SHOWN_SKIPS:
        print(
            f"... and {len(skipped) - SHOWN_SKIPS} more skipped lines", file=sys.stderr
        )
    print(
        f"replay: published={report.published} skipped={report.skipped} "
        f"files={report.files} seconds={report.seconds:.1f}"
    )
    return 1 if skipped else 0
