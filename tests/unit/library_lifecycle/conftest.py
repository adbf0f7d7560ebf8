"""A small library bundle to publish, diff and compile in memory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listing_watch.library.bundle import LibraryBundle

TERMS = """\
@kind medals_commemoratives
@source test
七一勋章   weight=0.95  firm=yes  tags=medal
纪念章     weight=0.15  tags=medal
"""

RULES = (
    "rule medal_sale name=销售纪念章 when=medal level=medium "
    "kinds=medals_commemoratives\n"
)


@pytest.fixture
def make_bundle() -> Callable[..., LibraryBundle]:
    """A bundle; ``extra_terms`` lines are appended to the term file."""

    def make_bundle(
        *, number: int = 1, extra_terms: str = "", rules: str = RULES
    ) -> LibraryBundle:
        return LibraryBundle(
            {
                "VERSION": f"{number}\n",
                "terms/01-test.terms": TERMS + extra_terms,
                "rules.txt": rules,
            }
        )

    return make_bundle
