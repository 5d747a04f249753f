"""The control API (plain HTTP JSON on loopback) and the HTTPS proxy in front of the sandbox."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient
from wechaty_puppet_web.sandbox.control import ControlServer
from wechaty_puppet_web.sandbox.proxy import ProxyServer, served

from .util import next_sync


@pytest.fixture
async def api(box: Sandbox) -> AsyncIterator[Any]:
    control = ControlServer(box)
    await control.start()
    async with aiohttp.ClientSession(base_url=control.url) as http:
        yield http
    await control.stop()


async def _json(resp: aiohttp.ClientResponse) -> Any:
    return await resp.json(content_type=None)


async def test_world_json_has_the_documented_shape(api: Any, box: Sandbox) -> None:
    async with api.get("/v1/world") as r:
        world = await _json(r)
    assert world == box.world.to_json()
    assert world["bot"]["wxid"] == box.world.bot.wxid
    assert {"wxid", "nickname"} <= set(world["contacts"][0])
    assert any(c.get("friend") is False for c in world["contacts"])
    assert {"room_id", "topic", "members"} <= set(world["rooms"][0])


async def test_messages_in_and_out(
    api: Any, box: Sandbox, bot: BareClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api.post(
        "/v1/messages", json={"from": "wxid_alice", "to": "bot", "text": "hi bot"}
    ) as r:
        msg_id = (await _json(r))["msg_id"]
    [got] = (await next_sync(bot))["AddMsgList"]
    assert (got["MsgId"], got["Content"]) == (msg_id, "hi bot")

    room = box.world.bot_rooms()[0]
    async with api.post(
        "/v1/messages", json={"from": room.members[1], "to": room.room_id, "text": "in room"}
    ) as r:
        assert r.status == 200
    [got] = (await next_sync(bot))["AddMsgList"]
    assert got["Content"].endswith(":<br/>in room")

    # what the bot sent, awaited with wait=: the send happens only once the sandbox holds the
    # GET (its wait on the world has begun), so the answer proves the hold was woken.
    holding = asyncio.Event()
    hold = box.world.wait_for_message

    async def spy(*args: Any, **kwargs: Any) -> Any:
        holding.set()
        return await hold(*args, **kwargs)

    monkeypatch.setattr(box.world, "wait_for_message", spy)

    async def later() -> None:
        await holding.wait()
        await bot.send_text(box.world.username_of("wxid_bob"), "from the bot")

    task = asyncio.create_task(later())
    async with api.get("/v1/messages", params={"from": "bot", "wait": "10"}) as r:
        sent = await _json(r)
    await task
    assert [(m["to"], m["type"], m["text"]) for m in sent] == [("wxid_bob", "text", "from the bot")]
    assert sent[0]["msg_id"] and sent[0]["from"] == "bot"
    # after= skips what was seen; wait= without news answers an empty list in time
    params = {"from": "bot", "after": sent[0]["msg_id"], "wait": "0.2"}
    async with api.get("/v1/messages", params=params) as r:
        assert await _json(r) == []


async def test_images_files_media_and_recall(api: Any, box: Sandbox, bot: BareClient) -> None:
    data = b"%PDF-1.4 a small file"
    body = {
        "from": "wxid_alice",
        "to": "bot",
        "name": "a.pdf",
        "data": base64.b64encode(data).decode(),
    }
    async with api.post("/v1/files", json=body) as r:
        file_id = (await _json(r))["msg_id"]
    async with api.post("/v1/images", json={"from": "wxid_alice", "to": "bot"}) as r:
        image_id = (await _json(r))["msg_id"]
    async with api.get(f"/v1/messages/{file_id}/media") as r:
        assert await r.read() == data
    async with api.get(f"/v1/messages/{image_id}/media") as r:
        assert (await r.read())[:2] == b"\xff\xd8" and r.content_type == "image/jpeg"
    async with api.get("/v1/messages", params={"from": "wxid_alice"}) as r:
        kinds = [(m["type"], m["file_name"], m["size"]) for m in await _json(r)]
    assert kinds[0] == ("file", "a.pdf", len(data)) and kinds[1][0] == "image"
    for route, kind in (("/v1/voices", "voice"), ("/v1/videos", "video")):
        async with api.post(route, json={"from": "wxid_bob", "to": "bot"}) as r:
            mid = (await _json(r))["msg_id"]
        assert box.world.message(mid).media and message_kind(box, mid) == kind
    async with api.post(f"/v1/messages/{image_id}/recall") as r:
        assert r.status == 200
    assert box.world.message(image_id).recalled


async def test_rooms_friends_and_contacts(api: Any, box: Sandbox) -> None:
    w = box.world
    async with api.post(
        "/v1/contacts", json={"wxid": "wxid_zed", "nickname": "Zed", "friend": False}
    ) as r:
        assert r.status == 200
    async with api.post("/v1/friend-requests", json={"from": "wxid_zed", "hello": "hi"}) as r:
        assert (await _json(r))["msg_id"]
    assert w.friend_tickets.get("wxid_zed")
    async with api.post(
        "/v1/rooms", json={"creator": "wxid_alice", "members": ["bot", "wxid_bob"], "topic": "t"}
    ) as r:
        room_id = (await _json(r))["room_id"]
    assert w.bot.wxid in w.room(room_id).members
    async with api.post(
        f"/v1/rooms/{room_id}/topic", json={"by": "wxid_alice", "topic": "new"}
    ) as r:
        assert r.status == 200
    async with api.post(
        f"/v1/rooms/{room_id}/invite", json={"by": "wxid_alice", "members": ["wxid_carol"]}
    ) as r:
        assert r.status == 200
    async with api.post(
        f"/v1/rooms/{room_id}/kick", json={"by": "wxid_alice", "members": ["wxid_carol"]}
    ) as r:
        assert r.status == 200
    room = w.room(room_id)
    assert room.topic == "new" and "wxid_carol" not in room.members
    async with api.post("/v1/friend-requests/wxid_zed/accept") as r:
        assert r.status == 200
    assert w.contact("wxid_zed").friend


async def test_phone_actions(api: Any, box: Sandbox, client: BareClient) -> None:
    uuid = await client.jslogin()
    async with api.get("/v1/phone/qr", params={"wait": "5"}) as r:
        assert (await _json(r))["uuid"] == uuid
    async with api.post("/v1/phone/scan") as r:
        assert r.status == 200
    assert (await client.poll(uuid))[0] == 201
    async with api.post("/v1/phone/confirm") as r:
        assert r.status == 200
    redirect = await client.wait_login(uuid)
    await client.newloginpage(redirect)
    async with api.get("/v1/status") as r:
        assert (await _json(r))["logged_in"] is True
    async with api.post("/v1/phone/logout") as r:
        assert r.status == 200
    async with api.get("/v1/status") as r:
        assert (await _json(r))["logged_in"] is False


async def test_bad_requests_are_clear_errors(api: Any) -> None:
    cases = [
        ("post", "/v1/messages", {"from": "nobody", "to": "bot", "text": "x"}, 400),
        ("post", "/v1/messages", {"from": "wxid_alice", "to": "bot"}, 400),
        ("post", "/v1/files", {"from": "wxid_alice", "to": "bot", "name": "a", "data": "**"}, 400),
        ("post", "/v1/phone/scan", None, 400),  # no QR code shown
        ("post", "/v1/phone/fly", None, 404),
        ("get", "/v1/nothing", None, 404),
        ("get", "/v1/messages/123/media", None, 404),
    ]
    for method, path, body, status in cases:
        async with getattr(api, method)(path, json=body) as r:
            assert r.status == status, path
            assert "error" in await _json(r)
    async with api.post("/v1/messages", data=b"{not json") as r:
        assert r.status == 400


def message_kind(box: Sandbox, msg_id: str) -> str:
    from wechaty_puppet_web.sandbox.control import message_json

    return str(message_json(box.world.message(msg_id), box.world.bot.wxid)["type"])


def test_the_proxy_serves_only_wechat_hosts() -> None:
    assert served("wx.qq.com") and served("webpush.wx2.qq.com") and served("login.web.wechat.com")
    assert not served("example.com") and not served("evilqq.com") and not served("qq.com.evil")


@pytest.fixture
async def proxy(box: Sandbox) -> AsyncIterator[ProxyServer]:
    p = ProxyServer(box.host, box.port, box.client_ssl_context())
    await p.start()
    yield p
    await p.stop()


async def test_connect_through_the_proxy_reaches_the_real_host_names(
    box: Sandbox, proxy: ProxyServer
) -> None:
    # No resolver trick: the client asks the proxy for login.wx.qq.com and trusts the sandbox CA.
    connector = aiohttp.TCPConnector(ssl=box.client_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as http:
        url = "https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN"
        async with http.get(url, proxy=proxy.url) as r:
            assert (await r.text()).startswith("window.QRLogin.code = 200;")
        with pytest.raises(aiohttp.ClientHttpProxyError, match="403"):
            await http.get("https://example.com/", proxy=proxy.url)


async def test_absolute_form_requests_are_forwarded(box: Sandbox, proxy: ProxyServer) -> None:
    reader, writer = await asyncio.open_connection(proxy.host, proxy.port)
    writer.write(
        b"GET https://login.wx.qq.com/jslogin?appid=x&fun=new HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\nProxy-Connection: keep-alive\r\n\r\n"
    )
    answer = await reader.read()  # the proxy closes after one request
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"window.QRLogin.code = 200;" in body
