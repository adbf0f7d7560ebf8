"""``listing-watch evaluate FILE``: screen a labelled file and score it.

The listings are screened exactly as ``screen`` does (the screen reads no
label); the labels are read afterwards, here, to score the verdicts. The
last line is ``evaluate: alert_precision=P alert_recall=R high_recall=H
high_precision=Q explained=E n=N`` (one line), where
alert_precision is the share of alerts whose label alerts; alert_recall: share of
alerting labels that alert; high_recall: share of high labels rated high;
high_precision: share of high ratings labelled high; explained: share of
true alerts whose reasons cite every ``must_match`` term (a cited term
containing it counts: 建党100周年 cites 建党); n: input lines.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from listing_watch.commands.offline_input import InputLine, add_as_of, read_input
from listing_watch.library import DEFAULT_ROOT, load_library
from listing_watch.screening import ListingText, Verdict, screen_many


@dataclass(frozen=True, slots=True)
class Scored:
    """One labelled listing with its verdict."""

    line: InputLine
    verdict: Verdict

    @property
    def label(self) -> dict[str, Any]:
        label = (self.line.record or {}).get("label")
        return label if isinstance(label, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        meta = (self.line.record or {}).get("meta")
        return meta if isinstance(meta, dict) else {}

    @property
    def wants_alert(self) -> bool:
        return bool(self.label.get("alert"))

    @property
    def wants_high(self) -> bool:
        return self.label.get("risk") == "high"

    @property
    def explained(self) -> bool:
        cited = self.verdict.cited_terms()
        must = self.label.get("must_match") or []
        return all(any(item in term for term in cited) for item in must)


@dataclass(frozen=True, slots=True)
class Figures:
    alert_precision: float
    alert_recall: float
    high_recall: float
    high_precision: float
    explained: float

    def line(self, n: int) -> str:
        return (
            f"evaluate: alert_precision={self.alert_precision:.3f}"
            f" alert_recall={self.alert_recall:.3f}"
            f" high_recall={self.high_recall:.3f}"
            f" high_precision={self.high_precision:.3f}"
            f" explained={self.explained:.3f} n={n}"
        )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="screen a labelled JSON Lines file and score the verdicts",
        description="Screen FILE like `screen`, then score against its labels.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--library", type=Path, default=DEFAULT_ROOT, metavar="DIR")
    add_as_of(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    lines = list(read_input(args.file))
    scored = score_file(lines, args.library, as_of=args.as_of)
    for text in report(scored):
        print(text)
    print(figures(scored).line(len(lines)))
    return 0


def score_file(
    lines: Sequence[InputLine], library_root: Path, *, as_of: date | None = None
) -> list[Scored]:
    """Screen the listings of ``lines`` and pair each with its verdict.

    ``as_of`` is the day whose campaigns apply to listings without
    ``observed_at`` (labelled files have none): None applies no campaign.
    """
    library = load_library(library_root)
    usable = [line for line in lines if line.record is not None]
    texts = [ListingText.from_record(line.record or {}) for line in usable]
    verdicts = screen_many(texts, library, as_of=as_of)
    return [
        Scored(line, verdict) for line, verdict in zip(usable, verdicts, strict=True)
    ]


def figures(scored: Sequence[Scored]) -> Figures:
    alerted = [item for item in scored if item.verdict.alert]
    wanted = [item for item in scored if item.wants_alert]
    rated_high = [item for item in scored if item.verdict.risk == "high"]
    labelled_high = [item for item in scored if item.wants_high]
    true_alerts = [item for item in alerted if item.wants_alert]
    return Figures(
        alert_precision=_share(true_alerts, alerted),
        alert_recall=_share(true_alerts, wanted),
        high_recall=_share(
            [i for i in labelled_high if i.verdict.risk == "high"], labelled_high
        ),
        high_precision=_share([i for i in rated_high if i.wants_high], rated_high),
        explained=_share([i for i in true_alerts if i.explained], true_alerts),
    )


def _share(part: Sequence[Scored], whole: Sequence[Scored]) -> float:
    return len(part) / len(whole) if whole else 0.0


def report(scored: Sequence[Scored]) -> list[str]:
    """Every figure and every disagreement, for a person to read."""
    alerts = [item for item in scored if item.wants_alert]
    negatives = [item for item in scored if not item.wants_alert]
    lines = [f"listings={len(scored)} alerting_labels={len(alerts)}"]
    lines.append(f"library={_version(scored)}")
    lines += _table("per violation kind (label's primary)", alerts, _primary_kind)
    lines += _table(
        "per evasion kind", alerts, lambda item: item.meta.get("evasion") or ["none"]
    )
    lines += _negative_table(negatives)
    lines += _listed("miss", [i for i in alerts if not i.verdict.alert])
    lines += _listed("false alert", [i for i in negatives if i.verdict.alert])
    lines += _listed(
        "wrong level",
        [
            i
            for i in alerts
            if i.verdict.alert and i.verdict.risk != i.label.get("risk")
        ],
    )
    lines += _listed(
        "unexplained", [i for i in alerts if i.verdict.alert and not i.explained]
    )
    return lines


def _version(scored: Sequence[Scored]) -> str:
    return scored[0].verdict.library_version if scored else "-"


def _primary_kind(item: Scored) -> list[str]:
    violations = item.label.get("violations") or ["-"]
    return [str(violations[0])]


def _table(
    title: str, items: Iterable[Scored], keys: Callable[[Scored], Iterable[str]]
) -> list[str]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for item in items:
        for key in keys(item):
            groups[key].append(item)
    lines = [
        f"{title}:",
        f"  {'':28} {'n':>4} {'alert_recall':>12} {'high_recall':>11}",
    ]
    for key, group in sorted(groups.items()):
        high = [item for item in group if item.wants_high]
        alert_recall = _share([i for i in group if i.verdict.alert], group)
        high_recall = _share([i for i in high if i.verdict.risk == "high"], high)
        shown = f"{high_recall:.3f}" if high else "-"
        lines.append(f"  {key:28} {len(group):>4} {alert_recall:>12.3f} {shown:>11}")
    return lines


def _negative_table(negatives: Sequence[Scored]) -> list[str]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for item in negatives:
        groups[str(item.meta.get("kind", "-"))].append(item)
    lines = ["per negative kind:", f"  {'':28} {'n':>4} {'false_alerts':>12}"]
    for key, group in sorted(groups.items()):
        false_alerts = sum(1 for item in group if item.verdict.alert)
        lines.append(f"  {key:28} {len(group):>4} {false_alerts:>12}")
    return lines


def _listed(what: str, items: Sequence[Scored]) -> list[str]:
    lines = [f"{what} count: {len(items)}"]
    for item in items:
        record = item.line.record or {}
        want = item.label.get("risk")
        title = str(record.get("title", ""))[:60]
        lines.append(
            f"  {what}: {item.line.label} want={want} got={item.verdict.risk} {title}"
        )
        lines += [f"      {reason.text}" for reason in item.verdict.reasons[:3]]
    return lines
