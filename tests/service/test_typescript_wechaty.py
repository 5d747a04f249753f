"""TypeScript ``wechaty`` 1.x with ``wechaty-puppet-service``, unmodified, through the service over
TLS with the user's own certificate (the client's default transport), token in metadata."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import trustme
from playwright.async_api import Browser

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.service.server import TlsFiles

from .conftest import SDK_NODE, TOKEN, run_bot, serve
from .scenario import reply_png, run_scenario

pytestmark = pytest.mark.browser

SERVER_NAME = "wechaty-web.test"


async def test_typescript_wechaty_bots_through_the_service_over_tls(
    browser: Browser, sandbox: Sandbox, tmp_path: Path
) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert(SERVER_NAME)
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    tls = TlsFiles(cert=tmp_path / "cert.pem", key=tmp_path / "key.pem")
    reply = reply_png()
    (tmp_path / "reply.png").write_bytes(reply)
    node = shutil.which("node")
    assert node is not None, "node is needed for the TypeScript SDK test (make sdks)"
    async with serve(browser, sandbox, tls) as served:
        env = {
            "WECHATY_PUPPET_SERVICE_TOKEN": TOKEN,
            "WECHATY_PUPPET_SERVICE_ENDPOINT": served.endpoint,
            "WECHATY_PUPPET_SERVICE_TLS_CA_CERT": ca.cert_pem.bytes().decode(),
            "WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME": SERVER_NAME,
            "REPLY_IMAGE": str(tmp_path / "reply.png"),
            "WECHATY_LOG": "warn",
        }
        argv = [node, str(SDK_NODE / "ts_bot.mjs")]
        async with run_bot(argv, env, tmp_path / "bot.log") as bot:
            login = await bot.expect("LOGIN")
            assert login == f"LOGIN {served.puppet.self_id()}"
            await run_scenario(bot, served.sandbox, reply)
