"""``listing-watch takedowns --platform P --since DATE``: the request list."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from listing_watch.commands.report import parse_day
from listing_watch.config import load_settings
from listing_watch.search.index import connect
from listing_watch.workflow.outfiles import check_output
from listing_watch.workflow.outputs import TAKEDOWN_HEADER, takedown_rows
from listing_watch.workflow.settings import load_workflow_settings
from listing_watch.workflow.sheets import write_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "takedowns",
        help="write the takedown request list for a platform (xlsx)",
        description="Listings whose takedown was requested and not yet confirmed.",
    )
    parser.add_argument("--platform", required=True)
    parser.add_argument("--since", required=True, type=parse_day, help="YYYY-MM-DD")
    parser.add_argument("--out", type=Path, help="workbook (default: takedowns-P.xlsx)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = check_output(
        args.out or Path(f"takedowns-{args.platform}.xlsx"), suffix=".xlsx"
    )
    settings = load_settings()
    workflow = load_workflow_settings()
    rows = takedown_rows(
        connect(settings.search),
        alerts_alias=settings.search.alerts_alias,
        dispositions_alias=workflow.dispositions_alias,
        platform=args.platform,
        since=args.since,
    )
    write_table(out, [("督促下架清单", TAKEDOWN_HEADER, rows)])
    print(f"takedowns: platform={args.platform} listings={len(rows)} out={out}")
    return 0
