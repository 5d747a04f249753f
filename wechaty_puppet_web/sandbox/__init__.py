"""The sandbox: a faithful twin of web WeChat (HTTPS backend, world, phone, faults, fake page).

::

    async with Sandbox(login_hold=0.5, synccheck_hold=0.5) as sb:
        browser = await launch_chromium(pw, extra_args=sb.browser_args())
        ...                                   # open https://wx.qq.com/ in a context
        await sb.phone.wait_for_qr()          # the page asked for a QR code
        sb.phone.scan(); sb.phone.confirm()   # 201, then 200 + redirect to wx2.qq.com
        sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="ding")
        reply = await sb.world.wait_for_message(lambda m: m.text == "dong")

Plain HTTP clients use the real URLs with ``sb.resolver()`` and ``sb.client_ssl_context()``
(see :mod:`.bareclient`). Module map: ``server`` (routing by Host), ``routes_*`` (endpoints),
``session`` (per-login state, SyncKey, long polls), ``world``/``actions*`` (the scripted world),
``wire``/``wire_msg`` (wire shapes), ``wording`` (system lines), ``faults``, ``phone``, ``login``.
"""

from __future__ import annotations

from .faults import Fault, Faults
from .model import Account, Contact, Room, Via, WorldMessage
from .phone import Phone
from .server import Sandbox
from .world import World

__all__ = [
    "Account",
    "Contact",
    "Fault",
    "Faults",
    "Phone",
    "Room",
    "Sandbox",
    "Via",
    "World",
    "WorldMessage",
]
