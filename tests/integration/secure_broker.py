"""A second, throw-away Kafka broker with TLS and SCRAM, for the security test.

It runs from the jars ``deploy/local/stack.sh`` fetched, in a temporary
folder, on free loopback ports, beside the shared stack (never in its
place). Certificates are made here, each run: a CA and a broker
certificate for ``IP:127.0.0.1``, with ``openssl`` or else the JDK's
``keytool``. SCRAM users are written into the metadata log when the storage
is formatted (KRaft has no ZooKeeper to add them to later)::

    SASL_SSL://127.0.0.1:<port>    clients and the broker itself, SCRAM-SHA-512
    CONTROLLER://127.0.0.1:<port>  the KRaft controller, plaintext, loopback
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from confluent_kafka.admin import AdminClient

from tests.integration.lanes import REPO

KAFKA_VERSION: Final = re.search(
    r"<kafka.version>(.+)</kafka.version>",
    (REPO / "deploy" / "local" / "pom.xml").read_text(),
)[1]  # type: ignore[index]
KAFKA_HOME: Final = REPO / "var" / "stack" / f"kafka-{KAFKA_VERSION}"
MECHANISM: Final = "SCRAM-SHA-512"
BROKER_USER: Final = "broker"
START_TIMEOUT_S: Final = 45.0
STOP_TIMEOUT_S: Final = 15.0
TOOL_TIMEOUT_S: Final = 60.0


@dataclass(frozen=True, slots=True)
class Certificates:
    ca_pem: Path
    keystore: Path  # PKCS12: the broker's key and certificate chain
    keystore_password: str


@dataclass
class SecureBroker:
    """A running broker; :meth:`client_settings` are librdkafka-named."""

    home: Path
    port: int
    controller_port: int
    certificates: Certificates
    users: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client_settings(self, user: str, password: str) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": MECHANISM,
            "sasl.username": user,
            "sasl.password": password,
            "ssl.ca.location": str(self.certificates.ca_pem),
        }

    def client_env(self, user: str, password: str) -> dict[str, str]:
        """The same settings as ``LW_KAFKA_*`` variables."""
        return {
            "LW_KAFKA_" + key.upper().replace(".", "_"): value
            for key, value in self.client_settings(user, password).items()
        }

    def log(self) -> str:
        path = self.home / "logs" / "kafka.out"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- life cycle ------------------------------------------------------

    def start(self) -> None:
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        properties = self._write_config()
        self._format_storage(properties)
        with (self.home / "logs" / "kafka.out").open("ab") as out:
            self.process = subprocess.Popen(
                [*_kafka_java(self.home), "kafka.Kafka", str(properties)],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
        self._wait_until_serving()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _write_config(self) -> Path:
        broker_password = self.users[BROKER_USER]
        keystore = self.certificates
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{BROKER_USER}" password="{broker_password}";'
        )
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"SASL_SSL://127.0.0.1:{self.port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"SASL_SSL://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "SASL_SSL",
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(keystore.keystore),
            "ssl.keystore.password": keystore.keystore_password,
            "ssl.key.password": keystore.keystore_password,
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(keystore.ca_pem),
            "log.dirs": str(self.home / "data"),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
        }
        properties = self.home / "server.properties"
        properties.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        (self.home / "log4j2.properties").write_text(
            f"appender.file.type=File\n"
            f"appender.file.name=file\n"
            f"appender.file.fileName={self.home / 'logs' / 'kafka.log'}\n"
            f"appender.file.layout.type=PatternLayout\n"
            f"appender.file.layout.pattern=[%d] %p %m (%c)%n\n"
            f"rootLogger.level=INFO\n"
            f"rootLogger.appenderRef.file.ref=file\n"
        )
        return properties

    def _format_storage(self, properties: Path) -> None:
        scram = [
            arg
            for user, password in self.users.items()
            for arg in ("--add-scram", f"{MECHANISM}=[name={user},password={password}]")
        ]
        _run(
            [
                *_kafka_java(self.home),
                "kafka.tools.StorageTool",
                "format",
                # One word: a random id may begin with "-".
                f"--cluster-id={random_cluster_id()}",
                "-c",
                str(properties),
                *scram,
            ],
            what="kafka-storage format",
        )

    def _wait_until_serving(self) -> None:
        user, password = next((u, p) for u, p in self.users.items() if u != BROKER_USER)
        deadline = time.monotonic() + START_TIMEOUT_S
        admin: AdminClient | None = None
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"secure broker exited:\n{self.log()[-3000:]}")
            try:
                # Until the port opens, librdkafka would log every refusal.
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                admin = admin or AdminClient(self.client_settings(user, password))
                admin.list_topics(timeout=2)
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"secure broker not serving within {START_TIMEOUT_S} s:\n"
                        f"{self.log()[-3000:]}"
                    ) from None
                time.sleep(0.5)


def start_secure_broker(home: Path, users: dict[str, str]) -> SecureBroker:
    """Certificates, config, SCRAM users, start; the caller must ``stop()``."""
    if not (KAFKA_HOME / "libs").is_dir():
        raise RuntimeError(f"no Kafka jars in {KAFKA_HOME}: run 'make stack' first")
    home.mkdir(parents=True, exist_ok=True)
    port, controller_port = free_ports(2)
    broker = SecureBroker(
        home=home,
        port=port,
        controller_port=controller_port,
        certificates=make_certificates(home / "tls"),
        users={BROKER_USER: secrets.token_urlsafe(16), **users},
    )
    broker.start()
    return broker


# --- certificates ----------------------------------------------------------


def make_certificates(folder: Path) -> Certificates:
    """A CA and a broker certificate for 127.0.0.1, valid for a day."""
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    make: Callable[[Path, str], None]
    make = _with_openssl if shutil.which("openssl") else _with_keytool
    make(folder, password)
    return Certificates(
        ca_pem=folder / "ca.pem",
        keystore=folder / "broker.p12",
        keystore_password=password,
    )


def _with_openssl(folder: Path, password: str) -> None:
    (folder / "broker.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
        "subjectAltName=IP:127.0.0.1\n"
    )
    _run_each(
        "openssl",
        [
            "req -x509 -newkey rsa:2048 -nodes -days 1 -keyout {d}/ca.key"
            " -out {d}/ca.pem -subj /CN=listing-watch-test-CA"
            " -addext basicConstraints=critical,CA:TRUE"
            " -addext keyUsage=critical,keyCertSign,cRLSign",
            "req -newkey rsa:2048 -nodes -keyout {d}/broker.key"
            " -out {d}/broker.csr -subj /CN=127.0.0.1",
            "x509 -req -in {d}/broker.csr -CA {d}/ca.pem -CAkey {d}/ca.key"
            " -CAcreateserial -days 1 -out {d}/broker.pem -extfile {d}/broker.ext",
            "pkcs12 -export -in {d}/broker.pem -inkey {d}/broker.key"
            " -certfile {d}/ca.pem -name broker -out {d}/broker.p12"
            " -passout pass:{p}",
        ],
        folder=folder,
        password=password,
    )


def _with_keytool(folder: Path, password: str) -> None:
    store = "-storetype PKCS12 -storepass {p} -keypass {p}"
    keypair = "-genkeypair -keyalg RSA -keysize 2048 -validity 1"
    _run_each(
        "keytool",
        [
            f"{keypair} -alias ca -dname CN=listing-watch-test-CA -ext bc:c=ca:true"
            f" -keystore {{d}}/ca.p12 {store}",
            f"-exportcert -rfc -alias ca -keystore {{d}}/ca.p12"
            f" -file {{d}}/ca.pem {store}",
            f"{keypair} -alias broker -dname CN=127.0.0.1"
            f" -keystore {{d}}/broker.p12 {store}",
            f"-certreq -alias broker -keystore {{d}}/broker.p12"
            f" -file {{d}}/broker.csr {store}",
            f"-gencert -alias ca -keystore {{d}}/ca.p12 -infile {{d}}/broker.csr"
            f" -outfile {{d}}/broker.pem -rfc -validity 1 -ext san=ip:127.0.0.1"
            f" -ext eku=serverAuth,clientAuth {store}",
            f"-importcert -noprompt -alias ca -file {{d}}/ca.pem"
            f" -keystore {{d}}/broker.p12 {store}",
            f"-importcert -alias broker -file {{d}}/broker.pem"
            f" -keystore {{d}}/broker.p12 {store}",
        ],
        folder=folder,
        password=password,
    )


def _run_each(tool: str, commands: list[str], *, folder: Path, password: str) -> None:
    """Run ``tool`` once per command line; ``{d}`` is the folder, ``{p}`` the
    password (split into words first, so a folder may contain spaces)."""
    for command in commands:
        words = [word.format(d=folder, p=password) for word in command.split()]
        _run([tool, *words], what=f"{tool} {words[0]}")


# --- helpers ---------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Ports the kernel offers on loopback now (held together, so distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def random_cluster_id() -> str:
    """What ``StorageTool random-uuid`` prints, without starting a JVM."""
    return base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")


def _kafka_java(home: Path) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx256m",
        f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
        "-cp",
        f"{KAFKA_HOME / 'libs'}/*",
    ]


def _run(command: list[str], *, what: str) -> None:
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stderr}")
