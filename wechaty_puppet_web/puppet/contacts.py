"""Contacts and friendships of :class:`~wechaty_puppet_web.PuppetWeb`.

Contacts live in the page (``contactFactory``); each call asks the page for plain copies and
parses them, so payloads always reflect what the client knows now.
"""

from __future__ import annotations

from typing import Any, cast

from ..errors import NotFoundError, NotSupportedError
from ..payloads import ContactPayload, FriendshipPayload, FriendshipType
from ..protocol import parse
from ..protocol.raw import RawContact
from ..protocol.text import plain_text
from .envelopes import EventsMixin

FETCH_WAIT_MS = 3000  # an unknown id triggers a batchget; wait this long for its answer
VERIFY_ADD, VERIFY_ACCEPT = 2, 3  # VERIFYUSER_OPCODE_SENDREQUEST / _VERIFYOK


class ContactMixin(EventsMixin):
    """contact_* and friendship_* methods."""

    async def _raw_contacts(self, ids: list[str], *, wait: int = FETCH_WAIT_MS) -> list[Any]:
        self._require_login()
        reply = await self._bridge.call("contact.get", {"ids": ids, "wait": wait})
        return reply if isinstance(reply, list) else []

    async def _raw_contact(self, contact_id: str) -> RawContact:
        found = await self._raw_contacts([contact_id])
        if not found or not isinstance(found[0], dict):
            raise NotFoundError("contact", contact_id)
        return cast(RawContact, found[0])

    async def contact_list(self) -> list[str]:
        """Ids of every person the client knows (friends, self, strangers it has seen).

        Raises:
            NotLoggedInError: before login.
        """
        self._require_login()
        ids = await self._bridge.call("contact.list")
        return [str(i) for i in ids] if isinstance(ids, list) else []

    async def contact_payload(self, contact_id: str) -> ContactPayload:
        """The contact's payload.

        Raises:
            NotLoggedInError / NotFoundError: before login / unknown id.
        """
        raw = await self._raw_contact(contact_id)
        return parse.parse_contact(raw, self_id=self._require_login())

    async def contact_search(self, query: str = "") -> list[str]:
        """Ids of contacts whose name, remark or weixin id contains ``query`` (case-insensitive);
        all contacts for an empty query."""
        ids = await self.contact_list()
        if not query:
            return ids
        needle = query.casefold()
        raws = await self._raw_contacts(ids, wait=0)
        self_id = self._require_login()
        found: list[str] = []
        for raw in raws:
            if not isinstance(raw, dict):
                continue
            payload = parse.parse_contact(cast(RawContact, raw), self_id=self_id)
            if any(
                needle in field.casefold()
                for field in (payload.name, payload.alias, payload.weixin)
            ):
                found.append(payload.id)
        return found

    async def contact_alias(self, contact_id: str, alias: str | None = None) -> str:
        """Get the remark (alias) of a contact, or set it when ``alias`` is given (webwxoplog).

        Raises:
            NotFoundError: unknown id. WebWxError / RateLimitedError: the server refused.
        """
        raw = await self._raw_contact(contact_id)
        if alias is None:
            return plain_text(raw.get("RemarkName", ""))
        args = {"id": contact_id, "alias": alias}

        async def attempt() -> Any:
            return await self._bridge.call("contact.alias", args)

        await self._retry_rate_limited("webwxoplog", attempt)
        return alias

    async def contact_self_name(self, name: str) -> None:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("contact_self_name", "the web client cannot rename the account")

    async def contact_self_qr_code(self) -> str:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("contact_self_qr_code", "the web client has no personal QR code")

    async def contact_signature(self, signature: str) -> None:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("contact_signature", "the web client cannot edit the signature")

    async def contact_phone(self, contact_id: str, phone_list: list[str]) -> None:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("contact_phone", "the web client has no phone numbers of contacts")

    async def tag_contact_list(self, contact_id: str | None = None) -> list[str]:
        """Not possible on web WeChat (tags are phone-only).

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError(
            "tag_contact_list", "contact tags (labels) are edited on the phone only"
        )

    # ---- friendship ---------------------------------------------------------------------

    async def friendship_payload(self, friendship_id: str) -> FriendshipPayload:
        """A friendship seen in a ``friendship`` event.

        Raises:
            NotFoundError: unknown id.
        """
        payload = self._friendships.get(friendship_id)
        if payload is None:
            raise NotFoundError("friendship", friendship_id)
        return payload

    async def friendship_accept(self, friendship_id: str) -> None:
        """Accept a received friend request (verifyUser, Opcode 3).

        Raises:
            NotFoundError: unknown id. WebWxError / RateLimitedError: the server refused.
        """
        self._require_login()
        payload = await self.friendship_payload(friendship_id)
        if payload.type is not FriendshipType.RECEIVE:
            raise NotFoundError("friend request", friendship_id)
        args = {"userName": payload.contact_id, "opcode": VERIFY_ACCEPT, "ticket": payload.ticket}
        await self._verify(args)

    async def friendship_add(self, contact_id: str, hello: str = "") -> None:
        """Send a friend request to ``contact_id`` (verifyUser, Opcode 2).

        Raises:
            WebWxError / RateLimitedError: the server refused.
        """
        self._require_login()
        await self._verify({"userName": contact_id, "opcode": VERIFY_ADD, "hello": hello})

    async def _verify(self, args: dict[str, Any]) -> None:
        async def attempt() -> Any:
            return await self._bridge.call("friendship.verify", args)

        await self._retry_rate_limited("webwxverifyuser", attempt)

    async def friendship_search_phone(self, phone: str) -> str | None:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError(
            "friendship_search_phone", "the web client has no user search (by phone or WeChat id)"
        )

    async def friendship_search_weixin(self, weixin: str) -> str | None:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError(
            "friendship_search_weixin", "the web client has no user search (by phone or WeChat id)"
        )
