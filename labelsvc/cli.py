"""The `labelsvc` command line: one sub-command per function `add_*` below."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from labelsvc.config import load_config

if TYPE_CHECKING:
    from labelsvc.registry.database import Database

Handler = Callable[[argparse.Namespace], int]


class NoRegistry(Exception):
    """A command that only uses a registry found none where the configuration points."""


@contextmanager
def registry(*, prepare: bool = False, create: bool = False
             ) -> Iterator[tuple[dict[str, Any], Database]]:
    """Read the configuration once, log as it says, and open the registry up to date.

    Only `create` commands make a new registry, and they say where; the others refuse
    (NoRegistry) rather than start an empty one beside the plant's. `prepare` also defines
    the example schemes on a first start (`serve`); the registry is closed when the command
    is done with it.
    """
    from labelsvc.app import configure_logging, open_database, prepare_database
    from labelsvc.registry import setup

    config = load_config()
    configure_logging(config)
    url = config["DATABASE_URL"]
    if not setup.exists(url):
        if not create:
            raise NoRegistry(
                f"no registry at {setup.location(url)}; run this where the service runs (the "
                f"same LABELSVC_DATA_DIR or LABELSVC_DATABASE_URL), or add --init to create "
                f"a new registry there")
        # A log line, not a bare print: `serve` writes its standard error as JSON lines.
        logging.getLogger("labelsvc.cli").warning("creating a new registry at %s",
                                                  setup.location(url))
    db = open_database(config)
    try:
        if prepare:
            prepare_database(db, config)
        else:
            setup.upgrade(db)
        yield config, db
    finally:
        db.dispose()


def command_line_actor() -> str:
    """Who runs a command, for the audit trail: `cli:` and the operating system's user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a container's user without a name
        import os

        return f"cli:uid-{os.getuid()}"


def _serve(args: argparse.Namespace) -> int:
    """Migrate, seed, then run the service under granian."""
    from labelsvc.server import PortTaken, Server

    with registry(prepare=True, create=True) as (config, _db):
        # The options win over the environment, for the address a printer may not have too.
        config.update({k: v for k, v in (("HOST", args.host), ("PORT", args.port)) if v})
        server = Server(config, host=args.host, port=args.port, workers=args.workers)
    try:
        server.run()  # the registry is closed before granian starts its workers
    except PortTaken as exc:
        print(f"labelsvc: {exc}", file=sys.stderr)
        return 2
    return 0


def _token_create(args: argparse.Namespace) -> int:
    """Create an API token and print it alone on the last line of standard output."""
    from labelsvc.errors import LabelsvcError
    from labelsvc.services.tokens import create_token

    with registry(create=args.init) as (_config, db):
        try:
            token = create_token(db, name=args.name, role=args.role, owner=args.owner,
                                 actor=command_line_actor())
        except LabelsvcError as exc:
            print(f"labelsvc: {exc.detail}", file=sys.stderr)
            return 2
    owner = f", belonging to {args.owner.strip().lower()}" if args.owner else ""
    print(f"created {args.role} token {args.name!r}{owner}", file=sys.stderr)
    print(token)
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    """Revoke the tokens of a name; every process refuses them within its token cache time."""
    from labelsvc.services.tokens import revoke_tokens

    with registry() as (config, db):
        count = revoke_tokens(db, name=args.name, actor=command_line_actor())
    print(f"revoked {count} token(s) named {args.name!r}; services refuse them within "
          f"{config['TOKEN_CACHE_SECONDS']:g} s", file=sys.stderr)
    return 0 if count else 1


def _db_upgrade(_args: argparse.Namespace) -> int:
    """Apply pending migrations (a new registry is created, and where is said)."""
    with registry(create=True):
        print("registry is up to date", file=sys.stderr)
    return 0


def add_serve(sub: Any) -> None:
    """`labelsvc serve [--host] [--port] [--workers]`."""
    cmd = sub.add_parser("serve", help="run the HTTP service (granian)")
    cmd.add_argument("--host", help="address to listen on (LABELSVC_HOST)")
    cmd.add_argument("--port", type=int, help="port to listen on (LABELSVC_PORT)")
    cmd.add_argument("--workers", type=int, help="worker processes (LABELSVC_WORKERS)")
    cmd.set_defaults(handler=_serve)


def add_token(sub: Any) -> None:
    """`labelsvc token create --role ROLE --name NAME [--init]`, `labelsvc token revoke --name
    NAME`."""
    token = sub.add_parser("token", help="manage API tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a token; printed on the last line")
    create.add_argument("--role", required=True, choices=["admin", "line", "receiver", "viewer"])
    create.add_argument("--name", required=True)
    create.add_argument("--owner", metavar="USERNAME",
                        help="the person the token belongs to (who must hold its role); "
                             "the records name both, and it stops working when they are "
                             "disabled")
    create.add_argument("--init", action="store_true",
                        help="create a new registry if there is none where the configuration "
                             "points (otherwise refused)")
    create.set_defaults(handler=_token_create)
    revoke = actions.add_parser("revoke", help="revoke every token of a name")
    revoke.add_argument("--name", required=True)
    revoke.set_defaults(handler=_token_revoke)


class PasswordNotRead(Exception):
    """No password could be read (no terminal, the two entries differ, nothing on stdin)."""


def _read_password(args: argparse.Namespace) -> str:
    """The new password from standard input's first line, or asked twice on the terminal;
    it is never echoed, logged or shown."""
    import getpass

    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise PasswordNotRead("no password on standard input")
        return line
    if not sys.stdin.isatty():
        raise PasswordNotRead("no terminal to ask the password on; send it on standard "
                              "input with --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise PasswordNotRead("the two passwords differ; nothing was changed")
    return first


def _user_change(args: argparse.Namespace) -> int:
    """Run one `labelsvc user` action and say what it did on standard error."""
    from labelsvc.errors import LabelsvcError
    from labelsvc.services import people

    try:
        password = _read_password(args) if args.action in ("create", "passwd") else ""
        with registry() as (_config, db):
            if args.action == "create":
                done = people.create_user(db, username=args.username, password=password,
                                          roles=args.role, display_name=args.display_name,
                                          created_by=command_line_actor())
                print(f"created {done.username} ({done.display_name}) with the role(s) "
                      f"{', '.join(done.roles)}", file=sys.stderr)
            elif args.action == "passwd":
                done = people.change_password(db, args.username, password,
                                              actor=command_line_actor())
                print(f"changed {done.username}'s password", file=sys.stderr)
            else:
                done = people.set_disabled(db, args.username, args.action == "disable",
                                           actor=command_line_actor())
                print(f"{done.username} is {args.action}d; tokens they own follow within "
                      f"the services' token cache time", file=sys.stderr)
    except (LabelsvcError, PasswordNotRead) as exc:
        print(f"labelsvc: {getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 2
    return 0


def _user_list(_args: argparse.Namespace) -> int:
    """List people's accounts: username, display name, roles and state."""
    from labelsvc.services import people

    with registry() as (_config, db):
        found = people.list_users(db).items
    for user in found:
        state = ("disabled" if user.disabled else
                 f"locked until {user.locked_until}" if user.locked_until else "enabled")
        print(f"{user.username}\t{user.display_name}\t{','.join(user.roles)}\t{state}")
    return 0


def add_user(sub: Any) -> None:
    """`labelsvc user create|list|disable|enable|passwd`."""
    user = sub.add_parser("user", help="manage people's accounts")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a person's account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, action="append",
                        choices=["admin", "line", "receiver", "viewer"],
                        help="a role; repeat for several (the person acts with all of them)")
    create.add_argument("--display-name", help="the name shown and signed with")
    passwd = actions.add_parser("passwd", help="set a new password")
    passwd.add_argument("--username", required=True)
    for cmd in (create, passwd):
        cmd.add_argument("--password-stdin", action="store_true",
                         help="read the password from standard input's first line instead "
                              "of asking twice")
        cmd.set_defaults(handler=_user_change)
    for action, what in (("disable", "disable an account: sign-in, its tokens and sessions "
                                     "stop working"),
                         ("enable", "enable an account again (also lifts a lock)")):
        cmd = actions.add_parser(action, help=what)
        cmd.add_argument("--username", required=True)
        cmd.set_defaults(handler=_user_change)
    actions.add_parser("list", help="list accounts (never a password or hash)").set_defaults(
        handler=_user_list)


def _audit_verify(_args: argparse.Namespace) -> int:
    """Check the audit trail's chain; print the answer as JSON; exit 1 when it is broken."""
    from labelsvc.services import audit

    with registry() as (_config, db):
        answer = audit.verify(db)
    print(answer.model_dump_json(exclude_none=True))
    if not answer.ok:
        print(f"labelsvc: the audit trail is broken at row {answer.first_broken} "
              f"({answer.why})", file=sys.stderr)
    return 0 if answer.ok else 1


def add_audit(sub: Any) -> None:
    """`labelsvc audit verify`."""
    cmd = sub.add_parser("audit", help="the audit trail")
    actions = cmd.add_subparsers(dest="action", required=True)
    actions.add_parser("verify", help="check that no audit row was changed, removed or "
                                      "inserted by hand (exit 1 if one was)"
                       ).set_defaults(handler=_audit_verify)


def add_db(sub: Any) -> None:
    """`labelsvc db upgrade`."""
    db = sub.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=_db_upgrade)


def _worker(args: argparse.Namespace) -> int:
    """Run a print worker in the foreground until SIGTERM or Ctrl-C."""
    import signal
    import threading

    from labelsvc.app import confine_printers, record_settings
    from labelsvc.services.labels import SETTINGS
    from labelsvc.services.printers import check_drivers
    from labelsvc.worker import PrintWorker, settings_from_config

    with registry() as (config, db):
        check_drivers(db)
        confine_printers(config)
        record_settings(db, config, "worker")
        SETTINGS.configure(config)
        if args.threads:
            config["PRINT_THREADS"] = args.threads
        worker = PrintWorker(db, settings_from_config(config), name=args.name)
        done = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
        worker.start()
        done.wait()
        worker.stop(15)
    return 0


def _printer_sim(args: argparse.Namespace) -> int:
    """Run the virtual printer with the options given."""
    from printers.sim import main as sim_main

    argv = ["--host", args.host, "--port", str(args.port),
            "--label-seconds", str(args.label_seconds)]
    for flag, value in (("--control-port", args.control_port), ("--spool-dir", args.spool_dir),
                        ("--reset-after", args.reset_after)):
        if value is not None:
            argv += [flag, str(value)]
    argv += ["--png"] * args.png + ["--answer-in-error"] * args.answer_in_error
    for mode in args.fault:
        argv += ["--fault", mode]
    return sim_main(argv)


def add_worker(sub: Any) -> None:
    """`labelsvc worker [--threads N] [--name NAME]`."""
    cmd = sub.add_parser("worker", help="run a print worker process (scale-out)")
    cmd.add_argument("--threads", type=int, help="printers driven at once (LABELSVC_PRINT_THREADS)")
    cmd.add_argument("--name", help="worker name in leases and logs (default host:pid:random)")
    cmd.set_defaults(handler=_worker)


def add_printer_sim(sub: Any) -> None:
    """`labelsvc printer-sim [--port N] ...`: the virtual printer's own options."""
    from printers.sim import build_parser

    sub.add_parser("printer-sim", parents=[build_parser()], add_help=False,
                   help="run a virtual ZPL printer").set_defaults(handler=_printer_sim)


COMMANDS: list[Callable[[Any], None]] = [add_serve, add_token, add_user, add_db, add_audit,
                                         add_worker, add_printer_sim]


def main(argv: list[str] | None = None) -> int:
    """Run the `labelsvc` command."""
    parser = argparse.ArgumentParser(prog="labelsvc")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except NoRegistry as exc:
        print(f"labelsvc: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
