"""Envelopes from two lanes come out in the page's seq order (browser/ordering.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from wechaty_puppet_web.browser.bridge import Bridge, Envelope, parse_envelope
from wechaty_puppet_web.browser.ordering import SeqOrder

from .test_bridge import FakeFrame, FakePage, envelope


@dataclass(frozen=True)
class Item:
    seq: int
    doc: str = "a"


def _order(gap_wait: float = 10.0) -> tuple[SeqOrder[Item], list[int]]:
    out: list[int] = []
    return SeqOrder(lambda i: out.append(i.seq), gap_wait=gap_wait), out


def _docs(gap_wait: float = 10.0) -> tuple[SeqOrder[Item], list[str]]:
    """An order whose output reads ``doc+seq`` (``"a1"``, ``"b2"``)."""
    out: list[str] = []
    return SeqOrder(lambda i: out.append(f"{i.doc}{i.seq}"), gap_wait=gap_wait), out


def _push(order: SeqOrder[Item], *items: str) -> None:
    for item in items:
        order.push(Item(int(item[1:]), item[0]))


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
    order, out = _docs()
    _push(order, "a1", "a2", "a4")
    _push(order, "b1", "b2")  # the next document: the old one's 4 goes first
    assert out == ["a1", "a2", "a4", "b1", "b2"] and order.holding == 0


async def test_the_first_envelope_seen_need_not_be_seq_one() -> None:
    order, out = _docs()
    _push(order, "a2")  # seq 1 took the slower lane
    assert out == [] and order.holding == 1
    _push(order, "a1")
    assert out == ["a1", "a2"] and order.holding == 0


async def test_a_new_documents_seq_two_may_come_before_its_seq_one() -> None:
    order, out = _docs()
    _push(order, "a1", "a2", "a3", "b2", "b1", "b3")
    assert out == ["a1", "a2", "a3", "b1", "b2", "b3"] and order.holding == 0


async def test_a_new_document_reaching_the_old_ones_number_first_waits_for_its_start() -> None:
    order, out = _docs()
    _push(order, "a1", "a2", "a3", "a4", "b5")  # b's 5 overtook its 1..4: not a's 5
    assert out == ["a1", "a2", "a3", "a4"] and order.holding == 1
    _push(order, "b1", "b2", "b3", "b4")
    assert out == ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4", "b5"]


async def test_a_straggler_of_the_old_document_is_not_taken_for_the_new_one() -> None:
    order, out = _docs()
    _push(order, "a1", "a2", "b1", "b2", "a3")  # a's 3 comes late: handed on, not b's 3
    _push(order, "b4", "b3")
    assert out == ["a1", "a2", "b1", "b2", "a3", "b3", "b4"] and order.holding == 0


async def test_reset_starts_a_new_page_at_seq_one() -> None:
    order, out = _docs()
    _push(order, "a1", "a2", "a3", "a5")
    order.reset()  # the old page's 5 is handed on; the new page's first envelope is its 1
    _push(order, "a2", "a1")
    assert out == ["a1", "a2", "a3", "a5", "a1", "a2"] and order.holding == 0


def test_without_an_event_loop_nothing_is_held() -> None:
    order, out = _order()
    order.push(Item(1))
    order.push(Item(3))
    assert out == [1, 3]


def test_an_envelope_names_its_document() -> None:
    env = parse_envelope(envelope(seq=2, key="k").replace('"v": 1', '"v": 1, "d": "x7"'))
    assert env is not None and (env.doc, env.seq) == ("x7", 2)


async def test_attaching_to_a_new_page_expects_its_seq_one() -> None:
    got: list[Envelope] = []
    bridge = Bridge(got.append)
    main = FakeFrame("https://wx.qq.com/")
    await bridge.attach(FakePage(), "")
    for seq in (1, 2, 3, 4):
        bridge._on_binding({"frame": main}, envelope(seq=seq, key=bridge.key))
    await bridge.attach(FakePage(), "")  # a new page: its 2 overtakes its 1
    bridge._accept(envelope(seq=2, key=bridge.key))
    bridge._on_binding({"frame": main}, envelope(seq=1, key=bridge.key))
    assert [e.seq for e in got] == [1, 2, 3, 4, 1, 2]


async def test_the_bridge_reorders_its_two_lanes() -> None:
    got: list[Envelope] = []
    bridge = Bridge(got.append)
    main, key = FakeFrame("https://wx.qq.com/"), bridge.key
    bridge._on_binding({"frame": main}, envelope(seq=1, key=key))  # Playwright's lane
    bridge._accept(envelope(seq=3, key=key))  # the CDP lane overtakes…
    bridge._on_binding({"frame": main}, envelope(seq=2, key=key))  # …and is put back in line
    assert [e.seq for e in got] == [1, 2, 3]
