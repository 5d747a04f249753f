"""Fixtures of the sandbox protocol tests: one short-hold server, a fresh world per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import logged_in


@pytest.fixture(scope="session")
async def box_server() -> AsyncIterator[Sandbox]:
    # Short long-poll holds: the protocol tests wait on 408s and empty synccheck answers.
    async with Sandbox(login_hold=0.2, synccheck_hold=0.2) as sb:
        yield sb


@pytest.fixture
async def box(box_server: Sandbox) -> Sandbox:
    box_server.reset()
    return box_server


@pytest.fixture
async def client(box: Sandbox) -> AsyncIterator[BareClient]:
    c = BareClient(box)
    try:
        yield c
    finally:
        await c.close()


@pytest.fixture
async def bot(box: Sandbox, client: BareClient) -> BareClient:
    """A logged-in, initialised bare client with the start-up traffic drained."""
    return await logged_in(box, client)
