"""Envelopes from two lanes come out in the page's seq order (browser/ordering.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from wechaty_puppet_web.browser.bridge import Bridge, Envelope
from wechaty_puppet_web.browser.ordering import SeqOrder

from .test_bridge import FakeFrame, envelope


@dataclass(frozen=True)
class Item:
    seq: int


def _order(gap_wait: float = 10.0) -> tuple[SeqOrder[Item], list[int]]:
    out: list[int] = []
    return SeqOrder(lambda i: out.append(i.seq), gap_wait=gap_wait), out


async def test_an_early_envelope_waits_for_the_ones_before_it() -> None:
    order, out = _order()
    for seq in (1, 3, 4, 2, 5):
        order.push(Item(seq))
    assert out == [1, 2, 3, 4, 5] and order.holding == 0


async def test_a_gap_that_never_fills_stalls_nothing_for_long() -> None:
    out: list[int] = []
    released = asyncio.Event()

    def deliver(item: Item) -> None:
        out.append(item.seq)
        if item.seq == 3:
            released.set()

    order = SeqOrder(deliver, gap_wait=0.01)
    order.push(Item(1))
    order.push(Item(3))  # 2 was dropped (a forged envelope, say)
    assert out == [1] and order.holding == 1
    await asyncio.wait_for(released.wait(), 5.0)  # the gap timer lets it go
    order.push(Item(4))
    order.push(Item(2))  # a straggler after all: late, not lost
    assert out == [1, 3, 4, 2]


async def test_a_new_document_starts_again_at_one() -> None:
    order, out = _order()
    for seq in (1, 2, 4):
        order.push(Item(seq))
    order.push(Item(1))  # the next document: the old one's 4 goes first
    order.push(Item(2))
    assert out == [1, 2, 4, 1, 2]


def test_without_an_event_loop_nothing_is_held() -> None:
    order, out = _order()
    order.push(Item(1))
    order.push(Item(3))
    assert out == [1, 3]


async def test_the_bridge_reorders_its_two_lanes() -> None:
    got: list[Envelope] = []
    bridge = Bridge(got.append)
    main, key = FakeFrame("https://wx.qq.com/"), bridge.key
    bridge._on_binding({"frame": main}, envelope(seq=1, key=key))  # Playwright's lane
    bridge._accept(envelope(seq=3, key=key))  # the CDP lane overtakes…
    bridge._on_binding({"frame": main}, envelope(seq=2, key=key))  # …and is put back in line
    assert [e.seq for e in got] == [1, 2, 3]
