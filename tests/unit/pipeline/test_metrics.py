"""Metric names follow Prometheus conventions and the alert rules use them."""

from __future__ import annotations

import re
from pathlib import Path

from listing_watch.pipeline.metrics import PREFIX, WorkerMetrics

RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "alerts.yml"


def exported_names() -> set[str]:
    """Names as scraped: counters gain ``_total``, histograms their series."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names = set()
    for family in WorkerMetrics().registry.collect():
        for suffix in suffixes.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def test_every_metric_has_the_prefix_and_durations_are_in_seconds() -> None:
    for family in WorkerMetrics().registry.collect():
        assert family.name.startswith(f"{PREFIX}_")
        if family.type == "histogram":
            assert family.name.endswith("_seconds")


def test_alert_rules_name_only_metrics_the_worker_exports() -> None:
    used = set(re.findall(r"listing_watch_[a-z_]+", RULES.read_text()))

    assert used, "the rules file names no metric"
    assert used <= exported_names()


def test_library_version_is_exported_as_an_info_gauge() -> None:
    metrics = WorkerMetrics()
    metrics.set_library_version("3+abc")
    metrics.set_library_version("4+def")

    versions = {
        sample.labels["version"]
        for family in metrics.registry.collect()
        if family.name == f"{PREFIX}_library_info"
        for sample in family.samples
    }
    assert versions == {"4+def"}
