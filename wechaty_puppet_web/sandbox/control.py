"""The control API: script the sandbox's world and phone from any language (plain HTTP JSON).

``wechaty-web sandbox --control-port N`` serves it on ``127.0.0.1:N``; every route mirrors a
Python call of :class:`~wechaty_puppet_web.sandbox.World` or the phone. Ids are the world's real
ids (``wxid_…``, ``…@chatroom``); ``"bot"`` names the bot account. Errors answer
``{"error": "…"}`` with status 400 (bad request, unknown contact) or 404 (unknown route/message).

| route | Python |
|---|---|
| ``GET /v1/world`` | ``world.to_json()`` |
| ``POST /v1/messages {"from","to","text","mentions"?}`` → ``{"msg_id"}`` | ``world.send_text`` |
| ``GET /v1/messages?from=&to=&type=&after=&wait=`` → ``[{"msg_id","to","type","text",…}]`` | |
| ``GET /v1/messages/<id>/media`` → bytes | the media of a message |
| ``POST /v1/messages/<id>/recall`` | ``world.recall`` |
| ``POST /v1/images {"from","to","data"?}`` (base64) | ``world.send_image`` |
| ``POST /v1/files {"from","to","name","data"}`` | ``world.send_file`` |
| ``POST /v1/voices {"from","to","data"?}`` | ``world.send_voice`` |
| ``POST /v1/videos {"from","to","data"?}`` | ``world.send_video`` |
| ``POST /v1/contacts {"wxid","nickname","friend"?}`` | ``world.add_contact`` |
| ``POST /v1/friend-requests {"from","hello"?}`` | ``world.friend_request`` |
| ``POST /v1/friend-requests/<wxid>/accept`` | ``world.accept_friend_request`` |
| ``POST /v1/rooms {"creator","members","topic"?}`` → ``{"room_id"}`` | ``world.create_room`` |
| ``POST /v1/rooms/<id>/invite {"by","members"}`` | ``world.invite`` |
| ``POST /v1/rooms/<id>/kick {"by","members"}`` | ``world.kick`` |
| ``POST /v1/rooms/<id>/topic {"by","topic"}`` | ``world.rename_room`` |
| ``GET /v1/phone/qr?wait=`` → ``{"uuid"}`` | ``phone.wait_for_qr`` |
| ``POST /v1/phone/{scan,confirm,cancel,expire,logout}`` | ``phone.scan()`` … |
| ``POST /v1/phone/messages {"to","text"}`` | ``phone.send_text`` |
| ``GET /v1/status`` → ``{"logged_in"}`` | live web sessions |
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import SandboxError
from .model import Contact, Room, WorldMessage

if TYPE_CHECKING:
    from .server import Sandbox

_log = logging.getLogger(__name__)

MAX_WAIT = 60.0
# Wire names of message types (the numeric MsgType is given too).
TYPE_NAMES = {
    1: "text",
    3: "image",
    34: "voice",
    37: "friend_request",
    42: "card",
    43: "video",
    47: "emoticon",
    49: "app",
    62: "video",
    10000: "system",
    10002: "recall",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A request the control API cannot act on (answered 400 with the message)."""


def message_json(msg: WorldMessage, bot: str) -> dict[str, Any]:
    """One world message as the control API lists it."""
    name = TYPE_NAMES.get(msg.msg_type, str(msg.msg_type))
    if msg.msg_type == 49 and msg.app_type == 6:
        name = "file"
    return {
        "msg_id": msg.id,
        "from": "bot" if msg.sender == bot else msg.sender,
        "to": "bot" if msg.to == bot else msg.to,
        "type": name,
        "msg_type": msg.msg_type,
        "text": msg.text,
        "file_name": msg.file_name,
        "size": len(msg.media) if msg.media is not None else 0,
        "room": msg.room,
        "via": msg.via.value,
        "recalled": msg.recalled,
        "time": msg.create_time,
    }


class ControlServer:
    """The control API of one sandbox on ``127.0.0.1``."""

    def __init__(self, sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sb = sandbox
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        """The aiohttp application (routes of the module docstring)."""
        app = web.Application(middlewares=[_errors])
        r = app.router
        r.add_get("/v1/world", self._world)
        r.add_get("/v1/status", self._status)
        r.add_post("/v1/messages", self._send_text)
        r.add_get("/v1/messages", self._messages)
        r.add_get("/v1/messages/{msg_id}/media", self._media)
        r.add_post("/v1/messages/{msg_id}/recall", self._recall)
        r.add_post("/v1/images", self._send_image)
        r.add_post("/v1/files", self._send_file)
        r.add_post("/v1/voices", self._send_voice)
        r.add_post("/v1/videos", self._send_video)
        r.add_post("/v1/contacts", self._add_contact)
        r.add_post("/v1/friend-requests", self._friend_request)
        r.add_post("/v1/friend-requests/{wxid}/accept", self._accept)
        r.add_post("/v1/rooms", self._create_room)
        r.add_post("/v1/rooms/{room}/{action}", self._room_action)
        r.add_get("/v1/phone/qr", self._qr)
        r.add_post("/v1/phone/messages", self._phone_send)
        r.add_post("/v1/phone/{action}", self._phone)
        return app

    async def start(self) -> None:
        """Listen (plain HTTP).

        Raises:
            SandboxError: the port could not be bound.
        """
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise SandboxError(
                f"control API cannot listen on {self.host}:{self.port}: {exc}"
            ) from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------ helpers
    def _who(self, value: Any, field: str) -> Contact | Room:
        if not isinstance(value, str) or not value:
            raise BadRequest(f'{field!r} must be a wxid, a room id or "bot"')
        w = self.sb.world
        return w.bot if value == "bot" else w.resolve(value)

    def _many(self, value: Any, field: str) -> list[Contact | Room]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise BadRequest(f"{field!r} must be a list of ids")
        return [self._who(v, field) for v in items]

    @staticmethod
    def _data(value: Any, *, required: bool) -> bytes | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise BadRequest("'data' must be base64 text")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadRequest(f"'data' is not base64: {exc}") from exc

    @staticmethod
    def _sent(msg: WorldMessage | None) -> web.Response:
        return web.json_response({"msg_id": msg.id if msg is not None else None})

    # ------------------------------------------------------------ world
    async def _world(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.sb.world.to_json())

    async def _status(self, request: web.Request) -> web.StreamResponse:
        live = self.sb.sessions.live()
        return web.json_response({"logged_in": bool(live), "sessions": len(live)})

    async def _send_text(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise BadRequest("'text' must be a string")
        mentions = self._many(body["mentions"], "mentions") if body.get("mentions") else []
        msg = self.sb.world.send_text(
            from_=self._who(body.get("from"), "from"),
            to=self._who(body.get("to"), "to"),
            text=text,
            mentions=mentions,
        )
        return self._sent(msg)

    async def _send_image(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        msg = self.sb.world.send_image(
            from_=self._who(body.get("from"), "from"),
            to=self._who(body.get("to"), "to"),
            data=self._data(body.get("data"), required=False),
        )
        return self._sent(msg)

    async def _send_file(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequest("'name' must be a file name")
        data = self._data(body.get("data"), required=True)
        msg = self.sb.world.send_file(
            from_=self._who(body.get("from"), "from"),
            to=self._who(body.get("to"), "to"),
            name=name,
            data=data or b"",
        )
        return self._sent(msg)

    async def _send_voice(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        msg = self.sb.world.send_voice(
            from_=self._who(body.get("from"), "from"),
            to=self._who(body.get("to"), "to"),
            data=self._data(body.get("data"), required=False),
        )
        return self._sent(msg)

    async def _send_video(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        msg = self.sb.world.send_video(
            from_=self._who(body.get("from"), "from"),
            to=self._who(body.get("to"), "to"),
            data=self._data(body.get("data"), required=False),
        )
        return self._sent(msg)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        w = self.sb.world
        bot = w.bot.wxid

        def real(value: str | None) -> str | None:
            return bot if value == "bot" else value

        sender, to, kind = real(q.get("from")), real(q.get("to")), q.get("type")
        after = _int(q.get("after"), 0)
        wait = min(max(_float(q.get("wait"), 0.0), 0.0), MAX_WAIT)

        def match(m: WorldMessage) -> bool:
            if m.msg_id <= after or (sender and m.sender != sender) or (to and m.to != to):
                return False
            return not kind or message_json(m, bot)["type"] == kind

        if wait and not any(match(m) for m in w.messages):
            with contextlib.suppress(TimeoutError):  # an empty list then
                await w.wait_for_message(match, timeout=wait)
        return web.json_response([message_json(m, bot) for m in w.messages if match(m)])

    def _message(self, request: web.Request) -> WorldMessage:
        found = self.sb.world.find_message(request.match_info["msg_id"])
        if found is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "no such message"}), content_type="application/json"
            )
        return found

    async def _media(self, request: web.Request) -> web.StreamResponse:
        msg = self._message(request)
        if msg.media is None:
            raise BadRequest("the message has no media")
        return web.Response(
            body=msg.media, content_type=msg.media_mime or "application/octet-stream"
        )

    async def _recall(self, request: web.Request) -> web.StreamResponse:
        return self._sent(self.sb.world.recall(self._message(request)))

    async def _add_contact(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        wxid, nick = body.get("wxid"), body.get("nickname")
        if not isinstance(wxid, str) or not wxid or not isinstance(nick, str):
            raise BadRequest("'wxid' and 'nickname' are required")
        c = Contact(wxid=wxid, nickname=nick, friend=bool(body.get("friend", True)))
        self.sb.world.add_contact(c)
        return web.json_response(c.to_json())

    async def _friend_request(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        hello = body.get("hello", "")
        msg = self.sb.world.friend_request(
            from_=self._who(body.get("from"), "from"), hello=str(hello)
        )
        return self._sent(msg)

    async def _accept(self, request: web.Request) -> web.StreamResponse:
        who = self._who(request.match_info["wxid"], "wxid")
        return self._sent(self.sb.world.accept_friend_request(who))

    async def _create_room(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        room = self.sb.world.create_room(
            self._who(body.get("creator"), "creator"),
            self._many(body.get("members"), "members"),
            topic=str(body.get("topic", "")),
        )
        return web.json_response({"room_id": room.room_id})

    async def _room_action(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        w = self.sb.world
        room = w.room(request.match_info["room"])
        by = self._who(body.get("by"), "by")
        action = request.match_info["action"]
        if action == "invite":
            msg = w.invite(room, by, self._many(body.get("members"), "members"))
        elif action == "kick":
            msg = w.kick(room, by, self._many(body.get("members"), "members"))
        elif action == "topic":
            topic = body.get("topic")
            if not isinstance(topic, str):
                raise BadRequest("'topic' must be a string")
            msg = w.rename_room(room, by, topic)
        else:
            raise web.HTTPNotFound(
                text=json.dumps({"error": f"no room action {action!r}"}),
                content_type="application/json",
            )
        return self._sent(msg)

    # ------------------------------------------------------------ phone
    async def _qr(self, request: web.Request) -> web.StreamResponse:
        wait = min(max(_float(request.query.get("wait"), 10.0), 0.0), MAX_WAIT)
        try:
            uuid = await self.sb.phone.wait_for_qr(timeout=wait)
        except TimeoutError as exc:
            raise BadRequest(str(exc)) from exc
        return web.json_response({"uuid": uuid})

    async def _phone(self, request: web.Request) -> web.StreamResponse:
        phone = self.sb.phone
        actions: dict[str, Callable[[], None]] = {
            "scan": phone.scan,
            "confirm": phone.confirm,
            "cancel": phone.cancel,
            "expire": phone.expire_qr,
            "logout": phone.logout,
        }
        action = actions.get(request.match_info["action"])
        if action is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "no such phone action"}), content_type="application/json"
            )
        action()
        return web.json_response({"ok": True})

    async def _phone_send(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise BadRequest("'text' must be a string")
        return self._sent(self.sb.phone.send_text(self._who(body.get("to"), "to"), text))


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json() if request.can_read_body else {}
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise BadRequest(f"not a number: {value!r}") from exc


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError as exc:
        raise BadRequest(f"not a number: {value!r}") from exc


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Typed errors become JSON answers; the server keeps running whatever a caller sends."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json":
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)
    except (BadRequest, SandboxError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    except Exception:
        _log.exception("control API failed on %s %s", request.method, request.path)
        return web.json_response({"error": "internal error"}, status=500)
