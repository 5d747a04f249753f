# ruff: noqa: RUF001 - verbatim Chinese strings use full-width punctuation
"""World messages → AddMsgList items (protocol doc §5), rendered per session and language."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from . import wording
from .model import Contact, Room, WorldMessage
from .samples import image_size
from .session import Session
from .textfmt import wire_name, wire_text, wire_xml, xml_attr, xml_text
from .wire import API

_EMPTY_RECOMMEND: dict[str, Any] = {
    "UserName": "",
    "NickName": "",
    "QQNum": 0,
    "Province": "",
    "City": "",
    "Content": "",
    "Signature": "",
    "Alias": "",
    "Scene": 0,
    "VerifyFlag": 0,
    "AttrStatus": 0,
    "Sex": 0,
    "Ticket": "",
    "OpCode": 0,
}


def base_message(msg_id: int, from_: str, to: str, msg_type: int, content: str) -> dict[str, Any]:
    """An AddMsgList item with every field at its empty value."""
    return {
        "MsgId": str(msg_id),
        "FromUserName": from_,
        "ToUserName": to,
        "MsgType": msg_type,
        "Content": content,
        "Status": 3,
        "ImgStatus": 1,
        "CreateTime": 0,
        "VoiceLength": 0,
        "PlayLength": 0,
        "FileName": "",
        "FileSize": "",
        "MediaId": "",
        "Url": "",
        "AppMsgType": 0,
        "StatusNotifyCode": 0,
        "StatusNotifyUserName": "",
        "RecommendInfo": dict(_EMPTY_RECOMMEND),
        "ForwardFlag": 0,
        "AppInfo": {"AppID": "", "Type": 0},
        "HasProductId": 0,
        "Ticket": "",
        "ImgHeight": 0,
        "ImgWidth": 0,
        "SubMsgType": 0,
        "NewMsgId": msg_id,
        "OriContent": "",
        "EncryFileName": "",
    }


def message_json(s: Session, m: WorldMessage) -> dict[str, Any]:
    """The AddMsgList item of ``m`` for session ``s``."""
    bot = s.world.bot.wxid
    room = m.room
    if m.sender == bot:
        from_, to = s.username(bot), s.username(m.to)
    else:
        from_, to = s.username(room or m.sender), s.username(bot)
    out = base_message(m.msg_id, from_, to, m.msg_type, "")
    out["CreateTime"] = m.create_time
    _RENDERERS.get(m.msg_type, _render_text)(s, m, out)
    prefixed = room is not None and m.sender != bot and m.msg_type != 10000
    if prefixed:
        out["Content"] = f"{s.username(m.sender)}:<br/>{out['Content']}"
    if m.sender == bot and m.client_msg_id:
        # The bot's own send comes back in sync with the ClientMsgId it was sent with (the
        # client then overwrites it with MsgId, as for every message it files).
        out["ClientMsgId"] = m.client_msg_id
    return out


def _render_text(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    if m.sub_type == 48:
        _render_location(s, m, out)
        return
    out["Content"] = wire_text(m.text)


def _render_location(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    x, y, poi = m.extra.get("x", 0.0), m.extra.get("y", 0.0), m.extra.get("poi", "")
    out["SubMsgType"] = 48
    out["Content"] = (
        f"{wire_name(m.text)}:<br/>{API}/webwxgetpubliclinkimg?url=xxx"
        f"&msgid={m.msg_id}&pictype=location"
    )
    out["Url"] = f"http://apis.map.qq.com/uri/v1/geocoder?coord={x:.6f},{y:.6f}"
    out["OriContent"] = (
        f'<?xml version="1.0"?>\n<msg>\n\t<location x="{x:.6f}" y="{y:.6f}" '
        f'scale="16" label="{xml_attr(m.text)}" maptype="0" '
        f'poiname="{xml_attr(poi)}" poiid="" />\n</msg>\n'
    )


def _render_image(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    out["Content"] = "@" + hashlib.sha256(m.id.encode()).hexdigest() * 2
    out["ImgStatus"] = 2
    w, h = image_size(m.media or b"")
    out["ImgWidth"], out["ImgHeight"] = min(w, 120), min(h, 120)


def _render_voice(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    ms = int(m.extra.get("voice_ms", 1000))
    out["VoiceLength"] = ms
    xml = (
        f'<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" '
        f'voicelength="{ms}" length="{len(m.media or b"")}" bufid="0" clientmsgid="" '
        f'fromusername="{m.sender}" /></msg>'
    )
    out["Content"] = wire_xml(xml)


def _render_video(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    out["PlayLength"] = int(m.extra.get("seconds", 1))
    out["Content"] = "@" + hashlib.sha256(m.id.encode()).hexdigest() * 4
    out["ImgStatus"] = 2
    out["ImgWidth"], out["ImgHeight"] = image_size(m.thumb or b"")


def _render_emoticon(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    md5 = m.extra.get("md5") or hashlib.md5(m.media or b"").hexdigest()
    w, h = image_size(m.media or b"")
    xml = (
        f'<msg><emoji fromusername="{m.sender}" tousername="{m.to}" type="2" '
        f'idbuffer="media:0_0" md5="{md5}" len="{len(m.media or b"")}" productid="" '
        f'androidmd5="{md5}" androidlen="{len(m.media or b"")}" s60v3md5="{md5}" '
        f's60v3len="{len(m.media or b"")}" s60v5md5="{md5}" s60v5len="{len(m.media or b"")}" '
        f'cdnurl="http://emoji.qpic.cn/wx_emoji/{md5}/" designerid="" thumburl="" '
        f'encrypturl="" aeskey="" externurl="" externmd5="" width="{w}" height="{h}">'
        f'</emoji><gameext type="0" content="0"></gameext></msg>'
    )
    out["Content"] = "" if m.extra.get("store") else wire_xml(xml)
    out["HasProductId"] = int(bool(m.extra.get("store")))
    out["ImgStatus"] = 2


def _render_card(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    card = s.world.get(m.extra["card"])
    assert isinstance(card, Contact)
    name = card.wxid if (card.friend or card.is_official) else f"v1_{card.wxid[-8:]}@stranger"
    xml = (
        f'<?xml version="1.0"?>\n<msg bigheadimgurl="" smallheadimgurl="" username="{name}" '
        f'nickname="{xml_attr(card.nickname)}" shortpy="" alias="{xml_attr(card.alias)}" '
        f'imagestatus="3" scene="17" province="{xml_attr(card.province)}" '
        f'city="{xml_attr(card.city)}" sign="{xml_attr(card.signature)}" sex="{card.sex}" '
        f'certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" '
        f'brandSubscriptConfigUrl="" brandFlags="0" regionCode="" '
        f'antispamticket="v2_{card.wxid[-8:]}@stranger" />'
    )
    out["Content"] = wire_xml(xml)
    out["RecommendInfo"] = _recommend(s, card, scene=17, content="", ticket="", op=0)


def _recommend(
    s: Session, c: Contact, *, scene: int, content: str, ticket: str, op: int
) -> dict[str, Any]:
    return {
        "UserName": s.username(c.wxid),
        "NickName": wire_name(c.nickname),
        "QQNum": 0,
        "Province": c.province,
        "City": c.city,
        "Content": content,
        "Signature": c.signature,
        "Alias": c.alias,
        "Scene": scene,
        "VerifyFlag": c.verify_flag,
        "AttrStatus": 0,
        "Sex": c.sex,
        "Ticket": ticket,
        "OpCode": op,
    }


def _render_request(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    who = s.world.get(m.extra["requester"])
    assert isinstance(who, Contact)
    ticket, scene = m.extra["ticket"], m.extra.get("scene", 14)
    xml = (
        f'<msg fromusername="{who.wxid}" encryptusername="v1_{who.wxid[-8:]}@stranger" '
        f'fromnickname="{xml_attr(who.nickname)}" content="{xml_attr(m.text)}" shortpy="" '
        f'imagestatus="3" scene="{scene}" country="" province="{xml_attr(who.province)}" '
        f'city="{xml_attr(who.city)}" sign="{xml_attr(who.signature)}" percard="0" '
        f'sex="{who.sex}" alias="{xml_attr(who.alias)}" weibo="" albumflag="0" '
        f'albumstyle="0" albumbgimgid="" snsflag="1" snsbgimgid="" snsbgobjectid="0" '
        f'mhash="" mfullhash="" bigheadimgurl="" smallheadimgurl="" ticket="{ticket}" '
        f'opcode="2" googlecontact="" qrticket="" chatroomusername="" sourceusername="" '
        f'sourcenickname=""><brandlist count="0" ver="680000000"></brandlist></msg>'
    )
    out["Content"] = wire_xml(xml)
    # The greeting is user text: escaped on the wire like any other (protocol §5.3).
    hello = wire_text(m.text)
    out["RecommendInfo"] = _recommend(s, who, scene=scene, content=hello, ticket=ticket, op=2)
    out["Ticket"] = ticket


def _render_sys(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    key, args = m.sys or ("", {})
    out["Content"] = wire_name(wording.render(key, args, s.lang)) if key else wire_text(m.text)
    out["Status"] = 4 if key.startswith("recall") else 3


def _render_recall(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    key, args = m.sys or ("recall_other", {"name": ""})
    recalled = int(m.extra["recalled"])
    bot = s.world.bot.wxid
    session_id = m.room or (m.to if m.sender == bot else m.sender)
    text = wording.render(key, args, s.lang)
    xml = (
        f'<sysmsg type="revokemsg"><revokemsg><session>{session_id}</session>'
        f"<oldmsgid>{recalled % 2_000_000_000 + 1_000_000_000}</oldmsgid>"
        f"<msgid>{recalled}</msgid><replacemsg><![CDATA[{text}]]></replacemsg>"
        f"</revokemsg></sysmsg>"
    )
    out["Content"] = wire_xml(xml)
    out["Status"] = 4


def encry_file_name(name: str) -> str:
    """``EncryFileName``: the percent-encoded name (dots too, e.g. ``fileName%2Ezip``)."""
    return quote(name, safe="").replace(".", "%2E")


def _render_app(s: Session, m: WorldMessage, out: dict[str, Any]) -> None:
    xml, title = app_xml(s, m)
    out.update(FileName=wire_name(title), Url=m.url, AppMsgType=m.app_type, Content=wire_xml(xml))
    out["FileSize"] = str(len(m.media)) if m.app_type == 6 and m.media is not None else "0"
    if m.app_type == 6:
        out["MediaId"] = m.media_id
        out["EncryFileName"] = encry_file_name(m.file_name)
    if m.app_type in (5, 33):
        out["ImgStatus"] = 2 if m.extra.get("thumb_url") else 1


def _appmsg(appid: str, title: str, des: str, typ: int, url: str, inner: str = "") -> str:
    return (
        f'<msg><appmsg appid="{appid}" sdkver="0"><title>{xml_text(title)}</title>'
        f"<des>{xml_text(des)}</des><action></action><type>{typ}</type><showtype>0</showtype>"
        f"<content></content><url>{xml_text(url)}</url><dataurl></dataurl><lowurl></lowurl>"
        f"<lowdataurl></lowdataurl><recorditem></recorditem>{inner}</appmsg>"
        f"<fromusername></fromusername><scene>0</scene><appinfo><version>1</version>"
        f"<appname></appname></appinfo><commenturl></commenturl></msg>"
    )


def app_xml(s: Session, m: WorldMessage) -> tuple[str, str]:
    """(appmsg XML, title) of an app message as the receiver gets it."""
    if m.xml:
        return m.xml, m.file_name
    des = str(m.extra.get("des", ""))
    title = m.file_name
    if m.app_type == 6:
        ext = m.file_name.rsplit(".", 1)[-1] if "." in m.file_name else ""
        inner = (
            f"<appattach><totallen>{len(m.media or b'')}</totallen><attachid>{m.media_id}"
            f"</attachid><emoticonmd5></emoticonmd5><fileext>{ext}</fileext><cdnattachurl>"
            f"</cdnattachurl><aeskey></aeskey><encryver>0</encryver></appattach>"
        )
        return _appmsg("", title, "", 6, "", inner), title
    if m.app_type == 33:
        e = m.extra
        inner = (
            f"<sourceusername>{e['username']}</sourceusername><sourcedisplayname>"
            f"{xml_text(title)}</sourcedisplayname><weappinfo><pagepath>"
            f"{xml_text(e['page_path'])}</pagepath><username>{e['username']}</username>"
            f"<appid>{e['appid']}</appid><type>2</type></weappinfo>"
        )
        return _appmsg(e["appid"], title, des, 33, "", inner), title
    if m.app_type == 2000:
        inner = "<wcpayinfo><paysubtype>1</paysubtype><feedesc>￥0.01</feedesc></wcpayinfo>"
        return _appmsg("", title, des, 2000, "", inner), title
    if "invite_room" in m.extra:
        return _invitation_xml(s, m)
    thumb = str(m.extra.get("thumb_url", ""))
    inner = f"<thumburl>{xml_text(thumb)}</thumburl>" if thumb else ""
    return _appmsg("", title, des, m.app_type or 5, m.url, inner), title


def _invitation_xml(s: Session, m: WorldMessage) -> tuple[str, str]:
    room = s.world.get(m.extra["invite_room"])
    inviter = s.world.name_in(m.extra["inviter"])
    topic = room.topic if isinstance(room, Room) else ""
    if s.lang == "en":
        title = "Group Chat Invitation"
        des = f'"{inviter}" invited you to join the group chat "{topic}". Enter to view details.'
    else:
        title = "邀请你加入群聊"
        des = f'"{inviter}"邀请你加入群聊{topic}，进入可查看详情。'
    return _appmsg("", title, des, 5, m.url), title


_RENDERERS: dict[int, Callable[[Session, WorldMessage, dict[str, Any]], None]] = {
    1: _render_text,
    3: _render_image,
    34: _render_voice,
    37: _render_request,
    42: _render_card,
    43: _render_video,
    47: _render_emoticon,
    49: _render_app,
    62: _render_video,
    10000: _render_sys,
    10002: _render_recall,
}


def status_notify_json(
    s: Session, msg_id: int, chat_ids: list[str], create_time: int
) -> dict[str, Any]:
    """MsgType 51 / StatusNotifyCode 4 after init: the chat list, real ids in ``<username>``."""
    me = s.username(s.world.bot.wxid)
    out = base_message(msg_id, me, me, 51, "")
    names = [s.username(w) for w in chat_ids]
    unread = "".join(
        f"<chat><username>{w}</username><lastreadtime>{create_time}</lastreadtime></chat>"
        for w in chat_ids[:3]
    )
    xml = (
        f"<msg>\n<op id='4'>\n<username>{','.join(chat_ids)}</username>\n<unreadchatlist>"
        f"{unread}</unreadchatlist>\n<unreadfunctionlist>\n</unreadfunctionlist>\n</op>\n</msg>"
    )
    out.update(
        Content=wire_xml(xml),
        StatusNotifyCode=4,
        StatusNotifyUserName=",".join(names),
        CreateTime=create_time,
        Status=3,
    )
    return out


def phone_notify_json(s: Session, msg_id: int, peer: str, code: int) -> dict[str, Any]:
    """MsgType 51 for phone-side activity: code 2 entered a chat, 1 read it (§5.9)."""
    me, other = s.username(s.world.bot.wxid), s.username(peer)
    out = base_message(msg_id, me, other if code == 1 else me, 51, "")
    out.update(StatusNotifyCode=code, StatusNotifyUserName=other, CreateTime=int(time.time()))
    return out
