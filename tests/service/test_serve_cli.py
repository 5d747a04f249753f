"""``wechaty-web serve`` end to end: the command line, the event stream, ding -> dong, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from grpclib.client import Channel
from grpclib.const import Cardinality

from wechaty_puppet_web.service.stubs import puppet_base_pb2 as base
from wechaty_puppet_web.service.stubs import puppet_event_pb2 as ev

from .conftest import T, run_bot

pytestmark = pytest.mark.browser

TOKEN = "insecure_cli-token"


async def test_serve_prints_its_address_streams_events_and_stops(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "wechaty_puppet_web.cli", "serve", "--host", "127.0.0.1",
            "--port", "0", "--token", TOKEN, "--no-tls", "--sandbox", "--auto-scan"]  # fmt: skip
    async with run_bot(argv, {}, tmp_path / "serve.log") as serve:
        line = await serve.expect("puppet service listening on")
        match = re.fullmatch(r"puppet service listening on 127\.0\.0\.1:(\d+)", line)
        assert match, line
        channel = Channel("127.0.0.1", int(match.group(1)))
        channel._authority = TOKEN
        try:
            events: Any
            async with channel.request(
                "/wechaty.Puppet/Event", Cardinality.UNARY_STREAM, ev.EventRequest, ev.EventResponse
            ) as events:
                await events.send_message(ev.EventRequest(), end=True)
                seen, _ = await _until(events, ev.EVENT_TYPE_LOGIN)
                assert seen[0] == ev.EVENT_TYPE_HEARTBEAT  # first frame: the stream is up
                await _until(events, ev.EVENT_TYPE_READY)
                ding: Any
                async with channel.request(
                    "/wechaty.Puppet/Ding", Cardinality.UNARY_UNARY,
                    base.DingRequest, base.DingResponse,
                ) as ding:  # fmt: skip
                    await ding.send_message(base.DingRequest(data="hello"), end=True)
                    await ding.recv_message()
                _, dong = await _until(events, ev.EVENT_TYPE_DONG)
                assert json.loads(dong) == {"data": "hello"}
                await events.cancel()
        finally:
            channel.close()
        serve.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(serve.proc.wait(), T) == 0


async def _until(stream: Any, kind: int) -> tuple[list[int], str]:
    """Read events up to one of ``kind``: the types seen on the way and its payload."""
    seen: list[int] = []
    async with asyncio.timeout(T):
        while True:
            frame = await stream.recv_message()
            assert frame is not None, f"stream ended before {kind}; saw {seen}"
            seen.append(frame.type)
            if frame.type == kind:
                return seen, str(frame.payload)
