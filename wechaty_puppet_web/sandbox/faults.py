"""Injectable faults for reliability tests: delays, HTTP errors, dropped connections, error codes.

``sb.faults.add("webwxsync", status=500, rate=0.1)`` makes 10 % of webwxsync calls answer 500.
Decisions use a seeded RNG, so a failing run can be replayed with the same seed.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field


@dataclass(slots=True, kw_only=True)
class Fault:
    """One rule. Exactly what it does depends on the fields set.

    - ``delay``: seconds to wait before answering (slow network, slow upload);
    - ``status``: answer with this HTTP status and an empty body;
    - ``drop``: abort the connection without an answer (the client sees a disconnect);
    - ``retcode``: synccheck answers ``window.synccheck={retcode:"<n>",selector:"0"}``;
    - ``ret``: JSON endpoints answer ``BaseResponse.Ret = ret``;
    - ``drop_reply``: do the request (a send is sent), then abort the connection unanswered.
    """

    endpoint: str
    rate: float = 1.0
    count: int | None = None
    delay: float = 0.0
    status: int | None = None
    drop: bool = False
    retcode: int | None = None
    ret: int | None = None
    drop_reply: bool = False
    fired: int = 0
    # Set at every firing, so a test awaits the n-th one instead of polling ``fired``.
    _fire: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    @property
    def spent(self) -> bool:
        """True once ``count`` firings happened."""
        return self.count is not None and self.fired >= self.count

    def note_fired(self) -> None:
        """Count one firing and wake :meth:`wait_fired`."""
        self.fired += 1
        self._fire.set()

    async def wait_fired(self, n: int, timeout: float) -> None:
        """Return once the rule fired ``n`` times in all.

        Raises:
            TimeoutError: fewer than ``n`` firings within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while self.fired < n:
                self._fire.clear()
                await self._fire.wait()


class Faults:
    """The fault rules of a sandbox (matched by endpoint name, e.g. ``webwxsync``, ``login``)."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[Fault] = []
        self._rng = random.Random(seed)

    def seed(self, seed: int) -> None:
        """Reset the RNG."""
        self._rng = random.Random(seed)

    def add(
        self,
        endpoint: str,
        *,
        rate: float = 1.0,
        count: int | None = None,
        delay: float = 0.0,
        status: int | None = None,
        drop: bool = False,
        retcode: int | None = None,
        ret: int | None = None,
        drop_reply: bool = False,
    ) -> Fault:
        """Add a rule; ``endpoint`` is the last path segment (``*`` matches every endpoint)."""
        rule = Fault(
            endpoint=endpoint,
            rate=rate,
            count=count,
            delay=delay,
            status=status,
            drop=drop,
            retcode=retcode,
            ret=ret,
            drop_reply=drop_reply,
        )
        self._rules.append(rule)
        return rule

    def remove(self, rule: Fault) -> None:
        """Remove one rule."""
        if rule in self._rules:
            self._rules.remove(rule)

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    @property
    def rules(self) -> list[Fault]:
        """The current rules (a copy)."""
        return list(self._rules)

    def pick(self, endpoint: str) -> Fault | None:
        """The rule that fires for this request, if any (counts it)."""
        for rule in self._rules:
            if rule.endpoint not in (endpoint, "*") or rule.spent:
                continue
            if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                continue
            rule.note_fired()
            return rule
        return None
