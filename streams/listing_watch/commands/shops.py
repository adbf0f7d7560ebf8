"""``listing-watch shops``: shops by alert count, across platforms."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from listing_watch.commands.report import parse_day
from listing_watch.config import load_settings
from listing_watch.search.index import connect
from listing_watch.workflow.errors import WorkflowError
from listing_watch.workflow.outfiles import check_output
from listing_watch.workflow.outputs import SHOPS_HEADER, shop_summaries
from listing_watch.workflow.settings import load_workflow_settings
from listing_watch.workflow.sheets import write_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "shops",
        help="list shops by alert count across platforms, with their dispositions",
        description="Shops whose listings alerted in the days FROM..TO (Shanghai).",
    )
    parser.add_argument(
        "--from", dest="first", type=parse_day, default=date(2021, 1, 1)
    )
    parser.add_argument("--to", dest="last", type=parse_day, default=date(2099, 12, 31))
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--out", type=Path, help="also write an xlsx")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.last < args.first:
        raise WorkflowError(
            f"--to {args.last} 早于 --from {args.first}；请交换两个日期"
        )
    if args.top < 1:
        raise WorkflowError(f"--top {args.top} 须为正整数，例如 --top 50")
    if args.out is not None:
        check_output(args.out, suffix=".xlsx")
    settings = load_settings()
    workflow = load_workflow_settings()
    shops = shop_summaries(
        connect(settings.search),
        alerts_alias=settings.search.alerts_alias,
        dispositions_alias=workflow.dispositions_alias,
        first=args.first,
        last=args.last,
    )[: args.top]
    rows = [shop.row() for shop in shops]
    if args.json:
        for row in rows:
            line = dict(zip(SHOPS_HEADER, row, strict=True))
            sys.stdout.write(orjson.dumps(line).decode() + "\n")
    else:
        for row in rows:
            sys.stdout.write("\t".join(str(cell) for cell in row) + "\n")
    if args.out is not None:
        write_table(args.out, [("店铺告警排行", SHOPS_HEADER, rows)])
    return 0
