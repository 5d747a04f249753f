"""The sandbox page's third-party scripts: which npm files, where they are found, how they come in.

The page loads jQuery 1.12.4 and AngularJS 1.2.32, exactly as published on npm. They are never
copied into the repository: the build (and ``make setup`` in a checkout) fetches them with
``npm pack`` into ``vendor/<package>/`` beside this file, a git-ignored folder that the wheel and
the sdist carry together with each package's licence files. So an installed wheel needs no node,
and a wheel built from the sdist needs no node either.

Lookup order at run time: the packaged ``vendor/`` folder, then a checkout's ``node_modules/``
(an older ``npm install`` there still works). Each script is pinned by its sha256: npm releases
are immutable, so a different file means a broken download or a tampered package.

This module uses the standard library only and no relative import, because the build hook loads
it by path before the package's dependencies exist.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "NODE_MODULES",
    "PACKAGES",
    "VENDOR_DIR",
    "FetchError",
    "VendorPackage",
    "fetch",
    "find_script",
    "is_complete",
]

_HERE = Path(__file__).resolve().parent
VENDOR_DIR = _HERE / "vendor"
NODE_MODULES = _HERE / "node_modules"


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorPackage:
    """One npm package the page loads: the script it uses and the licence files that go with it."""

    name: str
    version: str
    title: str  # what a person calls it, for error messages
    script: str  # path inside the npm package
    sha256: str  # of ``script`` as published
    licences: tuple[str, ...]

    @property
    def spec(self) -> str:
        """The npm spec, e.g. ``angular@1.2.32``."""
        return f"{self.name}@{self.version}"

    @property
    def asset_name(self) -> str:
        """The name cassettes use for the script: ``<spec>/<path>``."""
        return f"{self.spec}/{self.script}"


# Order matters: AngularJS 1.2 uses jQuery when jQuery was loaded before it (as on the real page).
PACKAGES = (
    VendorPackage(
        name="jquery",
        version="1.12.4",
        title="jQuery 1.12.4",
        script="dist/jquery.min.js",
        sha256="668b046d12db350ccba6728890476b3efee53b2f42dbb84743e5e9f1ae0cc404",
        licences=("LICENSE.txt", "external/sizzle/LICENSE.txt"),
    ),
    VendorPackage(
        name="angular",
        version="1.2.32",
        title="AngularJS 1.2.32",
        script="angular.min.js",
        sha256="0215039460580e3737d7db4b114f222aeb445ea830413d192333615409ec7691",
        licences=("LICENSE.md",),
    ),
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _packaged(package: VendorPackage, root: Path) -> Path | None:
    script = root / package.name / package.script
    try:
        return script if _digest(script) == package.sha256 else None
    except OSError:
        return None


def find_script(package: VendorPackage) -> Path | None:
    """The file of ``package``'s script with its pinned sha256: packaged copy, then node_modules."""
    return _packaged(package, VENDOR_DIR) or _packaged(package, NODE_MODULES)


def is_complete(root: Path | None = None) -> bool:
    """Whether ``root`` (default: the packaged folder) holds every pinned script and licence."""
    root = VENDOR_DIR if root is None else root
    return all(
        _packaged(p, root) is not None and all((root / p.name / f).is_file() for f in p.licences)
        for p in PACKAGES
    )


class FetchError(RuntimeError):
    """npm is missing or returned something else than the pinned files."""


def _npm_pack(workdir: Path) -> dict[str, Path]:
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            "building wechaty-puppet-web from a checkout needs npm (it fetches "
            + ", ".join(p.spec for p in PACKAGES)
            + " for the sandbox page); install node/npm, or build from the sdist (it carries them)"
        )
    specs = [p.spec for p in PACKAGES]
    cmd = [npm, "pack", "--silent", "--pack-destination", str(workdir), *specs]
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise FetchError(f"`npm pack {' '.join(specs)}` failed: {done.stderr.strip()[-400:]}")
    return {p.name: workdir / f"{p.name}-{p.version}.tgz" for p in PACKAGES}


def _extract(package: VendorPackage, tarball: Path, dest: Path) -> None:
    wanted = {f"package/{name}": name for name in (package.script, *package.licences)}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            target_name = wanted.pop(member.name, None)
            if target_name is None or not member.isfile():
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            target = dest / package.name / target_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
    if wanted:
        raise FetchError(f"{package.spec} from npm lacks {', '.join(sorted(wanted.values()))}")
    if _packaged(package, dest) is None:
        raise FetchError(f"{package.spec}: {package.script} does not match its pinned sha256")


def fetch(dest: Path | None = None) -> bool:
    """Fill ``dest`` (default: the packaged folder) from npm unless it is already complete.

    Returns True when something was fetched.

    Raises:
        FetchError: npm is missing or failed, or a file does not match its pin.
    """
    dest = VENDOR_DIR if dest is None else dest
    if is_complete(dest):
        return False
    with tempfile.TemporaryDirectory(prefix="wpw-vendor-") as tmp:
        staged = Path(tmp) / "vendor"
        tarballs = _npm_pack(Path(tmp))
        for package in PACKAGES:
            _extract(package, tarballs[package.name], staged)
        # replace the folder in one step so a failed fetch never leaves half a vendor/
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(dest))
    return True


if __name__ == "__main__":
    try:
        fetched = fetch()
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    state = "fetched from npm" if fetched else "already present"
    print(f"sandbox page scripts {state} in {VENDOR_DIR}")
