"""``listing-watch deadletter list|show|redrive``: the dead-letter topic."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

import orjson

from listing_watch.config import load_settings
from listing_watch.errors import ConfigError
from listing_watch.pipeline.redrive import (
    DeadLetterEntry,
    dead_letters,
    parse_address,
    redrive,
    select,
)

MESSAGE_WIDTH = 70


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "deadletter",
        help="inspect and re-drive records of the dead-letter topic",
        description="Dead letters are addressed as PARTITION@OFFSET on their topic.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="count by reason and list the records")
    listing.add_argument("--reason", help="only this reason (e.g. decode_error)")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="one record with all its headers")
    show.add_argument("address", metavar="PARTITION@OFFSET")
    show.set_defaults(run=run_show)

    drive = actions.add_parser(
        "redrive", help="publish chosen records to the listings topic again"
    )
    drive.add_argument("addresses", nargs="*", metavar="PARTITION@OFFSET")
    drive.add_argument("--reason", help="every record with this reason")
    drive.set_defaults(run=run_redrive)


def run_list(args: argparse.Namespace) -> int:
    entries = select(dead_letters(load_settings()), reason=args.reason)
    if args.json:
        for entry in entries:
            sys.stdout.write(orjson.dumps(_summary(entry)).decode() + "\n")
        return 0

    for entry in entries:
        message = entry.context.get("exception.message", "")[:MESSAGE_WIDTH]
        print(f"{entry.address:>10}  {entry.reason:<16} {message}")
    counts = Counter(entry.reason for entry in entries)
    by_reason = " ".join(
        f"{reason}={count}" for reason, count in sorted(counts.items())
    )
    print(f"deadletter: records={len(entries)} {by_reason}".rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    partition, offset = parse_address(args.address)
    for entry in dead_letters(load_settings()):
        if (entry.partition, entry.offset) == (partition, offset):
            print(orjson.dumps(_summary(entry), option=orjson.OPT_INDENT_2).decode())
            return 0
    raise ConfigError(f"no dead letter at {args.address}; see 'deadletter list'")


def run_redrive(args: argparse.Namespace) -> int:
    if not args.addresses and not args.reason:
        raise ConfigError("name the records: PARTITION@OFFSET ... or --reason REASON")
    settings = load_settings()
    entries = select(
        dead_letters(settings), reason=args.reason, addresses=args.addresses
    )
    count = redrive(settings, entries)
    print(f"deadletter: redriven={count} to={settings.topics.listings}")
    return 0


def _summary(entry: DeadLetterEntry) -> dict[str, Any]:
    return {
        "address": entry.address,
        "reason": entry.reason,
        "context": entry.context,
        "key": _text(entry.key),
        "value": _text(entry.value),
    }


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + raw.hex()
