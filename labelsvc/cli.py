"""The `labelsvc` command line."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the `labelsvc` command."""
    parser = argparse.ArgumentParser(prog="labelsvc")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from labelsvc import create_app

        create_app().run(host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
