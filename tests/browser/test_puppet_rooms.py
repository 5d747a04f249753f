"""PuppetWeb contacts, rooms, friendships and text messages against the sandbox world.

Each change is checked twice: in the sandbox world (what the server did) and by the events the
puppet emitted.
"""

from __future__ import annotations

import pytest

from wechaty_puppet_web import NotFoundError, PuppetWeb
from wechaty_puppet_web.events import EventName, FriendshipEvent
from wechaty_puppet_web.payloads import ContactGender, FriendshipType, MessageType
from wechaty_puppet_web.sandbox import Room, Sandbox

from .test_puppet_support import (
    T,
    record,
)

pytestmark = pytest.mark.browser

DEV_ROOM = "1000001@chatroom"


async def test_contacts_list_payload_alias_and_search(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    alice, bob = world.username_of("wxid_alice"), world.username_of("wxid_bob")
    ids = await bot.contact_list()
    assert {alice, bob, bot.self_id()} <= set(ids)
    payload = await bot.contact_payload(alice)
    assert (payload.name, payload.gender, payload.city) == (
        "Alice",
        ContactGender.FEMALE,
        "Shenzhen",
    )
    assert payload.friend is True
    assert await bot.contact_alias(bob) == "Bobby"
    assert await bot.contact_alias(alice) == ""
    await bot.contact_alias(alice, "Ally & co")
    assert world.contact("wxid_alice").remark == "Ally & co"
    assert await bot.contact_alias(alice) == "Ally & co"
    assert alice in await bot.contact_search("ally")
    assert await bot.contact_search("nobody-has-this-name") == []
    with pytest.raises(NotFoundError):
        await bot.contact_payload("@0000000000000000deadbeef")


async def test_rooms_list_payload_and_members(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    dev = world.username_of(DEV_ROOM)
    rooms = await bot.room_list()
    assert len(rooms) == 3 and dev in rooms
    payload = await bot.room_payload(dev)
    assert payload.topic == "Wechaty Developers"
    alice = world.username_of("wxid_alice")
    assert {alice, bot.self_id()} <= set(payload.member_ids)
    assert len(payload.member_ids) == 4
    member = await bot.room_member_payload(dev, alice)
    assert (member.name, member.room_alias) == ("Alice", "Alice in room")
    assert await bot.room_search("developers") == [dev]
    with pytest.raises(NotFoundError):
        await bot.room_member_payload(dev, world.username_of("wxid_dave"))


async def test_room_create_add_delete_topic_quit(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    u = world.username_of
    alice, bob, carol, dave = (u(f"wxid_{n}") for n in ("alice", "bob", "carol", "dave"))
    joined = bot.wait_for(EventName.ROOM_JOIN, timeout=T)
    room_id = await bot.room_create([alice, bob], topic="Party")
    join = await joined
    assert join.room_id == room_id and set(join.invitee_ids) == {alice, bob}
    real = world.contact_by_username(room_id)
    assert isinstance(real, Room) and real.topic == "Party"
    assert {"wxid_alice", "wxid_bob", world.bot.wxid} <= set(real.members)

    added = bot.wait_for(EventName.ROOM_JOIN, lambda e: set(e.invitee_ids) == {carol, dave}, T)
    await bot.room_add(room_id, [carol, dave])
    assert (await added).inviter_id == bot.self_id()
    assert {"wxid_carol", "wxid_dave"} <= set(real.members)

    leaves = record(bot, EventName.ROOM_LEAVE)
    left_dave = bot.wait_for(EventName.ROOM_LEAVE, lambda e: dave in e.removee_ids, T)
    await bot.room_delete(room_id, [carol, dave])
    await left_dave
    assert not {"wxid_carol", "wxid_dave"} & set(real.members)
    assert {i for e in leaves for i in e.removee_ids} == {carol, dave}
    assert all(e.remover_id == bot.self_id() for e in leaves)

    renamed = bot.wait_for(EventName.ROOM_TOPIC, timeout=T)
    await bot.room_topic(room_id, "Party <2>")
    topic = await renamed
    assert (topic.old_topic, topic.new_topic) == ("Party", "Party <2>")
    assert real.topic == "Party <2>"
    assert await bot.room_topic(room_id) == "Party <2>"

    await bot.room_quit(room_id)
    assert world.bot.wxid not in real.members


async def test_room_events_made_by_others(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    room = world.username_of("1000002@chatroom")
    joined = bot.wait_for(EventName.ROOM_JOIN, lambda e: e.room_id == room, T)
    world.invite("1000002@chatroom", "wxid_alice", ["wxid_dave"])
    join = await joined
    assert join.inviter_id == world.username_of("wxid_alice")
    assert join.invitee_ids == (world.username_of("wxid_dave"),)
    renamed = bot.wait_for(EventName.ROOM_TOPIC, lambda e: e.room_id == room, T)
    world.rename_room("1000002@chatroom", "wxid_carol", "山")
    topic = await renamed
    assert (topic.old_topic, topic.new_topic) == ("周末爬山群", "山")
    assert topic.changer_id == world.username_of("wxid_carol")


async def test_friendship_receive_accept_and_add(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    request = bot.wait_for(EventName.FRIENDSHIP, timeout=T)
    world.friend_request(from_="wxid_eve", hello="hi <there> & 😀")  # markup-like text survives
    event = await request
    assert isinstance(event, FriendshipEvent)
    assert event.payload.type is FriendshipType.RECEIVE
    assert event.payload.hello == "hi <there> & 😀"
    assert event.payload.contact_id == world.username_of("wxid_eve")
    assert await bot.friendship_payload(event.friendship_id) == event.payload
    confirmed = bot.wait_for(
        EventName.FRIENDSHIP, lambda e: e.payload.type is FriendshipType.CONFIRM, T
    )
    await bot.friendship_accept(event.friendship_id)
    assert world.contact("wxid_eve").friend
    await confirmed

    frank = world.username_of("wxid_frank")
    await bot.friendship_add(frank, "let us talk")
    assert world.outgoing_requests["wxid_frank"] == "let us talk"


async def test_incoming_texts_direct_and_in_rooms_with_mentions(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    world = sb.world
    alice = world.username_of("wxid_alice")
    direct = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "hello 1:1", T)
    world.send_text(from_="wxid_alice", to=world.bot, text="hello 1:1")
    one = (await direct).payload
    assert (one.type, one.talker_id, one.listener_id, one.room_id) == (
        MessageType.TEXT, alice, bot.self_id(), "")  # fmt: skip

    room = world.username_of(DEV_ROOM)
    in_room = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.room_id == room, T)
    world.send_text(from_="wxid_alice", to=DEV_ROOM, text="look", mentions=[world.bot])
    msg = (await in_room).payload
    assert msg.talker_id == alice and msg.text.endswith("look")
    assert msg.mention_ids == (bot.self_id(),)


async def test_self_sent_from_the_phone(bot: PuppetWeb, sb: Sandbox) -> None:
    alice = sb.world.username_of("wxid_alice")
    got = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "from my phone", T)
    sb.phone.send_text("wxid_alice", "from my phone")
    msg = (await got).payload
    assert (msg.talker_id, msg.listener_id) == (bot.self_id(), alice)


async def test_send_text_with_mentions_and_html(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    room = world.username_of(DEV_ROOM)
    alice = world.username_of("wxid_alice")
    event = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.talker_id == bot.self_id(), T)
    msg_id = await bot.message_send_text(room, "<b>hi</b> & bye", [alice])
    seen = await world.wait_for_message(lambda m: m.sender == world.bot.wxid, timeout=T)
    assert seen.to == DEV_ROOM and "wxid_alice" in seen.mentions
    assert seen.text.endswith("<b>hi</b> & bye")
    assert (await event).message_id == msg_id
    payload = await bot.message_payload(msg_id)
    assert payload.text.endswith("<b>hi</b> & bye") and payload.room_id == room


async def test_a_room_invitation_card_is_a_room_invite_event(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    invite = bot.wait_for(EventName.ROOM_INVITE, timeout=T)
    message = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.type is MessageType.URL, T)
    world.group_invitation("wxid_carol", "1000003@chatroom")
    event = await invite
    assert event.payload.inviter_id == world.username_of("wxid_carol")
    assert event.room_invitation_id == (await message).message_id
