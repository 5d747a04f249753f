"""The non-file message surface against the sandbox: cards, links, locations, mini programs,
link sending, forward, recall both ways, read mark and mentions both ways."""

from __future__ import annotations

import asyncio

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.errors import NotSupportedError, ProtocolError
from wechaty_puppet_web.events import MessageEvent
from wechaty_puppet_web.filebox import FileBox
from wechaty_puppet_web.payloads import MessageType, UrlLinkPayload
from wechaty_puppet_web.sandbox import Sandbox, samples

from .test_media import bot_fixture, from_bot, sha, world_sends  # noqa: F401 (the "bot" fixture)

pytestmark = pytest.mark.browser


# ---- received cards parsed into payloads ----------------------------------------------------


async def test_receive_link_location_mini_program_card(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    ev = await world_sends(
        bot,
        lambda: w.send_link(from_="wxid_alice", to=w.bot, title="Wechaty & Python",
                            url="https://wechaty.js.org/?a=1&b=2", des="puppet docs"),
    )  # fmt: skip
    assert ev.payload.type == MessageType.URL
    link = await bot.message_url(ev.message_id)
    assert (link.title, link.url) == ("Wechaty & Python", "https://wechaty.js.org/?a=1&b=2")
    assert link.description == "puppet docs"

    ev = await world_sends(
        bot, lambda: w.send_location(from_="wxid_alice", to=w.bot, label="深圳市南山区科技园")
    )
    assert ev.payload.type == MessageType.LOCATION
    place = await bot.message_location(ev.message_id)
    assert "科技园" in place.name + place.address
    assert (round(place.latitude, 2), round(place.longitude, 2)) == (22.54, 113.93)

    ev = await world_sends(
        bot, lambda: w.send_mini_program(from_="wxid_alice", to=w.bot, title="Tiny App")
    )
    assert ev.payload.type == MessageType.MINI_PROGRAM
    mini = await bot.message_mini_program(ev.message_id)
    assert mini.title == "Tiny App" and mini.appid == "wx1234567890abcdef"

    ev = await world_sends(
        bot, lambda: w.send_card(from_="wxid_alice", to=w.bot, card_of="wxid_dave")
    )
    assert ev.payload.type == MessageType.CONTACT
    assert await bot.message_contact(ev.message_id) == w.username_of("wxid_dave")
    with pytest.raises(ProtocolError):
        await bot.message_url(ev.message_id)  # a card is not a link


# ---- sending links, cards --------------------------------------------------------------------


async def test_send_url_link(bot: PuppetWeb, sandbox: Sandbox) -> None:
    link = UrlLinkPayload(
        title="Tom & Jerry <3",
        url="https://example.com/a?x=1&y=2",
        description="a cartoon",
        thumbnail_url="https://example.com/t.jpg",
    )
    alice = sandbox.world.username_of("wxid_alice")
    msg_id = await bot.message_send_url(alice, link)
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 49), timeout=10)
    assert got.app_type == 5 and got.file_name == "Tom & Jerry <3"
    assert got.url == "https://example.com/a?x=1&y=2" and got.id == msg_id
    mine = await bot.message_url(msg_id)
    assert (mine.title, mine.url) == (link.title, link.url)


async def test_send_contact_card_is_not_supported(bot: PuppetWeb, sandbox: Sandbox) -> None:
    alice = sandbox.world.username_of("wxid_alice")
    with pytest.raises(NotSupportedError, match="contact card"):
        await bot.message_send_contact(alice, sandbox.world.username_of("wxid_dave"))


# ---- forward ---------------------------------------------------------------------------------


FILE = b"PK\x03\x04" + bytes(range(256)) * 40
FORWARDABLE = {
    "text": lambda w: w.send_text(from_="wxid_alice", to=w.bot, text="a <b> & c"),
    "emoji text": lambda w: w.send_text(from_="wxid_alice", to=w.bot, text="hi 😄\nbye"),
    "file": lambda w: w.send_file(from_="wxid_alice", to=w.bot, name="f.zip", data=FILE),
    "link": lambda w: w.send_link(
        from_="wxid_alice", to=w.bot, title="T", url="https://e.com/?q&r"
    ),
    "location": lambda w: w.send_location(from_="wxid_alice", to=w.bot),
    "image": lambda w: w.send_image(from_="wxid_alice", to=w.bot),
    "video": lambda w: w.send_video(from_="wxid_alice", to=w.bot),
    "sticker": lambda w: w.send_emoticon(from_="wxid_alice", to=w.bot),
}


@pytest.mark.parametrize("kind", list(FORWARDABLE))
async def test_forward(bot: PuppetWeb, sandbox: Sandbox, kind: str) -> None:
    w = sandbox.world
    ev = await world_sends(bot, lambda: FORWARDABLE[kind](w))
    original = w.message(ev.message_id)
    new_id = await bot.message_forward(w.username_of("wxid_carol"), ev.message_id)
    got = await w.wait_for_message(lambda m: m.id == new_id, timeout=10)
    assert got.sender == w.bot.wxid and got.to == "wxid_carol"
    assert (got.msg_type, got.app_type, got.sub_type) == (
        original.msg_type,
        original.app_type,
        original.sub_type,
    )
    assert sha(got.media) == sha(original.media)
    assert (got.text, got.file_name, got.url) == (original.text, original.file_name, original.url)
    assert (await bot.message_payload(new_id)).type == ev.payload.type


async def test_forward_refuses_what_the_web_cannot(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    ev = await world_sends(bot, lambda: w.send_voice(from_="wxid_alice", to=w.bot))
    with pytest.raises(NotSupportedError, match="AUDIO"):
        await bot.message_forward(w.username_of("wxid_carol"), ev.message_id)


# ---- recall ----------------------------------------------------------------------------------


async def test_bot_recalls_its_message(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    alice = w.username_of("wxid_alice")
    msg_id = await bot.message_send_file(alice, FileBox.from_bytes(samples.jpeg(), "r.jpg"))
    assert await bot.message_recall(msg_id) is True
    notice = await w.wait_for_message(lambda m: m.msg_type == 10002, timeout=10)
    assert notice.extra["recalled"] == int(msg_id) and w.message(msg_id).recalled
    assert await bot.message_recall(msg_id) is False  # twice: the server refuses


async def test_recall_refused_for_old_and_foreign_messages(
    bot: PuppetWeb, sandbox: Sandbox
) -> None:
    w = sandbox.world
    alice = w.username_of("wxid_alice")
    text_id = await bot.message_send_text(alice, "soon too old")
    w.message(text_id).create_time -= 600  # ten minutes ago: outside the 2-minute window
    assert await bot.message_recall(text_id) is False
    ev = await world_sends(bot, lambda: w.send_text(from_="wxid_alice", to=w.bot, text="mine"))
    assert await bot.message_recall(ev.message_id) is False


async def test_world_recall_reaches_the_bot(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    ev = await world_sends(bot, lambda: w.send_text(from_="wxid_alice", to=w.bot, text="oops"))
    recalled = bot.wait_for("message", lambda e: e.payload.type == MessageType.RECALLED, timeout=15)
    w.recall(w.message(ev.message_id))
    got: MessageEvent = await recalled
    assert got.payload.text == ev.message_id


# ---- read mark -------------------------------------------------------------------------------


async def test_read_mark_reaches_the_server(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    await world_sends(bot, lambda: w.send_text(from_="wxid_alice", to=w.bot, text="read me"))
    alice = w.username_of("wxid_alice")
    async with bot.page.expect_request(
        lambda r: "webwxstatusnotify" in r.url and '"Code":1' in (r.post_data or "")
    ) as seen:
        await bot.conversation_read_mark(alice)
    request = await seen.value
    assert f'"ToUserName":"{alice}"' in (request.post_data or "")
    with pytest.raises(NotSupportedError):
        await bot.conversation_read_mark(alice, has_read=False)


# ---- mentions both ways ----------------------------------------------------------------------


async def test_mentions_both_ways(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    room = w.username_of("1000001@chatroom")
    alice, bob = w.username_of("wxid_alice"), w.username_of("wxid_bob")
    await bot.message_send_text(room, "hello both", mention_ids=[alice, bob])
    got = await w.wait_for_message(from_bot(sandbox, 1), timeout=10)
    assert set(got.mentions) == {"wxid_alice", "wxid_bob"} and "hello both" in got.text
    ev = await world_sends(
        bot,
        lambda: w.send_text(from_="wxid_alice", to="1000001@chatroom", text="hi bot",
                            mentions=[w.bot]),
    )  # fmt: skip
    assert ev.payload.room_id == room and bot.self_id() in ev.payload.mention_ids


async def test_no_outgoing_message_is_dropped(bot: PuppetWeb, sandbox: Sandbox) -> None:
    """Sends racing each other all arrive, each once, and each returned id is the world's id."""
    w = sandbox.world
    alice = w.username_of("wxid_alice")
    link = UrlLinkPayload(title="L", url="https://l.test/")
    ids = await asyncio.gather(
        bot.message_send_file(alice, FileBox.from_bytes(samples.jpeg(), "1.jpg")),
        bot.message_send_url(alice, link),
        bot.message_send_file(alice, FileBox.from_bytes(b"doc", "2.txt")),
    )
    sent = [m for m in w.messages if m.sender == w.bot.wxid]
    assert sorted(m.id for m in sent) == sorted(ids) and len(set(ids)) == 3
