"""Media round trips against the sandbox: the bot sends, the world receives the same bytes; the
world sends, the bot downloads the same bytes with the right name and type."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.errors import RateLimitedError, UploadError
from wechaty_puppet_web.events import MessageEvent
from wechaty_puppet_web.filebox import FileBox
from wechaty_puppet_web.options import PuppetWebOptions
from wechaty_puppet_web.payloads import ImageType, MessageType
from wechaty_puppet_web.puppet.media import CHUNK_SIZE, MAX_UPLOAD_BYTES
from wechaty_puppet_web.sandbox import Sandbox, samples
from wechaty_puppet_web.sandbox.model import WorldMessage

pytestmark = pytest.mark.browser

BIG = 3 * 1024 * 1024 + 12345  # several 524288-byte chunks, several ≤ 1 MB bridge reads


def sha(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


@pytest.fixture(name="bot")
async def bot_fixture(sandbox: Sandbox, browser: Browser) -> AsyncIterator[PuppetWeb]:
    """A puppet logged in to the test's fresh sandbox world (the phone confirms by itself)."""
    sandbox.phone.auto_scan = True
    options = PuppetWebOptions(
        browser=browser, sandbox=sandbox.url, session_file=None, rate_limit_backoff=0.05
    )
    puppet = PuppetWeb(options)
    ready = puppet.wait_for("ready", timeout=30)
    await puppet.start()
    try:
        await ready
        yield puppet
    finally:
        await puppet.stop()


async def world_sends(bot: PuppetWeb, send: Callable[[], WorldMessage]) -> MessageEvent:
    """Run ``send()`` (a world action) and return the bot's message event for that message."""
    sent: list[WorldMessage] = []
    # The world posts synchronously and the bot hears of it only through a later sync, so the
    # id is known before any event can arrive.
    event = bot.wait_for("message", lambda e: bool(sent) and e.message_id == sent[0].id, timeout=15)
    sent.append(send())
    got: MessageEvent = await event
    return got


def from_bot(sandbox: Sandbox, msg_type: int) -> Callable[[WorldMessage], bool]:
    bot_id = sandbox.world.bot.wxid
    return lambda m: m.sender == bot_id and m.msg_type == msg_type


# ---- bot -> world ----------------------------------------------------------------------------


async def test_send_image_round_trip(bot: PuppetWeb, sandbox: Sandbox) -> None:
    data = samples.jpeg(320, 200)
    alice = sandbox.world.username_of("wxid_alice")
    msg_id = await bot.message_send_file(alice, FileBox.from_bytes(data, "photo.jpg"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 3), timeout=10)
    assert got.to == "wxid_alice" and sha(got.media) == sha(data)
    payload = await bot.message_payload(msg_id)
    assert payload.type == MessageType.IMAGE and payload.id == got.id
    back = await bot.message_file(msg_id)  # the bot can download what it sent
    assert back.sha256 == sha(data) and back.mimetype == "image/jpeg"


async def test_send_large_file_in_chunks(bot: PuppetWeb, sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "archive.zip"
    path.write_bytes(b"PK\x03\x04" + os.urandom(BIG))
    alice = sandbox.world.username_of("wxid_alice")
    msg_id = await bot.message_send_file(alice, FileBox.from_path(path))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 49), timeout=20)
    assert got.app_type == 6 and got.file_name == "archive.zip"
    assert sha(got.media) == sha(path.read_bytes())
    assert (await bot.message_payload(msg_id)).type == MessageType.ATTACHMENT


async def test_send_video_and_gif(bot: PuppetWeb, sandbox: Sandbox) -> None:
    video, gif = samples.mp4(60_000), samples.gif()
    room = sandbox.world.username_of("1000001@chatroom")
    await bot.message_send_file(room, FileBox.from_bytes(video, "clip.mp4"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 43), timeout=10)
    assert got.to == "1000001@chatroom" and sha(got.media) == sha(video)
    sticker_id = await bot.message_send_file(room, FileBox.from_bytes(gif, "fun.gif"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 47), timeout=10)
    assert sha(got.media) == sha(gif)
    assert (await bot.message_payload(sticker_id)).type == MessageType.EMOTICON


# ---- world -> bot ----------------------------------------------------------------------------


async def test_receive_image_download_original_and_thumbnail(
    bot: PuppetWeb, sandbox: Sandbox
) -> None:
    data = samples.jpeg(640, 480)
    w = sandbox.world
    ev = await world_sends(bot, lambda: w.send_image(from_="wxid_alice", to=w.bot, data=data))
    assert ev.payload.type == MessageType.IMAGE
    original = await bot.message_image(ev.message_id, ImageType.HD)
    assert original.sha256 == sha(data) and original.mimetype == "image/jpeg"
    assert original.name.endswith(".jpg")
    thumb = await bot.message_image(ev.message_id, ImageType.THUMBNAIL)
    assert thumb.mimetype == "image/jpeg" and 0 < thumb.size < len(data)
    assert (await bot.message_file(ev.message_id)).sha256 == sha(data)


async def test_receive_large_file(bot: PuppetWeb, sandbox: Sandbox, tmp_path: Path) -> None:
    data = b"%PDF-1.4\n" + os.urandom(BIG)
    w = sandbox.world
    ev = await world_sends(
        bot, lambda: w.send_file(from_="wxid_bob", to=w.bot, name="年报 2025.pdf", data=data)
    )
    assert ev.payload.type == MessageType.ATTACHMENT
    fb = await bot.message_file(ev.message_id)
    assert fb.name == "年报 2025.pdf" and fb.mimetype == "application/pdf"
    assert fb.sha256 == sha(data)
    on_disk = await bot.message_file_to_path(ev.message_id, tmp_path / "x.pdf")
    assert on_disk.path is not None and on_disk.sha256 == sha(data)


async def test_receive_voice_video_sticker(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    voice, video, gif = samples.mp3(1.0), samples.mp4(50_000), samples.gif()
    ev = await world_sends(bot, lambda: w.send_voice(from_="wxid_alice", to=w.bot, data=voice))
    fb = await bot.message_file(ev.message_id)
    assert ev.payload.type == MessageType.AUDIO and fb.sha256 == sha(voice)
    assert fb.mimetype == "audio/mpeg" and fb.name.endswith(".mp3")
    ev = await world_sends(bot, lambda: w.send_video(from_="wxid_alice", to=w.bot, data=video))
    fb = await bot.message_file(ev.message_id)
    assert ev.payload.type == MessageType.VIDEO and fb.sha256 == sha(video)
    assert fb.mimetype == "video/mp4"
    ev = await world_sends(bot, lambda: w.send_emoticon(from_="wxid_alice", to=w.bot, data=gif))
    fb = await bot.message_file(ev.message_id)
    assert ev.payload.type == MessageType.EMOTICON and fb.sha256 == sha(gif)
    assert fb.mimetype == "image/gif" and fb.name.endswith(".gif")


async def test_avatars(bot: PuppetWeb, sandbox: Sandbox) -> None:
    alice = sandbox.world.username_of("wxid_alice")
    fb = await bot.contact_avatar(alice)
    assert fb.mimetype == "image/jpeg" and fb.sha256 == sha(samples.avatar("wxid_alice"))
    room = await bot.room_avatar(sandbox.world.username_of("1000001@chatroom"))
    assert room.mimetype.startswith("image/") and room.size > 0


# ---- failures ---------------------------------------------------------------------------------


async def test_too_large_fails_before_uploading(
    bot: PuppetWeb, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "huge.bin"
    with path.open("wb") as fh:
        fh.truncate(MAX_UPLOAD_BYTES + 1)
    uploads = sandbox.faults.add("webwxuploadmedia")  # a rule with no effect: a request counter
    alice = sandbox.world.username_of("wxid_alice")
    with pytest.raises(UploadError, match="at most"):
        await bot.message_send_file(alice, FileBox.from_path(path))
    assert uploads.fired == 0


async def test_upload_refused(bot: PuppetWeb, sandbox: Sandbox) -> None:
    sandbox.faults.add("webwxuploadmedia", ret=1, count=1)
    alice = sandbox.world.username_of("wxid_alice")
    with pytest.raises(UploadError) as info:
        await bot.message_send_file(alice, FileBox.from_bytes(samples.jpeg(), "a.jpg"))
    assert info.value.ret == 1


async def test_upload_survives_a_5xx_chunk(bot: PuppetWeb, sandbox: Sandbox) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 7)
    sandbox.faults.add("webwxuploadmedia", status=502, count=1)
    alice = sandbox.world.username_of("wxid_alice")
    await bot.message_send_file(alice, FileBox.from_bytes(data, "blob.bin"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 49), timeout=10)
    assert sha(got.media) == sha(data)


async def test_rate_limited_after_retries_then_recovers(bot: PuppetWeb, sandbox: Sandbox) -> None:
    alice = sandbox.world.username_of("wxid_alice")
    limit = sandbox.faults.add("webwxsendmsgimg", ret=1205)
    with pytest.raises(RateLimitedError):
        await bot.message_send_file(alice, FileBox.from_bytes(samples.jpeg(), "a.jpg"))
    assert limit.fired == 4  # the first try + 3 retries, then a clear error
    sandbox.faults.remove(limit)
    sandbox.faults.add("webwxsendmsgimg", ret=1205, count=2)
    msg_id = await bot.message_send_file(alice, FileBox.from_bytes(samples.jpeg(), "b.jpg"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 3), timeout=10)
    assert got.id == msg_id  # retried until it went through: not dropped


async def test_send_survives_one_5xx_without_duplicates(bot: PuppetWeb, sandbox: Sandbox) -> None:
    sandbox.faults.add("webwxsendappmsg", status=500, count=1)
    alice = sandbox.world.username_of("wxid_alice")
    msg_id = await bot.message_send_file(alice, FileBox.from_bytes(b"notes", "n.txt"))
    got = await sandbox.world.wait_for_message(from_bot(sandbox, 49), timeout=10)
    assert got.id == msg_id and got.file_name == "n.txt"
    assert [m.id for m in sandbox.world.messages if m.sender == sandbox.world.bot.wxid] == [msg_id]


async def test_room_media_from_a_member(bot: PuppetWeb, sandbox: Sandbox) -> None:
    w = sandbox.world
    data, doc = samples.jpeg(200, 100), b"%PDF-1.4 room doc"
    room = "1000002@chatroom"
    ev = await world_sends(bot, lambda: w.send_image(from_="wxid_carol", to=room, data=data))
    assert ev.payload.room_id == w.username_of(room)
    assert ev.payload.talker_id == w.username_of("wxid_carol")
    assert (await bot.message_file(ev.message_id)).sha256 == sha(data)
    ev = await world_sends(
        bot, lambda: w.send_file(from_="wxid_carol", to=room, name="plan.pdf", data=doc)
    )
    fb = await bot.message_file(ev.message_id)
    assert (fb.name, fb.sha256) == ("plan.pdf", sha(doc))
