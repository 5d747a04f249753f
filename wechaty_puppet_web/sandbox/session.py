"""Per-login web sessions: credentials, the per-session UserName mapping, the sync log, long polls.

Every world change the bot can see is appended to each live session's log with a sequence number.
The SyncKey encodes the position in that log (key 2), so a client that retries a ``webwxsync``
with an old key gets the same messages again (none lost), and nothing is delivered twice to a
client that moves forward.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import ids
from .world import SPECIAL_IDS, World

_log = logging.getLogger(__name__)

# Bases of the SyncKey values (real ones are ~9-10 digit numbers that only grow).
_KEY_BASES = {1: 698_325_105, 2: 698_325_111, 3: 698_325_051, 11: 698_322_408}
SYNC_BATCH = 100
# A session whose client vanished (browser killed, never logged out) must not grow forever.
MAX_LOG = 20_000


@dataclass(slots=True, kw_only=True)
class LogEntry:
    """One pending item of a session's sync log."""

    seq: int
    kind: str  # "message" | "contact" | "delete" | "raw" | "raw-contact"
    obj: Any


class Session:
    """One logged-in web session of the bot."""

    def __init__(
        self, *, world: World, api_host: str, lang: str, sync_batch: int = SYNC_BATCH
    ) -> None:
        self.world = world
        self.api_host = api_host
        self.lang = lang
        self.uin = world.bot.uin
        self.sid = ids.wxsid()
        self.skey = ids.skey()
        self.pass_ticket = ids.pass_ticket()
        self.data_ticket = ids.data_ticket()
        self.uvid = ids.uvid()
        self.auth_ticket = ids.auth_ticket()
        self.login_time = int(time.time())
        self.dead = 0  # 0 alive, else the synccheck retcode (1100 logged out, 1101 kicked)
        self.inited = False
        self.sync_batch = sync_batch
        self._names: dict[str, str] = {}
        self._wxids: dict[str, str] = {}
        self._log: deque[LogEntry] = deque()
        self._seq = 0
        self.acked = 0
        self.last_msg_time = self.login_time
        self._wake = asyncio.Event()
        # Set while a synccheck is held: tests await it to prove a pending poll wakes on an event.
        self.polling = asyncio.Event()
        self.encry_ids: dict[str, str] = {}
        self.member_cache: dict[tuple[str, str], tuple[tuple[str, str, bool], dict[str, Any]]] = {}
        # (ClientMsgId, ToUserName, content digest) -> MsgId: a retried send is not doubled.
        self.sent: dict[tuple[str, str, str], int] = {}

    # ------------------------------------------------------------ names
    def username(self, wxid: str) -> str:
        """This session's UserName for a real id (created on first use)."""
        if wxid in SPECIAL_IDS:
            return wxid
        name = self._names.get(wxid)
        if name is None:
            if wxid.endswith("@chatroom"):
                name = ids.room_user_name()
            else:
                name = ids.user_name(long=wxid == self.world.bot.wxid)
            self._names[wxid] = name
            self._wxids[name] = wxid
        return name

    def wxid_of(self, user_name: str) -> str | None:
        """The real id behind a UserName of this session, or None."""
        if user_name in SPECIAL_IDS:
            return user_name
        return self._wxids.get(user_name)

    def knows(self, wxid: str) -> bool:
        """Whether this session has already shown ``wxid`` to the client."""
        return wxid in self._names

    def encry_chatroom_id(self, room_id: str) -> str:
        """The room's ``EncryChatRoomId`` in this session."""
        if room_id not in self.encry_ids:
            self.encry_ids[room_id] = ids.encry_chatroom_id()
        return self.encry_ids[room_id]

    # ------------------------------------------------------------ log
    @property
    def alive(self) -> bool:
        """False after a logout or a kick."""
        return self.dead == 0

    @property
    def position(self) -> int:
        """The newest sequence number in the log."""
        return self._seq

    def push(self, kind: str, obj: Any) -> None:
        """Append to the sync log and wake a pending synccheck."""
        if not self.alive:
            return
        self._seq += 1
        self._log.append(LogEntry(seq=self._seq, kind=kind, obj=obj))
        if len(self._log) > MAX_LOG:
            dropped = self._log.popleft()
            self.acked = max(self.acked, dropped.seq)
            _log.warning("sync log of an idle session is full: oldest entries dropped")
        self._signal()

    def kill(self, retcode: int) -> None:
        """End the session; pending and later synchecks answer ``retcode``."""
        if self.alive:
            self.dead = retcode
            self._signal()

    def _signal(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    def pending(self, pos: int) -> list[LogEntry]:
        """Entries after ``pos`` (all of them; callers slice)."""
        return [e for e in self._log if e.seq > pos]

    def ack(self, pos: int) -> None:
        """The client has everything up to ``pos``: forget it."""
        if pos > self.acked:
            self.acked = min(pos, self._seq)
        while self._log and self._log[0].seq <= self.acked:
            self._log.popleft()

    def selector(self, pos: int) -> int:
        """The synccheck selector for a client at ``pos``: 2 messages, 6 contact removed, 4 mods."""
        kinds = {e.kind for e in self._log if e.seq > pos}
        if not kinds:
            return 0
        if kinds & {"message", "raw"}:
            return 2
        return 6 if "delete" in kinds else 4

    async def wait(self, pos: int, hold: float) -> int:
        """Hold until something is pending after ``pos`` or the session dies; the selector."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hold
        while self.alive:
            sel = self.selector(pos)
            remaining = deadline - loop.time()
            if sel or remaining <= 0:
                return sel
            wake = self._wake
            self.polling.set()
            try:
                await asyncio.wait_for(wake.wait(), remaining)
            except TimeoutError:
                return self.selector(pos)
            finally:
                self.polling.clear()
        return 0

    # ------------------------------------------------------------ SyncKey
    def sync_key(self, pos: int, *, full: bool = True) -> dict[str, Any]:
        """The SyncKey for position ``pos`` (4 keys after init, 7 after a sync, as observed)."""
        keys: list[tuple[int, int]] = [(k, base + pos) for k, base in _KEY_BASES.items()]
        if full:
            keys += [
                (201, self.last_msg_time),
                (1000, self.login_time),
                (1001, self.login_time + pos),
            ]
            keys.sort()
        else:
            keys = [k for k in keys if k[0] != 11] + [(1000, self.login_time)]
        return {"Count": len(keys), "List": [{"Key": k, "Val": v} for k, v in keys]}

    def position_of(self, pairs: list[tuple[int, int]]) -> int:
        """Log position encoded in a client's SyncKey; the acknowledged one if it is unusable."""
        for key, val in pairs:
            if key == 2:
                pos = val - _KEY_BASES[2]
                if 0 <= pos <= self._seq:
                    return pos
        return self.acked


class SessionHub:
    """All sessions of one sandbox; the newest live one is ``current``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_sid: dict[str, Session] = {}
        self.current: Session | None = None
        self._unsubscribe: Callable[[], None] = world.subscribe(self._on_world)
        world.bind_session_names(self._username_of, self._wxid_of)

    def _username_of(self, wxid: str) -> str:
        if self.current is None:
            from ..errors import SandboxError

            raise SandboxError("no web session is logged in")
        return self.current.username(wxid)

    def _wxid_of(self, user_name: str) -> str | None:
        return self.current.wxid_of(user_name) if self.current is not None else None

    def create(self, *, api_host: str, lang: str) -> Session:
        """A new session; like the real server, it logs out every older web session (1101)."""
        for old in self.by_sid.values():
            old.kill(1101)
        s = Session(world=self.world, api_host=api_host, lang=lang)
        self.by_sid[s.sid] = s
        self.current = s
        return s

    def live(self) -> list[Session]:
        """Sessions still alive."""
        return [s for s in self.by_sid.values() if s.alive]

    def get(self, sid: str | None) -> Session | None:
        """A session (alive or dead) by wxsid."""
        return self.by_sid.get(sid) if sid else None

    def close(self) -> None:
        """Kill every session and stop listening to the world (used by reset)."""
        for s in self.by_sid.values():
            s.kill(1101)
        self._unsubscribe()
        self.world.bind_session_names(None, None)

    def inject_sync(
        self, *, add_msgs: Sequence[Any] = (), mod_contacts: Sequence[Any] = ()
    ) -> None:
        """Put raw items, junk included, into the next webwxsync answer of every live session
        (``AddMsgList`` and ``ModContactList`` as given, unchecked): for reliability tests."""
        for s in self.live():
            for item in add_msgs:
                s.push("raw", item)
            for item in mod_contacts:
                s.push("raw-contact", item)

    def _on_world(self, kind: str, obj: Any) -> None:
        for s in self.live():
            if kind == "contact" and not self._shows(s, obj):
                continue
            s.push(kind, obj)

    def _shows(self, s: Session, wxid: Any) -> bool:
        """Contact changes reach a session for friends and for rooms it is (or was) shown."""
        target = self.world.get(wxid) if isinstance(wxid, str) else None
        if target is None:
            return False
        if wxid.endswith("@chatroom"):
            return self.world.bot.wxid in getattr(target, "members", ()) or s.knows(wxid)
        return bool(getattr(target, "friend", False))
