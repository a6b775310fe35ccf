"""Configuration from `LABELSVC_*` environment variables.

| variable | default | meaning |
| --- | --- | --- |
| `LABELSVC_DATA_DIR` | `./data` | where the SQLite database and its lock file live |
| `LABELSVC_DATABASE_URL` | `sqlite:///<DATA_DIR>/labelsvc.sqlite3` | database URL (see below) |
| `LABELSVC_SEED_EXAMPLES` | `1` | define the example schemes on first start (`0`: off) |
| `LABELSVC_HOST` | `127.0.0.1` | address `labelsvc serve` listens on |
| `LABELSVC_PORT` | `8000` | port `labelsvc serve` listens on |
| `LABELSVC_WORKERS` | 2 x CPUs + 1, at most 8 | gunicorn worker processes of `labelsvc serve` |
| `LABELSVC_LOG_LEVEL` | `INFO` | `DEBUG`, `INFO`, `WARNING` or `ERROR` |
| `LABELSVC_IDEMPOTENCY_HOURS` | `48` | how long Idempotency-Key answers are replayed (min 24) |
| `LABELSVC_MAX_BODY_BYTES` | `16777216` | largest request body accepted (413 above) |
| `LABELSVC_DB_POOL_SIZE` | `5` | database connections kept per process (PostgreSQL) |
| `LABELSVC_DB_BUSY_SECONDS` | `30` | how long a SQLite writer waits for the write lock |
| `LABELSVC_TOKEN_CACHE_SECONDS` | `10` | seconds a looked-up token is trusted (`0`: none) |

PostgreSQL: `LABELSVC_DATABASE_URL=postgresql+psycopg://user:password@host:5432/dbname`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PREFIX = "LABELSVC_"


def _flag(value: str) -> bool:
    """Read a yes/no environment value."""
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def default_workers() -> int:
    """Pick a worker count for this host: two per CPU plus one, at most eight."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the service configuration from the environment."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(PREFIX + "DATA_DIR", "data")).expanduser()
    database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{data_dir / 'labelsvc.sqlite3'}"
    idempotency_hours = max(24, int(env.get(PREFIX + "IDEMPOTENCY_HOURS", "48")))
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "SEED_EXAMPLES": _flag(env.get(PREFIX + "SEED_EXAMPLES", "1")),
        "HOST": env.get(PREFIX + "HOST", "127.0.0.1"),
        "PORT": int(env.get(PREFIX + "PORT", "8000")),
        "WORKERS": int(env.get(PREFIX + "WORKERS", "0")) or default_workers(),
        "LOG_LEVEL": env.get(PREFIX + "LOG_LEVEL", "INFO").upper(),
        "IDEMPOTENCY_HOURS": idempotency_hours,
        "MAX_CONTENT_LENGTH": int(env.get(PREFIX + "MAX_BODY_BYTES", str(16 * 1024 * 1024))),
        "DB_POOL_SIZE": int(env.get(PREFIX + "DB_POOL_SIZE", "5")),
        "DB_BUSY_SECONDS": float(env.get(PREFIX + "DB_BUSY_SECONDS", "30")),
        "TOKEN_CACHE_SECONDS": float(env.get(PREFIX + "TOKEN_CACHE_SECONDS", "10")),
        "PREPARE_DATABASE": True,
    }
