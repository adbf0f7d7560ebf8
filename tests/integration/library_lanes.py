"""Helpers for library lifecycle tests on a lane (``lanes.py``).

The lane's environment already names a private library topic, audit topic
and audit index (``provision.isolated_names``): workers and CLI runs of
the test see only those.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Producer

from listing_watch.library.bundle import LibraryBundle, read_bundle
from listing_watch.library.publish import prepare
from listing_watch.library.versions import PublishedVersion, in_force
from listing_watch.pipeline.library_settings import (
    LibrarySettings,
    load_library_settings,
)
from listing_watch.pipeline.library_topic import publish_version, read_versions
from tests.integration.lanes import REPO, Lane, listing_event, wait_for

KEYWORDS = REPO / "keywords"

# A term the real library does not know: alone in a title, it alerts only
# once a version adds it (checked against the real library by the tests).
NEW_TERM = "澜沧江金箔画"
NEW_TERM_LINE = f"\n{NEW_TERM}  weight=0.9  kind=celebration_marketing  source=test\n"


@dataclass
class LibraryLane:
    """The pipeline lane plus this test's library settings and helpers."""

    lane: Lane
    library: LibrarySettings
    tmp: Path

    def keywords_with(self, extra_terms: str, name: str = "keywords") -> Path:
        """A copy of the real library with ``extra_terms`` appended."""
        root = self.tmp / name
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(KEYWORDS, root)
        with (root / "terms" / "02-focus.terms").open("a", encoding="utf-8") as f:
            f.write(extra_terms)
        return root

    def publish(self, root: Path, *, author: str = "tester") -> str:
        """``library publish`` through the command line; the new version."""
        out = self.lane.run_cli(
            "library", "publish", "--keywords", str(root), "--author", author
        )
        found = re.search(r"version=(\S+)", out)
        assert found, out
        return found.group(1)

    def publish_bundle(self, bundle: LibraryBundle, *, note: str = "") -> str:
        """Publish in-process (fast, for many versions)."""
        settings = self.lane.settings
        current = self.in_force()
        candidate = prepare(
            bundle, current=current, author="tester", note=note, now=datetime.now(UTC)
        )
        offset = publish_version(settings, self.library, candidate.version)
        self._last = replace(candidate.version, offset=offset)
        return candidate.version.version

    def in_force(self) -> PublishedVersion | None:
        last = getattr(self, "_last", None)
        if last is not None:
            return last
        return in_force(read_versions(self.lane.settings, self.library))

    def versions(self) -> list[PublishedVersion]:
        return read_versions(self.lane.settings, self.library)

    def produce_to(self, records: list[tuple[int, str, bytes]]) -> None:
        """Produce ``(partition, key, value)`` records to the listings topic."""
        producer = Producer({**self.lane.settings.kafka, "enable.idempotence": True})
        for partition, key, value in records:
            producer.produce(
                self.lane.settings.topics.listings,
                key=key.encode(),
                value=value,
                partition=partition,
            )
        assert producer.flush(30) == 0

    def wait_for_swap(
        self, version: str, *, workers: int = 1, timeout_s: float = 30
    ) -> float:
        """Seconds until every worker's log shows it swapped to ``version``."""
        started = time.monotonic()
        needle = f'"event":"library_swapped","library_version":"{version}"'

        def swapped() -> bool:
            return all(
                needle in self.lane.worker_log(index) for index in range(workers)
            )

        wait_for(swapped, timeout_s=timeout_s, what=f"swap to {version}", every_s=0.02)
        return time.monotonic() - started


def base_bundle() -> LibraryBundle:
    return read_bundle(KEYWORDS)


def plain_event(listing_id: str, title: str = "家用取暖器 小太阳") -> bytes:
    return listing_event(listing_id, title)


@pytest.fixture
def library_lane(lane: Lane, tmp_path: Path) -> LibraryLane:
    """The lane, with its library settings (``provision`` creates and drops
    the library and audit topics and the audit index with the lane)."""
    library = load_library_settings(lane.env)
    return LibraryLane(lane=lane, library=library, tmp=tmp_path)
