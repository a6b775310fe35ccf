"""The issuing service: prepare, reserve and record, by the single statement or a transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection

from labelsvc.contract.models import IdentifierOut, IssueOut
from labelsvc.contract.print_models import JobOut
from labelsvc.errors import LabelsvcError
from labelsvc.registry.database import Database
from labelsvc.services import tokens
from labelsvc.services.identifiers import identifier_out
from labelsvc.services.issuing import statement
from labelsvc.services.issuing.cache import IssuingCache, Position
from labelsvc.services.issuing.prepare import IssueRequest, Prepared, prepare
from labelsvc.services.issuing.record import Recorded, issue_blocks, record_values
from labelsvc.services.issuing.reserve import Block, StaleScheme, reserve_block
from labelsvc.services.printing import MAX_LABELS_PER_JOB, Limits, check_job_size, create_job
from labelsvc.services.tokens import Actor
from numbering import NumberingError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Issued:
    """The issued values, the identifier answer they all share but for `value`, and the job."""

    values: list[str]
    shared: IdentifierOut
    print_job: JobOut | None
    kind: str = "serial"
    scheme: str = ""
    json: str = ""

    @property
    def identifiers(self) -> list[IdentifierOut]:
        """The identifier answers, one per value."""
        return [self.shared.model_copy(update={"value": value}) for value in self.values]

    def to_json(self) -> str:
        """The issue answer (IssueOut) as JSON, what the identifiers share written once."""
        return IssueOut.json_of(self.shared, self.values, self.print_job)


@dataclass(frozen=True)
class Reservation:
    """Counter positions taken for identifiers to be made elsewhere, and what they are made of."""

    prepared: Prepared
    block: Block


class Issuer:
    """Issues identifiers into one registry, and keeps what this process learnt doing it."""

    def __init__(self, db: Database, *, max_labels_per_job: int = MAX_LABELS_PER_JOB) -> None:
        self.db = db
        self.cache = IssuingCache()
        self.max_labels_per_job = max_labels_per_job

    def issue(self, req: IssueRequest, actor: Actor) -> Issued:
        """Issue `count` identifiers atomically with their `issued` events (and print job).

        A small request without a print job or a lot first tries one autocommitted statement;
        whenever that writes nothing, the ordinary transaction issues what was prepared for it.
        A lot is checked for holds in the transaction that issues into it.
        """
        if req.print is not None:
            actor.require(tokens.PRINT)
            check_job_size(req.count, req.print.copies, self.max_labels_per_job, "print.")
        prepared = None
        if req.print is None and req.lot is None and self.db.can_autocommit():
            with self.db.autocommit() as conn:
                prepared = self._prepared(conn, req, actor)
                done = statement.issue(conn, prepared, req.count, self.cache)
            if done is not None:
                return self._logged(actor, self._issued(prepared, done, None))
        with self.db.transaction() as conn:
            prepared, (done, after) = self._under_current_version(
                conn, req, actor,
                lambda p, check: (p, issue_blocks(conn, p, req.count, check_version=check)),
                prepared)
            job = None
            if req.print is not None:
                job = create_job(conn, [id_ for _, id_ in done.values()], req.print, actor,
                                 limits=Limits(max_labels=self.max_labels_per_job),
                                 field_prefix="print.",
                                 fresh=True)
            issued = self._issued(prepared, done, job)  # the answer exists before the commit
        self.cache.remember(prepared.current.id, prepared.key, Position(after))  # committed
        return self._logged(actor, issued)

    def reserve(self, req: IssueRequest, actor: Actor) -> Reservation:
        """Take `count` counter positions and record no identifier: a line that prints
        offline makes the identifiers itself and records them later (`record`)."""
        with self.db.transaction() as conn:
            reservation = self._under_current_version(
                conn, req, actor, lambda p, check: Reservation(
                    p, reserve_block(conn, p, req.count, check_version=check)))
        self.cache.remember(reservation.prepared.current.id, reservation.prepared.key,
                            Position(reservation.block.after))
        return reservation

    def record(self, reservation: Reservation, values: Mapping[int, str], actor: Actor
               ) -> Issued:
        """Record identifiers made elsewhere inside a reserved block (position -> value)."""
        with self.db.transaction() as conn:
            done = record_values(conn, reservation.prepared, reservation.block, values)
            issued = self._issued(reservation.prepared,
                                  dict(sorted(done.items(), key=lambda item: item[1][0])), None)
        return self._logged(actor, issued)

    def _under_current_version(self, conn: Connection, req: IssueRequest, actor: Actor,
                               work: Callable[[Prepared, bool], T],
                               prepared: Prepared | None = None) -> T:
        """Run `work` under the version this process knows (or `prepared` under it) and, when
        its reservation finds that version stale, once more under the registry's current one:
        a stale version raises before anything is written. `work` gets whether to check."""
        try:
            return work(prepared or self._prepared(conn, req, actor), True)
        except StaleScheme:
            return work(self._prepared(conn, req, actor, fresh=True), False)

    def _prepared(self, conn: Connection, req: IssueRequest, actor: Actor, *,
                  fresh: bool = False) -> Prepared:
        """The request checked against the scheme version it is issued under.

        A refusal under the version this process knew is judged again under the registry's
        current version, in case another process has defined a newer one since (say, a new
        model code).
        """
        current = self.cache.scheme(conn, req.scheme, fresh=fresh)
        try:
            return prepare(conn, current, req, actor)
        except (NumberingError, LabelsvcError):
            newer = current if fresh else self.cache.scheme(conn, req.scheme, fresh=True)
            if newer.version == current.version:
                raise
            return prepare(conn, newer, req, actor)

    @staticmethod
    def _issued(prepared: Prepared, done: Recorded, print_job: JobOut | None) -> Issued:
        """The answer to an issue request, its JSON written: built inside the transaction, so
        an answer that cannot be made rolls the issue back (a 5xx never follows a commit)."""
        current = prepared.current
        shared = identifier_out({**prepared.base, "value": "", "scheme": current.name,
                                 "version": current.version, "lot": prepared.lot})
        issued = Issued(list(done), shared, print_job, current.scheme.kind, current.name)
        issued.json = issued.to_json()
        return issued

    @staticmethod
    def _logged(actor: Actor, issued: Issued) -> Issued:
        """Log what was issued, once it is committed."""
        log.info("%s issued %d %s(s) of %s", actor.name, len(issued.values), issued.kind,
                 issued.scheme)
        return issued
