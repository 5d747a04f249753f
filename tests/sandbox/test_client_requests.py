# ruff: noqa: RUF001 - verbatim Chinese strings use full-width punctuation
"""Third-party clients' exact requests (itchat-uos, wechat4u): what the real server accepted."""

from __future__ import annotations

import re
from typing import Any

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import next_sync, raw_session

# The headers itchat-uos / wechat4u send with the ticket exchange (extspam shortened: only its
# presence matters to the server twin).
UOS_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
    "client-version": "2.0.0",
    "extspam": "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAE",
    "referer": "https://wx.qq.com/?&lang=zh_CN&target=t",
}
# What Chromium sends when it navigates to a URL (a top-level document load).
NAVIGATION = {
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}


async def _confirmed_redirect(box: Sandbox, client: BareClient) -> str:
    uuid = await client.jslogin()
    await box.phone.wait_for_qr(timeout=5)
    box.phone.scan()
    box.phone.confirm()
    return await client.wait_login(uuid)


async def _exchange(box: Sandbox, url: str, headers: dict[str, str]) -> tuple[int, Any, str]:
    async with raw_session(box) as http, http.get(url, headers=headers, allow_redirects=False) as r:
        return r.status, r.headers, await r.text()


async def test_ticket_exchange_without_fun_is_a_301_without_location(
    box: Sandbox, client: BareClient
) -> None:
    # itchat-uos / wechat4u: GET redirect_uri as is (no fun, no version), redirects not followed.
    redirect = await _confirmed_redirect(box, client)
    status, headers, body = await _exchange(box, redirect, UOS_HEADERS)
    assert status == 301
    assert "Location" not in headers
    assert re.fullmatch(
        r"<error><ret>0</ret><message></message><skey>@crypt_\w+</skey><wxsid>\S+</wxsid>"
        r"<wxuin>\d+</wxuin><pass_ticket>\S+</pass_ticket><isgrayscale>1</isgrayscale></error>",
        body,
    )
    cookies = {c.split("=", 1)[0] for c in headers.getall("Set-Cookie")}
    assert {"wxuin", "wxsid", "webwx_data_ticket", "webwx_auth_ticket"} <= cookies


async def test_browser_navigation_is_sent_on_to_the_page(box: Sandbox, client: BareClient) -> None:
    redirect = await _confirmed_redirect(box, client)
    status, headers, body = await _exchange(box, redirect, NAVIGATION)
    assert status == 302 and headers["Location"].startswith("https://wx2.qq.com/?")
    assert body == "" or "<error>" not in body
    assert any(c.startswith("wxsid=") for c in headers.getall("Set-Cookie"))


async def test_navigation_is_told_by_accept_without_fetch_metadata(
    box: Sandbox, client: BareClient
) -> None:
    redirect = await _confirmed_redirect(box, client)
    status, _, _ = await _exchange(box, redirect, {"Accept": "text/html"})
    assert status == 302
    # An XHR carries fetch metadata that is not a navigation, whatever it accepts.
    redirect = await _confirmed_redirect(box, client)
    xhr = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Accept": "text/html, */*"}
    status, headers, body = await _exchange(box, redirect, xhr)
    assert status == 301 and "Location" not in headers and "<ret>0</ret>" in body


async def test_query_names_are_case_insensitive(box: Sandbox, bot: BareClient) -> None:
    alice = box.world.contact("wxid_alice")
    u = bot.creds
    skey = u.skey
    # itchat: webwxgeticon?userName= / webwxgetheadimg?userName=
    icon = bot.url("webwxgeticon", userName=box.world.username_of(alice), skey=skey)
    room = box.world.bot_rooms()[0]
    head = bot.url("webwxgetheadimg", userName=box.world.username_of(room), skey=skey)
    for url in (icon, head):
        async with bot.http.get(url) as r:
            assert r.status == 200 and r.content_type == "image/jpeg"
            assert (await r.read())[:2] == b"\xff\xd8"
    # wechat4u: webwxgetvoice?MsgID= / webwxgetvideo?MsgID= (the official client: msgid)
    voice = box.world.send_voice(from_=alice, to=box.world.bot)
    video = box.world.send_video(from_=alice, to=box.world.bot)
    await next_sync(bot)
    async with bot.http.get(bot.url("webwxgetvoice", MsgID=voice.id, skey=skey)) as r:
        assert r.status == 200 and await r.read() == voice.media
    headers = {"Range": "bytes=0-"}
    async with bot.http.get(
        bot.url("webwxgetvideo", MsgID=video.id, skey=skey), headers=headers
    ) as r:
        assert r.status == 206 and await r.read() == video.media
    # and the other way round: the official client's msgid works on webwxgetmsgimg
    image = box.world.send_image(from_=alice, to=box.world.bot)
    await next_sync(bot)
    async with bot.http.get(bot.url("webwxgetmsgimg", msgid=image.id, skey=skey)) as r:
        assert r.status == 200 and await r.read() == image.media


def test_handlers_read_the_query_through_one_place() -> None:
    import pathlib

    import wechaty_puppet_web.sandbox as pkg

    root = pathlib.Path(pkg.__file__).parent
    # The control API (control.py) is our own interface, not the webwx protocol.
    protocol = [p for p in root.glob("*.py") if p.name != "control.py"]
    offenders = [p.name for p in protocol if "request.query" in p.read_text("utf-8")]
    assert offenders == ["httpkit.py"]  # only httpkit.query() itself reads request.query


async def _send(bot: BareClient, to: str, text: str, cid: int) -> dict[str, Any]:
    # wechat4u's sendMsg: ClientMsgId/LocalID = Date.now() * 1000 (a number), Scene 0.
    msg = {
        "Type": 1,
        "Content": text,
        "FromUserName": bot.user["UserName"],
        "ToUserName": to,
        "LocalID": cid,
        "ClientMsgId": cid,
    }
    return await bot.call("webwxsendmsg", {"Msg": msg, "Scene": 0})


async def test_distinct_sends_sharing_a_client_msg_id_are_not_merged(
    box: Sandbox, bot: BareClient
) -> None:
    w = box.world
    friends = w.friends[:3]
    cid = 1_765_000_000_000_000
    answers = [await _send(bot, w.username_of(f), f"hi {f.nickname}", cid) for f in friends]
    ids = [a["MsgID"] for a in answers]
    assert len(set(ids)) == 3
    for f, mid in zip(friends, ids, strict=True):
        m = w.message(mid)
        assert (m.to, m.text) == (f.wxid, f"hi {f.nickname}")
    # Same receiver, same id, other text: a new message too.
    other = await _send(bot, w.username_of(friends[0]), "second", cid)
    assert other["MsgID"] not in ids
    # The same request again is a retry: the first answer, no duplicate.
    again = await _send(bot, w.username_of(friends[1]), f"hi {friends[1].nickname}", cid)
    assert again["MsgID"] == ids[1]
    assert sum(1 for m in w.messages if m.client_msg_id == str(cid)) == 4
    # Revoking by ClientMsgId + ToUserName takes the right one.
    body = {"SvrMsgId": "0", "ToUserName": w.username_of(friends[2]), "ClientMsgId": str(cid)}
    await bot.call("webwxrevokemsg", body)
    assert w.message(ids[2]).recalled and not w.message(ids[0]).recalled


async def test_closed_web_login_refuses_plain_and_admits_uos(
    box: Sandbox, client: BareClient
) -> None:
    box.world.bot.web_login_closed = True
    redirect = await _confirmed_redirect(box, client)
    plain = {"User-Agent": UOS_HEADERS["User-Agent"]}
    status, headers, body = await _exchange(box, redirect + "&fun=new&version=v2", plain)
    assert status == 200 and "Set-Cookie" not in headers
    assert body.startswith(
        "<error><ret>1203</ret><message>为了你的帐号安全，此微信号已不允许登录网页微信。"
    )
    # client-version alone is not the disguise; with extspam it is
    status, _, body = await _exchange(box, redirect, {"client-version": "2.0.0"})
    assert (status, "<ret>1203</ret>" in body) == (301, True)
    status, headers, body = await _exchange(box, redirect, UOS_HEADERS)
    assert status == 301 and "<ret>0</ret>" in body
    assert any(c.startswith("wxsid=") for c in headers.getall("Set-Cookie"))


async def test_open_web_login_admits_plain(box: Sandbox, client: BareClient) -> None:
    assert not box.world.bot.web_login_closed
    redirect = await _confirmed_redirect(box, client)
    status, _, body = await _exchange(box, redirect + "&fun=new&version=v2", {})
    assert status == 200 and "<ret>0</ret>" in body


def test_the_flag_is_part_of_the_world_file() -> None:
    from wechaty_puppet_web.sandbox import World

    w = World.default()
    w.bot.web_login_closed = True
    again = World.from_json(w.to_json())
    assert again.bot.web_login_closed
    assert "web_login_closed" not in World.default().to_json()["bot"]
