"""Faust's Kafka transport with an idempotent producer.

Faust enables producer idempotence only inside transactions
(``processing_guarantee="exactly_once"``); with at-least-once processing
its aiokafka producer may write a retried batch twice. This transport,
registered under the URL scheme ``lwkafka://`` through Faust's
``faust.transports`` entry point (see pyproject.toml), turns idempotence
on always, so a broker-side retry never duplicates an alert or a dead
letter. Duplicates from a *restarted* worker are another matter: see the
README's known limitations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as aiokafka_driver


class IdempotentProducer(aiokafka_driver.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        return {
            **super()._settings_extra(),
            "acks": "all",
            "enable_idempotence": True,
        }


class Transport(aiokafka_driver.Transport):
    Producer = IdempotentProducer
