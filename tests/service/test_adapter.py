"""python-wechaty in one process over PuppetWeb (``wechaty_puppet_web.adapter``).

The check runs in the python-wechaty venv (``make sdks``), where python-wechaty and this package
are both installed; here we only run it and read its verdict. Besides Message/Room/Contact it
checks the adapter's two renamings: PuppetWeb's ``heartbeat`` reaches python-wechaty as
``heart-beat`` (re-emitted as its ``heartbeat``), and ``message_send_contact``'s arguments arrive
in PuppetWeb's order. Without python-wechaty the adapter
refuses to import with a clear error (checked in this venv, which has none).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wechaty_puppet_web.errors import WechatyEnvironmentError

from .conftest import BOTS, SDK_PYTHON, run_bot


@pytest.mark.browser
async def test_python_wechaty_message_room_contact_api_in_process(tmp_path: Path) -> None:
    argv = [str(SDK_PYTHON), str(BOTS / "adapter_check.py")]
    async with run_bot(argv, {}, tmp_path / "adapter.log") as check:
        await check.expect("ADAPTER OK", timeout=120)
        assert await check.proc.wait() == 0, check.tail()


def test_the_adapter_names_what_is_missing() -> None:
    with pytest.raises(WechatyEnvironmentError, match="python-wechaty is not installed"):
        import wechaty_puppet_web.adapter  # noqa: F401
