"""``wechaty-web run examples/ding_dong.py --sandbox --auto-scan --demo`` (``make demo``)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


async def test_demo_runs_the_ding_dong_example(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wechaty_puppet_web.cli", "run", str(ROOT / "examples/ding_dong.py"),
        "--sandbox", "--auto-scan", "--demo",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 90)
    finally:
        if proc.returncode is None:
            proc.kill()
    text = out.decode()
    assert proc.returncode == 0, text
    assert "Scan with WeChat to log in (https://login.weixin.qq.com/l/" in text
    assert "Alice says: ding" in text
    assert "Wechaty Bot answered Alice: dong" in text
    assert not (tmp_path / ".wechaty-web").exists()  # sandbox runs keep no session by default
