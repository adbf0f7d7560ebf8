"""Secrets in the settings never reach a log line, a repr or ``describe()``.

The settings come from the environment exactly as in production; the
worker's ``worker_starting`` line is rendered by the real JSON formatter
with Faust's worker replaced by a stub, so nothing connects anywhere.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

import pytest

from listing_watch.config import Settings, load_settings
from listing_watch.library import load_library
from listing_watch.logs import JsonFormatter
from listing_watch.pipeline import worker

KEYWORDS: Final = Path(__file__).resolve().parents[2] / "keywords"

SASL_PASSWORD: Final = "sasl-Pa55word-7f3a"
ES_PASSWORD: Final = "es-Pa55word-91c2"
ES_API_KEY: Final = (
    "es-ApiKey-VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw"
)
SECRETS: Final = (SASL_PASSWORD, ES_PASSWORD, ES_API_KEY)

SECURED_ENV: Final = {
    "LW_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9094",
    "LW_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "LW_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "LW_KAFKA_SASL_USERNAME": "listing-watch",
    "LW_KAFKA_SASL_PASSWORD": SASL_PASSWORD,
    "LW_ES_URL": "https://127.0.0.1:9200",
    "LW_ES_USERNAME": "listing-watch",
    "LW_ES_PASSWORD": ES_PASSWORD,
    "LW_ES_API_KEY": ES_API_KEY,
}


@pytest.fixture
def secured() -> Settings:
    return load_settings(SECURED_ENV)


def test_settings_read_every_secret_from_the_environment(secured: Settings) -> None:
    assert secured.kafka["sasl.password"] == SASL_PASSWORD
    assert secured.search.password == ES_PASSWORD
    assert secured.search.api_key == ES_API_KEY


def test_describe_masks_every_secret(secured: Settings) -> None:
    described = str(secured.describe())

    assert not [secret for secret in SECRETS if secret in described]
    assert secured.describe()["kafka"]["sasl.password"] == "***"  # type: ignore[index]


def test_repr_of_settings_and_search_settings_masks_every_secret(
    secured: Settings,
) -> None:
    shown = repr(secured) + repr(secured.search) + str(secured)

    assert not [secret for secret in SECRETS if secret in shown]


def test_worker_starting_line_names_the_settings_without_secrets(
    secured: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LW_LIBRARY_FOLLOW", "off")
    monkeypatch.setattr("faust.Worker", _StubWorker)

    with caplog.at_level(logging.INFO, logger=worker.logger.name):
        worker.run_worker(secured, load_library(KEYWORDS), loglevel="INFO")

    lines = [JsonFormatter().format(r) for r in caplog.records]
    starting = [line for line in lines if '"event":"worker_starting"' in line]
    assert len(starting) == 1
    assert '"sasl.username":"listing-watch"' in starting[0]
    assert not [secret for line in lines for secret in SECRETS if secret in line]


class _StubWorker:
    """Stands in for ``faust.Worker``: the process would connect and block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def execute_from_commandline(self) -> None:
        pass
