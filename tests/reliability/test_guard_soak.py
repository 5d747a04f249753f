"""Issue 11 item 9: the soak's code path, short (``make soak`` runs the same for an hour)."""

from __future__ import annotations

import pytest

from bench.soak import soak
from wechaty_puppet_web.sandbox import Sandbox

pytestmark = pytest.mark.browser

SECONDS = 20.0


@pytest.mark.timeout(300)
async def test_a_short_soak_loses_and_duplicates_nothing(sandbox: Sandbox) -> None:
    # Its own Chromium (a kill must be the puppet's to recover from), 10 % faults, 1-2 kills.
    result = await soak(SECONDS, sandbox=sandbox, kill_every=SECONDS / 2)
    summary = "\n".join(result.lines())
    assert result.kills >= 1, summary
    assert result.recovered == result.kills, summary
    assert result.faults_fired > 0 and result.delivered > 50, summary
    assert (result.lost, result.duplicated, result.false_failures) == (0, 0, 0), summary
