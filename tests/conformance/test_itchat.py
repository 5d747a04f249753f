"""itchat-uos 1.4.1 and itchat-uos-fix 1.5.1.dev0 (PyPI, unmodified) against the standalone
sandbox: the whole life of a bot. 1.4.1 ignores the ticket XML (Skey "", pass_ticket = DeviceID,
sid/uin from cookies); the fork reads skey/pass_ticket from it again."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, Driver, SandboxProcess, media_of

# itchat in its own venvs (make clients), never the project's
VENVS = {"itchat-uos 1.4.1": ".venv-itchat", "itchat-uos-fix 1.5.1.dev0": ".venv-itchat-fix"}
DRIVER = Path(__file__).parent / "drivers" / "itchat_driver.py"
ROOM = "Wechaty Developers"  # the bot's room with Alice and Bob (default world)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture(params=list(VENVS.values()), ids=list(VENVS))
async def itchat(sandbox_process: SandboxProcess, tmp_path: Path, request: Any) -> Any:
    python = ROOT / request.param / "bin" / "python"
    assert python.exists(), "run `make clients` (make test does)"
    env = sandbox_process.client_env(tmp_path)
    driver = await Driver.start([str(python), str(DRIVER)], env, tmp_path)
    driver.name = request.param
    try:
        yield driver
    finally:
        await driver.close()


async def test_itchat_lives_a_bots_life(
    itchat: Driver, sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    sb = sandbox_process
    # QR login scanned by the phone
    login = asyncio.create_task(itchat.call("login"))
    await sb.scan_and_confirm()
    me = await login
    world = await sb.get("/v1/world")
    assert me["nick"] == world["bot"]["nickname"]
    assert (await sb.get("/v1/status"))["logged_in"]

    # contacts and rooms (emoji nicknames decoded by itchat itself)
    book = await itchat.call("contacts")
    friends = {c["nickname"] for c in world["contacts"] if c.get("friend", True)}
    assert {"Alice", "Bob🐶", "卡罗尔", "Dave"} <= set(book["friends"]) <= friends
    rooms = {r["topic"]: r["members"] for r in book["rooms"]}
    assert sorted(rooms[ROOM]) == sorted(["Wechaty Bot", "Alice", "Bob🐶", "Eve"])

    # receive text, image and file from a friend and in a room
    sent = await sb.post("/v1/messages", {"from": "wxid_alice", "to": "bot", "text": "hi itchat"})
    got = await itchat.event(lambda e: e.get("text") == "hi itchat")
    assert got["msg_id"] == sent["msg_id"] and not got["room"]
    await sb.post("/v1/messages", {"from": "wxid_bob", "to": "1000001@chatroom", "text": "in room"})
    got = await itchat.event(lambda e: e.get("text") == "in room")
    assert got["room"] and got["sender_nick"] == "Bob🐶"  # itchat shows the nickname
    image = await sb.post("/v1/images", {"from": "wxid_alice", "to": "bot"})
    got = await itchat.event(lambda e: e.get("msg_id") == image["msg_id"])
    assert got["type"] == "Picture" and got["media"]["md5"] == md5(await sb.media(image["msg_id"]))
    data = b"conformance file \x00\x01" * 100
    body = {"from": "wxid_bob", "to": "1000001@chatroom", "name": "notes.bin"}
    file = await sb.post("/v1/files", body | {"data": base64.b64encode(data).decode()})
    got = await itchat.event(lambda e: e.get("msg_id") == file["msg_id"])
    assert (got["type"], got["file_name"], got["media"]["md5"]) == (
        "Attachment",
        "notes.bin",
        md5(data),
    )

    # voice and video (downloaded with MsgID / Range as the client asks)
    for route in ("/v1/voices", "/v1/videos"):
        mid = (await sb.post(route, {"from": "wxid_alice", "to": "bot"}))["msg_id"]
        got = await itchat.event(media_of(mid))
        assert got["media"]["md5"] == md5(await sb.media(mid)), route

    # send text, image and file
    text = await itchat.call("send_text", nick="Alice", text="hello from itchat")
    [out] = await sb.bot_sent()
    assert (out["msg_id"], out["to"], out["type"], out["text"]) == (
        text["msg_id"], "wxid_alice", "text", "hello from itchat"
    )  # fmt: skip
    picture = tmp_path / "pic.jpg"
    picture.write_bytes(await sb.media(image["msg_id"]))
    sent_img = await itchat.call("send_image", topic=ROOM, path=str(picture))
    [out] = await sb.bot_sent(after=text["msg_id"])
    assert (out["msg_id"], out["to"], out["type"]) == (
        sent_img["msg_id"],
        "1000001@chatroom",
        "image",
    )
    assert await sb.media(out["msg_id"]) == picture.read_bytes()
    doc = tmp_path / "report.txt"
    doc.write_bytes(b"a report " * 70_000)  # 630 KB: two upload chunks
    sent_doc = await itchat.call("send_file", nick="Bobby", path=str(doc))
    [out] = await sb.bot_sent(after=sent_img["msg_id"])
    assert (out["to"], out["type"], out["file_name"]) == ("wxid_bob", "file", "report.txt")
    assert await sb.media(sent_doc["msg_id"]) == doc.read_bytes()

    # avatars of a friend and of a room
    for who in ({"nick": "Alice"}, {"topic": ROOM}):
        head = await itchat.call("avatar", **who)
        assert head["head"].startswith("ffd8") and head["size"] > 500, who

    # revoke
    revoked = await itchat.call(
        "revoke", nick="Alice", msg_id=text["msg_id"], local_id=text["local_id"]
    )
    assert revoked["ret"] == 0
    [mine] = [
        m for m in await sb.get("/v1/messages", **{"from": "bot"}) if m["msg_id"] == text["msg_id"]
    ]
    assert mine["recalled"]

    # a room renamed by a member arrives as a system note; a friend request, accepted
    await sb.post("/v1/rooms/1000001@chatroom/topic", {"by": "wxid_alice", "topic": "新名字"})
    note = await itchat.event(lambda e: e.get("type") == "Note" and "新名字" in e.get("text", ""))
    assert note["room"]
    await sb.post("/v1/contacts", {"wxid": "wxid_zoe", "nickname": "Zoe", "friend": False})
    request = await sb.post("/v1/friend-requests", {"from": "wxid_zoe", "hello": "我是Zoe"})
    got = await itchat.event(lambda e: e.get("msg_id") == request["msg_id"])
    assert (got["event"], got["hello"]) == ("friend_request", "我是Zoe")
    accepted = (await itchat.call("accept_friend", msg_id=request["msg_id"]))["ret"]
    zoe = [c for c in (await sb.get("/v1/world"))["contacts"] if c["wxid"] == "wxid_zoe"]
    if itchat.name == ".venv-itchat-fix":
        assert accepted is None  # the fork has no add_friend: its msg.user.verify() cannot work
    else:
        assert accepted == 0 and zoe[0].get("friend", True)

    # logout
    await itchat.call("logout")
    assert not (await sb.get("/v1/status"))["logged_in"]
