"""Browsers elsewhere: puppets in this process drive a Chromium in Playwright's browser server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from wechaty_puppet_web import BrowserPool, PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.browser.launcher import chromium_args, find_chromium, sandbox_browser_args
from wechaty_puppet_web.browser.remote import BrowserServer, start_browser_server
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import T

pytestmark = pytest.mark.browser


def _chromiums_under(root: int) -> set[int]:
    """Chromium *browser* processes descending from ``root`` (read from /proc): those whose
    parent is not Chromium, so the renderers a running browser starts and ends do not count."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        names[int(entry.name)] = name
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            todo.append(child)
            if "chrom" in names.get(child, "") and "chrom" not in names.get(pid, ""):
                found.add(child)
    return found


@pytest.fixture(name="server")
async def fixture_server(sb: Sandbox) -> AsyncIterator[BrowserServer]:
    # The host mapping is applied where the browser is launched: in the server.
    server = await start_browser_server(sandbox=sb.url)
    try:
        yield server
    finally:
        await server.stop()
    assert not _chromiums_under(server.pid)


async def test_puppets_drive_a_browser_in_the_server_process(
    sb: Sandbox, server: BrowserServer
) -> None:
    assert server.endpoint.startswith("ws://127.0.0.1:")
    # The server is our child too: "ours" is what runs outside the server's tree.
    ours_before = _chromiums_under(os.getpid()) - _chromiums_under(server.pid)
    second = sb.add_account()
    sb.accounts.auto_scan = True
    remote = PuppetWebOptions(endpoint=server.endpoint, sandbox=sb.url, session_file=None)
    single = PuppetWeb(remote)
    async with BrowserPool(endpoint=server.endpoint) as pool:
        pooled = PuppetWeb(PuppetWebOptions(pool=pool, sandbox=sb.url, session_file=None))
        puppets = (single, pooled)
        try:
            readies = [p.wait_for(EventName.READY, timeout=T * 2) for p in puppets]
            await asyncio.gather(*(p.start() for p in puppets))
            await asyncio.gather(*readies)
            for puppet in puppets:
                account = sb.accounts.find(puppet.self_id())
                got = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "far", T)
                account.world.send_text(
                    from_=account.world.friends[0], to=account.world.bot, text="far"
                )
                await got
            assert {sb.accounts.find(p.self_id()) for p in puppets} == {sb, second}
            in_server = _chromiums_under(server.pid)
            assert in_server  # the browser runs in the server's tree...
            assert _chromiums_under(os.getpid()) - in_server == ours_before  # ...none started here
        finally:
            await asyncio.gather(*(p.stop() for p in puppets))


async def test_a_cdp_endpoint_is_the_same_case(sb: Sandbox, tmp_path: Path) -> None:
    # A Chromium started by hand with a DevTools port (as a browser grid would run one), with the
    # project's flags and the sandbox mapping; the puppet gets only its http:// URL.
    args = chromium_args([*sandbox_browser_args(sb.url), "--headless", "--remote-debugging-port=0",
                          f"--user-data-dir={tmp_path / 'profile'}", "about:blank"])  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        find_chromium(), *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stderr is not None
        async with asyncio.timeout(T * 2):
            while b"DevTools listening on" not in (line := await proc.stderr.readline()):
                assert line, "Chromium exited before listening"
        port = urlsplit(line.decode().split()[-1]).port
        sb.phone.auto_scan = True
        puppet = PuppetWeb(
            PuppetWebOptions(endpoint=f"http://127.0.0.1:{port}", sandbox=sb.url, session_file=None)
        )
        try:
            ready = puppet.wait_for(EventName.READY, timeout=T * 2)
            await puppet.start()
            await ready
            got = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "cdp", T)
            sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="cdp")
            await got
        finally:
            await puppet.stop()
        assert proc.returncode is None  # the puppet never closes a browser it did not start
    finally:
        proc.kill()
        await proc.wait()
