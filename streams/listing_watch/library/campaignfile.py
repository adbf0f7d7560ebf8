"""Parsing ``keywords/campaigns.txt``: named periods and what they raise.

A campaign is a block: an ``@campaign`` line, then its effects::

    @campaign 七一前后集中整治  from=2021-06-15  to=2021-07-15  source=通知二（二）
    weigh  kinds=party_state_symbols,medals_commemoratives  times=1.3
    weigh  tags=centenary,allusion  plus=0.2  max=1
    term   七一献礼  kind=celebration_marketing  weight=0.5  tags=allusion

``from`` and ``to`` are Asia/Shanghai days, both inclusive. A ``weigh``
line raises evidence (a term or a fired rule) carrying one of its violation
``kinds`` or term ``tags`` (a canonical term is its own tag): the level
``w`` becomes ``min(max, w * times + plus)``. A ``term`` line is written
as in a ``.terms`` file and counts only while the campaign is in force.
Tags are checked against the whole library when it is compiled.
"""

from __future__ import annotations

from datetime import date
from typing import Final, cast

from listing_watch.library.lines import Line, split_fields, split_list
from listing_watch.library.specs import CampaignSpec, TermSpec, WeightingSpec
from listing_watch.library.termfile import parse_term_line
from listing_watch.screening.kinds import VIOLATION_KINDS, ViolationKind

CAMPAIGN_FIELDS: Final = ("from", "to", "source")
WEIGH_FIELDS: Final = ("kinds", "tags", "times", "plus", "max")
# A campaign raises the focus; it is not meant to multiply a weight past
# what a term can reach. 1.3 or +0.2 are the expected sizes.
MAX_TIMES: Final = 3.0


class _Block:
    """A campaign being read: its header line and the effects so far."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.weightings: list[WeightingSpec] = []
        self.terms: list[TermSpec] = []


def parse_campaigns(lines: list[Line]) -> list[CampaignSpec]:
    """The campaigns of ``campaigns.txt``, in file order."""
    blocks: list[_Block] = []
    for line in lines:
        keyword, _, rest = line.text.partition(" ")
        if keyword == "@campaign":
            blocks.append(_Block(line))
        elif keyword not in ("weigh", "term"):
            raise line.error(
                f"'{keyword}': write '@campaign NAME from=... to=...', "
                "'weigh ...' or 'term ...'"
            )
        elif not blocks:
            raise line.error(
                f"'{keyword}' belongs to no campaign: "
                "start with '@campaign NAME from=YYYY-MM-DD to=YYYY-MM-DD'"
            )
        elif keyword == "weigh":
            blocks[-1].weightings.append(_weighting(_rest(line, rest)))
        else:
            blocks[-1].terms.append(_term(_rest(line, rest), blocks[-1].line))
    campaigns = [_campaign(block) for block in blocks]
    _check_names(campaigns)
    return campaigns


def _rest(line: Line, rest: str) -> Line:
    return Line(line.path, line.number, rest.strip())


def _campaign(block: _Block) -> CampaignSpec:
    line = _rest(block.line, block.line.text.partition(" ")[2])
    words, fields = split_fields(line)
    if len(words) != 1:
        raise line.error("write '@campaign NAME from=YYYY-MM-DD to=YYYY-MM-DD'")
    _check_fields(line, fields, CAMPAIGN_FIELDS)
    first_day = _day(line, fields, "from")
    last_day = _day(line, fields, "to")
    if last_day < first_day:
        raise line.error(
            f"campaign '{words[0]}' ends ({last_day}) before it starts ({first_day})"
        )
    if not block.weightings and not block.terms:
        raise line.error(f"campaign '{words[0]}' has no 'weigh' or 'term' line")
    return CampaignSpec(
        name=words[0],
        first_day=first_day,
        last_day=last_day,
        source=fields.get("source", ""),
        weightings=tuple(block.weightings),
        terms=tuple(block.terms),
        line=line,
    )


def _check_names(campaigns: list[CampaignSpec]) -> None:
    seen: dict[str, CampaignSpec] = {}
    for campaign in campaigns:
        first = seen.setdefault(campaign.name, campaign)
        if first is not campaign:
            raise campaign.line.error(
                f"campaign '{campaign.name}' is already defined at "
                f"{first.line.origin}; give each campaign its own name"
            )


def _check_fields(line: Line, fields: dict[str, str], known: tuple[str, ...]) -> None:
    for key in fields:
        if key not in known:
            raise line.error(f"unknown field '{key}' (known: {', '.join(known)})")


def _day(line: Line, fields: dict[str, str], key: str) -> date:
    value = fields.get(key)
    if not value:
        raise line.error(f"campaign needs {key}=YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise line.error(f"{key}={value} is not a date: write YYYY-MM-DD") from None


def _weighting(line: Line) -> WeightingSpec:
    words, fields = split_fields(line)
    if words:
        raise line.error(f"'{' '.join(words)}': weigh takes only key=value fields")
    _check_fields(line, fields, WEIGH_FIELDS)
    if not fields.get("kinds") and not fields.get("tags"):
        raise line.error("weigh needs kinds=... or tags=... (what it raises)")
    if "times" not in fields and "plus" not in fields:
        raise line.error("weigh needs times=... or plus=... (by how much)")
    return WeightingSpec(
        kinds=_kinds(line, fields.get("kinds", "")),
        tags=tuple(split_list(fields.get("tags", ""))),
        times=_number(line, fields, "times", default=1.0, low=1.0, high=MAX_TIMES),
        plus=_number(line, fields, "plus", default=0.0, low=0.0, high=1.0),
        ceiling=_number(line, fields, "max", default=1.0, low=0.0, high=1.0),
        line=line,
    )


def _kinds(line: Line, value: str) -> tuple[ViolationKind, ...]:
    kinds = split_list(value)
    for kind in kinds:
        if kind not in VIOLATION_KINDS:
            known = ", ".join(VIOLATION_KINDS)
            raise line.error(f"unknown violation kind '{kind}' (known: {known})")
    return tuple(cast(ViolationKind, kind) for kind in kinds)


def _number(
    line: Line,
    fields: dict[str, str],
    key: str,
    *,
    default: float,
    low: float,
    high: float,
) -> float:
    if key not in fields:
        return default
    try:
        number = float(fields[key])
    except ValueError:
        raise line.error(f"{key}={fields[key]} is not a number") from None
    if not low <= number <= high:
        raise line.error(f"{key}={fields[key]} is outside {low:g}..{high:g}")
    return number


def _term(line: Line, header: Line) -> TermSpec:
    # The campaign's source is the default, as @source is in a .terms file.
    source = split_fields(_rest(header, header.text.partition(" ")[2]))[1]
    return parse_term_line(line, {"source": source.get("source", "")})
