"""``listing-watch explain TEXT``: one listing's verdict, matches highlighted.

TEXT is a title, or a JSON listing event (title, description, category).
Matches are shown in the seller's original text between ⟦ and ⟧ (reverse
video on a terminal), then each match with its span and the reasons.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from listing_watch.commands.offline_input import add_as_of, text_field_problem
from listing_watch.errors import ConfigError
from listing_watch.library import DEFAULT_ROOT, load_library
from listing_watch.screening import ListingText, Verdict, screen
from listing_watch.screening.kinds import FIELD_NAMES, FIELDS, KIND_NAMES, RISK_NAMES
from listing_watch.screening.verdict import Span

PLAIN_MARKS = ("⟦", "⟧")
TERMINAL_MARKS = ("\x1b[7m", "\x1b[0m")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="screen one listing and show what matched, where and why",
        description="Screen TEXT (a title or a JSON listing) and explain the verdict.",
    )
    parser.add_argument(
        "text", metavar="TEXT", help="a title, or a JSON listing object"
    )
    parser.add_argument("--description", default="", help="description, with a title")
    parser.add_argument("--category", default="", help="category, with a title")
    parser.add_argument("--library", type=Path, default=DEFAULT_ROOT, metavar="DIR")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    add_as_of(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = _listing_text(args)
    verdict = screen(text, load_library(args.library), as_of=args.as_of)
    if args.json:
        sys.stdout.buffer.write(
            orjson.dumps(verdict.to_dict(), option=orjson.OPT_INDENT_2)
        )
        sys.stdout.write("\n")
        return 0
    marks = TERMINAL_MARKS if sys.stdout.isatty() else PLAIN_MARKS
    print("\n".join(describe(text, verdict, marks)))
    return 0


def _listing_text(args: argparse.Namespace) -> ListingText:
    if args.text.lstrip().startswith("{"):
        try:
            record = orjson.loads(args.text)
        except orjson.JSONDecodeError:
            record = None
        if isinstance(record, dict):
            problem = text_field_problem(record)
            if problem:
                raise ConfigError(f"cannot screen this listing: {problem}")
            return ListingText.from_record(record)
    return ListingText(
        title=args.text, description=args.description, category=args.category
    )


def describe(text: ListingText, verdict: Verdict, marks: tuple[str, str]) -> list[str]:
    """The lines ``explain`` prints for one verdict."""
    kinds = (
        "、".join(f"{KIND_NAMES[kind]}({kind})" for kind in verdict.violations) or "无"
    )
    lines = [
        f"结论：{RISK_NAMES[verdict.risk]} ({verdict.risk})  得分 {verdict.score}",
        f"违规类型：{kinds}",
    ]
    spans = [span for match in verdict.matches for span in match.spans]
    for field in FIELDS:
        original = text.field_text(field)
        if original:
            marked = highlight(original, [s for s in spans if s.field == field], marks)
            lines.append(f"{FIELD_NAMES[field]}：{marked}")
    lines.append("命中：" if verdict.matches else "命中：无")
    for match in verdict.matches:
        where = "、".join(
            f"{FIELD_NAMES[span.field]}[{span.start}:{span.end}]“{span.text}”"
            for span in match.spans
        )
        lines.append(
            f"  {match.term}  {where}  形式：{match.variant_kind} {match.variant}"
        )
    lines.append("理由：")
    lines += [
        f"  [{reason.rule_id}] {reason.rule}：{reason.text}"
        for reason in verdict.reasons
    ]
    lines.append(f"词库版本：{verdict.library_version}")
    return lines


def highlight(original: str, spans: list[Span], marks: tuple[str, str]) -> str:
    """``original`` with every span wrapped in ``marks``; overlaps merge."""
    merged: list[list[int]] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    pieces, last = [], 0
    for start, end in merged:
        pieces += [original[last:start], marks[0], original[start:end], marks[1]]
        last = end
    return "".join([*pieces, original[last:]])
