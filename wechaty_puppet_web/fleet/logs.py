"""Account-tagged logs: every record made while an account's tasks run names the account.

The runner starts each account in a task whose context holds the account's name; asyncio copies
the context into every task started from there (the puppet's event loop, heartbeat, the bot's
handlers), so the puppet's own log lines are tagged without the puppet knowing about fleets.
"""

from __future__ import annotations

import contextvars
import logging

__all__ = ["ACCOUNT", "AccountTagFilter", "install"]

ACCOUNT: contextvars.ContextVar[str] = contextvars.ContextVar("wpw_fleet_account", default="-")
FORMAT = "%(asctime)s %(levelname)s [%(account)s] %(name)s: %(message)s"


class AccountTagFilter(logging.Filter):
    """Adds ``record.account`` (``-`` outside any account)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "account"):
            record.account = ACCOUNT.get()
        return True


def install(handler: logging.Handler | None = None) -> list[logging.Handler]:
    """Tag and format ``handler`` (default: every handler of the root logger, or a new stderr
    one when it has none); the handlers changed."""
    root = logging.getLogger()
    if handler is not None:
        handlers = [handler]
    elif root.handlers:
        handlers = list(root.handlers)
    else:
        handlers = [logging.StreamHandler()]
        root.addHandler(handlers[0])
    for h in handlers:
        h.addFilter(AccountTagFilter())
        h.setFormatter(logging.Formatter(FORMAT))
    return handlers
