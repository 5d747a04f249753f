"""Raw page data as the injected JS hands it over: plain JSON in the wire's own spelling.

These TypedDicts are ``total=False`` because the page drops falsy fields when it merges contacts and
the server omits fields between versions; :mod:`.parse` is the only module that reads these keys.
Names and texts hold HTML (escaped entities, emoji ``<span>``/``<img>`` markup, ``<br/>``).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "RawAppInfo",
    "RawContact",
    "RawMember",
    "RawMessage",
    "RawRecall",
    "RawRecommendInfo",
]


class RawMember(TypedDict, total=False):
    """An item of a room's ``MemberList`` (protocol §3.7)."""

    Uin: int
    UserName: str
    NickName: str
    DisplayName: str
    AttrStatus: int
    MemberStatus: int
    KeyWord: str
    HeadImgUrl: str
    PYInitial: str
    PYQuanPin: str
    RemarkPYInitial: str
    RemarkPYQuanPin: str


class RawContact(TypedDict, total=False):
    """A contact, room or self object (protocol §3.6) plus page-computed booleans."""

    Uin: int
    UserName: str
    NickName: str
    RemarkName: str
    HeadImgUrl: str
    ContactFlag: int
    VerifyFlag: int
    Sex: int
    Signature: str
    Province: str
    City: str
    Alias: str
    StarFriend: int
    SnsFlag: int
    KeyWord: str
    MemberCount: int
    MemberList: list[RawMember]
    OwnerUin: int
    IsOwner: int
    Statues: int
    EncryChatRoomId: str
    DisplayName: str
    AttrStatus: int
    ChatRoomOwner: str
    PYInitial: str
    PYQuanPin: str
    RemarkPYInitial: str
    RemarkPYQuanPin: str
    # Computed by the injected script from the contact's methods; absent on plain stranger objects.
    isContact: bool
    isSelf: bool
    isRoomContact: bool
    isBrandContact: bool
    isInChatroom: bool


class RawRecommendInfo(TypedDict, total=False):
    """``RecommendInfo`` of MsgType 37 (friend request) and 42 (card)."""

    UserName: str
    NickName: str
    QQNum: int
    Province: str
    City: str
    Content: str
    Signature: str
    Alias: str
    Scene: int
    VerifyFlag: int
    AttrStatus: int
    Sex: int
    Ticket: str
    OpCode: int
    HeadImgUrl: str


class RawAppInfo(TypedDict, total=False):
    """``AppInfo`` of a message."""

    AppID: str
    Type: int


class RawMessage(TypedDict, total=False):
    """A message: wire fields (protocol §5.1) plus the client's MM* fields (surface §5.2)."""

    MsgId: str
    NewMsgId: str
    FromUserName: str
    ToUserName: str
    MsgType: int
    Content: str
    Status: int
    ImgStatus: int
    CreateTime: int
    VoiceLength: int
    PlayLength: int
    FileName: str
    FileSize: str
    MediaId: str
    Url: str
    AppMsgType: int
    StatusNotifyCode: int
    StatusNotifyUserName: str
    RecommendInfo: RawRecommendInfo
    ForwardFlag: int
    AppInfo: RawAppInfo
    HasProductId: int
    Ticket: str
    ImgHeight: int
    ImgWidth: int
    SubMsgType: int
    OriContent: str
    EncryFileName: str
    MsgSource: str
    # Fields the web client adds (surface §5.2, §5.3).
    MMPeerUserName: str
    MMIsSend: bool
    MMIsChatRoom: bool
    MMActualSender: str
    MMActualContent: str
    MMIsAppMsg: bool
    _noSupportMsg: bool
    MMRecall: bool
    MMLocationDesc: str
    MMLocationUrl: str
    MMAppMsgDesc: str
    MMAppMsgFileExt: str
    MMAppMsgFileSize: str
    MMAppMsgDownloadUrl: str
    MMUserName: str
    MMStatus: int
    LocalID: str
    ClientMsgId: str
    md5: str
    MMCategory: list[dict[str, object]]
    # MsgType as it arrived from the server, before the client's rewrites (when the hook saw it).
    RawMsgType: int


class RawRecall(TypedDict, total=False):
    """A recall seen by wrapping ``chatFactory._recalledMsgProcess``."""

    msg: RawMessage
    recalled_id: str
