"""Uploads (chunked) and downloads round-trip identical bytes; CORS on the file host."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from wechaty_puppet_web.sandbox import Sandbox, samples
from wechaty_puppet_web.sandbox.bareclient import BareClient

API = "/cgi-bin/mmwebwx-bin"


async def _get(bot: BareClient, url: str, **headers: str) -> tuple[int, bytes, Any]:
    async with bot.http.get(url, headers=headers) as r:
        return r.status, await r.read(), r.headers


def _msg(bot: BareClient, to: str, **fields: Any) -> dict[str, Any]:
    local = str(fields.pop("LocalID", "1795000000000123"))
    return {
        "FromUserName": bot.user["UserName"],
        "ToUserName": to,
        "LocalID": local,
        "ClientMsgId": local,
        **fields,
    }


async def test_multi_chunk_file_round_trip(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    data = os.urandom(3 * 1024 * 1024 + 12345)  # 7 chunks of 524288 bytes
    alice = w.username_of("wxid_alice")
    up = await bot.upload(data, "big.bin", alice)
    assert up["BaseResponse"]["Ret"] == 0 and up["MediaId"].startswith("@crypt_")
    assert up["StartPos"] == len(data) and up["EncryFileName"] == "big%2Ebin"
    xml = (
        f"<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>big.bin</title><des></des>"
        f"<action></action><type>6</type><content></content><url></url><lowurl></lowurl>"
        f"<appattach><totallen>{len(data)}</totallen><attachid>{up['MediaId']}</attachid>"
        f"<fileext>bin</fileext></appattach><extinfo></extinfo></appmsg>"
    )
    answer = await bot.call(
        "webwxsendappmsg",
        {"Msg": _msg(bot, alice, Type=6, Content=xml), "Scene": 0},
        fun="async",
        f="json",
    )
    assert answer["BaseResponse"]["Ret"] == 0
    sent = w.message(answer["MsgID"])
    assert (sent.msg_type, sent.app_type, sent.file_name) == (49, 6, "big.bin")
    assert sent.media == data
    ticket = {c.key: c.value for c in bot.http.cookie_jar}["webwx_data_ticket"]
    url = (
        f"https://{bot.file_host}{API}/webwxgetmedia?sender={bot.user['UserName']}"
        f"&mediaid={up['MediaId']}&encryfilename=big%2Ebin&fromuser={bot.creds.uin}"
        f"&pass_ticket=undefined&webwx_data_ticket={ticket}"
    )
    status, body, headers = await _get(bot, url)
    assert status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert "big%2Ebin" in headers["Content-Disposition"]


async def test_image_upload_and_send(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    img = samples.jpeg(200, 150)
    alice = w.username_of("wxid_alice")
    up = await bot.upload(img, "a.jpg", alice, "image/jpeg", "pic")
    assert up["CDNThumbImgWidth"] == 100
    answer = await bot.call(
        "webwxsendmsgimg",
        {"Msg": _msg(bot, alice, Type=3, MediaId=up["MediaId"], Content=""), "Scene": 0},
        fun="async",
        f="json",
    )
    sent = w.message(answer["MsgID"])
    assert (sent.msg_type, sent.media) == (3, img)
    status, body, headers = await _get(
        bot, bot.url("webwxgetmsgimg", MsgID=answer["MsgID"], skey=bot.creds.skey)
    )
    assert (status, body, headers["Content-Type"]) == (200, img, "image/jpeg")


async def test_video_and_emoticon_sends(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    alice = w.username_of("wxid_alice")
    video, gif = samples.mp4(50_000), samples.gif()
    up_v = await bot.upload(video, "v.mp4", alice, "video/mp4", "video")
    up_g = await bot.upload(gif, "s.gif", alice, "image/gif", "doc")
    v = await bot.call(
        "webwxsendvideomsg",
        {"Msg": _msg(bot, alice, Type=43, MediaId=up_v["MediaId"], LocalID="11"), "Scene": 0},
        fun="async",
        f="json",
    )
    g = await bot.call(
        "webwxsendemoticon",
        {
            "Msg": _msg(bot, alice, Type=47, EmojiFlag=2, MediaId=up_g["MediaId"], LocalID="12"),
            "Scene": 0,
        },
        fun="sys",
    )
    assert w.message(v["MsgID"]).media == video and w.message(v["MsgID"]).msg_type == 43
    assert w.message(g["MsgID"]).media == gif and w.message(g["MsgID"]).msg_type == 47
    md5 = hashlib.md5(gif).hexdigest()
    again = await bot.call(
        "webwxsendemoticon",
        {"Msg": _msg(bot, alice, Type=47, EmojiFlag=2, EMoticonMd5=md5, LocalID="13"), "Scene": 0},
    )
    assert w.message(again["MsgID"]).media == gif


async def test_unknown_media_id_fails(box: Sandbox, bot: BareClient) -> None:
    alice = box.world.username_of("wxid_alice")
    answer = await bot.call(
        "webwxsendmsgimg", {"Msg": _msg(bot, alice, Type=3, MediaId="@crypt_x")}
    )
    assert answer["BaseResponse"]["Ret"] == 1


async def test_incoming_media_downloads(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    img, mp3, mp4 = samples.jpeg(300, 200), samples.mp3(1), samples.mp4(30_000)
    i = w.send_image(from_="wxid_alice", to=w.bot, data=img)
    v = w.send_voice(from_="wxid_alice", to=w.bot, data=mp3)
    m = w.send_video(from_="wxid_alice", to=w.bot, data=mp4)
    e = w.send_emoticon(from_="wxid_alice", to=w.bot)
    sk = bot.creds.skey
    assert (await _get(bot, bot.url("webwxgetmsgimg", MsgID=i.id, skey=sk)))[1] == img
    status, thumb, _ = await _get(bot, bot.url("webwxgetmsgimg", MsgID=i.id, skey=sk, type="slave"))
    assert status == 200 and thumb[:2] == b"\xff\xd8" and samples.image_size(thumb)[0] <= 120
    assert (await _get(bot, bot.url("webwxgetmsgimg", MsgID=e.id, skey=sk, type="big")))[
        1
    ] == e.media
    status, body, headers = await _get(bot, bot.url("webwxgetvoice", msgid=v.id, skey=sk))
    assert (status, body, headers["Content-Type"]) == (200, mp3, "audio/mp3")
    status, body, headers = await _get(
        bot, bot.url("webwxgetvideo", msgid=m.id, skey=sk), Range="bytes=0-"
    )
    assert (status, body) == (206, mp4)
    assert headers["Content-Range"] == f"bytes 0-{len(mp4) - 1}/{len(mp4)}"
    assert headers["Accept-Ranges"] == "bytes"
    status, body, _ = await _get(
        bot, bot.url("webwxgetvideo", msgid=m.id, skey=sk), Range="bytes=10-19"
    )
    assert (status, body) == (206, mp4[10:20])
    status, thumb, _ = await _get(bot, bot.url("webwxgetmsgimg", MsgID=m.id, skey=sk, type="slave"))
    assert status == 200 and thumb == m.thumb


async def test_incoming_file_download(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    f = w.send_file(from_="wxid_alice", to=w.bot, name="报告.txt", data=b"hello file")
    ticket = {c.key: c.value for c in bot.http.cookie_jar}["webwx_data_ticket"]
    url = f"https://{bot.file_host}{API}/webwxgetmedia?mediaid={f.media_id}&webwx_data_ticket={ticket}"
    assert (await _get(bot, url))[:2] == (200, b"hello file")
    async with bot.http.get(url.split("&webwx_data_ticket")[0]) as r:  # the cookie is enough
        assert await r.read() == b"hello file"


async def test_downloads_need_a_session(box: Sandbox, bot: BareClient) -> None:
    i = box.world.send_image(from_="wxid_alice", to=box.world.bot)
    url = bot.url("webwxgetmsgimg", MsgID=i.id)
    bot.http.cookie_jar.clear()
    assert (await _get(bot, url))[0] == 401


async def test_avatars(box: Sandbox, bot: BareClient) -> None:
    w = box.world
    alice = w.username_of("wxid_alice")
    status, body, _ = await _get(
        bot, bot.url("webwxgeticon", seq=1, username=alice, skey=bot.creds.skey)
    )
    assert status == 200 and samples.image_size(body) == (132, 132)
    room = w.username_of(w.room("Wechaty Developers"))
    status, body, _ = await _get(bot, bot.url("webwxgetheadimg", seq=0, username=room, skey=""))
    assert samples.image_size(body) == (139, 139)
    assert (await _get(bot, bot.url("webwxgeticon", username="@nobody")))[1] == b""


async def test_cors_on_the_file_host(box: Sandbox, bot: BareClient) -> None:
    url = f"https://{bot.file_host}{API}/webwxuploadmedia?f=json"
    headers = {
        "Origin": "https://wx2.qq.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with bot.http.options(url, headers=headers) as r:
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Origin"] == "https://wx2.qq.com"
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
    up = await bot.upload(b"x", "x.txt", "filehelper")
    assert up["BaseResponse"]["Ret"] == 0
    async with bot.http.options(url, headers={"Origin": "https://evil.example"}) as r:
        assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("field", ["ticket", "empty"])
async def test_upload_refusals(box: Sandbox, bot: BareClient, field: str) -> None:
    if field == "ticket":
        bot.http.cookie_jar.clear(lambda c: c.key == "webwx_data_ticket")
        up = await bot.upload(b"data", "a.txt", "filehelper")
        assert up["BaseResponse"]["Ret"] == 1101
    else:
        up = await bot.upload(b"", "a.txt", "filehelper")
        assert up["BaseResponse"]["Ret"] == 1


async def test_checkupload(box: Sandbox, bot: BareClient) -> None:
    data = b"known bytes"
    md5 = hashlib.md5(data).hexdigest()
    body = {
        "FileMd5": md5,
        "FileName": "k.txt",
        "FileSize": len(data),
        "FileType": 7,
        "FromUserName": bot.user["UserName"],
        "ToUserName": "filehelper",
    }
    first = await bot.call("webwxcheckupload", body)
    assert first["MediaId"] == "" and first["Signature"]
    up = await bot.upload(data, "k.txt", "filehelper")
    assert (await bot.call("webwxcheckupload", body))["MediaId"] == up["MediaId"]
