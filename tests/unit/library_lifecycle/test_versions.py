"""Published versions: numbering, record round trip, which one is in force."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library.bundle import LibraryBundle
from listing_watch.library.publish import next_number, prepare
from listing_watch.library.versions import (
    PublishedVersion,
    decode_version,
    find_version,
    in_force,
    newer,
)

MakeBundle = Callable[..., LibraryBundle]
NOW = datetime(2021, 6, 28, 12, 0, tzinfo=UTC)


def published(make_bundle: MakeBundle, **options: object) -> PublishedVersion:
    bundle = make_bundle(**options)
    candidate = prepare(bundle, current=None, author="a", note="", now=NOW)
    return replace(candidate.version, offset=0)


def test_first_publication_numbers_from_the_files(make_bundle: MakeBundle) -> None:
    version = published(make_bundle, number=5)

    assert version.number == 5
    assert version.version.startswith("5+")
    assert version.diff.terms_added == ("七一勋章", "纪念章")


def test_next_version_number_always_increases(make_bundle: MakeBundle) -> None:
    first = published(make_bundle, number=5)

    assert next_number(first, 1) == 6
    assert next_number(first, 9) == 9


def test_candidate_diff_names_the_new_term(make_bundle: MakeBundle) -> None:
    first = published(make_bundle)

    second = prepare(
        make_bundle(extra_terms="光荣在党50年纪念章 weight=0.9\n"),
        current=first,
        author="bob",
        note="focus",
        now=NOW,
    ).version

    assert second.number == 2
    assert second.previous == first.version
    assert second.diff.terms_added == ("光荣在党50年纪念章",)
    assert not second.diff.terms_removed


def test_broken_library_never_becomes_a_candidate(make_bundle: MakeBundle) -> None:
    with pytest.raises(LibraryError, match=r"01-test.terms:5: .*unknown field"):
        prepare(
            make_bundle(extra_terms="党徽 colour=red\n"),
            current=None,
            author="a",
            note="",
            now=NOW,
        )


def test_publishing_without_an_author_is_refused(make_bundle: MakeBundle) -> None:
    with pytest.raises(LibraryError, match="--author"):
        prepare(make_bundle(), current=None, author=" ", note="", now=NOW)


def test_record_round_trips_through_the_topic_encoding(
    make_bundle: MakeBundle,
) -> None:
    version = published(make_bundle)

    decoded = decode_version(version.encode(), offset=7)

    assert decoded.version == version.version
    assert decoded.bundle.files == version.bundle.files
    assert decoded.diff == version.diff
    assert decoded.offset == 7


def test_unreadable_record_is_a_library_error() -> None:
    with pytest.raises(LibraryError, match="unreadable version record"):
        decode_version(b'{"version": 1}', offset=3)


def test_highest_number_is_in_force_and_later_offset_breaks_ties(
    make_bundle: MakeBundle,
) -> None:
    base = published(make_bundle)
    two = replace(base, number=2, version="2+a", offset=1)
    two_later = replace(base, number=2, version="2+b", offset=2)
    one_late = replace(base, number=1, offset=3)

    assert in_force([base, two, two_later, one_late]) is two_later
    assert not newer(one_late, two)
    assert in_force([]) is None


def test_find_version_by_full_name_or_number(make_bundle: MakeBundle) -> None:
    base = published(make_bundle)

    assert find_version([base], str(base.number)) is base
    assert find_version([base], base.version) is base
    with pytest.raises(LibraryError, match="no published version '9'"):
        find_version([base], "9")
