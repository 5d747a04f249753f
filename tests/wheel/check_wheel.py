"""What a user of the wheel gets: build it, install it far from the checkout, run it without node.

Run by ``make test`` (``make test-wheel``)::

    .venv/bin/python tests/wheel/check_wheel.py

1. builds the sdist from a clean export of the checkout's HEAD (``git archive``: nothing that
   ``make setup`` made, so the build itself fetches the page's npm scripts and generates the gRPC
   stubs), then the wheel *from the sdist* with no node/npm on PATH and without grpcio-tools (the
   sdist carries both), and checks what each archive holds;
2. installs the wheel with its ``[testing]`` extra into a fresh virtualenv in a temporary folder;
3. from a folder outside the checkout, with only that virtualenv on PATH (no node, no npm):
   ``wechaty-web --version``; ``wechaty-web sandbox`` serves its page and the page's scripts;
   the demo (``wechaty-web run ding_dong.py --sandbox --auto-scan --demo``) gets its "dong";
   and the bot-author project in ``author/`` (a bot plus tests that use only the pytest plugin,
   against the sandbox and a cassette) passes.

Every step asserts on the output; the first failure ends the run with its output shown.
"""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AUTHOR = Path(__file__).resolve().parent / "author"
VENDOR = "wechaty_puppet_web/sandbox/webclient/vendor/"
IN_BOTH = (
    VENDOR + "angular/angular.min.js",
    VENDOR + "angular/LICENSE.md",
    VENDOR + "jquery/dist/jquery.min.js",
    VENDOR + "jquery/LICENSE.txt",
    VENDOR + "jquery/external/sizzle/LICENSE.txt",
    "wechaty_puppet_web/service/stubs/puppet_pb2.py",
    "wechaty_puppet_web/service/stubs/puppet_base_pb2.py",
    "wechaty_puppet_web/service/stubs/LICENSE.wechaty-grpc",
    "wechaty_puppet_web/service/stubs/SOURCE",
)
IN_SDIST = (
    "LICENSE",
    "tests/wheel/author/bot.py",
    "tests/unit/test_page_assets.py",
    "examples/ding_dong.py",
    "fixtures/cassettes/bot.jsonl",
    "wechaty_puppet_web/sandbox/webclient/build_hook.py",
)
IN_WHEEL = (
    "wechaty_puppet_web/injected/bridge.js",
    "wechaty_puppet_web/sandbox/webclient/vendor.py",
)
METADATA = (
    "License-Expression: Apache-2.0",
    "License-File: LICENSE",
    "Classifier: Framework :: Pytest",
    "Project-URL: Wechaty, https://wechaty.js.org",
    "Provides-Extra: testing",
)
STEP_TIMEOUT = 300.0


def fail(message: str) -> None:
    print(f"check_wheel: FAILED: {message}", flush=True)
    sys.exit(1)


def run(cmd: Sequence[str | Path], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """Run ``cmd``; its stdout+stderr, or fail showing them."""
    shown = " ".join(str(c) for c in cmd)
    print(f"check_wheel: $ {shown}", flush=True)
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        fail(f"exit {done.returncode}: {shown}\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def no_node_env(venv_bin: Path) -> dict[str, str]:
    """This environment with PATH reduced to ``venv_bin``: no node, no npm."""
    env = dict(os.environ, PATH=str(venv_bin))
    env.pop("PYTHONPATH", None)
    for tool in ("node", "npm", "npx"):
        if shutil.which(tool, path=env["PATH"]):
            fail(f"{tool} is on the reduced PATH {env['PATH']}")
    return env


def check_archives(sdist: Path, wheel: Path) -> None:
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/", 1)[0]
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = [n for n in IN_BOTH + IN_SDIST if n not in names]
    if missing:
        fail(f"the sdist {sdist.name} lacks {missing}")
    if any("node_modules" in n for n in names):
        fail("the sdist carries a node_modules folder")
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        meta = whl.read(f"{top}.dist-info/METADATA").decode()
    missing = [n for n in IN_BOTH + IN_WHEEL if n not in names]
    if missing or any("build_hook" in n for n in names):
        fail(f"the wheel {wheel.name} lacks {missing} or carries the build hook")
    absent = [line for line in METADATA if line not in meta]
    if absent:
        fail(f"the wheel's METADATA lacks {absent}")
    print(f"check_wheel: {sdist.name} and {wheel.name} hold the page scripts and licences")


def clean_export(dest: Path) -> Path:
    """HEAD of the checkout as a fresh clone has it: no vendor/, no stubs, no node_modules."""
    dest.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    made = [
        p for p in ("wechaty_puppet_web/service/stubs/puppet_pb2.py", VENDOR) if (dest / p).exists()
    ]
    if made:
        fail(f"the export of HEAD already holds build output: {made}")
    return dest


def build(tmp: Path) -> tuple[Path, Path]:
    """The sdist from a clean export, then the wheel from the unpacked sdist without node."""
    dist = tmp / "dist"
    out = run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", dist, clean_export(tmp / "export")]
    )
    if "generated the Puppet Service's gRPC stubs" not in out:
        fail(f"the sdist build did not generate the gRPC stubs:\n{out}")
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp / "src", filter="data")
    (src,) = (tmp / "src").iterdir()
    env = no_node_env(Path(sys.executable).parent)
    out = run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, src], env=env)
    if "grpcio-tools" in out:
        fail(f"building the wheel from the sdist asked for grpcio-tools:\n{out}")
    (wheel,) = dist.glob("*.whl")
    check_archives(sdist, wheel)
    return src, wheel


def check_sandbox_command(venv_bin: Path, env: dict[str, str], cwd: Path) -> None:
    """``wechaty-web sandbox`` answers its page and the page's scripts (never a 500)."""
    cmd = [str(venv_bin / "wechaty-web"), "sandbox", "--port", "0"]
    print(f"check_wheel: $ {' '.join(cmd)}", flush=True)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        found = _listening(proc)
        page = _get(found.group(1) + "/", "wx.qq.com").decode()
        script = re.search(r'src="([^"]*/vendor_[0-9a-f]+\.js)"', page)
        if script is None:
            fail("the sandbox page names no vendor bundle")
            return
        body = _get(found.group(1) + script.group(1), "wx.qq.com")
        if b"AngularJS v1.2.32" not in body or b"jQuery v1.12.4" not in body:
            fail("the sandbox's vendor bundle is not jQuery 1.12.4 + AngularJS 1.2.32")
        print("check_wheel: wechaty-web sandbox serves its page and AngularJS + jQuery")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


SERVE_TOKEN = "insecure_wheel"
# Version over gRPC with the stubs the wheel ships (run by the wheel's own Python).
VERSION_RPC = """
import asyncio, sys
from grpclib.client import Channel
from grpclib.const import Cardinality
from wechaty_puppet_web.service.stubs import puppet_base_pb2 as base

async def main():
    channel = Channel("127.0.0.1", int(sys.argv[1]))
    channel._authority = sys.argv[2]
    async with channel.request("/wechaty.Puppet/Version", Cardinality.UNARY_UNARY,
                               base.VersionRequest, base.VersionResponse) as stream:
        await stream.send_message(base.VersionRequest(), end=True)
        print("version", (await stream.recv_message()).version)
    channel.close()

asyncio.run(main())
"""


def check_serve_command(venv_bin: Path, env: dict[str, str], cwd: Path) -> None:
    """``wechaty-web serve`` listens and answers a gRPC call with the stubs the wheel ships."""
    cmd = [str(venv_bin / "wechaty-web"), "serve", "--host", "127.0.0.1", "--port", "0",
           "--token", SERVE_TOKEN, "--no-tls", "--sandbox", "--auto-scan"]  # fmt: skip
    print(f"check_wheel: $ {' '.join(cmd)}", flush=True)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        found = _listening(proc, r"puppet service listening on 127\.0\.0\.1:(\d+)")
        answer = run([venv_bin / "python", "-c", VERSION_RPC, found.group(1), SERVE_TOKEN],
                     env=env, cwd=cwd)  # fmt: skip
        if answer.strip() != "version 0.1.0":
            fail(f"the Puppet Service's Version answered {answer!r}")
        print("check_wheel: wechaty-web serve answers gRPC with the shipped stubs")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def _listening(
    proc: subprocess.Popen[str], pattern: str = r"listening on (https://\S+)"
) -> re.Match[str]:
    """The "listening on URL" line, among the first lines the sandbox prints (within 60 s)."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = proc.stdout.readline() if ready else ""
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found is not None:
            return found
    fail(f"wechaty-web sandbox never said where it listens: {seen}")
    raise AssertionError  # fail() exits


def _get(url: str, host: str) -> bytes:
    """GET over the sandbox's own certificate (a test of the server, not of TLS trust)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, headers={"Host": host})
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        if response.status != 200:
            fail(f"{url} answered {response.status}")
        data: bytes = response.read()
        return data


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="wpw-wheel-"))
    try:
        src, wheel = build(tmp)
        venv = tmp / "venv"
        run([sys.executable, "-m", "venv", venv])
        bin_dir = venv / "bin"
        run([bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[testing]"])
        env = no_node_env(bin_dir)
        work = tmp / "work"  # far from the checkout: nothing of it is importable from here
        work.mkdir()
        version = run([bin_dir / "wechaty-web", "--version"], env=env, cwd=work)
        if version.strip() != "wechaty-web 0.1.0":
            fail(f"--version printed {version!r}")
        check_sandbox_command(bin_dir, env, work)
        check_serve_command(bin_dir, env, work)
        demo = run(
            [
                bin_dir / "wechaty-web",
                "run",
                src / "examples" / "ding_dong.py",
                "--sandbox",
                "--auto-scan",
                "--demo",
            ],
            env=env,
            cwd=work,
        )
        if not re.search(r"answered .+: dong$", demo, re.M) or "Traceback" in demo:
            fail(f"the demo did not get its dong:\n{demo}")
        print("check_wheel: the demo bot answered dong")
        project = work / "author"
        shutil.copytree(AUTHOR, project)
        (project / "cassettes").mkdir()
        for item in ("bot.jsonl", "bot.bodies"):
            copy = shutil.copytree if item.endswith(".bodies") else shutil.copyfile
            copy(src / "fixtures" / "cassettes" / item, project / "cassettes" / item)
        tests = run(
            [bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            env=env,
            cwd=project,
        )
        if not re.search(r"^4 passed", tests, re.M):
            fail(f"the bot author's tests did not all pass:\n{tests}")
        print(tests.strip().splitlines()[-1])
        print("check_wheel: the installed wheel works without node (demo, sandbox, plugin, replay)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
