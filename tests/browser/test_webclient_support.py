"""Helpers shared by the web client's browser tests (no tests here).

Everything goes through the page's own surface, the way an injected script would:
``angular.element(document).injector().get(...)`` and ``$rootScope`` events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playwright.async_api import Page

from wechaty_puppet_web.sandbox import Sandbox

URL = "https://wx.qq.com/"
T = 10_000  # ms: an explicit, short upper bound for every wait_for_function

# Records root-scope events as plain JSON copies (and the live objects) on window.__wc. Installed
# as an init script that wraps angular.bootstrap, so the recorder is in place synchronously after
# the app's bootstrap (the session-reload path answers webwxinit before DOMContentLoaded).
RECORDER = """(function () {
  function install() {
    var inj = angular.element(document).injector();
    var root = inj.get('$rootScope');
    var wc = window.__wc = {events: [], live: []};
    // appFactory.syncCheck / sync are called through the service object: count them to know
    // when the loop is idle (a synccheck is held by the server and no webwxsync is in flight).
    var app = inj.get('appFactory'), check = app.syncCheck, sync = app.sync;
    var probe = window.__sync = {checks: 0, syncs: 0, synced: 0, quiet: 0, ids: [], mods: [],
                                 order: ''};
    app.syncCheck = function () {
      probe.order += 'c';
      probe.checks++;
      probe.quiet++;
      return check.apply(this, arguments);
    };
    app.sync = function () {
      probe.order += 's';
      probe.syncs++;
      probe.quiet = 0;
      return sync.apply(this, arguments).then(function (d) {
        probe.synced++;
        (d.AddMsgList || []).forEach(function (m) { probe.ids.push(m.MsgId); });
        (d.ModContactList || []).forEach(function (c) { probe.mods.push(c.UserName); });
        return d;
      });
    };
    function plain(o) {
      return JSON.parse(JSON.stringify(o === undefined ? null : o, function (k, v) {
        return typeof v === 'function' || k === '$$hashKey' ? undefined : v;
      }));
    }
    ['newLoginPage', 'root:pageInit:success', 'message:add:success', 'root:msgSend:success',
     'chat:add:success'].forEach(function (name) {
      root.$on(name, function (event, arg) {
        wc.events.push({name: name, arg: name === 'chat:add:success' ? null : plain(arg)});
        wc.live.push(arg);
      });
    });
  }
  var ng;
  Object.defineProperty(window, 'angular', {configurable: true, get: function () { return ng; },
    set: function (value) {
      ng = value;
      var boot;
      Object.defineProperty(value, 'bootstrap', {configurable: true, enumerable: true,
        get: function () {
          return boot && function () {
            var out = boot.apply(this, arguments);
            install();
            return out;
          };
        },
        set: function (f) { boot = f; }});
    }});
})();"""

INJ = "angular.element(document).injector()"
LOGIN_SCOPE = "angular.element('[ng-controller=loginController]').scope()"


def same_host(sandbox: Sandbox) -> Iterator[Sandbox]:
    """Yield the sandbox with the login redirect on the page's own host (no wx -> wx2 switch).

    Only the login module uses it (the same-host path); everything else runs across the default
    wx -> wx2 switch.
    """
    saved = sandbox.redirect_host
    sandbox.redirect_host = "wx.qq.com"
    try:
        yield sandbox
    finally:
        sandbox.redirect_host = saved


async def open_page(page: Page, path: str = "") -> None:
    """Load the page (not waiting for `load`: the long-poll <script> tags keep delaying it)."""
    if not getattr(page, "_wc_recorder", False):
        await page.add_init_script(RECORDER)
        page._wc_recorder = True  # type: ignore[attr-defined]
    await page.goto(URL + path, wait_until="domcontentloaded")
    await page.wait_for_function("() => !!window.__wc", timeout=T)


async def wait_code(page: Page, code: int) -> None:
    """Wait until the login scope's ``code`` equals ``code``."""
    await page.wait_for_function(
        "c => { var s = angular.element('[ng-controller=\"loginController\"]').scope();"
        " return !!s && s.code === c; }",
        arg=code,
        timeout=T,
    )


async def wait_logged_in(page: Page) -> None:
    """Wait for ``root:pageInit:success`` (accountFactory knows self)."""
    await page.wait_for_function(
        # During the wx -> wx2 host switch the new document has no `angular` yet: that is "not
        # yet", not a failure, so the predicate swallows the TypeError.
        f"() => {{ try {{ return !!{INJ}.get('accountFactory').getUserName()"
        " && !!window.__wc && window.__wc.events.some(e => e.name === 'root:pageInit:success');"
        " } catch (e) { return false; } }",
        timeout=T,
    )


async def login(page: Page, sandbox: Sandbox) -> None:
    """Open the page, let the simulated phone scan and confirm, wait for init."""
    await open_page(page)
    await sandbox.phone.wait_for_qr()
    await wait_code(page, 0)
    sandbox.phone.scan()
    await wait_code(page, 201)
    sandbox.phone.confirm()
    await wait_logged_in(page)


async def wait_contacts(page: Page, user_name: str) -> None:
    """Wait until ``user_name`` is in ``window._contacts``."""
    await page.wait_for_function("u => !!window._contacts[u]", arg=user_name, timeout=T)


async def events(page: Page, name: str) -> list[Any]:
    """Plain copies of the recorded root-scope events called ``name``."""
    result: list[Any] = await page.evaluate(
        "n => window.__wc.events.filter(e => e.name === n).map(e => e.arg)", name
    )
    return result


async def wait_event(page: Page, name: str, predicate_js: str) -> Any:
    """Wait for a recorded event whose arg satisfies ``predicate_js`` (a JS ``m => bool``)."""
    handle = await page.wait_for_function(
        f"() => {{ var p = {predicate_js}; var hit = window.__wc.events.filter("
        f"e => e.name === {name!r} && p(e.arg)); return hit.length ? hit[0].arg : false; }}",
        timeout=T,
    )
    return await handle.json_value()


async def wait_sync_idle(page: Page) -> None:
    """Wait until a synccheck went out after the first webwxsync finished and none is in flight.

    A webwxsync answered Ret != 0 (e.g. the session killed mid-flight) leaves the real loop
    stalled for up to 40 s, so tests that kill the session first wait for an idle loop.
    """
    await page.wait_for_function(
        "() => { var p = window.__sync; return p.synced >= 1 && p.syncs === p.synced"
        " && p.quiet >= 1; }",
        timeout=T,
    )


async def wait_synced(page: Page, msg_id: str) -> None:
    """Wait until a webwxsync batch carrying ``msg_id`` has been processed."""
    await page.wait_for_function("id => window.__sync.ids.indexOf(id) > -1", arg=msg_id, timeout=T)
