"""The audit index takes every field a version's audit event carries."""

from __future__ import annotations

from dataclasses import fields

from listing_watch.library.diff import LibraryDiff
from listing_watch.search.index import load_template


def test_every_diff_field_is_mapped_in_the_strict_audit_template() -> None:
    template = load_template("library-audit-index-template.json")
    mappings = template["template"]["mappings"]
    library = mappings["properties"]["library"]["properties"]

    assert mappings["dynamic"] == "strict"
    assert {f.name for f in fields(LibraryDiff)} <= set(library)
