"""The real client's boot: webwxinit during bootstrap, the contact paging one $timeout later,
on a page whose DOMContentLoaded comes late. `ready` must come whatever the page's speed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from wechaty_puppet_web.browser.inject import build_init_script
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.webclient import PageOptions

from .test_puppet_support import MakePuppet, T, start_ready

pytestmark = pytest.mark.browser

# The heavy page, its late script held this long: the app's boot (init, then every getcontact
# page) is over long before DOMContentLoaded, as on the real page.
SLOW = PageOptions(weight="real", boot_delay=2.5)
WEIGHT_JS = """() => {
  const sheets = [...document.styleSheets];
  const item = document.querySelector('.chat_list .chat_item');
  return {
    rules: Math.max(...sheets.map((s) => s.cssRules.length)),
    faces: document.querySelectorAll('.panels .expression a[data-code^="1f"]').length,
    rows: document.querySelectorAll('.panels .contact_list .contact_item').length,
    chats: document.querySelectorAll('.chat_list .chat_item .ext_info .info_hd .time').length,
    itemNodes: item ? item.querySelectorAll('*').length : 0,
  };
}"""


async def test_a_slow_logged_in_boot_after_the_host_switch_gets_ready(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    sb.page = SLOW
    sb.contact_page_size = 4  # several getcontact pages, all answered before DOMContentLoaded
    puppet = await start_ready(make_puppet(session=False), sb)  # QR on wx, boot logged in on wx2
    page = puppet.page
    assert page.url.startswith("https://wx2.qq.com/")
    # The hooks were in place before the app ran, not found by polling.
    assert await boot_path(page) == "early"
    # The heavy page's panels and scroll bars run, and the app reported no error (an infinite
    # digest, say) through its own handler.
    heavy = "() => [document.querySelectorAll('.panels').length, window._errorCount || 0]"
    assert await page.evaluate(heavy) == [1, 0]
    friends = {c.wxid for c in sb.world.friends}
    listed = set(await puppet.contact_list())
    # The weight is there: a stylesheet of thousands of selectors, a face per emoji code point,
    # a contact row per friend (this world is smaller than the list's window), chat items with
    # their nested avatar, names and time stamp.
    weight = await page.evaluate(WEIGHT_JS)
    assert weight["rules"] > 5000
    assert weight["faces"] == 0x1F700 - 0x1F300
    assert len(friends) <= weight["rows"] < 120  # official accounts are listed too
    assert weight["chats"] > 0
    assert weight["itemNodes"] >= 20
    assert {sb.world.username_of(w) for w in friends} <= listed


async def test_a_restart_on_a_slow_page_gets_ready_without_a_scan(
    make_puppet: MakePuppet, sb: Sandbox, session_path: Path
) -> None:
    first = await start_ready(make_puppet(), sb)
    await first.stop()
    sb.page = SLOW
    sb.phone.auto_scan = False  # the saved session boots logged in at once
    second = make_puppet()
    ready = second.wait_for(EventName.READY, timeout=T)
    await second.start()
    await ready
    assert await boot_path(second.page) == "early"


async def test_hooks_found_late_still_see_the_contacts_loaded(page: Page, sb: Sandbox) -> None:
    """When the bootstrap cannot be trapped (here another script pins `window.angular` first),
    the hooks are found by polling after DOMContentLoaded, the paging is long over, and
    `contacts-loaded` still comes, from state."""
    sb.page = SLOW
    sb.contact_page_size = 4
    sb.phone.auto_scan = True
    envelopes: list[dict[str, Any]] = []
    loaded = asyncio.Event()

    def emit(_source: Any, text: str) -> None:
        env = json.loads(text)
        envelopes.append(env)
        if env["name"] == "contacts-loaded":
            loaded.set()

    await page.expose_binding("__wpw_emit", emit)
    await page.add_init_script(PIN_ANGULAR)
    await page.add_init_script(build_init_script({"uos": False}))
    await page.goto("https://wx.qq.com/", wait_until="commit")
    await asyncio.wait_for(loaded.wait(), T)
    boots = [e["payload"] for e in envelopes if e["name"] == "boot"]
    assert boots[-1]["isLogin"] is True and boots[-1]["path"] == "late"
    names = [e["name"] for e in envelopes]
    assert names.index("contacts-loaded") > len(names) - 1 - names[::-1].index("boot")
    assert "login" in names[len(names) - 1 - names[::-1].index("boot") :]


async def boot_path(page: Page) -> str:
    """How the hooks reached the app: 'early' (bootstrap trapped) or 'late' (polled)."""
    reply = json.loads(await page.evaluate("() => window.__wpw.callText('boot-path', null)"))
    assert reply["ok"], reply
    return str(reply["value"])


PIN_ANGULAR = (
    "Object.defineProperty(window, 'angular',"
    " {value: undefined, writable: true, configurable: false, enumerable: true});"
)
