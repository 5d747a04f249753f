"""``wechaty-web sandbox`` options for other clients: parsing, and failures as one clear line."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from wechaty_puppet_web.cli import build_parser
from wechaty_puppet_web.sandbox.login import QR_TTL

from .test_cli import fail


def test_options_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(["sandbox"])
    assert (args.ca_out, args.control_port, args.proxy_port) == (None, None, None)
    assert (args.profile, args.qr_ttl) == ("unthrottled", QR_TTL)
    services = ["--ca-out", "ca.pem", "--control-port", "0", "--proxy-port", "8791"]
    args = parser.parse_args(["sandbox", *services, "--profile", "realistic", "--qr-ttl", "30"])
    assert (args.ca_out, args.control_port, args.proxy_port) == ("ca.pem", 0, 8791)
    assert (args.profile, args.qr_ttl) == ("realistic", 30.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--profile", "turbo"], "invalid choice: 'turbo'"),
        (["--control-port", "99999"], "--control-port"),
        (["--qr-ttl", "-1"], "must be 0 or more seconds"),
    ],
)
def test_bad_options(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, line = fail(capsys, "sandbox", *argv)
    assert status == 2 and message in line


def test_an_unwritable_ca_file_is_refused_before_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, line = fail(capsys, "sandbox", "--ca-out", str(tmp_path / "no" / "ca.pem"))
    assert status == 2 and "--ca-out" in line and "does not exist" in line


@pytest.fixture(name="busy_port")
def fixture_busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("flag", ["--control-port", "--proxy-port"])
def test_a_busy_service_port_is_one_line(
    capsys: pytest.CaptureFixture[str], busy_port: int, flag: str
) -> None:
    status, line = fail(capsys, "sandbox", flag, str(busy_port))
    assert status == 1
    assert f"cannot listen on 127.0.0.1:{busy_port}" in line
