"""The Puppet Service's server without a browser: token checks (authority and metadata), TLS with
the user's certificate, UNIMPLEMENTED for what the puppet cannot do, and the method table."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.errors import ServiceError
from wechaty_puppet_web.service.server import PuppetService, TlsFiles, authorised
from wechaty_puppet_web.service.stubs import puppet_base_pb2 as base
from wechaty_puppet_web.service.stubs import puppet_contact_pb2 as contact
from wechaty_puppet_web.service.stubs import puppet_pb2

TOKEN = "insecure_unit-token"


async def _call(channel: Channel, method: str, request: object, reply: type) -> object:
    from grpclib.const import Cardinality

    stream: Any
    async with channel.request(
        f"/wechaty.Puppet/{method}", Cardinality.UNARY_UNARY, type(request), reply
    ) as stream:
        await stream.send_message(request, end=True)
        return await stream.recv_message()


@pytest.fixture
async def service() -> AsyncIterator[PuppetService]:
    svc = PuppetService(PuppetWeb(PuppetWebOptions(session_file=None)), token=TOKEN)
    await svc.start("127.0.0.1", 0)
    try:
        yield svc
    finally:
        await svc.stop()


def _channel(port: int, authority: str | None, **kw: object) -> Channel:
    channel = Channel("127.0.0.1", port, **kw)  # type: ignore[arg-type]
    if authority is not None:
        channel._authority = authority  # what python-wechaty does with its token
    return channel


async def test_the_token_as_authority_is_accepted(service: PuppetService) -> None:
    channel = _channel(service.port, TOKEN)
    try:
        reply = await _call(channel, "Version", base.VersionRequest(), base.VersionResponse)
        assert isinstance(reply, base.VersionResponse) and reply.version
    finally:
        channel.close()


async def test_a_wrong_or_missing_token_is_unauthenticated(service: PuppetService) -> None:
    for authority in ("insecure_wrong", None):
        channel = _channel(service.port, authority)
        try:
            with pytest.raises(GRPCError) as err:
                await _call(channel, "Version", base.VersionRequest(), base.VersionResponse)
            assert err.value.status is Status.UNAUTHENTICATED
        finally:
            channel.close()


async def test_the_token_as_metadata_over_tls(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("wechaty-web.test", "127.0.0.1")
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    tls = TlsFiles(cert=tmp_path / "cert.pem", key=tmp_path / "key.pem")
    svc = PuppetService(PuppetWeb(PuppetWebOptions(session_file=None)), token=TOKEN)
    await svc.start("127.0.0.1", 0, tls)
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    ctx.set_alpn_protocols(["h2"])
    channel = Channel("127.0.0.1", svc.port, ssl=ctx)
    channel._authority = "wechaty-web.test"  # TLS checks the name; the token rides in metadata
    try:
        from grpclib.const import Cardinality

        async with channel.request(
            "/wechaty.Puppet/Version",
            Cardinality.UNARY_UNARY,
            base.VersionRequest,
            base.VersionResponse,
            metadata={"authorization": f"Wechaty {TOKEN}"},
        ) as stream:
            await stream.send_message(base.VersionRequest(), end=True)
            assert (await stream.recv_message()) is not None
        with pytest.raises(GRPCError) as err:  # same TLS, no token
            await _call(channel, "Version", base.VersionRequest(), base.VersionResponse)
        assert err.value.status is Status.UNAUTHENTICATED
    finally:
        channel.close()
        await svc.stop()


async def test_unsupported_calls_are_unimplemented_with_the_reason(service: PuppetService) -> None:
    channel = _channel(service.port, TOKEN)
    try:
        with pytest.raises(GRPCError) as err:
            await _call(
                channel, "ContactSelfQRCode", contact.ContactSelfQRCodeRequest(),
                contact.ContactSelfQRCodeResponse,
            )  # fmt: skip
        assert err.value.status is Status.UNIMPLEMENTED
        assert "contact_self_qr_code" in str(err.value.message)
        with pytest.raises(GRPCError) as err:  # a real call before login
            await _call(
                channel, "ContactList", contact.ContactListRequest(), contact.ContactListResponse
            )
        assert err.value.status is Status.FAILED_PRECONDITION
    finally:
        channel.close()


def test_every_rpc_of_the_service_has_a_handler(service: PuppetService) -> None:
    names = [m.name for m in puppet_pb2.DESCRIPTOR.services_by_name["Puppet"].methods]
    assert len(names) >= 60
    missing = [n for n in names if not hasattr(service.handlers, n)]
    assert missing == []


def test_authorised_reads_authority_and_authorization() -> None:
    assert authorised([(":authority", TOKEN)], TOKEN)
    assert authorised([(":authority", f"{TOKEN}:8788")], TOKEN)
    assert authorised([("authorization", f"Wechaty {TOKEN}")], TOKEN)
    assert not authorised([(":authority", "127.0.0.1:8788")], TOKEN)
    assert not authorised([("authorization", f"Wechaty {TOKEN}x")], TOKEN)
    assert not authorised([], TOKEN)


def test_a_service_needs_a_token_and_usable_tls_files(tmp_path: Path) -> None:
    with pytest.raises(ServiceError):
        PuppetService(PuppetWeb(PuppetWebOptions(session_file=None)), token="")
    (tmp_path / "c.pem").write_text("not a certificate")
    with pytest.raises(ServiceError):
        TlsFiles(cert=tmp_path / "c.pem", key=tmp_path / "c.pem").context()
