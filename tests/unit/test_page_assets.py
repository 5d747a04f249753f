"""The sandbox page's npm scripts: where they are looked up, pinned, and what a missing one does."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from wechaty_puppet_web import SandboxAssetError
from wechaty_puppet_web.cli import main
from wechaty_puppet_web.errors import CassetteError
from wechaty_puppet_web.recording import cassette as cassette_mod
from wechaty_puppet_web.recording.cassette import load
from wechaty_puppet_web.sandbox import Sandbox, webclient
from wechaty_puppet_web.sandbox.webclient import vendor

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cassettes"
REAL_VENDOR = vendor.VENDOR_DIR  # before a test points it elsewhere


@pytest.fixture
def no_assets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An installation whose packaged folder and node_modules are both empty."""
    monkeypatch.setattr(vendor, "VENDOR_DIR", tmp_path / "vendor")
    monkeypatch.setattr(vendor, "NODE_MODULES", tmp_path / "node_modules")
    webclient._bundles.cache_clear()
    yield tmp_path
    webclient._bundles.cache_clear()


def _copy_scripts(dest: Path) -> None:
    for package in vendor.PACKAGES:
        target = dest / package.name / package.script
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REAL_VENDOR / package.name / package.script, target)


def test_this_checkout_has_every_pinned_script_and_licence() -> None:
    assert vendor.is_complete()
    for package in vendor.PACKAGES:
        script = vendor.find_script(package)
        assert script is not None and script.is_relative_to(vendor.VENDOR_DIR)
        assert hashlib.sha256(script.read_bytes()).hexdigest() == package.sha256


def test_the_packaged_folder_comes_first_then_node_modules(no_assets: Path) -> None:
    angular = next(p for p in vendor.PACKAGES if p.name == "angular")
    _copy_scripts(no_assets / "node_modules")
    assert vendor.find_script(angular) == no_assets / "node_modules" / "angular" / angular.script
    _copy_scripts(no_assets / "vendor")
    assert vendor.find_script(angular) == no_assets / "vendor" / "angular" / angular.script
    assert not vendor.is_complete(no_assets / "vendor")  # the licence files are not there


def test_a_file_that_is_not_the_pinned_release_is_not_used(no_assets: Path) -> None:
    _copy_scripts(no_assets / "vendor")
    jquery = vendor.PACKAGES[0]
    (no_assets / "vendor" / jquery.name / jquery.script).write_text("/* not jQuery */")
    assert vendor.find_script(jquery) is None
    with pytest.raises(SandboxAssetError, match=r"jQuery 1\.12\.4 \(npm jquery@1\.12\.4\)"):
        webclient.check_assets()


def test_a_missing_script_is_one_typed_error_naming_the_fix(no_assets: Path) -> None:
    with pytest.raises(SandboxAssetError, match="make setup") as caught:
        webclient.render_index(is_login=False, lang="zh_CN", query={})
    assert "wheel or sdist" in str(caught.value)


async def test_the_sandbox_refuses_to_start_without_its_page(no_assets: Path) -> None:
    sandbox = Sandbox()
    with pytest.raises(SandboxAssetError):
        await sandbox.start()
    assert sandbox._runner is None  # it never listened


def test_the_sandbox_command_says_one_line_and_never_listening(
    no_assets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--port", "0"]) == 1
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("wechaty-web sandbox: error: the sandbox page needs"), out
    assert "listening" not in out.out and "Traceback" not in out.out + out.err


def test_fetch_without_npm_names_npm_and_the_sdist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(vendor.FetchError, match=r"needs npm.*sdist"):
        vendor.fetch(tmp_path / "vendor")
    assert not (tmp_path / "vendor").exists()


def test_a_complete_folder_is_not_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "vendor"
    shutil.copytree(vendor.VENDOR_DIR, dest)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm: a fetch would fail
    assert vendor.fetch(dest) is False


def test_cassettes_name_the_bundle_parts_and_replay_from_the_installed_package() -> None:
    path, body, parts = cassette_mod._current_vendor()
    assert path.startswith(webclient.RES_PATH) and set(parts) == {
        "jquery@1.12.4/dist/jquery.min.js",
        "angular@1.2.32/angular.min.js",
        "xml2json.js",
    }
    recorded = load(FIXTURES / "login.jsonl")
    served = [r for r in recorded.http if r.response.asset == cassette_mod.VENDOR_ASSET]
    assert served and all(r.response.body == body for r in served)  # wx and wx2 both load it
    # every fixture names the scripts it was recorded with: npm name + sha256 of each part
    for fixture in FIXTURES.glob("*.jsonl"):
        refs = [
            record["response"]["body"]
            for record in map(json.loads, fixture.read_text("utf-8").splitlines()[1:])
            if record["kind"] == "http" and "asset" in record["response"]["body"]
        ]
        assert refs and all(ref["parts"] == parts for ref in refs), fixture.name
    # a fixture's .bodies/ holds the page's own app bundle, never a third-party script
    for blob in (FIXTURES / "login.bodies").iterdir():
        assert (
            b"AngularJS v1.2" not in blob.read_bytes() and b"jQuery v1.12" not in blob.read_bytes()
        )


def test_a_cassette_on_a_machine_without_the_scripts_fails_clearly(no_assets: Path) -> None:
    with pytest.raises(CassetteError, match=r"cannot serve the page's scripts.*make setup"):
        load(FIXTURES / "login.jsonl")


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == "wechaty-web 0.1.0"
