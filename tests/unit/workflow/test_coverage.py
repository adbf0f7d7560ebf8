"""Coverage documents: per day and region, idempotent, no write per listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from listing_watch.listing import Listing
from listing_watch.workflow.coverage import CoverageBatch
from listing_watch.workflow.settings import WorkflowSettings

SETTINGS = WorkflowSettings(unit="420000")


@dataclass(frozen=True)
class FakeVerdict:
    matches: tuple[object, ...]


HIT = FakeVerdict(("纪念章",))
NONE = FakeVerdict(())


def listing(listing_id: str, **fields: Any) -> Listing:
    values: dict[str, Any] = {
        "event_id": f"ev-{listing_id}",
        "platform": "testmall",
        "listing_id": listing_id,
        "title": "测试商品",
        "observed_at": datetime.fromisoformat("2021-06-25T10:00:00+08:00"),
        "shop_id": "s1",
        "seller_region": "420102",
    }
    values.update(fields)
    return Listing(**values)


def batch_of(*pairs: tuple[Listing, FakeVerdict]) -> CoverageBatch:
    batch = CoverageBatch(SETTINGS)
    for item, verdict in pairs:
        batch.add(item, verdict)
    return batch


def test_one_document_per_day_and_region_not_per_listing() -> None:
    batch = batch_of(*((listing(str(n)), NONE) for n in range(50)))

    documents = batch.to_documents()

    assert len(documents) == 1
    assert documents[0].document["pairs"] == ["testmall:s1"]
    assert documents[0].document["screened"] == 50


def test_matched_listing_counts_even_when_the_verdict_is_none() -> None:
    document = batch_of((listing("1"), HIT), (listing("2"), NONE)).to_documents()[0]

    assert document.document["matched"] == ["testmall:1"]


def test_day_is_the_shanghai_day_of_observation() -> None:
    late = listing("1", observed_at=datetime.fromisoformat("2021-06-30T16:30:00+00:00"))

    assert batch_of((late, NONE)).to_documents()[0].document["day"] == "2021-07-01"


def test_same_batch_again_gives_the_same_ids() -> None:
    pairs = [(listing("1"), HIT), (listing("2", seller_region="330106"), NONE)]

    first = [d.doc_id for d in batch_of(*pairs).to_documents()]
    again = [d.doc_id for d in batch_of(*reversed(pairs)).to_documents()]

    assert first == again
    assert len(first) == 2


def test_document_carries_the_units_covering_its_region() -> None:
    document = batch_of((listing("1"), NONE)).to_documents()[0].document

    assert document["units"] == ["420000", "420100", "420102"]
