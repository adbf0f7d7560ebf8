"""``library preview`` and ``library stats``: look before and after publishing.

``preview`` screens recent listings from the listings topic with the
version in force and with the candidate in ``keywords/``, and shows what
the candidate would newly alert on and what it would clear. ``stats``
counts, per term, the alerts it appears in and how many investigators
dismissed, from the alerts index.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import orjson

from listing_watch.config import load_settings
from listing_watch.library import load_library
from listing_watch.library.bundle import compile_bundle
from listing_watch.library.versions import in_force
from listing_watch.listing import Listing
from listing_watch.pipeline.library_settings import load_library_settings
from listing_watch.pipeline.library_topic import read_versions
from listing_watch.pipeline.retrohunt import (
    RISK_RANK,
    listing_chunks,
    new_listing_versions,
    parse_since,
)
from listing_watch.screening import ListingText, Verdict, screen_many
from listing_watch.search.index import connect

SHOWN: Final = 20
TITLE_CHARS: Final = 40
STATS_TERMS: Final = 2000


def register(commands: Any) -> None:
    preview = commands.add_parser(
        "preview", help="what the files in keywords/ would newly alert on, and clear"
    )
    preview.add_argument("--since", default="24h", help="24h, 2d or an RFC 3339 time")
    preview.add_argument("--keywords", type=Path, default=None)
    preview.add_argument("--json", action="store_true", help="counts as JSON")
    preview.set_defaults(run=run_preview)

    stats = commands.add_parser(
        "stats", help="per term: alerts it appears in, and how many were dismissed"
    )
    stats.add_argument("--json", action="store_true", help="one JSON line a term")
    stats.set_defaults(run=run_stats)


# A listing, its verdict with the candidate, and with the version in force
# (None when nothing was published yet).
Row = tuple[Listing, Verdict, Verdict | None]


@dataclass(slots=True)
class Preview:
    """What a candidate would change among recent listings."""

    listings: int = 0
    newly_alerting: list[Row] = field(default_factory=list)
    cleared: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "listings": self.listings,
            "newly_alerting": len(self.newly_alerting),
            "cleared": len(self.cleared),
        }


def run_preview(args: argparse.Namespace) -> int:
    settings = load_settings()
    candidate = load_library(args.keywords or settings.worker.keywords_dir)
    current = in_force(read_versions(settings, load_library_settings()))
    before = compile_bundle(current.bundle) if current else None
    since = parse_since(args.since, now=datetime.now(UTC))

    preview = Preview()
    seen: set[str] = set()
    for chunk in listing_chunks(settings, since):
        listings = new_listing_versions(chunk, seen)
        texts = [ListingText.from_listing(listing) for listing in listings]
        new = screen_many(texts, candidate)
        old = screen_many(texts, before) if before else [None] * len(texts)
        for listing, after, prior in zip(listings, new, old, strict=True):
            _compare(preview, listing, after, prior)
        preview.listings += len(listings)

    if args.json:
        print(orjson.dumps(preview.counts()).decode("utf-8"))
        return 0
    print(
        f"library preview: candidate={candidate.version} "
        f"in_force={current.version if current else None} since={since.isoformat()} "
        + " ".join(f"{key}={value}" for key, value in preview.counts().items())
    )
    _show("+", preview.newly_alerting)
    _show("-", preview.cleared)
    return 0


def _compare(
    preview: Preview, listing: Listing, after: Verdict, prior: Verdict | None
) -> None:
    prior_rank = RISK_RANK[prior.risk] if prior is not None and prior.alert else 0
    if after.alert and RISK_RANK[after.risk] > prior_rank:
        preview.newly_alerting.append((listing, after, prior))
    elif prior is not None and prior.alert and not after.alert:
        preview.cleared.append((listing, after, prior))


def _show(mark: str, rows: list[Row]) -> None:
    for listing, after, prior in rows[:SHOWN]:
        shown = after if mark == "+" or prior is None else prior
        terms = ",".join(sorted({match.term for match in shown.matches}))
        print(
            f"{mark} {listing.key} {prior.risk if prior else 'none'}->{after.risk} "
            f"[{terms}] {listing.title[:TITLE_CHARS]}"
        )
    if len(rows) > SHOWN:
        print(f"{mark} ... and {len(rows) - SHOWN} more")


def run_stats(args: argparse.Namespace) -> int:
    settings = load_settings()
    response = connect(settings.search).search(
        index=settings.search.alerts_alias,
        size=0,
        aggs={
            "term": {
                "terms": {"field": "terms", "size": STATS_TERMS},
                "aggs": {
                    "dismissed": {
                        "filter": {"term": {"disposition.state": "dismissed"}}
                    }
                },
            }
        },
    )
    hits = {
        bucket["key"]: (bucket["doc_count"], bucket["dismissed"]["doc_count"])
        for bucket in response["aggregations"]["term"]["buckets"]
    }
    current = in_force(read_versions(settings, load_library_settings()))
    for term in sorted(set(current.terms) if current else set()) - hits.keys():
        hits[term] = (0, 0)
    for term, (count, dismissed) in sorted(hits.items(), key=lambda kv: -kv[1][0]):
        share = dismissed / count if count else 0.0
        if args.json:
            row = {"term": term, "alerts": count, "dismissed": dismissed}
            print(orjson.dumps(row).decode("utf-8"))
        else:
            print(f"{count:>7} alerts {dismissed:>6} dismissed ({share:4.0%})  {term}")
    return 0
