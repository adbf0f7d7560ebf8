"""``listing-watch forward --unit CODE``: the package for a receiving unit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from listing_watch.config import load_settings
from listing_watch.search.index import connect
from listing_watch.workflow.outfiles import check_output
from listing_watch.workflow.outputs import FORWARD_HEADER, forward_rows
from listing_watch.workflow.regions import check_unit
from listing_watch.workflow.routing import authority_name
from listing_watch.workflow.settings import load_workflow_settings
from listing_watch.workflow.sheets import write_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forward",
        help="write the forwarding package for a receiving unit (xlsx)",
        description="Alerts routed or forwarded to the unit, with evidence hashes.",
    )
    parser.add_argument("--unit", required=True, help="region code, e.g. 330100")
    parser.add_argument(
        "--out", type=Path, help="workbook (default: forward-CODE.xlsx)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    division = check_unit(args.unit)
    out = check_output(args.out or Path(f"forward-{args.unit}.xlsx"), suffix=".xlsx")
    settings = load_settings()
    workflow = load_workflow_settings()
    rows = forward_rows(
        connect(settings.search),
        alerts_alias=settings.search.alerts_alias,
        dispositions_alias=workflow.dispositions_alias,
        unit=args.unit,
    )
    title = f"移送{authority_name(division)}"[:31]
    write_table(out, [(title, FORWARD_HEADER, rows)])
    print(f"forward: unit={args.unit} alerts={len(rows)} out={out}")
    return 0
