"""Run every benchmark once and print one table: our figures, the baselines measured in the
same run, the ratios and each goal met or missed, and the machine it ran on.

Run: .venv/bin/python bench/run_all.py [--only numbering,issue,render,print]  (`make bench`)
Needs the PostgreSQL server of the system tests (LABELSVC_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
# `bench/numbering.py` must not hide the `numbering` package: import benchmarks as bench.*.
sys.path[:] = [str(ROOT), str(ROOT / "tests" / "system")] + [p for p in sys.path if p != HERE]

from bench._table import Result, print_table  # noqa: E402

# Each module exposes main(argv) -> list[Result]; arguments keep the whole run near 3 minutes.
BENCHMARKS: dict[str, list[str]] = {
    "numbering": [],
    "issue": ["--seconds", "10"],
    "render": ["--labels", "1000", "--peak-labels", "100000"],
    "print": ["--backend", "both"],
}


def _first(path: str, key: str) -> str:
    """The value of the first `key: value` line of a /proc file."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _postgres_version() -> str:
    """The version of the PostgreSQL server the benchmarks use."""
    try:
        import psycopg

        import cluster

        with psycopg.connect(cluster._libpq(cluster.POSTGRES_URL), connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except Exception as exc:  # noqa: BLE001 - say why rather than fail the report
        return f"unreachable ({type(exc).__name__})"


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    kib = _first("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(kib) / 1024 / 1024:.1f} GiB" if kib.isdigit() else "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [("CPU", _first("/proc/cpuinfo", "model name")),
            ("cores", str(os.cpu_count())), ("memory", memory),
            ("load average at start", load),
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("PostgreSQL", _postgres_version()), ("system", platform.platform())]


def _figure(value: float | None, unit: str) -> str:
    """A figure with its unit, or blank."""
    if value is None:
        return ""
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.3g} {unit}"


def summary(results: list[Result]) -> list[tuple[str, ...]]:
    """One table row per figure."""
    verdict = {True: "pass", False: "FAIL", None: ""}
    return [(r.bench, r.measure, _figure(r.ours, r.unit), _figure(r.baseline, r.unit),
             f"{r.ratio:.2f}" if r.ratio is not None else "", r.goal, verdict[r.ok])
            for r in results]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print their own tables, then the summary; 1 if a goal failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmarks (default: all present)")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    about = machine()
    results: list[Result] = []
    took: list[tuple[str, str]] = []
    for name in chosen:
        if not (ROOT / "bench" / f"{name}.py").exists():
            took.append((name, "not present"))
            continue
        print(f"\n=== bench/{name}.py", flush=True)
        start = time.monotonic()
        try:
            results += importlib.import_module(f"bench.{name}").main(BENCHMARKS.get(name, []))
            took.append((name, f"{time.monotonic() - start:.0f} s"))
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            results.append(Result(name, "benchmark did not finish", float("nan"), "",
                                  goal="runs", ok=False))
            took.append((name, "failed"))
    print_table("labelsvc benchmarks: ours vs baselines from the same run",
                ["bench", "measure", "ours", "baseline", "ratio", "goal", "result"],
                summary(results))
    print_table("machine", ["what", "value"], about + [(f"time: {n}", t) for n, t in took])
    return 0 if all(r.ok is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
