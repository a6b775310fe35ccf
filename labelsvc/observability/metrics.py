"""Prometheus metrics: request latency in process memory, the registry's state at scrape time.

Request latency is counted in each worker process. Under `labelsvc serve` the workers write
it to files in a directory of that serve process only (`<DATA_DIR>/metrics/serve-<pid>-*`),
and a scrape adds them up. Everything about the registry (identifiers issued, counter
headroom, print jobs, printer faults) is read from the database when scraped, so each service
process answers the same, exact figures: the wiring hands `build_registry` the function that
reads them (`labelsvc.services.registry_metrics`), as this package imports nothing of the
registry.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics, values
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# Reads the registry's metrics at a scrape; raises when the database does not answer.
RegistryReader = Callable[[], list[Metric]]

disable_created_metrics()  # type: ignore[no-untyped-call]  # `_created` says nothing here

_directory: Path | None = None
_directory_lock: IO[str] | None = None
_directory_owner = 0


def _lock(path: Path) -> IO[str] | None:
    """Take the lock file of a metrics directory without waiting; None when held elsewhere."""
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def claim_directory(data_dir: str | Path) -> Path:
    """Give this serve process (and the workers it forks) a metrics directory of its own.

    Directories of serve processes that have stopped (their lock is free) are removed.
    Call before the server starts its worker processes.
    """
    global _directory, _directory_lock, _directory_owner
    root = Path(data_dir) / "metrics"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("serve-*"):
        held = _lock(old / "lock") if old.is_dir() else None
        if held is not None:
            shutil.rmtree(old, ignore_errors=True)
            held.close()
    path = Path(tempfile.mkdtemp(prefix=f"serve-{os.getpid()}-", dir=root))
    _directory_lock = _lock(path / "lock")
    _directory, _directory_owner = path, os.getpid()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    return path


def release_directory() -> None:
    """Remove this serve process's metrics directory when it stops (not when a worker does)."""
    global _directory, _directory_lock
    if os.getpid() != _directory_owner:
        return
    if _directory is not None:
        shutil.rmtree(_directory, ignore_errors=True)
    if _directory_lock is not None:
        _directory_lock.close()
    _directory = _directory_lock = None


@functools.cache
def request_seconds() -> Histogram:
    """HTTP request latency by endpoint, method and status (one per process, made lazily)."""
    return Histogram("labelsvc_http_request_duration_seconds",
                     "Time to answer an HTTP request, by endpoint (URL rule), method and status",
                     ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS, registry=None)


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    request_seconds().labels(endpoint, method, str(status)).observe(seconds)


def build_registry(read_registry: RegistryReader | None = None) -> CollectorRegistry:
    """The collectors of one application: request latency and the registry's state."""
    registry = CollectorRegistry(auto_describe=False)
    if _directory is not None:
        MultiProcessCollector(registry, path=str(_directory))  # type: ignore[no-untyped-call]
    else:
        registry.register(request_seconds())
    if read_registry is not None:
        registry.register(RegistryCollector(read_registry))
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format of every metric in a registry."""
    return generate_latest(registry)


class RegistryCollector:
    """Answers what `read` finds in the registry database at each scrape."""

    def __init__(self, read: RegistryReader) -> None:
        self.read = read

    def describe(self) -> list[Metric]:
        """Nothing up front: the metrics are read when scraped."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Answer the registry's metrics; `labelsvc_registry_up 0` when it does not answer."""
        up = GaugeMetricFamily("labelsvc_registry_up",
                               "1 when the registry database answered this scrape")
        try:
            found = self.read()
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("metrics: the registry database does not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found
