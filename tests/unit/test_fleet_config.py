"""The fleet file, the status table and the fleet CLI's errors (no browser)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from wechaty_puppet_web.cli import main
from wechaty_puppet_web.errors import FleetError
from wechaty_puppet_web.fleet import AccountStatus, load_fleet, read_status, status_table
from wechaty_puppet_web.fleet.status import write_status

GOOD = """
metrics = "127.0.0.1:9464"
qr_dir = "qr"
backoff = [2, 30]
[[accounts]]
name = "support-1"
session = "s/1.json"
bot = "bot.py"
[[accounts]]
name = "support-2"
session = "s/2.json"
bot = "bot.py"
endpoint = "ws://10.0.0.5:3000/x"
[[accounts]]
name = "sdk"
session = "s/3.json"
service = { endpoint = "127.0.0.1:8788", token = "insecure_t" }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(text)
    return path


def test_a_fleet_file_is_read_relative_to_itself(tmp_path: Path) -> None:
    config = load_fleet(_write(tmp_path, GOOD))
    assert [a.name for a in config.accounts] == ["support-1", "support-2", "sdk"]
    service = config.accounts[2].service
    assert service is not None and (service.host, service.port) == ("127.0.0.1", 8788)
    assert config.accounts[2].bot is None and service.token == "insecure_t"
    assert config.accounts[0].session == tmp_path / "s/1.json"
    assert config.accounts[1].endpoint == "ws://10.0.0.5:3000/x"
    assert config.metrics == ("127.0.0.1", 9464) and config.backoff == (2.0, 30.0)
    assert config.qr_dir == tmp_path / "qr"
    assert config.status_file == tmp_path / "fleet.status.json"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no [[accounts]]"),
        ("[[accounts]]\nname='a'\nsession='s'\n", "a `bot` or a `service`"),
        ("[[accounts]]\nname='a/b'\nsession='s'\nbot='b'\n", "name must be"),
        ("[[accounts]]\nname='a'\nsession='s'\nbot='b'\n" * 2, "unique"),
        ("[[accounts]]\nname='a'\nsession='s'\nbot='b'\n[[accounts]]\nname='b'\nsession='s'\n"
         "bot='b'\n", "share a session"),
        ("colour='red'\n[[accounts]]\nname='a'\nsession='s'\nbot='b'\n", "unknown key"),
        ("metrics='nowhere'\n[[accounts]]\nname='a'\nsession='s'\nbot='b'\n", "host:port"),
        ("backoff=[5, 1]\n[[accounts]]\nname='a'\nsession='s'\nbot='b'\n", "backoff"),
        ("[[accounts]]\nname='a'\nsession='s'\nservice={endpoint='0.0.0.0:1'}\n", "a token"),
        ("[[accounts]]\nname='a'\nsession='s'\nservice={endpoint='x', token='t'}\n", "host:port"),
        ("[[accounts]]\nname='a'\nsession='s'\nservice={endpoint=':1', token='t', "
         "tls_cert='c'}\n", "both tls_cert and tls_key"),
        ("[[accounts]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_fleet_file_is_a_clear_error(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(FleetError, match=words.replace("[", r"\[")):
        load_fleet(_write(tmp_path, text))


def test_the_status_table_says_who_is_where(tmp_path: Path) -> None:
    path = tmp_path / "st.json"
    now = time.time()
    accounts = [
        AccountStatus(name="a1", state="ready", since=now - 90, messages_in=3),
        AccountStatus(name="a2", state="logged-out", logouts=1, last_error="x"),
    ]
    write_status(path, accounts, 9464)
    assert path.stat().st_mode & 0o777 == 0o600
    table = status_table(read_status(path), now=now)
    lines = table.splitlines()
    assert "running" in lines[0] and "metrics on port 9464" in lines[0]
    assert lines[2].split()[:3] == ["a1", "ready", "90s"]
    assert lines[3].split()[:2] == ["a2", "logged-out"]


def test_the_status_of_a_fleet_that_never_ran_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, GOOD)
    assert main(["fleet", "status", str(path)]) == 1
    assert "is the fleet running?" in capsys.readouterr().out
    assert main(["fleet", "status"]) == 2
