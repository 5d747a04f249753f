"""Contacts in the fake web client (objects, lists, merging, kick trap, batchget) and its UI."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from wechaty_puppet_web.sandbox import Sandbox

from .test_webclient_support import (
    INJ,
    T,
    login,
    wait_contacts,
)

pytestmark = pytest.mark.browser


METHODS = [
    "isSelf", "isContact", "isBlackContact", "isConversationContact", "isRoomContact",
    "isRoomContactDel", "isRoomOwner", "isBrandContact", "isSpContact", "isShieldUser",
    "isFileHelper", "isRecommendHelper", "isNewsApp", "isMuted", "isTop", "hasPhotoAlbum",
    "isInChatroom", "isReadOnlyContact", "getDisplayName", "getMemberDisplayName", "canSearch",
    "chatroomCanSearch", "update",
]  # fmt: skip


async def test_contact_objects_and_lists(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    un = {k: w.username_of(w.get(k)) for k in ("wxid_alice", "wxid_bob", "wxid_eve")}  # type: ignore[arg-type]
    room1 = w.username_of(w.room("1000001@chatroom"))
    room3 = w.username_of(w.room("1000003@chatroom"))
    for u in (un["wxid_alice"], un["wxid_bob"], room1):
        await wait_contacts(page, u)
    try:
        await page.wait_for_function(
            "r => !!window._contacts[r] && window._contacts[r].MemberList.length > 0",
            arg=room3,
            timeout=T,
        )
    except PlaywrightTimeoutError as exc:  # say what the page had instead
        state = await page.evaluate(
            "r => [window._contacts[r], window._strangerContacts[r]].map(c => c && JSON.stringify("
            "[c.MemberList, c.ContactFlag, c.MMInChatroom]))",
            room3,
        )
        raise AssertionError(f"room without topic never filled: {state}") from exc
    # room members arrive with the batchget of the room (display names, stranger members)
    await page.wait_for_function(
        "([r, e]) => !!window._chatRoomMemberDisplayNames[r] && !!window._strangerContacts[e]",
        arg=[room1, un["wxid_eve"]],
        timeout=T,
    )
    r = await page.evaluate(
        f"""([a, b, e, r1, r3, methods]) => {{
      var c = {INJ}.get('contactFactory'), self = {INJ}.get('accountFactory').getUserName();
      var alice = c.getContact(a), bob = c.getContact(b), room = c.getContact(r1);
      var friends = c.getAllFriendContact(), again = c.getAllFriendContact();
      var fresh = c.getAllFriendContact({{isNewArray: true}});
      return {{
        own: methods.filter(function (m) {{ return !alice.hasOwnProperty(m); }}),
        self: [!!window._contacts[self], c.getContact(self).isSelf(),
          typeof c.getContact(self).isContact],
        friends: [friends === again, fresh !== friends, friends.some(x => x.UserName === a),
          friends.some(x => x.isSelf() || x.isRoomContact())],
        rooms: c.getAllChatroomContact().map(x => x.UserName).indexOf(r1) > -1,
        order: alice.MMOrderSymbol,
        bob: [bob.getDisplayName(), bob.NickName],
        inRoom: [alice.getDisplayName(r1), window._chatRoomMemberDisplayNames[r1][a]],
        owner: [room.isRoomOwner(), c.getContact(r3).isRoomOwner()],
        room: [room.isRoomContact(), room.isInChatroom(), room.getDisplayName(),
          room.EncryChatRoomId,
          room.MemberList.length, c.getChatRoomMembersContact(r1, true).length],
        eve: [window._strangerContacts[e].HeadImgUrl, typeof window._strangerContacts[e].isContact],
        fh: window._contacts.filehelper ? window._contacts.filehelper.NickName : null,
        special: ['filehelper', 'weixin'].filter(u => friends.some(x => x.UserName === u)),
        brands: [c.getAllBrandContact().length, c.getAllFriendContact({{isNewArray: true,
          isWithoutBrand: true}}).some(x => x.isBrandContact())],
        r3: c.getContact(r3) ? c.getContact(r3).getDisplayName() : null,
        flag: typeof c.contactChangeFlag
      }};
    }}""",
        [un["wxid_alice"], un["wxid_bob"], un["wxid_eve"], room1, room3, METHODS],
    )
    assert r["own"] == []
    assert r["self"] == [True, True, "function"]
    assert r["friends"] == [True, True, True, False]
    assert r["rooms"] is True and r["order"][:1].isupper()
    assert r["bob"][0] == "Bobby" and '<img class="emoji emoji1f436"' in r["bob"][1]
    assert r["inRoom"] == ["Alice in room", "Alice in room"]
    assert r["room"][:3] == [True, True, "Wechaty Developers"]
    assert r["owner"] == [True, False]
    assert r["room"][3].startswith("@") and r["room"][4] == 4 and r["room"][5] == 3
    assert "&chatroomid=@" in r["eve"][0] and r["eve"][1] == "function"
    assert r["fh"] == "文件传输助手"  # special names are rewritten
    assert r["special"] == ["filehelper", "weixin"]  # special accounts count as friends
    assert r["brands"][0] >= 1 and r["brands"][1] is False
    assert r["r3"] == "卡罗尔, Dave"  # a room without a topic shows its members
    assert r["flag"] == "number"


async def test_merge_drops_falsy_fields_and_the_kick_trap(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    bob = w.username_of(w.contact("wxid_bob"))
    room2 = w.username_of(w.room("1000002@chatroom"))
    await wait_contacts(page, bob)
    await page.wait_for_function(
        "r => !!window._contacts[r] && window._contacts[r].MemberList.length > 0",
        arg=room2,
        timeout=T,
    )
    merged = await page.evaluate(
        f"""b => {{ var c = {INJ}.get('contactFactory'), before = c.getContact(b);
        c.addContact({{UserName: b, RemarkName: '', NickName: 'Bob2', ContactFlag: 3, Sex: 0}});
        var after = c.getContact(b);
        return [before === after, after.RemarkName, after.NickName, after.Sex]; }}""",
        bob,
    )
    assert merged == [True, "Bobby", "Bob2", 1]
    # end to end: a remark set on the phone arrives in ModContactList; a cleared one never does
    alice = w.username_of(w.contact("wxid_alice"))
    w.set_remark("wxid_alice", "Ally")
    await page.wait_for_function(
        "u => window._contacts[u].RemarkName === 'Ally'", arg=alice, timeout=T
    )
    w.set_remark("wxid_alice", "")
    await page.wait_for_function(
        "u => window.__sync.mods.filter(x => x === u).length >= 2", arg=alice, timeout=T
    )
    assert await page.evaluate("u => window._contacts[u].RemarkName", alice) == "Ally"
    w.kick("1000002@chatroom", "wxid_alice", ["wxid_bot"])
    await page.wait_for_function("r => !!window._strangerContacts[r]", arg=room2, timeout=T)
    trap = await page.evaluate(
        f"""r => {{ var c = {INJ}.get('contactFactory');
        var self = {INJ}.get('accountFactory').getUserName();
        var stale = window._contacts[r], fresh = window._strangerContacts[r];
        return [!!stale, stale.MemberList.some(m => m.UserName === self),
          fresh.MemberList.some(m => m.UserName === self), fresh.isShieldUser(),
          c.getAllChatroomContact().some(x => x.UserName === r)]; }}""",
        room2,
    )
    assert trap == [True, True, False, True, True]


async def test_batchget_queue_posts_after_200ms(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    eve = w.username_of(w.contact("wxid_eve"))
    frank = w.username_of(w.contact("wxid_frank"))
    async with page.expect_request(
        lambda r: "webwxbatchgetcontact" in r.url and frank in (r.post_data or ""), timeout=T
    ) as req_info:
        r = await page.evaluate(
            f"""([e, f]) => {{ var c = {INJ}.get('contactFactory');
            delete window._strangerContacts[f];
            var miss = c.getContact(f);
            var first = c.addBatchgetContact({{UserName: e, EncryChatRoomId: ''}});
            var dup = c.addBatchgetContact({{UserName: e, EncryChatRoomId: ''}});
            return [miss === undefined, !!first && typeof first.then, dup === undefined]; }}""",
            [eve, frank],
        )
    assert r == [True, "function", True]
    body = json.loads((await req_info.value).post_data or "{}")
    names = [item["UserName"] for item in body["List"]]
    assert frank in names and eve in names and body["Count"] == len(names) <= 50
    await page.wait_for_function("f => !!window._strangerContacts[f]", arg=frank, timeout=T)


async def test_ui_renders_and_enter_sends(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    w = wc.world
    alice = w.username_of(w.contact("wxid_alice"))
    await wait_contacts(page, alice)
    w.send_text(from_=w.contact("wxid_alice"), to=w.bot, text="hello from alice")
    await page.evaluate(
        f"""u => {{ var inj = {INJ};
        inj.get('$rootScope').$apply(function () {{
          inj.get('$state').go('chat', {{userName: u}});
        }}); }}""",
        alice,
    )
    await page.wait_for_selector(f"#chatArea .title_name[data-username='{alice}']", timeout=T)
    await page.wait_for_selector(".chat_item.active", timeout=T)
    await page.click("#editArea")
    await page.keyboard.type("hello ui")
    await page.keyboard.press("Enter")
    msg = await w.wait_for_message(lambda m: m.text == "hello ui", timeout=5)
    assert msg.sender == "wxid_bot" and msg.to == "wxid_alice"
    await page.wait_for_selector("pre.js_message_plain >> text=hello ui", timeout=T)
    ctrl = await page.evaluate(
        f"""() => {{ var inj = {INJ}, scope = inj.get('$rootScope').$new();
        inj.get('$controller')('contentChatController', {{$scope: scope}});
        return [scope.getMsgImg('7', 'slave', {{MMStatus: 1}}) === undefined,
          scope.getMsgImg('7', 'slave'), scope.getMsgVideo('7')]; }}"""
    )
    assert ctrl[0] is True
    assert ctrl[1].startswith("/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID=7&skey=%40crypt_")
    assert ctrl[1].endswith("&type=slave") and ctrl[2].startswith(
        "/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid=7&skey="
    )
    shot = Image.open(io.BytesIO(await page.screenshot())).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # a real page, not a blank or single-colour one
