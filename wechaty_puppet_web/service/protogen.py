"""Build step: Python gRPC stubs from the ``.proto`` files of npm ``wechaty-grpc``.

Run by ``make setup`` (``python -m wechaty_puppet_web.service.protogen NPM_PACKAGE_DIR``) after npm
installed ``wechaty-grpc`` (1.5.2). Nothing of it is committed: the protos and the generated
modules land in ``wechaty_puppet_web/service/stubs/`` (git-ignored) and ship inside the wheel.

Two rewrites, both wire-neutral, happen on the way:

* ``puppet.proto`` carries HTTP-gateway and OpenAPI annotations whose own ``.proto`` files the npm
  package does not ship (``google/api/annotations.proto``, ``protoc-gen-openapiv2/...``). Those
  ``option (...) = {...};`` blocks and their imports are dropped: options never change the bytes on
  the wire, nor the service's method paths (``/wechaty.Puppet/<Method>``).
* The files are flattened into one Python package (``wechaty/puppet/base.proto`` becomes
  ``stubs/puppet_base.proto``), so the generated modules import each other as
  ``wechaty_puppet_web.service.stubs.*`` and never as a top-level ``wechaty`` package, which would
  shadow python-wechaty's. Proto package names (``wechaty``, ``wechaty.puppet``) are unchanged.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

STUBS = Path(__file__).resolve().parent / "stubs"
PACKAGE_PATH = "wechaty_puppet_web/service/stubs"  # the import path protoc sees
_DROPPED_IMPORTS = ("google/api/", "protoc-gen-openapiv2/")
_IMPORT = re.compile(r'^import\s+"([^"]+)"\s*;\s*$', re.M)


def flat_name(proto_path: str) -> str:
    """``wechaty/puppet/room-member.proto`` -> ``puppet_room-member.proto``."""
    parts = proto_path.split("/")
    if parts[0] != "wechaty":
        raise ValueError(f"not a wechaty proto: {proto_path}")
    return "_".join(parts[1:])


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _skip_comment(text: str, i: int) -> int | None:
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        return text.index("*/", i) + 2
    return None


def strip_custom_options(text: str) -> str:
    """Remove every ``option (name) = <value>;`` (custom options) from a proto source."""
    out: list[str] = []
    i = 0
    while i < len(text):
        skipped = _skip_comment(text, i)
        if skipped is not None:
            out.append(text[i:skipped])
            i = skipped
            continue
        if text[i] in "\"'":
            end = _skip_string(text, i)
            out.append(text[i:end])
            i = end
            continue
        match = re.compile(r"option\s*\(").match(text, i)
        if match and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            i = _end_of_option(text, match.end())
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _end_of_option(text: str, i: int) -> int:
    """Index just past the ``;`` that ends the option whose value starts after ``i``."""
    depth = 0
    while i < len(text):
        skipped = _skip_comment(text, i)
        if skipped is not None:
            i = skipped
            continue
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == ";" and depth == 0:
            return i + 1
        i += 1
    raise ValueError("unterminated option")


def rewrite(text: str) -> str:
    """One proto file, ready for the flat layout (see the module docstring)."""
    text = strip_custom_options(text)

    def fix_import(match: re.Match[str]) -> str:
        path = match.group(1)
        if path.startswith(_DROPPED_IMPORTS):
            return ""
        if path.startswith("wechaty/"):
            return f'import "{PACKAGE_PATH}/{flat_name(path)}";'
        return match.group(0)

    return _IMPORT.sub(fix_import, text)


def find_proto_root(package_dir: Path) -> Path:
    """The folder holding ``wechaty/puppet.proto`` inside the npm package."""
    for candidate in sorted(package_dir.glob("**/wechaty/puppet.proto")):
        return candidate.parent.parent
    raise FileNotFoundError(f"no wechaty/puppet.proto under {package_dir}")


def generate(package_dir: Path, out: Path = STUBS) -> list[Path]:
    """Rewrite the protos of ``package_dir`` (npm wechaty-grpc) into ``out`` and run protoc."""
    from grpc_tools import protoc  # build-time only (grpcio-tools)

    root = find_proto_root(package_dir)
    work = out.parent.parent.parent  # protoc's include root: the folder holding the package
    written = []
    for proto in sorted(root.glob("wechaty/**/*.proto")):
        rel = proto.relative_to(root).as_posix()
        target = out / flat_name(rel)
        target.write_text(rewrite(proto.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(target)
    licence = package_dir / "LICENSE"
    if licence.is_file():
        shutil.copyfile(licence, out / "LICENSE.wechaty-grpc")
    well_known = Path(protoc.__file__).resolve().parent / "_proto"
    args = [
        "protoc",
        f"-I{work}",
        f"-I{well_known}",
        f"--python_out={work}",
        f"--pyi_out={work}",
        *(f"{PACKAGE_PATH}/{p.name}" for p in written),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on the wechaty-grpc protos")
    return written


def main(argv: list[str]) -> int:
    """``python -m wechaty_puppet_web.service.protogen NPM_WECHATY_GRPC_DIR``."""
    if len(argv) != 1:
        print("usage: python -m wechaty_puppet_web.service.protogen NPM_WECHATY_GRPC_DIR")
        return 2
    written = generate(Path(argv[0]))
    print(f"generated gRPC stubs from {len(written)} protos into {STUBS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
