"""Parsing the word files: context, allow, variants and emoji.

``context.txt``: ``@tag NAME`` then words, several a line.
``allow.txt``: ``@contain`` then phrases that cover a term inside them;
``@guard TERM`` then words that straddle that term's edge. A phrase may
spell alternatives in parentheses: ``(电商|线上)专供`` is two phrases.
``variants.txt``: ``FRAGMENT ~ FORM FORM type=homophone|lookalike``.
``emoji.txt``: ``EMOJI READING``, one emoji (one code point) a line.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Final

from listing_watch.library.lines import Line, split_fields
from listing_watch.library.specs import EmojiReading, GuardSpec, VariantGroup, WordSpec

VARIANT_TYPES: Final = ("homophone", "lookalike")
_TAG = re.compile(r"[a-z][a-z0-9_]*")
_ALTERNATIVES = re.compile(r"\(([^()]*)\)")
# Phrases one word may stand for: (a|b|c|d) eleven times would be 4**11.
MAX_EXPANSIONS: Final = 256


def parse_context(lines: list[Line]) -> list[WordSpec]:
    tag = ""
    words = []
    for line in lines:
        if line.text.startswith("@tag"):
            tag = _tag_name(line)
            continue
        if not tag:
            raise line.error("context word before any '@tag NAME' line")
        words += [WordSpec(word=word, tag=tag, line=line) for word in _words(line)]
    return words


def _tag_name(line: Line) -> str:
    name = line.text.removeprefix("@tag").strip()
    if not _TAG.fullmatch(name):
        raise line.error(f"tag name '{name}' must be lower-case letters, digits, '_'")
    return name


def parse_allow(lines: list[Line]) -> tuple[list[WordSpec], list[GuardSpec]]:
    section = ""
    guarded = ""
    allows: list[WordSpec] = []
    guards: list[GuardSpec] = []
    for line in lines:
        if line.text == "@contain":
            section = "contain"
        elif line.text.startswith("@guard"):
            section, guarded = "guard", line.text.removeprefix("@guard").strip()
            if not guarded:
                raise line.error("'@guard' needs the term it protects: @guard 国旗")
        elif section == "contain":
            allows += [WordSpec(word=word, tag="", line=line) for word in _words(line)]
        elif section == "guard":
            guards.append(GuardSpec(term=guarded, words=tuple(_words(line)), line=line))
        else:
            raise line.error("phrase before any '@contain' or '@guard TERM' line")
    return allows, guards


def _words(line: Line) -> list[str]:
    words = []
    for token in line.text.split():
        if "=" in token:
            raise line.error(f"'{token}': word files take no fields")
        words += expand_alternatives(line, token)
    return words


def expand_alternatives(line: Line, pattern: str) -> list[str]:
    """``(a|b)c`` -> ``ac``, ``bc``; a plain word is itself."""
    pieces = _ALTERNATIVES.split(pattern)
    if any(char in piece for piece in pieces[::2] for char in "()|"):
        raise line.error(f"'{pattern}': unbalanced '(' ')' or '|' outside parentheses")
    choices = [
        [piece] if index % 2 == 0 else piece.split("|")
        for index, piece in enumerate(pieces)
    ]
    count = math.prod(len(choice) for choice in choices)
    if count > MAX_EXPANSIONS:
        raise line.error(
            f"'{pattern[:40]}' stands for {count} phrases, more than "
            f"{MAX_EXPANSIONS}; split it into several lines"
        )
    return ["".join(parts) for parts in itertools.product(*choices)]


def parse_variants(lines: list[Line]) -> list[VariantGroup]:
    groups = []
    for line in lines:
        words, fields = split_fields(line)
        if len(words) < 3 or words[1] != "~":
            raise line.error("write 'FRAGMENT ~ FORM [FORM ...] type=homophone'")
        kind = fields.pop("type", "")
        if kind not in VARIANT_TYPES:
            raise line.error(f"type='{kind}': write type=homophone or type=lookalike")
        if fields:
            raise line.error(f"unknown field '{next(iter(fields))}' (known: type)")
        groups.append(
            VariantGroup(
                fragment=words[0], forms=tuple(words[2:]), kind=kind, line=line
            )
        )
    return groups


def parse_emoji(lines: list[Line]) -> list[EmojiReading]:
    readings: dict[str, EmojiReading] = {}
    for line in lines:
        words, fields = split_fields(line)
        if len(words) != 2 or fields:
            raise line.error("write 'EMOJI READING', for example '💯 100'")
        if len(words[0]) != 1:
            raise line.error(f"'{words[0]}' is {len(words[0])} code points; give one")
        known = readings.get(words[0])
        if known is not None and known.reading != words[1]:
            raise line.error(
                f"'{words[0]}' reads '{known.reading}' on line {known.line.number}; "
                "give each emoji one reading"
            )
        readings.setdefault(
            words[0], EmojiReading(emoji=words[0], reading=words[1], line=line)
        )
    return list(readings.values())
