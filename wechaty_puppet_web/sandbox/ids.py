"""Generators for the opaque identifiers web WeChat hands out (formats of webwx-protocol.md)."""

from __future__ import annotations

import base64
import itertools
import random
import secrets
import string
import time
from urllib.parse import quote

_HEX = "0123456789abcdef"
_SID_ALPHABET = string.ascii_letters + string.digits + "+/"


def _hex(n: int) -> str:
    return secrets.token_hex((n + 1) // 2)[:n]


def login_uuid() -> str:
    """A jslogin uuid: 10 base64 characters and ``==`` (e.g. ``gbyKnbsmqQ==``)."""
    return base64.b64encode(secrets.token_bytes(7)).decode().replace("+", "-").replace("/", "_")


def push_uuid() -> str:
    """A push-login uuid (``A_1_…==``)."""
    return "A_1_" + login_uuid()


def qr_ticket() -> str:
    """The ``ticket`` of the login redirect: 24 characters and ``@qrticket_0``."""
    raw = base64.b64encode(secrets.token_bytes(18)).decode()
    return raw.replace("+", "-").replace("/", "_") + "@qrticket_0"


def user_name(*, long: bool = False) -> str:
    """A per-session user UserName: ``@`` + 32 hex (64 for some accounts, e.g. the bot)."""
    return "@" + _hex(64 if long else 32)


def room_user_name() -> str:
    """A per-session room UserName: ``@@`` + 64 hex."""
    return "@@" + _hex(64)


def encry_chatroom_id() -> str:
    """A room's ``EncryChatRoomId``: ``@`` + 32 hex."""
    return "@" + _hex(32)


def skey() -> str:
    """``@crypt_<8 hex>_<32 hex>``."""
    return f"@crypt_{_hex(8)}_{_hex(32)}"


def media_id() -> str:
    """An uploaded file's ``MediaId`` (``@crypt_…``)."""
    return f"@crypt_{_hex(8)}_{_hex(96)}"


def wxsid() -> str:
    """A 16-character session id; like the real ones it may contain ``+`` and ``/``."""
    return "".join(secrets.choice(_SID_ALPHABET) for _ in range(16))


def pass_ticket() -> str:
    """A pass_ticket, already percent-encoded as the XML carries it."""
    return quote(base64.b64encode(secrets.token_bytes(48)).decode(), safe="")


def data_ticket() -> str:
    """The ``webwx_data_ticket`` cookie value (base64)."""
    return base64.b64encode(secrets.token_bytes(45)).decode()


def uvid() -> str:
    """The ``webwxuvid`` browser id: 96 hex characters."""
    return _hex(96)


def auth_ticket() -> str:
    """The long-lived ``webwx_auth_ticket`` blob."""
    return base64.b64encode(secrets.token_bytes(96)).decode()


def opaque_token(n_hex: int = 64) -> str:
    """An ``@<hex>`` content token (images, videos since 2018)."""
    return "@" + _hex(n_hex)


def client_msg_id() -> str:
    """The official client's LocalID shape: ms + 4 random digits (17 digits)."""
    return f"{int(time.time() * 1000)}{random.randint(0, 9999):04d}"


class MsgIdCounter:
    """MsgIds: ~19-digit decimal numbers, increasing, above 2**53 (so JS loses precision)."""

    def __init__(self, seed: int | None = None) -> None:
        rng = random.Random(seed)
        start = 4_000_000_000_000_000_000 + rng.randrange(10**17)
        self._next = itertools.count(start, 7919)

    def next(self) -> int:
        """The next message id."""
        return next(self._next)


def legacy_msg_id(msg_id: int) -> int:
    """The 32-bit ``oldmsgid`` of a recall."""
    return msg_id % 2_000_000_000 + 1_000_000_000


def is_hex_name(name: str) -> bool:
    """True for ``@hex`` / ``@@hex`` session names."""
    body = name.lstrip("@")
    return bool(body) and name.startswith("@") and all(c in _HEX for c in body)
