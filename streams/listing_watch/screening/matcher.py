"""Finding library terms in listings: a fast pass over many, a full pass over few.

The fast pass joins many listings into one string, folds it with one
``str.translate`` and scans it once with the trigger automaton; it only
answers "which listings hold a term key at all". The full pass then runs
on those few listings: it folds each field with an offset map, scans the
folded text (and, when a character repeats, the collapsed view of it),
applies allow phrases and guard words, word edges, ``after`` and field
restrictions, joins pieces of split terms and keeps the longest of
overlapping terms. Both passes are linear in the text: automaton scans, no
regular-expression backtracking.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from listing_watch.screening.kinds import Field
from listing_watch.screening.listing_text import ListingText
from listing_watch.screening.model import (
    LETTER_VARIANTS,
    UNCERTAIN_VARIANTS,
    Campaign,
    CompiledLibrary,
    Entry,
    Term,
    VariantKind,
)
from listing_watch.screening.normalize import (
    Folded,
    collapse_repeats,
    has_repeats,
    is_deleted,
    traditional_to_simplified,
)
from listing_watch.screening.verdict import Match, Span

# Joins listings (and a listing's category) in the fast pass. Folding
# deletes both characters, so a seller cannot forge them into the scanned text.
LISTING_SEPARATOR = "\x00"
CATEGORY_SEPARATOR = "\x01"

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_MAIN, _CATEGORY = 0, 1
_LATIN_RUN = re.compile("[a-z]+")
_MARKS = frozenset({"Mn", "Me"})
# A pinyin form opening with a letter pair and this few CJK characters
# after it reads like a brand tag as much as a term (see _is_initials).
INITIALS_PAIR = 2
MAX_INITIALS_REST = 2
# Matches a verdict lists per canonical term. A listing repeating a term
# 10,000 times still yields a small verdict; ``Found.totals`` keeps the count.
MAX_MATCHES_PER_TERM = 20


def find_candidates(
    texts: Sequence[ListingText], library: CompiledLibrary
) -> list[int]:
    """Indices of the listings that hold at least one term key (fast pass)."""
    if not texts:
        return []
    folded = library.folding.fold_joined(_joined(texts, strip=False))
    if not _separators_intact(folded, len(texts)):
        folded = library.folding.fold_joined(_joined(texts, strip=True))
    lengths = [len(part) + 1 for part in folded.split(LISTING_SEPARATOR)]
    starts = list(itertools.accumulate(lengths, initial=0))
    ends = {end for end, _ in library.trigger.iter(folded)}
    return sorted({bisect_right(starts, end) - 1 for end in ends})


def _joined(texts: Sequence[ListingText], *, strip: bool) -> str:
    if strip:
        return LISTING_SEPARATOR.join(
            _without_separators(f"{t.title}{t.description}")
            + CATEGORY_SEPARATOR
            + _without_separators(t.category)
            for t in texts
        )
    return LISTING_SEPARATOR.join(
        [f"{t.title}{t.description}{CATEGORY_SEPARATOR}{t.category}" for t in texts]
    )


def _without_separators(text: str) -> str:
    return text.replace(LISTING_SEPARATOR, "").replace(CATEGORY_SEPARATOR, "")


def _separators_intact(folded: str, count: int) -> bool:
    return (
        folded.count(LISTING_SEPARATOR) == count - 1
        and folded.count(CATEGORY_SEPARATOR) == count
    )


@dataclass(frozen=True, slots=True)
class ContextHit:
    """A context word present in the listing (it never alerts on its own)."""

    tag: str
    word: str
    span: Span


@dataclass(frozen=True, slots=True)
class FoundTerm:
    """A term match together with the library term it stands for."""

    match: Match
    term: Term
    uncertain: bool
    initials: bool = False


@dataclass(frozen=True, slots=True)
class AllowNote:
    """An allow phrase or guard word that kept a term from counting."""

    phrase: str
    term: str


@dataclass(frozen=True, slots=True)
class Found:
    """Everything the full pass found in one listing."""

    terms: tuple[FoundTerm, ...]
    contexts: tuple[ContextHit, ...]
    allowed: tuple[AllowNote, ...]
    # (canonical term, matches found) for terms found more often than
    # MAX_MATCHES_PER_TERM; ``terms`` lists only the first ones of those.
    totals: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class _View:
    folded: Folded
    area: int
    collapsed: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: Entry
    view: _View
    start: int
    end: int
    edge_guarded: bool = False

    @property
    def interval(self) -> tuple[int, int, int]:
        low, high = self.view.folded.original_span(self.start, self.end)
        return self.view.area, low, high


@dataclass(frozen=True, slots=True)
class _TermHit:
    term: Term
    variant: str
    variant_kind: VariantKind
    intervals: tuple[tuple[int, int, int], ...]
    spans: tuple[Span, ...]
    collapsed: bool
    edge_guarded: bool = False

    @property
    def size(self) -> int:
        return sum(high - low for _, low, high in self.intervals)

    @property
    def hint(self) -> bool:
        """A homophone, short pinyin or initials: weaker than the term."""
        return self.variant_kind in UNCERTAIN_VARIANTS or _is_initials(self)


def find(
    text: ListingText, library: CompiledLibrary, campaigns: Sequence[Campaign] = ()
) -> Found:
    """The full pass over one listing, with the ``campaigns`` in force."""
    hits: list[_Hit] = []
    allowed: list[AllowNote] = []
    in_force = frozenset(campaign.name for campaign in campaigns)
    for view in _views(text, library):
        kept, notes = _apply_allows(_scan(view, library.automaton))
        hits.extend(hit for hit in kept if _applies(hit, text, in_force))
        allowed.extend(notes)
    term_hits = [_term_hit(hit, text) for hit in hits if hit.entry.role == "term"]
    term_hits = _without_collapsed_duplicates(term_hits)
    term_hits += _split_hits(hits, term_hits, text)
    listed, totals = _capped(_longest(term_hits))
    found = [_found_term(hit) for hit in listed]
    contexts = _contexts(hits, text)
    return Found(tuple(found), contexts, tuple(dict.fromkeys(allowed)), totals)


def _views(text: ListingText, library: CompiledLibrary) -> list[_View]:
    main = library.folding.fold_mapped(text.title + text.description)
    views = [_View(main, _MAIN, collapsed=False)]
    if has_repeats(main.text):
        views.append(_View(collapse_repeats(main), _MAIN, collapsed=True))
    if text.category:
        category = library.folding.fold_mapped(text.category)
        views.append(_View(category, _CATEGORY, collapsed=False))
    return views


def _scan(view: _View, automaton: object) -> list[_Hit]:
    text = view.folded.text
    hits = []
    for end, entries in automaton.iter(text):  # type: ignore[attr-defined]
        stop = end + 1
        for entry in entries:
            start = stop - entry.length
            if _clean_edges(text, start, stop, entry.key):
                hits.append(_Hit(entry, view, start, stop))
    return hits


def _clean_edges(text: str, start: int, stop: int, key: str) -> bool:
    """Latin letters and digits at a key's edge must not run on in the text.

    Folding deletes spaces, so ``JD-0332`` reads ``jd0332`` and
    ``this is`` reads ``thisis``: the keys ``jd`` and ``isis`` must not
    match there. CJK characters carry no such edge.
    """
    if key[0] in _WORD_CHARS and start > 0 and text[start - 1] in _WORD_CHARS:
        return False
    return not (
        key[-1] in _WORD_CHARS and stop < len(text) and text[stop] in _WORD_CHARS
    )


def _apply_allows(hits: list[_Hit]) -> tuple[list[_Hit], list[AllowNote]]:
    """Drop hits an allow phrase covers or a guard word straddles.

    A longer allow phrase wins over a term it contains (``电商专供`` over
    ``专供``), unless another term reaches into the phrase across its edge:
    in ``钓鱼台国宾馆专供`` the 宾馆 of ``宾馆专供`` belongs to the venue, so
    the phrase is no channel and ``专供`` counts. A guard word declared for
    a term wins when it overlaps the term's first or last character
    (``旗袍`` over ``国旗`` in ``中国旗袍``).
    Blockers are indexed by start, so a long text costs hits x key length.
    """
    terms = _by_start(hit for hit in hits if hit.entry.role == "term")
    covers = _by_start(
        hit
        for hit in hits
        if hit.entry.role == "allow" and _guard(hit, terms, any_term=True) is None
    )
    guards = _by_start(hit for hit in hits if hit.entry.role == "guard")
    kept: list[_Hit] = []
    notes: list[AllowNote] = []
    for hit in hits:
        if hit.entry.role in ("allow", "guard"):
            continue
        blocker = _cover(hit, covers) or _guard(hit, guards)
        if blocker is None and _guard(hit, guards, edge=True):
            # 搭建d百年: the letter may belong to another word; read it as
            # initials, which count only beside a medal or souvenir (G5, G6).
            kept.append(replace(hit, edge_guarded=True))
        elif blocker is None:
            kept.append(hit)
        elif hit.entry.term is not None and hit.entry.role == "term":
            notes.append(AllowNote(blocker.entry.variant, hit.entry.term.canonical))
    return kept, notes


def _by_start(hits: Iterable[_Hit]) -> tuple[dict[int, list[_Hit]], int]:
    index: dict[int, list[_Hit]] = {}
    longest = 0
    for hit in hits:
        index.setdefault(hit.start, []).append(hit)
        longest = max(longest, hit.end - hit.start)
    return index, longest


def _cover(hit: _Hit, covers: tuple[dict[int, list[_Hit]], int]) -> _Hit | None:
    index, longest = covers
    for start in range(hit.start - longest + 1, hit.start + 1):
        for cover in index.get(start, ()):
            longer = cover.end - cover.start > hit.end - hit.start
            if longer and hit.end <= cover.end:
                return cover
    return None


def _guard(
    hit: _Hit,
    guards: tuple[dict[int, list[_Hit]], int],
    *,
    any_term: bool = False,
    edge: bool = False,
) -> _Hit | None:
    """A guard for ``hit`` (with ``any_term``, any hit) straddling its edge.

    With ``edge``, a guard declared for a shorter term at the hit's edge
    (搭建 for 建党, at the start of 建d百年), which only weakens a letter form.
    """
    index, longest = guards
    for start in range(hit.start - longest + 1, hit.end):
        for guard in index.get(start, ()):
            if edge:
                declared = _edge_declared(guard.entry, hit.entry)
            else:
                declared = any_term or hit.entry.guard_id in guard.entry.guards
            if declared and _straddles(guard, hit):
                return guard
    return None


def _edge_declared(guard: Entry, entry: Entry) -> bool:
    letters = entry.variant_kind in LETTER_VARIANTS
    return letters and entry.guard_id in guard.edge_guards


def _straddles(guard: _Hit, hit: _Hit) -> bool:
    overlap = guard.start < hit.end and hit.start < guard.end
    inside = hit.start <= guard.start and guard.end <= hit.end
    around = guard.start <= hit.start and hit.end <= guard.end
    return overlap and not inside and not around


def _applies(hit: _Hit, text: ListingText, in_force: frozenset[str]) -> bool:
    term = hit.entry.term
    if term is None:
        return True
    # Dropped before the longest-term choice, so a campaign term out of its
    # period never hides a shorter term inside it.
    if term.campaign and term.campaign not in in_force:
        return False
    if term.after and not hit.view.folded.text.startswith(term.after, hit.end):
        return False
    return _field_of(hit, text) in term.fields


def _field_of(hit: _Hit, text: ListingText) -> Field:
    if hit.view.area == _CATEGORY:
        return "category"
    return (
        "title" if hit.view.folded.first[hit.start] < len(text.title) else "description"
    )


def _term_hit(hit: _Hit, text: ListingText) -> _TermHit:
    assert hit.entry.term is not None
    return _TermHit(
        term=hit.entry.term,
        variant=hit.entry.variant,
        variant_kind=hit.entry.variant_kind,
        intervals=(hit.interval,),
        spans=_spans(hit, text),
        collapsed=hit.view.collapsed,
        edge_guarded=hit.edge_guarded,
    )


def _spans(hit: _Hit, text: ListingText) -> tuple[Span, ...]:
    """The seller's characters under a hit, one span per field it touches."""
    folded = hit.view.folded
    if hit.view.area == _CATEGORY:
        low, high = folded.original_span(hit.start, hit.end)
        high = _past_marks(text.category, high)
        return (
            Span(field="category", start=low, end=high, text=text.category[low:high]),
        )
    cut = len(text.title)
    bounds: dict[Field, tuple[int, int]] = {}
    for index in range(hit.start, hit.end):
        for offset in (folded.first[index], folded.last[index]):
            field: Field = "title" if offset < cut else "description"
            local = offset if offset < cut else offset - cut
            low, high = bounds.get(field, (local, local))
            bounds[field] = (min(low, local), max(high, local))
    spans = []
    for field, (low, high) in sorted(
        bounds.items(), key=lambda item: item[0] != "title"
    ):
        field_text = text.field_text(field)
        end = _past_marks(field_text, high + 1)
        spans.append(Span(field=field, start=low, end=end, text=field_text[low:end]))
    return tuple(spans)


def _past_marks(text: str, end: int) -> int:
    """``end`` moved past the combining and enclosing marks on its character.

    Folding deletes marks, so a hit ends at the base character: ``党̷徽̷``
    would highlight ``党̷徽`` and ``党徽⃝`` ``党徽``; the marks belong to it.
    """
    while end < len(text) and unicodedata.category(text[end]) in _MARKS:
        end += 1
    return end


def _without_collapsed_duplicates(hits: list[_TermHit]) -> list[_TermHit]:
    """Keep a collapsed-view hit only where the plain view found nothing of it."""
    plain = [hit for hit in hits if not hit.collapsed]
    places = _Places(plain)
    extra = [hit for hit in hits if hit.collapsed and not places.overlaps(hit)]
    return plain + extra


class _Places:
    """Where the plain view found each term, for overlap look-ups in log time.

    Per (term, area) the intervals are sorted by start with a running
    maximum of their ends: an interval ``[low, high)`` overlaps one of them
    exactly when some interval starting before ``high`` ends after ``low``.
    """

    def __init__(self, hits: Iterable[_TermHit]) -> None:
        spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for hit in hits:
            for area, low, high in hit.intervals:
                spans.setdefault((hit.term.canonical, area), []).append((low, high))
        self._starts: dict[tuple[str, int], list[int]] = {}
        self._reach: dict[tuple[str, int], list[int]] = {}
        for key, intervals in spans.items():
            intervals.sort()
            self._starts[key] = [low for low, _ in intervals]
            self._reach[key] = list(
                itertools.accumulate((high for _, high in intervals), max)
            )

    def overlaps(self, hit: _TermHit) -> bool:
        for area, low, high in hit.intervals:
            key = (hit.term.canonical, area)
            before = bisect_left(self._starts.get(key, []), high)
            if before and self._reach[key][before - 1] > low:
                return True
        return False


def _split_hits(
    hits: list[_Hit], whole: list[_TermHit], text: ListingText
) -> list[_TermHit]:
    """Terms found from their declared parts, wherever the parts stand."""
    found = {hit.term.canonical for hit in whole}
    pieces: dict[str, dict[int, _Hit]] = {}
    for hit in hits:
        term = hit.entry.term
        if (
            hit.entry.role == "part"
            and term is not None
            and term.canonical not in found
        ):
            pieces.setdefault(term.canonical, {}).setdefault(hit.entry.part_index, hit)
    split = []
    for by_index in pieces.values():
        first = next(iter(by_index.values()))
        assert first.entry.term is not None
        if len(by_index) == len(first.entry.term.parts):
            split.append(_joined_parts(first.entry.term, by_index, text))
    return split


def _joined_parts(term: Term, by_index: dict[int, _Hit], text: ListingText) -> _TermHit:
    ordered = [by_index[index] for index in sorted(by_index)]
    return _TermHit(
        term=term,
        variant="+".join(hit.entry.variant for hit in ordered),
        variant_kind="split",
        intervals=tuple(hit.interval for hit in ordered),
        spans=tuple(span for hit in ordered for span in _spans(hit, text)),
        collapsed=any(hit.view.collapsed for hit in ordered),
    )


def _longest(hits: list[_TermHit]) -> list[_TermHit]:
    """Drop hits that lie inside a longer hit (``建党`` in ``建党100周年``).

    One sweep over the single-interval hits sorted by area, start and
    longest first: a hit lies inside a longer one exactly when an earlier,
    different interval of its area reaches at least as far. Hits joined
    from parts (a few, one per term at most) are compared pairwise.
    """
    single = [hit for hit in hits if len(hit.intervals) == 1]
    joined = [hit for hit in hits if len(hit.intervals) > 1]
    inside = _inside_sweep(single)
    inside |= {
        id(hit)
        for hit in hits
        for other in joined
        if other is not hit and _inside(hit, other)
    }
    inside |= {id(hit) for hit in joined for other in single if _inside(hit, other)}
    return [hit for hit in hits if id(hit) not in inside]


def _inside_sweep(hits: list[_TermHit]) -> set[int]:
    inside: set[int] = set()
    ordered = sorted(hits, key=lambda hit: _sweep_key(hit.intervals[0]))
    area, reach = -1, -1
    for interval, group in itertools.groupby(ordered, key=lambda h: h.intervals[0]):
        if interval[0] != area:
            area, reach = interval[0], -1
        if reach >= interval[2]:
            inside.update(id(hit) for hit in group)
        reach = max(reach, interval[2])
    return inside


def _sweep_key(interval: tuple[int, int, int]) -> tuple[int, int, int]:
    area, low, high = interval
    return area, low, -high


def _inside(hit: _TermHit, other: _TermHit) -> bool:
    if other.size <= hit.size:
        return False
    return all(
        any(a[0] == b[0] and b[1] <= a[1] and a[2] <= b[2] for b in other.intervals)
        for a in hit.intervals
    )


def _capped(
    hits: list[_TermHit],
) -> tuple[list[_TermHit], tuple[tuple[str, int], ...]]:
    """At most ``MAX_MATCHES_PER_TERM`` hits per term, in reading order.

    The listed ones are the strongest (a plain form before a homophone or
    initials), so capping changes no weight: every term's best form and
    every tag stay. The rest are only counted.
    """
    by_term: dict[str, list[_TermHit]] = {}
    for hit in hits:
        by_term.setdefault(hit.term.canonical, []).append(hit)
    kept: set[int] = set()
    totals = []
    for canonical, same in by_term.items():
        strongest = sorted(same, key=lambda hit: hit.hint)[:MAX_MATCHES_PER_TERM]
        if len(same) > MAX_MATCHES_PER_TERM:
            totals.append((canonical, len(same)))
        kept.update(id(hit) for hit in strongest)
    return [hit for hit in hits if id(hit) in kept], tuple(totals)


def _found_term(hit: _TermHit) -> FoundTerm:
    match = Match(
        term=hit.term.canonical,
        variant=hit.variant,
        variant_kind=hit.variant_kind,
        kinds=hit.term.kinds,
        spans=hit.spans,
        evasions=_evasions(hit),
    )
    return FoundTerm(
        match,
        hit.term,
        hit.variant_kind in UNCERTAIN_VARIANTS,
        initials=_is_initials(hit),
    )


def _is_initials(hit: _TermHit) -> bool:
    """Whether a pinyin form is a leading letter pair before a short rest.

    EVAL.md G6: JD before 百年 or 100周年 is 建党 only with a medal, coin or
    souvenir beside it, since JD is also a retailer's tag
    (``【JD】百年老字号``). Such forms start with two latin letters and keep
    at most ``MAX_INITIALS_REST`` CJK characters (``jd百年``,
    ``jd100周年``). A letter inside the term (``建d百年``, ``庆祝建G100周年``)
    or a spelt syllable (``jiandang百年``) is a seller's evasion and counts,
    unless a guard word shows its first or last character belongs to a
    neighbour (搭建d百年, G5): then it is initials too.
    """
    if hit.edge_guarded:
        return True
    if hit.variant_kind != "pinyin":
        return False
    lead = _LATIN_RUN.match(hit.variant)
    if lead is None or len(lead.group()) != INITIALS_PAIR:
        return False
    rest = sum(1 for char in hit.variant if not char.isascii())
    return rest <= MAX_INITIALS_REST


def _contexts(hits: Iterable[_Hit], text: ListingText) -> tuple[ContextHit, ...]:
    seen: dict[tuple[str, str], ContextHit] = {}
    for hit in hits:
        if hit.entry.role == "context":
            key = (hit.entry.tag, hit.entry.key)
            if key not in seen:
                seen[key] = ContextHit(
                    hit.entry.tag, hit.entry.variant, _spans(hit, text)[0]
                )
    return tuple(seen.values())


def _evasions(hit: _TermHit) -> tuple[str, ...]:
    """The evasion kinds (EVAL.md names) visible in a hit's characters."""
    found: list[str] = []
    if hit.variant_kind in ("pinyin", "pinyin_short"):
        found.append("pinyin_initials")
    if hit.variant_kind == "homophone":
        found.append("homophone")
    if hit.collapsed:
        found.append("repeated_chars")
    if hit.variant_kind == "split" or len({span.field for span in hit.spans}) > 1:
        found.append("split_fields")
    canonical = set(hit.term.canonical)
    for span in hit.spans:
        found.extend(_char_evasion(char, canonical) for char in span.text)
    return tuple(kind for kind in dict.fromkeys(found) if kind)


def _char_evasion(char: str, canonical: set[str]) -> str:
    for evasion, test in _CHAR_EVASIONS:
        if test(char, canonical):
            return evasion
    return ""


def _is_numeral_variant(char: str, canonical: set[str]) -> bool:
    if char in canonical or char.isascii():
        return False
    return unicodedata.numeric(char, None) is not None


# First test that holds names the evasion; order matters (an emoji is
# also a deleted symbol, so emoji is tested first).
_CHAR_EVASIONS: tuple[tuple[str, Callable[[str, set[str]], bool]], ...] = (
    ("zero_width", lambda char, _: unicodedata.category(char) == "Cf"),
    (
        "emoji",
        lambda char, _: unicodedata.category(char) == "So" and ord(char) >= 0x2600,
    ),
    ("noise_symbols", lambda char, _: is_deleted(char)),
    ("fullwidth", lambda char, _: 0xFF01 <= ord(char) <= 0xFF5E),
    ("traditional", lambda char, _: char in traditional_to_simplified()),
    ("numeral_variants", _is_numeral_variant),
)
