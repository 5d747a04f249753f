"""The sandbox as an HTTP(S) proxy, so any client finds it on the real host names.

A client started with ``HTTPS_PROXY=http://127.0.0.1:<proxy port>`` (and the sandbox's CA, see
``--ca-out``) asks this proxy for ``wx.qq.com`` & co. instead of resolving them, so nobody has to
edit ``/etc/hosts`` or bind port 443:

- ``CONNECT wx2.qq.com:443`` (requests, curl, Node's proxy agents): the tunnel is joined to the
  sandbox's TLS port, where the sandbox's own certificate for every WeChat host ends the TLS;
- an absolute-form request (``GET https://wx.qq.com/… HTTP/1.1`` in plain text, as some older
  clients send to a proxy): forwarded over TLS to the sandbox, one request per connection.

Only WeChat hosts are served (``*.qq.com``, ``*.wechat.com``); anything else is refused, so the
proxy never becomes a way out to other hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from urllib.parse import urlsplit

from ..errors import SandboxError

_log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
_DOMAINS = ("qq.com", "wechat.com")
_HOP_BY_HOP = frozenset({"proxy-connection", "proxy-authorization", "connection", "keep-alive"})


def served(host: str) -> bool:
    """Whether the proxy answers for ``host`` (a WeChat host name)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in _DOMAINS)


class ProxyServer:
    """A plain-HTTP proxy on loopback in front of the sandbox's TLS port."""

    def __init__(
        self, target_host: str, target_port: int, client_ssl: ssl.SSLContext, *, port: int = 0
    ) -> None:
        self._target = (target_host, target_port)
        self._ssl = client_ssl
        self.host = "127.0.0.1"
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (what ``HTTPS_PROXY`` should say)."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Listen on loopback.

        Raises:
            SandboxError: the port could not be bound.
        """
        try:
            self._server = await asyncio.start_server(self._client, self.host, self.port)
        except OSError as exc:
            raise SandboxError(f"proxy cannot listen on {self.host}:{self.port}: {exc}") from exc
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and cut open tunnels."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_HEAD:
                raise ValueError("request head too long")
            await self._dispatch(head, reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            _log.debug("proxy: bad request: %s", exc)
            await _answer(writer, 400, "Bad Request")
        except (ConnectionError, OSError) as exc:
            _log.debug("proxy: connection ended: %s", exc)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        first, _, rest = head.decode("latin-1").partition("\r\n")
        method, target, version = first.split(" ", 2)
        if method.upper() == "CONNECT":
            host = target.rsplit(":", 1)[0].strip("[]")
            if not served(host):
                await _answer(writer, 403, "Forbidden")
                return
            up_reader, up_writer = await asyncio.open_connection(*self._target)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _join(reader, writer, up_reader, up_writer)
            return
        url = urlsplit(target)
        if url.scheme not in ("http", "https") or not url.hostname or not served(url.hostname):
            await _answer(writer, 403, "Forbidden")
            return
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        lines = [f"{method} {path} {version}"]
        for line in rest.split("\r\n"):
            name = line.partition(":")[0].strip().lower()
            if line and name not in _HOP_BY_HOP and name != "host":
                lines.append(line)
        lines += [f"Host: {url.netloc}", "Connection: close", "", ""]
        up_reader, up_writer = await asyncio.open_connection(
            *self._target, ssl=self._ssl, server_hostname=url.hostname
        )
        up_writer.write("\r\n".join(lines).encode("latin-1"))
        await _join(reader, writer, up_reader, up_writer)


async def _answer(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()


async def _join(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    """Copy both ways until the upstream side is done (then the client's side is closed)."""
    upload = asyncio.create_task(_copy(reader, up_writer))
    try:
        await _copy(up_reader, writer)
    finally:
        upload.cancel()
        with contextlib.suppress(BaseException):
            await upload
        up_writer.close()
        with contextlib.suppress(Exception):
            await up_writer.wait_closed()


async def _copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while chunk := await src.read(65536):
            dst.write(chunk)
            await dst.drain()
        if dst.can_write_eof():
            dst.write_eof()
