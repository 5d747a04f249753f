"""Helpers of the replay tests (no tests here): drive the web client page against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

from wechaty_puppet_web.recording.cassette import bodies_dir
from wechaty_puppet_web.recording.redact import BENIGN_COOKIES
from wechaty_puppet_web.sandbox import Sandbox

URL = "https://wx.qq.com/"
T = 15_000  # ms: explicit upper bound of every page wait
INJ = "angular.element(document).injector()"
TEXT = "hello replay 回放"

LOGGED_IN = f"() => !!window.angular && !!{INJ} && !!{INJ}.get('accountFactory').getUserName()"
HAS_TEXT = """t => Object.values(window._chatContent || {}).some(list => list.some(
  m => String(m.MMActualContent || m.Content || '').indexOf(t) >= 0))"""
# A person scans the QR only once it is shown: scanning before the image loaded lets the page
# switch hosts with the QR request cancelled, so the recording lacks it and its replay fails.
QR_SHOWN = """() => { const img = document.querySelector('.qrcode img');
  return !!img && !!img.getAttribute('src') && img.complete && img.naturalWidth > 0; }"""
SECRETS = f"""() => {{
  var a = {INJ}.get('accountFactory');
  return [a.getSkey(), a.getSid(), String(a.getUin()), a.getPassticket() || ''];
}}"""


async def wait_logged_in(page: Page) -> None:
    """The page finished its login (accountFactory knows self)."""
    await page.wait_for_function(LOGGED_IN, timeout=T)


async def wait_text(page: Page, text: str = TEXT) -> None:
    """A message holding ``text`` reached the page's chat store."""
    await page.wait_for_function(HAS_TEXT, arg=text, timeout=T)


async def open_page(context: BrowserContext) -> Page:
    """A new page on web WeChat (not waiting for `load`: long polls keep delaying it)."""
    page = await context.new_page()
    await page.goto(URL, wait_until="domcontentloaded")
    return page


async def sandbox_session(context: BrowserContext, sandbox: Sandbox) -> tuple[Page, list[str]]:
    """Log the page in with the phone, receive one text from Alice; the page and its secrets."""
    page = await open_page(context)
    await sandbox.phone.wait_for_qr()
    await page.wait_for_function(QR_SHOWN, timeout=T)
    sandbox.phone.scan()
    sandbox.phone.confirm()
    await wait_logged_in(page)
    sandbox.world.send_text(
        from_=sandbox.world.contact("wxid_alice"), to=sandbox.world.bot, text=TEXT
    )
    await wait_text(page)
    secrets: list[str] = list(await page.evaluate(SECRETS))
    for cookie in await context.cookies():
        if cookie["name"] not in BENIGN_COOKIES:
            secrets.append(cookie["value"])
    return page, [s for s in secrets if len(s) >= 5]


def cassette_text(path: Path) -> str:
    """The cassette and its stored bodies, as one searchable string."""
    text = path.read_text(encoding="utf-8")
    store = bodies_dir(path)
    if store.is_dir():
        text += "".join(p.read_bytes().decode("latin-1") for p in sorted(store.iterdir()))
    return text


def edit_lines(path: Path, out: Path, keep: Any) -> None:
    """Copy a cassette keeping the lines for which ``keep(index, line)`` is true."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out.write_text(
        "".join(line + "\n" for i, line in enumerate(lines) if keep(i, line)), encoding="utf-8"
    )
    if bodies_dir(path).is_dir() and not bodies_dir(out).exists():
        bodies_dir(out).symlink_to(bodies_dir(path).resolve())


# The sandbox is shared by the whole session, so a straggler from an earlier test may still reach
# it while a replay runs. A replay context carries its own user agent, and the proof that it
# stayed offline is that no request with that agent reached the sandbox.
PROBE_AGENT = "Mozilla/5.0 (X11; Linux x86_64) wpw-replay-probe"


PROBE = {"user_agent": PROBE_AGENT}  # context options of a probe context


async def probe_context(browser: Browser) -> BrowserContext:
    """A context with no sandbox options whose requests the sandbox can recognise."""
    return await browser.new_context(user_agent=PROBE_AGENT)


def reached_sandbox(sandbox: Sandbox) -> list[tuple[str, str, str, str]]:
    """The requests of probe contexts that the sandbox served (a replay must leave none)."""
    return [r for r in sandbox.request_log if r[3] == PROBE_AGENT]
