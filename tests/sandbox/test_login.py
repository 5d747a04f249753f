"""Login protocol: exact JS bodies, QR image, poll codes, newloginpage, host switch, push login."""

from __future__ import annotations

import asyncio
import io
import json
import re
from typing import Any

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from wechaty_puppet_web.errors import LoginError
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import logged_in, raw_session

LOGIN = "https://login.wx.qq.com"


async def test_jslogin_body_is_exact(box: Sandbox) -> None:
    url = LOGIN + "/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN"
    async with raw_session(box) as http, http.get(url) as r:
        text = await r.text()
        assert r.content_type == "text/javascript"
    assert re.fullmatch(
        r'window\.QRLogin\.code = 200; window\.QRLogin\.uuid = "[A-Za-z0-9_+/=-]{10}==";', text
    )


async def test_jslogin_accepts_post(box: Sandbox) -> None:
    async with raw_session(box) as http, http.post(LOGIN + "/jslogin?appid=x&fun=new") as r:
        assert (await r.text()).startswith("window.QRLogin.code = 200;")


async def test_qrcode_encodes_the_login_url(box: Sandbox, client: BareClient) -> None:
    uuid = await client.jslogin()
    async with client.http.get(f"https://login.weixin.qq.com/qrcode/{uuid}") as r:
        assert r.status == 200 and r.content_type == "image/jpeg"
        body = await r.read()
    assert body[:2] == b"\xff\xd8"
    found = decode(Image.open(io.BytesIO(body)))
    assert [f.data.decode() for f in found] == [f"https://login.weixin.qq.com/l/{uuid}"]


async def test_poll_times_out_with_408(box: Sandbox, client: BareClient) -> None:
    uuid = await client.jslogin()
    code, text = await client.poll(uuid, tip=1)
    assert (code, text) == (408, "window.code=408;")


async def test_scan_then_confirm_bodies(box: Sandbox, client: BareClient) -> None:
    uuid = await client.jslogin()
    assert await box.phone.wait_for_qr(timeout=1) == uuid
    box.phone.scan()
    code, text = await client.poll(uuid)
    assert code == 201
    assert re.fullmatch(
        r"window\.code=201;window\.userAvatar = 'data:img/jpg;base64,/9j/\S+';", text
    )
    box.phone.confirm()
    code, text = await client.poll(uuid)
    pattern = (
        r'window\.code=200;window\.redirect_uri="https://wx2\.qq\.com/cgi-bin/mmwebwx-bin/'
        r"webwxnewloginpage\?ticket=[A-Za-z0-9_-]{24}@qrticket_0&uuid="
        + re.escape(uuid)
        + r'&lang=zh_CN&scan=\d+";'
    )
    assert code == 200 and re.fullmatch(pattern, text)


async def test_poll_wakes_at_once_on_scan() -> None:
    async with Sandbox(login_hold=30) as sb, BareClient(sb) as c:
        uuid = await c.jslogin()
        poll = asyncio.create_task(c.poll(uuid))
        ticket = sb.logins.get(uuid)
        assert ticket is not None
        await asyncio.wait_for(ticket.polling.wait(), 3)  # the poll is held
        sb.phone.scan()
        code, _ = await asyncio.wait_for(poll, 3)
        assert code == 201


@pytest.mark.parametrize(("action", "code"), [("cancel", 202), ("expire_qr", 400)])
async def test_cancel_and_expiry(box: Sandbox, client: BareClient, action: str, code: int) -> None:
    uuid = await client.jslogin()
    box.phone.scan()
    getattr(box.phone, action)()
    assert await client.poll(uuid) == (code, f"window.code={code};")
    with pytest.raises(TimeoutError):
        await box.phone.wait_for_qr(timeout=0.05)  # that QR is gone; a new jslogin is needed
    assert await client.jslogin() != uuid


async def test_unknown_uuid_answers_400(box: Sandbox, client: BareClient) -> None:
    assert await client.poll("nonexistent==") == (400, "window.code=400;")


async def test_phone_without_qr_is_an_error(box: Sandbox) -> None:
    from wechaty_puppet_web.errors import SandboxError

    with pytest.raises(SandboxError):
        box.phone.scan()


async def _confirmed_redirect(box: Sandbox, client: BareClient) -> str:
    uuid = await client.jslogin()
    box.phone.confirm()
    return await client.wait_login(uuid)


async def test_newloginpage_v2_answers_200_xml_and_cookies(
    box: Sandbox, client: BareClient
) -> None:
    redirect = await _confirmed_redirect(box, client)
    async with client.http.get(redirect + "&fun=new&version=v2", allow_redirects=False) as r:
        text, status, cookies = await r.text(), r.status, r.headers.getall("Set-Cookie")
        assert r.content_type == "text/plain"
    assert status == 200
    assert re.fullmatch(
        r"<error><ret>0</ret><message></message><skey>@crypt_[0-9a-f]{8}_[0-9a-f]{32}</skey>"
        r"<wxsid>[A-Za-z0-9+/]{16}</wxsid><wxuin>1703160001</wxuin><pass_ticket>[A-Za-z0-9%]+"
        r"</pass_ticket><isgrayscale>1</isgrayscale></error>",
        text,
    )
    by_name = {c.split("=", 1)[0]: c for c in cookies}
    assert set(by_name) >= {
        "wxuin",
        "wxsid",
        "wxloadtime",
        "mm_lang",
        "webwx_data_ticket",
        "webwxuvid",
        "webwx_auth_ticket",
    }
    assert "Domain=wx2.qq.com" in by_name["wxsid"] and "Secure" in by_name["wxsid"]
    assert "Domain=.qq.com" in by_name["webwx_data_ticket"]
    assert all("Path=/" in c for c in cookies)


async def test_newloginpage_without_v2_is_301_without_location(
    box: Sandbox, client: BareClient
) -> None:
    redirect = await _confirmed_redirect(box, client)
    async with client.http.get(redirect + "&fun=new", allow_redirects=False) as r:
        assert r.status == 301
        assert "Location" not in r.headers
        assert "<wxsid>" in await r.text()
        assert any(c.startswith("wxsid=") for c in r.headers.getall("Set-Cookie"))
    creds = await client.newloginpage(redirect, v2=False)  # old clients read the 301's body
    assert creds.status == 301 and creds.sid
    await client.init()


async def test_newloginpage_mod_desktop_and_uos_headers(box: Sandbox, client: BareClient) -> None:
    redirect = await _confirmed_redirect(box, client)
    headers = {
        "client-version": "2.0.0",
        "extspam": "Go8FCIkFEokFCggwMDAwMDAwMRAG",
        "referer": "https://wx.qq.com/?&lang=zh_CN&target=t",
    }
    url = redirect + "&fun=new&version=v2&mod=desktop"
    async with client.http.get(url, headers=headers) as r:
        assert r.status == 200 and "<ret>0</ret>" in await r.text()


async def test_newloginpage_rejects_unknown_ticket(box: Sandbox, client: BareClient) -> None:
    with pytest.raises(LoginError) as info:
        await client.newloginpage(
            "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=x@qrticket_0&uuid=y"
        )
    assert info.value.ret == -14


async def test_blocked_account_fault_answers_1203(box: Sandbox, client: BareClient) -> None:
    box.faults.add("webwxnewloginpage", ret=1203)
    redirect = await _confirmed_redirect(box, client)
    with pytest.raises(LoginError) as info:
        await client.newloginpage(redirect)
    assert info.value.ret == 1203 and "网页微信" in info.value.message
    assert not box.sessions.live()


async def test_host_switch_to_wx2(box: Sandbox, bot: BareClient) -> None:
    assert (bot.api_host, bot.push_host, bot.file_host) == (
        "wx2.qq.com",
        "webpush.wx2.qq.com",
        "file.wx2.qq.com",
    )
    assert await bot.synccheck() == (0, 0)
    bot.push_host = "webpush.wx.qq.com"  # wrong family: the wx2 cookies are not sent there
    assert (await bot.synccheck())[0] == 1102


async def test_redirect_host_is_configurable() -> None:
    async with (
        Sandbox(login_hold=0.2, synccheck_hold=0.2, redirect_host="wx.qq.com") as sb,
        BareClient(sb) as c,
    ):
        await logged_in(sb, c)
        assert c.push_host == "webpush.wx.qq.com"
        assert await c.synccheck() == (0, 0)


async def test_a_new_login_logs_the_old_session_out(box: Sandbox, bot: BareClient) -> None:
    async with BareClient(box) as second:
        await logged_in(box, second)
        assert (await bot.synccheck())[0] == 1101
        assert (await second.synccheck())[0] == 0


async def test_newloginpage_retry_reuses_the_session(box: Sandbox, client: BareClient) -> None:
    redirect = await _confirmed_redirect(box, client)
    first = await client.newloginpage(redirect)
    again = await client.newloginpage(redirect)
    assert first.sid == again.sid and len(box.sessions.live()) == 1


async def test_push_login(box: Sandbox, bot: BareClient) -> None:
    url = bot.url("webwxpushloginurl", uin=bot.creds.uin)
    async with bot.http.get(url) as r:
        data = json.loads(await r.text())
    assert data["ret"] == "0" and data["msg"] == "all ok" and data["uuid"].startswith("A_1_")
    assert await box.phone.wait_for_qr(timeout=1) == data["uuid"]
    box.phone.confirm()  # no scan for a push login
    code, text = await bot.poll(data["uuid"], tip=1)
    assert code == 200 and 'redirect_uri="https://wx2.qq.com/' in text


async def test_push_login_refuses_a_wrong_uin(box: Sandbox, bot: BareClient) -> None:
    async with bot.http.get(bot.url("webwxpushloginurl", uin="42")) as r:
        assert json.loads(await r.text())["ret"] == "1"


async def test_auto_scan_logs_in_without_help() -> None:
    async with Sandbox(login_hold=5, synccheck_hold=0.2, auto_scan=True) as sb, BareClient(sb) as c:
        uuid = await c.jslogin()
        assert (await c.poll(uuid, tip=1))[0] in (201, 200)
        redirect = await c.wait_login(uuid)
        await c.newloginpage(redirect)
        assert (await c.init())["User"]["Uin"] == sb.world.bot.uin


async def test_index_renders_is_login(box: Sandbox, client: BareClient, monkeypatch: Any) -> None:
    from wechaty_puppet_web.sandbox import webclient

    calls: list[dict[str, Any]] = []

    def fake(*, is_login: bool, lang: str, query: Any, page: Any = None) -> str:
        calls.append({"is_login": is_login, "lang": lang, "query": dict(query), "page": page})
        return "<html></html>"

    monkeypatch.setattr(webclient, "render_index", fake)
    assert (await client.get_text("https://wx.qq.com/?lang=en_US"))[0] == 200
    await logged_in(box, client)
    assert (await client.get_text("https://wx2.qq.com/"))[0] == 200
    await client.logout()
    await client.get_text("https://wx2.qq.com/")
    assert [c["is_login"] for c in calls] == [False, True, False]
    assert calls[0]["lang"] == "en_US" and calls[0]["query"] == {"lang": "en_US"}


async def test_logout_redirects_to_the_page(box: Sandbox, bot: BareClient) -> None:
    url = bot.url("webwxlogout", redirect=1, type=1, skey=bot.creds.skey)
    async with bot.http.post(
        url, data={"sid": bot.creds.sid, "uin": bot.creds.uin}, allow_redirects=False
    ) as r:
        assert r.status == 302 and r.headers["Location"].startswith("https://wx2.qq.com/")
    assert await bot.synccheck() == (1100, 0)


async def test_navigating_to_newloginpage_redirects_to_the_page(
    box: Sandbox, client: BareClient
) -> None:
    redirect = await _confirmed_redirect(box, client)
    # what Chromium sends on a top-level navigation (an XHR without `fun` gets the XML)
    nav = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Accept": "text/html"}
    async with client.http.get(redirect, headers=nav, allow_redirects=False) as r:
        assert r.status == 302
        assert r.headers["Location"] == "https://wx2.qq.com/?&lang=zh_CN"
        assert any(c.startswith("wxsid=") for c in r.headers.getall("Set-Cookie"))
    cookies = {c.key: c.value for c in client.http.cookie_jar}
    client.api_host = "wx2.qq.com"
    client.creds.sid, client.creds.uin = cookies["wxsid"], cookies["wxuin"]
    data = await client.init()  # the cookie path: Skey "" and Sid/Uin from the cookies
    assert data["BaseResponse"]["Ret"] == 0 and data["SKey"].startswith("@crypt_")
