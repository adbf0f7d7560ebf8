"""Compiling parsed specs into the automata and rules the screen uses.

Checks that need the whole library happen here and name the line at
fault: a term (or alias) that folds to the same key as another term, a
term that folds to nothing, a guard for an unknown term, a rule or a
campaign naming an unknown tag.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from listing_watch.library.lines import Line
from listing_watch.library.specs import (
    CampaignSpec,
    LibrarySpecs,
    RuleSpec,
    TermSpec,
)
from listing_watch.library.variants import Form, all_forms, doubled_forms
from listing_watch.screening.kinds import LEVEL_SCORES
from listing_watch.screening.model import (
    Campaign,
    CompiledLibrary,
    Entry,
    Rule,
    Term,
    VariantKind,
    Weighting,
)
from listing_watch.screening.normalize import FoldTable

HASH_LENGTH = 8


@dataclass
class _Keys:
    """Automaton keys under construction, with who wrote each one."""

    entries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    written: dict[str, tuple[str, Line]] = field(default_factory=dict)
    triggers: set[str] = field(default_factory=set)

    def add(self, entry: Entry) -> None:
        self.entries[entry.key].append(entry)


def compile_library(specs: LibrarySpecs) -> CompiledLibrary:
    """Build the library the screen runs on; raises ``LibraryError``."""
    folding = FoldTable({reading.emoji: reading.reading for reading in specs.emoji})
    keys = _Keys()
    groups = _variant_groups(specs, folding)
    terms = [_add_term(spec, keys, folding, groups) for spec in specs.terms]
    terms += [
        _add_term(spec, keys, folding, groups, campaign=campaign.name)
        for campaign in specs.campaigns
        for spec in campaign.terms
    ]
    _check_variant_groups(specs, keys, folding)
    _add_words(specs, keys, folding)
    _add_guards(specs, keys, folding, terms)
    tags = _known_tags(terms, specs)
    rules = [_rule(spec, tags) for spec in specs.rules]
    campaigns = [_campaign(spec, tags[0]) for spec in specs.campaigns]
    return CompiledLibrary(
        version=f"{specs.number}+{_content_hash(specs)}",
        folding=folding,
        automaton=_automaton(
            (key, tuple(found)) for key, found in keys.entries.items()
        ),
        trigger=_automaton((key, True) for key in keys.triggers),
        rules=tuple(rule for rule in rules if rule.level is not None),
        caps=tuple(rule for rule in rules if rule.cap is not None),
        terms=tuple(terms),
        key_count=len(keys.entries),
        campaigns=tuple(campaigns),
    )


def _variant_groups(
    specs: LibrarySpecs, folding: FoldTable
) -> list[tuple[str, tuple[str, ...], VariantKind]]:
    groups: list[tuple[str, tuple[str, ...], VariantKind]] = []
    for group in specs.variants:
        kind: VariantKind = "homophone" if group.kind == "homophone" else "lookalike"
        forms = tuple(folding.fold(form) for form in group.forms)
        groups.append((folding.fold(group.fragment), forms, kind))
    return groups


def _add_term(
    spec: TermSpec,
    keys: _Keys,
    folding: FoldTable,
    groups: Sequence[tuple[str, tuple[str, ...], VariantKind]],
    *,
    campaign: str = "",
) -> Term:
    term = _term(spec, folding, campaign)
    guard_id = folding.fold(spec.canonical)
    written: list[tuple[str, VariantKind]] = [(spec.canonical, "plain")]
    written += [(alias, "alias") for alias in spec.aliases]
    forms: list[Form] = []
    for text, kind in written:
        key = _folded(spec.line, text, folding)
        _claim(keys, key, spec)
        forms += all_forms(key, text, kind, pinyin=spec.pinyin, groups=groups)
    for form in _unclaimed(forms, keys, spec):
        keys.add(
            Entry(
                role="term",
                key=form.key,
                variant=form.display,
                variant_kind=form.kind,
                term=term,
                guard_id=guard_id,
            )
        )
        keys.triggers.add(form.key)
        if form.kind in ("plain", "alias", "numeral"):
            keys.triggers.update(doubled_forms(form.key))
    _add_parts(term, keys)
    return term


def _term(spec: TermSpec, folding: FoldTable, campaign: str) -> Term:
    return Term(
        canonical=spec.canonical,
        kinds=spec.kinds,
        weight=spec.weight,
        tags=frozenset((*spec.tags, spec.canonical)),
        fields=frozenset(spec.fields),
        after=tuple(folding.fold(text) for text in spec.after),
        parts=tuple(_folded(spec.line, part, folding) for part in spec.parts),
        firm=spec.firm,
        source=spec.source,
        origin=spec.line.origin,
        campaign=campaign,
    )


def _folded(line: Line, text: str, folding: FoldTable) -> str:
    key = folding.fold(text)
    if not key:
        raise line.error(f"'{text}' is empty after folding (only symbols or spaces)")
    return key


def _claim(keys: _Keys, key: str, spec: TermSpec) -> None:
    """A written term or alias owns its key; a second owner is refused."""
    if key in keys.written:
        owner, line = keys.written[key]
        raise spec.line.error(
            f"duplicate term '{spec.canonical}': reads the same as '{owner}' "
            f"({line.origin}); keep one, or make it an alias of the other"
        )
    keys.written[key] = (spec.canonical, spec.line)


def _unclaimed(forms: Iterable[Form], keys: _Keys, spec: TermSpec) -> list[Form]:
    """Forms of this term, minus generated ones another term wrote."""
    kept: dict[str, Form] = {}
    for form in forms:
        owner = keys.written.get(form.key)
        if owner is not None and owner[0] != spec.canonical:
            continue
        kept.setdefault(form.key, form)
    return list(kept.values())


def _add_parts(term: Term, keys: _Keys) -> None:
    for index, part in enumerate(term.parts):
        keys.add(
            Entry(
                role="part",
                key=part,
                variant=part,
                term=term,
                part_index=index,
                guard_id=part,
            )
        )
    if term.parts:
        # Any one part sends the listing to the full pass, which needs all.
        keys.triggers.add(max(term.parts, key=len))


def _check_variant_groups(specs: LibrarySpecs, keys: _Keys, folding: FoldTable) -> None:
    for group in specs.variants:
        fragment = folding.fold(group.fragment)
        if not any(fragment in key for key in keys.written):
            raise group.line.error(f"variant group '{group.fragment}' is in no term")


def _add_words(specs: LibrarySpecs, keys: _Keys, folding: FoldTable) -> None:
    for spec in specs.contexts:
        key = _folded(spec.line, spec.word, folding)
        keys.add(
            Entry(
                role="context", key=key, variant=spec.word, tag=spec.tag, guard_id=key
            )
        )
    for spec in specs.allows:
        key = _folded(spec.line, spec.word, folding)
        keys.add(Entry(role="allow", key=key, variant=spec.word))


def _add_guards(
    specs: LibrarySpecs, keys: _Keys, folding: FoldTable, terms: Sequence[Term]
) -> None:
    guardable = {folding.fold(term.canonical) for term in terms}
    guardable.update(part for term in terms for part in term.parts)
    guarded: dict[str, set[str]] = defaultdict(set)
    display: dict[str, str] = {}
    for spec in specs.guards:
        target = folding.fold(spec.term)
        if target not in guardable:
            raise spec.line.error(f"@guard '{spec.term}' is not a term or part of one")
        for word in spec.words:
            key = _folded(spec.line, word, folding)
            guarded[key].add(target)
            display[key] = word
    folded_terms = [folding.fold(term.canonical) for term in terms]
    for key, targets in guarded.items():
        keys.add(
            Entry(
                role="guard",
                key=key,
                variant=display[key],
                guards=frozenset(targets),
                edge_guards=_edge_terms(targets, folded_terms),
            )
        )


def _edge_terms(targets: set[str], folded_terms: Sequence[str]) -> frozenset[str]:
    """Longer terms that begin or end with a guarded term (建党 -> 建党百年)."""
    return frozenset(
        term
        for term in folded_terms
        for target in targets
        if term != target and (term.startswith(target) or term.endswith(target))
    )


def _known_tags(
    terms: Sequence[Term], specs: LibrarySpecs
) -> tuple[set[str], set[str]]:
    term_tags = {tag for term in terms for tag in term.tags}
    context_tags = {spec.tag for spec in specs.contexts}
    return term_tags, context_tags


def _rule(spec: RuleSpec, tags: tuple[set[str], set[str]]) -> Rule:
    term_tags, context_tags = tags
    for condition in spec.when:
        for name in condition:
            if name not in term_tags and name not in context_tags:
                raise spec.line.error(
                    f"when: '{name}' is no term, term tag or context tag"
                )
    if spec.level is not None and not any(
        name in term_tags for condition in spec.when for name in condition
    ):
        raise spec.line.error("a raising rule must name at least one term or term tag")
    for name in spec.scope or ():
        if name not in term_tags:
            raise spec.line.error(f"scope: '{name}' is no term or term tag")
    return Rule(
        rule_id=spec.rule_id,
        name=spec.name,
        when=tuple(frozenset(condition) for condition in spec.when),
        level=LEVEL_SCORES[spec.level] if spec.level else None,
        cap=LEVEL_SCORES[spec.cap] if spec.cap else None,
        kinds=spec.kinds,
        scope=frozenset(spec.scope) if spec.scope is not None else None,
        concept=spec.concept,
        settles=spec.settles,
        origin=spec.line.origin,
    )


def _campaign(spec: CampaignSpec, term_tags: set[str]) -> Campaign:
    for weighting in spec.weightings:
        for name in weighting.tags:
            if name not in term_tags:
                raise weighting.line.error(
                    f"tags: '{name}' is no term or term tag (context tags weigh "
                    "nothing on their own)"
                )
    return Campaign(
        name=spec.name,
        first_day=spec.first_day,
        last_day=spec.last_day,
        weightings=tuple(
            Weighting(
                kinds=frozenset(weighting.kinds),
                tags=frozenset(weighting.tags),
                times=weighting.times,
                plus=weighting.plus,
                ceiling=weighting.ceiling,
            )
            for weighting in spec.weightings
        ),
        source=spec.source,
        origin=spec.line.origin,
    )


def _automaton(items: Iterable[tuple[str, object]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in items:
        automaton.add_word(key, value)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _content_hash(specs: LibrarySpecs) -> str:
    """A hash of what the files mean, not how they are spelt on disk.

    Specs compare without their lines, so a file saved with a BOM or CRLF
    line endings hashes like the clean one (P6).
    """
    digest = hashlib.sha256(repr(specs).encode("utf-8"))
    return digest.hexdigest()[:HASH_LENGTH]
