"""Fixtures and helpers of the guard reliability tests (junk, 1205, lost replies, small items).

The puppet fixtures are the browser suite's own (one shared Chromium, a fresh sandbox world per
test); importing them here makes them visible to the modules that import this one.
"""

from __future__ import annotations

# pytest finds fixtures by name: importing them is what makes them visible here
from tests.browser.conftest import (
    fixture_bot,
    fixture_make_puppet,
    fixture_sb,
    fixture_session_path,
)
from tests.browser.test_puppet_support import MakePuppet, T, record, start_ready

__all__ = [
    "MakePuppet",
    "T",
    "fixture_bot",
    "fixture_make_puppet",
    "fixture_sb",
    "fixture_session_path",
    "record",
    "start_ready",
]
