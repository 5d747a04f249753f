"""The gRPC server of the Puppet Service (grpclib over asyncio, in the puppet's event loop).

Token: the TypeScript client sends ``authorization: Wechaty <token>`` metadata over TLS, and both
it and python-wechaty send the token as the HTTP/2 ``:authority`` (``grpc.default_authority``,
``channel._authority``). A request carrying the token either way is served; anything else gets
``UNAUTHENTICATED``. The authority is a pseudo-header that neither grpcio nor grpclib hands to a
servicer, so the check sits where grpclib accepts a stream (:class:`_TokenHandler`); the reference
TypeScript server patches grpc-js for the same reason.

TLS: the user's certificate and key (``ssl`` with ALPN ``h2``); the TypeScript client verifies it
against ``WECHATY_PUPPET_SERVICE_TLS_CA_CERT`` and the server name
``WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME`` (else the token's prefix before ``_``). ``tls=None``
serves plain HTTP/2, which python-wechaty needs and the TypeScript client speaks with
``WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true``.
"""

from __future__ import annotations

import hmac
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import message_factory
from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Handler as StreamHandler
from grpclib.server import Server

from ..errors import (
    FileBoxError,
    NotFoundError,
    NotLoggedInError,
    NotSupportedError,
    ProtocolError,
    PuppetWebError,
    RateLimitedError,
    ServiceError,
    WebWxError,
)
from ..puppet import PuppetWeb
from . import stubs
from .events import EventHub

_log = logging.getLogger(__name__)

SERVICE = "wechaty.Puppet"


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The user's certificate chain and private key (PEM)."""

    cert: Path
    key: Path

    def context(self) -> ssl.SSLContext:
        """A server context speaking HTTP/2 (ALPN ``h2``), TLS 1.2 or later.

        Raises:
            ServiceError: a file is missing or not a matching certificate and key.
        """
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(str(self.cert), str(self.key))
        except (OSError, ssl.SSLError) as exc:
            raise ServiceError(
                f"cannot use the TLS certificate {self.cert} / key {self.key}: {exc}"
            ) from None
        ctx.set_alpn_protocols(["h2"])
        return ctx


def status_of(exc: BaseException) -> tuple[Status, str]:
    """The gRPC status a puppet error becomes (the message always names the cause)."""
    mapping: list[tuple[type[BaseException], Status]] = [
        (NotSupportedError, Status.UNIMPLEMENTED),
        (NotFoundError, Status.NOT_FOUND),
        (NotLoggedInError, Status.FAILED_PRECONDITION),
        (RateLimitedError, Status.RESOURCE_EXHAUSTED),
        (FileBoxError, Status.INVALID_ARGUMENT),
        (ValueError, Status.INVALID_ARGUMENT),
        (ProtocolError, Status.FAILED_PRECONDITION),
        (WebWxError, Status.UNAVAILABLE),
        (TimeoutError, Status.DEADLINE_EXCEEDED),
        (PuppetWebError, Status.INTERNAL),
    ]
    for cls, status in mapping:
        if isinstance(exc, cls):
            return status, f"{type(exc).__name__}: {exc}"
    return Status.UNKNOWN, f"{type(exc).__name__}: {exc}"


def _guard(name: str, fn: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    async def call(stream: Any) -> None:
        try:
            await fn(stream)
        except GRPCError:
            raise
        except Exception as exc:
            status, text = status_of(exc)
            if status in (Status.UNKNOWN, Status.INTERNAL):
                _log.exception("%s failed", name)
            raise GRPCError(status, text) from None

    return call


def _unary(fn: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[None]]:
    async def call(stream: Any) -> None:
        request = await stream.recv_message()
        await stream.send_message(await fn(request))

    return call


def _unimplemented(name: str) -> Callable[[Any], Awaitable[None]]:
    async def call(stream: Any) -> None:
        raise GRPCError(Status.UNIMPLEMENTED, f"{name}: not served by wechaty-puppet-web")

    return call


async def _denied(stream: Any) -> None:
    raise GRPCError(Status.UNAUTHENTICATED, "invalid or missing Wechaty Puppet Service token")


def build_mapping(handlers: Any, streaming: frozenset[str]) -> dict[str, Handler]:
    """grpclib's method table for every RPC of ``wechaty.Puppet``, from the service descriptor.

    Methods ``handlers`` lacks answer UNIMPLEMENTED; names in ``streaming`` take the stream.
    """
    from .stubs import puppet_pb2

    service = puppet_pb2.DESCRIPTOR.services_by_name["Puppet"]
    mapping: dict[str, Handler] = {}
    for method in service.methods:
        cardinality = _cardinality(method.client_streaming, method.server_streaming)
        impl = getattr(handlers, method.name, None)
        if impl is None:
            func = _unimplemented(method.name)
        elif method.name in streaming:
            func = _guard(method.name, impl)
        else:
            func = _guard(method.name, _unary(impl))
        mapping[f"/{SERVICE}/{method.name}"] = Handler(
            func,
            cardinality,
            message_factory.GetMessageClass(method.input_type),
            message_factory.GetMessageClass(method.output_type),
        )
    return mapping


def _cardinality(client_streaming: bool, server_streaming: bool) -> Cardinality:
    if client_streaming and server_streaming:
        return Cardinality.STREAM_STREAM
    if client_streaming:
        return Cardinality.STREAM_UNARY
    if server_streaming:
        return Cardinality.UNARY_STREAM
    return Cardinality.UNARY_UNARY


def authorised(headers: Any, token: str) -> bool:
    """True when the request names ``token`` as its authority or in ``authorization``."""
    expected = token.encode()
    for key, value in headers:
        key = key.decode() if isinstance(key, bytes) else key
        raw = value.encode() if isinstance(value, str) else value
        if key == ":authority":
            given = raw.rsplit(b":", 1)[0] if raw.count(b":") == 1 else raw  # host:port form
            if hmac.compare_digest(given, expected) or hmac.compare_digest(raw, expected):
                return True
        elif key == "authorization":
            scheme, _, given = raw.partition(b" ")
            if scheme.lower() in (b"wechaty", b"bearer") and hmac.compare_digest(given, expected):
                return True
    return False


class _TokenHandler(StreamHandler):
    """grpclib's stream acceptor with the token check in front (see the module docstring)."""

    token: str
    denied: dict[str, Handler]

    def accept(self, stream: Any, headers: Any, release_stream: Any) -> None:
        if authorised(headers, self.token):
            super().accept(stream, headers, release_stream)
            return
        served, self.mapping = self.mapping, self.denied
        try:  # the same request machinery, with every method answering UNAUTHENTICATED
            super().accept(stream, headers, release_stream)
        finally:
            self.mapping = served


class _TokenServer(Server):
    """A grpclib ``Server`` whose connections check the token."""

    def __init__(self, mapping: dict[str, Handler], token: str) -> None:
        super().__init__([_Mapped(mapping)])
        self._token = token
        self._denied = {
            path: Handler(_denied, h.cardinality, h.request_type, h.reply_type)
            for path, h in mapping.items()
        }

    def _protocol_factory(self) -> Any:
        # grpclib builds one Handler per connection here; give it the token check. Pinned to
        # grpclib 0.4 (pyproject), and the token tests fail loudly if this hook stops working.
        protocol = super()._protocol_factory()
        handler: Any = protocol.handler
        handler.__class__ = _TokenHandler
        handler.token = self._token
        handler.denied = self._denied
        return protocol


class _Mapped:
    def __init__(self, mapping: dict[str, Handler]) -> None:
        self._mapping = mapping

    def __mapping__(self) -> dict[str, Handler]:
        return self._mapping


class PuppetService:
    """``wechaty.Puppet`` over gRPC in front of one PuppetWeb.

    ::

        service = PuppetService(puppet, token="insecure_mytoken")
        await service.start(port=8788)          # TLS: tls=TlsFiles(cert, key)
        ...
        await service.stop()
    """

    def __init__(self, puppet: PuppetWeb, *, token: str) -> None:
        if not token:
            raise ServiceError(
                "the Puppet Service needs a token (--token or WECHATY_PUPPET_SERVICE_TOKEN)"
            )
        stubs.require()
        from .handlers import STREAMING, PuppetHandlers

        self.puppet = puppet
        self.hub = EventHub(puppet)
        self.handlers = PuppetHandlers(puppet, self.hub)
        self._server = _TokenServer(build_mapping(self.handlers, STREAMING), token)
        self.host = ""
        self.port = 0

    async def start(
        self, host: str = "0.0.0.0", port: int = 0, tls: TlsFiles | None = None
    ) -> None:
        """Listen; ``port=0`` picks a free one (read ``self.port`` after).

        Raises:
            ServiceError: the address is in use, or the TLS files are unusable.
        """
        context = tls.context() if tls is not None else None
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(100)
            await self._server.start(sock=sock, ssl=context)
        except OSError as exc:
            sock.close()
            raise ServiceError(f"cannot listen on {host}:{port}: {exc}") from None
        self.host, self.port = host, int(sock.getsockname()[1])

    async def stop(self) -> None:
        """Close the listener and every open stream."""
        self._server.close()
        await self._server.wait_closed()
