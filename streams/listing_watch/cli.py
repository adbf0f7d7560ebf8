"""The ``listing-watch`` command line: one entry point, one module a command.

Each module in ``listing_watch.commands`` exposes ``register(subparsers)``,
which adds its sub-command and sets ``run`` as the handler. A handler
returns the exit status. Product errors become one line on stderr and exit
status 2, an unreachable Kafka or Elasticsearch one line and status 3;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from confluent_kafka import KafkaException
from elastic_transport import ConnectionError as SearchUnreachable

from listing_watch.config import load_settings, masked_url
from listing_watch.errors import ListingWatchError

# Order here is the order in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "explain",
    "screen",
    "evaluate",
    "setup",
    "replay",
    "work",
    "dispose",
    "evidence",
    "report",
    "takedowns",
    "forward",
    "shops",
    "deadletter",
    "reindex",
    "library",
    "retrohunt",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="listing-watch",
        description="Screen new e-commerce listings against the keyword library.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"listing_watch.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except ListingWatchError as error:
        print(f"listing-watch {args.command}: {error}", file=sys.stderr)
        return 2
    except (SearchUnreachable, KafkaException, TimeoutError) as error:
        print(f"listing-watch {args.command}: {unreachable(error)}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    return status


def unreachable(error: BaseException) -> str:
    """One line for a server that cannot be reached, and what to check."""
    settings = load_settings()
    if isinstance(error, SearchUnreachable):
        where = f"Elasticsearch at {masked_url(settings.search.url)}"
        setting = "LW_ES_URL"
    else:
        where = f"Kafka at {settings.bootstrap_servers}"
        setting = "LW_KAFKA_BOOTSTRAP_SERVERS"
    return (
        f"{where} is unreachable ({type(error).__name__}); start the local stack "
        f"with 'make stack' or check {setting}"
    )


if __name__ == "__main__":
    sys.exit(main())
