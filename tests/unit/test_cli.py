"""The command line: unreachable servers give one clear line, never a secret."""

from __future__ import annotations

import socket

import pytest

from listing_watch.cli import main
from listing_watch.config import masked_url


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_elasticsearch_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LW_ES_URL", f"http://ops:SECRET-MARK@127.0.0.1:{closed_port()}")

    status = main(["shops"])

    err = capsys.readouterr().err.strip()
    assert status == 3
    assert len(err.splitlines()) == 1
    assert "unreachable" in err
    assert "LW_ES_URL" in err
    assert "SECRET-MARK" not in err


def test_masked_url_hides_only_the_password() -> None:
    assert (
        masked_url("https://ops:pw@es.local:9200/x")
        == "https://ops:***@es.local:9200/x"
    )
    assert masked_url("http://127.0.0.1:9200") == "http://127.0.0.1:9200"
