"""Screening benchmark: throughput, a 1 MB description, a 100,000-term build.

Run on one core from the repository root::

    taskset -c 0 .venv/bin/python bench/screening_bench.py [--data ../shared/data]

Prints listings per second for the full screen (``screen_many``), for a
bare pyahocorasick scan of the raw text with the same terms, and for
matcher-py with the same terms under its VARIANT_NORM_DELETE_NORMALIZE and
ROMANIZE process types, with ratios; the time to screen one listing with a
1 MB description; and the build time and peak traced memory of a library
of 100,000 generated terms. Figures are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

# matcher-py parallelises batches with rayon; one thread keeps it on one core.
os.environ.setdefault("RAYON_NUM_THREADS", "1")

import ahocorasick
import matcher_py
import orjson

from listing_watch.library import load_library
from listing_watch.screening import CompiledLibrary, ListingText, screen_many

REPO = Path(__file__).resolve().parents[1]
BATCH = 20_000
ROUNDS = 3
GENERATED_TERMS = 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    texts = load_listings(args.data)
    library = load_library(REPO / "keywords")
    terms = library_terms(library)
    print(f"listings={len(texts)} terms={len(terms)} keys={library.key_count}")

    full = rate(texts, lambda batch: screen_many(batch, library))
    bare = rate(texts, bare_scan(terms))
    report("full screen (screen_many)", full, full)
    report("bare pyahocorasick, raw text", full, bare)
    for name in ("VARIANT_NORM_DELETE_NORMALIZE", "ROMANIZE"):
        other = rate(texts, matcher_scan(terms, getattr(matcher_py.ProcessType, name)))
        report(f"matcher-py {name}", full, other)
    one_megabyte(library, texts)
    large_build()


def report(name: str, full: float, other: float) -> None:
    ratio = full / other
    print(f"{name:<41} {other:>10,.0f} listings/s  full/this {ratio:.2f}")


def load_listings(data: Path) -> list[ListingText]:
    texts = []
    for path in sorted(data.glob("listings-*.jsonl.gz")):
        with gzip.open(path, "rb") as stream:
            texts += [ListingText.from_record(orjson.loads(line)) for line in stream]
    return texts


def library_terms(library: CompiledLibrary) -> list[str]:
    return [term.canonical for term in library.terms]


def rate(
    texts: Sequence[ListingText], run: Callable[[Sequence[ListingText]], object]
) -> float:
    """Best of ``ROUNDS`` passes over all listings, in batches."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for index in range(0, len(texts), BATCH):
            run(texts[index : index + BATCH])
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def bare_scan(terms: Sequence[str]) -> Callable[[Sequence[ListingText]], object]:
    automaton = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        automaton.add_word(term, index)
    automaton.make_automaton()

    def run(batch: Sequence[ListingText]) -> object:
        return [list(automaton.iter(t.title + t.description)) for t in batch]

    return run


def matcher_scan(
    terms: Sequence[str], process_type: int
) -> Callable[[Sequence[ListingText]], object]:
    builder = matcher_py.SimpleMatcherBuilder()
    for index, term in enumerate(terms):
        builder.add_word(process_type, index + 1, term)
    matcher = builder.build()

    def run(batch: Sequence[ListingText]) -> object:
        return matcher.batch_process([t.title + t.description for t in batch])

    return run


def one_megabyte(library: CompiledLibrary, texts: Sequence[ListingText]) -> None:
    filler = "".join(t.title for t in texts)
    description = (filler * (1 + 1_000_000 // len(filler)))[:1_000_000]
    for hit in ("建党百年纪念章", "中国旗袍", "军队\u200b特供"):
        position = random.Random(hit).randrange(len(description))
        description = description[:position] + hit + description[position:]
    text = ListingText(title="旧书一批", description=description)
    start = time.perf_counter()
    verdict = screen_many([text], library)[0]
    elapsed = time.perf_counter() - start
    print(
        f"1 MB description: {elapsed * 1000:.0f} ms, {len(verdict.matches)} matches,"
        f" risk={verdict.risk}"
    )


def large_build() -> None:
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
    rng = random.Random(2021)
    terms = {
        "".join(rng.choices(alphabet, k=rng.randint(3, 6)))
        for _ in range(GENERATED_TERMS * 2)
    }
    chosen = sorted(terms)[:GENERATED_TERMS]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "terms").mkdir()
        (root / "VERSION").write_text("1\n", encoding="utf-8")
        lines = [f"{term} weight=0.5" for term in chosen]
        body = "@kind celebration_marketing\n@source generated\n" + "\n".join(lines)
        (root / "terms" / "generated.terms").write_text(body, encoding="utf-8")
        start = time.perf_counter()
        library = load_library(root)
        elapsed = time.perf_counter() - start
        # A second build under tracemalloc: tracing slows allocation, so the
        # time above is measured without it.
        del library
        tracemalloc.start()
        library = load_library(root)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(
        f"100,000-term library: build {elapsed:.1f} s, peak traced memory"
        f" {peak / 2**20:.0f} MiB, {library.key_count:,} keys"
    )


if __name__ == "__main__":
    main()
