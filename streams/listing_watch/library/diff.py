"""What one library version changes against another, entry by entry.

Compared on the parsed specs, not the text, so moving a term to another
file or re-saving a file with CRLF line endings changes nothing. Terms are
identified by their canonical form, rules by their id and campaigns by
their name (a campaign's terms count as its content); everything else
(context words, allow phrases, guards, variants, emoji) by its content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from listing_watch.library.specs import CampaignSpec, LibrarySpecs, RuleSpec, TermSpec

Spec = TypeVar("Spec", TermSpec, RuleSpec, CampaignSpec)


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryDiff:
    """Added, removed and changed entries, each list sorted."""

    terms_added: tuple[str, ...] = ()
    terms_removed: tuple[str, ...] = ()
    terms_changed: tuple[str, ...] = ()
    rules_added: tuple[str, ...] = ()
    rules_removed: tuple[str, ...] = ()
    rules_changed: tuple[str, ...] = ()
    words_added: tuple[str, ...] = ()
    words_removed: tuple[str, ...] = ()
    campaigns_added: tuple[str, ...] = ()
    campaigns_removed: tuple[str, ...] = ()
    campaigns_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    @property
    def may_raise_alerts(self) -> bool:
        """True when listings screened before could now alert (retro-hunt).

        Any change can: a changed weight, a removed guard word, a new
        variant. Only an empty diff certainly cannot.
        """
        return not self.empty

    def to_dict(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> LibraryDiff:
        return cls(**{f.name: tuple(raw.get(f.name, ())) for f in fields(cls)})

    def lines(self) -> Iterator[str]:
        """One line per change, ``+`` added, ``-`` removed, ``~`` changed."""
        marks = (("added", "+"), ("removed", "-"), ("changed", "~"))
        for group in ("terms", "rules", "words", "campaigns"):
            for suffix, mark in marks:
                for entry in getattr(self, f"{group}_{suffix}", ()):
                    yield f"{mark} {group[:-1]} {entry}"


def diff_specs(old: LibrarySpecs | None, new: LibrarySpecs) -> LibraryDiff:
    """The changes from ``old`` (``None``: nothing published yet) to ``new``."""
    old_terms = _by_key(old.terms if old else (), _term_key)
    new_terms = _by_key(new.terms, _term_key)
    old_rules = _by_key(old.rules if old else (), _rule_key)
    new_rules = _by_key(new.rules, _rule_key)
    old_words = _words(old) if old else set()
    new_words = _words(new)
    old_campaigns = _by_key(old.campaigns if old else (), _campaign_key)
    new_campaigns = _by_key(new.campaigns, _campaign_key)
    return LibraryDiff(
        terms_added=_sorted(new_terms.keys() - old_terms.keys()),
        terms_removed=_sorted(old_terms.keys() - new_terms.keys()),
        terms_changed=_changed(old_terms, new_terms),
        rules_added=_sorted(new_rules.keys() - old_rules.keys()),
        rules_removed=_sorted(old_rules.keys() - new_rules.keys()),
        rules_changed=_changed(old_rules, new_rules),
        words_added=_sorted(new_words - old_words),
        words_removed=_sorted(old_words - new_words),
        campaigns_added=_sorted(new_campaigns.keys() - old_campaigns.keys()),
        campaigns_removed=_sorted(old_campaigns.keys() - new_campaigns.keys()),
        campaigns_changed=_changed(old_campaigns, new_campaigns),
    )


def _term_key(spec: TermSpec) -> str:
    return spec.canonical


def _rule_key(spec: RuleSpec) -> str:
    return spec.rule_id


def _campaign_key(spec: CampaignSpec) -> str:
    return spec.name


def _by_key(specs: Iterable[Spec], key: Callable[[Spec], str]) -> dict[str, Spec]:
    return {key(spec): spec for spec in specs}


def _changed(old: Mapping[str, Spec], new: Mapping[str, Spec]) -> tuple[str, ...]:
    return _sorted(key for key in old.keys() & new.keys() if old[key] != new[key])


def _words(specs: LibrarySpecs) -> set[str]:
    """Every non-term, non-rule entry as one readable string."""
    words = {f"context:{spec.tag}:{spec.word}" for spec in specs.contexts}
    words |= {f"allow:{spec.word}" for spec in specs.allows}
    words |= {
        f"guard:{spec.term}:{word}" for spec in specs.guards for word in spec.words
    }
    words |= {
        f"variant:{group.fragment}~{form}:{group.kind}"
        for group in specs.variants
        for form in group.forms
    }
    words |= {f"emoji:{reading.emoji}={reading.reading}" for reading in specs.emoji}
    return words


def _sorted(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(keys))
