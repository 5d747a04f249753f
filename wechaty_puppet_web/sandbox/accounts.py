"""Several bot accounts in one sandbox, each with its own world view, sessions, phone and faults.

The listening :class:`~wechaty_puppet_web.sandbox.Sandbox` is the first account; each added one
is a :class:`Sandbox` that does not listen (same port, same certificate) and that the listening
one hands requests to. Nothing changes for a single bot: with no added account every request
goes where it always went.

Which account a request belongs to, like the real server knows it:

- a login step names its QR ``uuid`` (the poll, the QR image, ``webwxnewloginpage``): the
  account whose login hub holds that uuid;
- a logged-in request carries its session (``wxsid`` cookie, ``sid`` query, ``BaseRequest.Sid``)
  or its account (``wxuin`` cookie, ``uin`` query, ``BaseRequest.Uin``; push login asks by uin);
- anything else (``jslogin``, the page before login) goes to the first account, whose login hub
  is the lobby every new QR code starts in. A phone takes a QR code from the lobby with
  :meth:`AccountSet.claim` (then its ``phone.scan()``/``confirm()`` work as usual), and with
  :attr:`AccountSet.auto_scan` each new QR code goes to the next account that is not logged in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import SandboxError
from .httpkit import parse_cookies, query
from .login import LoginHub, LoginTicket, QrState
from .world import World
from .worlds import BOT_WXID, default_world_data

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["AccountSet", "account_world"]

SCAN_AFTER, CONFIRM_AFTER = 0.2, 0.4  # seconds, like the single phone's auto-scan


def account_world(index: int, data: dict[str, Any] | None = None) -> World:
    """A world whose bot is account ``index`` (1 = the default bot ``wxid_bot``).

    The other accounts of a sandbox need their own bot id and uin: this renames the bot of
    ``data`` (default: the default world) everywhere it appears (rooms, owners).
    """
    data = data if data is not None else default_world_data()
    if index <= 1:
        return World.from_json(data)
    old = str(data["bot"]["wxid"])
    new = f"{BOT_WXID}{index}" if old == BOT_WXID else f"{old}{index}"
    text = json.dumps(data, ensure_ascii=False).replace(json.dumps(old), json.dumps(new))
    renamed = json.loads(text)
    renamed["bot"]["uin"] = int(data["bot"].get("uin", 1703160001)) + index - 1
    renamed["bot"]["nickname"] = f"{data['bot'].get('nickname', 'Bot')} {index}"
    return World.from_json(renamed)


class AccountSet:
    """The bot accounts of one sandbox (see the module docstring)."""

    def __init__(self, primary: Sandbox) -> None:
        self.primary = primary
        self.extra: list[Sandbox] = []
        self._auto_scan = False
        self._hooked: LoginHub | None = None
        self._chained: Callable[[LoginTicket], None] | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self._claims: dict[str, Sandbox] = {}  # QR uuid -> the account whose phone took it

    @property
    def all(self) -> list[Sandbox]:
        """Every account, the listening sandbox first."""
        return [self.primary, *self.extra]

    def add(self, world: World | None = None) -> Sandbox:
        """A new account (its bot renamed after its position when ``world`` is None)."""
        from .server import Sandbox

        p = self.primary
        account = Sandbox(
            world if world is not None else account_world(len(self.extra) + 2),
            lang=p.lang,
            host=p.host,
            port=p.port,
            login_hold=p.login_hold,
            synccheck_hold=p.synccheck_hold,
            redirect_host=p.redirect_host,
            contact_page_size=p.contact_page_size,
            page=p.page,
            qr_ttl=p.qr_ttl,
            profile=p.profile,
        )
        uins = {int(a.world.bot.uin) for a in self.all}
        if int(account.world.bot.uin) in uins:
            raise SandboxError(f"a sandbox account already has uin {account.world.bot.uin}")
        account.attach_to(p)
        self.extra.append(account)
        self._hook()
        return account

    def find(self, bot: str) -> Sandbox:
        """The account whose bot is ``bot``: its wxid, or the UserName one of its sessions
        gave it (what a puppet's ``self_id()`` is).

        Raises:
            SandboxError: no such account.
        """
        for account in self.all:
            wxid = account.world.bot.wxid
            if wxid == bot or any(s.wxid_of(bot) == wxid for s in account.sessions.by_sid.values()):
                return account
        raise SandboxError(f"no sandbox account {bot!r}")

    # ------------------------------------------------------------ QR codes
    def claim(self, account: Sandbox, uuid: str) -> LoginTicket:
        """Give the QR code ``uuid`` (still in the lobby) to ``account``'s phone.

        Raises:
            SandboxError: no such QR code waiting in the lobby.
        """
        lobby = self.primary.logins
        ticket = lobby.get(uuid)
        if ticket is None or ticket.state is not QrState.WAITING:
            for other in self.extra:
                if other is account and other.logins.get(uuid) is not None:
                    return other.logins.tickets[uuid]
            raise SandboxError(f"no QR code {uuid!r} is waiting in the lobby")
        if account is not self.primary:
            account.logins.tickets[uuid] = lobby.tickets.pop(uuid)
        self._claims[uuid] = account
        return ticket

    @property
    def auto_scan(self) -> bool:
        """Each new QR code is scanned and confirmed by the next account not logged in."""
        return self._auto_scan

    @auto_scan.setter
    def auto_scan(self, value: bool) -> None:
        self._auto_scan = value
        self._hook()

    def _hook(self) -> None:
        # The lobby is replaced on every reset: chain onto the current one's hook.
        lobby = self.primary.logins
        if self._hooked is lobby:
            return
        self._hooked, self._chained = lobby, lobby.on_new
        lobby.on_new = self._on_new_qr

    def _on_new_qr(self, ticket: LoginTicket) -> None:
        if not self._auto_scan or ticket.push:
            if self._chained is not None:
                self._chained(ticket)
            return
        account = self._next_free()
        if account is None:
            return
        self.claim(account, ticket.uuid)
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(SCAN_AFTER, _advance, ticket, QrState.SCANNED))
        self._timers.append(loop.call_later(CONFIRM_AFTER, _advance, ticket, QrState.CONFIRMED))

    def _next_free(self) -> Sandbox | None:
        for account in self.all:
            if account.sessions.live():
                continue
            mine = [t for t, owner in self._claims.items() if owner is account]
            if not any(_open(account.logins.get(uuid)) for uuid in mine):
                return account
        return None

    # ------------------------------------------------------------ routing
    async def route(self, request: web.Request) -> Sandbox:
        """The account ``request`` belongs to (the listening sandbox when in doubt)."""
        if not self.extra:
            return self.primary
        uuid = query(request).get("uuid") or _uuid_in_path(request.path)
        if uuid:
            for account in self.all:
                if account.logins.get(uuid) is not None:
                    return account
            return self.primary
        cookies = parse_cookies(request)
        sid = query(request).get("sid") or cookies.get("wxsid")
        uin = query(request).get("uin") or cookies.get("wxuin")
        if not (sid or uin) and _json_body(request):
            base = await _base_request(request)
            sid, uin = str(base.get("Sid") or ""), str(base.get("Uin") or "")
        if sid:
            for account in self.all:
                if account.sessions.get(sid) is not None:
                    return account
        if uin:
            for account in self.all:
                if str(account.world.bot.uin) == uin:
                    return account
        return self.primary

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """End every added account's sessions, polls and timers (the sandbox stops)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for account in self.extra:
            account.sessions.close()
            account.logins.close()
            account.phone.close()

    def clear(self) -> None:
        """Back to one account (the sandbox is reset)."""
        self.close()
        self.extra.clear()
        self._claims.clear()
        self._auto_scan = False
        self._hooked = self._chained = None


def _open(ticket: LoginTicket | None) -> bool:
    # A QR code on its way to a session: not yet used by one, not cancelled or expired.
    if ticket is None or ticket.used_by:
        return False
    return ticket.state in (QrState.WAITING, QrState.SCANNED, QrState.CONFIRMED)


def _advance(ticket: LoginTicket, state: QrState) -> None:
    if ticket.state in (QrState.WAITING, QrState.SCANNED):
        ticket.set_state(state)


def _uuid_in_path(path: str) -> str:
    for prefix in ("/qrcode/", "/l/"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return ""


def _json_body(request: web.Request) -> bool:
    # A multipart upload must stay unread for its handler; it carries the cookies anyway.
    return request.method == "POST" and not request.content_type.startswith("multipart/")


async def _base_request(request: web.Request) -> dict[str, Any]:
    try:
        data = json.loads((await request.read()).decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    base = data.get("BaseRequest") if isinstance(data, dict) else None
    return base if isinstance(base, dict) else {}
