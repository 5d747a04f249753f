"""A bare webwx protocol client (aiohttp, no browser): the performance floor for ``bench/``.

It talks to the sandbox with the real URLs (``sb.resolver()`` maps every host to the sandbox), does
what itchat/wechat4u do: jslogin → poll → newloginpage → init → getcontact pages → the
synccheck/webwxsync loop yielding messages, plus sending text and uploading media.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlparse

import aiohttp

from ..errors import LoginError, WebWxError

if TYPE_CHECKING:
    from .server import Sandbox

API = "/cgi-bin/mmwebwx-bin"
CHUNK = 524288
_QR_RE = re.compile(r'window.QRLogin.code = (\d+); window.QRLogin.uuid = "(\S+?)";')
_SYNC_RE = re.compile(r'window.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}')


def hosts_for(api_host: str) -> tuple[str, str, str]:
    """(login, file, push) hosts of an API host, per the official confFactory table (§1.2)."""
    for needle, tail in (
        ("wx2.qq.com", "wx2.qq.com"),
        ("wx8.qq.com", "wx8.qq.com"),
        ("qq.com", "wx.qq.com"),
        ("web2.wechat.com", "web2.wechat.com"),
        ("wechat.com", "web.wechat.com"),
    ):
        if needle in api_host:
            return f"login.{tail}", f"file.{tail}", f"webpush.{tail}"
    return "login.weixin.qq.com", "file.wx.qq.com", "webpush.weixin.qq.com"


def device_id() -> str:
    """``e`` + 15 random digits."""
    return "e" + "".join(random.choice("0123456789") for _ in range(15))


@dataclass(slots=True)
class Credentials:
    """What webwxnewloginpage returned."""

    skey: str = ""
    sid: str = ""
    uin: str = ""
    pass_ticket: str = ""
    ret: int = 0
    message: str = ""
    status: int = 0
    cookies: dict[str, str] = field(default_factory=dict)


class BareClient:
    """One protocol-level web WeChat client."""

    def __init__(
        self, sb: Sandbox, *, page_host: str = "wx.qq.com", lang: str = "zh_CN", timeout: float = 40
    ) -> None:
        connector = aiohttp.TCPConnector(resolver=sb.resolver(), ssl=sb.client_ssl_context())
        self.http = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
        )
        self.api_host = page_host
        self.login_host, self.file_host, self.push_host = hosts_for(page_host)
        self.lang = lang
        self.creds = Credentials()
        self.sync_key: dict[str, Any] = {"Count": 0, "List": []}
        self.user: dict[str, Any] = {}
        self.init_data: dict[str, Any] = {}

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.http.close()

    async def __aenter__(self) -> BareClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ helpers
    def url(self, endpoint: str, host: str | None = None, **query: Any) -> str:
        """``https://<host>/cgi-bin/mmwebwx-bin/<endpoint>?…``."""
        qs = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
        return f"https://{host or self.api_host}{API}/{endpoint}" + (f"?{qs}" if qs else "")

    def base_request(self) -> dict[str, Any]:
        """The BaseRequest object of JSON POSTs."""
        return {
            "Uin": int(self.creds.uin or 0),
            "Sid": self.creds.sid,
            "Skey": self.creds.skey,
            "DeviceID": device_id(),
        }

    async def get_text(self, url: str, **kw: Any) -> tuple[int, str]:
        """GET → (status, text)."""
        async with self.http.get(url, allow_redirects=False, **kw) as resp:
            return resp.status, await resp.text()

    async def post_json(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON body, parse the JSON answer (served as text/plain)."""
        try:
            data = json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # lone surrogates: JSON escapes, as JSON.stringify would do
            data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json;charset=UTF-8"}
        async with self.http.post(url, data=data, headers=headers) as resp:
            resp.raise_for_status()
            out: dict[str, Any] = json.loads(await resp.text())
            return out

    def _pt(self) -> str:
        return unquote(self.creds.pass_ticket)

    @staticmethod
    def _check(op: str, data: dict[str, Any]) -> dict[str, Any]:
        ret = int(data.get("BaseResponse", {}).get("Ret", -1))
        if ret != 0:
            raise WebWxError(op, ret, str(data.get("BaseResponse", {}).get("ErrMsg", "")))
        return data

    # ------------------------------------------------------------ login
    async def jslogin(self) -> str:
        """A new QR uuid."""
        redirect = quote(f"https://{self.api_host}{API}/webwxnewloginpage", safe="")
        url = (
            f"https://{self.login_host}/jslogin?appid=wx782c26e4c19acffb&redirect_uri="
            f"{redirect}&fun=new&lang={self.lang}&_={int(time.time() * 1000)}"
        )
        _, text = await self.get_text(url)
        m = _QR_RE.search(text)
        if m is None or m.group(1) != "200":
            raise LoginError(f"jslogin failed: {text!r}")
        return m.group(2)

    async def poll(self, uuid: str, tip: int = 0) -> tuple[int, str]:
        """One login poll → (window.code, body)."""
        url = (
            f"https://{self.login_host}{API}/login?loginicon=true&uuid={uuid}&tip={tip}"
            f"&r={-int(time.time() * 1000) % 2**31}&_={int(time.time() * 1000)}"
        )
        _, text = await self.get_text(url)
        m = re.search(r"window.code=(\d+);", text)
        return (int(m.group(1)) if m else 0), text

    async def wait_login(self, uuid: str) -> str:
        """Poll until 200; the redirect_uri.

        Raises:
            LoginError: the QR expired (400) or the phone cancelled (202).
        """
        tip = 1
        while True:
            code, text = await self.poll(uuid, tip)
            tip = 0
            if code == 200:
                m = re.search(r'window.redirect_uri="(\S+?)";', text)
                if m is None:
                    raise LoginError(f"no redirect_uri in {text!r}")
                return m.group(1)
            if code not in (408, 201):
                raise LoginError(f"login poll answered {code}", ret=code)

    async def newloginpage(self, redirect_uri: str, *, v2: bool = True) -> Credentials:
        """Exchange the ticket; switches to the redirect's host family.

        Raises:
            LoginError: ``<ret>`` ≠ 0.
        """
        self.api_host = urlparse(redirect_uri).hostname or self.api_host
        self.login_host, self.file_host, self.push_host = hosts_for(self.api_host)
        url = redirect_uri + "&fun=new" + ("&version=v2" if v2 else "")
        async with self.http.get(url, allow_redirects=False) as resp:
            text, status = await resp.text(), resp.status
        creds = Credentials(status=status, skey=_xml(text, "skey"))
        creds.pass_ticket = _xml(text, "pass_ticket")
        creds.sid, creds.uin = _xml(text, "wxsid"), _xml(text, "wxuin")
        creds.ret, creds.message = int(_xml(text, "ret") or -1), _xml(text, "message")
        if creds.ret != 0:
            raise LoginError(creds.message, ret=creds.ret)
        self.creds = creds
        return creds

    async def login(self, sb: Sandbox) -> Credentials:
        """The whole QR login with the sandbox's phone scanning and confirming."""
        uuid = await self.jslogin()
        sb.phone.scan()
        sb.phone.confirm()
        return await self.newloginpage(await self.wait_login(uuid))

    # ------------------------------------------------------------ session
    async def init(self) -> dict[str, Any]:
        """webwxinit; keeps User and SyncKey."""
        url = self.url("webwxinit", r=-int(time.time()), lang=self.lang, pass_ticket=self._pt())
        data = self._check(
            "webwxinit", await self.post_json(url, {"BaseRequest": self.base_request()})
        )
        self.user, self.sync_key, self.init_data = data["User"], data["SyncKey"], data
        return data

    async def statusnotify(self, code: int = 3, to: str | None = None) -> dict[str, Any]:
        """webwxstatusnotify (Code 3 right after init)."""
        me = self.user.get("UserName", "")
        body = {
            "BaseRequest": self.base_request(),
            "Code": code,
            "FromUserName": me,
            "ToUserName": to or me,
            "ClientMsgId": int(time.time() * 1000),
        }
        url = self.url("webwxstatusnotify", lang=self.lang, pass_ticket=self._pt())
        return self._check("webwxstatusnotify", await self.post_json(url, body))

    async def contacts(self) -> list[dict[str, Any]]:
        """Every page of webwxgetcontact."""
        out: list[dict[str, Any]] = []
        seq = 0
        for _ in range(64):
            url = self.url(
                "webwxgetcontact",
                lang=self.lang,
                pass_ticket=self._pt(),
                r=int(time.time() * 1000),
                seq=seq,
                skey=self.creds.skey,
            )
            _, text = await self.get_text(url)
            page = self._check("webwxgetcontact", json.loads(text))
            out += page["MemberList"]
            seq = int(page["Seq"])
            if seq == 0:
                break
        return out

    async def batchget(self, names: list[str], room: str = "") -> list[dict[str, Any]]:
        """webwxbatchgetcontact for UserNames (``room``: EncryChatRoomId for members)."""
        items = [{"UserName": n, "EncryChatRoomId": room} for n in names]
        body = {"BaseRequest": self.base_request(), "Count": len(items), "List": items}
        url = self.url(
            "webwxbatchgetcontact", type="ex", r=int(time.time() * 1000), pass_ticket=self._pt()
        )
        data = self._check("webwxbatchgetcontact", await self.post_json(url, body))
        return list(data["ContactList"])

    def synckey_text(self) -> str:
        """SyncKey as ``1_…|2_…``."""
        return "|".join(f"{k['Key']}_{k['Val']}" for k in self.sync_key["List"])

    async def synccheck(self) -> tuple[int, int]:
        """One synccheck long poll → (retcode, selector)."""
        url = self.url(
            "synccheck",
            self.push_host,
            r=int(time.time() * 1000),
            skey=self.creds.skey,
            sid=self.creds.sid,
            uin=self.creds.uin,
            deviceid=device_id(),
            synckey=self.synckey_text(),
        )
        _, text = await self.get_text(url)
        m = _SYNC_RE.search(text)
        if m is None:
            raise WebWxError("synccheck", -1, text[:80])
        return int(m.group(1)), int(m.group(2))

    async def sync(self) -> dict[str, Any]:
        """webwxsync; advances the SyncKey only when the new one is non-empty."""
        url = self.url(
            "webwxsync",
            sid=self.creds.sid,
            skey=self.creds.skey,
            lang=self.lang,
            pass_ticket=self._pt(),
        )
        body = {
            "BaseRequest": self.base_request(),
            "SyncKey": self.sync_key,
            "rr": -int(time.time()),
        }
        data = self._check("webwxsync", await self.post_json(url, body))
        if data.get("SyncKey", {}).get("Count", 0) > 0:
            self.sync_key = data["SyncKey"]
        return data

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        """Yield AddMsgList items forever (until the session ends).

        Raises:
            WebWxError: synccheck answered a non-zero retcode (1100/1101/1102…).
        """
        while True:
            retcode, selector = await self.synccheck()
            if retcode != 0:
                raise WebWxError("synccheck", retcode)
            if selector == 0:
                continue
            for msg in (await self.sync())["AddMsgList"]:
                yield msg

    # ------------------------------------------------------------ actions
    async def send_text(self, to: str, text: str) -> dict[str, Any]:
        """webwxsendmsg; returns the answer (MsgID, LocalID)."""
        local = f"{int(time.time() * 1000)}{random.randint(0, 9999):04d}"
        body = {
            "BaseRequest": self.base_request(),
            "Scene": 0,
            "Msg": {
                "Type": 1,
                "Content": text,
                "FromUserName": self.user["UserName"],
                "ToUserName": to,
                "LocalID": local,
                "ClientMsgId": local,
            },
        }
        url = self.url("webwxsendmsg", lang=self.lang, pass_ticket=self._pt())
        return self._check("webwxsendmsg", await self.post_json(url, body))

    async def call(self, endpoint: str, body: dict[str, Any], **query: Any) -> dict[str, Any]:
        """POST any JSON endpoint with BaseRequest added (answer not checked)."""
        url = self.url(endpoint, pass_ticket=self._pt(), **query)
        return await self.post_json(url, {"BaseRequest": self.base_request(), **body})

    async def upload(
        self,
        data: bytes,
        name: str,
        to: str,
        mime: str = "application/octet-stream",
        mediatype: str = "doc",
    ) -> dict[str, Any]:
        """webwxuploadmedia in 524288-byte chunks; the final answer (with MediaId)."""
        req = {
            "UploadType": 2,
            "BaseRequest": self.base_request(),
            "ClientMediaId": int(time.time() * 1000),
            "TotalLen": len(data),
            "StartPos": 0,
            "DataLen": len(data),
            "MediaType": 4,
            "FromUserName": self.user["UserName"],
            "ToUserName": to,
            "FileMd5": hashlib.md5(data).hexdigest(),
        }
        chunks = max(1, -(-len(data) // CHUNK))
        url = f"https://{self.file_host}{API}/webwxuploadmedia?f=json"
        answer: dict[str, Any] = {}
        for i in range(chunks):
            part = (chunks, i) if chunks > 1 else None
            form = self._upload_form(data, name, mime, mediatype, req, part)
            form.add_field(
                "filename",
                data[i * CHUNK : (i + 1) * CHUNK],
                filename=name,
                content_type="application/octet-stream",
            )
            async with self.http.post(url, data=form) as resp:
                answer = json.loads(await resp.text())
        return answer

    def _upload_form(
        self,
        data: bytes,
        name: str,
        mime: str,
        mediatype: str,
        req: dict[str, Any],
        part: tuple[int, int] | None,
    ) -> aiohttp.FormData:
        """The fields of §6.2 in the browser's order, up to (not including) the bytes."""
        ticket = {c.key: c.value for c in self.http.cookie_jar}.get("webwx_data_ticket", "")
        fields = [
            ("id", "WU_FILE_0"),
            ("name", name),
            ("type", mime),
            ("lastModifiedDate", "Sat Jun 23 2018 16:45:07 GMT+0800 (中国标准时间)"),
            ("size", str(len(data))),
        ]
        if part is not None:
            fields += [("chunks", str(part[0])), ("chunk", str(part[1]))]
        fields += [
            ("mediatype", mediatype),
            ("uploadmediarequest", json.dumps(req)),
            ("webwx_data_ticket", ticket),
            ("pass_ticket", "undefined"),
        ]
        form = aiohttp.FormData()
        for key, value in fields:
            form.add_field(key, value)
        return form

    async def logout(self) -> int:
        """webwxlogout (form POST, type=0); the HTTP status."""
        url = self.url("webwxlogout", redirect=1, type=0, skey=self.creds.skey)
        form = {"sid": self.creds.sid, "uin": self.creds.uin}
        async with self.http.post(url, data=form, allow_redirects=False) as resp:
            return resp.status


def _xml(text: str, tag: str) -> str:
    m = re.search(f"<{tag}>(.*?)</{tag}>", text, re.S)
    return m.group(1) if m else ""
