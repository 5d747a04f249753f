"""The conformance suite's harness: ``wechaty-web sandbox`` as a user starts it, its control API,
and a third-party client (unmodified) driven by a small script over JSON lines.

Clients reach the sandbox on the real host names through its HTTPS proxy (``HTTPS_PROXY``) and
trust it through its exported CA (``--ca-out``): exactly what the README tells users to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).parent / "drivers"
T = 60.0  # generous: 2 cores shared with other test processes


@dataclass
class SandboxProcess:
    """A running ``wechaty-web sandbox`` with its control API, proxy and CA file."""

    control: str
    proxy: str
    ca: Path
    http: aiohttp.ClientSession

    async def get(self, path: str, **params: str) -> Any:
        async with self.http.get(self.control + path, params=params) as r:
            data = await r.json()
            assert r.status == 200, data
            return data

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.post(self.control + path, json=body or {}) as r:
            data = await r.json()
            assert r.status == 200, data
            return data

    async def media(self, msg_id: str) -> bytes:
        async with self.http.get(f"{self.control}/v1/messages/{msg_id}/media") as r:
            assert r.status == 200
            return await r.read()

    async def bot_sent(self, after: str = "0", **filters: str) -> list[dict[str, Any]]:
        """What the bot sent after message ``after``, waiting for at least one."""
        got: list[dict[str, Any]] = await self.get(
            "/v1/messages", **{"from": "bot", "after": after, "wait": "30", **filters}
        )
        return got

    async def scan_and_confirm(self) -> None:
        """The phone scans the QR code the client shows, and confirms."""
        await self.get("/v1/phone/qr", wait="30")
        await self.post("/v1/phone/scan")
        await self.post("/v1/phone/confirm")

    def client_env(self, home: Path) -> dict[str, str]:
        """What a user exports to point a client at the sandbox (README)."""
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(
            HTTPS_PROXY=self.proxy,
            https_proxy=self.proxy,
            REQUESTS_CA_BUNDLE=str(self.ca),
            NODE_EXTRA_CA_CERTS=str(self.ca),
            HOME=str(home),
        )
        return env


@pytest.fixture
async def sandbox_process(tmp_path: Path) -> AsyncIterator[SandboxProcess]:
    ca = tmp_path / "sandbox-ca.pem"
    exe = Path(sys.executable).with_name("wechaty-web")
    args = ["sandbox", "--port", "0", "--control-port", "0", "--proxy-port", "0"]
    proc = await asyncio.create_subprocess_exec(
        str(exe), *args, "--ca-out", str(ca), stdout=asyncio.subprocess.PIPE, cwd=tmp_path
    )
    assert proc.stdout is not None
    found: dict[str, str] = {}
    try:
        async with asyncio.timeout(T):
            while len(found) < 2:
                line = (await proc.stdout.readline()).decode()
                assert line, "the sandbox exited before it listened"
                m = re.match(r"(control API|HTTPS proxy) on (http://\S+)", line)
                if m:
                    found[m.group(1)] = m.group(2)
        assert ca.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        async with aiohttp.ClientSession() as http:
            yield SandboxProcess(
                control=found["control API"], proxy=found["HTTPS proxy"], ca=ca, http=http
            )
    finally:
        proc.terminate()
        with contextlib.suppress(ProcessLookupError):
            await asyncio.wait_for(proc.wait(), T)


class Driver:
    """A client driver subprocess speaking JSON lines (see ``drivers/``)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.name = ""  # which client (for the few steps a client cannot do)
        self.events: list[dict[str, Any]] = []
        self._results: dict[int, asyncio.Future[Any]] = {}
        self._event = asyncio.Event()
        self._next = 0
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, argv: list[str], env: dict[str, str], cwd: Path) -> Driver:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            cwd=cwd,
            limit=2**20,
        )
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            try:
                # A client may write to stdout too (itchat draws "█\r" at login): the protocol
                # object is what starts at the first brace.
                obj = json.loads(line[line.find(b"{") :])
            except ValueError:
                continue
            if "event" in obj:
                self.events.append(obj)
                self._event.set()
                self._event = asyncio.Event()
            elif obj.get("id") in self._results:
                fut = self._results.pop(obj["id"])
                if "error" in obj:
                    fut.set_exception(AssertionError(f"driver failed: {obj['error']}"))
                else:
                    fut.set_result(obj["result"])
        for fut in self._results.values():
            if not fut.done():
                fut.set_exception(AssertionError("the driver exited"))

    async def call(self, cmd: str, **args: Any) -> Any:
        """Run one command in the client; its result."""
        assert self.proc.stdin is not None
        self._next += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[self._next] = fut
        self.proc.stdin.write((json.dumps({"id": self._next, "cmd": cmd, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        return await asyncio.wait_for(fut, T)

    async def event(self, pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first event (already seen or coming) matching ``pred``."""
        async with asyncio.timeout(T):
            seen = 0
            while True:
                for e in self.events[seen:]:
                    if pred(e):
                        return e
                seen = len(self.events)
                await self._event.wait()

    async def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


def media_of(msg_id: str) -> Callable[[dict[str, Any]], bool]:
    """An event predicate: message ``msg_id`` reported with its downloaded media."""
    return lambda e: e.get("msg_id") == msg_id and "media" in e
