"""Drive itchat-uos (unmodified, public API only) for the conformance test, a JSON line at a time.

Runs with the itchat venv's Python (it has its own old pins), never the project's. The test writes
commands on stdin (``{"id": 1, "cmd": "login"}``) and reads JSON lines on stdout: ``{"id": 1,
"result": ...}`` or ``{"id": 1, "error": "..."}`` per command, and ``{"event": "message", ...}``
whenever itchat hands a message to its registered handlers. The sandbox is reached on the real
host names through ``HTTPS_PROXY`` and trusted through ``REQUESTS_CA_BUNDLE``.
"""

import hashlib
import json
import sys
import threading
import traceback

import itchat
from itchat.content import ATTACHMENT, FRIENDS, NOTE, PICTURE, RECORDING, TEXT, VIDEO

_out = threading.Lock()


def emit(obj):
    with _out:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def digest(data):
    return {"size": len(data), "md5": hashlib.md5(data).hexdigest(), "head": data[:4].hex()}


@itchat.msg_register(
    [TEXT, PICTURE, ATTACHMENT, NOTE, RECORDING, VIDEO], isFriendChat=True, isGroupChat=True
)
def on_message(msg):
    event = {
        "event": "message",
        "type": msg["Type"],
        "msg_id": msg["MsgId"],
        "from": msg["FromUserName"],
        "to": msg["ToUserName"],
        "room": "@@" in msg["FromUserName"] or "@@" in msg["ToUserName"],
        "sender_nick": msg.get("ActualNickName", ""),
        "file_name": msg.get("FileName", ""),
    }
    if msg["Type"] in (TEXT, NOTE):
        event["text"] = msg["Text"]
    else:
        event["media"] = digest(msg["Text"]())  # download_fn without a folder: the bytes
    emit(event)


_requests = {}  # msg_id -> the requester (itchat's User, which knows how to accept)


@itchat.msg_register(FRIENDS)
def on_friend_request(msg):
    _requests[msg["MsgId"]] = msg.user
    emit(
        {
            "event": "friend_request",
            "msg_id": msg["MsgId"],
            "hello": msg["RecommendInfo"]["Content"],
        }
    )


def accept_friend(a):
    # itchat's documented way: msg.user.verify() (webwxverifyuser, Opcode 3)
    user = _requests[a["msg_id"]]
    if not hasattr(user.core, "add_friend"):  # itchat-uos-fix dropped it (the client's gap)
        return {"ret": None}
    r = user.verify()
    return {"ret": r["BaseResponse"]["Ret"]}


def user_name(nick=None, topic=None):
    if topic is not None:
        found = itchat.search_chatrooms(name=topic)
        rooms = [r for r in found if r["NickName"] == topic]
        if not rooms:
            raise LookupError(f"no room {topic!r}")
        return rooms[0]["UserName"]
    found = [f for f in itchat.get_friends() if nick in (f["NickName"], f["RemarkName"])]
    if not found:
        raise LookupError(f"no friend {nick!r}")
    return found[0]["UserName"]


def sent(r):
    if not r:
        raise RuntimeError(f"itchat refused: {dict(r)!r}")
    return {"msg_id": r.get("MsgID"), "local_id": r.get("LocalID")}


def login(_):
    itchat.auto_login(hotReload=False, qrCallback=lambda **kw: None, loginCallback=lambda: None)
    itchat.run(blockThread=False)
    me = itchat.search_friends()
    return {"user_name": me["UserName"], "nick": me["NickName"]}


def contacts(_):
    friends = itchat.get_friends(update=True)
    rooms = itchat.get_chatrooms(update=True)
    out_rooms = []
    for r in rooms:
        full = itchat.update_chatroom(r["UserName"], detailedMember=True)
        out_rooms.append(
            {
                "topic": full["NickName"],
                "members": sorted(m["NickName"] for m in full["MemberList"]),
            }
        )
    return {"friends": sorted(f["NickName"] for f in friends[1:]), "rooms": out_rooms}


def send_text(a):
    return sent(itchat.send_msg(a["text"], toUserName=user_name(a.get("nick"), a.get("topic"))))


def send_image(a):
    return sent(itchat.send_image(a["path"], toUserName=user_name(a.get("nick"), a.get("topic"))))


def send_file(a):
    return sent(itchat.send_file(a["path"], toUserName=user_name(a.get("nick"), a.get("topic"))))


def revoke(a):
    r = itchat.revoke(a["msg_id"], user_name(a.get("nick"), a.get("topic")), a.get("local_id"))
    return {"ok": bool(r), "ret": r["BaseResponse"]["Ret"]}


def avatar(a):
    if "topic" in a:
        data = itchat.get_head_img(chatroomUserName=user_name(topic=a["topic"]))
    else:
        data = itchat.get_head_img(userName=user_name(a["nick"]))
    return digest(data)


def logout(_):
    itchat.logout()
    return {"ok": True}


COMMANDS = {
    "login": login,
    "contacts": contacts,
    "send_text": send_text,
    "send_image": send_image,
    "send_file": send_file,
    "revoke": revoke,
    "avatar": avatar,
    "accept_friend": accept_friend,
    "logout": logout,
}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            emit({"id": request["id"], "result": COMMANDS[request["cmd"]](request)})
        except Exception as exc:  # reported to the test, which fails with the traceback
            emit({"id": request["id"], "error": f"{exc}\n{traceback.format_exc()}"})


if __name__ == "__main__":
    main()
