"""Settings: one frozen object, built once at start from the environment.

Kafka client settings use librdkafka's own names so a line copied from the
platform team's documentation works unchanged: every ``LW_KAFKA_*``
variable maps one to one, ``LW_KAFKA_SECURITY_PROTOCOL=SASL_SSL`` becomes
``security.protocol=SASL_SSL``. Command-line flags override the
environment where a command offers them.

Secrets (passwords, API keys) are never shown: ``repr`` masks them, and the
logs only ever print :meth:`Settings.describe`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

from listing_watch.errors import ConfigError

ENV_PREFIX: Final = "LW_"
KAFKA_ENV_PREFIX: Final = "LW_KAFKA_"
MASK: Final = "***"

# librdkafka keys whose values must never be printed.
SECRET_KAFKA_KEYS: Final = frozenset(
    {"sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem"}
)

DEFAULT_BOOTSTRAP: Final = "127.0.0.1:9092"
DEFAULT_ES_URL: Final = "http://127.0.0.1:9200"


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSettings:
    """Names and settings of the topics the project creates.

    Local defaults are small (one broker); production values are in the
    README: replication factor 3, ``min.insync.replicas`` 2, retention
    long enough for a replay and a retro-hunt (14 days or more).
    """

    listings: str = "listings.new"
    alerts: str = "listings.alerts"
    deadletter: str = "listings.deadletter"
    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1
    retention_ms: int = 14 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchSettings:
    """Where alerts are indexed; credentials come from the environment."""

    url: str = DEFAULT_ES_URL
    alerts_alias: str = "listing-watch-alerts"
    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    request_timeout_s: float = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """How the screening worker batches and where it listens."""

    group_id: str = "listing-watch-screen"
    batch_size: int = 500
    # The window is part of an alert's latency when traffic is light; under
    # load batches fill to batch_size long before it ends. Small batches
    # cost little because the next batch is screened while the previous
    # one's bulk is in flight (see batches_in_flight).
    batch_window_s: float = 0.005
    # Sent batches waiting for their acknowledgements; the bound on memory
    # (times batch_size) while Elasticsearch is slow or down.
    batches_in_flight: int = 4
    keywords_dir: Path = Path("keywords")
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    # Fault injection for delivery tests only (case P2); empty in production.
    # "exit_after_alert_send": the process exits the moment the first alert
    # is handed to the producer, before the broker can acknowledge it.
    fault: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    kafka: Mapping[str, str] = field(
        default_factory=lambda: {"bootstrap.servers": DEFAULT_BOOTSTRAP}
    )
    topics: TopicSettings = field(default_factory=TopicSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)

    def __repr__(self) -> str:
        return f"Settings({self.describe()!r})"

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka["bootstrap.servers"]

    def describe(self) -> dict[str, object]:
        """A loggable view of the settings with every secret masked."""
        kafka = {
            key: MASK if key in SECRET_KAFKA_KEYS else value
            for key, value in self.kafka.items()
        }
        search = {
            f.name: getattr(self.search, f.name) for f in fields(self.search) if f.repr
        }
        search["url"] = masked_url(self.search.url)
        search["credentials"] = _credential_kind(self.search)
        return {
            "kafka": kafka,
            "topics": self.topics,
            "search": search,
            "worker": self.worker,
        }

    def with_bootstrap(self, servers: str) -> Settings:
        return replace(self, kafka={**self.kafka, "bootstrap.servers": servers})


def masked_url(url: str) -> str:
    """The URL with any password in it replaced by ``***``.

    >>> masked_url("http://ops:s3cret@127.0.0.1:9200")
    'http://ops:***@127.0.0.1:9200'
    >>> masked_url("http://127.0.0.1:9200")
    'http://127.0.0.1:9200'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{MASK}@{host}"))


def _credential_kind(search: SearchSettings) -> str:
    if search.api_key:
        return "api_key"
    if search.username:
        return "basic"
    return "none"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``LW_*`` environment variables."""
    env = os.environ if environ is None else environ
    # Slotted dataclasses keep no class-level defaults: read them from
    # default instances.
    topic = TopicSettings()
    search = SearchSettings()
    worker = WorkerSettings()
    return Settings(
        kafka=_kafka_client_settings(env),
        topics=TopicSettings(
            listings=env.get("LW_TOPIC_LISTINGS", topic.listings),
            alerts=env.get("LW_TOPIC_ALERTS", topic.alerts),
            deadletter=env.get("LW_TOPIC_DEADLETTER", topic.deadletter),
            partitions=env_int(env, "LW_TOPIC_PARTITIONS", topic.partitions),
            replication_factor=env_int(
                env, "LW_TOPIC_REPLICATION_FACTOR", topic.replication_factor
            ),
            min_insync_replicas=env_int(
                env, "LW_TOPIC_MIN_INSYNC_REPLICAS", topic.min_insync_replicas
            ),
            retention_ms=env_int(env, "LW_TOPIC_RETENTION_MS", topic.retention_ms),
        ),
        search=SearchSettings(
            url=env.get("LW_ES_URL", DEFAULT_ES_URL),
            alerts_alias=env.get("LW_ES_ALERTS_ALIAS", search.alerts_alias),
            api_key=env.get("LW_ES_API_KEY") or None,
            username=env.get("LW_ES_USERNAME") or None,
            password=env.get("LW_ES_PASSWORD") or None,
            ca_file=Path(env["LW_ES_CA_FILE"]) if env.get("LW_ES_CA_FILE") else None,
        ),
        worker=WorkerSettings(
            group_id=env.get("LW_GROUP_ID", worker.group_id),
            # Bounded both ways: a window of 0 never flushes a batch, and
            # size times batches in flight is the worker's memory bound.
            batch_size=env_int(
                env, "LW_BATCH_SIZE", worker.batch_size, minimum=1, maximum=100_000
            ),
            batch_window_s=env_float(
                env,
                "LW_BATCH_WINDOW_S",
                worker.batch_window_s,
                minimum=0.001,
                maximum=60.0,
            ),
            batches_in_flight=env_int(
                env,
                "LW_BATCHES_IN_FLIGHT",
                worker.batches_in_flight,
                minimum=1,
                maximum=1_000,
            ),
            keywords_dir=Path(env.get("LW_KEYWORDS_DIR", "keywords")),
            web_host=env.get("LW_WEB_HOST", worker.web_host),
            web_port=env_int(env, "LW_WEB_PORT", worker.web_port),
            fault=env.get("LW_FAULT", ""),
        ),
    )


def _kafka_client_settings(env: Mapping[str, str]) -> dict[str, str]:
    """``LW_KAFKA_SASL_MECHANISM`` -> ``sasl.mechanism``, and so on."""
    settings = {"bootstrap.servers": DEFAULT_BOOTSTRAP}
    for name, value in env.items():
        if name.startswith(KAFKA_ENV_PREFIX) and value:
            key = name.removeprefix(KAFKA_ENV_PREFIX).lower().replace("_", ".")
            settings[key] = value
    return settings


def env_int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A whole-number setting, or a ConfigError naming the variable."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    return _within(name, value, minimum, maximum)


def env_float(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A numeric setting, or a ConfigError naming the variable."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    return _within(name, value, minimum, maximum)


Number = TypeVar("Number", int, float)


def _within(
    name: str, value: Number, minimum: Number | None, maximum: Number | None
) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name}={value!r} is not a finite number")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={value!r} must be at most {maximum}")
    return value
