"""Many accounts without a browser: renamed bot worlds, browser-server options, CLI wiring."""

from __future__ import annotations

import pytest

from wechaty_puppet_web.browser.pool import BrowserPool
from wechaty_puppet_web.browser.remote import server_config
from wechaty_puppet_web.cli import build_parser
from wechaty_puppet_web.errors import LaunchError
from wechaty_puppet_web.sandbox.accounts import account_world


def test_an_added_account_has_its_own_bot_everywhere() -> None:
    first, third = account_world(1), account_world(3)
    assert first.bot.wxid == "wxid_bot"
    assert third.bot.wxid == "wxid_bot3" and third.bot.uin == first.bot.uin + 2
    assert all("wxid_bot" not in r.members for r in third.rooms)
    assert {r.room_id for r in third.bot_rooms()} == {r.room_id for r in first.bot_rooms()}


def test_the_browser_server_maps_the_sandbox_where_chromium_runs() -> None:
    config = server_config(sandbox="https://127.0.0.1:8443", port=9000)
    args = config["args"]
    assert isinstance(args, list)
    assert any(a.startswith("--host-resolver-rules=MAP *.qq.com 127.0.0.1:8443") for a in args)
    assert config["port"] == 9000 and str(config["wsPath"]).startswith("/")
    assert server_config()["wsPath"] != server_config()["wsPath"]  # a secret path each time


def test_a_pool_refuses_a_puppet_of_another_sandbox() -> None:
    pool = BrowserPool()
    pool.check_sandbox("https://127.0.0.1:1")
    pool.check_sandbox("https://127.0.0.1:1")
    with pytest.raises(LaunchError):
        pool.check_sandbox("https://127.0.0.1:2")


@pytest.mark.parametrize("command", ["login", "run", "record", "replay"])
def test_every_browser_command_takes_an_endpoint(command: str) -> None:
    extra = {"run": ["bot.py"], "record": ["out.jsonl"], "replay": ["c.jsonl"]}.get(command, [])
    args = build_parser().parse_args([command, *extra, "--endpoint", "ws://h:1/p"])
    assert args.endpoint == "ws://h:1/p"


def test_the_sandbox_command_serves_several_accounts() -> None:
    assert build_parser().parse_args(["sandbox", "--accounts", "3"]).accounts == 3
    assert build_parser().parse_args(["sandbox"]).accounts == 1
