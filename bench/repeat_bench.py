"""Time one screen of a description repeating one term n times.

A benchmark, not a test: it prints one line per n. Before the sweep in
``matcher._longest`` this grew with n squared (138 s at n = 16,000).

    taskset -c 0 .venv/bin/python bench/repeat_bench.py
"""

from __future__ import annotations

import time

from listing_watch.library import load_library
from listing_watch.screening import ListingText, screen

SIZES = (1_000, 8_000, 16_000)


def main() -> None:
    library = load_library()
    for size in SIZES:
        text = ListingText(title="x", description="党徽" * size, category="")
        started = time.perf_counter()
        verdict = screen(text, library)
        elapsed = time.perf_counter() - started
        print(
            f"党徽 x {size:>6,}: {elapsed * 1000:8.1f} ms  risk={verdict.risk} "
            f"matches={len(verdict.matches)} reasons={len(verdict.reasons)}"
        )


if __name__ == "__main__":
    main()
