"""``wechaty-web`` failures: one line on stderr and an exit status, never a traceback (no browser).

Every case calls ``main([...])`` in-process; the checks that must happen before a browser starts
are proven by pointing ``--executable-path`` at nothing: the error is still the earlier one.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from wechaty_puppet_web.cli import build_parser, main, verbosity
from wechaty_puppet_web.commands.login import verify_session
from wechaty_puppet_web.errors import SessionError

NO_CHROMIUM = "/nonexistent/chromium"


def fail(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the CLI; its exit status and its one stderr line (asserted to be one)."""
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return status, err.strip()


@pytest.fixture(name="bot")
def fixture_bot(tmp_path: Path) -> Path:
    path = tmp_path / "bot.py"
    path.write_text("async def on_message(puppet, event):\n    pass\n")
    return path


# ---- bot modules ---------------------------------------------------------------------------


def test_a_bot_without_handlers_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "idle.py"
    path.write_text("def helper():\n    return 1\non_nothing = 3\n")
    status, line = fail(capsys, "run", str(path), "--sandbox", "--executable-path", NO_CHROMIUM)
    assert status == 2
    assert f"{path} defines no on_<event> handler" in line


def test_a_bot_failing_at_import_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import os\nraise RuntimeError('no config')\n")
    status, line = fail(capsys, "run", str(path), "--sandbox")
    assert status == 2
    assert "failed at import (line 2): RuntimeError('no config')" in line
    path.write_text("def on_message(:\n")
    status, line = fail(capsys, "run", str(path))
    assert status == 2
    assert "failed at import (line 1): SyntaxError(" in line


def test_a_missing_bot_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, line = fail(capsys, "run", str(tmp_path / "nope.py"))
    assert (status, line) == (
        2,
        f"wechaty-web run: error: bot module {tmp_path / 'nope.py'} not found",
    )


# ---- the sandbox, its world and its port ---------------------------------------------------


@pytest.mark.parametrize("content", [None, "not json", '{"bot": 3}'])
@pytest.mark.parametrize("command", ["login", "run", "sandbox"])
def test_a_missing_or_bad_world(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bot: Path, command: str, content: str | None
) -> None:
    world = tmp_path / "world.json"
    if content is not None:
        world.write_text(content)
    args = {"login": ["login", "--sandbox"], "run": ["run", str(bot), "--sandbox"]}
    status, line = fail(capsys, *args.get(command, [command]), "--world", str(world))
    assert status == 2
    assert line.startswith(f"wechaty-web {command}: error: cannot load world '{world}'")


def test_world_without_sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, line = fail(capsys, "login", "--world", str(tmp_path / "w.json"))
    assert (status, line) == (2, "wechaty-web login: error: --world needs --sandbox "
                                 "(it defines the in-process sandbox's world)")  # fmt: skip


@pytest.fixture(name="busy_port")
def fixture_busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_port_in_use(capsys: pytest.CaptureFixture[str], busy_port: int) -> None:
    status, line = fail(capsys, "sandbox", "--port", str(busy_port))
    assert status == 1
    assert f"wechaty-web sandbox: error: sandbox cannot listen on 127.0.0.1:{busy_port}" in line
    assert "address already in use" in line


# ---- output paths, checked before anything starts ------------------------------------------


def _bad_outputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    return {
        "folder": (tmp_path, "is a folder, not a file"),
        "missing folder": (tmp_path / "no" / "out", f"folder {tmp_path / 'no'} does not exist"),
        "under a file": (Path(__file__) / "out", "is not a folder"),
        # not writable even for root (CI may run as root, where file modes do not stop a write)
        "unwritable file": (Path("/proc/version"), "cannot write"),
    }


@pytest.mark.parametrize("case", ["folder", "missing folder", "under a file", "unwritable file"])
def test_record_checks_the_output_before_the_browser(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    path, why = _bad_outputs(tmp_path)[case]
    status, line = fail(capsys, "record", str(path), "--sandbox", "--executable-path", NO_CHROMIUM)
    assert status == 2
    assert line.startswith("wechaty-web record: error: ")
    assert why in line


@pytest.mark.parametrize("case", ["folder", "missing folder", "under a file", "unwritable file"])
def test_login_checks_the_session_file_before_the_browser(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    path, why = _bad_outputs(tmp_path)[case]
    argv = ["login", "--sandbox", "--session", str(path), "--executable-path", NO_CHROMIUM]
    status, line = fail(capsys, *argv)
    assert status == 2
    assert line.startswith("wechaty-web login: error: ")
    assert "session file" in line and why in line


def test_login_never_overwrites_a_file_that_is_not_a_session(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "data"}')
    status, line = fail(capsys, "login", "--sandbox", "--session", str(mine))
    assert status == 2
    assert f"session file {mine} exists and is not a session" in line
    assert mine.read_text() == '{"my": "data"}'


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["run", "BOT", "--demo"], "--demo needs --sandbox"),
        (
            ["run", "BOT", "--sandbox-url", "https://127.0.0.1:1", "--demo"],
            "--demo needs --sandbox",
        ),
        (["login", "--sandbox", "--sandbox-url", "https://127.0.0.1:1"], "exclude each other"),
    ],
)
def test_contradictory_options(
    capsys: pytest.CaptureFixture[str], bot: Path, argv: list[str], why: str
) -> None:
    status, line = fail(capsys, *[str(bot) if a == "BOT" else a for a in argv])
    assert status == 2
    assert why in line


def test_login_checks_the_png_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, line = fail(capsys, "login", "--sandbox", "--png", str(tmp_path))
    assert (status, line) == (
        2,
        f"wechaty-web login: error: QR image {tmp_path} is a folder, not a file",
    )


def test_record_mode_once_refuses_an_existing_cassette(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cassette = tmp_path / "session.jsonl"
    cassette.write_text("keep me\n")
    status, line = fail(capsys, "record", str(cassette), "--mode", "once", "--sandbox")
    assert status == 2
    assert f"cassette {cassette} exists and record mode 'once' does not re-record it" in line
    assert cassette.read_text() == "keep me\n"


def test_record_mode_none_refuses_to_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cassette = tmp_path / "new.jsonl"
    status, line = fail(capsys, "record", str(cassette), "--mode", "none", "--sandbox")
    assert (status, line) == (2, "wechaty-web record: error: record mode 'none' never records "
                                 "(use once or all)")  # fmt: skip
    assert not cassette.exists()


def test_the_output_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    from wechaty_puppet_web.commands.options import check_writable

    assert check_writable(tmp_path / "a.jsonl", "cassette") == tmp_path / "a.jsonl"
    assert check_writable(tmp_path / "x" / "y" / "s.json", "session", make_parents=True)
    assert list(tmp_path.iterdir()) == []


# ---- no Chromium ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["login", "run", "record", "replay"])
def test_no_chromium(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bot: Path, command: str
) -> None:
    cassette = Path(__file__).parents[2] / "fixtures" / "cassettes"
    replayable = next(iter(sorted(cassette.glob("*.jsonl"))), None)
    assert replayable is not None
    argv = {
        "login": ["login", "--sandbox"],
        "run": ["run", str(bot), "--sandbox"],
        "record": ["record", str(tmp_path / "c.jsonl"), "--sandbox"],
        "replay": ["replay", str(replayable)],
    }[command]
    status, line = fail(capsys, *argv, "--executable-path", NO_CHROMIUM)
    assert status == 1
    assert line == (
        f"wechaty-web {command}: error: executable_path {NO_CHROMIUM!r} is not an executable file"
    )


def test_no_chromium_anywhere(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bot: Path
) -> None:
    monkeypatch.setenv("WPW_CHROMIUM", NO_CHROMIUM)
    status, line = fail(capsys, "run", str(bot), "--sandbox")
    assert (status, line) == (
        1,
        f"wechaty-web run: error: $WPW_CHROMIUM {NO_CHROMIUM!r} is not an executable file",
    )


# ---- options: same names everywhere, -v anywhere, no negative timeouts ---------------------


def _actions(command: str) -> dict[str, argparse.Action]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        opt: action for action in subs.choices[command]._actions for opt in action.option_strings
    }


def _options(command: str) -> set[str]:
    return set(_actions(command))


SANDBOX_OPTIONS = ("--sandbox", "--auto-scan", "--sandbox-url", "--world")
# every command that opens a puppet can use either kind of sandbox; replay serves its cassette
# (no sandbox), browser-server only maps hosts (a sandbox URL, nothing to start or scan)
SANDBOX_COMMANDS = ["login", "run", "record", "serve"]


@pytest.mark.parametrize("command", ["login", "run", "record", "replay", "serve", "browser-server"])
def test_browser_commands_share_option_names(command: str) -> None:
    assert {"--executable-path", "--headful", "-v"} <= _options(command)
    if command != "browser-server":  # it waits for nothing
        assert "--timeout" in _options(command)
    assert "--login-timeout" not in _options(command)
    if command in SANDBOX_COMMANDS:
        assert set(SANDBOX_OPTIONS) <= _options(command)
    elif command == "browser-server":
        assert _options(command) & set(SANDBOX_OPTIONS) == {"--sandbox-url"}
    else:
        assert not _options(command) & {*SANDBOX_OPTIONS, "--sandbox-port"}


def _meaning(action: argparse.Action) -> tuple[object, ...]:
    return (action.dest, type(action), action.type, action.default, action.const, action.help)


@pytest.mark.parametrize("option", SANDBOX_OPTIONS)
def test_sandbox_options_mean_the_same_everywhere(option: str) -> None:
    meanings = {command: _meaning(_actions(command)[option]) for command in SANDBOX_COMMANDS}
    assert len(set(meanings.values())) == 1, meanings
    assert _actions("browser-server")["--sandbox-url"].dest == "sandbox_url"


@pytest.mark.parametrize("command", SANDBOX_COMMANDS)
def test_sandbox_options_parse_alike(command: str, tmp_path: Path) -> None:
    positional = {"run": ["bot.py"], "record": [str(tmp_path / "c.jsonl")]}.get(command, [])
    args = build_parser().parse_args([command, *positional, "--sandbox", "--auto-scan"])
    assert (args.sandbox, args.auto_scan, args.sandbox_url) == (True, True, None)
    args = build_parser().parse_args([command, *positional, "--sandbox-url", "https://h:1"])
    assert (args.sandbox, args.auto_scan, args.sandbox_url) == (False, False, "https://h:1")


@pytest.mark.parametrize("command", SANDBOX_COMMANDS)
def test_both_sandbox_kinds_are_refused_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bot: Path, command: str
) -> None:
    positional = {"run": [str(bot)], "record": [str(tmp_path / "c.jsonl")]}.get(command, [])
    extra = ["--token", "t", "--no-tls"] if command == "serve" else []
    status, line = fail(
        capsys, command, *positional, *extra, "--sandbox", "--sandbox-url", "https://h:1",
        "--executable-path", NO_CHROMIUM,
    )  # fmt: skip
    assert (status, line) == (
        2, f"wechaty-web {command}: error: --sandbox and --sandbox-url exclude each other"
    )  # fmt: skip


def test_record_sandbox_port_is_a_deprecated_alias(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "c.jsonl"
    args = build_parser().parse_args(["record", str(out), "--sandbox", "--sandbox-port", "1234"])
    assert args.sandbox_port == 1234
    assert _actions("record")["--sandbox-port"].help == argparse.SUPPRESS  # hidden from --help
    status = main(["record", str(out), "--sandbox", "--sandbox-port", "1",
                   "--executable-path", NO_CHROMIUM])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert "--sandbox-port is deprecated" in err
    assert f"executable_path {NO_CHROMIUM!r} is not an executable file" in err


@pytest.mark.parametrize("command", ["login", "run", "record", "sandbox"])
def test_lang_everywhere_it_means_something(command: str) -> None:
    assert "--lang" in _options(command)


@pytest.mark.parametrize(
    ("given", "lang"), [("zh", "zh_CN"), ("en", "en_US"), ("en-US", "en_US"), ("ZH_cn", "zh_CN")]
)
def test_lang_spellings(given: str, lang: str) -> None:
    assert build_parser().parse_args(["login", "--lang", given]).lang == lang


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "run", "bot.py"],
        ["run", "bot.py", "-v"],
        ["run", "-v", "bot.py"],
        ["-vv", "run", "bot.py"],
        ["-v", "run", "bot.py", "-v"],
    ],
)
def test_verbose_before_or_after_the_command(argv: list[str]) -> None:
    expected = sum(arg.count("v") for arg in argv if arg.startswith("-v"))
    assert verbosity(build_parser().parse_args(argv)) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["login", "--timeout", "-1"],
        ["run", "bot.py", "--timeout", "-0.5"],
        ["record", "out.jsonl", "--timeout", "-3"],
        ["record", "out.jsonl", "--duration", "-3"],
        ["replay", "c.jsonl", "--timeout", "nan"],
        ["replay", "c.jsonl", "--timeout", "soon"],
    ],
)
def test_negative_timeouts_are_refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    status, line = fail(capsys, *argv)
    assert status == 2
    assert line.startswith(f"wechaty-web {argv[0]}: error: argument ")
    assert line.endswith("(see --help)")


def test_zero_timeout_is_allowed() -> None:
    assert build_parser().parse_args(["login", "--timeout", "0"]).timeout == 0.0


def test_help_documents_chromium_discovery(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for where in (
        "$WPW_CHROMIUM",
        "/usr/bin/chromium",
        "ms-playwright",
        "Chromium.app",
        "%PROGRAMFILES%",
        "PATH",
    ):
        assert where in text


# ---- login's read-back ---------------------------------------------------------------------


def test_verify_session_needs_a_readable_session(tmp_path: Path) -> None:
    from wechaty_puppet_web.browser.session import SessionStore

    path = tmp_path / "s.json"
    with pytest.raises(SessionError, match="holds no usable session"):
        verify_session(path)  # never written
    path.write_text("{}")
    with pytest.raises(SessionError, match="corrupt session file"):
        verify_session(path)
    SessionStore(path).save([{"name": "wxuin", "value": "1"}, {"name": "wxsid", "value": "s"}])
    verify_session(path)
    with pytest.raises(SessionError, match=r"session not saved to .*: disk full"):
        verify_session(path, OSError("disk full"))


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    idle = tmp_path / "idle.py"
    idle.write_text("x = 1\n")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "wechaty_puppet_web.cli", "-v", "run", str(idle), "-v"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"wechaty-web run: error: {idle} defines no on_<event> handler "
        "(e.g. on_message, on_login, on_room_join, on_friendship)\n"
    )
