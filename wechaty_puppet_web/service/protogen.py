"""Build step: Python gRPC stubs from the ``.proto`` files of npm ``wechaty-grpc``.

Run by the build (the hatchling hook ``sandbox/webclient/build_hook.py``) and by ``make setup``
(``python -m wechaty_puppet_web.service.protogen``): :func:`fetch` takes ``wechaty-grpc`` 1.5.2
from npm with ``npm pack``, pinned by the tarball's sha256, and generates the modules with
grpcio-tools (the version pinned in the ``dev`` extra, which decides the protobuf runtime the
modules need). Nothing of it is committed: the protos and the generated modules land in
``wechaty_puppet_web/service/stubs/`` (git-ignored) and ship inside the sdist and the wheel, so a
wheel built from the sdist needs neither node nor grpcio-tools. A ``SOURCE`` file, written last,
names what they were generated from: a folder without it (or from another tarball) is regenerated.

This module uses the standard library only (grpcio-tools is imported when generating) and no
relative import, because the build hook loads it by path before the package's dependencies exist.

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

import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STUBS = Path(__file__).resolve().parent / "stubs"
NPM_SPEC = "wechaty-grpc@1.5.2"
# of the tarball `npm pack wechaty-grpc@1.5.2` downloads: npm releases are immutable, so another
# file means a broken download or a tampered package
NPM_SHA256 = "44fe2e97f50b99a31a93b4691c90c1b9dbec3dff09944a07fc2b42dcf3843fba"
STAMP = "SOURCE"
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


class FetchError(RuntimeError):
    """npm is missing, or returned something else than the pinned tarball."""


def _stamp() -> str:
    return f"{NPM_SPEC} sha256:{NPM_SHA256}\n"


def is_complete(out: Path = STUBS) -> bool:
    """Whether ``out`` holds modules generated from the pinned tarball (its ``SOURCE`` says so)."""
    try:
        stamp = (out / STAMP).read_text(encoding="utf-8")
    except OSError:
        return False
    return stamp == _stamp() and (out / "puppet_pb2.py").is_file()


def _npm_pack(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            f"building wechaty-puppet-web from a checkout needs npm (it fetches {NPM_SPEC} for "
            "the Puppet Service's gRPC stubs); install node/npm, or build from the sdist"
        )
    cmd = [npm, "pack", "--silent", "--pack-destination", str(workdir), NPM_SPEC]
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise FetchError(f"`npm pack {NPM_SPEC}` failed: {done.stderr.strip()[-400:]}")
    name, version = NPM_SPEC.rsplit("@", 1)
    tarball = workdir / f"{name}-{version}.tgz"
    if hashlib.sha256(tarball.read_bytes()).hexdigest() != NPM_SHA256:
        raise FetchError(f"{tarball.name} from npm does not match its pinned sha256")
    return tarball


def fetch(out: Path = STUBS) -> bool:
    """Generate the stubs in ``out`` from the pinned npm tarball unless they are already there.

    Returns True when they were generated.

    Raises:
        FetchError: npm is missing or failed, or the tarball does not match its pin.
    """
    if is_complete(out):
        return False
    (out / STAMP).unlink(missing_ok=True)  # a failed run below leaves no stamp behind
    with tempfile.TemporaryDirectory(prefix="wpw-protos-") as tmp:
        tarball = _npm_pack(Path(tmp))
        with tarfile.open(tarball, "r:gz") as tar:
            tar.extractall(tmp, filter="data")
        generate(Path(tmp) / "package", out)
    (out / STAMP).write_text(_stamp(), encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    """``python -m wechaty_puppet_web.service.protogen [NPM_WECHATY_GRPC_DIR]``.

    Without an argument, fetch the pinned tarball from npm (a no-op when the stubs are current);
    with one, generate from an unpacked wechaty-grpc package.
    """
    if len(argv) > 1:
        print("usage: python -m wechaty_puppet_web.service.protogen [NPM_WECHATY_GRPC_DIR]")
        return 2
    if argv:
        written = generate(Path(argv[0]))
        print(f"generated gRPC stubs from {len(written)} protos into {STUBS}")
        return 0
    try:
        fetched = fetch()
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    state = f"generated from npm {NPM_SPEC}" if fetched else "already current"
    print(f"gRPC stubs {state} in {STUBS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
