"""librdkafka-named settings become the worker's Faust broker credentials."""

from __future__ import annotations

import ssl
from pathlib import Path

import faust
import pytest

from listing_watch.errors import ConfigError
from listing_watch.pipeline.kafka_security import broker_credentials

SCRAM = {
    "bootstrap.servers": "127.0.0.1:9094",
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-512",
    "sasl.username": "alice",
    "sasl.password": "s3cret-scram",
}


def tls(credentials: faust.SASLCredentials) -> ssl.SSLContext:
    context = credentials.ssl_context
    assert isinstance(context, ssl.SSLContext)
    return context


def test_plaintext_needs_no_credentials() -> None:
    assert broker_credentials({"bootstrap.servers": "127.0.0.1:9092"}) is None


def test_sasl_ssl_scram_becomes_sasl_credentials_that_verify_the_broker() -> None:
    credentials = broker_credentials(SCRAM)

    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert (credentials.username, credentials.password) == ("alice", "s3cret-scram")
    assert tls(credentials).verify_mode == ssl.CERT_REQUIRED
    assert tls(credentials).check_hostname


def test_protocol_and_mechanism_are_case_insensitive_like_librdkafka() -> None:
    credentials = broker_credentials(
        {**SCRAM, "security.protocol": "sasl_ssl", "sasl.mechanism": "scram-sha-256"}
    )

    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-256"


def test_sasl_plaintext_has_no_tls_context() -> None:
    credentials = broker_credentials(
        {**SCRAM, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN"}
    )

    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_PLAINTEXT"
    assert credentials.ssl_context is None


def test_older_sasl_mechanisms_alias_is_understood() -> None:
    settings = {k: v for k, v in SCRAM.items() if k != "sasl.mechanism"}

    credentials = broker_credentials({**settings, "sasl.mechanisms": "PLAIN"})

    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "PLAIN"


def test_ssl_alone_becomes_ssl_credentials() -> None:
    credentials = broker_credentials({"security.protocol": "SSL"})

    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials.protocol.value == "SSL"


def test_endpoint_identification_none_skips_the_host_name_check_only() -> None:
    credentials = broker_credentials(
        {**SCRAM, "ssl.endpoint.identification.algorithm": "none"}
    )

    assert isinstance(credentials, faust.SASLCredentials)
    assert not tls(credentials).check_hostname
    assert tls(credentials).verify_mode == ssl.CERT_REQUIRED


def test_certificate_verification_can_be_turned_off_by_its_librdkafka_name() -> None:
    credentials = broker_credentials(
        {**SCRAM, "enable.ssl.certificate.verification": "false"}
    )

    assert isinstance(credentials, faust.SASLCredentials)
    assert tls(credentials).verify_mode == ssl.CERT_NONE


def test_credentials_repr_shows_the_user_but_not_the_password() -> None:
    assert "s3cret-scram" not in repr(broker_credentials(SCRAM))


# --- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"security.protocol": "TLS"},
            r"LW_KAFKA_SECURITY_PROTOCOL='TLS' is not one of PLAINTEXT, SASL_PLAIN",
        ),
        (
            {**SCRAM, "sasl.mechanism": ""},
            r"sasl.mechanism='GSSAPI' is not supported.*LW_KAFKA_SASL_MECHANISM",
        ),
        (
            {**SCRAM, "sasl.mechanism": "OAUTHBEARER"},
            r"sasl.mechanism='OAUTHBEARER' is not supported",
        ),
        (
            {**SCRAM, "sasl.password": ""},
            r"SCRAM-SHA-512 needs a user name and a password: set "
            r"LW_KAFKA_SASL_USERNAME and LW_KAFKA_SASL_PASSWORD",
        ),
        (
            {**SCRAM, "security.protocol": "SSL"},
            r"LW_KAFKA_SASL_MECHANISM is set but security.protocol=SSL: "
            r"set LW_KAFKA_SECURITY_PROTOCOL=SASL_SSL",
        ),
        (
            {"ssl.ca.location": "/etc/kafka/ca.pem"},
            r"LW_KAFKA_SSL_CA_LOCATION is set but security.protocol=PLAINTEXT",
        ),
        (
            {**SCRAM, "ssl.keystore.location": "/etc/kafka/client.p12"},
            r"LW_KAFKA_SSL_KEYSTORE_LOCATION \(ssl.keystore.location\) is not "
            r"supported by the worker",
        ),
        (
            {**SCRAM, "ssl.certificate.location": "/etc/kafka/client.pem"},
            r"a client certificate needs both LW_KAFKA_SSL_CERTIFICATE_LOCATION "
            r"and LW_KAFKA_SSL_KEY_LOCATION",
        ),
        (
            {**SCRAM, "ssl.endpoint.identification.algorithm": "ldap"},
            r"ALGORITHM='ldap' must be https or none",
        ),
        (
            {**SCRAM, "enable.ssl.certificate.verification": "maybe"},
            r"LW_KAFKA_ENABLE_SSL_CERTIFICATE_VERIFICATION='maybe' must be true",
        ),
    ],
)
def test_unsupported_combinations_are_refused_by_setting_name(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        broker_credentials({k: v for k, v in settings.items() if v})


def test_missing_ca_file_is_refused_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"

    with pytest.raises(ConfigError, match=rf"{missing}: no such file"):
        broker_credentials({**SCRAM, "ssl.ca.location": str(missing)})


def test_ca_file_without_a_certificate_is_refused(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")

    with pytest.raises(ConfigError, match=r"ca.pem holds no PEM certificate"):
        broker_credentials({**SCRAM, "ssl.ca.location": str(not_pem)})


def test_unreadable_client_key_is_refused_without_its_password(tmp_path: Path) -> None:
    certificate, key = tmp_path / "client.pem", tmp_path / "client.key"
    certificate.write_text("junk\n")
    key.write_text("junk\n")
    settings = {
        **SCRAM,
        "ssl.certificate.location": str(certificate),
        "ssl.key.location": str(key),
        "ssl.key.password": "key-s3cret",
    }

    with pytest.raises(ConfigError, match="cannot load the client certificate") as err:
        broker_credentials(settings)

    assert "key-s3cret" not in str(err.value)
