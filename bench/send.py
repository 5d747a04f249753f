"""Send: COUNT text messages in a row (each awaited before the next) against an unthrottled sandbox.

The figure is messages per second from the first call to the last answer: ``message_send_text``
for the puppet, ``webwxsendmsg`` through the bare client for the floor. The world's record is
checked afterwards so a "sent" message the server never got would show in the note.
"""

from __future__ import annotations

import logging

from .harness import Figure, now
from .stage import Stage, bare_login, bare_ready, stage, start_puppet

_log = logging.getLogger("bench.send")

NAME = "send"
COUNT = 200
PEER = "wxid_bob"


async def arrived(st: Stage, prefix: str) -> int:
    """How many texts from the bot starting with ``prefix`` the world holds."""
    return int(await st.sb.call("count_from_bot", prefix=prefix))


async def floor_rate(st: Stage) -> tuple[float, int]:
    """(messages/s, arrived) through the bare client."""
    await st.fresh()
    async with st.sb.bare_client() as client:
        await bare_login(client)
        await bare_ready(client)
        to = await st.username_of(PEER)
        t0 = now()
        for i in range(COUNT):
            await client.send_text(to, f"floor {i}")
        elapsed = now() - t0
    return COUNT / elapsed, await arrived(st, "floor ")


async def puppet_rate(st: Stage) -> tuple[float, int]:
    """(messages/s, arrived) through PuppetWeb."""
    await st.fresh()
    puppet = st.puppet(session=False)
    await start_puppet(puppet)
    to = await st.username_of(PEER)
    try:
        t0 = now()
        for i in range(COUNT):
            await puppet.message_send_text(to, f"puppet {i}")
        elapsed = now() - t0
    finally:
        await st.stop_puppets()
    return COUNT / elapsed, await arrived(st, "puppet ")


async def run() -> list[Figure]:
    """Send through the floor, then the puppet."""
    async with stage() as st:
        floor, floor_got = await floor_rate(st)
        _log.info("floor %.0f msg/s (%d arrived)", floor, floor_got)
        rate, got = await puppet_rate(st)
    note = f"{got}/{COUNT} reached the server" + ("" if got == COUNT else " (MISSING)")
    return [
        Figure(bench=NAME, name=f"{COUNT} texts in a row", value=rate, unit="msg/s", target=50.0,
               higher_is_better=True, floor=floor, note=note),
    ]  # fmt: skip
