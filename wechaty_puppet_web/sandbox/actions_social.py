"""Scripted social events of the world: friendship, room membership, topics, remarks and pins."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import SandboxError
from .actions import WorldActions
from .model import Contact, Room, Via, WorldMessage

if TYPE_CHECKING:
    Target = Contact | Room | str


class SocialActions(WorldActions):
    """Mixin of :class:`~wechaty_puppet_web.sandbox.world.World`: friends and rooms."""

    # ------------------------------------------------------------ friendship
    def friend_request(self, *, from_: Target, hello: str = "", scene: int = 14) -> WorldMessage:
        """A stranger asks the bot to be friends: MsgType 37 from ``fmessage``."""
        src = self.resolve(from_)
        ticket = f"v2_{secrets.token_hex(24)}@stranger"
        self.friend_tickets[src.wxid] = ticket
        msg = WorldMessage(
            msg_id=self._ids.next(),
            sender="fmessage",
            to=self.bot.wxid,
            msg_type=37,
            text=hello,
            via=Via.SERVER,
            extra={"requester": src.wxid, "ticket": ticket, "scene": scene},
        )
        return self._post(msg)

    def accept_friend_request(self, who: Target) -> WorldMessage:
        """The other side accepts the bot's request: they become a friend, a 10000 line follows."""
        c = self.resolve(who)
        if not isinstance(c, Contact):
            raise SandboxError("only people can be friends")
        c.friend = True
        self._emit("contact", c.wxid)
        return self._sys(c.wxid, "friend_they_added", name=c.nickname)

    def bot_accepts(self, who: str, ticket: str) -> WorldMessage:
        """The bot accepted a request (webwxverifyuser Opcode 3).

        Raises:
            SandboxError: no pending request from ``who`` with that ticket.
        """
        expected = self.friend_tickets.get(who)
        if expected is None or (ticket and ticket != expected):
            raise SandboxError(f"no pending friend request from {who}")
        del self.friend_tickets[who]
        c = self._contacts[who]
        c.friend = True
        self._emit("contact", who)
        return self._sys(who, "friend_you_added", name=c.nickname)

    # ------------------------------------------------------------ rooms
    def invite(
        self, room: Room | str, inviter: Target, invitees: Sequence[Target] | Target
    ) -> WorldMessage | None:
        """``inviter`` adds ``invitees`` to ``room``; the bot sees the matching 10000 line."""
        r = self._room_of(room)
        by = self.resolve(inviter).wxid
        new = [w for w in self._ids_of(invitees) if w not in r.members]
        if not new:
            raise SandboxError("everyone invited is already in the room")
        bot = self.bot.wxid
        before = [m for m in r.members if m not in (by, bot)]
        r.members.extend(new)
        self._emit("contact", r.room_id)
        names = [self.name_in(w, r) for w in new if w != bot]
        if bot in new:
            inv = self.name_in(by, r)
            if names:
                return self._sys(r.room_id, "invited_you_and", inviter=inv, others=names)
            others = [self.name_in(m, r) for m in before[:10]]
            return self._sys(r.room_id, "invited_you", inviter=inv, others=others)
        if bot not in r.members:
            return None
        if by == bot:
            return self._sys(r.room_id, "invite_by_you", invitees=names)
        return self._sys(r.room_id, "invite_other", inviter=self.name_in(by, r), invitees=names)

    def join_by_qr(self, room: Room | str, who: Target, sharer: Target) -> WorldMessage | None:
        """``who`` joins ``room`` by scanning the QR code ``sharer`` shared."""
        r = self._room_of(room)
        w, s = self.resolve(who).wxid, self.resolve(sharer).wxid
        if w in r.members:
            raise SandboxError(f"{w} is already in the room")
        r.members.append(w)
        self._emit("contact", r.room_id)
        if self.bot.wxid not in r.members or w == self.bot.wxid:
            return None
        if s == self.bot.wxid:
            return self._sys(r.room_id, "qr_join_yours", who=self.name_in(w, r))
        return self._sys(
            r.room_id, "qr_join_other", who=self.name_in(w, r), sharer=self.name_in(s, r)
        )

    def kick(
        self, room: Room | str, remover: Target, removees: Sequence[Target] | Target
    ) -> WorldMessage | None:
        """``remover`` removes ``removees``; a third party's kick is silent."""
        r = self._room_of(room)
        by = self.resolve(remover).wxid
        gone = [w for w in self._ids_of(removees) if w in r.members]
        if not gone:
            raise SandboxError("nobody to remove")
        names = [self.name_in(w, r) for w in gone]
        for w in gone:
            r.members.remove(w)
            r.display_names.pop(w, None)
        bot = self.bot.wxid
        self._emit("contact", r.room_id)
        if bot in gone:
            return self._sys(r.room_id, "removed_you", remover=self.name_in(by, r))
        if by == bot:
            return self._sys(r.room_id, "remove_by_you", removees=names)
        return None

    def rename_room(self, room: Room | str, by: Target, topic: str) -> WorldMessage | None:
        """``by`` changes the room's topic."""
        r = self._room_of(room)
        who = self.resolve(by).wxid
        r.topic = topic
        self._emit("contact", r.room_id)
        if self.bot.wxid not in r.members:
            return None
        if who == self.bot.wxid:
            return self._sys(r.room_id, "rename_you", topic=topic)
        return self._sys(r.room_id, "rename_other", changer=self.name_in(who, r), topic=topic)

    def create_room(self, creator: Target, members: Sequence[Target], topic: str = "") -> Room:
        """A new room created by ``creator`` (the bot's ``webwxcreatechatroom`` uses this)."""
        owner = self.resolve(creator).wxid
        room_id = f"{secrets.randbelow(9 * 10**10) + 10**10}@chatroom"
        r = Room(room_id=room_id, topic=topic, owner=owner, members=[owner])
        self._rooms[room_id] = r
        self.invite(r, owner, [m for m in self._ids_of(members) if m != owner])
        return r

    def leave_room(self, room: Room | str, who: Target) -> None:
        """``who`` quits the room (silently, as on the real server)."""
        r = self._room_of(room)
        w = self.resolve(who).wxid
        if w not in r.members:
            raise SandboxError(f"{w} is not in the room")
        r.members.remove(w)
        self._emit("delete" if w == self.bot.wxid else "contact", r.room_id)

    def set_remark(self, who: Target, remark: str) -> None:
        """Change the bot's remark for a contact (``webwxoplog`` CmdId 2)."""
        c = self.resolve(who)
        if not isinstance(c, Contact):
            raise SandboxError("rooms have no remark")
        c.remark = remark
        self._emit("contact", c.wxid)

    def set_pinned(self, who: Target, pinned: bool) -> None:
        """Pin / unpin a conversation (``webwxoplog`` CmdId 3)."""
        c = self.resolve(who)
        if isinstance(c, Contact):
            c.pinned = pinned
        self._emit("contact", c.wxid)

    def update_contact(self, who: Target, **changes: object) -> Contact:
        """Change a contact's fields (``nickname=``, ``signature=``…); a ModContactList follows.

        Raises:
            SandboxError: not a contact, or an unknown field.
        """
        c = self.resolve(who)
        if not isinstance(c, Contact):
            raise SandboxError("update_contact is for people; use rename_room for rooms")
        for name, value in changes.items():
            if name == "wxid" or not hasattr(c, name):
                raise SandboxError(f"cannot change {name!r}")
            setattr(c, name, value)
        self._emit("contact", c.wxid)
        return c

    def set_room_alias(self, room: Room | str, who: Target, alias: str) -> None:
        """A member changes their in-room display name (silent; the room's ModContact follows)."""
        r = self._room_of(room)
        wxid = self.resolve(who).wxid
        if wxid not in r.members:
            raise SandboxError(f"{wxid} is not in the room")
        r.display_names[wxid] = alias
        self._emit("contact", r.room_id)
