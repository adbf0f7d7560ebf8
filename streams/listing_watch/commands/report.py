"""``listing-watch report``: the notice's Annex 2 table for one unit."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from listing_watch.config import load_settings
from listing_watch.search.index import connect
from listing_watch.workflow.annex2 import Period
from listing_watch.workflow.days import SHANGHAI, check_day
from listing_watch.workflow.errors import WorkflowError
from listing_watch.workflow.outfiles import check_output
from listing_watch.workflow.regions import check_unit
from listing_watch.workflow.report_query import build_annex2
from listing_watch.workflow.settings import load_workflow_settings
from listing_watch.workflow.workbook import render_text, write_workbook


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the Annex 2 statistics table (xlsx) and print it",
        description=(
            "Count the notice's Annex 2 figures for a unit over Asia/Shanghai "
            "days FROM..TO (both included)."
        ),
    )
    parser.add_argument("--unit", required=True, help="region code, e.g. 420000")
    parser.add_argument("--from", dest="first", required=True, type=parse_day)
    parser.add_argument("--to", dest="last", required=True, type=parse_day)
    parser.add_argument("--out", type=Path, help="workbook to write (.xlsx)")
    parser.add_argument(
        "--filled-on", type=parse_day, help="填报日期 (default: today in Shanghai)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.last < args.first:
        raise WorkflowError(
            f"--to {args.last} 早于 --from {args.first}；请交换两个日期"
        )
    if args.out is not None:
        check_output(args.out, suffix=".xlsx")
    settings = load_settings()
    workflow = load_workflow_settings()
    period = Period(unit=check_unit(args.unit), first=args.first, last=args.last)
    filled_on = args.filled_on or _today()
    report = build_annex2(
        connect(settings.search), settings, workflow, period, filled_on=filled_on
    )
    sys.stdout.write(render_text(report))
    if args.out is not None:
        write_workbook(report, args.out)
        print(f"report: wrote {args.out}", file=sys.stderr)
    return 0


def parse_day(raw: str) -> date:
    """A report day; argparse prints the refusal with the option's name."""
    try:
        return check_day(date.fromisoformat(raw), option="日期")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{raw!r} 不是日期；请用 YYYY-MM-DD 格式，例如 2021-07-01"
        ) from None
    except WorkflowError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _today() -> date:
    return datetime.now(SHANGHAI).date()
