"""python-wechaty 0.10.7, unmodified, with its default service puppet, through ``serve``."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import BOTS, SDK_PYTHON, TOKEN, Served, run_bot
from .scenario import reply_png, run_scenario

pytestmark = pytest.mark.browser


async def test_python_wechaty_bots_through_the_service(served: Served, tmp_path: Path) -> None:
    reply = reply_png()
    (tmp_path / "reply.png").write_bytes(reply)
    env = {
        "WECHATY_PUPPET_SERVICE_TOKEN": TOKEN,
        "WECHATY_PUPPET_SERVICE_ENDPOINT": served.endpoint,
        "REPLY_IMAGE": str(tmp_path / "reply.png"),
    }
    argv = [str(SDK_PYTHON), str(BOTS / "py_bot.py")]
    async with run_bot(argv, env, tmp_path / "bot.log") as bot:
        login = await bot.expect("LOGIN")
        assert login == f"LOGIN {served.puppet.self_id()}"
        await run_scenario(bot, served.sandbox, reply)
