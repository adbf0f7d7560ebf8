"""``listing-watch screen FILE --out VERDICTS``: screen JSON Lines offline.

One verdict line out per input line, in order, named by the listing's
``id`` or its line number. Only title, description, category and platform
type are read: labels, explanations and metadata never reach the screen.
The last line on stdout is ``screen: listings=N alerts=M``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any

import orjson
from tqdm import tqdm

from listing_watch.commands.offline_input import InputLine, add_as_of, read_input
from listing_watch.errors import ConfigError
from listing_watch.library import DEFAULT_ROOT, load_library
from listing_watch.screening import CompiledLibrary, ListingText, Verdict, screen_many

# Listings handed to ``screen_many`` at once: large enough for the fast
# pass to pay off, small enough to keep memory flat on any file size.
BATCH_SIZE = 20_000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="screen a JSON Lines file offline and write one verdict per line",
        description="Screen FILE (JSON Lines, plain or gzip) offline, without servers.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--out", type=Path, required=True, metavar="VERDICTS")
    parser.add_argument("--library", type=Path, default=DEFAULT_ROOT, metavar="DIR")
    parser.add_argument(
        "--alerts", action="store_true", help="also print each alerted listing"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_as_of(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    listings = alerts = 0
    progress = tqdm(
        read_input(args.file),
        unit=" listings",
        disable=args.no_progress,
        file=sys.stderr,
    )
    lines = iter(progress)
    with _open_out(args.out) as out:
        for batch in _batches(lines):
            verdicts = _screen(batch, library, as_of=args.as_of)
            for line, verdict in zip(batch, verdicts, strict=True):
                out.write(orjson.dumps(verdict_line(line, verdict)) + b"\n")
                listings += 1
                if verdict is not None and verdict.alert:
                    alerts += 1
                    if args.alerts:
                        print(alert_line(line, verdict))
    print(f"screen: listings={listings} alerts={alerts}")
    return 0


def _open_out(path: Path) -> IO[bytes]:
    try:
        return path.open("wb")
    except OSError as error:
        raise ConfigError(
            f"cannot write verdicts to {path}: {error.strerror}; "
            "give --out a path in an existing, writable folder"
        ) from None


def _batches(lines: Iterator[InputLine]) -> Iterator[list[InputLine]]:
    while batch := list(islice(lines, BATCH_SIZE)):
        yield batch


def _screen(
    batch: Sequence[InputLine], library: CompiledLibrary, *, as_of: date | None
) -> list[Verdict | None]:
    texts = [ListingText.from_record(line.record) for line in batch if line.record]
    verdicts = iter(screen_many(texts, library, as_of=as_of))
    return [next(verdicts) if line.record else None for line in batch]


def verdict_line(line: InputLine, verdict: Verdict | None) -> dict[str, Any]:
    """The output record for one input line."""
    name: dict[str, Any] = {"line": line.number}
    if line.record is not None and isinstance(line.record.get("id"), str):
        name = {"id": line.record["id"], "line": line.number}
    if verdict is None:
        return {**name, "error": line.error}
    return {**name, **verdict.to_dict()}


def alert_line(line: InputLine, verdict: Verdict) -> str:
    """One line a person can check: who, risk, the title and the rules."""
    title = str((line.record or {}).get("title", ""))
    rules = "; ".join(reason.text for reason in verdict.reasons[:2])
    return f"{line.label}\t{verdict.risk}\t{title}\t{rules}"
