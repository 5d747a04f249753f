# ruff: noqa: RUF001 - verbatim Chinese server strings
"""Bot actions: rooms (create/add/invite/del/topic/quit), friendship, remark/pin, recall."""

from __future__ import annotations

from typing import Any

import pytest

from wechaty_puppet_web.errors import SandboxError
from wechaty_puppet_web.sandbox import Room, Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain, next_sync


async def _update(bot: BareClient, fun: str, room: str, **body: Any) -> dict[str, Any]:
    return await bot.call("webwxupdatechatroom", {"ChatRoomName": room, **body}, fun=fun)


async def test_create_room(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    members = [{"UserName": w.username_of(x)} for x in ("wxid_alice", "wxid_carol")]
    answer = await bot.call(
        "webwxcreatechatroom", {"MemberCount": 2, "MemberList": members, "Topic": "New <room>"}, r=1
    )
    assert answer["BaseResponse"] == {"Ret": 0, "ErrMsg": "Everything is OK"}
    assert answer["ChatRoomName"].startswith("@@") and answer["MemberCount"] == 2
    room = w.contact_by_username(answer["ChatRoomName"])
    assert isinstance(room, Room) and room.topic == "New <room>" and room.owner == "wxid_bot"
    assert room.members == ["wxid_bot", "wxid_alice", "wxid_carol"]
    data = await next_sync(bot)
    assert [c["UserName"] for c in data["ModContactList"]] == [answer["ChatRoomName"]]
    assert [m["Content"] for m in data["AddMsgList"]] == ['你邀请"Alice"、"卡罗尔"加入了群聊  ']


async def test_add_invite_delete_members(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    room = w.room("Wechaty Developers")
    name = w.username_of(room)
    carol, dave = w.username_of("wxid_carol"), w.username_of("wxid_dave")
    assert (await _update(bot, "addmember", name, AddMemberList=carol))["BaseResponse"]["Ret"] == 0
    assert (await _update(bot, "invitemember", name, InviteMemberList=dave))["MemberCount"] == 1
    assert room.members[-2:] == ["wxid_carol", "wxid_dave"]
    answer = await _update(bot, "delmember", name, DelMemberList=f"{carol},{dave}")
    assert answer["BaseResponse"]["Ret"] == 0 and "wxid_carol" not in room.members
    texts = [m["Content"] for m in await drain(bot) if m["MsgType"] == 10000]
    assert texts == [
        '你邀请"卡罗尔"加入了群聊  ',
        '你邀请"Dave"加入了群聊  ',
        '你将"卡罗尔"、"Dave"移出了群聊',
    ]


async def test_only_the_owner_removes_members(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    name = w.username_of(w.room("周末爬山群"))
    answer = await _update(bot, "delmember", name, DelMemberList=w.username_of("wxid_carol"))
    assert answer["BaseResponse"]["Ret"] == 1 and "wxid_carol" in w.room("周末爬山群").members


async def test_modtopic_and_quit(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    room = w.room("周末爬山群")
    name = w.username_of(room)
    assert (await _update(bot, "modtopic", name, NewTopic="山"))["BaseResponse"]["Ret"] == 0
    assert room.topic == "山"
    data = await next_sync(bot)
    assert data["ModContactList"][0]["NickName"] == "山"
    assert [m["Content"] for m in data["AddMsgList"]] == ["你修改群名为“山”"]
    assert (await _update(bot, "quitchatroom", name))["BaseResponse"]["Ret"] == 0
    assert "wxid_bot" not in room.members
    data = await next_sync(bot)
    assert data["DelContactList"] == [{"UserName": name, "ContactFlag": 0}]
    assert (await _update(bot, "modtopic", name, NewTopic="x"))["BaseResponse"]["Ret"] == 1


async def test_accept_friend_request(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    w.friend_request(from_="wxid_grace", hello="hi")
    [req] = (await next_sync(bot))["AddMsgList"]
    rec = req["RecommendInfo"]
    body = {
        "Opcode": 3,
        "VerifyUserListSize": 1,
        "VerifyUserList": [{"Value": rec["UserName"], "VerifyUserTicket": rec["Ticket"]}],
        "VerifyContent": "",
        "SceneListCount": 1,
        "SceneList": [33],
        "skey": bot.creds.skey,
    }
    assert (await bot.call("webwxverifyuser", body, r=1))["BaseResponse"]["Ret"] == 0
    assert w.contact("wxid_grace").friend
    data = await next_sync(bot)
    assert data["ModContactList"][0]["ContactFlag"] == 3
    assert [m["Content"] for m in data["AddMsgList"]] == ["你已添加了Grace，现在可以开始聊天了。"]
    again = await bot.call("webwxverifyuser", body, r=1)  # the ticket is used up
    assert again["BaseResponse"]["Ret"] == 1


async def test_send_friend_request(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    [room] = await bot.batchget([w.username_of(w.room("周末爬山群"))])
    frank = next(m for m in room["MemberList"] if m["NickName"] == "Frank")
    body = {
        "Opcode": 2,
        "VerifyUserListSize": 1,
        "VerifyUserList": [{"Value": frank["UserName"], "VerifyUserTicket": ""}],
        "VerifyContent": "我是bot",
        "SceneListCount": 1,
        "SceneList": [33],
    }
    assert (await bot.call("webwxverifyuser", body))["BaseResponse"]["Ret"] == 0
    assert w.outgoing_requests == {"wxid_frank": "我是bot"}
    w.accept_friend_request("wxid_frank")
    texts = [m["Content"] for m in (await next_sync(bot))["AddMsgList"]]
    assert texts == ["Frank刚刚把你添加到通讯录，现在可以开始聊天了。"]


async def test_remark_and_pin(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    alice = w.username_of("wxid_alice")
    answer = await bot.call("webwxoplog", {"UserName": alice, "CmdId": 2, "RemarkName": "Al"})
    assert answer["BaseResponse"]["Ret"] == 0 and w.contact("wxid_alice").remark == "Al"
    data = await next_sync(bot)
    assert data["ModContactList"][0]["RemarkName"] == "Al"
    await bot.call("webwxoplog", {"UserName": alice, "CmdId": 3, "OP": 1, "RemarkName": "Al"})
    assert w.contact("wxid_alice").pinned and w.contact("wxid_alice").remark == "Al"
    assert (await next_sync(bot))["ModContactList"][0]["ContactFlag"] == 3 | 0x800
    await bot.call("webwxoplog", {"UserName": alice, "CmdId": 3, "OP": 0})
    assert w.contact("wxid_alice").remark == ""  # omitting RemarkName wipes it (wechat4u note)
    bad = await bot.call("webwxoplog", {"UserName": alice, "CmdId": 9})
    assert bad["BaseResponse"]["Ret"] == 1


async def test_revoke(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    sent = await bot.send_text(w.username_of("wxid_alice"), "regret")
    body = {
        "SvrMsgId": sent["MsgID"],
        "ToUserName": w.username_of("wxid_alice"),
        "ClientMsgId": sent["LocalID"],
    }
    answer = await bot.call("webwxrevokemsg", body)
    assert answer["BaseResponse"]["Ret"] == 0 and answer["Introduction"].startswith("你可以撤回")
    recall = await w.wait_for_message(lambda m: m.msg_type == 10002, timeout=1)
    assert recall.extra["recalled"] == int(sent["MsgID"]) and w.message(sent["MsgID"]).recalled
    msgs = await drain(bot)
    assert [m["MsgType"] for m in msgs] == [1, 10002]
    assert "你撤回了一条消息" in msgs[1]["Content"] and "wxid_alice" in msgs[1]["Content"]


@pytest.mark.parametrize("case", ["old", "not_mine"])
async def test_revoke_refusals(box: Sandbox, bot: BareClient, case: str) -> None:
    w = box.world
    if case == "old":
        sent = await bot.send_text(w.username_of("wxid_alice"), "old")
        w.message(sent["MsgID"]).create_time -= 121
        msg_id = sent["MsgID"]
    else:
        msg_id = w.send_text(from_="wxid_alice", to=w.bot, text="theirs").id
    body = {"SvrMsgId": msg_id, "ToUserName": w.username_of("wxid_alice"), "ClientMsgId": "0"}
    assert (await bot.call("webwxrevokemsg", body))["BaseResponse"]["Ret"] == -1


async def test_search_contact(box: Sandbox, bot: BareClient) -> None:
    found = await bot.call("webwxsearchcontact", {"KeyWord": "Ali"})
    assert [c["NickName"] for c in found["List"]] == ["Alice"]


async def test_world_side_contact_and_alias_changes(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    w.update_contact("wxid_alice", nickname="Alicia", signature="new")
    w.set_room_alias("Wechaty Developers", "wxid_bob", "Bobo")
    data = await next_sync(bot)
    mods = {c["NickName"]: c for c in data["ModContactList"]}
    assert mods["Alicia"]["Signature"] == "new"
    room = mods["Wechaty Developers"]
    assert "Bobo" in {m["DisplayName"] for m in room["MemberList"]}
    with pytest.raises(SandboxError):
        w.update_contact("wxid_alice", wxid="x")
