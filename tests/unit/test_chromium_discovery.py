"""Where the launcher looks for Chromium, and in which order (fake file systems, no browser).

Each test builds every candidate under a temporary root, then removes them one by one from the
front: each time the next one in the documented order must win.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wechaty_puppet_web.browser.launcher import find_chromium
from wechaty_puppet_web.errors import LaunchError


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture(name="fake")
def fixture_fake(tmp_path: Path) -> dict[str, Path]:
    """A machine with a Chromium in every known place (home, system root, Windows folders)."""
    return {name: tmp_path / name for name in ("root", "home", "pw", "programs", "local", "bin")}


def all_candidates(fake: dict[str, Path]) -> list[Path]:
    """One of each kind, in the order find_chromium must prefer them."""
    root, home = fake["root"], fake["home"]
    return [
        executable(fake["bin"] / "wpw-chromium"),  # $WPW_CHROMIUM
        executable(root / "usr/bin/chromium"),
        executable(root / "usr/bin/chromium-browser"),
        executable(root / "snap/bin/chromium"),
        executable(root / "usr/bin/google-chrome"),
        # $PLAYWRIGHT_BROWSERS_PATH: the newest revision first, whatever the build's layout
        executable(fake["pw"] / "chromium-1200/chrome-linux64/chrome"),
        executable(fake["pw"] / "chromium-1091/chrome-linux/chrome"),
        executable(home / ".cache/ms-playwright/chromium-1000/chrome-linux/chrome"),
        executable(
            home / "Library/Caches/ms-playwright/chromium-999/chrome-mac/Chromium.app/"
            "Contents/MacOS/Chromium"
        ),
        executable(fake["local"] / "ms-playwright/chromium-998/chrome-win/chrome.exe"),
        executable(root / "Applications/Chromium.app/Contents/MacOS/Chromium"),
        executable(root / "Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
        executable(home / "Applications/Chromium.app/Contents/MacOS/Chromium"),
        executable(fake["programs"] / "Chromium/Application/chrome.exe"),
        executable(fake["programs"] / "Google/Chrome/Application/chrome.exe"),
        executable(fake["local"] / "Google/Chrome/Application/chrome.exe"),
        executable(fake["bin"] / "chromium"),  # on PATH
        executable(fake["bin"] / "google-chrome"),
    ]


def env_of(fake: dict[str, Path], with_wpw: bool) -> dict[str, str]:
    env = {
        "PLAYWRIGHT_BROWSERS_PATH": str(fake["pw"]),
        "PROGRAMFILES": str(fake["programs"]),
        "LOCALAPPDATA": str(fake["local"]),
        "PATH": str(fake["bin"]),
    }
    if with_wpw:
        env["WPW_CHROMIUM"] = str(fake["bin"] / "wpw-chromium")
    return env


def test_discovery_order(fake: dict[str, Path]) -> None:
    candidates = all_candidates(fake)
    for index, expected in enumerate(candidates):
        env = env_of(fake, with_wpw=index == 0)
        found = find_chromium(env=env, home=fake["home"], root=fake["root"])
        assert found == str(expected), f"step {index}"
        if index > 0:
            expected.unlink()  # next time, the one after it must be found
    with pytest.raises(LaunchError, match="no Chromium found"):
        find_chromium(env=env_of(fake, False), home=fake["home"], root=fake["root"])


def test_the_explicit_path_wins_and_must_be_executable(fake: dict[str, Path]) -> None:
    all_candidates(fake)
    mine = executable(fake["home"] / "my-chrome")
    env = env_of(fake, with_wpw=True)
    assert find_chromium(mine, env=env, home=fake["home"], root=fake["root"]) == str(mine)
    mine.chmod(0o644)
    with pytest.raises(LaunchError, match="is not an executable file"):
        find_chromium(mine, env=env, home=fake["home"], root=fake["root"])


def test_a_broken_wpw_chromium_is_an_error_not_skipped(fake: dict[str, Path]) -> None:
    all_candidates(fake)
    env = env_of(fake, with_wpw=False) | {"WPW_CHROMIUM": str(fake["bin"] / "gone")}
    with pytest.raises(LaunchError, match=r"\$WPW_CHROMIUM .* is not an executable file"):
        find_chromium(env=env, home=fake["home"], root=fake["root"])


def test_a_non_executable_candidate_is_passed_over(fake: dict[str, Path]) -> None:
    first = executable(fake["root"] / "usr/bin/chromium")
    second = executable(fake["root"] / "snap/bin/chromium")
    first.chmod(0o644)
    found = find_chromium(env={"PATH": ""}, home=fake["home"], root=fake["root"])
    assert found == str(second)


def test_playwright_browsers_path_zero_means_none(fake: dict[str, Path]) -> None:
    # PLAYWRIGHT_BROWSERS_PATH=0 is Playwright's "inside the package" setting, not a folder
    executable(fake["root"] / "usr/bin/chromium")
    env = {"PLAYWRIGHT_BROWSERS_PATH": "0", "PATH": ""}
    found = find_chromium(env=env, home=fake["home"], root=fake["root"])
    assert found == str(fake["root"] / "usr/bin/chromium")
