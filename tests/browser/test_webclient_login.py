"""The fake web client against the sandbox: boot surface, scan login, session reload, logout.

Everything is driven through the page's own surface, as an injected script would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Dialog, Page

from wechaty_puppet_web.errors import SandboxError
from wechaty_puppet_web.sandbox import Sandbox, webclient
from wechaty_puppet_web.sandbox.webclient import vendor as npm_vendor

from .test_webclient_support import (
    INJ,
    LOGIN_SCOPE,
    URL,
    T,
    events,
    login,
    open_page,
    same_host,
    wait_code,
    wait_logged_in,
    wait_sync_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def wc(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox, logging in on the page's own host: this module covers the same-host path
    (the other web client modules and the puppet run across the default wx -> wx2 switch)."""
    yield from same_host(sandbox)


SURFACE_JS = """() => {
  var inj = angular.element(document).injector();
  var bare = angular.injector(['ng', 'Services']);
  var conf = bare.get('confFactory');
  var handler = inj.get('$exceptionHandler');
  var reported = 0, rethrown = false;
  var saved = window._errorHandler;
  window._errorHandler = function () { reported++; };
  try { handler(new Error('boom')); } catch (e) { rethrown = e.message === 'boom'; }
  window._errorHandler = saved;
  var names = ['accountFactory', 'confFactory', 'contactFactory', 'chatFactory', 'chatroomFactory',
    'loginFactory', 'appFactory', 'utilFactory', 'emojiFactory', 'mmHttp', 'surviveCheckService',
    'emojiFactory', '$state'];
  return {
    version: angular.version.full,
    sameAsBody: angular.element('body').injector() === inj,
    services: names.filter(function (n) { return !inj.has(n); }),
    bareHasChat: bare.has('chatFactory'),
    rethrown: rethrown, reported: reported,
    conf: [conf.API_jsLogin, conf.API_login, conf.API_synccheck, conf.API_webwxuploadmedia,
      conf.API_webwxdownloadmedia, conf.API_webwxsendmsgvedio, conf.API_webwxoplog,
      conf.API_checkupload, conf.MSGTYPE_RECALLED, conf.APPMSGTYPE_READER_TYPE,
      conf.MSG_SEND_STATUS_FAIL, conf.VERIFYUSER_OPCODE_VERIFYOK, conf.ADDSCENE_PF_WEB,
      conf.CONTACTFLAG_CONTACT, conf.MM_USERATTRVERIFYFALG_BIZ_BRAND, conf.oplogCmdId.MODREMARKNAME,
      conf.StatusNotifyCode_INITED, conf.API_webwxgetmsgimg, conf.API_webwxgetvoice],
    globals: ['MMCgi', '_contacts', '_strangerContacts', '_chatRoomMemberDisplayNames',
      '_chatContent', 'synccheck', 'QRLogin', '_', '_errorHandler', 'MMSource']
      .filter(function (g) { return window[g] === undefined; }),
    isLogin: window.MMCgi.isLogin,
    i18n: window._('[图片]'),
    body: document.body.className,
    bodyScope: angular.element(document.body).scope().isUnLogin,
    self: inj.get('accountFactory').getUserName(),
    skey: inj.get('accountFactory').getSkey(),
    deviceIds: [inj.get('accountFactory').getDeviceID(), inj.get('accountFactory').getDeviceID()],
    rootConf: inj.get('$rootScope').CONF === inj.get('confFactory')
  };
}"""


async def test_boot_surface_before_login(page: Page, wc: Sandbox) -> None:
    await open_page(page)
    s = await page.evaluate(SURFACE_JS)
    assert s["version"].startswith("1.2.")
    assert s["sameAsBody"] and s["bareHasChat"] and s["rootConf"]
    assert s["services"] == []
    assert s["rethrown"] and s["reported"] == 1
    assert s["conf"] == [  # jslogin's lang is the browser's (the context is zh-CN)
        "https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&redirect_uri="
        "https%3A%2F%2Fwx.qq.com%2Fcgi-bin%2Fmmwebwx-bin%2Fwebwxnewloginpage&fun=new&lang=zh_CN",
        "https://login.wx.qq.com/cgi-bin/mmwebwx-bin/login",
        "https://webpush.wx.qq.com/cgi-bin/mmwebwx-bin/synccheck",
        "https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia",
        "https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia",
        "/cgi-bin/mmwebwx-bin/webwxsendvideomsg",
        "/cgi-bin/mmwebwx-bin/webwxoplog",
        "/cgi-bin/mmwebwx-bin/webwxcheckupload",
        10002,
        100001,
        5,
        3,
        33,
        1,
        8,
        2,
        3,
        "/cgi-bin/mmwebwx-bin/webwxgetmsgimg",
        "/cgi-bin/mmwebwx-bin/webwxgetvoice",
    ]
    assert s["globals"] == []
    assert s["isLogin"] is False and s["i18n"] == "[图片]"
    assert "unlogin" in s["body"] and s["bodyScope"] is True
    assert s["self"] is None and s["skey"] == ""
    assert all(d.startswith("e") and len(d) == 16 for d in s["deviceIds"])
    assert s["deviceIds"][0] != s["deviceIds"][1]
    await wait_code(page, 0)
    qr = await page.evaluate(
        f"() => {{ var s = {LOGIN_SCOPE}; return [s.uuid, s.qrcodeUrl, s.isScan, s.isNeedRefresh,"
        " s.isBrokenNetwork, s.isAssociationLogin, document.querySelector('.qrcode img.img').src,"
        " window.QRLogin.uuid, typeof s.qrcodeLogin, typeof s.associationLogin,"
        " typeof s.refreshQrcode]; }"
    )
    uuid = await wc.phone.wait_for_qr()
    assert qr[0] == uuid == qr[7]
    assert qr[1] == qr[6] == f"https://login.weixin.qq.com/qrcode/{uuid}"
    assert qr[2:6] == [False, False, False, False]
    assert qr[8:] == ["function", "function", "function"]


async def test_helpers_behave_as_documented(page: Page, wc: Sandbox) -> None:
    await open_page(page)
    r = await page.evaluate(
        """() => {
      var inj = angular.element(document).injector();
      var u = inj.get('utilFactory'), e = inj.get('emojiFactory');
      document.cookie = 'last_wxuin=777; path=/';
      return {
        room: [u.isRoomContact('@@abc'), u.isRoomContact('123@chatroom'), u.isRoomContact('@abc')],
        sp: [u.isSpUser('weixin'), u.isSpUser('x@qqim'), u.isSpUser('filehelper')],
        shield: [u.isShieldUser('newsapp'), u.isShieldUser('a@talkroom'), u.isShieldUser('weixin')],
        enc: u.htmlEncode('<a href="x">&\\'</a>'),
        dec: u.htmlDecode('&lt;b&gt;&amp;lt;&#39;&quot;&nbsp;'),
        cookie: u.getCookie('wxuin'),
        size: [u.getSize(123), u.getSize(123456), u.getSize(5 * 1048576)],
        head: u.getContactHeadImgUrl({UserName: '@@r', Skey: 'k', EncryChatRoomId: '@e'}),
        xml: u.xml2json('junk<msg><appmsg appid="a"><title>T</title><des></des>' +
          '<item>1</item><item>2</item></appmsg></msg>'),
        bad: u.xml2json('<msg><unclosed></msg>'),
        plugin: typeof $.xml2json,
        span: e.transformSpanToImg('<span class="emoji emoji1f604"></span>'),
        faces: e.emoticonFormat('[微笑]&lt;笑脸&gt;'),
        send: e.formatHTMLToSend('a<img class="qqemoji qqemoji0" text="[微笑]_web" src="s" />' +
          '<br><b>x</b>&lt;y&gt;'),
        noThen: 'then' in inj.get('mmHttp')({method: 'GET', url: '/x', MMRetry: {count: 0}}),
        plain: typeof inj.get('mmHttp')({method: 'GET', url: '/x'}).then
      };
    }"""
    )
    assert r["room"] == [True, True, False]
    assert r["sp"] == [True, True, False]
    assert r["shield"] == [True, True, False]
    assert r["enc"] == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
    assert r["dec"] == "<b>&lt;'\"&nbsp;"
    assert r["cookie"] == "777"  # the documented substring-match trap
    assert r["size"] == ["123B", "120.6KB", "5.0MB"]
    assert (
        r["head"] == "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@r&skey=k&chatroomid=@e"
    )
    assert r["xml"] == {"appmsg": {"appid": "a", "title": "T", "des": "", "item": ["1", "2"]}}
    assert r["bad"] == {} and r["plugin"] == "function"
    assert r["span"] == (
        '<img class="emoji emoji1f604" text="\ue415_web" '
        'src="/zh_CN/htmledition/v2/images/spacer.gif" />'
    )
    assert 'class="qqemoji qqemoji0" text="[微笑]_web"' in r["faces"]
    assert 'class="emoji emoji1f604"' in r["faces"]
    assert r["send"] == "a[微笑]\nx<y>"
    assert r["noThen"] is False and r["plain"] == "function"
    # surviveCheckService restarts a loop whose last check was rejected after 2 s
    await page.evaluate(
        """() => { var s = angular.injector(['ng', 'Services']).get('surviveCheckService');
        window.__restarted = 0; window.__rejectedAt = Date.now();
        s.callback(function () {
          window.__restarted = Date.now() - window.__rejectedAt; s.stop();
        });
        s.mark('rejected'); s.start(100); }"""
    )
    await page.wait_for_function("() => window.__restarted > 0", timeout=T)
    assert 2000 <= await page.evaluate("() => window.__restarted") < 5000


async def test_scan_login_walks_0_201_200(page: Page, wc: Sandbox) -> None:
    inits: list[str] = []
    page.on("request", lambda r: inits.append(r.url) if "/webwxinit" in r.url else None)
    await open_page(page)
    await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    wc.phone.scan()
    await wait_code(page, 201)
    scanned = await page.evaluate(f"() => [{LOGIN_SCOPE}.isScan, {LOGIN_SCOPE}.userAvatar]")
    assert scanned[0] is True and scanned[1].startswith("data:img/jpg;base64,")
    wc.phone.confirm()
    await wait_logged_in(page)
    await wait_code(page, 200)
    first = await events(page, "newLoginPage")
    assert len(first) == 1
    payload = first[0]
    assert sorted(payload) == ["Code", "Passticket", "Ret", "SKey", "Sid", "Uin"]
    assert payload["Ret"] == "0" and payload["Code"] is None
    assert payload["SKey"].startswith("@crypt_") and payload["Uin"].isdigit()
    order = await page.evaluate("() => window.__wc.events.map(e => e.name)")
    assert order.index("newLoginPage") < order.index("root:pageInit:success")
    state = await page.evaluate(
        f"""() => {{
      var a = {INJ}.get('accountFactory'), c = {INJ}.get('contactFactory');
      var body = angular.element(document.body).scope();
      var self = c.getContact(a.getUserName());
      return [a.getUserName(), String(a.getUin()), a.getSid(), a.getSkey(), a.getPassticket(),
        a.getBaseRequest().BaseRequest.Sid, body.isLoaded, body.isUnLogin, document.body.className,
        typeof self.isContact, self.isSelf(), typeof window.onbeforeunload, document.cookie,
        a.getUserInfo().UserName === a.getUserName()];
    }}"""
    )
    assert state[0].startswith("@") and state[1] == payload["Uin"] != "0"
    assert state[2] == payload["Sid"] == state[5]
    assert state[3].startswith("@crypt_") and state[4] == payload["Passticket"]
    assert state[6] is True and state[7] is False and "loaded" in state[8]
    assert state[9] == "function" and state[10] is True and state[11] == "function"
    assert f"last_wxuin={payload['Uin']}" in state[12] and "login_frequency=1" in state[12]
    assert state[13] is True
    # MMRetry {count:1, timeout:1}: a second webwxinit goes out unless the first answered within
    # 1 ms (racy, like the real page); pass_ticket is double-encoded.
    assert 1 <= len(inits) <= 2
    assert "pass_ticket=" + payload["Passticket"].replace("%", "%25") in inits[0]


async def test_cancel_on_phone_gives_a_new_qr(page: Page, wc: Sandbox) -> None:
    await open_page(page)
    first = await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    wc.phone.scan()
    await wait_code(page, 201)
    wc.phone.cancel()
    await page.wait_for_function(
        f"u => {{ var s = {LOGIN_SCOPE}; return s.code === 0 && s.uuid !== u && !s.isScan; }}",
        arg=first,
        timeout=T,
    )
    second = await wc.phone.wait_for_qr()
    assert second != first
    assert await page.evaluate(f"() => {LOGIN_SCOPE}.qrcodeUrl") == (
        f"https://login.weixin.qq.com/qrcode/{second}"
    )


async def test_reload_with_a_live_session_skips_the_qr(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    await page.evaluate("() => { window.onbeforeunload = null; }")
    await open_page(page)  # same cookies: the server renders MMCgi.isLogin
    await wait_logged_in(page)
    r = await page.evaluate(
        f"""() => {{ var s = {LOGIN_SCOPE}; var a = {INJ}.get('accountFactory');
        return [window.MMCgi.isLogin, s.code, s.qrcodeUrl, a.getPassticket(),
          window.__wc.events.filter(e => e.name === 'newLoginPage').length]; }}"""
    )
    assert r == [True, None, None, None, 0]


async def test_newloginpage_error_alerts_and_reloads(page: Page, wc: Sandbox) -> None:
    wc.faults.add("webwxnewloginpage", ret=1203, count=1)
    dialogs: list[str] = []

    async def on_dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        await d.dismiss()

    page.on("dialog", on_dialog)
    await open_page(page)
    await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    async with page.expect_event("framenavigated", timeout=T):
        wc.phone.confirm()
    assert dialogs and "网页微信" in dialogs[0]


async def test_phone_logout_returns_to_the_qr_page(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if "webwxlogout" in r.url else None)
    await wait_sync_idle(page)
    async with page.expect_event("framenavigated", timeout=T):
        wc.phone.logout()
    await page.wait_for_function(
        f"() => !!window.angular && !!{INJ} && {LOGIN_SCOPE} && {LOGIN_SCOPE}.code === 0",
        timeout=T,
    )
    assert posts and "redirect=1&type=1&skey=%40crypt_" in posts[0]
    assert await page.evaluate("() => window.MMCgi.isLogin") is False


async def test_loginout_is_a_form_post(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    async with page.expect_request("**/webwxlogout*", timeout=T) as req_info:
        await page.evaluate(f"() => {INJ}.get('loginFactory').loginout(0)")
    req = await req_info.value
    assert req.method == "POST" and "type=0" in req.url
    assert "sid=" in (req.post_data or "") and "uin=" in (req.post_data or "")


async def test_host_switch_navigates_to_the_redirect(page: Page, sandbox: Sandbox) -> None:
    sandbox.redirect_host = "wx2.qq.com"
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url))
    await open_page(page)
    await sandbox.phone.wait_for_qr()
    await wait_code(page, 0)
    sandbox.phone.confirm()
    # the page navigates to the redirect on wx2, which lands on wx2's page with a live session
    await page.wait_for_url("https://wx2.qq.com/**", timeout=T)
    await page.wait_for_function("() => !!window.__wc", timeout=T)
    await wait_logged_in(page)
    assert any(
        u.startswith("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=")
        for u in navigations
    ) or navigations[-1].startswith("https://wx2.qq.com/")
    r = await page.evaluate(
        f"() => [window.MMCgi.isLogin, {INJ}.get('confFactory').API_synccheck,"
        " window.__wc.events.filter(e => e.name === 'newLoginPage').length]"
    )
    assert r == [True, "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck", 0]


async def test_uos_mode_and_association_panel(page: Page, wc: Sandbox) -> None:
    await open_page(page, "?target=t")
    conf = await page.evaluate(
        f"() => {{ var c = {INJ}.get('confFactory'); return [c.isClientVersion, c.API_jsLogin]; }}"
    )
    assert conf[0] is True and "webwxnewloginpage%3Fmod%3Ddesktop" in conf[1]
    await page.context.add_cookies(
        [
            {"name": "login_frequency", "value": "2", "url": URL},
            {"name": "last_wxuin", "value": "12345", "url": URL},
        ]
    )
    await open_page(page)
    r = await page.evaluate(
        f"() => {{ var s = {LOGIN_SCOPE}; return [s.isAssociationLogin, s.code, s.uuid,"
        " s.qrcodeUrl, !!document.evaluate(\"//div[contains(@class,'association') and"
        " contains(@class,'show')]/a[@ng-click='qrcodeLogin()']\", document, null, 9, null)"
        ".singleNodeValue]; }"
    )
    assert r == [True, None, None, None, True]
    await page.click("div.association.show > a[ng-click='qrcodeLogin()']")
    await wait_code(page, 0)
    assert "login_frequency=0" in await page.evaluate("() => document.cookie")


async def test_synccheck_1100_logs_out_with_type_0(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    await wait_sync_idle(page)
    wc.faults.add("synccheck", retcode=1100)
    async with page.expect_request("**/webwxlogout*", timeout=T) as req_info:
        pass
    req = await req_info.value
    assert req.method == "POST" and "redirect=1&type=0&skey=" in req.url


async def test_webwxinit_1101_logs_out(page: Page, wc: Sandbox) -> None:
    wc.faults.add("webwxinit", ret=1101)
    await open_page(page)
    await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    async with page.expect_request("**/webwxlogout*", timeout=T) as req_info:
        wc.phone.confirm()
    assert "type=0" in (await req_info.value).url


async def test_init_contact_pages_through_the_service(page: Page, wc: Sandbox) -> None:
    await open_page(page)
    await page.evaluate(
        f"""() => {{ var c = {INJ}.get('contactFactory'), orig = c.initContact;
        window.__pages = [];
        c.initContact = function (seq) {{
          return orig.apply(this, arguments).then(function (page) {{
            window.__pages.push([seq, page.Seq, page.MemberList.length]); return page; }});
        }}; }}"""
    )
    await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    wc.phone.confirm()
    await wait_logged_in(page)
    await page.wait_for_function(
        "() => window.__pages.length && window.__pages[window.__pages.length - 1][1] === 0",
        timeout=T,
    )
    pages = await page.evaluate("() => window.__pages")
    assert pages[0][0] == 0 and sum(p[2] for p in pages) > 0


async def test_expired_qr_reloads_counted_then_shows_the_mask(page: Page, wc: Sandbox) -> None:
    await open_page(page)
    await wc.phone.wait_for_qr()
    await wait_code(page, 0)
    async with page.expect_event("framenavigated", timeout=T):
        wc.phone.expire_qr()  # poll answers 400: location.reload(), counted in refreshTimes
    await page.wait_for_function("() => !!window.__wc", timeout=T)
    assert "refreshTimes=1" in await page.evaluate("() => document.cookie")
    await page.context.add_cookies([{"name": "refreshTimes", "value": "5", "url": URL}])
    await wait_code(page, 0)
    await wc.phone.wait_for_qr()
    wc.phone.expire_qr()  # after 5 reloads: no reload, the "expired" mask instead
    await wait_code(page, 400)
    assert await page.evaluate(f"() => {LOGIN_SCOPE}.isNeedRefresh") is True
    assert await page.is_visible(".refresh_qrcode_mask i.icon-refresh")


async def test_association_login_without_a_scan(page: Page, wc: Sandbox) -> None:
    await login(page, wc)
    await page.evaluate(f"() => {INJ}.get('loginFactory').loginout(0)")
    await page.wait_for_function(
        f"() => !!window.__wc && !!{LOGIN_SCOPE} && {LOGIN_SCOPE}.code === 0", timeout=T
    )
    # one more login of the same account would make login_frequency 2
    await page.context.add_cookies([{"name": "login_frequency", "value": "2", "url": URL}])
    await open_page(page)
    await page.wait_for_selector("div.association.show", timeout=T)
    await page.click("div.association.show > a[ng-click='associationLogin()']")
    await page.wait_for_function(f"() => {LOGIN_SCOPE}.isWaitingAsConfirm === true", timeout=T)
    uuid = await page.evaluate(f"() => {LOGIN_SCOPE}.uuid")
    assert uuid == await wc.phone.wait_for_qr() and uuid.startswith("A_1_")
    wc.phone.confirm()
    await wait_logged_in(page)
    assert len(await events(page, "newLoginPage")) == 1


def test_render_index_and_assets_without_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    page = webclient.render_index(is_login=True, lang="en_US", query={"target": "t"})
    assert 'window.MMCgi = {isLogin: !!"1"};' in page and '"[图片]": "[Photo]"' in page
    vendor = page.split('src="/zh_CN/htmledition/v2/js/', 1)[1].split('"', 1)[0]
    body, ctype = webclient.asset("/zh_CN/htmledition/v2/js/" + vendor) or (b"", "")
    assert vendor.startswith("vendor_") and b"AngularJS v1.2.32" in body and "javascript" in ctype
    assert webclient.asset("/a/b/spacer.gif") == (webclient._SPACER_GIF, "image/gif")
    assert webclient.asset("/zh_CN/htmledition/v2/js/index_0000000.js") is None
    monkeypatch.setattr(npm_vendor, "VENDOR_DIR", Path("/nonexistent/vendor"))
    monkeypatch.setattr(npm_vendor, "NODE_MODULES", Path("/nonexistent/node_modules"))
    webclient._bundles.cache_clear()
    try:
        with pytest.raises(SandboxError, match="make setup"):
            webclient.render_index(is_login=False, lang="zh_CN", query={})
    finally:
        webclient._bundles.cache_clear()
