"""The real web client's service members, from ``webclient-members.md`` (its machine copy is
``fixtures/webclient_members.json``; ``python -m tests.members_doc DOC`` regenerates it).

Each service maps member name -> kind: ``fn/N`` (a function declared with N parameters) or the
JavaScript type of the value. A callable service (``mmHttp``) has the member ``(callable)``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "webclient_members.json"
# Where CI and a developer checkout keep the reference docs: beside the clone.
DOC = ROOT.parent / "shared" / "webclient-members.md"

_HEADER = re.compile(r"^## (\w+) \((\d+) members\)\s*$")
_ENTRY = re.compile(r"`([^`]+)` (fn/\d+|\{[^}]*\}|\w+)")
_KEYS = re.compile(r"'(\w+)': '(fn/\d+)'")


def parse(text: str) -> dict[str, dict[str, str]]:
    """Service -> member -> kind, checking each section's count against its header.

    Raises:
        ValueError: a section lists more or fewer members than its header says.
    """
    services: dict[str, dict[str, str]] = {}
    expected: dict[str, int] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            current = services.setdefault(header.group(1), {})
            expected[header.group(1)] = int(header.group(2))
            continue
        if current is None or not line.startswith("`"):
            continue
        for name, kind in _ENTRY.findall(line):
            if kind.startswith("{"):  # a callable service's methods: `keys` {'get': 'fn/1'…}
                current.update(dict(_KEYS.findall(kind)))
            else:
                current[name] = kind
    for service, count in expected.items():
        got = len(services[service])
        # mmHttp counts `(callable)` and `keys` as its two members
        listed = 2 if "(callable)" in services[service] else got
        if listed != count:
            raise ValueError(f"{service}: header says {count} members, {listed} listed")
    return services


def main(argv: list[str]) -> int:
    """Print the JSON copy of the doc given (default: the doc beside the clone)."""
    doc = Path(argv[0]) if argv else DOC
    data = parse(doc.read_text("utf-8"))
    sys.stdout.write(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
