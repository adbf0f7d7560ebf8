"""Parsing ``keywords/rules.txt``.

One rule a line::

    rule centenary_medal name=借建党百年销售纪念章币 when=centenary|party+medal
         level=high kinds=medals_commemoratives,celebration_marketing

``when`` joins conditions with ``+``; each condition lists alternatives
with ``|`` (tags or canonical terms). A rule with ``level`` raises the
verdict; one with ``cap`` lowers what ``scope`` names (every evidence not
citing a firm term when ``scope`` is absent). ``concept`` names what the
rule cites beyond the words (庆祝活动标识); ``settles=yes`` lets the rule's
context settle a homophone or short pinyin.
"""

from __future__ import annotations

import re
from typing import Final, cast

from listing_watch.library.lines import Line, split_fields, split_list
from listing_watch.library.specs import RuleSpec
from listing_watch.screening.kinds import (
    LEVEL_SCORES,
    VIOLATION_KINDS,
    Risk,
    ViolationKind,
)

RULE_FIELDS: Final = (
    "name",
    "when",
    "level",
    "cap",
    "kinds",
    "scope",
    "concept",
    "settles",
)
_RULE_ID = re.compile(r"[a-z][a-z0-9_]*")


def parse_rules(lines: list[Line]) -> list[RuleSpec]:
    rules: dict[str, RuleSpec] = {}
    for line in lines:
        rule = _rule(line)
        if rule.rule_id in rules:
            first = rules[rule.rule_id].line.number
            raise line.error(
                f"rule id '{rule.rule_id}' is already used on line {first}; "
                "give each rule its own id"
            )
        rules[rule.rule_id] = rule
    return list(rules.values())


def _rule(line: Line) -> RuleSpec:
    words, fields = split_fields(line)
    if len(words) != 2 or words[0] != "rule":
        raise line.error("write 'rule ID name=... when=... level=...|cap=...'")
    rule_id = words[1]
    if not _RULE_ID.fullmatch(rule_id):
        raise line.error(f"rule id '{rule_id}' must be lower-case letters, digits, '_'")
    for key in fields:
        if key not in RULE_FIELDS:
            raise line.error(f"unknown field '{key}' (known: {', '.join(RULE_FIELDS)})")
    _require(line, fields, "name")
    _require(line, fields, "when")
    if ("level" in fields) == ("cap" in fields):
        raise line.error("give exactly one of level=... (raise) or cap=... (lower)")
    return RuleSpec(
        rule_id=rule_id,
        name=fields["name"],
        when=_conditions(line, fields["when"]),
        level=_level(line, fields.get("level")),
        cap=_level(line, fields.get("cap")),
        kinds=_kinds(line, fields.get("kinds", ""), raising="level" in fields),
        scope=tuple(split_list(fields["scope"])) if "scope" in fields else None,
        concept=fields.get("concept"),
        settles=fields.get("settles", "no") == "yes",
        line=line,
    )


def _require(line: Line, fields: dict[str, str], key: str) -> None:
    if not fields.get(key):
        raise line.error(f"rule needs {key}=...")


def _conditions(line: Line, value: str) -> tuple[tuple[str, ...], ...]:
    conditions = tuple(tuple(split(c)) for c in value.split("+"))
    if any(not condition for condition in conditions):
        raise line.error(f"when={value}: an empty condition between '+' signs")
    return conditions


def split(condition: str) -> list[str]:
    return [name for name in condition.split("|") if name]


def _level(line: Line, value: str | None) -> Risk | None:
    if value is None:
        return None
    if value not in LEVEL_SCORES:
        raise line.error(f"level '{value}': write high, medium or none")
    return value


def _kinds(line: Line, value: str, *, raising: bool) -> tuple[ViolationKind, ...]:
    kinds = split_list(value)
    if raising and not kinds:
        raise line.error(
            "a raising rule needs kinds=... (violation kinds, primary first)"
        )
    for kind in kinds:
        if kind not in VIOLATION_KINDS:
            known = ", ".join(VIOLATION_KINDS)
            raise line.error(f"unknown violation kind '{kind}' (known: {known})")
    return tuple(cast(ViolationKind, kind) for kind in kinds)
