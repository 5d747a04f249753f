"""The message surface beyond plain text: files, link cards, forward, recall, read mark, and
everything that downloads (message media, avatars) or parses a received message's card.

``PuppetWeb`` inherits :class:`MessagingMixin`; the mixin leans on a few things the puppet
provides (declared below for the type checker). The page side is ``injected_js/media.js``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from ..errors import NotSupportedError, ProtocolError, RateLimitedError, WebWxError
from ..filebox import FileBox
from ..payloads import (
    ImageType,
    LocationPayload,
    MessagePayload,
    MessageType,
    MiniProgramPayload,
    UrlLinkPayload,
)
from ..protocol import parse
from .media import (
    Download,
    download_bytes,
    download_to_path,
    plan_send,
    upload,
    url_link_xml,
)

if TYPE_CHECKING:
    from ..protocol.raw import RawMessage
    from .media import BridgeLike

__all__ = ["MessagingMixin"]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

_RATE_LIMITED = 1205
_SEND_TIMEOUT = 90.0  # the page waits up to 60 s for MMStatus; leave it room to answer
# What the web client can forward (webclient-surface §6.3): the UI offers exactly these.
_FORWARDABLE = frozenset(
    {
        MessageType.TEXT,
        MessageType.IMAGE,
        MessageType.VIDEO,
        MessageType.ATTACHMENT,
        MessageType.EMOTICON,
        MessageType.LOCATION,
        MessageType.URL,
    }
)
_REUPLOADABLE = frozenset(
    {MessageType.IMAGE, MessageType.VIDEO, MessageType.ATTACHMENT, MessageType.EMOTICON}
)
_SEND_OPS = {3: "webwxsendmsgimg", 43: "webwxsendvideomsg", 47: "webwxsendemoticon"}
_SUFFIX = {
    MessageType.IMAGE: ".jpg",
    MessageType.EMOTICON: ".gif",
    MessageType.AUDIO: ".mp3",
    MessageType.VIDEO: ".mp4",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _safe(ident: str) -> str:
    return _UNSAFE_NAME.sub("", ident) or "file"


class MessagingMixin:
    """Media and the non-text message methods of :class:`~wechaty_puppet_web.PuppetWeb`."""

    if TYPE_CHECKING:
        _bridge: BridgeLike

        def _require_login(self) -> str: ...

        def _raw_message(self, message_id: str) -> RawMessage: ...

        async def _remember_sent(self, raw: RawMessage) -> str: ...

        async def _retry_rate_limited(self, op: str, fn: Callable[[], Awaitable[_T]]) -> _T: ...

    # ---- sending -------------------------------------------------------------------------

    async def message_send_file(self, conversation_id: str, file: FileBox) -> str:
        """Send a file as an image (bmp/png/jpeg/jpg), video (mp4 < 20 MB), sticker (gif) or
        attachment (anything else); return the new message id.

        Raises:
            NotLoggedInError: before login.
            UploadError: empty, larger than 25 MB, or refused by the server.
            RateLimitedError: Ret 1205 persisted through the back-off retries.
            WebWxError: the server refused the send.
        """
        self._require_login()
        plan = plan_send(file)
        uploaded = await upload(
            self._bridge, file, plan, conversation_id, retry=self._retry_rate_limited
        )
        args = {
            "to": conversation_id,
            "msgType": plan.msg_type,
            "mediaId": uploaded.media_id,
            "encryFileName": uploaded.encry_file_name,
            "fileName": file.name,
            "fileSize": file.size,
            "fileExt": plan.file_ext,
        }
        op = _SEND_OPS.get(plan.msg_type, "webwxsendappmsg")
        return await self._send_via_page(op, "media.sendMedia", args)

    async def message_send_url(self, conversation_id: str, url_link: UrlLinkPayload) -> str:
        """Send a link card (appmsg AppMsgType 5 through ``webwxsendappmsg``); return its id.

        Raises:
            NotLoggedInError: before login.
            RateLimitedError: Ret 1205 persisted through the back-off retries.
            WebWxError: the server refused the send.
        """
        self._require_login()
        args = {
            "to": conversation_id,
            "title": url_link.title,
            "url": url_link.url,
            "xml": url_link_xml(url_link),
        }
        return await self._send_via_page("webwxsendappmsg", "media.sendUrl", args)

    async def message_send_contact(self, conversation_id: str, contact_id: str) -> str:
        """Contact cards cannot be sent from web WeChat.

        The official web client has no send path for MsgType 42 (``sendMessage`` has no branch
        for it and no endpoint exists: webclient-surface §6.2, protocol §5.5), so this always
        raises.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError(
            "message_send_contact",
            "web WeChat has no way to send a contact card (MsgType 42): the web client has no "
            "send path and the protocol no endpoint for it",
        )

    async def message_forward(self, conversation_id: str, message_id: str) -> str:
        """Forward a text, image, video, file, sticker, location or link message; return the
        new message's id.

        Raises:
            NotFoundError: unknown message id.
            NotSupportedError: the web client cannot forward this kind of message.
            RateLimitedError / WebWxError: the server refused the send.
        """
        payload = self._message_payload_of(message_id)
        if payload.type not in _FORWARDABLE:
            raise NotSupportedError(
                "message_forward", f"web WeChat cannot forward {payload.type.name} messages"
            )
        args = {"to": conversation_id, "msgId": message_id, "raw": self._raw_message(message_id)}
        try:
            return await self._send_via_page("forward", "media.forward", args)
        except RateLimitedError:
            raise
        except WebWxError as exc:
            if payload.type not in _REUPLOADABLE:
                raise
            # The server would not reuse the original's media (an expired CDN token or MediaId):
            # send the same bytes as a new upload instead, which is what the user asked for.
            _log.warning("forward of %s refused (%s); re-uploading its media", message_id, exc)
        file = await self.message_file(message_id)
        return await self.message_send_file(conversation_id, file)

    async def _send_via_page(self, op: str, handler: str, args: dict[str, Any]) -> str:
        async def attempt() -> Any:
            return await self._bridge.call(handler, args, timeout=_SEND_TIMEOUT)

        result = await self._retry_rate_limited(op, attempt)
        if isinstance(result, dict) and "refused" in result:
            raise NotSupportedError("message_forward", str(result["refused"]))
        if not isinstance(result, dict) or not result.get("MsgId"):
            raise ProtocolError(f"{handler} returned no message", result)
        return await self._remember_sent(cast("RawMessage", result))  # the page's plain copy

    # ---- recall and read mark ------------------------------------------------------------

    async def message_recall(self, message_id: str) -> bool:
        """Recall a message the bot sent; True when the server took it back.

        Returns False when the server refuses (for example the message is older than two
        minutes, or was not sent by the bot): the web client only offers recall then, and a
        refusal is an expected outcome rather than an error.

        Raises:
            NotFoundError: unknown message id.
            RateLimitedError: Ret 1205 persisted through the back-off retries.
        """
        self._require_login()
        args = {"msgId": message_id, "raw": self._raw_message(message_id)}
        ret, err_msg = await self._ret_call("webwxrevokemsg", "media.recall", args)
        if ret != 0:
            _log.info("recall of %s refused: Ret %s %s", message_id, ret, err_msg)
        return ret == 0

    async def conversation_read_mark(self, conversation_id: str, has_read: bool = True) -> None:
        """Mark a conversation read (``webwxstatusnotify`` Code 1), as opening it on the web does.

        Raises:
            NotSupportedError: ``has_read=False``: the web cannot mark a chat unread.
            RateLimitedError / WebWxError: the server refused.
        """
        self._require_login()
        if not has_read:
            raise NotSupportedError("conversation_read_mark", "web WeChat cannot mark unread")
        args = {"userName": conversation_id}
        ret, err_msg = await self._ret_call("webwxstatusnotify", "media.readMark", args)
        if ret != 0:
            raise WebWxError("webwxstatusnotify", ret, err_msg)

    async def _ret_call(self, op: str, handler: str, args: dict[str, Any]) -> tuple[int, str]:
        """Call a page handler answering ``{ret, errMsg}``; Ret 1205 is retried with back-off."""

        async def attempt() -> tuple[int, str]:
            reply = await self._bridge.call(handler, args, timeout=_SEND_TIMEOUT)
            if not isinstance(reply, dict):
                raise ProtocolError(f"{handler} returned a non-object", reply)
            ret, err_msg = int(reply.get("ret", -1)), str(reply.get("errMsg") or "")
            if ret == _RATE_LIMITED:
                raise RateLimitedError(op, ret, err_msg)
            return ret, err_msg

        return await self._retry_rate_limited(op, attempt)

    # ---- downloads -----------------------------------------------------------------------

    async def message_file(self, message_id: str) -> FileBox:
        """The file a message carries: image (original), sticker, voice (mp3), video (mp4) or
        attachment, with its name and MIME type.

        Raises:
            NotFoundError: unknown message id.
            ProtocolError: the message carries no file.
            WebWxError: the download failed.
        """
        return await download_bytes(self._bridge, *self._download_of(message_id))

    async def message_file_to_path(self, message_id: str, path: str | os.PathLike[str]) -> FileBox:
        """Like :meth:`message_file`, but stream the bytes to ``path`` (for large files)."""
        what, name = self._download_of(message_id)
        return await download_to_path(self._bridge, what, path, name)

    async def message_image(self, message_id: str, image_type: ImageType = ImageType.HD) -> FileBox:
        """An image message's picture: THUMBNAIL is the server's small copy, HD/ARTWORK the
        original; a sticker's image for an emoticon message.

        Raises:
            NotFoundError: unknown message id.
            ProtocolError: the message is not an image or a sticker.
        """
        payload = self._message_payload_of(message_id)
        size: Literal["", "slave", "big"]
        if payload.type == MessageType.EMOTICON:
            size = "big"
        elif payload.type == MessageType.IMAGE:
            size = "slave" if image_type == ImageType.THUMBNAIL else ""
        else:
            raise ProtocolError(f"message {message_id} is {payload.type.name}, not an image")
        suffix = "-thumb" if size == "slave" else ""
        what = Download(kind="image", msg_id=message_id, image_type=size)
        return await download_bytes(self._bridge, what, f"{_safe(message_id)}{suffix}.jpg")

    def _download_of(self, message_id: str) -> tuple[Download, str]:
        payload = self._message_payload_of(message_id)
        kind = payload.type
        what: Download | None = None
        if kind == MessageType.IMAGE:
            what = Download(kind="image", msg_id=message_id)
        elif kind == MessageType.EMOTICON:
            what = Download(kind="image", msg_id=message_id, image_type="big")
        elif kind == MessageType.AUDIO:
            what = Download(kind="voice", msg_id=message_id)
        elif kind == MessageType.VIDEO:
            what = Download(kind="video", msg_id=message_id)
        elif kind == MessageType.ATTACHMENT:
            raw = dict(self._raw_message(message_id))
            what = Download(kind="file", msg_id=message_id, raw=raw)
        if what is None:
            raise ProtocolError(f"message {message_id} ({kind.name}) carries no file")
        return what, payload.filename or f"{_safe(message_id)}{_SUFFIX.get(kind, '')}"

    async def contact_avatar(self, contact_id: str, file: FileBox | None = None) -> FileBox:
        """A contact's avatar (``webwxgeticon``); setting one is not possible on the web.

        Raises:
            NotSupportedError: ``file`` given (web WeChat cannot change an avatar).
        """
        self._require_login()
        if file is not None:
            raise NotSupportedError("contact_avatar", "web WeChat cannot set an avatar")
        what = Download(kind="avatar", user_name=contact_id)
        return await download_bytes(self._bridge, what, f"{_safe(contact_id)}.jpg")

    async def room_avatar(self, room_id: str) -> FileBox:
        """A room's avatar (``webwxgetheadimg``)."""
        self._require_login()
        what = Download(kind="avatar", user_name=room_id)
        return await download_bytes(self._bridge, what, f"{_safe(room_id)}.jpg")

    # ---- cards inside received messages (parsed by protocol.parse) ---------------------

    async def message_contact(self, message_id: str) -> str:
        """The contact id a card message (MsgType 42) carries.

        Raises:
            NotFoundError / ProtocolError: unknown id / not a card.
        """
        return parse.parse_contact_card(self._raw_message(message_id))

    async def message_url(self, message_id: str) -> UrlLinkPayload:
        """The link a URL message carries.

        Raises:
            NotFoundError / ProtocolError: unknown id / not a link.
        """
        return parse.parse_url_link(self._raw_message(message_id))

    async def message_location(self, message_id: str) -> LocationPayload:
        """The place a location message carries.

        Raises:
            NotFoundError / ProtocolError: unknown id / not a location.
        """
        return parse.parse_location(self._raw_message(message_id))

    async def message_mini_program(self, message_id: str) -> MiniProgramPayload:
        """The mini program a mini-program message carries.

        Raises:
            NotFoundError / ProtocolError: unknown id / not a mini program.
        """
        return parse.parse_mini_program(self._raw_message(message_id))

    def _message_payload_of(self, message_id: str) -> MessagePayload:
        self_id = self._require_login()
        return parse.parse_message(self._raw_message(message_id), self_id=self_id)
