"""Prometheus metrics of a fleet, one label ``account`` per account (``prometheus-client``).

Exposed names (all prefixed ``wechaty_web_``):

- ``messages_received_total`` / ``messages_sent_total``: message events, incoming / its own
- ``event_latency_seconds``: histogram, the page seeing an event → the Python event
- ``resets_total``: page resets and browser relaunches the puppet recovered from
- ``logins_total`` / ``logouts_total``
- ``rate_limit_backoffs_total``: Ret 1205 answers backed off from
- ``account_restarts_total``: puppets the fleet runner restarted (after a failure)
- ``account_up``: 1 while logged in
"""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import start_http_server

__all__ = ["FleetMetrics"]

# The page → Python hop is milliseconds; anything near seconds is a stall worth seeing.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class FleetMetrics:
    """The fleet's metric families, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r, label = self.registry, ["account"]
        self.received = Counter("wechaty_web_messages_received", "Messages received", label,
                                registry=r)  # fmt: skip
        self.sent = Counter("wechaty_web_messages_sent", "Messages the account sent", label,
                            registry=r)  # fmt: skip
        self.latency = Histogram("wechaty_web_event_latency_seconds",
                                 "Page saw an event -> Python event", label,
                                 buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.resets = Counter("wechaty_web_resets", "Page resets / browser relaunches", label,
                              registry=r)  # fmt: skip
        self.logins = Counter("wechaty_web_logins", "Logins", label, registry=r)
        self.logouts = Counter("wechaty_web_logouts", "Logouts", label, registry=r)
        self.backoffs = Counter("wechaty_web_rate_limit_backoffs", "Ret 1205 back-offs", label,
                                registry=r)  # fmt: skip
        self.restarts = Counter("wechaty_web_account_restarts", "Puppets restarted by the fleet",
                                label, registry=r)  # fmt: skip
        self.up = Gauge("wechaty_web_account_up", "1 while logged in", label, registry=r)
        self._server: WSGIServer | None = None

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` over HTTP on a daemon thread; the port it listens on."""
        self._server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(self._server.server_port)

    def close(self) -> None:
        """Stop serving (the thread ends with the server)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
