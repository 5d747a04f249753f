"""The running page's services match the real client's, member by member (names, kinds, arities).

A hook written against a member that exists only in the sandbox passes every test and fails live;
so the page is read through its injector and compared with ``fixtures/webclient_members.json``
(the machine copy of the measured list; tests/unit/test_members_doc.py keeps it equal to the doc).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Page

from wechaty_puppet_web.sandbox import Sandbox

from ..members_doc import FIXTURE
from .test_webclient_support import login

pytestmark = pytest.mark.browser

# Each member's kind as the doc measures it: fn/<declared parameters>, else typeof (null: object).
READ_MEMBERS = """names => {
  const inj = angular.element(document).injector();
  const kind = v => typeof v === 'function' ? 'fn/' + v.length : typeof v;
  const out = {};
  for (const name of names) {
    let svc;
    try { svc = inj.get(name); } catch (e) { out[name] = null; continue; }
    const members = {};
    if (typeof svc === 'function') { members['(callable)'] = kind(svc); }
    for (const key of Object.keys(svc)) { members[key] = kind(svc[key]); }
    out[name] = members;
  }
  return out;
}"""


def diff(real: dict[str, str], page: dict[str, str] | None) -> list[str]:
    """Human-readable differences of one service."""
    if page is None:
        return ["service missing"]
    out = [f"missing {m} ({k})" for m, k in sorted(real.items()) if m not in page]
    out += [f"extra {m} ({k})" for m, k in sorted(page.items()) if m not in real]
    out += [
        f"{m}: {page[m]} instead of {k}"
        for m, k in sorted(real.items())
        if m in page and page[m] != k
    ]
    return out


async def test_the_services_match_the_real_clients_members(page: Page, wc: Sandbox) -> None:
    real: dict[str, dict[str, str]] = json.loads(FIXTURE.read_text("utf-8"))
    await login(page, wc)  # logged in: every service has run its set-up
    seen: dict[str, Any] = await page.evaluate(READ_MEMBERS, sorted(real))
    problems = {name: d for name in sorted(real) if (d := diff(real[name], seen[name]))}
    assert problems == {}
