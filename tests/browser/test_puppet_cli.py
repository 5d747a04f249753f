"""``wechaty-web run examples/ding_dong.py --sandbox --auto-scan --demo`` (``make demo``)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from wechaty_puppet_web.sandbox import Sandbox

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


async def test_demo_runs_the_ding_dong_example(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wechaty_puppet_web.cli", "run", str(ROOT / "examples/ding_dong.py"),
        "--sandbox", "--auto-scan", "--demo",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 90)
    finally:
        if proc.returncode is None:
            proc.kill()
    text = out.decode()
    assert proc.returncode == 0, text + err.decode()
    # no "error: BridgeError(... page closed)" at shutdown (a warning under load may appear)
    assert "error" not in err.decode().lower(), err.decode()
    assert "Scan with WeChat to log in (https://login.weixin.qq.com/l/" in text
    assert "Alice says: ding" in text
    assert "Wechaty Bot answered Alice: dong" in text
    assert not (tmp_path / ".wechaty-web").exists()  # sandbox runs keep no session by default


def test_login_says_saved_only_once_the_session_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wechaty_puppet_web.browser.session import SessionStore
    from wechaty_puppet_web.cli import main

    path = tmp_path / "session.json"
    assert (
        main(["login", "--sandbox", "--auto-scan", "--session", str(path), "--timeout", "60"]) == 0
    )
    out = capsys.readouterr()
    assert f"Session saved to {path}" in out.out
    assert out.err == ""
    saved = SessionStore(path).info(strict=True)
    assert saved is not None and {"wxuin", "wxsid"} <= {c["name"] for c in saved.cookies}


def test_record_once_writes_a_new_cassette_then_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wechaty_puppet_web.cli import main
    from wechaty_puppet_web.recording import load

    out = tmp_path / "session.jsonl"
    argv = [
        "record",
        str(out),
        "--sandbox",
        "--auto-scan",
        "--mode",
        "once",
        "--duration",
        "0",
        "--timeout",
        "60",
    ]
    assert main(argv) == 0
    assert f"cassette written: {out}" in capsys.readouterr().out
    recorded = out.read_bytes()
    assert [e.name for e in load(out).events][:1] == ["scan"]
    assert main(argv) == 2  # once: an existing cassette is never re-recorded
    assert "exists and record mode 'once' does not re-record it" in capsys.readouterr().err
    assert out.read_bytes() == recorded


async def test_record_against_a_running_sandbox_by_url(sandbox: Sandbox, tmp_path: Path) -> None:
    # the sandbox options mean the same as for login/run/serve: --sandbox-url reaches a sandbox
    # started elsewhere (here the test's own; its phone scans by itself)
    sandbox.phone.auto_scan = True
    out = tmp_path / "by-url.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wechaty_puppet_web.cli", "record", str(out),
        "--sandbox-url", sandbox.url, "--duration", "0", "--timeout", "60",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 90)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, stdout.decode() + stderr.decode()
    assert f"cassette written: {out}" in stdout.decode()
    assert "sandbox listening" not in stdout.decode()  # no in-process sandbox was started
    from wechaty_puppet_web.recording import load

    cassette = load(out)
    assert cassette.meta.get("source") == "sandbox"
    names = [e.name for e in cassette.events]
    assert names[:1] == ["scan"] and "login" in names
