"""The sandbox in its own process, driven by JSON lines on stdin (``python -m bench.sandbox_proc``).

Why a process: in the benchmark's own process the sandbox would share the event loop (and the
memory figures) with the puppet under test, so every millisecond the puppet spends in Python would
delay the server's answers and be counted twice. A real wx.qq.com runs elsewhere; so does this one.

The first line written is ``{"ready": …, "url", "browser_args", "ca", "host", "port"}``; then every
request ``{"id", "op", "args"}`` gets one answer ``{"id", "ok", "result" | "error"}``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from wechaty_puppet_web.sandbox import Room, Sandbox, World
from wechaty_puppet_web.sandbox.webclient import PageOptions

BIG = {"contacts": 5000, "rooms": 300, "members_per_room": 500}  # the design's scale figure
WORLDS: dict[str, Callable[[], World]] = {
    "default": World.default,
    "big": lambda: World.generate(**BIG),
    # 5,000 friends and a few small rooms: what the page files and renders after login.
    "contacts5k": lambda: World.generate(contacts=5000, rooms=20, members_per_room=30),
}


class Driver:
    """Runs the requests of the benchmark process against one sandbox."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.ops: dict[str, Callable[..., Any]] = {
            "reset": self.reset,
            "send": self.send,
            "send_many": self.send_many,
            "username_of": self.username_of,
            "count_from_bot": self.count_from_bot,
            "roster": self.roster,
            "auto_scan": self.auto_scan,
            "fleet": self.fleet,
            "send_account": self.send_account,
            "page": self.page,
            "outage": self.outage,
        }

    def reset(self, world: str) -> None:
        """A fresh world of the named kind (auto-scan on)."""
        self.sb.reset(WORLDS[world]())
        self.sb.phone.auto_scan = True

    def send(self, from_: str, to: str, text: str) -> str:
        """Post one text; ``to`` = "bot" for the bot, else a contact or room id. Its MsgId."""
        world = self.sb.world
        msg = world.send_text(from_=from_, to=world.bot if to == "bot" else to, text=text)
        return str(msg.msg_id)

    def send_many(self, items: list[list[str]]) -> list[str]:
        """Post ``[from, to, text]`` items back to back; their MsgIds."""
        return [self.send(f, t, x) for f, t, x in items]

    def username_of(self, target: str) -> str:
        """The current session's UserName of a contact or room id."""
        return self.sb.world.username_of(target)

    def count_from_bot(self, prefix: str) -> int:
        """Texts from the bot starting with ``prefix``."""
        bot = self.sb.world.bot.wxid
        return sum(
            1 for m in self.sb.world.messages if m.sender == bot and m.text.startswith(prefix)
        )

    def roster(self, friends: int, rooms: int) -> dict[str, Any]:
        """Some friend wxids and ``[room_id, a member who is not the bot]`` pairs."""
        world = self.sb.world
        bot_rooms: list[Room] = world.bot_rooms()[:rooms]
        pairs = [[r.room_id, next(m for m in r.members if m != world.bot.wxid)] for r in bot_rooms]
        return {"friends": [c.wxid for c in world.friends[:friends]], "rooms": pairs}

    def fleet(self, accounts: int) -> None:
        """A fresh default world served to ``accounts`` bot accounts; each new QR code is
        scanned and confirmed by the next account not logged in."""
        self.sb.reset(WORLDS["default"]())
        for _ in range(accounts - 1):
            self.sb.add_account()
        self.sb.accounts.auto_scan = True

    def send_account(self, bot: str, text: str) -> str:
        """A friend of account ``bot`` (its wxid or a session UserName) texts it; the MsgId."""
        world = self.sb.accounts.find(bot).world
        return str(world.send_text(from_=world.friends[0], to=world.bot, text=text).msg_id)

    def page(self, weight: str = "light", boot_delay: float = 0.0) -> None:
        """The web client page's weight and boot delay (until the next reset)."""
        self.sb.page = PageOptions(weight=weight, boot_delay=boot_delay)  # type: ignore[arg-type]

    def auto_scan(self, on: bool) -> None:
        """Let the phone scan and confirm QR codes by itself (or not)."""
        self.sb.phone.auto_scan = on

    async def outage(self, on: bool) -> None:
        """Make the whole server unreachable (``on``) or reachable again."""
        await (self.sb.outage.begin() if on else self.sb.outage.end())

    async def answer(self, line: bytes) -> dict[str, Any]:
        """One request line → its answer."""
        req = json.loads(line)
        try:
            result = self.ops[req["op"]](**req.get("args", {}))
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # reported to the benchmark, which decides what it means
            return {"id": req.get("id"), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {"id": req.get("id"), "ok": True, "result": result}


_PROTOCOL = sys.stdout  # answers only; main() points sys.stdout at stderr for anything else


def _write(obj: dict[str, Any]) -> None:
    _PROTOCOL.write(json.dumps(obj, ensure_ascii=False) + "\n")
    _PROTOCOL.flush()


async def serve() -> None:
    """Start the sandbox, announce it, answer requests until stdin closes."""
    sb = Sandbox(WORLDS["default"](), auto_scan=True)
    await sb.start()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=16 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    _write({"ready": True, "url": sb.url, "host": sb.host, "port": sb.port,
            "browser_args": sb.browser_args(), "ca": sb.ca_pem().decode()})  # fmt: skip
    driver = Driver(sb)
    try:
        while line := await reader.readline():
            _write(await driver.answer(line))
    finally:
        await sb.stop()


def main() -> None:
    """Entry point of the child process."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.stdout = sys.stderr  # a stray print() must not corrupt the answer stream
    asyncio.run(serve())


if __name__ == "__main__":
    main()
