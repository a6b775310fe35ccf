"""Deliver a stream of labels to one printer with periodic print confirmations."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from printers.base import PrinterConnection, PrinterDriver
from printers.errors import PrinterError
from printers.status import PrinterStatus

K = TypeVar("K")

MAX_CONFIRM_EVERY = 100
"""Labels sent at most between two confirmations: the most a broken connection sends again."""


@dataclass(frozen=True, slots=True)
class DeliveryResult(Generic[K]):
    """How a delivery ended: all labels confirmed, or cancelled before the next one."""

    confirmed: int
    cancelled: bool = False
    unconfirmed: tuple[K, ...] = ()
    status: PrinterStatus | None = None


class DeliveryInterrupted(PrinterError):
    """A delivery stopped on a printer error; says which sent labels are unconfirmed.

    `reason` is the cause's slug; `unconfirmed` lists, in order, the keys of labels
    that were sent (the last one perhaps partly) since the last confirmation: a
    worker sends them again and flags them as possible duplicates.
    """

    def __init__(self, cause: PrinterError, unconfirmed: Sequence[object], confirmed: int) -> None:
        super().__init__(f"{cause} ({len(unconfirmed)} labels sent but not confirmed)")
        self.cause = cause
        self.reason = cause.reason
        self.unconfirmed: tuple[object, ...] = tuple(unconfirmed)
        self.confirmed = confirmed


class _Delivery(Generic[K]):
    """The running state of one delivery: labels sent since the last confirmation."""

    def __init__(
        self,
        connection: PrinterConnection,
        confirm_timeout: float,
        on_confirmed: Callable[[Sequence[K], PrinterStatus], None] | None,
        on_status: Callable[[PrinterStatus], None] | None,
    ) -> None:
        self.connection = connection
        self.confirm_timeout = confirm_timeout
        self.on_confirmed = on_confirmed
        self.on_status = on_status
        self.pending: list[K] = []
        self.confirmed = 0
        self.status: PrinterStatus | None = None

    def check(self) -> None:
        """Read the status before the first label."""
        self._seen(self.connection.status())

    def send(self, key: K, label: bytes) -> None:
        """Send one label; it counts as sent even if the send fails halfway."""
        self.pending.append(key)
        self.connection.send(label)

    def confirm(self) -> None:
        """Confirm every pending label and report them."""
        if not self.pending:
            return
        status = self.connection.confirm(self.confirm_timeout)
        self._seen(status)
        if self.on_confirmed is not None:
            self.on_confirmed(tuple(self.pending), status)
        self.confirmed += len(self.pending)
        self.pending.clear()

    def _seen(self, status: PrinterStatus) -> None:
        """Keep and report a status answer."""
        self.status = status
        if self.on_status is not None:
            self.on_status(status)


def _next_step(batch: int, seconds: float, confirm_seconds: float, most: int) -> int:
    """Labels to send before the next confirmation: what the printer printed in
    `confirm_seconds` at the pace of the last batch, 1 to `most`."""
    if seconds <= 0:
        return most
    return max(1, min(most, int(confirm_seconds * batch / seconds)))


def deliver(
    driver: PrinterDriver,
    labels: Iterable[tuple[K, bytes]],
    *,
    job_name: str | None = None,
    confirm_every: int = MAX_CONFIRM_EVERY,
    confirm_timeout: float = 120.0,
    on_confirmed: Callable[[Sequence[K], PrinterStatus], None] | None = None,
    on_status: Callable[[PrinterStatus], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    confirm_seconds: float | None = None,
) -> DeliveryResult[K]:
    """Send `(key, label)` pairs in order on one connection, confirming that they printed.

    The status is checked before the first label; a confirmation follows at least
    every `confirm_every` labels and after the last, and `on_confirmed` gets the keys
    it proved printed. With `confirm_seconds`, confirmations also come about that often
    while a slow printer works: the first follows the first label, and each next one after
    as many labels as the printer printed in that time at its pace so far (at most
    `confirm_every`), so progress shows while a job prints. `should_cancel` is asked before
    each label; a cancelled
    delivery returns its unconfirmed keys. Only `confirm_every` keys are held at once.
    An exception from `labels` or a callback propagates unchanged, after the labels
    already sent are confirmed when it comes from `labels`.

    Raises:
        DeliveryInterrupted: on any printer error, naming the unconfirmed labels.
    """
    if not 1 <= confirm_every <= MAX_CONFIRM_EVERY:
        raise ValueError(f"confirm_every must be 1 to {MAX_CONFIRM_EVERY}, not {confirm_every}")
    run: _Delivery[K] | None = None
    try:
        with driver.connect(job_name) as connection:
            run = _Delivery(connection, confirm_timeout, on_confirmed, on_status)
            run.check()
            step = 1 if confirm_seconds is not None else confirm_every
            started = time.monotonic()
            iterator = iter(labels)
            while True:
                if should_cancel is not None and should_cancel():
                    return DeliveryResult(run.confirmed, True, tuple(run.pending), run.status)
                try:
                    key, label = next(iterator)
                except StopIteration:
                    break
                except Exception:
                    run.confirm()
                    raise
                run.send(key, label)
                if len(run.pending) >= step:
                    batch = len(run.pending)
                    run.confirm()
                    if confirm_seconds is not None:
                        step = _next_step(batch, time.monotonic() - started, confirm_seconds,
                                          confirm_every)
                        started = time.monotonic()
            run.confirm()
            return DeliveryResult(run.confirmed, False, (), run.status)
    except DeliveryInterrupted:
        raise
    except PrinterError as exc:
        pending = run.pending if run is not None else []
        confirmed = run.confirmed if run is not None else 0
        raise DeliveryInterrupted(exc, pending, confirmed) from exc
