"""Record the web client's session against the sandbox, replay it with routes only (no puppet)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from wechaty_puppet_web.errors import CassetteError, CassetteMismatchError
from wechaty_puppet_web.recording import Recorder, Replayer, load
from wechaty_puppet_web.sandbox import Sandbox

from .support import (
    cassette_text,
    edit_lines,
    open_page,
    probe_context,
    reached_sandbox,
    sandbox_session,
    wait_logged_in,
    wait_text,
)

pytestmark = pytest.mark.browser


@dataclass
class Recorded:
    path: Path
    secrets: list[str]


async def _record(browser: Browser, sandbox: Sandbox, path: Path, pseudonymize: bool) -> Recorded:
    sandbox.reset()
    context = await browser.new_context(**sandbox.context_options())  # type: ignore[arg-type]
    try:
        async with Recorder(path, pseudonymize=pseudonymize) as recorder:
            await recorder.install(context)
            page, secrets = await sandbox_session(context, sandbox)
            await recorder.quiesce()  # follow-up fetches recorded; then nothing more is sent
            await page.close()
    finally:
        await context.close()
    return Recorded(path=path, secrets=secrets)


async def _close(replayer: Replayer, page: Page) -> None:
    """Stop answering (held long polls end), then close the page while routes still abort."""
    await replayer.close()  # freezes the page's scripts first
    await page.close()


@pytest.fixture(scope="module")
async def recorded(
    browser: Browser, sandbox_server: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Recorded]:
    path = tmp_path_factory.mktemp("cassettes") / "page.jsonl"
    yield await _record(browser, sandbox_server, path, pseudonymize=False)


async def test_replay_answers_everything_offline(
    browser: Browser, sandbox_server: Sandbox, recorded: Recorded
) -> None:
    context = await probe_context(browser)  # no sandbox options: only the routes can answer
    try:
        async with Replayer(recorded.path) as replayer:
            await replayer.install(context)
            page = await open_page(context)
            await wait_logged_in(page)
            await wait_text(page)
            assert replayer.errors == []
            assert replayer.served
            await _close(replayer, page)
    finally:
        await context.close()
    assert reached_sandbox(sandbox_server) == []


async def test_no_secret_in_cassette(recorded: Recorded) -> None:
    text = cassette_text(recorded.path)
    assert recorded.secrets, "the session exposed no secret to look for"
    for secret in recorded.secrets:
        assert secret not in text
    header = json.loads(text.splitlines()[0])
    assert header["redacted"] is True


async def test_dropped_response_names_nearest(
    browser: Browser, recorded: Recorded, tmp_path: Path
) -> None:
    edited = tmp_path / "dropped.jsonl"
    edit_lines(recorded.path, edited, lambda i, line: "/webwxinit" not in line)
    context = await browser.new_context()
    try:
        async with Replayer(edited) as replayer:
            await replayer.install(context)
            page = await open_page(context)
            error = await replayer.wait_for_error(timeout=15)
            await _close(replayer, page)
    finally:
        await context.close()
    assert isinstance(error, CassetteMismatchError)
    message = str(error)
    assert "no recorded response for POST https://" in message and "/webwxinit" in message
    assert "nearest recorded request:" in message
    with pytest.raises(CassetteMismatchError):
        replayer.raise_errors()


async def test_older_version_fails_clearly(recorded: Recorded, tmp_path: Path) -> None:
    edited = tmp_path / "old.jsonl"
    lines = recorded.path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0]) | {"version": 0}
    edited.write_text(json.dumps(header) + "\n" + "\n".join(lines[1:]), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"format version 0 .* reads version 1"):
        Replayer(edited)


async def test_pseudonymised_cassette_still_replays(
    browser: Browser, sandbox_server: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "pseudo.jsonl"
    await _record(browser, sandbox_server, path, pseudonymize=True)
    cassette = load(path)
    assert cassette.pseudonymized
    api_text = "".join(
        (r.response.body.decode("utf-8", "replace") + r.request.url)
        for r in cassette.http
        if "/cgi-bin/" in r.request.url
    )
    for personal in ("Alice", "卡罗尔", "wxid_alice", "wxid_bob"):
        assert personal not in api_text
    context = await probe_context(browser)
    try:
        async with Replayer(path) as replayer:
            await replayer.install(context)
            page = await open_page(context)
            await wait_logged_in(page)
            await wait_text(page)
            assert replayer.errors == []
            await _close(replayer, page)
    finally:
        await context.close()
    assert reached_sandbox(sandbox_server) == []
