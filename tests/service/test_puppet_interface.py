"""docs/puppet-interface.md is complete and true: checked against the installed interfaces.

* The RPC table names exactly the RPCs of the ``wechaty.Puppet`` service (from the ``.proto`` of
  npm wechaty-grpc); each "no" RPC answers UNIMPLEMENTED through a real server.
* The method table names exactly the methods of TypeScript ``wechaty-puppet`` 1.x (its mixins'
  ``.d.ts``, installed with the SDK) and of python-wechaty-puppet (asked in its own venv), less the
  plumbing the doc lists; each "no" method raises NotSupportedError on PuppetWeb.
* Every PuppetWeb name in either table is a method of PuppetWeb.
"""

from __future__ import annotations

import inspect
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import message_factory
from grpclib.client import Channel
from grpclib.const import Cardinality, Status
from grpclib.exceptions import GRPCError

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.errors import NotSupportedError
from wechaty_puppet_web.service.server import PuppetService
from wechaty_puppet_web.service.stubs import puppet_pb2

from .conftest import ROOT, SDK_NODE, SDK_PYTHON

DOC = ROOT / "docs" / "puppet-interface.md"
TS_MIXINS = SDK_NODE / "node_modules" / "wechaty-puppet" / "dist" / "esm" / "src" / "mixins"
TS_MIXIN_FILES = ("contact", "friendship", "message", "room", "room-member", "room-invitation",
                  "tag", "post", "login", "misc", "cache")  # fmt: skip
TS_PLUMBING = {"emit", "eventNames", "getMaxListeners", "setMaxListeners", "logonoff", "onDirty",
               "name", "version", "toString", "setMemory", "wechatyVersionRange", "login",
               "sayablePayload"}  # fmt: skip
TS_INTERNAL = re.compile(r"(RawPayload|RawPayloadParser|PayloadCache|QueryFilterFactory|Validate)$")
PY_PLUMBING = {"on", "listener_count"}


def _rows(section: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8").split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # without the header


def _name(cell: str) -> str | None:
    return None if cell == "—" else cell.strip("`")


RPC_ROWS = _rows("The Puppet service")
METHOD_ROWS = _rows("Wechaty's Puppet methods")


def _placeholder_args(method: Any) -> list[Any]:
    params = list(inspect.signature(method).parameters.values())
    return ["x" for p in params if p.default is inspect.Parameter.empty]


def test_the_rpc_table_lists_every_rpc_of_the_service() -> None:
    service = puppet_pb2.DESCRIPTOR.services_by_name["Puppet"]
    listed = [_name(row[0]) for row in RPC_ROWS]
    assert sorted(n for n in listed if n) == sorted(m.name for m in service.methods)
    assert len(listed) == len(set(listed))


def test_every_puppetweb_name_in_the_doc_is_a_puppetweb_method() -> None:
    for row in [r[:2] for r in RPC_ROWS] + [r[1:3] for r in METHOD_ROWS]:
        name = _name(row[-1])
        if name is not None:
            assert callable(getattr(PuppetWeb, name, None)), f"PuppetWeb has no {name}"


def test_the_method_table_lists_every_typescript_puppet_method() -> None:
    assert TS_MIXINS.is_dir(), "the TypeScript SDK is installed by `make sdks`"
    found: set[str] = set()
    for stem in TS_MIXIN_FILES:
        text = (TS_MIXINS / f"{stem}-mixin.d.ts").read_text(encoding="utf-8")
        found |= set(re.findall(r"^\s+(?:abstract\s+)?([a-z][A-Za-z]+)\(", text, re.M))
    interface = {n for n in found - TS_PLUMBING if not TS_INTERNAL.search(n)}
    listed = {_name(row[0]) for row in METHOD_ROWS} - {None}
    assert listed == interface


def test_the_method_table_lists_every_python_wechaty_puppet_method() -> None:
    script = (
        "import wechaty_puppet.schemas.puppet as s\n"
        "s.PuppetOptions.__hash__ = object.__hash__\n"
        "from wechaty_puppet import Puppet\n"
        "print(' '.join(n for n, f in vars(Puppet).items()"
        " if callable(f) and not n.startswith('_')))\n"
    )
    out = subprocess.run(
        [str(SDK_PYTHON), "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    interface = set(out.split()) - PY_PLUMBING
    listed = {_name(row[1]) for row in METHOD_ROWS} - {None}
    assert listed == interface


async def test_unsupported_methods_raise_not_supported() -> None:
    puppet = PuppetWeb(PuppetWebOptions(session_file=None))
    checked = 0
    for row in METHOD_ROWS:
        name, support = _name(row[2]), row[3]
        if name is None or not support.startswith("no"):
            continue
        method = getattr(puppet, name)
        with pytest.raises(NotSupportedError) as err:
            await method(*_placeholder_args(method))
        assert name in str(err.value)
        checked += 1
    assert checked >= 25


@pytest.fixture
async def service() -> AsyncIterator[PuppetService]:
    svc = PuppetService(PuppetWeb(PuppetWebOptions(session_file=None)), token="insecure_t")
    await svc.start("127.0.0.1", 0)
    try:
        yield svc
    finally:
        await svc.stop()


async def test_unsupported_rpcs_answer_unimplemented(service: PuppetService) -> None:
    methods = {m.name: m for m in puppet_pb2.DESCRIPTOR.services_by_name["Puppet"].methods}
    channel = Channel("127.0.0.1", service.port)
    channel._authority = "insecure_t"
    checked = 0
    try:
        for row in RPC_ROWS:
            name = _name(row[0])
            if name is None or not row[2].startswith("no"):
                continue
            method = methods[name]
            request_type = message_factory.GetMessageClass(method.input_type)
            reply_type = message_factory.GetMessageClass(method.output_type)
            stream: Any
            async with channel.request(
                f"/wechaty.Puppet/{name}", Cardinality.UNARY_UNARY, request_type, reply_type
            ) as stream:
                await stream.send_message(request_type(), end=True)
                with pytest.raises(GRPCError) as err:
                    await stream.recv_message()
            assert err.value.status is Status.UNIMPLEMENTED, (name, err.value)
            checked += 1
    finally:
        channel.close()
    assert checked >= 15


def test_the_doc_is_linked_from_the_readme() -> None:
    assert "docs/puppet-interface.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert isinstance(DOC, Path) and DOC.is_file()
