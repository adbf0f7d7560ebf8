"""The closed vocabularies of a verdict: risk levels, violation kinds, fields.

Violation kinds are the eight ids of the brief (notice, section 2). Scores
are floats in [0, 1]; the two thresholds below turn a score into a risk
level, and rule levels in ``keywords/rules.txt`` name a level rather than a
number so that the files stay readable.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Risk = Literal["high", "medium", "none"]
Field = Literal["title", "description", "category"]
ViolationKind = Literal[
    "special_supply",
    "medals_commemoratives",
    "celebration_marketing",
    "party_state_symbols",
    "leader_likeness",
    "illegal_publication",
    "discrimination_extremism",
    "historical_distortion",
]

VIOLATION_KINDS: Final[tuple[ViolationKind, ...]] = get_args(ViolationKind)

# What an investigator reads in place of the id.
KIND_NAMES: Final[dict[ViolationKind, str]] = {
    "special_supply": "特供专供",
    "medals_commemoratives": "勋章纪念品",
    "celebration_marketing": "借庆祝名义营销",
    "party_state_symbols": "党政标志标识",
    "leader_likeness": "领导人姓名形象",
    "illegal_publication": "非法出版物",
    "discrimination_extremism": "歧视与极端主义",
    "historical_distortion": "歪曲历史",
}

FIELDS: Final[tuple[Field, ...]] = get_args(Field)
FIELD_NAMES: Final[dict[Field, str]] = {
    "title": "标题",
    "description": "描述",
    "category": "类目",
}

RISK_NAMES: Final[dict[Risk, str]] = {
    "high": "高风险",
    "medium": "中风险",
    "none": "无风险",
}

HIGH_THRESHOLD: Final = 0.8
MEDIUM_THRESHOLD: Final = 0.4

# The score a rule's named level stands for; "medium" sits between the
# thresholds so that a medium rule never reaches high by itself.
LEVEL_SCORES: Final[dict[Risk, float]] = {"high": 1.0, "medium": 0.6, "none": 0.0}


def risk_for(score: float) -> Risk:
    """The risk level a score falls into."""
    if score >= HIGH_THRESHOLD:
        return "high"
    if score >= MEDIUM_THRESHOLD:
        return "medium"
    return "none"


def is_violation_kind(name: str) -> bool:
    return name in KIND_NAMES
