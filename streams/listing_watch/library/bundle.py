"""A library's source files as one value: what is published, never compiled.

A *bundle* maps each library file's path under the root (``VERSION``,
``rules.txt``, ``terms/01-annex1.terms``, ...) to its text. It is what the
library topic carries: workers compile it themselves, so a worker never
runs code or a pickled object that another process made.

Compiling a bundle goes through the same loader as the files on disk
(:func:`listing_watch.library.load_library`): the bundle is written to a
private temporary folder first. Errors then name the bundle's own paths
(``library@3/terms/02-focus.terms:12``), not the temporary folder.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from listing_watch.errors import LibraryError
from listing_watch.library import MAX_VERSION_DIGITS, read_specs
from listing_watch.library.compile import compile_library
from listing_watch.library.lines import decode_text
from listing_watch.library.specs import LibrarySpecs
from listing_watch.screening.model import CompiledLibrary

VERSION_FILE: Final = "VERSION"
TERMS_DIR: Final = "terms"

# What a library root holds (keywords/README.md); README.md and anything
# else in the folder is documentation, not library.
ROOT_PATTERNS: Final = (VERSION_FILE, "*.txt")
TERM_PATTERN: Final = "*.terms"


@dataclass(frozen=True, slots=True)
class LibraryBundle:
    """The text of every library file, by path relative to the root."""

    files: Mapping[str, str]

    @property
    def number(self) -> int:
        """The number in ``VERSION`` (0 when it is not a whole number)."""
        text = self.files.get(VERSION_FILE, "").strip().lstrip("\ufeff")
        return int(text) if text.isdigit() and len(text) <= MAX_VERSION_DIGITS else 0

    def with_number(self, number: int) -> LibraryBundle:
        """The same library under another number (publishing assigns it)."""
        return LibraryBundle({**self.files, VERSION_FILE: f"{number}\n"})

    def write(self, root: Path) -> None:
        """Write the files under ``root`` (which must be empty or absent)."""
        for relative, text in self.files.items():
            path = root / _safe_relative(relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def read_bundle(root: Path) -> LibraryBundle:
    """The library files under ``root``, as they are on disk."""
    paths = [path for pattern in ROOT_PATTERNS for path in root.glob(pattern)]
    paths += (root / TERMS_DIR).glob(TERM_PATTERN)
    files: dict[str, str] = {}
    for path in sorted(paths):
        text = decode_text(path, path.read_bytes())
        files[path.relative_to(root).as_posix()] = text
    return LibraryBundle(files)


def compile_bundle(bundle: LibraryBundle) -> CompiledLibrary:
    """Check and compile ``bundle``; raises ``LibraryError`` naming its file."""
    with tempfile.TemporaryDirectory(prefix="lw-library-") as folder:
        root = Path(folder)
        bundle.write(root)
        with _bundle_paths(root, bundle):
            return compile_library(read_specs(root))


def bundle_specs(bundle: LibraryBundle) -> LibrarySpecs:
    """Parse ``bundle`` without compiling (for diffs)."""
    with tempfile.TemporaryDirectory(prefix="lw-library-") as folder:
        root = Path(folder)
        bundle.write(root)
        with _bundle_paths(root, bundle):
            return read_specs(root)


def meaning_digest(specs: LibrarySpecs) -> str:
    """A hash of what the files mean, whatever their number or spelling.

    Two versions with the same digest screen every listing alike: a
    rollback publishes the old content under a new number, and its digest
    equals the old version's.
    """
    unnumbered = replace(specs, number=0)
    return hashlib.sha256(repr(unnumbered).encode("utf-8")).hexdigest()[:16]


class _bundle_paths:  # noqa: N801 - used as a ``with`` statement
    """Rename the temporary root to ``library@N`` in a ``LibraryError``."""

    def __init__(self, root: Path, bundle: LibraryBundle) -> None:
        self._root = root
        self._label = Path(f"library@{bundle.number}")

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: object, error: BaseException | None, trace: object
    ) -> None:
        if isinstance(error, LibraryError) and error.path.is_relative_to(self._root):
            path = self._label / error.path.relative_to(self._root)
            raise LibraryError(path, error.line, error.reason) from None


def _safe_relative(relative: str) -> Path:
    # A bundle comes from the topic: refuse paths that leave the root.
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise LibraryError(relative, 0, "a bundle path must stay inside the library")
    return path
