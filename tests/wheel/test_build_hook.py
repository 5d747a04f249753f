"""The build hook asks for grpcio-tools (the dev extra's pin) only while the gRPC stubs are missing.

Run through hatchling's own entry (``get_requires_for_build_wheel`` reads ``config.dependencies``)
on a copy of the project's build files, with and without generated stubs. Here, not in unit/: the
lowest-versions run of the unit tests has no hatchling (it is a build tool, in the dev extra).
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

from wechaty_puppet_web.service import protogen

ROOT = Path(__file__).resolve().parents[2]
FILES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "wechaty_puppet_web/sandbox/webclient/build_hook.py",
    "wechaty_puppet_web/sandbox/webclient/vendor.py",
    "wechaty_puppet_web/service/protogen.py",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    (tmp_path / "wechaty_puppet_web/service/stubs").mkdir()
    return tmp_path


def build_requires(root: Path) -> list[str]:
    return list(WheelBuilder(str(root)).config.dependencies)


def dev_pin() -> str:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    [pin] = [r for r in dev["dev"] if r.startswith("grpcio-tools==")]
    return str(pin)


def test_grpcio_tools_is_a_build_requirement_only_while_stubs_are_missing(project: Path) -> None:
    stubs = project / "wechaty_puppet_web/service/stubs"
    assert not protogen.is_complete(stubs)
    assert dev_pin() in build_requires(project)

    (stubs / "puppet_pb2.py").write_text("")
    (stubs / protogen.STAMP).write_text("wechaty-grpc@1.5.1 sha256:0\n")  # another tarball
    assert not protogen.is_complete(stubs)
    assert dev_pin() in build_requires(project)

    (stubs / protogen.STAMP).write_text(f"{protogen.NPM_SPEC} sha256:{protogen.NPM_SHA256}\n")
    assert protogen.is_complete(stubs)
    assert not any(r.startswith("grpcio-tools") for r in build_requires(project))
