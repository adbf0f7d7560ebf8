"""Which events of a settled batch are acknowledged after a rebalance."""

from __future__ import annotations

from dataclasses import dataclass

from listing_watch.pipeline.worker import split_by_generation


@dataclass(frozen=True)
class Message:
    tp: tuple[str, int]
    offset: int
    generation_id: int | None


@dataclass(frozen=True)
class Event:
    message: Message


def _events(*specs: tuple[int, int, int | None]) -> list[Event]:
    return [
        Event(Message(("listings", partition), offset, generation))
        for partition, offset, generation in specs
    ]


def test_events_of_this_generation_on_owned_partitions_are_acknowledged_in_order() -> (
    None
):
    events = _events((0, 10, 7), (0, 11, 7), (1, 3, 7))
    current, stale = split_by_generation(
        events, generation=7, assigned={("listings", 0), ("listings", 1)}
    )
    assert current == events
    assert stale == []


def test_events_fetched_before_a_rebalance_are_left_to_be_consumed_again() -> None:
    events = _events((0, 10, 6), (0, 11, 6), (0, 12, 7))
    current, stale = split_by_generation(
        events, generation=7, assigned={("listings", 0)}
    )
    assert [e.message.offset for e in current] == [12]
    assert [e.message.offset for e in stale] == [10, 11]


def test_events_of_a_partition_no_longer_owned_are_not_acknowledged() -> None:
    events = _events((0, 10, 7), (2, 5, 7))
    current, stale = split_by_generation(
        events, generation=7, assigned={("listings", 0)}
    )
    assert [e.message.tp for e in current] == [("listings", 0)]
    assert [e.message.tp for e in stale] == [("listings", 2)]


def test_an_event_without_a_generation_is_treated_as_stale() -> None:
    events = _events((0, 10, None))
    current, stale = split_by_generation(
        events, generation=7, assigned={("listings", 0)}
    )
    assert (current, stale) == ([], events)
