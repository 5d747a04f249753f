"""Fixtures of the Puppet Service tests: one served PuppetWeb and the SDK bots as subprocesses.

The service runs in the test's event loop over a PuppetWeb on the session's Chromium and sandbox;
each SDK bot is a real Wechaty (TypeScript ``wechaty`` 1.x, python-wechaty 0.10.7) installed by
``make sdks``, connecting over gRPC like any remote bot would. Tests script the world through the
sandbox API and assert on what the world saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.service.server import PuppetService, TlsFiles

from ..browser.test_puppet_support import start_ready

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = ROOT / ".venv-wechaty" / "bin" / "python"
SDK_NODE = ROOT / "tests" / "service" / "sdk"
BOTS = Path(__file__).resolve().parent / "bots"
TOKEN = "insecure_wpw-test-token"  # the TypeScript client takes the SNI from the prefix
T = 60.0  # seconds for one bot step (a cold node start, two CPUs shared)


@dataclass
class Served:
    """A running service and what it serves."""

    service: PuppetService
    puppet: PuppetWeb
    sandbox: Sandbox

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.service.port}"


@contextlib.asynccontextmanager
async def serve(
    browser: Browser, sandbox: Sandbox, tls: TlsFiles | None = None
) -> AsyncIterator[Served]:
    puppet = PuppetWeb(PuppetWebOptions(browser=browser, sandbox=sandbox.url, session_file=None))
    service = PuppetService(puppet, token=TOKEN)
    await service.start("127.0.0.1", 0, tls)
    try:
        await start_ready(puppet, sandbox)
        yield Served(service=service, puppet=puppet, sandbox=sandbox)
    finally:
        await service.stop()
        await puppet.stop()


@pytest.fixture
async def served(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Served]:
    """A logged-in PuppetWeb behind a plain-HTTP/2 Puppet Service."""
    async with serve(browser, sandbox) as s:
        yield s


class BotProcess:
    """An SDK bot in a subprocess; ``expect`` reads its stdout lines."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log
        self.lines: list[str] = []

    async def expect(self, prefix: str, timeout: float = T) -> str:
        """The next stdout line starting with ``prefix`` (earlier lines are kept, skipped)."""
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    raw = await self.proc.stdout.readline()
                    if not raw:
                        raise AssertionError(f"bot exited before {prefix!r}:\n{self.tail()}")
                    line = raw.decode(errors="replace").rstrip()
                    self.lines.append(line)
                    if line.startswith(prefix):
                        return line
        except TimeoutError:
            message = f"no {prefix!r} from the bot in {timeout:g} s:\n{self.tail()}"
            raise AssertionError(message) from None

    def tail(self) -> str:
        err = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        return "stdout:\n" + "\n".join(self.lines[-20:]) + "\nstderr:\n" + err

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@contextlib.asynccontextmanager
async def run_bot(argv: list[str], env: dict[str, str], log: Path) -> AsyncIterator[BotProcess]:
    """Start a bot with ``env`` added to ours; stderr goes to ``log``."""
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env={**os.environ, **env},
            cwd=str(log.parent),  # python-wechaty writes a .wechaty/ folder into its cwd
        )
    bot = BotProcess(proc, log)
    try:
        yield bot
    finally:
        await bot.close()
