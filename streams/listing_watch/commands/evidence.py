"""``listing-watch evidence ALERT_ID``: export an alert's evidence as a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from listing_watch.workflow.evidence import evidence_record
from listing_watch.workflow.outfiles import check_output, write_whole
from listing_watch.workflow.state import fold
from listing_watch.workflow.store import open_store


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evidence",
        help="export an alert's listing as screened, its verdict and history",
        description="Write the evidence for the case record as JSON.",
    )
    parser.add_argument("alert_id", metavar="ALERT_ID")
    parser.add_argument("--out", type=Path, help="JSON file to write (default: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output(args.out, suffix=".json")
    store = open_store()
    alert = store.find_alert(args.alert_id)["_source"]
    record = evidence_record(alert, fold(store.history(args.alert_id)))
    data = orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    if args.out is None:
        sys.stdout.write(data.decode() + "\n")
    else:
        write_whole(args.out, lambda path: path.write_bytes(data + b"\n"))
        print(f"evidence: wrote {args.out} intact={record['intact']}", file=sys.stderr)
    return 0 if record["intact"] else 1
