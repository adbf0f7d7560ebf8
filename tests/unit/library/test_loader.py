"""Loading the keyword library: refused files, versions, generated variants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library import load_library
from listing_watch.screening import ListingText, screen

WriteLibrary = Callable[..., Path]

NEW_TERM = """\
@kind celebration_marketing
@source test
庆祝建国100周年  weight=0.9  variants=pinyin
"""


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (
            "@kind medals_commemoratives\n纪念章 weight=0.1\n纪念章 weight=0.2\n",
            r"01-test.terms:3: duplicate term '纪念章'",
        ),
        (
            "纪念章 kind=medals_commemoratives weight=0.1\n"
            "紀念章 kind=party_state_symbols weight=0.1\n",
            r":2: duplicate term '紀念章': reads the same as '纪念章'",
        ),
        ("@kind medals_commemoratives\nweight=0.1\n", r":2: empty term"),
        (
            "@kind medals_commemoratives\n★★ weight=0.1\n",
            r":2: '★★' is empty after folding",
        ),
        (
            "纪念章 kind=souvenirs weight=0.1\n",
            r":1: unknown violation kind 'souvenirs'",
        ),
        (
            "纪念章 kind=medals_commemoratives weight=2\n",
            r":1: weight 2.0 is outside 0..1",
        ),
        (
            "纪念章 kind=medals_commemoratives weight=0.1 colour=red\n",
            r":1: unknown field 'colour'",
        ),
    ],
)
def test_bad_term_file_is_refused_with_file_line_and_reason(
    write_library: WriteLibrary, terms: str, message: str
) -> None:
    root = write_library(terms)

    with pytest.raises(LibraryError, match=message):
        load_library(root)


def test_rule_naming_an_unknown_tag_is_refused(write_library: WriteLibrary) -> None:
    root = write_library(
        rules="rule x name=测试 when=medal+nothing level=high kinds=special_supply\n"
    )

    with pytest.raises(LibraryError, match=r"rules.txt:1: when: 'nothing' is no term"):
        load_library(root)


def test_guard_for_an_unknown_term_is_refused(write_library: WriteLibrary) -> None:
    root = write_library(allow="@guard 国旗\n旗袍\n")

    with pytest.raises(LibraryError, match=r"allow.txt:2: @guard '国旗' is not a term"):
        load_library(root)


def test_version_is_number_plus_content_hash(write_library: WriteLibrary) -> None:
    one = "勋章 kind=medals_commemoratives weight=0.1\n"
    first = load_library(write_library(one, number="7\n")).version
    changed = load_library(write_library(one + "奖" + one, number="7\n"))

    assert first.startswith("7+")
    assert changed.version.startswith("7+")
    assert changed.version != first


def test_a_never_seen_term_matches_in_every_disguise(
    write_library: WriteLibrary,
) -> None:
    library = load_library(write_library(NEW_TERM))
    disguises = {
        "plain": "庆祝建国100周年 特惠",
        "traditional": "慶祝建國100週年 特惠",
        "fullwidth": "庆祝建国１００周年 特惠",
        "pinyin": "qingzhujianguo100zhounian 特惠",
        "initials": "qzjg100周年 特惠",
        "mixed": "庆祝建G100周年 特惠",
        "noise": "庆*祝/建 国.1 0 0周~年 特惠",
        "numeral": "庆祝建国一百周年 特惠",
        "numeral_zero": "庆祝建国一〇〇周年 特惠",
    }

    missed = [
        name
        for name, title in disguises.items()
        if screen(ListingText(title=title), library).risk != "high"
    ]

    assert missed == []
