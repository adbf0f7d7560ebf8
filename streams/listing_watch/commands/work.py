"""``listing-watch work``: run a screening worker until SIGTERM."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from listing_watch.config import load_settings
from listing_watch.library import load_library
from listing_watch.logs import configure_logging


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "work",
        help="consume the listings topic, screen, publish and index alerts",
        description=(
            "Join the screening consumer group and run until SIGTERM or SIGINT. "
            "Settings come from LW_* environment variables (see README)."
        ),
    )
    parser.add_argument("--keywords", type=Path, help="keyword library folder")
    parser.add_argument(
        "--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING"]
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that offline commands do not pay for Faust's import.
    from listing_watch.pipeline.worker import run_worker  # noqa: PLC0415

    configure_logging(args.loglevel)
    settings = load_settings()
    library = load_library(args.keywords or settings.worker.keywords_dir)
    run_worker(settings, library, loglevel=args.loglevel)
    return 0
