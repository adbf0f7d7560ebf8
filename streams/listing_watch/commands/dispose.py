"""``listing-watch dispose ALERT_ID ACTION --by NAME``: record an action.

Prints the alert's state and whole history afterwards (``--show`` prints
them without recording anything; ``--sync`` indexes the alert's actions
again from the dispositions topic, after an indexing failure). Refusals
are one Chinese line on stderr saying what to do, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

import orjson

from listing_watch.workflow.dispositions import (
    ACTION_NAMES,
    ACTIONS,
    PENALTY_KINDS,
    parse_amount,
    yuan,
)
from listing_watch.workflow.errors import DispositionError
from listing_watch.workflow.state import STATE_NAMES, AlertState
from listing_watch.workflow.store import open_store


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dispose",
        help="record an investigator's action on an alert (or --show its history)",
        description=(
            "Record one action on an alert: "
            + ", ".join(f"{a} ({ACTION_NAMES[a]})" for a in ACTIONS)
        ),
    )
    parser.add_argument("alert_id", metavar="ALERT_ID")
    parser.add_argument("action", metavar="ACTION", nargs="?", choices=ACTIONS)
    parser.add_argument("--by", default="", help="the investigator's name")
    parser.add_argument("--reason", default="", help="required for dismiss and void")
    parser.add_argument("--case", dest="case_number", help="case number")
    parser.add_argument("--amount", help="penalty amount in yuan, e.g. 5000 or 12.50")
    parser.add_argument("--kind", dest="penalty_kind", choices=PENALTY_KINDS)
    parser.add_argument("--decision", help="penalty decision number (counts once)")
    parser.add_argument("--unit", help="receiving unit of a forward (region code)")
    parser.add_argument("--voids", help="the disposition id a void cancels")
    parser.add_argument("--at", type=parse_moment, help="when it happened (ISO 8601)")
    parser.add_argument("--show", action="store_true", help="print history only")
    parser.add_argument(
        "--sync",
        action="store_true",
        help="index the alert's actions again from the dispositions topic",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    amount = parse_amount(args.amount) if args.amount else None
    at = _aware(args.at)
    store = open_store()
    if args.sync:
        if args.action is not None:
            raise DispositionError("--sync 只补建索引，不能同时记录处置动作")
        count, state = store.sync_from_topic(args.alert_id)
        print(f"dispose: 从主题补建 {count} 条处置记录的索引", file=sys.stderr)
    elif args.show or args.action is None:
        if args.action is None and not args.show:
            raise DispositionError("请给出处置动作（ACTION），或用 --show 查看历史")
        state = store.state(args.alert_id)
    else:
        _, state = store.dispose(
            args.alert_id,
            args.action,
            by=args.by,
            at=at,
            reason=args.reason,
            case_number=args.case_number,
            amount_yuan=amount,
            penalty_kind=args.penalty_kind or _default_kind(args.action),
            decision=args.decision,
            unit=args.unit,
            voids=args.voids,
        )
    if args.json:
        sys.stdout.write(orjson.dumps(state.to_document()).decode() + "\n")
    else:
        sys.stdout.write(render_history(args.alert_id, state))
    return 0


def render_history(alert_id: str, state: AlertState) -> str:
    voided = state.voided_ids
    lines = [f"告警 {alert_id}  状态：{STATE_NAMES[state.state]}", "处置历史："]
    if not state.history:
        lines.append("  （无）")
    for d in state.history:
        details = [
            f"案件 {d.case_number}" if d.case_number else "",
            f"{yuan(d.amount_yuan)} 元" if d.amount_yuan is not None else "",
            f"移送 {d.unit}" if d.unit else "",
            f"作废 {d.voids}" if d.voids else "",
            d.reason,
            "（已作废）" if d.disposition_id in voided else "",
        ]
        text = " ".join(part for part in details if part)
        lines.append(
            f"  {d.at.isoformat(timespec='seconds')}  {ACTION_NAMES[d.action]}"
            f"  {d.by}  {text}  [{d.disposition_id}]"
        )
    return "\n".join(lines) + "\n"


def parse_moment(raw: str) -> datetime:
    """``--at``: an ISO 8601 moment; argparse prints the refusal."""
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{raw!r} 不是时间；请用 ISO 8601 格式，例如 2021-07-01T10:00:00+08:00"
        ) from None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise DispositionError(
            f"--at {moment.isoformat()} 缺少时区，例如 2021-07-01T10:00:00+08:00"
        )
    return moment


def _default_kind(action: str) -> str | None:
    return "fine" if action == "penalty" else None
