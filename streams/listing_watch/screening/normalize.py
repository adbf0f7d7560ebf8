"""Folding: one pass that turns what a seller wrote into what the library holds.

Every character folds on its own, so a whole string folds with one C-speed
``str.translate`` and the same table gives an offset map when one is needed.
Per character, in this order:

1. format and control characters (U+200B, U+200D, U+00AD, the BOM),
   combining marks (U+0337), spaces, punctuation and symbols are deleted:
   ``建\\u200b党`` -> ``建党``, ``建*党`` -> ``建党``, ``党̷徽̷`` -> ``党徽``;
2. NFKC folds width and compatibility forms: ``１００`` -> ``100``,
   ``①⓪⓪`` -> ``100``, ``ＪＤ`` -> ``JD``, ``🈲`` -> ``禁``;
3. case folds: ``JD`` -> ``jd``;
4. traditional characters become simplified ones, from OpenCC's own
   character conversion: ``黨`` -> ``党``;
5. numerals become digits: ``一〇〇`` -> ``100``, ``壹`` -> ``1``; the
   multipliers keep one spelling (``拾`` -> ``十``, ``佰`` -> ``百``), so
   ``一百`` folds to ``1百`` and the library compiler adds that reading of
   every number in a term (``100`` -> ``1百``);
6. emoji the library reads (``💯`` -> ``100``) are replaced by their reading;
   every other emoji is a symbol and is deleted by step 1.

Repeats (``建党党``) are not folded here: collapsing them would also merge
real doubles across words (``中国国徽徽章``), so the matcher scans the
collapsed text as a second view (see ``collapse_repeats``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import opencc

# Code points below this limit are folded through a list indexed by code
# point (the fastest table ``str.translate`` takes). It covers the BMP, the
# emoji planes and CJK Extension B-F; rarer planes fold character by character.
TABLE_LIMIT: Final = 0x30000

_DELETED_CATEGORIES: Final = frozenset(
    {"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Mc", "Zs", "Zl", "Zp"}
)
_CJK_RANGES: Final = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
# One spelling per multiplier, so that 拾/佰/仟 fold like 十/百/千.
_MULTIPLIERS: Final = {10: "十", 100: "百", 1000: "千", 10000: "万"}

JOINING_SEPARATORS: Final = "\x00\x01"

_HIGH_PLANE = re.compile("[\U00030000-\U0010ffff]")
_CJK_REPEAT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\1+")


def is_deleted(char: str) -> bool:
    """Whether folding deletes ``char`` (invisible, mark, space, symbol)."""
    category = unicodedata.category(char)
    return category in _DELETED_CATEGORIES or category[0] in "PS"


@lru_cache(maxsize=1)
def traditional_to_simplified() -> Mapping[str, str]:
    """OpenCC's single-character t2s conversion, as a mapping.

    Each CJK character is converted on its own line, so OpenCC's phrase
    dictionary never joins two of them; only the character table applies.
    """
    chars = [
        chr(code)
        for low, high in _CJK_RANGES
        for code in range(low, high + 1)
        if unicodedata.category(chr(code)) == "Lo"
    ]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {
        source: target
        for source, target in zip(chars, converted, strict=True)
        if source != target and len(target) == 1
    }


def _numeral(char: str) -> str:
    if char.isascii():
        return char
    value = unicodedata.numeric(char, None)
    if value is None:
        return char
    if value in _MULTIPLIERS:
        return _MULTIPLIERS[int(value)]
    if value.is_integer() and 0 <= value <= 9:
        return str(int(value))
    return char


def fold_char(char: str, t2s: Mapping[str, str]) -> str | None:
    """What one character folds to; ``None`` when it is deleted."""
    normalized = unicodedata.normalize("NFKC", char)
    # A symbol NFKC reads as a character (🈲 -> 禁) is kept as that character.
    if normalized == char and is_deleted(char):
        return None
    pieces = []
    for piece in normalized.lower():
        if is_deleted(piece):
            continue
        pieces.append(_numeral(t2s.get(piece, piece)))
    return "".join(pieces) or None


@lru_cache(maxsize=1)
def _base_table() -> tuple[str | None, ...]:
    t2s = traditional_to_simplified()
    return tuple(fold_char(chr(code), t2s) for code in range(TABLE_LIMIT))


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text with, per folded character, where it came from.

    ``first[i]`` and ``last[i]`` are the original code-point offsets of the
    first and last character that folded into position ``i``; they differ
    only in a collapsed view, where one character stands for a run.
    Worked example: ``建 党·1`` folds to ``建党1`` with ``first = [0, 2, 4]``,
    so a hit on folded ``[0, 3)`` shows the original ``[0, 5)``, noise
    included.
    """

    text: str
    first: tuple[int, ...]
    last: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` offsets of folded ``[start, end)``."""
        return self.first[start], self.last[end - 1] + 1


class FoldTable:
    """The folding of one library: the base table plus its emoji readings."""

    __slots__ = ("_joining", "_lengths", "_table")

    def __init__(self, readings: Mapping[str, str]) -> None:
        table = list(_base_table())
        for emoji, reading in readings.items():
            table[ord(emoji)] = "".join(self._fold_with(table, reading))
        self._table: list[str | None] = table
        # The fast pass joins listings with these two control characters;
        # this copy keeps them, where the normal table deletes them.
        self._joining = list(table)
        for separator in JOINING_SEPARATORS:
            self._joining[ord(separator)] = separator
        # Per character, how many folded characters it becomes, as a code
        # point: translating with this gives the offset map at C speed.
        self._lengths = [chr(len(piece or "")) for piece in table]

    @staticmethod
    def _fold_with(table: list[str | None], text: str) -> list[str]:
        return [table[ord(c)] or "" for c in text if ord(c) < TABLE_LIMIT]

    def fold(self, text: str) -> str:
        """Fold ``text`` at C speed (no offset map)."""
        if text and max(text) >= "\U00030000":
            text = _HIGH_PLANE.sub(_fold_high_plane, text)
        return text.translate(self._table)

    def fold_joined(self, text: str) -> str:
        """Fold like ``fold`` but keep ``JOINING_SEPARATORS``."""
        if text and max(text) >= "\U00030000":
            text = _HIGH_PLANE.sub(_fold_high_plane, text)
        return text.translate(self._joining)

    def fold_char(self, char: str) -> str:
        """What one character folds to; empty when it is deleted."""
        code = ord(char)
        if code < TABLE_LIMIT:
            return self._table[code] or ""
        return _fold_high_plane_char(char)

    def fold_mapped(self, text: str) -> Folded:
        """Fold ``text`` and keep where each folded character came from.

        Worked example: ``建 党💯`` has folded lengths ``1 0 1 3``, so the
        origins are ``0 2 3 3 3``: each offset repeated by its length.
        """
        if text and max(text) >= "\U00030000":
            return self._fold_mapped_slowly(text)
        lengths = text.translate(self._lengths).encode("latin-1")
        origin = tuple(
            itertools.chain.from_iterable(
                map(itertools.repeat, range(len(text)), lengths)
            )
        )
        return Folded(text.translate(self._table), origin, origin)

    def _fold_mapped_slowly(self, text: str) -> Folded:
        pieces: list[str] = []
        origin: list[int] = []
        for offset, char in enumerate(text):
            piece = self.fold_char(char)
            if piece:
                pieces.append(piece)
                origin.extend([offset] * len(piece))
        mapped = tuple(origin)
        return Folded("".join(pieces), mapped, mapped)


def _fold_high_plane_char(char: str) -> str:
    return fold_char(char, traditional_to_simplified()) or ""


def _fold_high_plane(match: re.Match[str]) -> str:
    return _fold_high_plane_char(match.group())


def has_repeats(folded: str) -> bool:
    """Whether a CJK character repeats right after itself."""
    return _CJK_REPEAT.search(folded) is not None


def collapse_repeats(folded: Folded) -> Folded:
    """The view with each run of one CJK character reduced to one.

    ``建党党100`` becomes ``建党100``; the surviving ``党`` maps back to the
    whole run, so a hit still highlights both characters the seller wrote.
    """
    text, first, last = folded.text, folded.first, folded.last
    new_first: list[int] = []
    new_last: list[int] = []
    done = 0
    for run in _CJK_REPEAT.finditer(text):
        start, end = run.span()
        new_first += first[done : start + 1]
        new_last += last[done:start]
        new_last.append(last[end - 1])
        done = end
    new_first += first[done:]
    new_last += last[done:]
    collapsed = _CJK_REPEAT.sub(r"\1", text)
    return Folded(collapsed, tuple(new_first), tuple(new_last))
