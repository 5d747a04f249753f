"""Several bot accounts on one sandbox, over the bare protocol: routing, QR lobby, isolation."""

from __future__ import annotations

import pytest

from wechaty_puppet_web.errors import SandboxError
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain


async def _login(box: Sandbox, account: Sandbox) -> BareClient:
    """A bare client logged in as ``account``: its phone takes the QR code from the lobby."""
    client = BareClient(box)
    uuid = await client.jslogin()
    box.accounts.claim(account, uuid)
    account.phone.scan()
    account.phone.confirm()
    await client.newloginpage(await client.wait_login(uuid))
    await client.init()
    await drain(client)
    return client


async def test_each_account_has_its_own_session_world_and_messages(box: Sandbox) -> None:
    second = box.add_account()
    assert second.world.bot.wxid == "wxid_bot2" and second.port == box.port
    one, two = await _login(box, box), await _login(box, second)
    try:
        assert one.creds is not None and two.creds is not None
        assert one.creds.uin == str(box.world.bot.uin)
        assert two.creds.uin == str(second.world.bot.uin)
        assert box.accounts.find("wxid_bot2") is second
        # A message in the second account's world reaches its client only (the first one's
        # poll is held to the end and finds nothing).
        second.world.send_text(from_="wxid_alice", to=second.world.bot, text="for two")
        assert await two.synccheck() == (0, 2)
        assert [m["Content"] for m in await drain(two)] == ["for two"]
        assert await one.synccheck() == (0, 0)
        # Logging the second one out from its phone leaves the first logged in.
        second.phone.logout()
        assert (await two.synccheck())[0] == 1101
        assert (await one.synccheck())[0] == 0
    finally:
        await one.close()
        await two.close()


async def test_auto_scan_gives_each_qr_code_to_the_next_free_account(box: Sandbox) -> None:
    second = box.add_account()
    box.accounts.auto_scan = True
    clients = [BareClient(box), BareClient(box)]
    try:
        uins = set()
        for client in clients:
            uuid = await client.jslogin()
            creds = await client.newloginpage(await client.wait_login(uuid))
            uins.add(creds.uin)
        assert uins == {str(box.world.bot.uin), str(second.world.bot.uin)}
    finally:
        for client in clients:
            await client.close()


async def test_a_qr_code_can_be_claimed_only_from_the_lobby(box: Sandbox) -> None:
    second = box.add_account()
    with pytest.raises(SandboxError):
        box.accounts.claim(second, "nope")
    with pytest.raises(SandboxError):
        box.add_account(second.world)  # the same bot (uin) twice
    box.reset()
    assert box.accounts.extra == []
