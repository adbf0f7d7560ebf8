"""A small chaos run: one of each fault, and an honest count afterwards.

Runs ``deploy/local/chaos.py`` on 20,000 listings: three workers, SIGKILL
of a worker while the lag is above 1,000, Elasticsearch stopped for a
while, the broker restarted once. It stops and starts the shared local
servers, so it leaves them running again before it returns.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.integration.lanes import REPO

CHAOS = REPO / "deploy" / "local" / "chaos.py"


def test_small_chaos_run_loses_and_duplicates_nothing(stack: object) -> None:
    result = subprocess.run(
        [
            *(sys.executable, str(CHAOS), "--listings", "20000"),
            *("--es-outage-s", "15", "--kills", "1", "--cleanup"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(result.stderr[-4000:])
    assert result.returncode == 0, result.stderr[-2000:]

    line = result.stdout.strip().splitlines()[-1]
    figures = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    assert figures["sent"] == 20000
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert figures["expected_alerts"] >= 20000 // 50
    assert figures["documents"] == figures["alert_ids"] == figures["expected_alerts"]
    for fault in ("SIGKILL worker", "stopped Elasticsearch", "stopped the broker"):
        assert fault in result.stderr, f"{fault} did not happen"
