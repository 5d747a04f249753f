"""Declared lower bounds = what `make test-min` installs; the generated stubs agree with them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUB = ROOT / "wechaty_puppet_web" / "service" / "stubs" / "puppet_pb2.py"


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()


def _lower_bound(requirement: str) -> str:
    found = re.search(r">=\s*([0-9][0-9a-z.]*)", requirement)
    assert found, f"{requirement!r} has no lower bound"
    return found.group(1)


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {"": data["dependencies"], **data["optional-dependencies"]}


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "tests" / "constraints-min.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_every_dependency_has_its_lower_bound_in_the_constraints_file() -> None:
    pins = _constraints()
    for requirement in _project()[""] + _project()["testing"]:
        name = _name(requirement)
        assert pins.get(name) == _lower_bound(requirement), (name, requirement, pins.get(name))
    declared = {_name(r) for r in _project()[""] + _project()["testing"]}
    assert set(pins) == declared, set(pins) ^ declared


def test_the_generated_stubs_accept_the_lowest_protobuf_allowed() -> None:
    found = re.search(
        r"ValidateProtobufRuntimeVersion\(\s*\S+,\s*(\d+),\s*(\d+),\s*(\d+),", STUB.read_text()
    )
    assert found, "make setup generates the stubs"
    gencode = tuple(int(n) for n in found.groups())
    (protobuf,) = [r for r in _project()[""] if _name(r) == "protobuf"]
    lowest = tuple(int(n) for n in _lower_bound(protobuf).split("."))
    # protobuf refuses a runtime older than the generator, or of another major version
    assert lowest >= gencode and f"<{gencode[0] + 1}" in protobuf.replace(" ", ""), protobuf


def test_no_yanked_qrcode_and_an_aiohttp_with_request_keys() -> None:
    deps = {_name(r): _lower_bound(r) for r in _project()[""]}
    assert deps["qrcode"] == "7.4.2"  # 7.4 was yanked
    from aiohttp import web

    assert hasattr(web, "RequestKey")  # the sandbox's typed request storage (aiohttp 3.14)
    assert deps["aiohttp"] == "3.14.0"
