"""wechat4u 0.7.14 (npm, unmodified) against ``wechaty-web sandbox``: the whole life of a bot."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Driver, SandboxProcess, media_of

CLIENTS = Path(__file__).parent / "clients" / "node_modules"
DRIVER = Path(__file__).parent / "drivers" / "wechat4u_driver.js"
ROOM = "Wechaty Developers"  # the bot's room with Alice and Bob (default world)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
async def wechat4u(sandbox_process: SandboxProcess, tmp_path: Path) -> Any:
    assert (CLIENTS / "wechat4u").is_dir(), "run `make clients` (make test does)"
    node = shutil.which("node")
    assert node is not None
    env = sandbox_process.client_env(tmp_path) | {"NODE_PATH": str(CLIENTS)}
    driver = await Driver.start([node, str(DRIVER)], env, tmp_path)
    try:
        yield driver
    finally:
        await driver.close()


async def test_wechat4u_lives_a_bots_life(
    wechat4u: Driver, sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    sb = sandbox_process
    # QR login scanned by the phone (wechat4u exchanges the ticket without `fun`: a 301)
    login = asyncio.create_task(wechat4u.call("login"))
    await sb.scan_and_confirm()
    me = await login
    world = await sb.get("/v1/world")
    assert me["nick"] == world["bot"]["nickname"]

    # contacts and rooms
    book = await wechat4u.call("contacts")
    assert {"Alice", "Bob🐶", "卡罗尔", "Dave"} <= set(book["friends"])
    rooms = {r["topic"]: r["members"] for r in book["rooms"]}
    # wechat4u leaves member names as the server sends them (emoji as <span> markup)
    bob = 'Bob<span class="emoji emoji1f436"></span>'
    assert sorted(rooms[ROOM]) == sorted(["Wechaty Bot", "Alice", bob, "Eve"])

    # receive text, image and file from a friend and in a room
    sent = await sb.post("/v1/messages", {"from": "wxid_alice", "to": "bot", "text": "hi w4u"})
    got = await wechat4u.event(lambda e: e.get("msg_id") == sent["msg_id"])
    assert got["text"] == "hi w4u" and not got["room"]
    sent = await sb.post(
        "/v1/messages", {"from": "wxid_bob", "to": "1000001@chatroom", "text": "yo"}
    )
    got = await wechat4u.event(lambda e: e.get("msg_id") == sent["msg_id"])
    assert got["room"] and got["text"].endswith("yo")
    image = await sb.post("/v1/images", {"from": "wxid_bob", "to": "1000001@chatroom"})
    got = await wechat4u.event(lambda e: e.get("msg_id") == image["msg_id"] and "media" in e)
    assert got["media"]["md5"] == md5(await sb.media(image["msg_id"]))
    data = bytes(range(256)) * 40
    body = {"from": "wxid_alice", "to": "bot", "name": "data.bin"}
    file = await sb.post("/v1/files", body | {"data": base64.b64encode(data).decode()})
    got = await wechat4u.event(lambda e: e.get("msg_id") == file["msg_id"] and "media" in e)
    assert (got["file_name"], got["media"]["md5"]) == ("data.bin", md5(data))

    # voice and video (downloaded with MsgID / Range as the client asks)
    for route in ("/v1/voices", "/v1/videos"):
        mid = (await sb.post(route, {"from": "wxid_alice", "to": "bot"}))["msg_id"]
        got = await wechat4u.event(media_of(mid))
        assert got["media"]["md5"] == md5(await sb.media(mid)), route

    # three sends at once (wechat4u makes ClientMsgId from Date.now() * 1000, so they may share
    # it): each is delivered to its own receiver
    texts = await asyncio.gather(
        *(wechat4u.call("send_text", nick=n, text=f"hi {n}") for n in ("Alice", "Bobby", "Dave"))
    )
    # (wechat4u also sends its own heartbeat text to filehelper: asked by receiver, not counted)
    for (wxid, nick), sent_text in zip(
        [("wxid_alice", "Alice"), ("wxid_bob", "Bobby"), ("wxid_dave", "Dave")], texts, strict=True
    ):
        [out] = await sb.bot_sent(to=wxid)
        assert (out["msg_id"], out["text"]) == (sent_text["msg_id"], f"hi {nick}")
    assert len({t["msg_id"] for t in texts}) == 3

    # send an image and a file
    picture = tmp_path / "pic.jpg"
    picture.write_bytes(await sb.media(image["msg_id"]))
    pic = await wechat4u.call("send_file", topic=ROOM, path=str(picture))
    [out] = await sb.bot_sent(to="1000001@chatroom")
    assert (out["msg_id"], out["type"]) == (pic["msg_id"], "image")
    assert await sb.media(pic["msg_id"]) == picture.read_bytes()
    doc = tmp_path / "notes.txt"
    doc.write_bytes("笔记 notes\n".encode() * 80_000)  # 1.2 MB: three upload chunks
    sent_doc = await wechat4u.call("send_file", nick="Alice", path=str(doc))
    [out] = await sb.bot_sent(after=texts[0]["msg_id"], to="wxid_alice")
    assert (out["msg_id"], out["type"], out["file_name"]) == (
        sent_doc["msg_id"],
        "file",
        "notes.txt",
    )
    assert await sb.media(sent_doc["msg_id"]) == doc.read_bytes()

    # avatars of a friend and of a room
    for who in ({"nick": "Alice"}, {"topic": ROOM}):
        head = await wechat4u.call("avatar", **who)
        assert head["head"].startswith("ffd8") and head["size"] > 500, who

    # revoke (by SvrMsgId, with a fresh ClientMsgId)
    first = texts[0]
    assert (await wechat4u.call("revoke", nick="Alice", msg_id=first["msg_id"]))["ret"] == 0
    mine = await sb.get("/v1/messages", **{"from": "bot"})
    assert [m["recalled"] for m in mine if m["msg_id"] == first["msg_id"]] == [True]

    # a room renamed by a member arrives as a system line (MsgType 10000)
    await sb.post("/v1/rooms/1000001@chatroom/topic", {"by": "wxid_alice", "topic": "新名字"})
    note = await wechat4u.event(lambda e: e.get("msg_type") == 10000 and "新名字" in e["text"])
    assert note["room"]

    # logout
    await wechat4u.call("logout")
    assert not (await sb.get("/v1/status"))["logged_in"]
