"""Deriving the forms a seller may write a term in, from the term itself.

Nothing here is typed by hand: numbers are read aloud by rule, pinyin comes
from pypinyin, homophones and look-alikes from the library's own variant
groups. All forms are folded keys (see ``screening.normalize``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from pypinyin import lazy_pinyin

from listing_watch.screening.model import VariantKind

# Terms with more CJK characters than this get whole-term pinyin forms only;
# mixing pinyin per character would give 3**n keys.
MAX_MIXED_CHARS: Final = 6
# Pure-latin forms shorter than this ("jd", "dq") collide with model codes
# and brands; the library lists such initials as terms of their own.
MIN_LATIN_LENGTH: Final = 4
# Whole-term pinyin of at most this many syllables has other readings
# (dangqi, jinshu): it counts as uncertain (EVAL.md G2).
SHORT_PINYIN_SYLLABLES: Final = 2

_NUMBERS = re.compile(r"[0-9十百千]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_UNITS: Final = ((1000, "千"), (100, "百"), (10, "十"))
_UNIT_VALUES: Final = {unit: value for value, unit in _UNITS}


@dataclass(frozen=True, slots=True)
class Form:
    key: str
    display: str
    kind: VariantKind


def number_readings(number: int) -> list[str]:
    """How a number is said in Chinese, folded (digits stay digits).

    100 -> ``1百`` (一百) and ``百``; 50 -> ``5十``; 15 -> ``1十5``, ``十5``;
    105 -> ``1百05`` (一百零五). Only numbers below 10,000.
    """
    if not 0 < number < 10000:
        return []
    spoken, pending_zero, started = "", False, False
    for value, unit in _UNITS:
        digit = number // value % 10
        if digit:
            spoken += ("0" if pending_zero else "") + f"{digit}{unit}"
            pending_zero, started = False, True
        elif started:
            pending_zero = True
    if number % 10:
        spoken += ("0" if pending_zero else "") + str(number % 10)
    readings = [spoken]
    if spoken.startswith("1十") or spoken == "1百":
        readings.append(spoken[1:])
    return [reading for reading in readings if reading != str(number)]


def spoken_value(spoken: str) -> int | None:
    """The number a folded spoken numeral stands for (``1百05`` -> 105)."""
    total, digit = 0, None
    for char in spoken:
        if char.isdigit():
            digit = int(char) if digit is None else digit * 10 + int(char)
        elif char in _UNIT_VALUES:
            total += (1 if digit is None else digit) * _UNIT_VALUES[char]
            digit = None
    return total + (digit or 0) if total else None


def numeral_forms(key: str) -> Iterator[str]:
    """``key`` with each number in it written in its other spellings.

    Digits get their spoken readings (``100`` -> ``1百``, ``百``); spoken
    numerals get digits and the other readings (``百年`` -> ``100年``).
    """
    runs = [run for run in _NUMBERS.finditer(key) if _number(run.group()) is not None]
    if not runs:
        return
    options = [_spellings(run.group()) for run in runs]
    for choice in itertools.product(*options):
        form = _replace_runs(key, runs, choice)
        if form != key:
            yield form


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else spoken_value(text)


def _spellings(text: str) -> list[str]:
    value = _number(text)
    assert value is not None
    return list(dict.fromkeys([text, str(value), *number_readings(value)]))


def _replace_runs(
    key: str, runs: Sequence[re.Match[str]], choice: Sequence[str]
) -> str:
    pieces, last = [], 0
    for run, text in zip(runs, choice, strict=True):
        pieces += [key[last : run.start()], text]
        last = run.end()
    return "".join([*pieces, key[last:]])


def pinyin_forms(key: str) -> Iterator[Form]:
    """Pinyin, initials and mixed forms of ``key`` (建D, J党, jiandang100周年)."""
    syllables = _syllables(key)
    if not syllables:
        return
    positions = sorted(syllables)
    choices: Iterable[tuple[int, ...]] = [(1,) * len(positions), (2,) * len(positions)]
    if len(positions) <= MAX_MIXED_CHARS:
        choices = itertools.product(range(3), repeat=len(positions))
    for choice in choices:
        if any(choice):
            form = _render(key, positions, syllables, choice)
            kind = _pinyin_kind(form, choice)
            if kind is not None:
                yield Form(form, form, kind)


def _syllables(key: str) -> dict[int, str]:
    syllables: dict[int, str] = {}
    for run in _CJK.finditer(key):
        readings = lazy_pinyin(run.group())
        if len(readings) == len(run.group()):
            syllables.update(zip(range(run.start(), run.end()), readings, strict=True))
    return syllables


def _render(
    key: str, positions: list[int], syllables: dict[int, str], choice: Sequence[int]
) -> str:
    chars = list(key)
    for position, option in zip(positions, choice, strict=True):
        syllable = syllables[position]
        chars[position] = (key[position], syllable, syllable[:1])[option]
    return "".join(chars)


def _pinyin_kind(form: str, choice: Sequence[int]) -> VariantKind | None:
    if not form.isascii():
        return "pinyin"
    if not form.isalpha():
        return "pinyin"
    if len(form) < MIN_LATIN_LENGTH:
        return None
    spelled = sum(1 for option in choice if option == 1)
    if spelled == len(choice) and spelled > SHORT_PINYIN_SYLLABLES:
        return "pinyin"
    return "pinyin_short"


def group_forms(
    key: str, groups: Sequence[tuple[str, tuple[str, ...], VariantKind]]
) -> Iterator[Form]:
    """``key`` with a variant group's fragment replaced by each of its forms."""
    for fragment, forms, kind in groups:
        if fragment in key:
            for form in forms:
                yield Form(
                    key.replace(fragment, form), key.replace(fragment, form), kind
                )


def doubled_forms(key: str) -> Iterator[str]:
    """``key`` with one CJK character written twice (建党党100周年).

    Only the fast pass uses these, to send a listing with a repeated
    character to the full pass, which reads repeats in a collapsed view.
    """
    # Shortcoming (#3): only one doubled character per term triggers the
    # full pass, so 纪纪念念章 written alone (two doubles, no other term in
    # the listing) is missed. Collapsing the whole batch before the fast
    # scan would close it at about a third more fast-pass time.
    for index, char in enumerate(key):
        if _CJK.fullmatch(char):
            yield key[: index + 1] + char + key[index + 1 :]


def all_forms(
    key: str,
    display: str,
    kind: VariantKind,
    *,
    pinyin: bool,
    groups: Sequence[tuple[str, tuple[str, ...], VariantKind]],
) -> list[Form]:
    """Every form of one written key: itself, numerals, pinyin, groups."""
    written = [Form(key, display, kind)]
    written += [Form(form, form, "numeral") for form in numeral_forms(key)]
    derived = [form for base in written for form in group_forms(base.key, groups)]
    if pinyin:
        derived += [form for base in written for form in pinyin_forms(base.key)]
    return written + derived
