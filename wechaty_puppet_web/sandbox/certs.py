"""The sandbox's throw-away certificate authority and its one server certificate."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import trustme

# `*.qq.com` does not match `webpush.wx.qq.com`, hence the deeper wildcards.
CERT_HOSTS: tuple[str, ...] = (
    "wx.qq.com",
    "qq.com",
    "*.qq.com",
    "*.wx.qq.com",
    "*.wx2.qq.com",
    "*.wx8.qq.com",
    "*.weixin.qq.com",
    "web.wechat.com",
    "*.web.wechat.com",
    "*.web2.wechat.com",
    "*.wechat.com",
    "login.weixin.qq.com",
    "127.0.0.1",
    "localhost",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Certs:
    """A CA plus the server context signed by it."""

    ca: trustme.CA
    server: ssl.SSLContext

    def client_context(self) -> ssl.SSLContext:
        """An SSL context for clients that trusts only this CA."""
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    def ca_pem(self) -> bytes:
        """The CA certificate in PEM (for tools that want a file)."""
        return bytes(self.ca.cert_pem.bytes())


def make_certs() -> Certs:
    """Create a fresh CA and a server certificate for every sandbox host."""
    ca = trustme.CA()
    leaf = ca.issue_cert(*CERT_HOSTS)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(server)
    return Certs(ca=ca, server=server)
