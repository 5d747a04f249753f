"""Built-in world definitions: the default test world and generated big worlds."""

from __future__ import annotations

import random
from typing import Any

BOT_WXID = "wxid_bot"


def default_world_data() -> dict[str, Any]:
    """The default world: a bot, friends (one with emoji), strangers, rooms, an official account."""
    contacts: list[dict[str, Any]] = [
        {
            "wxid": "wxid_alice",
            "nickname": "Alice",
            "sex": 2,
            "city": "Shenzhen",
            "province": "Guangdong",
            "signature": "hello world",
            "alias": "alice_w",
        },
        {"wxid": "wxid_bob", "nickname": "Bob🐶", "sex": 1, "remark": "Bobby"},
        {"wxid": "wxid_carol", "nickname": "卡罗尔", "sex": 2, "city": "杭州", "province": "浙江"},
        {"wxid": "wxid_dave", "nickname": "Dave", "sex": 1},
        {"wxid": "wxid_eve", "nickname": "Eve", "sex": 2, "friend": False},
        {"wxid": "wxid_frank", "nickname": "Frank", "sex": 1, "friend": False},
        {"wxid": "wxid_grace", "nickname": "Grace", "sex": 2, "friend": False},
        {"wxid": "gh_wechaty", "nickname": "Wechaty News", "verify_flag": 24},
        {"wxid": "filehelper", "nickname": "文件传输助手"},
        {"wxid": "weixin", "nickname": "微信团队", "verify_flag": 56},
    ]
    rooms: list[dict[str, Any]] = [
        {
            "room_id": "1000001@chatroom",
            "topic": "Wechaty Developers",
            "owner": BOT_WXID,
            "members": [BOT_WXID, "wxid_alice", "wxid_bob", "wxid_eve"],
            "saved": True,
            "display_names": {"wxid_alice": "Alice in room"},
        },
        {
            "room_id": "1000002@chatroom",
            "topic": "周末爬山群",
            "owner": "wxid_alice",
            "members": ["wxid_alice", BOT_WXID, "wxid_carol", "wxid_frank", "wxid_eve"],
        },
        {
            "room_id": "1000003@chatroom",
            "topic": "",
            "owner": "wxid_carol",
            "members": ["wxid_carol", BOT_WXID, "wxid_dave"],
        },
    ]
    bot = {
        "wxid": BOT_WXID,
        "nickname": "Wechaty Bot",
        "uin": 1703160001,
        "sex": 1,
        "signature": "I am a bot",
    }
    return {"bot": bot, "contacts": contacts, "rooms": rooms}


def generated_world_data(
    contacts: int, rooms: int, members_per_room: int, seed: int
) -> dict[str, Any]:
    """A big world: ``contacts`` friends, plus strangers to fill ``rooms`` big rooms."""
    rng = random.Random(seed)
    people: list[dict[str, Any]] = [
        {"wxid": f"wxid_f{i:05d}", "nickname": f"Friend {i}", "sex": 1 + i % 2}
        for i in range(contacts)
    ]
    strangers = [
        {"wxid": f"wxid_s{i:05d}", "nickname": f"Stranger {i}", "friend": False}
        for i in range(max(members_per_room * 2, 100))
    ]
    people.append({"wxid": "filehelper", "nickname": "文件传输助手"})
    pool = [p["wxid"] for p in people[:contacts]] + [s["wxid"] for s in strangers]
    room_list: list[dict[str, Any]] = []
    for i in range(rooms):
        size = max(2, min(members_per_room, len(pool)) - 1)
        members = [BOT_WXID, *rng.sample(pool, size)]
        room_list.append(
            {
                "room_id": f"{20_000_000 + i}@chatroom",
                "topic": f"Room {i}",
                "owner": members[1],
                "members": members,
                "saved": i % 3 == 0,
            }
        )
    bot = {"wxid": BOT_WXID, "nickname": "Wechaty Bot", "uin": 1703160001}
    return {"bot": bot, "contacts": people + strangers, "rooms": room_list}
