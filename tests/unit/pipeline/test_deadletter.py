"""Dead-letter records keep the original bytes and say why (conventions.md)."""

from __future__ import annotations

from listing_watch.pipeline.deadletter import dead_letter, header_map
from listing_watch.pipeline.records import SourceRecord


def test_dead_letter_keeps_original_bytes_and_context_headers() -> None:
    record = SourceRecord(
        topic="listings.new", partition=2, offset=41, key=b"\xff\x00", value=b'{"ti'
    )

    letter = dead_letter(
        record,
        stage="decode",
        reason="decode_error",
        error_class="EventError",
        message="unexpected end of data",
    )

    assert (letter.key, letter.value) == (b"\xff\x00", b'{"ti')
    assert header_map(list(letter.headers)) == {
        "topic": "listings.new",
        "partition": "2",
        "offset": "41",
        "stage": "decode",
        "reason": "decode_error",
        "exception.class": "EventError",
        "exception.message": "unexpected end of data",
    }


def test_header_map_ignores_foreign_headers() -> None:
    headers = [("traceparent", b"00-abc"), ("lw.dlq.reason", b"schema_error")]

    assert header_map(headers) == {"reason": "schema_error"}


def test_record_position_reads_like_kafka_tools() -> None:
    record = SourceRecord(topic="t", partition=0, offset=7, key=None, value=b"")

    assert record.position == "t[0]@7"
