"""Configuration from `LABELSVC_*` environment variables.

| variable | default | meaning |
| --- | --- | --- |
| `LABELSVC_DATA_DIR` | `./data` | where the SQLite database and its lock file live |
| `LABELSVC_DATABASE_URL` | `sqlite:///<DATA_DIR>/labelsvc.sqlite3` | database URL (see below) |
| `LABELSVC_SEED_EXAMPLES` | `1` | define the example schemes on first start (`0`: off) |
| `LABELSVC_HOST` | `127.0.0.1` | address `labelsvc serve` listens on |
| `LABELSVC_PORT` | `8000` | port `labelsvc serve` listens on |
| `LABELSVC_WORKERS` | one per CPU, 2 to 8 | worker processes of `labelsvc serve` |
| `LABELSVC_THREADS` | `4` | requests one worker process answers at once |
| `LABELSVC_LOG_LEVEL` | `INFO` | `DEBUG`, `INFO`, `WARNING` or `ERROR` |
| `LABELSVC_LOG_FORMAT` | `json` | `json`: one JSON object per line; `text`: for a terminal |
| `LABELSVC_ACCESS_LOG` | `1` | one log line per HTTP request (`0`: off) |
| `LABELSVC_METRICS_COUNTERS` | `50` | counters shown on `/metrics`: those with the least headroom |
| `LABELSVC_METRICS_TOKEN` | unset | `/metrics` then needs `Bearer <it>`; counters by key |
| `LABELSVC_IDEMPOTENCY_HOURS` | `48` | how long Idempotency-Key answers are replayed (min 24) |
| `LABELSVC_MAX_BODY_BYTES` | `16777216` | largest request body accepted (413 above) |
| `LABELSVC_DB_POOL_SIZE` | threads + 1 | database connections kept per process (PostgreSQL) |
| `LABELSVC_DB_BUSY_SECONDS` | `30` | how long a SQLite writer waits for the write lock |
| `LABELSVC_SECRET_KEY` | generated | signs the web session cookie (see below) |
| `LABELSVC_SECURE_COOKIES` | `0` | `1`: the session cookie travels over HTTPS only |
| `LABELSVC_SESSION_IDLE_MINUTES` | `30` | an unused web session ends after this (`0`: never) |
| `LABELSVC_TOKEN_CACHE_SECONDS` | `10` | seconds a looked-up token is trusted (`0`: none) |
| `LABELSVC_PRINT_WORKER` | `1` | a print worker in each `labelsvc serve` process (`0`: off) |
| `LABELSVC_PRINT_THREADS` | `8` | printers one worker process drives at once |
| `LABELSVC_PRINT_POLL_SECONDS` | `0.5` | how often a worker looks for printers with work |
| `LABELSVC_PRINT_LEASE_SECONDS` | `30` | printer lease; renewed every third, taken over after |
| `LABELSVC_PRINT_RETRY_FIRST_SECONDS` | `0.5` | first wait of a held job; doubles per failure |
| `LABELSVC_PRINT_RETRY_MAX_SECONDS` | `10` | longest wait between attempts of a held job |
| `LABELSVC_MAX_LABELS_PER_JOB` | `100000` | labels (identifiers × copies) one print job may hold |
| `LABELSVC_REPRINT_LIMIT` | `2` | reprints per identifier before one needs a second signature |
| `LABELSVC_PRINT_CONFIRM_EVERY` | `100` | labels sent between two print confirmations (1 to 100) |
| `LABELSVC_PRINT_CONFIRM_TIMEOUT` | `120` | seconds a confirmation waits for the printer |
| `LABELSVC_PRINT_CONFIRM_SECONDS` | `2` | a slow printer's labels are confirmed about this often |
| `LABELSVC_SPOOL_ROOT` | `<DATA_DIR>/spool` | where `file` printers' spool folders must lie |
| `LABELSVC_PRINTER_PROBE_SECONDS` | `30` | how often an idle printer's `~HS` status is read |
| `LABELSVC_PRINTER_NETWORKS` | RFC 1918, loopback, IPv6 ULA | CIDRs network printers may be on |
| `LABELSVC_DIGITAL_LINK_BASE` | unset | domain (or http(s) URL) of printed GS1 Digital Links |

PostgreSQL: `LABELSVC_DATABASE_URL=postgresql+psycopg://user:password@host:5432/dbname`.

Without `LABELSVC_SECRET_KEY` the first web request generates a key into
`<DATA_DIR>/secret_key`, which every process on that host then shares; with service processes
on several hosts, set the same `LABELSVC_SECRET_KEY` on each.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from printers import DEFAULT_NETWORKS, parse_networks

PREFIX = "LABELSVC_"
# Settings that change what the registry records or who may reach it, by variable, as the
# audit trail keeps them; sizing, logging and listening addresses are left out (processes
# of one plant differ in those on purpose), and secrets appear as "set" or "unset".
GOVERNED = {"DATABASE_URL": "DATABASE_URL", "SEED_EXAMPLES": "SEED_EXAMPLES",
            "IDEMPOTENCY_HOURS": "IDEMPOTENCY_HOURS", "MAX_CONTENT_LENGTH": "MAX_BODY_BYTES",
            "TOKEN_CACHE_SECONDS": "TOKEN_CACHE_SECONDS",
            "SESSION_COOKIE_SECURE": "SECURE_COOKIES",
            "SESSION_IDLE_MINUTES": "SESSION_IDLE_MINUTES",
            "MAX_LABELS_PER_JOB": "MAX_LABELS_PER_JOB",
            "PRINT_CONFIRM_EVERY": "PRINT_CONFIRM_EVERY",
            "PRINT_CONFIRM_TIMEOUT": "PRINT_CONFIRM_TIMEOUT",
            "PRINT_LEASE_SECONDS": "PRINT_LEASE_SECONDS", "SPOOL_ROOT": "SPOOL_ROOT"}
SECRETS = {"SECRET_KEY": "SECRET_KEY", "METRICS_TOKEN": "METRICS_TOKEN"}


def _flag(value: str) -> bool:
    """Read a yes/no environment value."""
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def default_workers() -> int:
    """Pick a worker count for this host: one per CPU, at least two, at most eight.

    Each worker has LABELSVC_THREADS request threads, and its requests are short bursts of
    CPU between database round trips: more processes than cores only take turns at them
    (on two cores, five workers answered single serials at a p99 of 57 ms, two at 33 ms).
    """
    return max(2, min(os.cpu_count() or 1, 8))


def _without_password(url: str) -> str:
    """A database URL with its password left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def governed_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The settings an auditor follows, keyed by their `LABELSVC_*` names."""
    settings: dict[str, Any] = {PREFIX + name: config.get(key) for key, name in GOVERNED.items()}
    settings[PREFIX + "DATABASE_URL"] = _without_password(str(config["DATABASE_URL"]))
    settings[PREFIX + "SPOOL_ROOT"] = str(config.get("SPOOL_ROOT")
                                          or Path(config["DATA_DIR"]) / "spool")
    settings[PREFIX + "PRINTER_NETWORKS"] = ",".join(config.get("PRINTER_NETWORKS") or ())
    for key, name in SECRETS.items():
        settings[PREFIX + name] = "set" if config.get(key) else "unset"
    return settings


def printer_networks(value: str | None) -> tuple[str, ...]:
    """The networks printers may be on (LABELSVC_PRINTER_NETWORKS); unset or empty: the
    default, private networks and loopback; a bad entry stops start-up, naming it."""
    try:
        return tuple(str(n) for n in parse_networks(value or DEFAULT_NETWORKS))
    except ValueError as exc:
        raise ValueError(f"{PREFIX}PRINTER_NETWORKS: {exc}") from None


def digital_link_base(value: str) -> str | None:
    """Read LABELSVC_DIGITAL_LINK_BASE: a domain (`id.plant.example`, https assumed) or an
    http(s) URL; None when unset."""
    value = value.strip().rstrip("/")
    if not value:
        return None
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?", value):
        raise ValueError(f"LABELSVC_DIGITAL_LINK_BASE {value!r} is not a domain or an http(s) "
                         "address such as https://id.plant.example")
    return value


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the service configuration from the environment."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(PREFIX + "DATA_DIR", "data")).expanduser()
    database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{data_dir / 'labelsvc.sqlite3'}"
    idempotency_hours = max(24, int(env.get(PREFIX + "IDEMPOTENCY_HOURS", "48")))
    threads = max(1, int(env.get(PREFIX + "THREADS", "4")))
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "SEED_EXAMPLES": _flag(env.get(PREFIX + "SEED_EXAMPLES", "1")),
        "HOST": env.get(PREFIX + "HOST", "127.0.0.1"),
        "PORT": int(env.get(PREFIX + "PORT", "8000")),
        "WORKERS": int(env.get(PREFIX + "WORKERS", "0")) or default_workers(),
        "THREADS": threads,
        "LOG_LEVEL": env.get(PREFIX + "LOG_LEVEL", "INFO").upper(),
        "LOG_FORMAT": "text" if env.get(PREFIX + "LOG_FORMAT", "").lower() == "text" else "json",
        "ACCESS_LOG": _flag(env.get(PREFIX + "ACCESS_LOG", "1")),
        "METRICS_COUNTERS": int(env.get(PREFIX + "METRICS_COUNTERS", "50")),
        "METRICS_TOKEN": env.get(PREFIX + "METRICS_TOKEN") or None,
        "IDEMPOTENCY_HOURS": idempotency_hours,
        "MAX_CONTENT_LENGTH": int(env.get(PREFIX + "MAX_BODY_BYTES", str(16 * 1024 * 1024))),
        # A kept connection for every request thread and the print worker's look for work:
        # fewer, and busy moments open and close a PostgreSQL connection per request.
        "DB_POOL_SIZE": int(env.get(PREFIX + "DB_POOL_SIZE", str(threads + 1))),
        "DB_BUSY_SECONDS": float(env.get(PREFIX + "DB_BUSY_SECONDS", "30")),
        "TOKEN_CACHE_SECONDS": float(env.get(PREFIX + "TOKEN_CACHE_SECONDS", "10")),
        "SECRET_KEY": env.get(PREFIX + "SECRET_KEY") or None,
        "SESSION_COOKIE_SECURE": _flag(env.get(PREFIX + "SECURE_COOKIES", "0")),
        "SESSION_IDLE_MINUTES": float(env.get(PREFIX + "SESSION_IDLE_MINUTES", "30")),
        "PRINT_WORKER": _flag(env.get(PREFIX + "PRINT_WORKER", "1")),
        "PRINT_THREADS": int(env.get(PREFIX + "PRINT_THREADS", "8")),
        "PRINT_POLL_SECONDS": float(env.get(PREFIX + "PRINT_POLL_SECONDS", "0.5")),
        "PRINT_LEASE_SECONDS": float(env.get(PREFIX + "PRINT_LEASE_SECONDS", "30")),
        "PRINT_RETRY_FIRST_SECONDS": float(env.get(PREFIX + "PRINT_RETRY_FIRST_SECONDS", "0.5")),
        "PRINT_RETRY_MAX_SECONDS": float(env.get(PREFIX + "PRINT_RETRY_MAX_SECONDS", "10")),
        "PRINT_CONFIRM_EVERY": int(env.get(PREFIX + "PRINT_CONFIRM_EVERY", "100")),
        "PRINT_CONFIRM_TIMEOUT": float(env.get(PREFIX + "PRINT_CONFIRM_TIMEOUT", "120")),
        "PRINT_CONFIRM_SECONDS": max(0.1, float(env.get(PREFIX + "PRINT_CONFIRM_SECONDS", "2"))),
        "PRINTER_PROBE_SECONDS": float(env.get(PREFIX + "PRINTER_PROBE_SECONDS", "30")),
        "PRINTER_NETWORKS": printer_networks(env.get(PREFIX + "PRINTER_NETWORKS")),
        "SPOOL_ROOT": env.get(PREFIX + "SPOOL_ROOT") or None,
        "MAX_LABELS_PER_JOB": max(1, int(env.get(PREFIX + "MAX_LABELS_PER_JOB", "100000"))),
        "REPRINT_LIMIT": max(0, int(env.get(PREFIX + "REPRINT_LIMIT", "2"))),
        "DIGITAL_LINK_BASE": digital_link_base(env.get(PREFIX + "DIGITAL_LINK_BASE", "")),
        "PREPARE_DATABASE": True,
    }
