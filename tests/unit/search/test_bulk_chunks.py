"""Bulk requests are cut by size, keeping every document once and in order."""

from __future__ import annotations

from listing_watch.search.bulk import IndexRequest, _chunks_by_size


def request(n: int, padding: int) -> IndexRequest:
    return IndexRequest(index="i", doc_id=f"d{n}", document={"pad": "x" * padding})


def test_chunks_stay_under_the_limit_and_keep_order() -> None:
    requests = [request(n, 300) for n in range(20)]

    chunks = list(_chunks_by_size(requests, limit=requests[0].size() * 3))

    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 3, 3, 3, 2]
    assert [r.doc_id for chunk in chunks for r in chunk] == [r.doc_id for r in requests]


def test_a_document_larger_than_the_limit_travels_alone() -> None:
    requests = [request(0, 10), request(1, 5000), request(2, 10)]

    chunks = list(_chunks_by_size(requests, limit=1000))

    assert [[r.doc_id for r in chunk] for chunk in chunks] == [["d0"], ["d1"], ["d2"]]


def test_upsert_merges_instead_of_replacing() -> None:
    action, body = IndexRequest(
        index="alerts", doc_id="a1", document={"risk": "high"}, upsert=True
    ).operation()

    assert action == {"update": {"_index": "alerts", "_id": "a1"}}
    assert body == {"doc": {"risk": "high"}, "doc_as_upsert": True}
