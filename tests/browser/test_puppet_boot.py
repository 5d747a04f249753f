"""The real client's boot: webwxinit during bootstrap, the contact paging one $timeout later,
on a page whose DOMContentLoaded comes late. `ready` must come whatever the page's speed."""

from __future__ import annotations

from pathlib import Path

import pytest

from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.webclient import PageOptions

from .test_puppet_support import MakePuppet, T, start_ready

pytestmark = pytest.mark.browser

# The late script is held this long: the app's boot (init, then every getcontact page) is over
# long before DOMContentLoaded, as on the real page.
SLOW = PageOptions(boot_delay=2.5)


async def test_a_slow_logged_in_boot_after_the_host_switch_gets_ready(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    sb.page = SLOW
    sb.contact_page_size = 4  # several getcontact pages, all answered before DOMContentLoaded
    puppet = await start_ready(make_puppet(session=False), sb)  # QR on wx, boot logged in on wx2
    page = puppet.page
    assert page.url.startswith("https://wx2.qq.com/")
    # The hooks were in place before the app ran, not found by polling.
    assert await page.evaluate("() => window.__wpw.glue.path()") == "early"
    friends = {c.wxid for c in sb.world.friends}
    listed = set(await puppet.contact_list())
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
    assert await second.page.evaluate("() => window.__wpw.glue.path()") == "early"
