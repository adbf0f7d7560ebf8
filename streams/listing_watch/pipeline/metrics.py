"""Prometheus metrics of a screening worker.

Names follow Prometheus conventions: one ``listing_watch_`` prefix,
counters end in ``_total``, durations are histograms in seconds. Labels
are low-cardinality (partition, reason, risk, stage), never a listing id
or a term. Each worker has its own registry, served on ``/metrics``.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

PREFIX: Final = "listing_watch"

# Bulk and publish latencies span a healthy 5 ms to a struggling 30 s.
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class WorkerMetrics:
    """Every metric the worker exports, on a private registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.consumed = Counter(
            f"{PREFIX}_events_consumed_total",
            "Events taken from the listings topic.",
            ["partition"],
            registry=registry,
        )
        self.screened = Counter(
            f"{PREFIX}_listings_screened_total",
            "Listings decoded, validated and screened.",
            registry=registry,
        )
        self.matched = Counter(
            f"{PREFIX}_listings_matched_total",
            "Screened listings that matched any library term, alerting or not.",
            registry=registry,
        )
        self.alerts = Counter(
            f"{PREFIX}_alerts_total",
            "Alerts published and indexed, by risk.",
            ["risk"],
            registry=registry,
        )
        self.alerts_suppressed = Counter(
            f"{PREFIX}_alerts_suppressed_total",
            "Alerts not raised: the listing was dismissed, its verdict is no worse.",
            registry=registry,
        )
        self.dead_letters = Counter(
            f"{PREFIX}_dead_letters_total",
            "Records sent to the dead-letter topic, by reason.",
            ["reason"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            f"{PREFIX}_batch_seconds",
            "Time from taking a batch to acknowledging its events.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.send_seconds = Histogram(
            f"{PREFIX}_send_seconds",
            "Time from taking a batch to handing its alerts to the producer "
            "(screening and lead lookups): what the worker adds to an alert's "
            "latency.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.batches_in_flight = Gauge(
            f"{PREFIX}_batches_in_flight",
            "Batches sent and waiting to be settled; at the limit "
            "(LW_BATCHES_IN_FLIGHT) the worker takes no new events.",
            registry=registry,
        )
        self.delivery_seconds = Histogram(
            f"{PREFIX}_delivery_seconds",
            "Time from sending a batch's records until the broker and "
            "Elasticsearch acknowledged all its effects.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.index_retries = Counter(
            f"{PREFIX}_index_retries_total",
            "Bulk requests retried after 429, 5xx or a connection error.",
            registry=registry,
        )
        self.index_rejections = Counter(
            f"{PREFIX}_index_rejections_total",
            "Documents Elasticsearch refused for their content.",
            registry=registry,
        )
        self.delivery_blocked = Gauge(
            f"{PREFIX}_delivery_blocked",
            "1 while lead lookups or bulks wait for Elasticsearch to recover; "
            "once LW_BATCHES_IN_FLIGHT batches wait, no new events are taken.",
            registry=registry,
        )
        self.consumer_lag = Gauge(
            f"{PREFIX}_consumer_lag",
            "End offset minus committed offset, per assigned partition.",
            ["partition"],
            registry=registry,
        )
        self.assigned_partitions = Gauge(
            f"{PREFIX}_assigned_partitions",
            "Partitions of the listings topic assigned to this worker.",
            registry=registry,
        )
        self.library_info = Gauge(
            f"{PREFIX}_library_info",
            "The keyword library version in force (value is always 1).",
            ["version"],
            registry=registry,
        )

    def set_library_version(self, version: str) -> None:
        self.library_info.clear()
        self.library_info.labels(version=version).set(1)
