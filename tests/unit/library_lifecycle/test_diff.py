"""Diffs compare what the files mean, entry by entry."""

from __future__ import annotations

from collections.abc import Callable

from listing_watch.library.bundle import LibraryBundle, bundle_specs
from listing_watch.library.diff import LibraryDiff, diff_specs

MakeBundle = Callable[..., LibraryBundle]


def test_diff_lists_added_removed_and_changed_terms(make_bundle: MakeBundle) -> None:
    old = make_bundle(extra_terms="党徽 weight=0.5\n")
    terms = old.files["terms/01-test.terms"]
    edited = terms.replace("weight=0.15", "weight=0.3").replace("党徽", "党旗")
    new = LibraryBundle({**old.files, "terms/01-test.terms": edited})

    diff = diff_specs(bundle_specs(old), bundle_specs(new))

    assert diff.terms_added == ("党旗",)
    assert diff.terms_removed == ("党徽",)
    assert diff.terms_changed == ("纪念章",)
    assert list(diff.lines())[:3] == ["+ term 党旗", "- term 党徽", "~ term 纪念章"]


def test_crlf_and_number_change_nothing(make_bundle: MakeBundle) -> None:
    bundle = make_bundle()
    crlf = LibraryBundle(
        {
            path: text.replace("\n", "\r\n")
            for path, text in make_bundle(number=2).files.items()
        }
    )

    assert diff_specs(bundle_specs(bundle), bundle_specs(crlf)).empty


def test_removed_rule_is_listed(make_bundle: MakeBundle) -> None:
    diff = diff_specs(bundle_specs(make_bundle()), bundle_specs(make_bundle(rules="")))

    assert diff.rules_removed == ("medal_sale",)
    assert diff.may_raise_alerts


def test_diff_round_trips_as_a_dict() -> None:
    diff = LibraryDiff(terms_added=("党旗",), words_removed=("allow:电商专供",))

    assert LibraryDiff.from_dict(diff.to_dict()) == diff
