"""A bot: answers "ding" with "dong" and welcomes whoever joins a room."""

from wechaty_puppet_web import MessageEvent, MessageType, PuppetWeb, RoomJoinEvent


async def on_message(puppet: PuppetWeb, event: MessageEvent) -> None:
    msg = event.payload
    if msg.type == MessageType.TEXT and msg.text == "ding" and msg.talker_id != puppet.self_id():
        await puppet.message_send_text(msg.room_id or msg.talker_id, "dong")


async def on_room_join(puppet: PuppetWeb, event: RoomJoinEvent) -> None:
    newcomers = [i for i in event.invitee_ids if i != puppet.self_id()]
    if newcomers:
        names = [(await puppet.contact_payload(i)).name for i in newcomers]
        await puppet.message_send_text(event.room_id, f"Welcome, {', '.join(names)}!")
