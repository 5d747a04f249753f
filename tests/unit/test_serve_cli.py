"""``wechaty-web serve``'s usage errors: one line on stderr, exit 2, before anything starts."""

from __future__ import annotations

import pytest

from wechaty_puppet_web.cli import main


def test_serve_needs_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WECHATY_PUPPET_SERVICE_TOKEN", raising=False)
    assert main(["serve", "--no-tls", "--sandbox"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "wechaty-web serve: error: serve needs a token: --token T or $WECHATY_PUPPET_SERVICE_TOKEN"
    ]


def test_serve_needs_tls_files_or_no_tls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WECHATY_PUPPET_SERVICE_TOKEN", "insecure_env")  # the token from the env
    assert main(["serve", "--sandbox"]) == 2
    assert "--tls-cert and --tls-key, or --no-tls" in capsys.readouterr().err
