"""The rest of Wechaty's Puppet interface, so every method of it exists on PuppetWeb.

Wechaty's interface (TypeScript ``wechaty-puppet`` 1.x and python-wechaty-puppet) has methods that
web WeChat cannot serve: WeCom-only contact fields, tags, sending locations or mini programs,
moments ("posts"). Each raises :class:`~wechaty_puppet_web.errors.NotSupportedError` naming the
reason, before any other check, so a caller learns it at once. The rest here are thin: aliases
of methods under Wechaty's other names, reads of state the puppet already has, and the ``dirty``
calls, which have nothing to drop because PuppetWeb keeps no payload cache (every payload call
reads the page's current state). docs/puppet-interface.md maps every method; a test keeps it true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import NotSupportedError
from ..payloads import RoomInvitationPayload
from ..protocol import parse

if TYPE_CHECKING:
    from ..payloads import RoomMemberPayload
    from ..protocol.raw import RawMessage

__all__ = ["InterfaceMixin"]

_WECOM = "a WeCom (corporation) contact field; personal WeChat has none"
_TAGS = "contact tags (labels) are edited on the phone only; the web client has no tag API"
_POSTS = "moments (posts) are not part of web WeChat"
_SEARCH = "the web client has no user search (by phone or WeChat id)"


class InterfaceMixin:
    """Wechaty Puppet methods beyond the web client's own surface."""

    if TYPE_CHECKING:
        _messages: Any

        def _require_login(self) -> str: ...

        def _raw_message(self, message_id: str) -> RawMessage: ...

        async def room_delete(self, room_id: str, contact_ids: list[str] | str) -> None: ...

        async def room_members(self, room_id: str) -> list[str]: ...

        async def room_member_payload(self, room_id: str, member_id: str) -> RoomMemberPayload: ...

        async def friendship_search_phone(self, phone: str) -> str | None: ...

        async def friendship_search_weixin(self, weixin: str) -> str | None: ...

    # ---- contact -------------------------------------------------------------------------

    async def contact_corporation_remark(self, contact_id: str, remark: str | None = None) -> None:
        """Raises: NotSupportedError: always (WeCom only)."""
        raise NotSupportedError("contact_corporation_remark", _WECOM)

    async def contact_description(self, contact_id: str, description: str | None = None) -> None:
        """Raises: NotSupportedError: always (WeCom only)."""
        raise NotSupportedError("contact_description", _WECOM)

    async def contact_tag_ids(self, contact_id: str) -> list[str]:
        """Raises: NotSupportedError: always (tags are phone-only)."""
        raise NotSupportedError("contact_tag_ids", _TAGS)

    # ---- tags ----------------------------------------------------------------------------

    async def tag_contact_add(self, tag_id: str, contact_id: str) -> None:
        """Raises: NotSupportedError: always (tags are phone-only)."""
        raise NotSupportedError("tag_contact_add", _TAGS)

    async def tag_contact_remove(self, tag_id: str, contact_id: str) -> None:
        """Raises: NotSupportedError: always (tags are phone-only)."""
        raise NotSupportedError("tag_contact_remove", _TAGS)

    async def tag_contact_delete(self, tag_id: str) -> None:
        """Raises: NotSupportedError: always (tags are phone-only)."""
        raise NotSupportedError("tag_contact_delete", _TAGS)

    async def tag_favorite_add(self, tag_id: str, favorite_id: str) -> None:
        """Raises: NotSupportedError: always (favorites are phone-only)."""
        raise NotSupportedError("tag_favorite_add", "favorites are not part of web WeChat")

    async def tag_favorite_delete(self, tag_id: str) -> None:
        """Raises: NotSupportedError: always (favorites are phone-only)."""
        raise NotSupportedError("tag_favorite_delete", "favorites are not part of web WeChat")

    # ---- messages ------------------------------------------------------------------------

    async def message_send_mini_program(self, conversation_id: str, mini_program: Any) -> str:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError(
            "message_send_mini_program",
            "the web client cannot send mini-program cards (AppMsgType 33 needs the app's keys)",
        )

    async def message_send_location(self, conversation_id: str, location: Any) -> str:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError(
            "message_send_location", "the web client has no send path for locations (MsgType 48)"
        )

    async def message_send_post(self, conversation_id: str, post: Any) -> str:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("message_send_post", _POSTS)

    async def message_list(self) -> list[str]:
        """Ids of the messages this puppet holds (the newest few thousand it saw or sent)."""
        self._require_login()
        return [str(i) for i in self._messages]

    # ---- posts (moments) -----------------------------------------------------------------

    async def post_publish(self, post: Any) -> str:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("post_publish", _POSTS)

    async def post_search(self, query: Any = None) -> list[str]:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("post_search", _POSTS)

    async def post_payload(self, post_id: str) -> Any:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("post_payload", _POSTS)

    async def post_list(self) -> list[str]:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("post_list", _POSTS)

    async def post_payload_dirty(self, post_id: str) -> None:
        """Raises: NotSupportedError: always."""
        raise NotSupportedError("post_payload_dirty", _POSTS)

    # ---- rooms ---------------------------------------------------------------------------

    async def room_del(self, room_id: str, contact_id: str) -> None:
        """Wechaty's name for :meth:`room_delete` of one member."""
        await self.room_delete(room_id, [contact_id])

    async def room_member_list(self, room_id: str) -> list[str]:
        """Wechaty's name for :meth:`room_members`."""
        return await self.room_members(room_id)

    async def room_member_search(self, room_id: str, query: str) -> list[str]:
        """Ids of the room's members whose name or room alias contains ``query``."""
        needle = query.casefold()
        found = []
        for member_id in await self.room_members(room_id):
            member = await self.room_member_payload(room_id, member_id)
            if needle in member.name.casefold() or needle in member.room_alias.casefold():
                found.append(member_id)
        return found

    async def room_invitation_payload(self, room_invitation_id: str) -> RoomInvitationPayload:
        """The invitation card of a ``room-invite`` event (its id is the message's).

        Raises:
            NotFoundError: unknown id. ProtocolError: the message is no invitation.
        """
        self._require_login()
        return parse.parse_room_invitation(self._raw_message(room_invitation_id))

    # ---- friendship ----------------------------------------------------------------------

    async def friendship_search_handle(self, handle: str) -> str | None:
        """Wechaty 1.x's name for :meth:`friendship_search_weixin`.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("friendship_search_handle", _SEARCH)

    async def friendship_search(
        self, phone: str | None = None, weixin: str | None = None
    ) -> str | None:
        """python-wechaty's combined search.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("friendship_search", _SEARCH)

    # ---- payload caches ------------------------------------------------------------------

    async def dirty_payload(self, payload_type: int, payload_id: str) -> None:
        """Nothing to drop: PuppetWeb keeps no payload cache (the Puppet Service tells its
        clients, which do cache, through a ``dirty`` event)."""

    async def contact_payload_dirty(self, contact_id: str) -> None:
        """See :meth:`dirty_payload`."""

    async def room_payload_dirty(self, room_id: str) -> None:
        """See :meth:`dirty_payload`."""

    async def room_member_payload_dirty(self, room_id: str) -> None:
        """See :meth:`dirty_payload`."""

    async def message_payload_dirty(self, message_id: str) -> None:
        """See :meth:`dirty_payload`."""

    async def friendship_payload_dirty(self, friendship_id: str) -> None:
        """See :meth:`dirty_payload`."""
