"""The keyword library: load the files in ``keywords/``, check them, compile.

Layout of a library root (see ``keywords/README.md`` for the formats)::

    VERSION            the library's number; raise it with every change
    terms/*.terms      terms by batch, each with kind, weight and source
    context.txt        context words by tag (what raises or lowers a term)
    allow.txt          allow phrases and guard words (what a term is not)
    variants.txt       homophone and look-alike groups
    emoji.txt          emoji read as characters or numbers
    rules.txt          raise and cap rules
    campaigns.txt      named periods that raise weights or add terms

``load_library`` either returns a complete ``CompiledLibrary`` or raises
``LibraryError`` naming file, line and reason; it never returns half a
library, so a caller that keeps the old one on error keeps screening.
"""

from __future__ import annotations

from pathlib import Path

from listing_watch.errors import LibraryError
from listing_watch.library.campaignfile import parse_campaigns
from listing_watch.library.compile import compile_library
from listing_watch.library.lines import Line, read_lines
from listing_watch.library.rulefile import parse_rules
from listing_watch.library.specs import LibrarySpecs
from listing_watch.library.termfile import parse_terms
from listing_watch.library.wordfiles import (
    parse_allow,
    parse_context,
    parse_emoji,
    parse_variants,
)
from listing_watch.screening.model import CompiledLibrary

DEFAULT_ROOT = Path("keywords")

__all__ = ["DEFAULT_ROOT", "CompiledLibrary", "load_library", "read_specs"]


# Commands name the folder differently (screen --library, work --keywords),
# so the hint names both.
NO_DIRECTORY = (
    "no such library directory; run from the repository root or name the "
    "keyword folder with the command's --library or --keywords option"
)
# More digits than any library will reach; int() refuses past 4,300.
MAX_VERSION_DIGITS = 12


def load_library(root: Path = DEFAULT_ROOT) -> CompiledLibrary:
    """Load, check and compile the library under ``root``."""
    return compile_library(read_specs(root))


def read_specs(root: Path) -> LibrarySpecs:
    """Parse every library file under ``root`` without compiling."""
    if not root.is_dir():
        raise LibraryError(root, 0, NO_DIRECTORY)
    term_files = sorted((root / "terms").glob("*.terms"))
    if not term_files:
        raise LibraryError(root / "terms", 0, "no *.terms files: the library is empty")
    allows, guards = parse_allow(_lines(root / "allow.txt"))
    return LibrarySpecs(
        number=_number(root / "VERSION"),
        terms=tuple(
            spec for path in term_files for spec in parse_terms(read_lines(path))
        ),
        contexts=tuple(parse_context(_lines(root / "context.txt"))),
        allows=tuple(allows),
        guards=tuple(guards),
        variants=tuple(parse_variants(_lines(root / "variants.txt"))),
        emoji=tuple(parse_emoji(_lines(root / "emoji.txt"))),
        rules=tuple(parse_rules(_lines(root / "rules.txt"))),
        campaigns=tuple(parse_campaigns(_lines(root / "campaigns.txt"))),
    )


def _lines(path: Path) -> list[Line]:
    return read_lines(path) if path.exists() else []


def _number(path: Path) -> int:
    lines = read_lines(path)
    if len(lines) != 1 or not lines[0].text.isdigit():
        raise LibraryError(
            path,
            lines[0].number if lines else 0,
            "VERSION must hold one whole number, the library's number",
        )
    if len(lines[0].text) > MAX_VERSION_DIGITS:
        raise lines[0].error(
            f"VERSION has {len(lines[0].text)} digits; write a number of at "
            f"most {MAX_VERSION_DIGITS} digits"
        )
    return int(lines[0].text)
