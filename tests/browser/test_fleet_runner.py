"""The fleet runner vs a multi-account sandbox: 5 accounts, a SIGKILLed browser, a phone logout."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from wechaty_puppet_web.browser.procs import owned_pids
from wechaty_puppet_web.cli import main
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.fleet import AccountRunner, Fleet, load_fleet, read_status
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import T

pytestmark = pytest.mark.browser

NAMES = ("a1", "a2", "a3", "a4", "a5")
BOT = """
async def on_message(puppet, event):
    text = event.payload.text
    if text.startswith("ding"):
        await puppet.message_send_text(event.payload.talker_id, "dong" + text[4:])
"""
_SAMPLE = re.compile(r'^(wechaty_web_\w+)\{account="([^"]+)"\} (\S+)$', re.MULTILINE)


def _fleet_file(tmp_path: Path, sandbox: str, names: tuple[str, ...], extra: str = "") -> Path:
    (tmp_path / "bot.py").write_text(BOT)
    lines = [f'sandbox = "{sandbox}"', 'metrics = "127.0.0.1:0"', "backoff = [0.2, 1.0]"]
    for name in names:
        lines += ["[[accounts]]", f'name = "{name}"', f'session = "sessions/{name}.json"',
                  'bot = "bot.py"', extra]  # fmt: skip
    path = tmp_path / "fleet.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _ding(sb: Sandbox, runner: AccountRunner, n: int) -> None:
    """A friend says ``ding n`` to the account (its bot answers ``dong n``)."""
    world = sb.accounts.find(runner.status.self_id).world
    world.send_text(from_=world.friends[0], to=world.bot, text=f"ding {n}")


async def _dong(sb: Sandbox, runner: AccountRunner, n: int) -> None:
    """The account's ``dong n`` reached the friend, exactly once so far."""
    world = sb.accounts.find(runner.status.self_id).world
    friend = world.friends[0]

    def answer(m: Any) -> bool:
        return bool(m.sender == world.bot.wxid and m.to == friend.wxid and m.text == f"dong {n}")

    await world.wait_for_message(answer, T * 2)
    assert len([m for m in world.messages if answer(m)]) == 1, f"{runner.name}: dong {n} twice"


async def _metrics(port: int | None) -> dict[tuple[str, str], float]:
    """The fleet's Prometheus samples with an account label: (name, account) -> value."""
    assert port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as resp,
    ):
        text = await resp.text()
    return {(name, account): float(value) for name, account, value in _SAMPLE.findall(text)}


async def test_a_fleet_of_five_survives_a_killed_browser_and_a_logout(
    sb: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in NAMES[1:]:
        sb.add_account()
    sb.accounts.auto_scan = True
    config = load_fleet(_fleet_file(tmp_path, sb.url, NAMES))
    async with Fleet(config) as fleet:
        runners = list(fleet.accounts.values())
        await asyncio.gather(*(r.wait_until(lambda s: s.state == "ready", T * 3) for r in runners))
        assert len({sb.accounts.find(r.status.self_id) for r in runners}) == 5
        sb.accounts.auto_scan = False  # from here on nothing may need a scan
        logged_out, *killed = runners
        scans: list[str] = []
        for r in killed:
            assert r.puppet is not None
            r.puppet.on(EventName.SCAN.value, lambda _e, n=r.name: scans.append(n))

        # A phone logs one account out: it reports it.
        sb.accounts.find(logged_out.status.self_id).phone.logout()
        await logged_out.wait_until(lambda s: s.state == "logged-out", T * 2)
        before = await _metrics(fleet.metrics_port)
        assert not any(k[0] == "wechaty_web_resets_total" for k in before)

        # The shared Chromium dies for real (SIGKILL, as the OOM killer does) while messages
        # are on their way: every account relaunches from its own cookies, the pool once.
        pids = owned_pids(fleet.pool.owner_tag)
        assert len(pids) == 1, pids  # the browser process (renderers do not carry the tag)
        resets = [r.puppet.wait_for(EventName.RESET, timeout=T * 2) for r in killed if r.puppet]
        os.kill(pids[0], signal.SIGKILL)
        for r in killed:
            _ding(sb, r, 1)  # sent while the browser is dead
        await asyncio.gather(*resets)
        assert fleet.pool.launches == 2 and owned_pids(fleet.pool.owner_tag) != pids
        await asyncio.gather(*(_dong(sb, r, 1) for r in killed))

        # After the kill: one account's send meets Ret 1205 once and backs off; all answer.
        sb.accounts.find(killed[0].status.self_id).faults.add("webwxsendmsg", ret=1205, count=1)
        for r in killed:
            _ding(sb, r, 2)
        await asyncio.gather(*(_dong(sb, r, 2) for r in killed))
        await asyncio.gather(*(r.wait_until(lambda s: s.messages_out >= 2, T) for r in killed))

        assert not scans  # nobody needed a new QR code
        for r in killed:
            assert r.status.logins == 1 and r.status.resets >= 1, r.status  # no second login
            assert r.status.restarts == 0  # the puppet recovered; the runner did not restart it
            assert (r.status.messages_in, r.status.messages_out) == (2, 2), r.status
        assert killed[0].status.backoffs == 1 and killed[1].status.backoffs == 0
        assert logged_out.status.logouts == 1 and logged_out.status.state == "logged-out"

        fleet.write_status()
        states = {a["name"]: a for a in read_status(config.status_file)["accounts"]}
        assert states[logged_out.name]["state"] == "logged-out"
        assert all(states[r.name]["state"] == "ready" for r in killed)
        assert all(states[r.name]["messages_in"] == 2 for r in killed)

        after = await _metrics(fleet.metrics_port)
        assert after["wechaty_web_logouts_total", logged_out.name] == 1
        assert after["wechaty_web_account_up", logged_out.name] == 0
        for r in killed:
            assert after["wechaty_web_resets_total", r.name] >= 1
            assert after["wechaty_web_logins_total", r.name] == 1
            assert after["wechaty_web_messages_received_total", r.name] == 2
            assert after["wechaty_web_messages_sent_total", r.name] == 2
            assert after["wechaty_web_account_up", r.name] == 1
            assert after["wechaty_web_event_latency_seconds_count", r.name] >= 4
        assert after["wechaty_web_rate_limit_backoffs_total", killed[0].name] == 1
        assert ("wechaty_web_rate_limit_backoffs_total", killed[1].name) not in after

        assert main(["fleet", "status", str(config.path)]) == 0
        table = capsys.readouterr().out
        assert "running" in table and all(name in table for name in NAMES)
        row = next(line for line in table.splitlines() if line.startswith(logged_out.name))
        assert row.split()[1] == "logged-out"


async def test_an_account_that_cannot_start_is_restarted_with_back_off(
    sb: Sandbox, tmp_path: Path
) -> None:
    # Nothing listens on port 9 (discard): every start fails at once.
    path = _fleet_file(tmp_path, sb.url, ("dead",), 'endpoint = "ws://127.0.0.1:9/none"')
    async with Fleet(load_fleet(path)) as fleet:
        runner = fleet.accounts["dead"]
        status = await runner.wait_until(lambda s: s.restarts >= 3, T)
        assert "ws://127.0.0.1:9/none" in status.last_error
        assert status.state in ("restarting", "starting")
    assert read_status(path.with_suffix(".status.json"))["accounts"][0]["state"] == "stopped"


async def test_an_account_served_as_a_puppet_service(sb: Sandbox, tmp_path: Path) -> None:
    from grpclib.client import Channel
    from grpclib.const import Cardinality

    from wechaty_puppet_web.service.stubs import puppet_contact_pb2 as contact

    token = "insecure_fleet"
    path = tmp_path / "fleet.toml"
    path.write_text(
        f'sandbox = "{sb.url}"\n[[accounts]]\nname = "sdk"\nsession = "s.json"\n'
        f'service = {{ endpoint = "127.0.0.1:0", token = "{token}" }}\n'
    )
    sb.phone.auto_scan = True
    async with Fleet(load_fleet(path)) as fleet:
        runner = fleet.accounts["sdk"]
        status = await runner.wait_until(lambda s: s.state == "ready", T * 2)
        host, port = status.service.rsplit(":", 1)
        channel = Channel(host, int(port))
        channel._authority = token
        try:
            call: Any
            async with channel.request(
                "/wechaty.Puppet/ContactList", Cardinality.UNARY_UNARY,
                contact.ContactListRequest, contact.ContactListResponse,
            ) as call:  # fmt: skip
                await call.send_message(contact.ContactListRequest(), end=True)
                listed = await call.recv_message()
        finally:
            channel.close()
        assert listed is not None and len(listed.ids) >= len(sb.world.friends)


async def test_the_fleet_command_runs_and_stops_on_sigterm(
    sb: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal
    import sys

    from ..service.conftest import run_bot

    path = _fleet_file(tmp_path, sb.url, ("cli",))
    path.write_text(path.read_text().replace("metrics", 'qr_dir = "qr"\nmetrics'))
    sb.phone.auto_scan = True
    argv = [sys.executable, "-m", "wechaty_puppet_web.cli", "-v", "fleet", str(path)]
    async with run_bot(argv, {}, tmp_path / "fleet.log") as fleet:
        await fleet.expect("fleet running: cli", T * 2)
        png = await fleet.expect("[cli] scan ", T * 2)
        assert png.endswith("with WeChat to log in") and (tmp_path / "qr" / "cli.png").is_file()
        await fleet.expect("[cli] ready", T * 2)
        assert main(["fleet", "status", str(path)]) == 0
        row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("cli"))
        assert row.split()[1] == "ready"
        fleet.proc.send_signal(signal.SIGTERM)
        await fleet.expect("fleet stopped", T)
        assert await asyncio.wait_for(fleet.proc.wait(), T) == 0
    assert "INFO [cli] wechaty_puppet_web.fleet: starting" in (tmp_path / "fleet.log").read_text()
