# ruff: noqa: RUF002 - verbatim Chinese strings use full-width punctuation
"""Send rate limits of the realistic profile: ``Ret 1205`` ("频率拦截") above a threshold.

Nothing official is known; reports say a burst of 30-40 images trips 1205 and that the phone
then shows "发送消息过于频繁，可稍后再试。". The realistic profile refuses the bot's sends once
more than ``max_sends`` were accepted in the last ``window`` seconds, per account; the default
(unthrottled) profile has no limit, so benchmarks measure the client, not the twin.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

PROFILES = ("unthrottled", "realistic")


@dataclass(slots=True, kw_only=True)
class SendLimit:
    """A sliding window of accepted sends."""

    max_sends: int = 30
    window: float = 60.0
    _times: deque[float] = field(default_factory=deque)

    def allow(self, now: float | None = None) -> bool:
        """Whether one more send is accepted now (and count it if so)."""
        t = time.monotonic() if now is None else now
        while self._times and t - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) >= self.max_sends:
            return False
        self._times.append(t)
        return True


def limit_for(profile: str) -> SendLimit | None:
    """The send limit of a profile (``None``: unthrottled).

    Raises:
        ValueError: an unknown profile name.
    """
    if profile == "unthrottled":
        return None
    if profile == "realistic":
        return SendLimit()
    raise ValueError(f"unknown sandbox profile {profile!r} (one of {', '.join(PROFILES)})")
