"""Weighing what was found: terms and rules give evidence, caps lower it.

Every counted term is evidence worth its weight. Every raise rule whose
conditions are all present is evidence worth its level. Cap rules then
lower the evidence they scope (an old collectible, a licensed publisher),
except evidence citing a firm term (state honours stay high everywhere,
EVAL.md G7). Evidence resting only on a homophone or short pinyin is
capped at medium (G2) unless the rule says its context settles it. The
verdict's score is the strongest remaining evidence.

Campaigns in force raise evidence before the caps, so a cap (an old
collectible, a licensed publisher) or doubt about a homophone still holds
during a campaign; each campaign that changed a weight is named in a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from listing_watch.screening.campaigns import raise_level
from listing_watch.screening.kinds import (
    FIELD_NAMES,
    KIND_NAMES,
    LEVEL_SCORES,
    MEDIUM_THRESHOLD,
    RISK_NAMES,
    Risk,
    ViolationKind,
    risk_for,
)
from listing_watch.screening.matcher import (
    MAX_MATCHES_PER_TERM,
    ContextHit,
    Found,
    FoundTerm,
)
from listing_watch.screening.model import Campaign, CompiledLibrary, Rule
from listing_watch.screening.verdict import Reason, Verdict

# A homophone or short pinyin only hints at a term: half its weight, and
# never more than medium on its own.
UNCERTAIN_FACTOR: Final = 0.5
UNCERTAIN_CAP: Final = LEVEL_SCORES["medium"]
# Initials (jd百年, 建D100周年) stand for a term only with context (EVAL.md
# G6): alone they stay below medium; a rule they satisfy counts in full.
INITIALS_FACTOR: Final = 0.4
# What lets initials stand for 建党 in a rule (EVAL.md G6: JD or 建D before
# 100周年/百年 "with a medal, coin or souvenir"): a term tagged medal or a
# context word tagged souvenir. A promotion alone (JD 100周年店庆 全场满减)
# is a shop's own anniversary as much as the Party's.
INITIALS_CONTEXT: Final = frozenset({"medal", "souvenir"})

EVASION_NAMES: Final = {
    "noise_symbols": "夹杂符号或空格",
    "fullwidth": "全角字符",
    "numeral_variants": "数字变体",
    "traditional": "繁体字",
    "pinyin_initials": "拼音或首字母",
    "homophone": "谐音字",
    "zero_width": "不可见字符",
    "emoji": "表情符号",
    "repeated_chars": "重复字符",
    "split_fields": "拆分书写",
}
VARIANT_NAMES: Final = {
    "alias": "别称",
    "numeral": "数字读法",
    "pinyin": "拼音",
    "pinyin_short": "短拼音",
    "homophone": "谐音",
    "lookalike": "形近字",
    "split": "分拆",
}


@dataclass(frozen=True, slots=True)
class _Evidence:
    level: float
    kinds: tuple[ViolationKind, ...]
    cites: tuple[str, ...]
    tags: frozenset[str]
    firm: bool
    uncertain: bool
    rule_id: str
    rule: str
    text: str
    initials: bool = False

    @property
    def hint(self) -> bool:
        """Resting on a homophone, short pinyin or initials: not a finding."""
        return self.uncertain or self.initials


@dataclass(frozen=True, slots=True)
class _Support:
    terms: tuple[FoundTerm, ...]
    contexts: tuple[ContextHit, ...]
    uncertain: bool
    initials: bool = False


def judge(
    found: Found, library: CompiledLibrary, campaigns: Sequence[Campaign] = ()
) -> Verdict:
    """The verdict for what the full pass found, under ``campaigns`` in force."""
    evidence = [_term_evidence(found_term) for found_term in found.terms]
    evidence += _rule_evidence(found, library.rules)
    evidence, campaign_reasons = _apply_campaigns(evidence, found, campaigns)
    evidence, cap_reasons = _apply_caps(evidence, found, library.caps)
    evidence, doubt_reasons = _apply_doubt(evidence)
    score = round(max((item.level for item in evidence), default=0.0), 3)
    counted = sorted(
        (item for item in evidence if item.level >= MEDIUM_THRESHOLD),
        key=lambda item: -item.level,
    )
    reasons = [_reason(item) for item in counted] + campaign_reasons
    reasons += cap_reasons + doubt_reasons
    reasons += _remaining_terms(found, counted, risk_for(score))
    reasons += [_total_reason(term, total) for term, total in found.totals]
    found_terms = {found_term.term.canonical for found_term in found.terms}
    reasons += [
        _allow_reason(note.phrase, note.term)
        for note in found.allowed
        if note.term not in found_terms
    ]
    return Verdict(
        risk=risk_for(score),
        score=score,
        violations=tuple(
            dict.fromkeys(kind for item in counted for kind in item.kinds)
        ),
        matches=tuple(found_term.match for found_term in found.terms),
        reasons=tuple(reasons),
        library_version=library.version,
    )


def _term_evidence(found_term: FoundTerm) -> _Evidence:
    term, match = found_term.term, found_term.match
    factor = UNCERTAIN_FACTOR if found_term.uncertain else 1.0
    if found_term.initials:
        factor = min(factor, INITIALS_FACTOR)
    where = "、".join(f"{FIELD_NAMES[span.field]}“{span.text}”" for span in match.spans)
    how = ""
    if match.variant_kind in VARIANT_NAMES:
        how = f"，按{VARIANT_NAMES[match.variant_kind]}“{match.variant}”识别"
    if match.evasions:
        how += "，规避手法：" + "、".join(EVASION_NAMES[e] for e in match.evasions)
    return _Evidence(
        level=term.weight * factor,
        kinds=term.kinds,
        cites=(term.canonical,),
        tags=term.tags,
        firm=term.firm,
        uncertain=found_term.uncertain,
        rule_id="term",
        rule="关键词",
        text=f"命中「{term.canonical}」（{_kind_names(term.kinds)}）：{where}{how}",
        initials=found_term.initials,
    )


def _rule_evidence(found: Found, rules: Iterable[Rule]) -> list[_Evidence]:
    evidence = []
    for rule in rules:
        support = _support(rule, found)
        if support is None or not support.terms or rule.level is None:
            continue
        if support.initials and not _souvenir_present(found):
            continue
        cites = [found_term.term.canonical for found_term in support.terms]
        cites += [context.word for context in support.contexts]
        if rule.concept:
            cites.append(rule.concept)
        evidence.append(
            _Evidence(
                level=rule.level,
                kinds=rule.kinds,
                cites=tuple(dict.fromkeys(cites)),
                tags=frozenset().union(*(ft.term.tags for ft in support.terms)),
                firm=any(found_term.term.firm for found_term in support.terms),
                uncertain=support.uncertain and not rule.settles,
                rule_id=rule.rule_id,
                rule=rule.name,
                text=_rule_text(rule, cites),
            )
        )
    return evidence


def _support(rule: Rule, found: Found) -> _Support | None:
    """What satisfies each of a rule's conditions, or None if one is unmet."""
    terms: list[FoundTerm] = []
    contexts: list[ContextHit] = []
    uncertain = initials = False
    for condition in rule.when:
        matched = [ft for ft in found.terms if ft.term.tags & condition]
        context = [hit for hit in found.contexts if hit.tag in condition]
        if not matched and not context:
            return None
        if matched and not context and all(ft.uncertain for ft in matched):
            uncertain = True
        if matched and not context and all(ft.initials for ft in matched):
            initials = True
        terms += matched
        contexts += context
    return _Support(
        tuple(dict.fromkeys(terms)),
        tuple(dict.fromkeys(contexts)),
        uncertain,
        initials,
    )


def _souvenir_present(found: Found) -> bool:
    if any(ft.term.tags & INITIALS_CONTEXT for ft in found.terms):
        return True
    return any(hit.tag in INITIALS_CONTEXT for hit in found.contexts)


def _apply_campaigns(
    evidence: list[_Evidence], found: Found, campaigns: Sequence[Campaign]
) -> tuple[list[_Evidence], list[Reason]]:
    if not campaigns:
        return evidence, []
    notes: dict[str, list[str]] = {c.name: [] for c in campaigns}
    peaks: dict[str, float] = dict.fromkeys(notes, 0.0)
    raised = []
    for item in evidence:
        if item.hint:
            # A campaign raises the focus, not the certainty: a hint stays
            # as weak as it is outside the period (JD百年好合 is no finding).
            raised.append(item)
            continue
        level, changed_by = raise_level(item.level, item.kinds, item.tags, campaigns)
        for campaign in changed_by:
            notes[campaign.name].append(
                f"{_evidence_name(item)}{item.level:.2f}→{level:.2f}"
            )
            peaks[campaign.name] = max(peaks[campaign.name], level)
        raised.append(replace(item, level=level) if changed_by else item)
    for found_term in found.terms:
        if found_term.term.campaign in notes:
            notes[found_term.term.campaign].append(
                f"期间计入「{found_term.term.canonical}」"
            )
    reasons = [
        _campaign_reason(campaign, notes[campaign.name], peaks[campaign.name])
        for campaign in campaigns
        if notes[campaign.name]
    ]
    return raised, reasons


def _evidence_name(item: _Evidence) -> str:
    if item.rule_id == "term":
        return f"关键词「{item.cites[0]}」"
    return f"规则「{item.rule}」"


def _campaign_reason(campaign: Campaign, notes: Sequence[str], peak: float) -> Reason:
    # Example: 专项行动「七一前后集中整治」（2021-06-15至2021-07-15）加权：
    # 关键词「党徽」0.50→0.65
    return Reason(
        rule_id="campaign",
        rule=campaign.name,
        text=f"{campaign.label}加权：" + "；".join(dict.fromkeys(notes)),
        level=risk_for(peak),
    )


def _apply_caps(
    evidence: list[_Evidence], found: Found, caps: Sequence[Rule]
) -> tuple[list[_Evidence], list[Reason]]:
    reasons = []
    for rule in caps:
        support = _support(rule, found)
        if support is None or rule.cap is None:
            continue
        lowered = [_capped(item, rule) for item in evidence]
        if lowered != evidence:
            words = [ft.term.canonical for ft in support.terms]
            words += [hit.word for hit in support.contexts]
            reasons.append(_cap_reason(rule, words))
            evidence = lowered
    return evidence, reasons


def _capped(item: _Evidence, rule: Rule) -> _Evidence:
    assert rule.cap is not None
    in_scope = rule.scope is None or bool(item.tags & rule.scope)
    if item.firm or not in_scope or item.level <= rule.cap:
        return item
    return replace(item, level=rule.cap)


def _apply_doubt(evidence: list[_Evidence]) -> tuple[list[_Evidence], list[Reason]]:
    doubtful = [
        item for item in evidence if item.uncertain and item.level > UNCERTAIN_CAP
    ]
    if not doubtful:
        return evidence, []
    lowered = [
        replace(item, level=UNCERTAIN_CAP)
        if item.uncertain and item.level > UNCERTAIN_CAP
        else item
        for item in evidence
    ]
    cited = tuple(dict.fromkeys(term for item in doubtful for term in item.cites))
    reason = Reason(
        rule_id="uncertain_variant",
        rule="谐音拼音不作定论",
        text="仅凭谐音字或可作他解的拼音命中「"
        + "」「".join(cited)
        + "」，最高定为中风险，需人工核实",
        terms=cited,
        level="medium",
    )
    return lowered, [reason]


def _reason(item: _Evidence) -> Reason:
    text = item.text
    if item.rule_id != "term":
        text += f"，{RISK_NAMES[risk_for(item.level)]}"
    return Reason(
        rule_id=item.rule_id,
        rule=item.rule,
        text=text,
        terms=item.cites,
        level=risk_for(item.level),
    )


def _rule_text(rule: Rule, cites: Sequence[str]) -> str:
    joined = "+".join(f"「{word}」" for word in dict.fromkeys(cites))
    return f"{joined}：{rule.name}（{_kind_names(rule.kinds)}）"


def _cap_reason(rule: Rule, words: Sequence[str]) -> Reason:
    level = risk_for(rule.cap or 0.0)
    joined = "+".join(f"「{word}」" for word in dict.fromkeys(words))
    ceiling = "不予预警" if level == "none" else f"最高定为{RISK_NAMES[level]}"
    return Reason(
        rule_id=rule.rule_id,
        rule=rule.name,
        text=f"{joined}：{rule.name}，{ceiling}",
        terms=(),
        level=level,
    )


def _remaining_terms(
    found: Found, counted: Sequence[_Evidence], risk: Risk
) -> list[Reason]:
    cited = {term for item in counted for term in item.cites}
    rest = tuple(
        dict.fromkeys(
            ft.term.canonical for ft in found.terms if ft.term.canonical not in cited
        )
    )
    if not rest:
        return []
    joined = "「" + "」「".join(rest) + "」"
    if risk != "none":
        return [
            Reason(
                rule_id="also_matched",
                rule="同时命中",
                text=f"同时命中{joined}",
                terms=rest,
            )
        ]
    return [
        Reason(
            rule_id="below_threshold",
            rule="未达预警",
            text=f"命中{joined}，结合上下文不足以预警",
            terms=rest,
        )
    ]


def _total_reason(term: str, total: int) -> Reason:
    return Reason(
        rule_id="repeated_term",
        rule="重复命中",
        text=f"「{term}」共命中{total}处，仅列出前{MAX_MATCHES_PER_TERM}处",
        terms=(term,),
    )


def _allow_reason(phrase: str, term: str) -> Reason:
    return Reason(
        rule_id="allow_phrase",
        rule="放行短语",
        text=f"「{phrase}」为正常用语，其中的「{term}」不计",
    )


def _kind_names(kinds: Iterable[ViolationKind]) -> str:
    return "、".join(KIND_NAMES[kind] for kind in kinds)
