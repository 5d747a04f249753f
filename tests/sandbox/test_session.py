"""Session protocol: init, contacts paging, batchget, statusnotify, synccheck/sync, send + echo."""

from __future__ import annotations

import asyncio
import io
import json
import re
from typing import Any

import pytest

from wechaty_puppet_web.errors import WebWxError
from wechaty_puppet_web.sandbox import Sandbox, World
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain, logged_in, next_sync, raw_session

HEX64 = re.compile(r"@[0-9a-f]{64}")


async def test_init_shape(box: Sandbox, client: BareClient) -> None:
    await client.login(box)
    data = await client.init()
    user = data["User"]
    assert user["Uin"] == 1703160001 and HEX64.fullmatch(user["UserName"])
    assert user["NickName"] == "Wechaty Bot" and "WebWxPluginSwitch" in user
    assert data["SyncKey"]["Count"] == 4
    assert [k["Key"] for k in data["SyncKey"]["List"]] == [1, 2, 3, 1000]
    assert data["ChatSet"].endswith(",") and data["ChatSet"].startswith("filehelper,")
    assert data["Count"] == len(data["ContactList"]) <= 10
    assert data["SKey"] == client.creds.skey and data["InviteStartCount"] == 40
    rooms = [c for c in data["ContactList"] if c["UserName"].startswith("@@")]
    assert rooms and all(m["NickName"] == "" for r in rooms for m in r["MemberList"])
    assert all(re.fullmatch(r"@@[0-9a-f]{64}", r["UserName"]) for r in rooms)


async def test_init_accepts_string_uin_and_empty_skey(box: Sandbox, client: BareClient) -> None:
    await client.login(box)
    br = {"Uin": client.creds.uin, "Sid": client.creds.sid, "Skey": "", "DeviceID": "e1"}
    data = await client.post_json(
        client.url("webwxinit", pass_ticket="undefined"), {"BaseRequest": br}
    )
    assert data["BaseResponse"]["Ret"] == 0


async def test_contacts_are_paged_by_seq(box: Sandbox, client: BareClient) -> None:
    box.contact_page_size = 3
    await logged_in(box, client)
    seqs: list[int] = []
    seq = 0
    while True:
        url = client.url("webwxgetcontact", seq=seq, skey=client.creds.skey, r=1)
        page = json.loads((await client.get_text(url))[1])
        assert list(page) == ["BaseResponse", "MemberCount", "MemberList", "Seq"]
        assert page["MemberCount"] == len(page["MemberList"]) <= 3
        seq = page["Seq"]
        seqs.append(seq)
        if seq == 0:
            break
    assert len(seqs) == 3 and all(seqs[:-1])  # 7 accounts + 1 saved room, 3 per page
    everyone = await client.contacts()
    nicks = {c["NickName"] for c in everyone}
    assert {"Alice", "文件传输助手", "微信团队", "Wechaty News", "Wechaty Developers"} <= nicks
    assert len(everyone) == 8
    assert "Eve" not in nicks  # strangers are not in the address book
    saved = [c for c in everyone if c["UserName"].startswith("@@")]
    assert [(r["MemberCount"], r["MemberList"]) for r in saved] == [(0, [])]
    bob = next(c for c in everyone if c["RemarkName"] == "Bobby")
    assert bob["NickName"] == 'Bob<span class="emoji emoji1f436"></span>'
    assert bob["ContactFlag"] == 3 and bob["HeadImgUrl"].startswith(
        "/cgi-bin/mmwebwx-bin/webwxgeticon?"
    )


async def test_getcontact_by_post_too(box: Sandbox, bot: BareClient) -> None:
    data = await bot.call("webwxgetcontact", {}, seq=0, skey=bot.creds.skey)
    assert data["BaseResponse"]["Ret"] == 0 and data["MemberCount"] > 0


async def test_batchget_room_and_stranger_member(box: Sandbox, bot: BareClient) -> None:
    room = box.world.room("Wechaty Developers")
    [full] = await bot.batchget([box.world.username_of(room)])
    assert re.fullmatch(r"@[0-9a-f]{32}", full["EncryChatRoomId"]) and full["IsOwner"] == 1
    members = {m["NickName"]: m for m in full["MemberList"]}
    assert set(members) == {
        "Wechaty Bot",
        "Alice",
        'Bob<span class="emoji emoji1f436"></span>',
        "Eve",
    }
    assert members["Alice"]["DisplayName"] == "Alice in room"
    [eve] = await bot.batchget([members["Eve"]["UserName"]], room=full["EncryChatRoomId"])
    assert eve["NickName"] == "Eve" and eve["ContactFlag"] == 0


async def test_statusnotify_code3_queues_msgtype_51(box: Sandbox, client: BareClient) -> None:
    await client.login(box)
    await client.init()
    answer = await client.statusnotify()
    assert answer["MsgID"].isdigit()
    [msg] = (await next_sync(client))["AddMsgList"]
    assert msg["MsgType"] == 51 and msg["StatusNotifyCode"] == 4
    me = client.user["UserName"]
    assert msg["FromUserName"] == msg["ToUserName"] == me
    names = msg["StatusNotifyUserName"].split(",")
    real = re.search(r"&lt;username&gt;(.*?)&lt;/username&gt;", msg["Content"])
    assert real is not None
    ids = real.group(1).split(",")
    assert len(ids) == len(names) and ids[0] == "filehelper"
    assert {box.world.contact_by_username(n).wxid for n in names[1:]} == set(ids[1:])


async def test_synccheck_without_cookies_is_1102(box: Sandbox, bot: BareClient) -> None:
    url = bot.url(
        "synccheck",
        bot.push_host,
        sid=bot.creds.sid,
        skey=bot.creds.skey,
        uin=bot.creds.uin,
        synckey=bot.synckey_text(),
    )
    async with raw_session(box) as http, http.get(url) as r:
        assert r.content_type == "text/javascript"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert await r.text() == 'window.synccheck={retcode:"1102",selector:"0"}'


async def test_synccheck_with_a_wrong_skey_is_1101(box: Sandbox, bot: BareClient) -> None:
    bot.creds.skey = "@crypt_00000000_00000000000000000000000000000000"
    assert await bot.synccheck() == (1101, 0)


async def test_synccheck_idle_answers_selector_0(box: Sandbox, bot: BareClient) -> None:
    async with bot.http.get(
        bot.url(
            "synccheck",
            bot.push_host,
            r=1,
            skey=bot.creds.skey,
            sid=bot.creds.sid,
            uin=bot.creds.uin,
            deviceid="e1",
            synckey=bot.synckey_text(),
        )
    ) as r:
        assert await r.text() == 'window.synccheck={retcode:"0",selector:"0"}'


async def test_synccheck_wakes_at_once() -> None:
    async with Sandbox(login_hold=0.2, synccheck_hold=30) as sb, BareClient(sb) as c:
        await c.login(sb)
        await c.init()
        check = asyncio.create_task(c.synccheck())
        assert sb.sessions.current is not None
        await asyncio.wait_for(sb.sessions.current.polling.wait(), 3)  # the poll is held
        sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="wake up")
        assert await asyncio.wait_for(check, 3) == (0, 2)


async def test_sync_key_evolution_and_retry(box: Sandbox, bot: BareClient) -> None:
    before = dict((k["Key"], k["Val"]) for k in bot.sync_key["List"])
    old_key = bot.sync_key
    box.world.send_text(from_="wxid_alice", to=box.world.bot, text="one")
    first = await next_sync(bot)
    assert [m["Content"] for m in first["AddMsgList"]] == ["one"]
    after = dict((k["Key"], k["Val"]) for k in first["SyncKey"]["List"])
    assert first["SyncKey"]["Count"] == 7 and first["SyncCheckKey"] == first["SyncKey"]
    assert all(after[k] >= v for k, v in before.items() if k in after) and after[2] > before[2]
    new_key, bot.sync_key = bot.sync_key, old_key  # the answer was "lost": retry the old key
    again = await bot.sync()
    assert [m["MsgId"] for m in again["AddMsgList"]] == [m["MsgId"] for m in first["AddMsgList"]]
    bot.sync_key = new_key
    assert (await bot.sync())["AddMsgCount"] == 0


async def test_continue_flag_for_bursts(box: Sandbox, bot: BareClient) -> None:
    for i in range(250):
        box.world.send_text(from_="wxid_alice", to=box.world.bot, text=f"m{i}")
    first = await bot.sync()
    assert first["AddMsgCount"] == 100 and first["ContinueFlag"] == 1
    rest = await drain(bot)
    texts = [m["Content"] for m in first["AddMsgList"] + rest]
    assert texts == [f"m{i}" for i in range(250)]


async def test_message_ids_are_strings_and_big_numbers(box: Sandbox, bot: BareClient) -> None:
    box.world.send_text(from_="wxid_alice", to=box.world.bot, text="x")
    [m] = (await next_sync(bot))["AddMsgList"]
    assert isinstance(m["MsgId"], str) and m["NewMsgId"] == int(m["MsgId"]) > 2**53
    assert m["Status"] == 3 and m["ImgStatus"] == 1 and m["FileSize"] == ""


async def test_text_escaping_and_emoji(box: Sandbox, bot: BareClient) -> None:
    box.world.send_text(from_="wxid_alice", to=box.world.bot, text='<b>"a" & b</b>\nnext 😀')
    [m] = (await next_sync(bot))["AddMsgList"]
    assert (
        m["Content"]
        == '&lt;b&gt;"a" &amp; b&lt;/b&gt;<br/>next <span class="emoji emoji1f600"></span>'
    )


async def test_room_message_has_sender_prefix(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    room = w.room("Wechaty Developers")
    w.send_text(from_="wxid_alice", to=room, text="hello all", mentions=[w.bot])
    [m] = (await next_sync(bot))["AddMsgList"]
    alice = w.username_of("wxid_alice")
    assert m["FromUserName"] == w.username_of(room) and m["ToUserName"] == bot.user["UserName"]
    assert m["Content"] == f"{alice}:<br/>@Wechaty Bot\u2005hello all"


async def test_send_text_and_echo(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    answer = await bot.send_text(w.username_of("wxid_alice"), "dong <3")
    assert answer["MsgID"].isdigit() and answer["LocalID"]
    sent = await w.wait_for_message(lambda m: m.text == "dong <3", timeout=1)
    assert (sent.sender, sent.to, sent.id) == ("wxid_bot", "wxid_alice", answer["MsgID"])
    [echo] = (await next_sync(bot))["AddMsgList"]
    assert echo["MsgId"] == answer["MsgID"] and echo["FromUserName"] == bot.user["UserName"]
    assert echo["ToUserName"] == w.username_of("wxid_alice") and echo["Content"] == "dong &lt;3"


async def test_send_to_room_with_mentions_echoes_without_prefix(
    box: Sandbox, bot: BareClient
) -> None:
    w = box.world
    room = w.room("Wechaty Developers")
    alice = w.username_of("wxid_alice")
    msg = {
        "Type": 1,
        "Content": "@Alice hi",
        "FromUserName": bot.user["UserName"],
        "ToUserName": w.username_of(room),
        "LocalID": "1",
        "ClientMsgId": "1",
        "MsgSource": f"<msgsource><atusername>{alice}</atusername><atchatroomname>"
        f"{w.username_of(room)}</atchatroomname></msgsource>",
    }
    assert (await bot.call("webwxsendmsg", {"Msg": msg, "Scene": 0}))["BaseResponse"]["Ret"] == 0
    sent = await w.wait_for_message(lambda m: m.text == "@Alice hi", timeout=1)
    assert sent.mentions == ("wxid_alice",) and sent.room == room.room_id
    [echo] = (await next_sync(bot))["AddMsgList"]
    assert echo["Content"] == "@Alice hi"


async def test_retried_send_is_not_duplicated(box: Sandbox, bot: BareClient) -> None:
    msg = {
        "Type": 1,
        "Content": "once",
        "FromUserName": bot.user["UserName"],
        "ToUserName": box.world.username_of("wxid_alice"),
        "LocalID": "77",
        "ClientMsgId": "77",
    }
    a = await bot.call("webwxsendmsg", {"Msg": msg, "Scene": 0})
    b = await bot.call("webwxsendmsg", {"Msg": msg, "Scene": 0})
    assert a["MsgID"] == b["MsgID"]
    assert [m.text for m in box.world.messages].count("once") == 1


async def test_send_to_self_is_1204_and_unknown_peer_fails(box: Sandbox, bot: BareClient) -> None:
    with pytest.raises(WebWxError) as info:
        await bot.send_text(bot.user["UserName"], "me")
    assert info.value.ret == 1204
    with pytest.raises(WebWxError) as info:
        await bot.send_text("@" + "0" * 32, "nobody")
    assert info.value.ret == -1
    assert (await bot.send_text("filehelper", "note"))["BaseResponse"]["Ret"] == 0


async def test_phone_send_arrives_from_self(box: Sandbox, bot: BareClient) -> None:
    box.phone.send_text("wxid_carol", "from my phone")
    [m] = (await next_sync(bot))["AddMsgList"]
    assert m["FromUserName"] == bot.user["UserName"] and m["Content"] == "from my phone"
    assert m["ToUserName"] == box.world.username_of("wxid_carol")


@pytest.mark.parametrize(
    ("body", "ret"),
    [
        ({}, 1101),  # no BaseRequest
        ({"BaseRequest": {"Uin": 1, "Sid": "nope", "Skey": "", "DeviceID": "e1"}}, 1101),
    ],
)
async def test_bad_credentials(
    box: Sandbox, bot: BareClient, body: dict[str, object], ret: int
) -> None:
    url = bot.url("webwxsync", pass_ticket="x")
    async with raw_session(box) as http, http.post(url, json=body) as r:
        assert json.loads(await r.text())["BaseResponse"]["Ret"] == ret


async def test_wrong_skey_and_uin_are_1101(box: Sandbox, bot: BareClient) -> None:
    for field, value in (("Skey", "@crypt_bad"), ("Uin", 12345)):
        br = bot.base_request() | {field: value}
        data = await bot.post_json(bot.url("webwxinit"), {"BaseRequest": br})
        assert data["BaseResponse"]["Ret"] == 1101


async def test_malformed_json_is_1200_and_huge_bodies_413(box: Sandbox, bot: BareClient) -> None:
    async with bot.http.post(bot.url("webwxsync"), data=b"{not json") as r:
        assert r.status == 200 and json.loads(await r.text())["BaseResponse"]["Ret"] == 1200
    async with bot.http.post(bot.url("webwxsync"), data=io.BytesIO(b"x" * (3 * 1024 * 1024))) as r:
        assert r.status == 413
    assert (await bot.sync())["BaseResponse"]["Ret"] == 0  # the server is fine


async def test_logouts(box: Sandbox, bot: BareClient) -> None:
    await bot.logout()
    assert await bot.synccheck() == (1100, 0)
    data = await bot.post_json(bot.url("webwxinit"), {"BaseRequest": bot.base_request()})
    assert data["BaseResponse"]["Ret"] == 1100


async def test_phone_logout_is_1101(box: Sandbox, bot: BareClient) -> None:
    box.phone.logout()
    assert await bot.synccheck() == (1101, 0)
    answer = await bot.call("webwxstatusnotify", {"Code": 1})
    assert answer == {"BaseResponse": {"Ret": 1101, "ErrMsg": ""}, "MsgID": ""}


async def test_unknown_endpoint_and_host(box: Sandbox, bot: BareClient) -> None:
    assert (await bot.get_text(bot.url("nosuchthing")))[0] == 404
    assert (await bot.get_text(bot.url("webwxinit", host="webpush.wx2.qq.com")))[0] == 404
    assert (await bot.get_text("https://support.weixin.qq.com/cgi-bin/mmsupport-bin/reportforweb"))[
        0
    ] == 200
    noise = await bot.call("webwxstatreport", {"Count": 0, "List": []}, fun="new")
    assert noise["BaseResponse"]["Ret"] == 0


async def test_big_json_is_gzipped(box: Sandbox, client: BareClient) -> None:
    box.reset(World.generate(contacts=100, rooms=3, members_per_room=10))
    await logged_in(box, client)
    url = client.url("webwxgetcontact", seq=0, skey=client.creds.skey)
    async with client.http.get(url, headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers.get("Content-Encoding") == "gzip"
        assert json.loads(await r.text())["MemberCount"] == 102  # friends, filehelper, 1 room


async def test_phone_opens_and_reads_chats(box: Sandbox, bot: BareClient) -> None:
    box.phone.open_chat("wxid_alice")
    box.phone.read_chat("wxid_alice")
    opened, read = (await next_sync(bot))["AddMsgList"]
    alice = box.world.username_of("wxid_alice")
    assert (opened["MsgType"], opened["StatusNotifyCode"], opened["StatusNotifyUserName"]) == (
        51,
        2,
        alice,
    )
    assert (read["StatusNotifyCode"], read["ToUserName"]) == (1, alice)


async def test_lenient_pass_ticket_spellings(box: Sandbox, bot: BareClient) -> None:
    double = bot.creds.pass_ticket.replace("%", "%25")
    for pt in (double, bot.creds.pass_ticket, "undefined", ""):
        url = bot.url("webwxsync", sid=bot.creds.sid, skey=bot.creds.skey) + f"&pass_ticket={pt}"
        body = {"BaseRequest": bot.base_request(), "SyncKey": bot.sync_key, "rr": "-1"}
        assert (await bot.post_json(url, body))["BaseResponse"]["Ret"] == 0


async def test_name_changes_reach_batchget(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    room = w.room("Wechaty Developers")
    [before] = await bot.batchget([w.username_of(room)])
    w.contact("wxid_alice").nickname = "Alicia"
    room.display_names["wxid_bob"] = "Bob <3"
    [after] = await bot.batchget([w.username_of(room)])
    names = {m["NickName"]: m["DisplayName"] for m in after["MemberList"]}
    assert "Alicia" in names and "Alice" not in names
    assert names['Bob<span class="emoji emoji1f436"></span>'] == "Bob &lt;3"
    assert len(before["MemberList"]) == len(after["MemberList"])


@pytest.mark.parametrize(
    ("change", "selector"),
    [
        (lambda w: w.send_text(from_="wxid_alice", to=w.bot, text="m"), 2),
        (lambda w: w.set_remark("wxid_alice", "A."), 4),
        (lambda w: w.leave_room("周末爬山群", w.bot), 6),
    ],
)
async def test_synccheck_selectors(
    box: Sandbox, bot: BareClient, change: Any, selector: int
) -> None:
    change(box.world)
    assert await bot.synccheck() == (0, selector)
    await bot.sync()
    assert await bot.synccheck() == (0, 0)


async def test_stranger_changes_are_not_pushed(box: Sandbox, bot: BareClient) -> None:
    box.world.update_contact("wxid_grace", nickname="G")
    assert await bot.synccheck() == (0, 0)


async def test_bare_client_message_loop(box: Sandbox, bot: BareClient) -> None:
    for text in ("a", "b", "c"):
        box.world.send_text(from_="wxid_alice", to=box.world.bot, text=text)
    got: list[str] = []
    async for msg in bot.messages():
        got.append(msg["Content"])
        if len(got) == 3:
            break
    assert got == ["a", "b", "c"]
    box.phone.logout()
    with pytest.raises(WebWxError) as info:
        async for _ in bot.messages():
            pass
    assert info.value.ret == 1101


def test_an_idle_session_log_is_bounded(box: Sandbox) -> None:
    from wechaty_puppet_web.sandbox import session as session_mod

    s = session_mod.Session(world=box.world, api_host="wx2.qq.com", lang="zh")
    for i in range(session_mod.MAX_LOG + 5):
        s.push("raw", {"n": i})
    assert len(s.pending(0)) == session_mod.MAX_LOG and s.acked == 5
