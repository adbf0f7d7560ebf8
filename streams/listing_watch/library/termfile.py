"""Parsing term files (``keywords/terms/*.terms``).

One term a line: the term as written, then ``key=value`` fields. A line
``@key value`` sets a default for the lines below it, so a batch states its
kind and source once::

    @kind special_supply
    @source 附件1
    机关特供   weight=0.95  firm=no
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, cast

from listing_watch.library.lines import Line, split_fields, split_list
from listing_watch.library.specs import TermSpec
from listing_watch.screening.kinds import FIELDS, VIOLATION_KINDS, Field, ViolationKind

TERM_FIELDS: Final = (
    "kind",
    "weight",
    "tags",
    "aliases",
    "variants",
    "parts",
    "after",
    "fields",
    "firm",
    "source",
    "note",
)
_YES_NO: Final = {"yes": True, "no": False}
_VARIANT_OPTIONS: Final = ("pinyin",)


def parse_terms(lines: list[Line]) -> list[TermSpec]:
    """The term specs of one file, in file order."""
    defaults: dict[str, str] = {}
    specs = []
    for line in lines:
        if line.text.startswith("@"):
            key, _, value = line.text[1:].partition(" ")
            _check_field(line, key)
            defaults[key] = value.strip()
            continue
        specs.append(_term(line, defaults))
    return specs


def parse_term_line(line: Line, defaults: Mapping[str, str]) -> TermSpec:
    """One term line, with ``defaults`` for the fields it leaves out."""
    return _term(line, defaults)


def _check_field(line: Line, key: str) -> None:
    if key not in TERM_FIELDS:
        raise line.error(f"unknown field '{key}' (known: {', '.join(TERM_FIELDS)})")


def _term(line: Line, defaults: Mapping[str, str]) -> TermSpec:
    words, given = split_fields(line)
    if not words:
        raise line.error(
            "empty term: the line starts with a field; write the term first"
        )
    if len(words) > 1:
        raise line.error(f"one term per line, got {len(words)}: {' '.join(words)}")
    for key in given:
        _check_field(line, key)
    fields = {**defaults, **given}
    return TermSpec(
        canonical=words[0],
        kinds=_kinds(line, fields.get("kind", "")),
        weight=_weight(line, fields.get("weight", "")),
        tags=tuple(split_list(fields.get("tags", ""))),
        aliases=tuple(split_list(fields.get("aliases", ""))),
        pinyin=_pinyin(line, fields.get("variants", "")),
        parts=tuple(part for part in fields.get("parts", "").split("+") if part),
        after=tuple(split_list(fields.get("after", ""))),
        fields=_fields(line, fields.get("fields", "")),
        firm=_yes_no(line, "firm", fields.get("firm", "no")),
        source=fields.get("source", ""),
        line=line,
    )


def _kinds(line: Line, value: str) -> tuple[ViolationKind, ...]:
    kinds = split_list(value)
    if not kinds:
        raise line.error("no violation kind: add kind=... or an @kind line above")
    for kind in kinds:
        if kind not in VIOLATION_KINDS:
            known = ", ".join(VIOLATION_KINDS)
            raise line.error(f"unknown violation kind '{kind}' (known: {known})")
    return tuple(cast(ViolationKind, kind) for kind in kinds)


def _weight(line: Line, value: str) -> float:
    try:
        weight = float(value)
    except ValueError:
        raise line.error(f"weight '{value}' is not a number between 0 and 1") from None
    if not 0.0 <= weight <= 1.0:
        raise line.error(f"weight {weight} is outside 0..1")
    return weight


def _pinyin(line: Line, value: str) -> bool:
    options = split_list(value)
    for option in options:
        if option not in _VARIANT_OPTIONS:
            raise line.error(f"unknown variants option '{option}' (known: pinyin)")
    return "pinyin" in options


def _fields(line: Line, value: str) -> tuple[Field, ...]:
    names = split_list(value) or list(FIELDS)
    for name in names:
        if name not in FIELDS:
            raise line.error(
                f"unknown field name '{name}' (known: {', '.join(FIELDS)})"
            )
    return tuple(cast(Field, name) for name in names)


def _yes_no(line: Line, key: str, value: str) -> bool:
    if value not in _YES_NO:
        raise line.error(f"{key}={value}: write yes or no")
    return _YES_NO[value]
