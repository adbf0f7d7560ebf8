"""The worker's broker credentials, from the same settings as every client.

The replay tool and the admin commands hand ``settings.kafka`` to
confluent-kafka, which reads librdkafka's names itself. The worker's
Faust app talks to Kafka through aiokafka, which wants Faust's credential
objects instead; :func:`broker_credentials` translates, so one set of
``LW_KAFKA_*`` variables secures both::

    security.protocol=SASL_SSL        LW_KAFKA_SECURITY_PROTOCOL
    sasl.mechanism=SCRAM-SHA-512      LW_KAFKA_SASL_MECHANISM
    sasl.username / sasl.password     LW_KAFKA_SASL_USERNAME / _PASSWORD
    ssl.ca.location=/etc/kafka/ca.pem LW_KAFKA_SSL_CA_LOCATION

    -> faust.SASLCredentials(mechanism="SCRAM-SHA-512", username=...,
                             password=..., ssl_context=<verifies the CA>)

Settings aiokafka cannot honour are refused with a :class:`ConfigError`
naming the variable, rather than silently ignored: a worker that quietly
connected with weaker settings than the replay tool would be worse than
one that does not start.

Shortcoming: only the worker refuses such settings. ``replay`` and the
admin commands hand ``settings.kafka`` to librdkafka as it is, which
honours more of them (keystores, PEM strings) than aiokafka; so a setting
refused here may still work there. Running this check at every start
would make them agree; not done while no deployment needs those settings.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import faust

from listing_watch.config import KAFKA_ENV_PREFIX
from listing_watch.errors import ConfigError

PROTOCOLS: Final = frozenset({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"})
SASL_MECHANISMS: Final = frozenset({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})

# librdkafka's default when sasl.mechanism is unset; aiokafka lacks the
# Kerberos support it needs, so an unset mechanism is refused by name.
LIBRDKAFKA_DEFAULT_MECHANISM: Final = "GSSAPI"

# The ssl.* and sasl.* settings the worker understands. Any other one
# (keystores, PEM strings, CRLs, OAUTHBEARER and Kerberos options) is
# refused, because aiokafka would otherwise connect without it.
SUPPORTED_KEYS: Final = frozenset(
    {
        "sasl.mechanism",
        "sasl.mechanisms",  # librdkafka's older alias of sasl.mechanism
        "sasl.username",
        "sasl.password",
        "ssl.ca.location",
        "ssl.certificate.location",
        "ssl.key.location",
        "ssl.key.password",
        "ssl.endpoint.identification.algorithm",
        "ssl.cipher.suites",
        "enable.ssl.certificate.verification",
    }
)

Credentials = faust.SASLCredentials | faust.SSLCredentials


def broker_credentials(kafka: Mapping[str, str]) -> Credentials | None:
    """Faust's ``broker_credentials`` for librdkafka-named ``kafka`` settings.

    ``None`` means PLAINTEXT: no TLS, no authentication.
    """
    protocol = kafka.get("security.protocol", "PLAINTEXT").upper()
    if protocol not in PROTOCOLS:
        raise ConfigError(
            f"{env_name('security.protocol')}={protocol!r} is not one of "
            f"{', '.join(sorted(PROTOCOLS))}"
        )
    _refuse_unsupported_keys(kafka)
    uses_sasl = protocol.startswith("SASL_")
    uses_tls = protocol.endswith("SSL")
    _refuse_settings_for_other_protocols(kafka, protocol, uses_sasl=uses_sasl)

    context = tls_context(kafka) if uses_tls else None
    if uses_sasl:
        return sasl_credentials(kafka, context)
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def sasl_credentials(
    kafka: Mapping[str, str], context: ssl.SSLContext | None
) -> faust.SASLCredentials:
    mechanism = sasl_mechanism(kafka)
    username = kafka.get("sasl.username")
    password = kafka.get("sasl.password")
    if not username or not password:
        raise ConfigError(
            f"SASL {mechanism} needs a user name and a password: set "
            f"{env_name('sasl.username')} and {env_name('sasl.password')}"
        )
    return faust.SASLCredentials(
        mechanism=mechanism, username=username, password=password, ssl_context=context
    )


def sasl_mechanism(kafka: Mapping[str, str]) -> str:
    mechanism = (
        kafka.get("sasl.mechanism")
        or kafka.get("sasl.mechanisms")
        or LIBRDKAFKA_DEFAULT_MECHANISM
    ).upper()
    if mechanism not in SASL_MECHANISMS:
        raise ConfigError(
            f"sasl.mechanism={mechanism!r} is not supported by the worker; set "
            f"{env_name('sasl.mechanism')} to one of "
            f"{', '.join(sorted(SASL_MECHANISMS))}"
        )
    return mechanism


def tls_context(kafka: Mapping[str, str]) -> ssl.SSLContext:
    """A client TLS context that verifies the broker as librdkafka would.

    Without ``ssl.ca.location`` the system's trusted CAs are used. The
    broker's host name (or IP address) is checked against its certificate
    unless ``ssl.endpoint.identification.algorithm`` is ``none``: since
    librdkafka 2.0 the default is ``https``, and so it is here.
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    _load_trusted_cas(context, kafka.get("ssl.ca.location"))
    _load_client_certificate(context, kafka)
    if kafka.get("ssl.cipher.suites"):
        try:
            context.set_ciphers(kafka["ssl.cipher.suites"])
        except ssl.SSLError:
            raise ConfigError(
                f"{env_name('ssl.cipher.suites')}={kafka['ssl.cipher.suites']!r} "
                "names no cipher this OpenSSL offers"
            ) from None

    algorithm = kafka.get("ssl.endpoint.identification.algorithm", "https").lower()
    if algorithm not in {"https", "none"}:
        raise ConfigError(
            f"{env_name('ssl.endpoint.identification.algorithm')}={algorithm!r} "
            "must be https or none"
        )
    context.check_hostname = algorithm == "https"
    if not _flag(kafka, "enable.ssl.certificate.verification", default=True):
        # The operator asked for it by name (librdkafka's own switch); a
        # test cluster with a throw-away certificate is the usual reason.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _load_trusted_cas(context: ssl.SSLContext, location: str | None) -> None:
    if not location:
        return
    path = Path(location)
    if not path.exists():
        raise ConfigError(
            f"{env_name('ssl.ca.location')}={location}: no such file or directory"
        )
    try:
        if path.is_dir():
            context.load_verify_locations(capath=str(path))
        else:
            context.load_verify_locations(cafile=str(path))
    except ssl.SSLError as error:
        raise ConfigError(
            f"{env_name('ssl.ca.location')}={location} holds no PEM certificate "
            f"({error.reason})"
        ) from None


def _load_client_certificate(context: ssl.SSLContext, kafka: Mapping[str, str]) -> None:
    certificate = kafka.get("ssl.certificate.location")
    key = kafka.get("ssl.key.location")
    if not certificate and not key:
        return
    if not certificate or not key:
        raise ConfigError(
            "a client certificate needs both "
            f"{env_name('ssl.certificate.location')} and "
            f"{env_name('ssl.key.location')}"
        )
    try:
        context.load_cert_chain(
            certificate, key, password=kafka.get("ssl.key.password")
        )
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(
            f"cannot load the client certificate {certificate} with key {key} "
            f"({type(error).__name__}: {getattr(error, 'reason', None) or error}); "
            f"check the files and {env_name('ssl.key.password')}"
        ) from None


def _refuse_unsupported_keys(kafka: Mapping[str, str]) -> None:
    for key in sorted(kafka):
        if key.startswith(("ssl.", "sasl.")) and key not in SUPPORTED_KEYS:
            raise ConfigError(
                f"{env_name(key)} ({key}) is not supported by the worker's Kafka "
                "client; use the settings listed in the README section "
                "'Connecting to a secured cluster'"
            )


def _refuse_settings_for_other_protocols(
    kafka: Mapping[str, str], protocol: str, *, uses_sasl: bool
) -> None:
    # librdkafka ignores a password under PLAINTEXT or SSL; so would we,
    # and the operator would believe the connection authenticated.
    if not uses_sasl:
        given = sorted(key for key in kafka if key.startswith("sasl."))
        if given:
            raise ConfigError(
                f"{env_name(given[0])} is set but security.protocol={protocol}: "
                f"set {env_name('security.protocol')}=SASL_SSL (or SASL_PLAINTEXT)"
            )
    if not protocol.endswith("SSL"):
        given = sorted(key for key in kafka if key.startswith("ssl."))
        if given:
            raise ConfigError(
                f"{env_name(given[0])} is set but security.protocol={protocol}: "
                f"set {env_name('security.protocol')}=SASL_SSL (or SSL)"
            )


def _flag(kafka: Mapping[str, str], key: str, *, default: bool) -> bool:
    raw = kafka.get(key)
    if raw is None:
        return default
    if raw.lower() in {"true", "1"}:
        return True
    if raw.lower() in {"false", "0"}:
        return False
    raise ConfigError(f"{env_name(key)}={raw!r} must be true or false")


def env_name(key: str) -> str:
    """``sasl.password`` -> ``LW_KAFKA_SASL_PASSWORD``."""
    return KAFKA_ENV_PREFIX + key.upper().replace(".", "_")
