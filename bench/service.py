"""The Puppet Service's cost: what ``wechaty-web serve`` adds on top of PuppetWeb.

Here the "floor" column is PuppetWeb itself in the same process (not the bare protocol client):

* event latency: a friend's message (``world.send_text``) to the ``message`` frame a gRPC client
  reads off the ``Event`` stream, beside the same message's Python ``message`` event;
* send rate: ``MessageSendText`` RPCs one after another, beside ``message_send_text`` calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

from grpclib.client import Channel
from grpclib.const import Cardinality

from wechaty_puppet_web.service.server import PuppetService
from wechaty_puppet_web.service.stubs import puppet_event_pb2 as ev
from wechaty_puppet_web.service.stubs import puppet_message_pb2 as msg

from .harness import Arrivals, Figure, now, percentile
from .stage import Stage, listen_puppet, stage, start_puppet, stop_task

_log = logging.getLogger("bench.service")

NAME = "service"
COUNT = 100
WARMUP = 5
SENDS = 100
TOKEN = "insecure_bench"
PEER = "wxid_alice"
TIMEOUT = 5.0


def _listen_grpc(channel: Channel, arrivals: Arrivals, up: asyncio.Event) -> asyncio.Task[None]:
    async def loop() -> None:
        stream: Any
        async with channel.request(
            "/wechaty.Puppet/Event", Cardinality.UNARY_STREAM, ev.EventRequest, ev.EventResponse
        ) as stream:
            await stream.send_message(ev.EventRequest(), end=True)
            while (frame := await stream.recv_message()) is not None:
                up.set()
                if frame.type == ev.EVENT_TYPE_MESSAGE:
                    arrivals.arrive(json.loads(frame.payload)["messageId"])

    return asyncio.create_task(loop())


async def _latencies(
    st: Stage, grpc: Arrivals, direct: Arrivals, count: int
) -> tuple[list[float], list[float]]:
    rng = random.Random(1)
    over_grpc, in_process = [], []
    for i in range(count):
        t0 = now()
        msg_id = await st.send(PEER, "bot", f"service {i}")
        if await grpc.wait_all([msg_id], TIMEOUT) and msg_id in direct.first:
            over_grpc.append(grpc.first[msg_id] - t0)
            in_process.append(direct.first[msg_id] - t0)
        await asyncio.sleep(rng.uniform(0.005, 0.025))  # pacing of the traffic, not a wait
    return over_grpc, in_process


async def _send_rate(channel: Channel, to: str) -> float:
    stream: Any
    t0 = now()
    for i in range(SENDS):
        async with channel.request(
            "/wechaty.Puppet/MessageSendText", Cardinality.UNARY_UNARY,
            msg.MessageSendTextRequest, msg.MessageSendTextResponse,
        ) as stream:  # fmt: skip
            await stream.send_message(
                msg.MessageSendTextRequest(conversation_id=to, text=f"rpc {i}"), end=True
            )
            await stream.recv_message()
    return SENDS / (now() - t0)


async def run() -> list[Figure]:
    """One puppet behind one service; latency then send rate, each beside PuppetWeb's own."""
    async with stage() as st:
        puppet = st.puppet(session=False)
        direct, grpc = Arrivals(), Arrivals()
        listen_puppet(puppet, direct)
        service = PuppetService(puppet, token=TOKEN)
        await service.start("127.0.0.1", 0)
        channel = Channel("127.0.0.1", service.port)
        channel._authority = TOKEN
        up = asyncio.Event()
        reader = _listen_grpc(channel, grpc, up)
        try:
            await asyncio.wait_for(up.wait(), TIMEOUT)
            await start_puppet(puppet)
            await _latencies(st, grpc, direct, WARMUP)
            over_grpc, in_process = await _latencies(st, grpc, direct, COUNT)
            to = await st.username_of(PEER)
            rpc_rate = await _send_rate(channel, to)
            t0 = now()
            for i in range(SENDS):
                await puppet.message_send_text(to, f"direct {i}")
            direct_rate = SENDS / (now() - t0)
        finally:
            await stop_task(reader)
            channel.close()
            await service.stop()

    def ms(values: list[float], pct: float) -> float:
        return percentile(values, pct) * 1000

    note = f"{len(over_grpc)}/{COUNT} delivered; floor: PuppetWeb's own event"
    return [
        Figure(bench=NAME, name="event p50 (gRPC)", value=ms(over_grpc, 50), unit="ms",
               floor=ms(in_process, 50), note=note),
        Figure(bench=NAME, name="event p99 (gRPC)", value=ms(over_grpc, 99), unit="ms",
               floor=ms(in_process, 99)),
        Figure(bench=NAME, name="MessageSendText rate", value=rpc_rate, unit="msg/s",
               higher_is_better=True, floor=direct_rate, note="floor: message_send_text"),
    ]  # fmt: skip
