"""A Chromium other processes (or machines) drive: Playwright's own browser server.

The pip ``playwright`` package ships a driver whose ``launch-server`` command launches one
browser and serves it over a WebSocket (``ws://HOST:PORT/PATH``) that
``playwright.chromium.connect()`` (and so ``PuppetWebOptions(endpoint=...)`` or
``BrowserPool(endpoint=...)``) talks to. :func:`start_browser_server` runs it with the project's
Chromium and flags; launch flags are the server's business, so the sandbox host mapping
(``sandbox=``) is applied here, where the browser runs. A CDP endpoint (``http://HOST:PORT`` of a
Chromium started with ``--remote-debugging-port``) is the same case for the puppet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import LaunchError
from .launcher import chromium_args, find_chromium, sandbox_browser_args

__all__ = ["BrowserServer", "server_config", "start_browser_server"]


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


_log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # the driver starts node, then Chromium: slow on a busy machine


def server_config(
    *,
    executable_path: str | os.PathLike[str] | None = None,
    headless: bool = True,
    sandbox: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    ws_path: str | None = None,
) -> dict[str, object]:
    """The ``launchServer`` options: our Chromium, our flags, the sandbox mapping, the address.

    The path is random by default: it is the only secret of the endpoint.
    """
    return {
        "executablePath": find_chromium(executable_path),
        "headless": headless,
        "args": chromium_args(sandbox_browser_args(sandbox)),
        "host": host,
        "port": port,
        "wsPath": ws_path or "/" + secrets.token_hex(16),
    }


@dataclass
class BrowserServer:
    """A running browser server process and its endpoint."""

    endpoint: str
    process: asyncio.subprocess.Process
    _config: Path = field(repr=False)

    @property
    def pid(self) -> int:
        """The server process (Chromium runs as its descendant)."""
        return self.process.pid

    async def stop(self) -> None:
        """Stop the server and its browser (the whole process group: python, node, Chromium)."""
        if self.process.returncode is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10.0)
            except TimeoutError:
                _signal_group(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        _signal_group(self.process.pid, signal.SIGKILL)  # a straggler (Chromium) of the group
        if self.process.stdout is not None:  # drain, so the pipe closes with the process
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.stdout.read(), 5.0)
        self._config.unlink(missing_ok=True)

    async def __aenter__(self) -> BrowserServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_browser_server(
    *,
    executable_path: str | os.PathLike[str] | None = None,
    headless: bool = True,
    sandbox: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    ws_path: str | None = None,
) -> BrowserServer:
    """Start Playwright's browser server with the local Chromium; return once it listens.

    Raises:
        LaunchError: no Chromium, or the server did not print its endpoint in time.
    """
    config = server_config(
        executable_path=executable_path,
        headless=headless,
        sandbox=sandbox,
        host=host,
        port=port,
        ws_path=ws_path,
    )
    fd, name = tempfile.mkstemp(prefix="wpw-browser-server-", suffix=".json")
    with os.fdopen(fd, "w") as out:
        json.dump(config, out)
    # The driver's stderr goes to a file, read only when it fails to start.
    with tempfile.TemporaryFile() as log:
        server = await _spawn(Path(name), log)
        try:
            assert server.process.stdout is not None
            line = await asyncio.wait_for(server.process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            await server.stop()
            raise LaunchError("the browser server did not start in time") from None
        endpoint = line.decode("utf-8", "replace").strip()
        if not endpoint.startswith("ws"):
            await server.stop()
            log.seek(0)
            lines = log.read().decode("utf-8", "replace").strip().splitlines()
            raise LaunchError(f"the browser server failed to start: {(lines or [endpoint])[-1]}")
    server.endpoint = endpoint
    _log.info("browser server listening (pid %d)", server.pid)
    return server


async def _spawn(config: Path, log: IO[bytes]) -> BrowserServer:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playwright",
        "launch-server",
        "--browser",
        "chromium",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        start_new_session=True,  # its own process group: stop() ends node and Chromium too
    )
    return BrowserServer(endpoint="", process=process, _config=config)
