"""Outgoing calls through the fake web client's services reach the sandbox world."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Dialog, Page

from wechaty_puppet_web.sandbox import Sandbox

from .test_webclient_support import (
    INJ,
    T,
    events,
    login,
    wait_synced,
)

pytestmark = pytest.mark.browser


# Creates, appends and sends a text the way the UI does; records every MMStatus it goes through.
SEND_JS = f"""([to, content]) => {{
  var inj = {INJ};
  var chat = inj.get('chatFactory'), root = inj.get('$rootScope');
  var m = chat.createMessage({{MsgType: 1, Content: content, ToUserName: to}});
  window.__sent = m;
  window.__statuses = [m.MMStatus];
  root.$watch(function () {{ return m.MMStatus; }}, function (v) {{
    if (window.__statuses[window.__statuses.length - 1] !== v) {{ window.__statuses.push(v); }}
  }});
  root.$apply(function () {{ chat.appendMessage(m); chat.sendMessage(m); }});
  return {{local: m.LocalID, send: m.MMSendContent, content: m.Content,
    at: m.MMAtContacts || null}};
}}"""


async def send_text(page: Page, to: str, content: str) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(SEND_JS, [to, content])
    return result


async def test_send_text_status_ids_and_event(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    alice = w.username_of(w.contact("wxid_alice"))
    sent = await send_text(page, alice, "a &lt;b&gt; <b>bold</b><br>line2")
    assert len(sent["local"]) == 17 and sent["local"].isdigit()
    assert sent["send"] == "a <b> bold\nline2" and "<b>" not in sent["content"]
    await page.wait_for_function("() => window.__sent.MMStatus === 2", timeout=T)
    msg = await w.wait_for_message(lambda m: m.text == "a <b> bold\nline2", timeout=5)
    r = await page.evaluate(
        f"""l => {{ var c = {INJ}.get('chatFactory'), m = window.__sent;
        return [window.__statuses, m.MsgId, m.LocalID, m.ClientMsgId, c.getMsg(l) === m,
          c.getMsg(m.MsgId) === m, m.MMIsSend, m.MMActualSender]; }}""",
        sent["local"],
    )
    assert r[0] == [0, 1, 2]
    assert r[1] == str(msg.msg_id) != r[2] and r[2] == r[3] == sent["local"]
    assert r[4] is True and r[5] is True and r[6] is True
    assert r[7] == await page.evaluate(f"() => {INJ}.get('accountFactory').getUserName()")
    ok = await events(page, "root:msgSend:success")
    assert [e["MsgId"] for e in ok] == [r[1]]
    await wait_synced(page, r[1])  # the server echo has been processed
    order = await page.evaluate(
        "() => window.__wc.events.filter(e => e.arg && e.arg.MsgId).map(e => [e.name, e.arg.MsgId])"
    )
    added = [i for n, i in order if n == "message:add:success"]
    assert added.count(sent["local"]) == 1
    # The echo is suppressed once the send response recorded the server id. Only an echo synced
    # *before* that response (a race, documented as possible) may fire a second event.
    sent_at = order.index(["root:msgSend:success", r[1]])
    echo_events = [k for k, e in enumerate(order) if e == ["message:add:success", r[1]]]
    assert all(k < sent_at for k in echo_events) and len(echo_events) <= 1


async def test_mentions_give_msgsource(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    room = w.username_of(w.room("1000001@chatroom"))
    alice = w.username_of(w.contact("wxid_alice"))
    async with page.expect_request("**/webwxsendmsg*", timeout=T) as req_info:
        sent = await send_text(
            page, room, f'<input class="at" un="{alice}" value="@Alice in room" readonly>\u2005hi'
        )
    body = json.loads((await req_info.value).post_data or "{}")
    assert sent["at"] == alice
    assert body["Msg"]["Content"] == "@Alice in room\u2005hi"
    assert body["Msg"]["MsgSource"] == (
        f"<msgsource><atusername>{alice}</atusername><atchatroomname>{room}</atchatroomname>"
        "</msgsource>"
    )
    assert body["Msg"]["LocalID"] == body["Msg"]["ClientMsgId"] == sent["local"]
    assert body["Scene"] == 0 and body["BaseRequest"]["DeviceID"].startswith("e")


async def test_failed_send_ends_in_status_5_without_event(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    wc.faults.add("webwxsendmsg", ret=1205)
    alice = wc.world.username_of(wc.world.contact("wxid_alice"))
    sent = await send_text(page, alice, "throttled")
    await page.wait_for_function("() => window.__sent.MMStatus === 5", timeout=T)
    assert await page.evaluate("() => window.__sent.MsgId") == sent["local"]
    assert await events(page, "root:msgSend:success") == []


async def test_mmhttp_retries_with_the_same_body_and_sets_a_remark(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    wc.faults.add("webwxoplog", delay=1.5, count=2)  # the first two attempts answer late
    alice = wc.world.username_of(wc.world.contact("wxid_alice"))
    bodies: list[str] = []
    page.on(
        "request", lambda r: bodies.append(r.post_data or "") if "webwxoplog" in r.url else None
    )
    await page.evaluate(
        f"""u => {{ var inj = {INJ}, conf = inj.get('confFactory');
      var data = angular.extend(inj.get('accountFactory').getBaseRequest(), {{UserName: u,
        CmdId: conf.oplogCmdId.MODREMARKNAME,
        RemarkName: inj.get('emojiFactory').formatHTMLToSend('Ally &amp; Co')}});
      window.__ok = 0; window.__err = 0;
      var h = inj.get('mmHttp')({{method: 'POST', url: conf.API_webwxoplog, data: data,
        MMRetry: {{count: 2, timeout: 300, serial: true}}}});
      window.__hasThen = 'then' in h;
      h.success(function () {{ window.__ok++; }}).error(function () {{ window.__err++; }});
    }}""",
        alice,
    )
    await page.wait_for_function("() => window.__ok === 1", timeout=T)
    assert len(bodies) == 3 and len(set(bodies)) == 1  # same ClientMsgId / DeviceID / body
    assert json.loads(bodies[0])["RemarkName"] == "Ally & Co"
    assert await page.evaluate("() => [window.__err, window.__hasThen]") == [0, False]
    assert wc.world.contact("wxid_alice").remark == "Ally & Co"


async def test_room_operations_reach_the_world(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    alice, carol, dave = (
        w.username_of(w.contact(x)) for x in ("wxid_alice", "wxid_carol", "wxid_dave")
    )
    created = await page.evaluate(
        f"""([a, c]) => {INJ}.get('chatroomFactory').create([{{UserName: a}}, {{UserName: c}}])
          .then(function (r) {{ return [r.ChatRoomName, r.BaseResponse.Ret, r.MemberCount]; }})""",
        [alice, carol],
    )
    room_un = created[0]
    assert room_un.startswith("@@") and created[1:] == [0, 2]
    room = w.contact_by_username(room_un)
    assert set(room.members) == {"wxid_bot", "wxid_alice", "wxid_carol"}  # type: ignore[union-attr]
    await page.wait_for_function(
        "u => !!window._contacts[u] && window._contacts[u].MemberList.length === 3",
        arg=room_un,
        timeout=T,
    )
    ret = await page.evaluate(
        f"""([r, d]) => new Promise(function (ok) {{
          {INJ}.get('chatroomFactory').addMember(r, d, function (resp) {{
            ok(resp.BaseResponse.Ret);
          }});
        }})""",
        [room_un, dave],
    )
    assert ret == 0 and "wxid_dave" in room.members  # type: ignore[union-attr]
    async with page.expect_response("**/webwxupdatechatroom?fun=modtopic*", timeout=T):
        undefined = await page.evaluate(
            f"""([r, a]) => {{ var f = {INJ}.get('chatroomFactory');
              return [f.delMember(r, a), f.modTopic(r, 'Renamed')]; }}""",
            [room_un, alice],
        )
    assert undefined == [None, None]
    assert room.topic == "Renamed" and "wxid_alice" not in room.members  # type: ignore[union-attr]
    await page.wait_for_function(
        "u => window._contacts[u].MemberList.length === 3", arg=room_un, timeout=T
    )  # delMember spliced the local list (bot, carol, dave)
    async with page.expect_response("**/webwxupdatechatroom?fun=quitchatroom*", timeout=T):
        assert await page.evaluate(f"r => {INJ}.get('chatroomFactory').quit(r)", room_un) is None
    assert "wxid_bot" not in room.members  # type: ignore[union-attr]


async def test_verify_user_accepts_a_request(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    req = w.friend_request(from_=w.contact("wxid_eve"), hello="hi")
    await page.wait_for_function(
        "id => window.__wc.events.some(e => e.arg && e.arg.MsgId === id)",
        arg=str(req.msg_id),
        timeout=T,
    )
    result = await page.evaluate(
        f"""id => {{ var msg = {INJ}.get('chatFactory').getMsg(id), info = msg.RecommendInfo;
          return {INJ}.get('contactFactory').verifyUser({{UserName: info.UserName, Opcode: 3,
            Scene: 33, Ticket: info.Ticket}}).then(function (r) {{ return r.BaseResponse.Ret; }});
        }}""",
        str(req.msg_id),
    )
    assert result == 0 and w.contact("wxid_eve").friend is True
    bad = await page.evaluate(
        f"""() => {INJ}.get('contactFactory').verifyUser({{UserName: '@nobody', Opcode: 3,
          Scene: 33, Ticket: 'x'}}).then(function () {{ return 'resolved'; }},
          function (r) {{ return r.BaseResponse.Ret; }})"""
    )
    assert bad != "resolved" and bad != 0
    frank = w.username_of(w.contact("wxid_frank"))
    sent = await page.evaluate(
        f"""u => {INJ}.get('contactFactory').verifyUser({{UserName: u, Opcode: 2, Scene: 33,
          Ticket: '', VerifyContent: '我是Bot'}})
          .then(function (r) {{ return r.BaseResponse.Ret; }})""",
        frank,
    )
    assert sent == 0 and w.outgoing_requests["wxid_frank"] == "我是Bot"


async def test_revokemsg_mutates_on_success_and_alerts_on_failure(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    alice = w.username_of(w.contact("wxid_alice"))
    await send_text(page, alice, "oops")
    await page.wait_for_function("() => window.__sent.MMStatus === 2", timeout=T)
    async with page.expect_request("**/webwxrevokemsg*", timeout=T) as req_info:
        returned = await page.evaluate(f"() => {INJ}.get('chatFactory').revokemsg(window.__sent)")
    assert returned is None
    body = json.loads((await req_info.value).post_data or "{}")
    assert body["ClientMsgId"] == await page.evaluate("() => window.__sent.ClientMsgId")
    await page.wait_for_function("() => window.__sent.MMRecall === true", timeout=T)
    assert await page.evaluate("() => [window.__sent.MsgType, window.__sent.MMActualContent]") == [
        10000,
        "你撤回了一条消息",
    ]
    assert w.message(body["SvrMsgId"]).recalled is True
    dialogs: list[str] = []

    async def on_dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        await d.dismiss()

    page.on("dialog", on_dialog)
    async with page.expect_event("dialog", timeout=T):
        await page.evaluate(
            f"u => {INJ}.get('chatFactory').revokemsg({{MsgId: '1', ToUserName: u,"
            " ClientMsgId: '1'})",
            alice,
        )
    assert dialogs and dialogs[0]


MEDIA_JS = f"""([to, init]) => {{
  var chat = {INJ}.get('chatFactory');
  init.ToUserName = to;
  var m = chat.createMessage(init);
  chat.appendMessage(m);
  chat.sendMessage(m);
  return [m.MMStatus, m.AppMsgType || null, m.MMFileStatus || null, m.MMAppMsgDownloadUrl || null];
}}"""


@pytest.mark.parametrize(
    ("init", "endpoint", "expected"),
    [
        ({"MsgType": 3, "MediaId": "@crypt_img"}, "webwxsendmsgimg?fun=async&f=json",
         {"Type": 3, "MediaId": "@crypt_img", "Content": ""}),
        ({"MsgType": 43, "MediaId": "@crypt_vid"}, "webwxsendvideomsg?fun=async&f=json",
         {"Type": 43, "MediaId": "@crypt_vid"}),
        ({"MsgType": 47, "EmojiFlag": 2, "MediaId": "@crypt_gif"}, "webwxsendemoticon?fun=sys",
         {"Type": 47, "EmojiFlag": 2, "MediaId": "@crypt_gif"}),
        ({"MsgType": 49, "FileName": "a.txt", "FileSize": 12, "MMFileExt": "txt",
          "MediaId": "@crypt_doc"}, "webwxsendappmsg?fun=async&f=json",
         {"Type": 6, "Content": "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>a.txt</title>"
          "<des></des><action></action><type>6</type><content></content><url></url><lowurl>"
          "</lowurl><appattach><totallen>12</totallen><attachid>@crypt_doc</attachid><fileext>"
          "txt</fileext></appattach><extinfo></extinfo></appmsg>"}),
    ],
)  # fmt: skip
async def test_media_send_bodies(
    page: Page, wc: Sandbox, init: dict[str, Any], endpoint: str, expected: dict[str, Any]
) -> None:
    await login(page, wc)
    alice = wc.world.username_of(wc.world.contact("wxid_alice"))
    async with page.expect_request(f"**/{endpoint}*", timeout=T) as req_info:
        local = await page.evaluate(MEDIA_JS, [alice, init])
    assert local[0] == 1
    if init["MsgType"] == 49:
        assert local[1:3] == [6, 1] and "&encryfilename=undefined&" in local[3]
    msg = json.loads((await req_info.value).post_data or "{}")["Msg"]
    assert {k: msg.get(k) for k in expected} == expected
    assert msg["ToUserName"] == alice and msg["LocalID"] == msg["ClientMsgId"]
