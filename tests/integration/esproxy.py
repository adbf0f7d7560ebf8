"""A loopback HTTP proxy in front of the real Elasticsearch node.

Tests use it to give the worker an outage, 429s or slow answers without
stopping the node other tests share. It forwards every request unchanged
to the node, except as its current ``mode`` says:

``pass``   forward
``down``   refuse connections (the listening socket is closed)
``429``    answer ``_bulk`` with HTTP 429 (the whole request), forward the rest
``slow``   forward after ``delay_s`` seconds
``slow_bulk``  forward ``_bulk`` after ``delay_s`` seconds, the rest at once
``403``    answer ``_bulk`` with HTTP 403 (a key without write privilege),
           after letting ``pass_bulks`` more bulks through
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Literal

from aiohttp import ClientSession, web

Mode = Literal["pass", "down", "429", "slow", "slow_bulk", "403"]


class ElasticsearchProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.port = _free_port()
        self.mode: Mode = "pass"
        self.delay_s = 0.0
        self.pass_bulks = 0
        self.bulk_requests = 0
        self.refused_bulks = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._session: ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        self._call(self._setup())

    def close(self) -> None:
        self._call(self._teardown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def set_mode(
        self, mode: Mode, *, delay_s: float = 0.0, pass_bulks: int = 0
    ) -> None:
        previous, self.mode, self.delay_s = self.mode, mode, delay_s
        self.pass_bulks = pass_bulks
        if mode == "down" and previous != "down":
            self._call(self._stop_listening())
        elif mode != "down" and previous == "down":
            self._call(self._listen())

    def _call(self, coroutine: object) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]
        future.result(timeout=30)

    async def _setup(self) -> None:
        self._session = ClientSession()
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(
            self._runner, "127.0.0.1", self.port, reuse_address=True
        )
        await self._site.start()

    async def _stop_listening(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def _teardown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        is_bulk = request.path.endswith("/_bulk")
        if is_bulk:
            self.bulk_requests += 1
        if is_bulk and self.mode == "429":
            self.refused_bulks += 1
            return web.json_response(
                {"error": {"type": "es_rejected_execution_exception"}, "status": 429},
                status=429,
                headers={"X-Elastic-Product": "Elasticsearch"},
            )
        if is_bulk and self.mode == "403" and self.pass_bulks > 0:
            self.pass_bulks -= 1
        elif is_bulk and self.mode == "403":
            return web.json_response(
                {
                    "error": {
                        "type": "security_exception",
                        "reason": "action [indices:data/write/bulk] is unauthorized",
                    },
                    "status": 403,
                },
                status=403,
                headers={"X-Elastic-Product": "Elasticsearch"},
            )
        if self.mode == "slow" or (is_bulk and self.mode == "slow_bulk"):
            await asyncio.sleep(self.delay_s)

        assert self._session is not None
        body = await request.read()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in {"host", "content-length", "transfer-encoding"}
        }
        async with self._session.request(
            request.method,
            self.upstream + request.rel_url.raw_path_qs,
            data=body,
            headers=headers,
        ) as upstream:
            payload = await upstream.read()
            response = web.Response(status=upstream.status, body=payload)
            for name in ("content-type", "x-elastic-product"):
                if name in upstream.headers:
                    response.headers[name] = upstream.headers[name]
            return response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
