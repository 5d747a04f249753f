"""The sandbox world: the bot account, its contacts and rooms, and every message exchanged.

Tests script the world (``world.send_text(from_=alice, to=world.bot, text="hi")``) and observe it
(``await world.wait_for_message(pred)``). Sessions of the protocol server subscribe to it and turn
what the bot can see into ``webwxsync`` traffic.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import SandboxError
from .actions_social import SocialActions
from .ids import MsgIdCounter
from .model import Account, Contact, Room, WorldMessage
from .worlds import default_world_data, generated_world_data

_log = logging.getLogger(__name__)

Listener = Callable[[str, Any], None]
Target = Contact | Room | str

# Fixed UserNames (never hashed per session).
SPECIAL_IDS = frozenset(
    {"filehelper", "weixin", "fmessage", "newsapp", "medianote", "floatbottle", "qqmail"}
)


class World(SocialActions):
    """All accounts, rooms and messages of one sandbox world."""

    def __init__(
        self, bot: Account, contacts: Iterable[Contact] = (), rooms: Iterable[Room] = ()
    ) -> None:
        self.bot = bot
        self._contacts: dict[str, Contact] = {bot.wxid: bot}
        self._rooms: dict[str, Room] = {}
        for c in contacts:
            self._contacts[c.wxid] = c
        for r in rooms:
            self._rooms[r.room_id] = r
        self.messages: list[WorldMessage] = []
        self._by_id: dict[int, WorldMessage] = {}
        self._ids = MsgIdCounter()
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._username_of: Callable[[str], str] | None = None
        self._wxid_of: Callable[[str], str | None] | None = None
        self.friend_tickets: dict[str, str] = {}  # pending requests to the bot: wxid -> ticket
        self.outgoing_requests: dict[str, str] = {}  # the bot's requests: wxid -> greeting

    # ---------------------------------------------------------------- lookup
    def contact(self, key: str) -> Contact:
        """A contact by wxid, nickname, remark or alias.

        Raises:
            SandboxError: nobody matches.
        """
        found = self._contacts.get(key)
        if found is not None:
            return found
        for c in self._contacts.values():
            if key in (c.nickname, c.remark, c.alias) and key:
                return c
        raise SandboxError(f"no contact {key!r} in the world")

    def room(self, key: str) -> Room:
        """A room by id (``…@chatroom``) or topic.

        Raises:
            SandboxError: no room matches.
        """
        found = self._rooms.get(key)
        if found is not None:
            return found
        for r in self._rooms.values():
            if r.topic == key and key:
                return r
        raise SandboxError(f"no room {key!r} in the world")

    def get(self, wxid: str) -> Contact | Room | None:
        """A contact or room by real id, or None."""
        return self._contacts.get(wxid) or self._rooms.get(wxid)

    def resolve(self, target: Target) -> Contact | Room:
        """Accept a contact, a room, a wxid/room id or a name."""
        if isinstance(target, (Contact, Room)):
            return target
        found = self.get(target)
        if found is not None:
            return found
        try:
            return self.contact(target)
        except SandboxError:
            return self.room(target)

    @property
    def contacts(self) -> list[Contact]:
        """Every contact except the bot (friends, strangers, officials, specials)."""
        return [c for c in self._contacts.values() if c is not self.bot]

    @property
    def friends(self) -> list[Contact]:
        """The bot's friends (people only)."""
        return [
            c for c in self.contacts if c.friend and not self.is_special(c) and not c.is_official
        ]

    @property
    def officials(self) -> list[Contact]:
        """Official accounts the bot follows."""
        return [c for c in self.contacts if c.is_official and c.wxid not in SPECIAL_IDS]

    @property
    def specials(self) -> list[Contact]:
        """filehelper, weixin and the like."""
        return [c for c in self.contacts if self.is_special(c)]

    @property
    def rooms(self) -> list[Room]:
        """Every room in the world."""
        return list(self._rooms.values())

    def bot_rooms(self) -> list[Room]:
        """Rooms the bot is a member of."""
        return [r for r in self._rooms.values() if self.bot.wxid in r.members]

    @staticmethod
    def is_special(c: Contact | str) -> bool:
        """True for the fixed-name service accounts."""
        return (c if isinstance(c, str) else c.wxid) in SPECIAL_IDS

    def add_contact(self, contact: Contact) -> Contact:
        """Add (or replace) a contact; friends appear to a live session at once."""
        self._contacts[contact.wxid] = contact
        if contact.friend:
            self._emit("contact", contact.wxid)
        return contact

    def add_room(self, room: Room) -> Room:
        """Add (or replace) a room."""
        self._rooms[room.room_id] = room
        if self.bot.wxid in room.members:
            self._emit("contact", room.room_id)
        return room

    def name_in(self, wxid: str, room: Room | None = None) -> str:
        """The name the bot sees for ``wxid``: remark, else room alias, else nickname."""
        c = self._contacts.get(wxid)
        if c is not None and c.friend and c.remark:
            return c.remark
        if room is not None and room.display_names.get(wxid):
            return room.display_names[wxid]
        return c.nickname if c is not None else wxid

    # ---------------------------------------------------------------- sessions
    def bind_session_names(
        self, username_of: Callable[[str], str] | None, wxid_of: Callable[[str], str | None] | None
    ) -> None:
        """Let ``username_of``/``contact_by_username`` use the current session (server-internal)."""
        self._username_of = username_of
        self._wxid_of = wxid_of

    def username_of(self, target: Target) -> str:
        """The current web session's UserName (``@hex``) for a contact or room.

        Raises:
            SandboxError: no session is logged in.
        """
        if self._username_of is None:
            raise SandboxError("no web session is logged in")
        return self._username_of(self.resolve(target).wxid)

    def contact_by_username(self, user_name: str) -> Contact | Room:
        """The contact or room behind a session UserName.

        Raises:
            SandboxError: unknown name or no session.
        """
        wxid = self._wxid_of(user_name) if self._wxid_of is not None else None
        found = self.get(wxid) if wxid else None
        if found is None:
            raise SandboxError(f"no contact behind UserName {user_name!r}")
        return found

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(kind, obj)`` on every change; returns an unsubscribe function.

        kinds: ``message`` (a WorldMessage the bot can see), ``contact`` (id modified/added),
        ``delete`` (id removed from the bot's view).
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, kind: str, obj: Any) -> None:
        for listener in list(self._listeners):
            try:
                listener(kind, obj)
            except Exception:  # a broken session must not break the world
                _log.exception("world listener failed on %s", kind)

    # ---------------------------------------------------------------- messages
    def message(self, msg_id: int | str) -> WorldMessage:
        """A message by MsgId.

        Raises:
            SandboxError: unknown id.
        """
        try:
            return self._by_id[int(msg_id)]
        except (KeyError, ValueError):
            raise SandboxError(f"no message {msg_id!r}") from None

    def find_message(self, msg_id: int | str) -> WorldMessage | None:
        """A message by MsgId, or None."""
        try:
            return self._by_id.get(int(msg_id))
        except ValueError:
            return None

    def bot_sees(self, msg: WorldMessage) -> bool:
        """Whether the bot's sessions receive ``msg``."""
        bot = self.bot.wxid
        if bot in (msg.sender, msg.to):
            return True
        room = self._rooms.get(msg.to)
        return room is not None and bot in room.members

    def _post(self, msg: WorldMessage) -> WorldMessage:
        self.messages.append(msg)
        self._by_id[msg.msg_id] = msg
        if self.bot_sees(msg):
            self._emit("message", msg)
        self._changed.set()
        self._changed = asyncio.Event()
        return msg

    async def wait_for_message(
        self, predicate: Callable[[WorldMessage], bool], timeout: float = 5.0
    ) -> WorldMessage:
        """The first message (already posted or arriving) for which ``predicate`` is true.

        Raises:
            TimeoutError: nothing matched within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while True:
            for msg in self.messages[seen:]:
                if predicate(msg):
                    return msg
            seen = len(self.messages)
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = [(m.sender, m.to, m.msg_type, m.text[:40]) for m in self.messages[-5:]]
                raise TimeoutError(f"no matching world message in {timeout:g} s; last: {last}")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    # ---------------------------------------------------------------- files
    @classmethod
    def default(cls) -> World:
        """The standard test world (see ``fixtures/worlds/default.json``)."""
        return cls.from_json(default_world_data())

    @classmethod
    def generate(
        cls, contacts: int = 5000, rooms: int = 300, members_per_room: int = 500, seed: int = 7
    ) -> World:
        """A big world for benchmarks (built in well under a second)."""
        return cls.from_json(generated_world_data(contacts, rooms, members_per_room, seed))

    @classmethod
    def load(cls, path: str | Path) -> World:
        """Read a JSON world file.

        Raises:
            SandboxError: the file is missing or malformed.
        """
        try:
            data = json.loads(Path(path).read_text("utf-8"))
            return cls.from_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SandboxError(f"cannot load world {str(path)!r}: {exc}") from exc

    def dump(self, path: str | Path) -> None:
        """Write this world's accounts and rooms as JSON (messages are not saved)."""
        Path(path).write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", "utf-8"
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON of accounts and rooms."""
        bot = self.bot.to_json() | {"uin": self.bot.uin}
        return {
            "bot": bot,
            "contacts": [c.to_json() for c in self.contacts],
            "rooms": [r.to_json() for r in self._rooms.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> World:
        """Build a world from :meth:`to_json` data."""
        bot = Account(**data["bot"])
        contacts = [Contact(**c) for c in data.get("contacts", [])]
        rooms = [Room(**r) for r in data.get("rooms", [])]
        for i, c in enumerate(contacts, start=1):
            c.head_seq = c.head_seq or 600_000_000 + i * 17
        return cls(bot, contacts, rooms)
