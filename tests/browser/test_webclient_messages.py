"""Incoming messages through the fake web client: `message:add:success`, fields, rewrites, traps."""

# ruff: noqa: RUF001 - the zh placeholders use the fullwidth comma

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page

from wechaty_puppet_web.sandbox import Sandbox, WorldMessage

from .test_webclient_support import (
    T,
    events,
    login,
    wait_sync_idle,
    wait_synced,
)

pytestmark = pytest.mark.browser


async def wait_ids(page: Page, ids: list[str]) -> dict[str, Any]:
    """Wait until a `message:add:success` was recorded for each MsgId; return them by id."""
    await page.wait_for_function(
        "ids => { var got = window.__wc.events.filter(e => e.name === 'message:add:success')"
        ".map(e => e.arg.MsgId); return ids.every(i => got.indexOf(i) > -1); }",
        arg=ids,
        timeout=T,
    )
    return {m["MsgId"]: m for m in await events(page, "message:add:success")}


def post_all(sb: Sandbox) -> dict[str, WorldMessage]:
    w = sb.world
    alice, bob, eve = w.contact("wxid_alice"), w.contact("wxid_bob"), w.contact("wxid_eve")
    room, bot = w.room("1000001@chatroom"), w.bot
    return {
        "text": w.send_text(from_=alice, to=bot, text="hi <b> & http://example.com/a?b=1 [微笑]"),
        "image": w.send_image(from_=alice, to=bot),
        "voice": w.send_voice(from_=alice, to=bot),
        "video": w.send_video(from_=alice, to=bot),
        "micro": w.send_video(from_=alice, to=bot, micro=True),
        "sticker": w.send_emoticon(from_=alice, to=bot),
        "link": w.send_link(from_=alice, to=bot, title="T", url="https://example.com/x", des="D"),
        "file": w.send_file(from_=alice, to=bot, name="Report.PDF", data=b"x" * 2048),
        "card": w.send_card(from_=alice, to=bot, card_of=bob),
        "location": w.send_location(from_=alice, to=bot),
        "mini": w.send_mini_program(from_=alice, to=bot),
        "transfer": w.send_transfer_notice(from_=alice, to=bot),
        "room": w.send_text(from_=bob, to=room, text="hello room"),
        "request": w.friend_request(from_=eve, hello="我是Eve"),
        "phone": sb.phone.send_text(alice, "from my phone"),
    }


async def test_every_incoming_type_fires_once_with_documented_fields(
    page: Page, wc: Sandbox
) -> None:
    await login(page, wc)
    w = wc.world
    posted = post_all(wc)
    sys_line = w.rename_room("1000001@chatroom", "wxid_alice", "New Topic")
    assert sys_line is not None
    ids = {k: str(m.msg_id) for k, m in posted.items()} | {"sys": str(sys_line.msg_id)}
    got = await wait_ids(page, list(ids.values()))
    m = {k: got[v] for k, v in ids.items()}
    alice_un = w.username_of(w.contact("wxid_alice"))
    bob_un = w.username_of(w.contact("wxid_bob"))
    room_un = w.username_of(w.room("1000001@chatroom"))

    text = m["text"]
    assert text["MsgType"] == 1 and text["MMPeerUserName"] == alice_un
    assert text["MMIsSend"] is False and text["MMIsChatRoom"] is False
    assert text["MMActualSender"] == alice_un and text["MMUnread"] is True
    assert text["LocalID"] == text["ClientMsgId"] == text["MsgId"]
    assert text["MMDisplayTime"] <= text["CreateTime"] and ":" in text["MMDigestTime"]
    assert "&lt;b&gt; &amp;" in text["MMActualContent"]
    assert (
        '<a target="_blank" href="/cgi-bin/mmwebwx-bin/webwxcheckurl?requrl=http%3A%2F%2F'
        in (text["MMActualContent"])
    )
    assert 'class="qqemoji qqemoji0" text="[微笑]_web"' in text["MMActualContent"]
    assert "&lt;b&gt;" in text["Content"]  # raw fields are kept
    assert (m["image"]["MsgType"], m["image"]["MMDigest"]) == (3, "[图片]")
    assert m["voice"]["MsgType"] == 34 and m["voice"]["MMVoiceUnRead"] is True
    assert (m["video"]["MMDigest"], m["micro"]["MsgType"], m["micro"]["MMDigest"]) == (
        "[视频]",
        62,
        "[小视频]",
    )
    assert m["sticker"]["MsgType"] == 47
    assert m["sticker"]["md5"] == posted["sticker"].extra["md5"]
    link = m["link"]
    assert (link["MsgType"], link["AppMsgType"], link["MMAppMsgDesc"]) == (49, 5, "D")
    assert link["MMIsAppMsg"] is True and link["MMDigest"] == "[链接]T"
    f = m["file"]
    assert (f["MsgType"], f["AppMsgType"], f["MMAppMsgFileExt"]) == (49, 6, "pdf")
    assert f["MMAppMsgFileSize"] == "2.0KB" and f["MMFileStatus"] == 2
    assert f["MMAppMsgDownloadUrl"].startswith(
        f"https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?sender={alice_un}&mediaid="
    )
    card = m["card"]
    assert card["MsgType"] == 42 and card["MMUserName"]
    assert "&msgid=" + card["MsgId"] in card["RecommendInfo"]["HeadImgUrl"]
    loc = m["location"]
    assert (loc["MsgType"], loc["SubMsgType"]) == (1, 48)
    assert loc["MMLocationDesc"] == "深圳市南山区科技园" and loc["MMLocationUrl"] == loc["Url"]
    mini = m["mini"]
    assert (mini["MsgType"], mini["AppMsgType"], mini["_noSupportMsg"]) == (1, 33, True)
    assert mini["MMActualContent"] == "[收到一条网页版微信暂不支持的消息类型，请在手机上查看]"
    assert m["transfer"]["MsgType"] == 1
    assert m["transfer"]["MMActualContent"] == "[收到一条微信转账消息，请在手机上查看]"
    room = m["room"]
    assert room["MMIsChatRoom"] is True and room["MMPeerUserName"] == room_un
    assert room["MMActualSender"] == bob_un and room["MMActualContent"] == "hello room"
    assert room["Content"].startswith(bob_un + ":<br/>")
    assert room["MMDigest"] == "Bobby:hello room"  # sender's display name prefix
    req = m["request"]
    info = req["RecommendInfo"]
    assert req["MsgType"] == 37 and req["MMFromVerifyMsg"] is True
    assert info["Ticket"].startswith("v2_") and "&msgid=" + req["MsgId"] in info["HeadImgUrl"]
    assert all(v for v in info.values())  # falsy keys were deleted
    assert req["MMDigest"].endswith("想要将你加为朋友")
    phone = m["phone"]
    assert phone["MMIsSend"] is True and phone["MMPeerUserName"] == alice_un
    assert m["sys"]["MsgType"] == 10000 and m["sys"]["MMUnread"] is False
    stranger = await page.evaluate(
        "u => [typeof window._strangerContacts[u], window._strangerContacts[u].isContact]",
        info["UserName"],
    )
    assert stranger == ["object", None]  # a plain object without methods
    all_events = await events(page, "message:add:success")
    per_id = [e["MsgId"] for e in all_events]
    assert len(per_id) == len(set(per_id))  # once per MsgId
    assert not [e for e in all_events if e["MsgType"] in (51, 9999, 10002)]

    chats = await page.evaluate(
        "u => { var c = angular.element(document).injector().get('chatFactory');"
        " c._recalledMsgProcess = (function (orig) { return function (m) { window.__recalls ="
        " (window.__recalls || 0) + 1; return orig.apply(this, arguments); }; })"
        "(c._recalledMsgProcess); return c.getChatMessage(u).length; }",
        alice_un,
    )
    assert chats >= 13  # getChatMessage(peer) is the live per-peer array
    assert await events(page, "chat:add:success")
    synthetic = await page.evaluate(
        """u => { var c = angular.element(document).injector().get('chatFactory');
        var m = {MsgId: 'synthetic-1', MMPeerUserName: u, MsgType: 10000, Content: 'x'};
        c.addChatMessage(m); c.addChatMessage(m);
        return window.__wc.events.filter(e => e.arg && e.arg.MsgId === 'synthetic-1').length; }""",
        alice_un,
    )
    assert synthetic == 1  # addChatMessage injects, once per MsgId
    recall = w.recall(posted["text"])
    await page.wait_for_function(
        "id => { var m = angular.element(document).injector().get('chatFactory').getMsg(id);"
        " return m.MMRecall === true; }",
        arg=ids["text"],
        timeout=T,
    )
    live = await page.evaluate(
        "id => { var m = angular.element(document).injector().get('chatFactory').getMsg(id);"
        " return [m.MsgType, m.MMActualContent]; }",
        ids["text"],
    )
    assert live[0] == 10000 and live[1].endswith("撤回了一条消息")
    assert await page.evaluate("() => window.__recalls") == 1  # called through the service
    assert str(recall.msg_id) not in [e["MsgId"] for e in await events(page, "message:add:success")]


async def test_throwing_listener_drops_the_rest_of_the_batch(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    await page.evaluate(
        """() => {
      var root = angular.element(document).injector().get('$rootScope');
      root.$on('message:add:success', function (e, msg) {
        if (msg.Content === 'two') { throw new Error('listener failed'); }
      });
    }"""
    )
    w = wc.world
    alice = w.contact("wxid_alice")
    # posted in one synchronous step, so they reach the page in one webwxsync batch
    one, two, three = (w.send_text(from_=alice, to=w.bot, text=t) for t in ("one", "two", "three"))
    four_id = str(w.send_text(from_=alice, to=w.bot, text="four").msg_id)  # same batch: lost too
    await wait_ids(page, [str(one.msg_id), str(two.msg_id)])
    five = w.send_text(from_=alice, to=w.bot, text="five")
    got = await wait_ids(page, [str(five.msg_id)])
    assert str(three.msg_id) not in got and four_id not in got
    assert await page.evaluate("() => window._errorCount") >= 1


async def test_continue_flag_is_followed_without_a_synccheck(page: Page, wc: Sandbox) -> None:
    """More than one webwxsync reply's worth pending: the reply says ContinueFlag 1 and the page
    calls webwxsync again at once (no synccheck in between), as the real client does."""
    await login(page, wc)
    await wait_sync_idle(page)
    w = wc.world
    ids = [
        str(w.send_text(from_="wxid_alice", to=w.bot, text=f"burst {i}").msg_id) for i in range(250)
    ]
    await wait_synced(page, ids[-1])
    order = await page.evaluate("() => window.__sync.order")
    assert "ss" in order  # a webwxsync straight after a webwxsync: the ContinueFlag was followed
    got = await page.evaluate(
        "() => window.__wc.events.filter(e => e.name === 'message:add:success')"
        ".map(e => String(e.arg.MsgId))"
    )
    assert sorted(i for i in got if i in set(ids)) == sorted(ids)  # each exactly once
