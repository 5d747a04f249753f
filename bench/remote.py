"""The benchmark side of :mod:`bench.sandbox_proc`: start the sandbox process and script it.

:class:`RemoteSandbox` offers what the benchmarks need from a sandbox (its URL, Chromium flags, a
resolver and TLS context for the bare client) plus ``call(op, **args)`` for the world's verbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aiohttp.abc import AbstractResolver, ResolveResult

from wechaty_puppet_web.errors import SandboxError
from wechaty_puppet_web.sandbox.bareclient import BareClient

if TYPE_CHECKING:
    from wechaty_puppet_web.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
CALL_TIMEOUT = 60.0


class _LoopbackResolver(AbstractResolver):
    """Every host name → the sandbox's port (the bare client keeps the real URLs)."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self._host, port=self._port,
                              family=socket.AF_INET, proto=0, flags=0)]  # fmt: skip

    async def close(self) -> None:
        return None


class RemoteSandbox:
    """A sandbox running in a child process."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._hello: dict[str, Any] = {}
        self._seq = 0
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int:
        """The child's process id (its memory is not the bot's)."""
        return self._proc.pid if self._proc is not None else -1

    async def start(self) -> None:
        """Start the child and read its announcement.

        Raises:
            SandboxError: it did not come up.
        """
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.sandbox_proc", cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=16 * 1024 * 1024,
        )  # fmt: skip
        line = await self._readline(START_TIMEOUT)
        hello = json.loads(line) if line else {}
        if not hello.get("ready"):
            await self.stop()
            raise SandboxError("the sandbox process did not start")
        self._hello = hello

    async def stop(self) -> None:
        """Close the child's stdin (it stops its server and exits) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10.0)
        except TimeoutError:
            proc.kill()  # our own child, by its handle
            await proc.wait()

    async def _readline(self, timeout: float) -> bytes:
        if self._proc is None or self._proc.stdout is None:
            raise SandboxError("the sandbox process is not running")
        return await asyncio.wait_for(self._proc.stdout.readline(), timeout)

    async def call(self, op: str, **args: Any) -> Any:
        """Run one world verb in the child; its result.

        Raises:
            SandboxError: the child refused or died.
        """
        async with self._lock:  # one request in flight: answers come back in order
            if self._proc is None or self._proc.stdin is None:
                raise SandboxError("the sandbox process is not running")
            self._seq += 1
            line = json.dumps({"id": self._seq, "op": op, "args": args}, ensure_ascii=False)
            self._proc.stdin.write(line.encode() + b"\n")
            await self._proc.stdin.drain()
            raw = await self._readline(CALL_TIMEOUT)
        if not raw:
            raise SandboxError(f"the sandbox process died during {op}")
        answer = json.loads(raw)
        if not answer.get("ok"):
            raise SandboxError(f"sandbox {op} failed: {answer.get('error')}")
        return answer.get("result")

    # ------------------------------------------------------------ what clients need
    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return str(self._hello["url"])

    def browser_args(self) -> list[str]:
        """Chromium flags mapping the WeChat hosts onto the sandbox."""
        return [str(a) for a in self._hello["browser_args"]]

    def resolver(self) -> AbstractResolver:
        """An aiohttp resolver for the bare client."""
        return _LoopbackResolver(str(self._hello["host"]), int(self._hello["port"]))

    def client_ssl_context(self) -> ssl.SSLContext:
        """TLS that trusts the sandbox's CA."""
        return ssl.create_default_context(cadata=str(self._hello["ca"]))

    def bare_client(self) -> BareClient:
        """A bare protocol client pointed at the sandbox."""
        # BareClient only calls resolver() and client_ssl_context() on its sandbox argument.
        return BareClient(cast("Sandbox", self))


@contextlib.asynccontextmanager
async def remote_sandbox() -> AsyncIterator[RemoteSandbox]:
    """Start a RemoteSandbox for the ``async with`` block."""
    sb = RemoteSandbox()
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()
