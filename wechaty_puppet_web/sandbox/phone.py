"""The bot's simulated phone: scans, confirms, cancels QR logins; logs out; sends texts."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..errors import SandboxError
from .login import LoginHub, LoginTicket, QrState
from .model import Contact, Room, Via, WorldMessage

if TYPE_CHECKING:
    from .session import SessionHub
    from .world import World

_log = logging.getLogger(__name__)


class Phone:
    """Test hooks standing in for the account owner's phone."""

    def __init__(self, world: World, logins: LoginHub, sessions: SessionHub) -> None:
        self._world = world
        self._logins = logins
        self._sessions = sessions
        self.auto_scan = False
        self._timers: list[asyncio.TimerHandle] = []
        logins.on_new = self._on_new_qr

    async def wait_for_qr(self, timeout: float = 10.0) -> str:
        """The uuid of the QR code (or push prompt) currently shown, waiting for one if needed.

        Raises:
            TimeoutError: no QR code was requested in time.
        """
        return (await self._logins.wait_current(timeout)).uuid

    def _open(self, *states: QrState) -> LoginTicket:
        t = self._logins.current()
        if t is None or t.state not in states:
            raise SandboxError("no QR code is waiting for the phone")
        return t

    def scan(self) -> None:
        """Scan the QR code shown: the login poll answers 201 with an avatar.

        Raises:
            SandboxError: no QR code is shown.
        """
        self._open(QrState.WAITING).set_state(QrState.SCANNED)

    def confirm(self) -> None:
        """Press "log in" on the phone: the poll answers 200 (a push prompt needs no scan).

        Raises:
            SandboxError: nothing to confirm.
        """
        self._open(QrState.SCANNED, QrState.WAITING).set_state(QrState.CONFIRMED)

    def cancel(self) -> None:
        """Press "cancel" after scanning: the poll answers 202.

        Raises:
            SandboxError: nothing to cancel.
        """
        self._open(QrState.SCANNED, QrState.WAITING).set_state(QrState.CANCELLED)

    def expire_qr(self) -> None:
        """Let the QR code expire: the poll answers 400.

        Raises:
            SandboxError: no QR code is shown.
        """
        self._open(QrState.SCANNED, QrState.WAITING).set_state(QrState.EXPIRED)

    def logout(self) -> None:
        """Log the web session out from the phone: synccheck answers retcode 1101."""
        for s in self._sessions.live():
            s.kill(1101)

    def send_text(self, to: Contact | Room | str, text: str) -> WorldMessage:
        """Send a text from the phone; the web session gets it with FromUserName = self."""
        return self._world.bot_send(to, 1, via=Via.PHONE, text=text)

    def open_chat(self, peer: Contact | Room | str) -> None:
        """The owner opens a chat on the phone: MsgType 51, StatusNotifyCode 2 (ENTER_SESSION)."""
        self._notify(peer, 2)

    def read_chat(self, peer: Contact | Room | str) -> None:
        """The owner reads a chat on the phone: MsgType 51, StatusNotifyCode 1 (READED)."""
        self._notify(peer, 1)

    def _notify(self, peer: Contact | Room | str, code: int) -> None:
        from .wire_msg import phone_notify_json

        wxid = self._world.resolve(peer).wxid
        for s in self._sessions.live():
            s.push("raw", phone_notify_json(s, self._world._ids.next(), wxid, code))

    # ------------------------------------------------------------ auto scan
    def _on_new_qr(self, ticket: LoginTicket) -> None:
        if not self.auto_scan:
            return
        loop = asyncio.get_running_loop()
        if not ticket.push:
            self._timers.append(loop.call_later(0.2, self._auto, ticket, QrState.SCANNED))
        self._timers.append(loop.call_later(0.4, self._auto, ticket, QrState.CONFIRMED))

    @staticmethod
    def _auto(ticket: LoginTicket, state: QrState) -> None:
        if ticket.state in (QrState.WAITING, QrState.SCANNED):
            ticket.set_state(state)

    def close(self) -> None:
        """Cancel pending auto-scan timers."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
