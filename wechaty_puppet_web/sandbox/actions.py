# ruff: noqa: RUF002 - verbatim Chinese strings use full-width punctuation
"""Scripted actions of the world: messages of every type, room and friendship events.

Every action posts :class:`WorldMessage` records; sessions render them into the exact wire traffic
(and system-line wording, zh or en) of webwx-protocol.md §5.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import SandboxError
from . import samples
from .ids import MsgIdCounter, media_id
from .model import Account, Contact, Room, Via, WorldMessage

if TYPE_CHECKING:
    Target = Contact | Room | str


class WorldActions:
    """Mixin of :class:`~wechaty_puppet_web.sandbox.world.World` with the scripting verbs."""

    if TYPE_CHECKING:
        bot: Account
        _ids: MsgIdCounter
        _rooms: dict[str, Room]
        _contacts: dict[str, Contact]
        friend_tickets: dict[str, str]

        def resolve(self, target: Target) -> Contact | Room: ...
        def room(self, key: str) -> Room: ...
        def _post(self, msg: WorldMessage) -> WorldMessage: ...
        def _emit(self, kind: str, obj: Any) -> None: ...
        def name_in(self, wxid: str, room: Room | None = None) -> str: ...

    # ------------------------------------------------------------ helpers
    def _new(self, sender: Target, to: Target, msg_type: int, **kw: Any) -> WorldMessage:
        src, dst = self.resolve(sender), self.resolve(to)
        if isinstance(dst, Room) and src.wxid not in dst.members:
            raise SandboxError(f"{src.wxid} is not a member of {dst.room_id}")
        return WorldMessage(
            msg_id=self._ids.next(), sender=src.wxid, to=dst.wxid, msg_type=msg_type, **kw
        )

    def _send(self, sender: Target, to: Target, msg_type: int, **kw: Any) -> WorldMessage:
        return self._post(self._new(sender, to, msg_type, **kw))

    def bot_send(self, to: Target, msg_type: int, *, via: Via = Via.WEB, **kw: Any) -> WorldMessage:
        """A message sent by the bot (its web session or its phone)."""
        return self._send(self.bot, to, msg_type, via=via, **kw)

    def _sys(self, where: str, key: str, **args: Any) -> WorldMessage:
        """A 10000 line in conversation ``where`` (room or friend), addressed to the bot."""
        msg = WorldMessage(
            msg_id=self._ids.next(),
            sender=where,
            to=self.bot.wxid,
            msg_type=10000,
            sys=(key, args),
            via=Via.SERVER,
        )
        return self._post(msg)

    def _room_of(self, room: Room | str) -> Room:
        return room if isinstance(room, Room) else self.room(room)

    def _ids_of(self, who: Iterable[Target] | Target) -> list[str]:
        # a single contact or id is accepted too (a str is a Sequence, so check it first)
        items = [who] if isinstance(who, (str, Contact, Room)) else list(who)
        return [self.resolve(w).wxid for w in items]

    # ------------------------------------------------------------ messages
    def send_text(
        self, *, from_: Target, to: Target, text: str, mentions: Sequence[Target] = ()
    ) -> WorldMessage:
        """A text message; ``mentions`` are prefixed as ``@name`` + U+2005 unless already in it."""
        dst = self.resolve(to)
        room = dst if isinstance(dst, Room) else None
        ids = self._ids_of(mentions)
        for wxid in reversed(ids):
            name = self.name_in(wxid, room) if wxid != self.bot.wxid else self._self_name(room)
            if f"@{name}" not in text:
                text = f"@{name}\u2005{text}"
        return self._send(from_, to, 1, text=text, mentions=tuple(ids))

    def _self_name(self, room: Room | None) -> str:
        if room is not None and room.display_names.get(self.bot.wxid):
            return room.display_names[self.bot.wxid]
        return self.bot.nickname

    def send_image(self, *, from_: Target, to: Target, data: bytes | None = None) -> WorldMessage:
        """An image (3); ``data`` defaults to a small JPEG."""
        body = data if data is not None else samples.jpeg()
        return self._send(from_, to, 3, media=body, media_mime="image/jpeg")

    def send_file(self, *, from_: Target, to: Target, name: str, data: bytes) -> WorldMessage:
        """A file attachment (49 / AppMsgType 6)."""
        return self._send(
            from_,
            to,
            49,
            app_type=6,
            file_name=name,
            media=data,
            media_id=media_id(),
            media_mime="application/octet-stream",
        )

    def send_card(self, *, from_: Target, to: Target, card_of: Target) -> WorldMessage:
        """A contact card (42) of ``card_of``."""
        card = self.resolve(card_of)
        return self._send(from_, to, 42, extra={"card": card.wxid})

    def send_link(
        self, *, from_: Target, to: Target, title: str, url: str, des: str = "", thumb_url: str = ""
    ) -> WorldMessage:
        """A link / article (49 / AppMsgType 5)."""
        return self._send(
            from_,
            to,
            49,
            app_type=5,
            file_name=title,
            url=url,
            extra={"des": des, "thumb_url": thumb_url},
        )

    def send_emoticon(
        self, *, from_: Target, to: Target, data: bytes | None = None, store: bool = False
    ) -> WorldMessage:
        """A sticker (47), served by ``webwxgetmsgimg?type=big``; ``store`` = a store sticker
        (``HasProductId`` 1, empty Content: the web cannot show it)."""
        body = data if data is not None else samples.gif()
        md5 = hashlib.md5(body).hexdigest()
        extra = {"md5": md5, "store": store}
        return self._send(from_, to, 47, media=body, media_mime="image/gif", extra=extra)

    def send_voice(
        self, *, from_: Target, to: Target, data: bytes | None = None, seconds: float = 2.0
    ) -> WorldMessage:
        """A voice message (34, mp3)."""
        body = data if data is not None else samples.mp3(seconds)
        return self._send(
            from_,
            to,
            34,
            media=body,
            media_mime="audio/mp3",
            extra={"voice_ms": int(seconds * 1000)},
        )

    def send_video(
        self,
        *,
        from_: Target,
        to: Target,
        data: bytes | None = None,
        seconds: int = 3,
        micro: bool = False,
    ) -> WorldMessage:
        """A video (43) or micro video (62) with a JPEG thumbnail."""
        body = data if data is not None else samples.mp4()
        return self._send(
            from_,
            to,
            62 if micro else 43,
            media=body,
            media_mime="video/mp4",
            thumb=samples.jpeg(96, 64),
            extra={"seconds": seconds},
        )

    def send_location(
        self,
        *,
        from_: Target,
        to: Target,
        label: str = "深圳市南山区科技园",
        x: float = 22.54,
        y: float = 113.93,
        poi: str = "[位置]",
    ) -> WorldMessage:
        """A location (MsgType 1, SubMsgType 48)."""
        return self._send(from_, to, 1, sub_type=48, text=label, extra={"x": x, "y": y, "poi": poi})

    def send_mini_program(
        self,
        *,
        from_: Target,
        to: Target,
        title: str = "Mini Program",
        appid: str = "wx1234567890abcdef",
        page_path: str = "pages/index",
        username: str = "gh_0123456789ab@app",
    ) -> WorldMessage:
        """A mini program card (49 / AppMsgType 33)."""
        extra = {"appid": appid, "page_path": page_path, "username": username}
        return self._send(from_, to, 49, app_type=33, file_name=title, extra=extra)

    def send_app_message(
        self,
        *,
        from_: Target,
        to: Target,
        app_type: int,
        title: str,
        url: str = "",
        des: str = "",
        xml: str = "",
    ) -> WorldMessage:
        """Any other app message (49) by AppMsgType; ``xml`` replaces the generated appmsg XML."""
        return self._send(
            from_, to, 49, app_type=app_type, file_name=title, url=url, xml=xml, extra={"des": des}
        )

    def send_transfer_notice(
        self, *, from_: Target, to: Target, amount: str = "0.01"
    ) -> WorldMessage:
        """A money transfer notice (49 / AppMsgType 2000, FileName 微信转账)."""
        return self._send(
            from_, to, 49, app_type=2000, file_name="微信转账", extra={"des": f"收到转账{amount}元"}
        )

    def send_red_packet_notice(self, *, from_: Target, to: Target) -> WorldMessage:
        """A red packet: the web only gets the grey line ``收到红包，请在手机上查看``."""
        where = self.resolve(to)
        key = (
            "red_packet_sent"
            if self.resolve(from_).wxid == self.bot.wxid
            else "red_packet_received"
        )
        return self._sys(where.wxid if isinstance(where, Room) else self.resolve(from_).wxid, key)

    def group_invitation(self, from_: Target, room: Room | str) -> WorldMessage:
        """An invitation card to a (big) room: 49 / AppMsgType 5 "邀请你加入群聊"."""
        r = self._room_of(room)
        src = self.resolve(from_)
        extra = {"invite_room": r.room_id, "inviter": src.wxid}
        return self._send(
            src,
            self.bot,
            49,
            app_type=5,
            url=f"https://support.weixin.qq.com/cgi-bin/"
            f"mmsupport-bin/addchatroombyinvite?ticket={secrets.token_hex(8)}",
            extra=extra,
        )

    def recall(self, message: WorldMessage) -> WorldMessage:
        """Recall ``message``: the bot receives MsgType 10002 (revokemsg XML)."""
        message.recalled = True
        key = "recall_you" if message.sender == self.bot.wxid else "recall_other"
        room = self._rooms.get(message.to)
        name = self.name_in(message.sender, room)
        msg = self._new(
            message.sender,
            message.to,
            10002,
            via=Via.SERVER,
            sys=(key, {"name": name}),
            extra={"recalled": message.msg_id},
        )
        return self._post(msg)
