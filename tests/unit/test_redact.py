"""Redaction: every secret kind, wherever it occurs, is gone from the written cassette."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from wechaty_puppet_web.errors import CassetteError
from wechaty_puppet_web.recording.cassette import (
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
    Record,
    bodies_dir,
    save,
)
from wechaty_puppet_web.recording.redact import Redactor

SKEY = "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
SID = "5YpLHmVgWwH5LxN1"
UIN = "176666155"
PASS = "kbmy5Jt9nj%2BJzBaJZYNpUBQyBwRTejeXq1sM%2FYH7iOI%3D"  # as in the XML: already encoded
DATA_TICKET = "gSdhXMdkTwZ4fm3c0kqM9pJ"
AUTH_TICKET = "bG9uZy1saXZlZC1hdXRoLWJsb2I="
UVID = "a" * 96
TICKET = "AaXdHpmbWGYo_ZOk7ylAnnCY@qrticket_0"
DEVICE = "e123456789012345"
EXTSPAM = "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAEsecretblob"
FRIEND_TICKET = "v2_friendticket_0123456789abcdef@stranger"
AES = "aeskey0123456789"
SYNCKEY = "1_698325105|2_698325111|1000_1546210682"
BASE = {"Uin": int(UIN), "Sid": SID, "Skey": SKEY, "DeviceID": DEVICE}
API = "https://wx2.qq.com/cgi-bin/mmwebwx-bin"


def _http(
    seq: int,
    method: str,
    url: str,
    body: bytes | None,
    resp: bytes,
    req_headers: dict[str, str] | None = None,
    resp_headers: dict[str, str] | None = None,
) -> HttpRecord:
    return HttpRecord(
        seq=seq,
        t=seq / 10,
        request=HttpRequest(method=method, url=url, headers=req_headers or {}, body=body),
        response=HttpResponse(status=200, headers=resp_headers or {}, body=resp),
    )


def _records() -> list[Record]:
    boundary = "----WebKitFormBoundaryX"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\nWU_FILE_0\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="uploadmediarequest"\r\n\r\n'
            + json.dumps({"UploadType": 2, "BaseRequest": BASE, "AESKey": AES})
            + f"\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f'name="webwx_data_ticket"\r\n\r\n{DATA_TICKET}\r\n--{boundary}\r\n'
            f'Content-Disposition: form-data; name="pass_ticket"\r\n'
            f'\r\nundefined\r\n--{boundary}\r\nContent-Disposition: form-data; name="filename"; '
            f'filename="a.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + b"\xff\xd8\xff\xe0\x00binary\x00"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    redirect = (
        f"{API}/webwxnewloginpage?ticket={TICKET}&uuid=gbyKnbsmqQ==&lang=zh_CN&scan=1546211468"
    )
    xml = (
        f"<error><ret>0</ret><message></message><skey>{SKEY}</skey><wxsid>{SID}</wxsid>"
        f"<wxuin>{UIN}</wxuin><pass_ticket>{PASS}</pass_ticket><isgrayscale>1</isgrayscale></error>"
    )
    cookies = (
        f"wxuin={UIN}; Domain=wx2.qq.com; Path=/; Secure\nwxsid={SID}; Domain=wx2.qq.com; Path=/\n"
        f"webwx_data_ticket={DATA_TICKET}; Domain=.qq.com; Path=/\n"
        f"webwxuvid={UVID}; Domain=wx2.qq.com\nwebwx_auth_ticket={AUTH_TICKET}; Domain=wx2.qq.com\n"
        "mm_lang=zh_CN; Domain=wx2.qq.com"
    )
    cookie_req = f"wxuin={UIN}; wxsid={SID}; webwx_data_ticket={DATA_TICKET}; mm_lang=zh_CN"
    return [
        _http(
            0,
            "GET",
            "https://login.wx.qq.com/cgi-bin/mmwebwx-bin/login?uuid=u&tip=0",
            None,
            f'window.code=200;window.redirect_uri="{redirect}";'.encode(),
        ),
        _http(
            1,
            "GET",
            redirect + "&fun=new&version=v2",
            None,
            xml.encode(),
            req_headers={"extspam": EXTSPAM, "client-version": "2.0.0"},
            resp_headers={"set-cookie": cookies},
        ),
        _http(
            2,
            "POST",
            f"{API}/webwxinit?r=-123&pass_ticket={quote(PASS)}",
            json.dumps({"BaseRequest": BASE}).encode(),
            json.dumps({"SKey": SKEY, "User": {"Uin": int(UIN), "UserName": "@abc"}}).encode(),
            req_headers={"cookie": cookie_req},
        ),
        _http(
            3,
            "GET",
            f"https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1&skey="
            f"{quote(SKEY, safe='')}&sid={SID}&uin={UIN}&deviceid={DEVICE}&synckey="
            f"{quote(SYNCKEY, safe='')}&_=2",
            None,
            b'window.synccheck={retcode:"0",selector:"2"}',
        ),
        _http(
            4,
            "POST",
            "https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
            multipart,
            b'{"BaseResponse":{"Ret":0},"MediaId":"@crypt_media"}',
            req_headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        ),
        _http(
            5,
            "POST",
            f"{API}/webwxlogout?redirect=1&type=0&skey={quote(SKEY, safe='')}",
            f"sid={SID}&uin={UIN}".encode(),
            b"",
        ),
        _http(
            6,
            "GET",
            f"https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?sender=@a&"
            f"mediaid=m&fromuser={UIN}&pass_ticket=undefined&webwx_data_ticket={DATA_TICKET}",
            None,
            b"\x00\x01file",
        ),
        _http(
            7,
            "POST",
            f"{API}/webwxverifyuser?r=1",
            json.dumps(
                {
                    "BaseRequest": BASE,
                    "VerifyUserList": [{"Value": "@x", "VerifyUserTicket": FRIEND_TICKET}],
                }
            ).encode(),
            json.dumps(
                {
                    "AddMsgList": [{"RecommendInfo": {"Ticket": FRIEND_TICKET}}],
                    "Content": f"see /cgi-bin/x?skey={SKEY}",
                }
            ).encode(),
        ),
        EventRecord(
            seq=8,
            t=0.9,
            name="friendship",
            payload={"friendship_id": "1", "payload": {"ticket": FRIEND_TICKET, "hello": "hi"}},
        ),
        EventRecord(seq=9, t=1.0, name="login", payload={"contact_id": "@abc", "uin": int(UIN)}),
    ]


SECRETS = [
    SKEY,
    SID,
    UIN,
    PASS,
    DATA_TICKET,
    AUTH_TICKET,
    UVID,
    TICKET,
    DEVICE,
    EXTSPAM,
    FRIEND_TICKET,
    AES,
    SYNCKEY,
]


def _written(tmp_path: Path) -> tuple[Redactor, str]:
    redactor = Redactor()
    records = redactor.redact_all(_records())
    path = save(tmp_path / "c.jsonl", Cassette(records=tuple(records)), guard=redactor)
    text = path.read_text(encoding="utf-8")
    store = bodies_dir(path)
    if store.exists():
        text += "".join(p.read_bytes().decode("latin-1") for p in store.iterdir())
    return redactor, text


@pytest.mark.parametrize("secret", SECRETS)
def test_secret_gone_everywhere(tmp_path: Path, secret: str) -> None:
    _, text = _written(tmp_path)
    for spelling in {secret, quote(secret, safe=""), quote(quote(secret, safe=""), safe="")}:
        assert spelling not in text
    # and the decoded pass_ticket too
    assert "kbmy5Jt9nj+JzBaJZYNpUBQyBwRTejeXq1sM/YH7iOI=" not in text


def test_placeholders_stable(tmp_path: Path) -> None:
    _, text = _written(tmp_path)
    lines = [json.loads(x) for x in text.splitlines()[1:11]]
    xml = lines[1]["response"]["body"]["text"]
    skey_placeholder = xml.split("<skey>")[1].split("</skey>")[0]
    assert skey_placeholder.startswith("REDACTED_skey_")
    assert f"skey={skey_placeholder}" in lines[3]["request"]["url"]
    assert f"skey={skey_placeholder}" in lines[5]["request"]["url"]
    uin_placeholder = xml.split("<wxuin>")[1].split("</wxuin>")[0]
    assert uin_placeholder.isdigit()  # numeric stays numeric: the page treats Uin as a number
    assert json.loads(lines[2]["response"]["body"]["text"])["User"]["Uin"] == int(uin_placeholder)
    assert lines[9]["payload"]["uin"] == int(uin_placeholder)
    ticket = lines[8]["payload"]["payload"]["ticket"]
    assert ticket.startswith("REDACTED_ticket_") and ticket in lines[7]["response"]["body"]["text"]


def test_benign_cookie_kept_and_binary_intact(tmp_path: Path) -> None:
    _, text = _written(tmp_path)
    lines = [json.loads(x) for x in text.splitlines()[1:11]]
    assert "mm_lang=zh_CN" in lines[1]["response"]["headers"]["set-cookie"]
    assert "pass_ticket=undefined" in lines[6]["request"]["url"]
    import base64

    body = base64.b64decode(lines[4]["request"]["body"]["base64"])
    assert b"\xff\xd8\xff\xe0\x00binary\x00" in body and b"WU_FILE_0" in body


def test_numeric_secret_not_replaced_inside_other_numbers() -> None:
    redactor = Redactor()
    redactor.add(UIN, "uin")
    assert redactor.redact_text(f"MsgId 9{UIN}1 and {UIN}") == f"MsgId 9{UIN}1 and 9000000001"


def test_safety_scan_refuses(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add(SKEY, "skey")
    leaky = Cassette(records=(EventRecord(seq=0, t=0, name="error", payload={"m": SKEY}),))
    with pytest.raises(CassetteError, match="refusing") as info:
        save(tmp_path / "c.jsonl", leaky, guard=redactor)
    assert SKEY not in str(info.value)
    assert not (tmp_path / "c.jsonl").exists()


def test_scripts_do_not_teach_secrets() -> None:
    script = b"var a;uin=c.Uin;sid=e.Sid;url='?skey='+k"
    record = _http(0, "GET", "https://res.wx.qq.com/zh_CN/htmledition/v2/js/app.js", None, script)
    redactor = Redactor()
    (out,) = redactor.redact_all([record])
    assert isinstance(out, HttpRecord) and out.response.body == script
    assert list(redactor.secrets()) == []
