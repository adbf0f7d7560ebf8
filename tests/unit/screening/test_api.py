"""The public API of the screening core is a tested list."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from listing_watch import screening
from listing_watch.listing import Listing
from listing_watch.screening import CompiledLibrary, ListingText, screen, screen_many


def test_exported_names_are_the_documented_ones() -> None:
    assert sorted(screening.__all__) == sorted(
        [
            "VIOLATION_KINDS",
            "CompiledLibrary",
            "Field",
            "ListingText",
            "Match",
            "Reason",
            "Risk",
            "Span",
            "Verdict",
            "ViolationKind",
            "screen",
            "screen_many",
        ]
    )


def test_batch_and_single_screens_agree(library: CompiledLibrary) -> None:
    texts = [
        ListingText(title="普通 保温杯"),
        ListingText(title="建党百年纪念章"),
        ListingText(title="JD自营\x00 纸巾", description="\x01"),
        ListingText(title="特供", category="茶 > 普洱"),
    ]

    assert screen_many(texts, library) == [screen(text, library) for text in texts]


def test_listing_text_reads_only_listing_fields() -> None:
    listing = Listing(
        event_id="e1",
        platform="jd",
        listing_id="1",
        title="党徽胸针",
        description="纯铜",
        category="饰品",
        observed_at=datetime(2021, 6, 30, tzinfo=UTC),
        platform_type="b2c",
    )

    text = ListingText.from_listing(listing)

    assert (text.title, text.description, text.category) == ("党徽胸针", "纯铜", "饰品")


def test_verdict_dict_is_json_ready_with_version(library: CompiledLibrary) -> None:
    verdict = screen(ListingText(title="军队特供 酒"), library)

    document = orjson.loads(orjson.dumps(verdict.to_dict()))

    assert document["risk"] == "high"
    assert document["library_version"] == library.version
    assert document["matches"][0]["spans"][0]["text"] == "军队特供"
    assert document["reasons"][0]["rule"]
