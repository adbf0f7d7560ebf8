"""Library files the loader refuses with file and line, or reads as written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library import load_library, read_specs

WriteLibrary = Callable[..., Path]


def test_alternation_expanding_past_limit_is_refused(
    write_library: WriteLibrary,
) -> None:
    root = write_library(allow="@contain\n" + "(a|b|c|d)" * 11 + "专供\n")

    with pytest.raises(LibraryError, match=r"allow.txt:2: .*4194304 phrases"):
        load_library(root)


def test_alternation_within_limit_expands(write_library: WriteLibrary) -> None:
    root = write_library(allow="@contain\n" + "(a|b|c|d)" * 4 + "纪念章\n")

    assert len(read_specs(root).allows) == 256


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x1c", "\x85"])
def test_line_numbers_count_newlines_only(
    write_library: WriteLibrary, separator: str
) -> None:
    root = write_library(
        terms=f"# note{separator}纪念币 weight=0.9\n"
        "@kind medals_commemoratives\n"
        "纪念章 weight=0.15\n"
        "纪念章 weight=0.2\n"
    )

    with pytest.raises(LibraryError, match=r"01-test.terms:4: duplicate term"):
        load_library(root)


def test_huge_version_number_is_refused_with_its_line(
    write_library: WriteLibrary,
) -> None:
    root = write_library(number="# number\n" + "9" * 5000 + "\n")

    with pytest.raises(LibraryError, match=r"VERSION:2: VERSION has 5000 digits"):
        load_library(root)


def test_non_utf8_terms_file_names_the_line(write_library: WriteLibrary) -> None:
    root = write_library()
    path = root / "terms" / "01-test.terms"
    path.write_bytes("@kind medals_commemoratives\n纪念章\n".encode() + b"\xff\xfe\n")

    with pytest.raises(LibraryError, match=r"01-test.terms:3: not UTF-8 \(byte 0xff"):
        load_library(root)


def test_duplicate_rule_id_is_refused(write_library: WriteLibrary) -> None:
    rule = (
        "rule medal_rule name=纪念章 when=medal level=medium "
        "kinds=medals_commemoratives\n"
    )
    root = write_library(rules=rule + rule)

    with pytest.raises(
        LibraryError, match=r"rules.txt:2: rule id 'medal_rule'.*line 1"
    ):
        load_library(root)


def test_conflicting_emoji_reading_is_refused(write_library: WriteLibrary) -> None:
    root = write_library(emoji="💯 100\n💯 200\n")

    with pytest.raises(LibraryError, match=r"emoji.txt:2: '💯' reads '100' on line 1"):
        load_library(root)


def test_missing_library_hint_names_every_option(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match=r"--library or --keywords"):
        load_library(tmp_path / "absent")
