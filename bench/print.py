"""A 10,000-label print job end to end: `labelsvc serve` issues and writes the job, a
`labelsvc worker` process renders and sends it to `labelsvc printer-sim`, confirming with ~HS.

Prints wall time (issue + job, delivery, total), labels/s and the worker's peak memory after a
1,000-label job and after a 10,000-label job (flat memory: the second peak is about the first).
Goal: the 10,000-label job under 5 s end to end. `--backend sqlite|postgres` (default both).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "system")]

from bench._table import Result, print_table  # noqa: E402

import cluster  # noqa: E402

TEMPLATE = "serial-50x25"
SCHEME = {"name": "bench-serial", "kind": "serial", "pattern": "{model}{seq:7}",
          "codes": {"model": {"W100": "41"}}, "charset": "0-9"}


def _peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run(backend: str, sizes: list[int], work: Path) -> list[list[object]]:
    """Issue and print each size once on a fresh database; one result row per job."""
    url = cluster.create_database() if backend == "postgres" else \
        f"sqlite:///{work / 'bench.sqlite3'}"
    env = cluster.service_env(url, work / "data", LABELSVC_PRINT_WORKER="0",
                              LABELSVC_SEED_EXAMPLES="0", LABELSVC_PRINT_POLL_SECONDS="0.05")
    service = cluster.Service(env, workers=2).start()
    sim = cluster.Simulator().start()
    worker = cluster.Worker(env, name=f"bench-{backend}").start()
    rows: list[list[object]] = []
    try:
        api = cluster.Api(service.port, cluster.create_token(env))
        assert api.post("/api/v1/schemes", SCHEME)[0] == 201
        assert api.post("/api/v1/printers", sim.printer("bench-line"))[0] == 201
        for size in sizes:
            start = time.monotonic()
            status, body = api.post("/api/v1/serials", {
                "scheme": SCHEME["name"], "fields": {"model": "W100"}, "count": size,
                "print": {"printer": "bench-line", "template": TEMPLATE}})
            assert status == 201, body
            issued = time.monotonic()
            done = cluster.wait_job(api, body["print_job"]["id"], timeout=300)
            end = time.monotonic()
            assert done["printed"] == size
            assert worker.proc is not None
            rows.append([backend, size, issued - start, end - issued, end - start,
                         size / (end - start), _peak_mb(worker.proc.pid)])
        received = sim.state()["received"]
        assert received == sum(sizes), received
    finally:
        worker.stop()
        sim.stop()
        service.stop()
        if backend == "postgres":
            cluster.drop_database(url)
    return rows


def main(argv: list[str] | None = None) -> list[Result]:
    """Run the benchmark and print its table; return the figures against their goals."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--labels", type=int, default=10_000)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[list[object]] = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as work:
            rows += _run(backend, [1_000, args.labels], Path(work))
    print_table("Print job end to end (serve + worker + printer-sim, ZPL, confirm every 100)",
                ["backend", "labels", "issue+job s", "delivery s", "total s", "labels/s",
                 "worker peak MB"], rows)
    worst = max(float(str(r[4])) for r in rows if r[1] == args.labels)
    print(f"\ngoal: {args.labels:,} labels under 5 s end to end; slowest run {worst:.2f} s")
    return [Result("print", f"{r[1]:,}-label job end to end, {r[0]}", float(str(r[4])), "s",
                   goal="< 5 s" if r[1] == args.labels else "",
                   ok=float(str(r[4])) < 5 if r[1] == args.labels else None) for r in rows]


if __name__ == "__main__":
    main()
