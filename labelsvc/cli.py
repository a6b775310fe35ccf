"""The `labelsvc` command line: one sub-command per function `add_*` below."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from labelsvc.config import load_config

Handler = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    """Migrate, seed, then run the service under gunicorn."""
    from labelsvc.app import open_database
    from labelsvc.registry import setup
    from labelsvc.server import Server

    config = load_config()
    db = open_database(config)
    setup.prepare(db, seed_examples=config["SEED_EXAMPLES"])
    db.dispose()
    Server(host=args.host or config["HOST"], port=args.port or config["PORT"],
           workers=args.workers or config["WORKERS"], log_level=config["LOG_LEVEL"]).run()
    return 0


def _token_create(args: argparse.Namespace) -> int:
    """Create an API token and print it alone on the last line of standard output."""
    from labelsvc.app import open_database
    from labelsvc.errors import LabelsvcError
    from labelsvc.registry import setup
    from labelsvc.services.tokens import create_token

    config = load_config()
    db = open_database(config)
    setup.upgrade(db)
    try:
        token = create_token(db, name=args.name, role=args.role)
    except LabelsvcError as exc:
        print(f"labelsvc: {exc.detail}", file=sys.stderr)
        return 2
    print(f"created {args.role} token {args.name!r}", file=sys.stderr)
    print(token)
    return 0


def _db_upgrade(_args: argparse.Namespace) -> int:
    """Apply pending migrations."""
    from labelsvc.app import open_database
    from labelsvc.registry import setup

    setup.upgrade(open_database(load_config()))
    print("registry is up to date", file=sys.stderr)
    return 0


def add_serve(sub: Any) -> None:
    """`labelsvc serve [--host] [--port] [--workers]`."""
    cmd = sub.add_parser("serve", help="run the HTTP service (gunicorn)")
    cmd.add_argument("--host", help="address to listen on (LABELSVC_HOST)")
    cmd.add_argument("--port", type=int, help="port to listen on (LABELSVC_PORT)")
    cmd.add_argument("--workers", type=int, help="worker processes (LABELSVC_WORKERS)")
    cmd.set_defaults(handler=_serve)


def add_token(sub: Any) -> None:
    """`labelsvc token create --role ROLE --name NAME`."""
    token = sub.add_parser("token", help="manage API tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a token; printed on the last line")
    create.add_argument("--role", required=True, choices=["admin", "line", "receiver", "viewer"])
    create.add_argument("--name", required=True)
    create.set_defaults(handler=_token_create)


def add_db(sub: Any) -> None:
    """`labelsvc db upgrade`."""
    db = sub.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=_db_upgrade)


COMMANDS: list[Callable[[Any], None]] = [add_serve, add_token, add_db]


def main(argv: list[str] | None = None) -> int:
    """Run the `labelsvc` command."""
    parser = argparse.ArgumentParser(prog="labelsvc")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
