"""``python -m bench [login … weight recovery soak] [--json PATH] [-v]``: run and print.

Runs the named benchmarks (all by default) one after another, prints one table with each figure,
its bare-protocol floor, the target and whether it was met, and writes the same as JSON to
``bench/out/`` (git-ignored). Benchmarks never fail the run: a figure that misses its target is
reported as such, and a benchmark that crashes is reported as a row with the error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from . import burst, fleet, latency, login, recovery, scale, send, service, soak, weight
from .harness import Figure

BENCHES: dict[str, Callable[[], Awaitable[list[Figure]]]] = {
    "login": login.run,
    "latency": latency.run,
    "burst": burst.run,
    "send": send.run,
    "scale": scale.run,
    "fleet": fleet.run,
    "service": service.run,
    "weight": weight.run,
    "recovery": recovery.run,
    "soak": soak.run,
}
# Not part of a plain `python -m bench`: the soak runs for an hour unless SOAK_SECONDS says less.
ON_REQUEST = frozenset({"soak"})
DESCRIPTION = "Run the benchmarks; print each figure beside the bare-protocol floor and its target."
BENCH_TIMEOUT = 180.0  # seconds; a benchmark that hangs is cut off and reported
# Benchmarks that need more: 20 accounts start at once; a 30 s outage and a 60 s busy page.
LONGER = {"fleet": fleet.TIMEOUT, "weight": weight.TIMEOUT, "recovery": recovery.TIMEOUT}
OUT_DIR = Path(__file__).resolve().parent / "out"

_log = logging.getLogger("bench")


async def run_one(name: str) -> list[Figure]:
    """Run one benchmark; a crash or a hang becomes an error row."""
    _log.info("running %s…", name)
    start = time.perf_counter()
    try:
        limit = None if name in ON_REQUEST else LONGER.get(name, BENCH_TIMEOUT)
        figures = await asyncio.wait_for(BENCHES[name](), limit)  # the soak sets its own length
    except Exception as exc:  # report and go on with the next benchmark
        _log.exception("%s failed", name)
        figures = [Figure(bench=name, name="ERROR", value=math.nan, unit="",
                          note=f"{type(exc).__name__}: {exc}"[:160])]  # fmt: skip
    _log.info("%s done in %.1f s", name, time.perf_counter() - start)
    return figures


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isnan(value):
        return "NaN"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a fixed-width text table."""
    head = ("bench", "figure", "value", "unit", "floor", "vs floor", "target", "met", "note")
    rows = [head]
    for f in figures:
        target = (
            "-" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + _num(f.target)
        )
        met = {True: "yes", False: "NO", None: "-"}[f.met]
        slow = "-" if f.slowdown is None else f"{f.slowdown:.1f}x"
        rows.append((f.bench, f.name, _num(f.value), f.unit, _num(f.floor), slow, target, met,
                     f.note))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
             for r in rows]  # fmt: skip
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)


def write_json(figures: Sequence[Figure], path: Path | None, load: list[float]) -> Path:
    """Write the run to ``path`` (default ``bench/out/bench-<time>.json`` + ``latest.json``)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    data = {"when": stamp, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_1min_start_end": load,
            "figures": [f.to_json() for f in figures]}  # fmt: skip
    text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=True) + "\n"
    if path is None:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        path = OUT_DIR / f"bench-{stamp}.json"
        (OUT_DIR / "latest.json").write_text(text, "utf-8")
    path.write_text(text, "utf-8")
    return path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all of {', '.join(BENCHES)})",
    )
    parser.add_argument("--json", type=Path, default=None, help="where to write the JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    return args  # fmt: skip


async def run_all(names: Sequence[str]) -> list[Figure]:
    """Run the benchmarks in order."""
    figures: list[Figure] = []
    for name in names:
        figures += await run_one(name)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 0 unless the command line was wrong."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")  # fmt: skip
    logging.getLogger("bench").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    names = args.names or [n for n in BENCHES if n not in ON_REQUEST]
    start, load = time.perf_counter(), [os.getloadavg()[0]]
    figures = asyncio.run(run_all(names))
    load.append(os.getloadavg()[0])
    print(table(figures))
    # The targets are for an otherwise idle 2-core machine: say how busy this one was.
    print(f"\n{len(figures)} figures in {time.perf_counter() - start:.0f} s on {os.cpu_count()} "
          f"CPUs, 1-min load average {load[0]:.1f} at start, {load[1]:.1f} at end; "
          f"JSON: {write_json(figures, args.json, load)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
