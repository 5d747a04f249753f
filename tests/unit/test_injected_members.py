"""The injected scripts use only service members the real client has.

A hook written against a member that exists only in the sandbox passes every sandbox test and
fails live; so every ``service('x').member`` the scripts touch (directly or through a local
alias) must be in the real client's measured list (fixtures/webclient_members.json).
"""

from __future__ import annotations

import json
import re

from tests.members_doc import FIXTURE
from wechaty_puppet_web.browser.inject import script_dir

_DIRECT = re.compile(r"(?:svc|service)\('(\w+)'\)\.(\w+)")
_ALIAS = re.compile(r"var (\w+) = (?:glue\.service|svc|service)\('(\w+)'\);")
_AFTER_ALIAS = r"\b{}\.(\w+)"


def used_members() -> set[tuple[str, str]]:
    """(service, member) pairs the injected scripts read or wrap."""
    used: set[tuple[str, str]] = set()
    scripts = [p for p in script_dir().iterdir() if p.name.endswith(".js")]
    for path in sorted(scripts, key=lambda p: p.name):
        text = path.read_text("utf-8")
        used |= set(_DIRECT.findall(text))
        for alias, service in _ALIAS.findall(text):
            used |= {(service, m) for m in re.findall(_AFTER_ALIAS.format(alias), text)}
    return used


def test_the_injected_scripts_use_only_real_members() -> None:
    real: dict[str, dict[str, str]] = json.loads(FIXTURE.read_text("utf-8"))
    used = {(s, m) for s, m in used_members() if s in real}
    assert len(used) > 20  # the scan found the scripts' calls
    assert sorted((s, m) for s, m in used if m not in real[s]) == []
