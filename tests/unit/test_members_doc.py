"""The machine copy of the real client's member list is well formed and equals the doc."""

from __future__ import annotations

import json
import re

from tests.members_doc import DOC, FIXTURE, parse

SAMPLE = """## mmHttp (2 members)

`(callable)` fn/1, `keys` {'get': 'fn/1', 'jsonp': 'fn/1', 'post': 'fn/1'}

## appFactory (3 members)

`globalData` object, `init` fn/0
`report` fn/1
"""


def test_parse_reads_kinds_and_callable_services() -> None:
    assert parse(SAMPLE) == {
        "mmHttp": {"(callable)": "fn/1", "get": "fn/1", "jsonp": "fn/1", "post": "fn/1"},
        "appFactory": {"globalData": "object", "init": "fn/0", "report": "fn/1"},
    }


def test_parse_checks_the_counts() -> None:
    try:
        parse(SAMPLE.replace("(3 members)", "(4 members)"))
    except ValueError as exc:
        assert "appFactory" in str(exc)
    else:
        raise AssertionError("a wrong count must be refused")


def test_the_fixture_is_the_doc() -> None:
    copy = json.loads(FIXTURE.read_text("utf-8"))
    kinds = {k for members in copy.values() for k in members.values()}
    assert all(re.fullmatch(r"fn/\d+|object|string|number|boolean", k) for k in kinds)
    assert len(copy) == 15 and len(copy["confFactory"]) == 182
    # The doc lives beside the clone (where the reference docs are kept); when it is there,
    # the copy must say exactly what it says.
    if DOC.is_file():
        assert parse(DOC.read_text("utf-8")) == copy
