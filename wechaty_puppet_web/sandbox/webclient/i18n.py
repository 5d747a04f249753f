"""The page's inline ``window._`` table: zh strings on a zh page, English ones otherwise.

The real page keys the table by short hashes; ours keys it by the zh text itself (plus the one
hash the surface doc names), so ``_("[图片]")`` is ``"[图片]"`` on a zh page and ``"[Photo]"``
on an en one.
"""

# ruff: noqa: RUF001 - the zh placeholders use the fullwidth comma, as the real client's do

from __future__ import annotations

import json

_EN: dict[str, str] = {
    "[图片]": "[Photo]",
    "[语音]": "[Voice]",
    "[视频]": "[Video]",
    "[小视频]": "[Sight]",
    "[动画表情]": "[Sticker]",
    "[文件]": "[File]",
    "[链接]": "[Link]",
    "[微信红包]": "[Red Packet]",
    "[音乐]": "[Music]",
    "[应用消息]": "[App message]",
    "位置": "Location",
    "[收到了一个表情，请在手机上查看]": "[Received a sticker. View on phone]",
    "[发送了一个表情，请在手机上查看]": "[Sent a sticker. View on phone]",
    "[收到一条微信转账消息，请在手机上查看]": "[Received a transfer. View on phone]",
    "[收到一张卡券，请在手机上查看]": "[Received a coupon. View on phone]",
    "[发起了位置共享，请在手机上查看]": "[Started location sharing. View on phone]",
    "[收到一条商品消息，请在手机上查看]": "[Received a product message. View on phone]",
    "[收到一个表情，请在手机上查看]": "[Received an emotion. View on phone]",
    "[收到一条网页版微信暂不支持的消息类型，请在手机上查看]": (
        "[Received a message type not supported by Web WeChat. View on phone]"
    ),
    "[收到一条暂不支持的消息类型，请在手机上查看]": (
        "[Received an unsupported message type. View on phone]"
    ),
    "[收到一条视频/语音聊天消息，请在手机上查看]": "[Received a video/voice call. View on phone]",
    "想要将你加为朋友": " wants to add you as a friend",
    "向你推荐了": "Recommended ",
    "你推荐了": "You recommended ",
    "该消息网页版微信暂时不支持": "This message is not supported by Web WeChat",
    "你": "You",
    "撤回了一条消息": " recalled a message",
    "599d8df": "Files larger than 50MB cannot be sent",
}


def i18n_table(lang: str) -> str:
    """The JSON object literal inlined into index.html for ``lang`` (``zh_CN``, ``en_US``, …)."""
    if lang.lower().startswith("zh"):
        table = {key: key for key in _EN}
        table["599d8df"] = "发送文件不能大于50M"
    else:
        table = dict(_EN)
    # "</" must not end the inline <script>.
    return json.dumps(table, ensure_ascii=False).replace("</", "<\\/")
