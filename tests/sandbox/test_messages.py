# ruff: noqa: RUF001 - verbatim Chinese server strings
"""Incoming messages of every type and the system-line wording (zh and en)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from wechaty_puppet_web.sandbox import Room, Sandbox, World
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain, logged_in, next_sync


async def _one(bot: BareClient) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = (await next_sync(bot))["AddMsgList"]
    assert len(msgs) == 1, msgs
    return msgs[0]


def _xml(content: str) -> str:
    return html.unescape(content.replace("<br/>", "\n"))


async def test_image(box: Sandbox, bot: BareClient) -> None:
    box.world.send_image(from_="wxid_alice", to=box.world.bot)
    m = await _one(bot)
    assert (m["MsgType"], m["ImgStatus"]) == (3, 2)
    assert re.fullmatch(r"@[0-9a-f]+", m["Content"]) and m["ImgWidth"] > 0


async def test_voice(box: Sandbox, bot: BareClient) -> None:
    box.world.send_voice(from_="wxid_alice", to=box.world.bot, seconds=3)
    m = await _one(bot)
    assert (m["MsgType"], m["VoiceLength"]) == (34, 3000)
    assert 'voicelength="3000"' in _xml(m["Content"])


@pytest.mark.parametrize(("micro", "msg_type"), [(False, 43), (True, 62)])
async def test_video(box: Sandbox, bot: BareClient, micro: bool, msg_type: int) -> None:
    box.world.send_video(from_="wxid_alice", to=box.world.bot, seconds=5, micro=micro)
    m = await _one(bot)
    assert (m["MsgType"], m["PlayLength"]) == (msg_type, 5) and m["ImgHeight"] > 0


async def test_emoticon(box: Sandbox, bot: BareClient) -> None:
    box.world.send_emoticon(from_="wxid_alice", to=box.world.bot)
    m = await _one(bot)
    xml = _xml(m["Content"])
    assert m["MsgType"] == 47 and m["HasProductId"] == 0
    assert re.search(r'<emoji fromusername="wxid_alice" .*md5="[0-9a-f]{32}"', xml)


async def test_file(box: Sandbox, bot: BareClient) -> None:
    box.world.send_file(
        from_="wxid_alice", to=box.world.bot, name="report.final.pdf", data=b"%PDF" * 10
    )
    m = await _one(bot)
    assert (m["MsgType"], m["AppMsgType"], m["FileName"], m["FileSize"]) == (
        49,
        6,
        "report.final.pdf",
        "40",
    )
    assert m["MediaId"].startswith("@crypt_") and m["EncryFileName"] == "report%2Efinal%2Epdf"
    assert "<type>6</type>" in _xml(m["Content"]) and "<fileext>pdf</fileext>" in _xml(m["Content"])


async def test_link_escapes_twice(box: Sandbox, bot: BareClient) -> None:
    url = "https://example.com/a?b=1&c=2"
    box.world.send_link(from_="wxid_alice", to=box.world.bot, title="T", url=url, des="D")
    m = await _one(bot)
    assert (m["MsgType"], m["AppMsgType"], m["Url"], m["FileName"]) == (49, 5, url, "T")
    assert "b=1&amp;amp;c=2" in m["Content"]  # & in XML, escaped once more (§5.3)


async def test_card(box: Sandbox, bot: BareClient) -> None:
    box.world.send_card(from_="wxid_alice", to=box.world.bot, card_of="gh_wechaty")
    m = await _one(bot)
    rec = m["RecommendInfo"]
    assert m["MsgType"] == 42 and rec["NickName"] == "Wechaty News" and rec["VerifyFlag"] == 24
    assert box.world.contact_by_username(rec["UserName"]).wxid == "gh_wechaty"
    assert _xml(m["Content"]).startswith('<?xml version="1.0"?>\n<msg ')


async def test_location(box: Sandbox, bot: BareClient) -> None:
    box.world.send_location(
        from_="wxid_alice", to=box.world.bot, label="深圳市xxxx", x=22.0, y=113.0
    )
    m = await _one(bot)
    assert (m["MsgType"], m["SubMsgType"]) == (1, 48)
    assert m["Content"] == (
        f"深圳市xxxx:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid={m['MsgId']}"
        "&pictype=location"
    )
    assert m["Url"] == "http://apis.map.qq.com/uri/v1/geocoder?coord=22.000000,113.000000"
    assert '<location x="22.000000" y="113.000000" scale="16" label="深圳市xxxx"' in m["OriContent"]


async def test_mini_program_and_transfer(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    w.send_mini_program(from_="wxid_alice", to=w.bot, title="Game", appid="wxabc")
    w.send_transfer_notice(from_="wxid_alice", to=w.bot)
    a, b = (await next_sync(bot))["AddMsgList"]
    assert (a["AppMsgType"], a["FileName"]) == (33, "Game") and "<appid>wxabc</appid>" in _xml(
        a["Content"]
    )
    assert (b["AppMsgType"], b["FileName"]) == (2000, "微信转账")


async def test_friend_request(box: Sandbox, bot: BareClient) -> None:
    box.world.friend_request(from_="wxid_grace", hello="我是Grace")
    m = await _one(bot)
    rec = m["RecommendInfo"]
    assert m["MsgType"] == 37 and m["FromUserName"] == "fmessage"
    assert rec["Content"] == "我是Grace" and rec["OpCode"] == 2 and rec["Scene"] == 14
    assert re.fullmatch(r"v2_[0-9a-f]+@stranger", rec["Ticket"])
    assert box.world.contact_by_username(rec["UserName"]).wxid == "wxid_grace"
    assert 'fromusername="wxid_grace"' in _xml(m["Content"])


async def test_friend_request_hello_is_wire_text(box: Sandbox, bot: BareClient) -> None:
    # §5.3: the greeting is user text, escaped like a text message; the XML attribute carries it
    # XML-escaped inside the once-more escaped Content.
    box.world.friend_request(from_="wxid_grace", hello="hi <there> & you")
    m = await _one(bot)
    assert m["RecommendInfo"]["Content"] == "hi &lt;there&gt; &amp; you"
    assert 'content="hi &lt;there&gt; &amp; you"' in _xml(m["Content"])


async def test_recall_exposes_the_real_session_id(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    room = w.room("Wechaty Developers")
    original = w.send_text(from_="wxid_alice", to=room, text="oops")
    await next_sync(bot)
    w.recall(original)
    m = await _one(bot)
    assert m["MsgType"] == 10002 and m["Status"] == 4
    alice = w.username_of("wxid_alice")
    assert m["Content"].startswith(f'{alice}:<br/>&lt;sysmsg type="revokemsg"&gt;')
    xml = _xml(m["Content"].split(":<br/>", 1)[1])
    assert f"<session>{room.room_id}</session>" in xml and f"<msgid>{original.id}</msgid>" in xml
    assert '<replacemsg><![CDATA["Alice in room" 撤回了一条消息]]></replacemsg>' in xml


async def test_group_invitation_card(box: Sandbox, bot: BareClient) -> None:
    box.world.group_invitation(from_="wxid_alice", room="周末爬山群")
    m = await _one(bot)
    assert (m["MsgType"], m["AppMsgType"], m["FileName"]) == (49, 5, "邀请你加入群聊")
    assert '"Alice"邀请你加入群聊周末爬山群，进入可查看详情。' in _xml(m["Content"])


async def test_red_packet_notice(box: Sandbox, bot: BareClient) -> None:
    box.world.send_red_packet_notice(from_="wxid_alice", to=box.world.bot)
    m = await _one(bot)
    assert (m["MsgType"], m["Content"]) == (10000, "收到红包，请在手机上查看")
    assert m["FromUserName"] == box.world.username_of("wxid_alice")


def _invite(w: World) -> None:
    w.invite("Wechaty Developers", "wxid_alice", ["wxid_carol"])


def _invite_by_bot(w: World) -> None:
    w.invite("Wechaty Developers", w.bot, ["wxid_carol", "wxid_dave"])


def _new_room(w: World) -> str:
    room = Room(
        room_id="555@chatroom",
        topic="New",
        owner="wxid_alice",
        members=["wxid_alice", "wxid_carol"],
    )
    return w.add_room(room).room_id


def _invited_you(w: World) -> None:
    w.invite(_new_room(w), "wxid_alice", [w.bot])


def _qr_yours(w: World) -> None:
    w.join_by_qr("Wechaty Developers", "wxid_frank", w.bot)


def _qr_other(w: World) -> None:
    w.join_by_qr("Wechaty Developers", "wxid_frank", "wxid_alice")


def _kick_by_bot(w: World) -> None:
    w.kick("Wechaty Developers", w.bot, ["wxid_eve"])


def _kicked(w: World) -> None:
    w.kick("周末爬山群", "wxid_alice", [w.bot])


def _rename(w: World) -> None:
    w.rename_room("周末爬山群", "wxid_alice", "dong")


def _rename_by_bot(w: World) -> None:
    w.rename_room("周末爬山群", w.bot, "X")


def _they_added(w: World) -> None:
    w.accept_friend_request("wxid_grace")


SYSTEM_LINES = [
    (
        _invite,
        '"Alice in room"邀请"卡罗尔"加入了群聊',
        '"Alice in room" invited "卡罗尔" to the group chat',
    ),
    (
        _invite_by_bot,
        '你邀请"卡罗尔"、"Dave"加入了群聊  ',
        "You invited 卡罗尔、Dave to the group chat.   ",
    ),
    (
        _invited_you,
        '"Alice"邀请你加入了群聊，群聊参与人还有：卡罗尔',
        "Alice invited you to a group chat with 卡罗尔",
    ),
    (
        _qr_yours,
        '"Frank"通过扫描你分享的二维码加入群聊  ',
        '"Frank" joined group chat via the QR code you shared.  ',
    ),
    (
        _qr_other,
        '"Frank"通过扫描"Alice in room"分享的二维码加入群聊',
        '"Frank" joined the group chat via the QR Code shared by "Alice in room".',
    ),
    (_kick_by_bot, '你将"Eve"移出了群聊', 'You removed "Eve" from the group chat'),
    (_kicked, '你被"Alice"移出群聊', 'You were removed from the group chat by "Alice"'),
    (_rename, '"Alice"修改群名为“dong”', '"Alice" changed the group name to "dong"'),
    (_rename_by_bot, "你修改群名为“X”", 'You changed the group name to "X"'),
    (
        _they_added,
        "Grace刚刚把你添加到通讯录，现在可以开始聊天了。",
        "Grace just added you to his/her contacts list. Send a message to him/her now!",
    ),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("action", "zh", "en"), SYSTEM_LINES)
async def test_system_lines(box_server: Sandbox, action: Any, zh: str, en: str, lang: str) -> None:
    box_server.reset(lang=lang)
    async with BareClient(box_server) as bot:
        await logged_in(box_server, bot)
        action(box_server.world)
        lines = [m for m in await drain(bot) if m["MsgType"] == 10000]
    assert [m["Content"] for m in lines] == [zh if lang == "zh" else en]
    assert lines[0]["ToUserName"] == bot.user["UserName"]


async def test_third_party_kick_is_silent_but_updates_members(
    box: Sandbox, bot: BareClient
) -> None:
    box.world.kick("Wechaty Developers", "wxid_alice", ["wxid_eve"])
    data = await next_sync(bot)
    assert data["AddMsgCount"] == 0 and data["ModContactCount"] == 1
    [room] = data["ModContactList"]
    assert {m["NickName"] for m in room["MemberList"]} == {
        "Wechaty Bot",
        "Alice",
        'Bob<span class="emoji emoji1f436"></span>',
    }
    assert room["ChatRoomOwner"] == bot.user["UserName"]


async def test_rooms_the_bot_is_not_in_stay_invisible(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    _new_room(w)
    w.send_text(from_="wxid_alice", to="555@chatroom", text="secret")
    w.send_text(from_="wxid_alice", to=w.bot, text="visible")
    assert [m["Content"] for m in await drain(bot)] == ["visible"]


async def test_any_app_message_type(box: Sandbox, bot: BareClient) -> None:
    box.world.send_app_message(
        from_="wxid_alice", to=box.world.bot, app_type=3, title="Song", url="http://m.example/x"
    )
    m = await _one(bot)
    assert (m["MsgType"], m["AppMsgType"], m["FileName"]) == (49, 3, "Song")
    assert "<type>3</type>" in _xml(m["Content"])


async def test_store_sticker(box: Sandbox, bot: BareClient) -> None:
    box.world.send_emoticon(from_="wxid_alice", to=box.world.bot, store=True)
    m = await _one(bot)
    assert (m["MsgType"], m["HasProductId"], m["Content"]) == (47, 1, "")
