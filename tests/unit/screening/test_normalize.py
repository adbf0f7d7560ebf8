"""Folding: each kind of disguise folds to the library's form."""

from __future__ import annotations

import pytest

from listing_watch.screening import CompiledLibrary
from listing_watch.screening.normalize import FoldTable, collapse_repeats


@pytest.fixture(scope="module")
def folding() -> FoldTable:
    return FoldTable({"💯": "100"})


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("建\u200b党\u200d百\u00ad年", "建党百年"),
        ("党\u0337徽\u0337", "党徽"),
        ("建 党·1 0 0 周￥年", "建党100周年"),
        ("１００周年ＪＤ", "100周年jd"),
        ("建黨紀念幣", "建党纪念币"),
        ("一〇〇", "100"),
        ("①⓪⓪", "100"),
        ("壹佰", "1百"),
        ("建党💯周年", "建党100周年"),
        ("党🔥徽", "党徽"),
        ("\ufeff党徽", "党徽"),
        ("🈲书", "禁书"),
    ],
)
def test_disguise_folds_to_library_form(
    folding: FoldTable, written: str, folded: str
) -> None:
    assert folding.fold(written) == folded


def test_offset_map_points_every_folded_char_at_the_seller_char(
    folding: FoldTable,
) -> None:
    written = "建 党·1"

    folded = folding.fold_mapped(written)

    assert folded.text == "建党1"
    assert folded.first == (0, 2, 4)
    assert folded.original_span(0, 3) == (0, 5)


def test_mapped_and_fast_folding_agree(library: CompiledLibrary) -> None:
    written = "建黨①⓪⓪周年 紀念幣💯 ＪＤ\u200b"

    assert library.folding.fold_mapped(written).text == library.folding.fold(written)


def test_collapsed_view_maps_a_run_to_all_its_characters(folding: FoldTable) -> None:
    folded = folding.fold_mapped("七一勋勋章")

    collapsed = collapse_repeats(folded)

    assert collapsed.text == "71勋章"
    assert collapsed.original_span(2, 4) == (2, 5)


def test_digits_are_never_collapsed(folding: FoldTable) -> None:
    assert collapse_repeats(folding.fold_mapped("100党党")).text == "100党"
