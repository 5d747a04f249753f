"""Hostile and malformed requests never crash the server (no 5xx, the server keeps serving)."""

from __future__ import annotations

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient
from wechaty_puppet_web.sandbox.routing import ROUTES

from .util import drain, next_sync

BODIES: list[bytes] = [
    b"",
    b"{not json",
    b"[]",
    b'"str"',
    b'{"BaseRequest": 5}',
    b'{"BaseRequest": {"Uin": "x", "Sid": [], "Skey": {}}, "Msg": [], "List": 7}',
    b'{"BaseRequest": {}, "Msg": {"Type": "1", "ToUserName": null}, "SyncKey": "1_2"}',
    b'{"VerifyUserList": [1], "MemberList": "abc", "CmdId": "2", "ChatRoomName": 3}',
]


def _host(kinds: frozenset[str]) -> str:
    for kind, host in (
        ("api", "wx2.qq.com"),
        ("push", "webpush.wx2.qq.com"),
        ("file", "file.wx2.qq.com"),
        ("login", "login.wx2.qq.com"),
    ):
        if kind in kinds:
            return host
    raise AssertionError(kinds)


async def test_garbage_never_gives_5xx(box: Sandbox, bot: BareClient) -> None:
    # webwxlogout last: it ends the session, which is what it is for
    names = sorted(ROUTES, key=lambda n: (n == "webwxlogout", n))
    for name in names:
        if name == "webwxlogout":
            box.world.send_text(from_="wxid_alice", to=box.world.bot, text="still alive")
            assert (await next_sync(bot))["AddMsgList"][-1]["Content"] == "still alive"
        route = ROUTES[name]
        url = (
            f"https://{_host(route.kinds)}/cgi-bin/mmwebwx-bin/{name}?fun=x&seq=a&MsgID=z&msgid=-1"
        )
        if name in ("jslogin", "qrcode", "l"):
            url = f"https://login.wx2.qq.com/{name}/garbage"
        async with bot.http.get(url, allow_redirects=False) as r:
            assert r.status < 500, (name, "GET")
        for body in BODIES:
            headers = {"Content-Type": "application/json", "Range": "bytes=zz-"}
            async with bot.http.post(url, data=body, headers=headers, allow_redirects=False) as r:
                assert r.status < 500, (name, body)


async def test_hostile_multipart_upload(box: Sandbox, bot: BareClient) -> None:
    url = f"https://{bot.file_host}/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json"
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    for body in (b"--xyz\r\nbroken", b"--xyz--\r\n", b"not multipart at all"):
        async with bot.http.post(url, data=body, headers=headers) as r:
            assert r.status < 500
    up = await bot.upload(b"fine", "ok.txt", "filehelper")
    assert up["BaseResponse"]["Ret"] == 0


async def test_weird_hosts_and_paths(box: Sandbox, bot: BareClient) -> None:
    before = box.requests
    for url in (
        "https://wx2.qq.com/zh_CN/htmledition/nope.js",
        "https://res.wx.qq.com/x.png",
        "https://evil.qq.com/",
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/",
        "https://wx2.qq.com/%00%ff",
    ):
        async with bot.http.get(url) as r:
            assert r.status < 500, url
    assert box.requests == before + 5  # the counter a replay test uses to prove no traffic


async def test_hostile_texts_travel_both_ways(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    texts = ["\ud800 broken", "<script>alert(1)</script>", "x" * 100_000, "<img src=x onerror=y>"]
    for text in texts:
        w.send_text(from_="wxid_alice", to=w.bot, text=text)
    got = [m["Content"] for m in await drain(bot)]
    assert got[0] == "\ud800 broken"
    assert got[1] == "&lt;script&gt;alert(1)&lt;/script&gt;" and len(got[2]) == 100_000
    answer = await bot.send_text(w.username_of("wxid_alice"), "\udfff back")
    assert w.message(answer["MsgID"]).text == "\udfff back"
