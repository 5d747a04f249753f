"""Chromium's flags: one --disable-features / --enable-features switch carrying every list."""

from __future__ import annotations

from wechaty_puppet_web.browser.launcher import (
    DISABLED_FEATURES,
    ENABLED_FEATURES,
    MEMORY_ARGS,
    PLAYWRIGHT_DISABLED_FEATURES,
    chromium_args,
)


def switch(args: list[str], prefix: str) -> list[str]:
    found = [a for a in args if a.startswith(prefix)]
    assert len(found) == 1, found  # Chromium reads only the last one: there must be one
    return found[0].removeprefix(prefix).split(",")


def test_feature_lists_are_merged_into_one_switch_each() -> None:
    extra = ["--disable-features=Mine,PaintHolding", "--enable-features=Other", "--lang=zh-CN"]
    args = chromium_args(extra)
    disabled = switch(args, "--disable-features=")
    assert disabled[: len(PLAYWRIGHT_DISABLED_FEATURES)] == list(PLAYWRIGHT_DISABLED_FEATURES)
    assert set(DISABLED_FEATURES) <= set(disabled) and "Mine" in disabled
    assert len(disabled) == len(set(disabled))  # PaintHolding once
    enabled = switch(args, "--enable-features=")
    assert set(ENABLED_FEATURES) <= set(enabled) and "Other" in enabled
    assert "--lang=zh-CN" in args and set(MEMORY_ARGS) <= set(args)


def test_the_base_flags_stay() -> None:
    args = chromium_args()
    assert "--disable-background-networking" in args and "--no-first-run" in args
    assert "--no-zygote" in args  # Playwright always adds --no-sandbox, which it needs


def test_one_process_only_for_a_browser_of_one_account() -> None:
    assert "--single-process" in chromium_args(one_account=True)
    assert "--single-process" not in chromium_args()  # shared browsers keep a process per page
