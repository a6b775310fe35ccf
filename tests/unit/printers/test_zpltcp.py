"""The `zpl-tcp` driver and `deliver()` against the virtual printer on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Sequence

import pytest

from printers import (
    DRIVERS,
    NOT_REACHABLE,
    DeliveryInterrupted,
    PaperOut,
    PrinterDriver,
    PrinterNotAnswering,
    PrinterStatus,
    PrinterUnreachable,
    deliver,
)
from printers.sim import VirtualPrinter


def label(n: int) -> bytes:
    """A small distinct ZPL label."""
    return b"^XA^CI28^FO20,20^A0N,30,30^FDSN%05d^FS^XZ" % n


def labels(count: int) -> Iterator[tuple[int, bytes]]:
    """`(key, label)` pairs for keys 0 … count-1."""
    return ((n, label(n)) for n in range(count))


def test_twenty_labels_printed_once_each_in_order(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    batches: list[tuple[int, ...]] = []

    def confirmed(keys: Sequence[int], status: PrinterStatus) -> None:
        assert status.idle
        assert sim.state()["printed"] >= keys[-1] + 1
        batches.append(tuple(keys))

    result = deliver(driver, labels(20), confirm_every=8, on_confirmed=confirmed)
    assert result.confirmed == 20 and not result.cancelled
    assert batches == [tuple(range(8)), tuple(range(8, 16)), tuple(range(16, 20))]
    assert sim.formats == [label(n) for n in range(20)]
    assert sim.state()["printed"] == 20


def test_confirmation_waits_for_printing(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    sim.label_seconds = 0.02
    seen: list[int] = []
    with driver.connect() as connection:
        connection.status()
        for n in range(10):
            connection.send(label(n))
        status = connection.confirm(timeout=5)
        seen.append(sim.state()["printed"])
    assert status.idle
    assert seen == [10]


def test_confirmation_times_out_when_printing_is_too_slow(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    sim.label_seconds = 10
    with driver.connect() as connection:
        connection.send(label(1))
        started = time.monotonic()
        with pytest.raises(PrinterNotAnswering, match="1 labels remaining"):
            connection.confirm(timeout=0.3)
        assert time.monotonic() - started < 2


def test_quantity_counts_in_labels_remaining(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    sim.label_seconds = 10
    with driver.connect() as connection:
        connection.send(b"^XA^FDx^PQ5^FS^XZ")
        connection.send(b"^XA^FDy^FS^XZ")
        status = connection.status()
    assert (status.formats_in_buffer, status.labels_remaining) == (1, 5)


def test_second_connection_waits_for_the_first(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    with driver.connect() as first:
        first.status()
        with driver.connect() as second, pytest.raises(PrinterUnreachable):
            second.status()  # no answer yet: not reachable, as for any silent port
    assert driver.probe().fault is None


def test_printer_down_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = DRIVERS["zpl-tcp"](host="127.0.0.1", port=port, connect_timeout=1)
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, labels(3))
    assert raised.value.reason == "unreachable"
    assert isinstance(raised.value.cause, PrinterUnreachable)
    assert raised.value.unconfirmed == ()


def test_refusing_printer_is_unreachable_until_it_recovers(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    sim.set_fault("refuse")
    with pytest.raises(PrinterUnreachable):
        driver.probe()
    sim.clear()
    assert driver.probe().fault is None


@pytest.mark.parametrize("mode", ["paper-out", "head-open", "ribbon-out"])
def test_silent_printer_in_media_fault_is_unreachable(
    sim: VirtualPrinter, driver: PrinterDriver, mode: str
) -> None:
    # A Zebra is silent in media faults; before its first answer on a connection that
    # cannot be told from a port where no printer answers, and it must not be.
    sim.set_fault(mode)
    started = time.monotonic()
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, labels(5))
    assert time.monotonic() - started < 2
    assert raised.value.reason == "unreachable"
    assert str(raised.value.cause) == NOT_REACHABLE
    assert "no ~HS answer" in raised.value.cause.detail
    assert sim.formats == []


@pytest.mark.parametrize("mode", ["paper-out", "head-open", "ribbon-out", "pause"])
def test_answered_fault_names_the_reason_and_sends_nothing(
    sim: VirtualPrinter, driver: PrinterDriver, mode: str
) -> None:
    sim.answer_in_error = True
    sim.set_fault(mode)
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, labels(5))
    assert raised.value.reason == {"pause": "paused"}.get(mode, mode)
    assert sim.formats == []


def test_connection_never_sends_after_a_fault_answer(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    sim.answer_in_error = True
    sim.set_fault("paper-out")
    with driver.connect() as connection:
        with pytest.raises(PaperOut):
            connection.status()
        sim.clear()
        with pytest.raises(PaperOut):
            connection.send(label(1))
    assert sim.formats == []


def test_paper_out_mid_job_leaves_the_batch_unconfirmed(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    def stream() -> Iterator[tuple[int, bytes]]:
        for key, data in labels(10):
            if key == 6:
                sim.set_fault("paper-out")
            yield key, data

    confirmed: list[int] = []
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, stream(), confirm_every=4, on_confirmed=lambda k, s: confirmed.extend(k))
    assert confirmed == [0, 1, 2, 3]
    assert raised.value.reason == "printer-error"
    assert raised.value.unconfirmed == (4, 5, 6, 7)
    assert raised.value.confirmed == 4


def test_reset_after_n_labels_reports_exactly_the_unconfirmed(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    sim.set_fault("reset-after", labels=12)
    confirmed: list[int] = []
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, labels(20), confirm_every=5, on_confirmed=lambda k, s: confirmed.extend(k))
    error = raised.value
    assert error.reason == "connection-reset"
    assert confirmed == list(range(10)) and error.confirmed == 10
    # Everything handed to the socket since the last confirmation, in order: labels 10
    # and 11 reached the printer, 12 onwards were sent into the reset connection.
    assert error.unconfirmed == tuple(range(10, 10 + len(error.unconfirmed)))
    assert 12 < 10 + len(error.unconfirmed) <= 15
    assert sim.formats == [label(n) for n in range(12)]
    # The worker resends the unconfirmed labels and the rest on a new connection.
    rest = [(k, label(k)) for k in (*error.unconfirmed, *range(10 + len(error.unconfirmed), 20))]
    assert deliver(driver, rest, confirm_every=5).confirmed == len(rest)
    assert sim.formats[12:] == [label(n) for n in range(10, 20)]


def test_stalled_printer_times_out_promptly(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    sim.set_fault("stall")
    started = time.monotonic()
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, labels(3))
    assert time.monotonic() - started < 2
    assert raised.value.reason == "unreachable"
    sim.clear()
    assert sim.formats == []


def test_stall_mid_job_blocks_sending_within_the_send_timeout(sim: VirtualPrinter) -> None:
    driver = DRIVERS["zpl-tcp"](
        host="127.0.0.1", port=sim.port, send_timeout=0.3, status_timeout=0.3
    )
    big = b"^XA^FD" + b"x" * 1_000_000 + b"^FS^XZ"
    with driver.connect() as connection:
        connection.status()
        sim.set_fault("stall")
        started = time.monotonic()
        with pytest.raises(PrinterNotAnswering, match="took no data"):
            for _ in range(50):
                connection.send(big)
        assert time.monotonic() - started < 5


def test_cancel_stops_before_the_next_label(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    sent: list[int] = []

    def stream() -> Iterator[tuple[int, bytes]]:
        for key, data in labels(100):
            sent.append(key)
            yield key, data

    result = deliver(driver, stream(), confirm_every=3, should_cancel=lambda: len(sent) >= 7)
    assert result.cancelled
    assert result.confirmed == 6 and result.unconfirmed == (6,)
    # The seventh label was sent but not confirmed: it reaches the printer, nothing after it.
    assert sim.wait_until(lambda s: s["received"] >= 7, timeout=2)
    time.sleep(0.1)
    assert len(sim.formats) == 7


def test_render_error_confirms_what_was_sent_then_propagates(
    sim: VirtualPrinter, driver: PrinterDriver
) -> None:
    def stream() -> Iterator[tuple[int, bytes]]:
        yield from labels(3)
        raise ValueError("label 3 cannot render")

    confirmed: list[int] = []
    with pytest.raises(ValueError, match="cannot render"):
        deliver(driver, stream(), on_confirmed=lambda k, s: confirmed.extend(k))
    assert confirmed == [0, 1, 2]


@pytest.mark.slow
def test_ten_thousand_labels_stream(sim: VirtualPrinter, driver: PrinterDriver) -> None:
    count = 0

    def confirmed(keys: Sequence[int], status: PrinterStatus) -> None:
        nonlocal count
        assert len(keys) <= 100
        count += len(keys)

    result = deliver(driver, labels(10_000), on_confirmed=confirmed)
    assert result.confirmed == count == 10_000
    assert sim.state()["received"] == 10_000


def test_confirm_every_is_bounded(driver: PrinterDriver) -> None:
    with pytest.raises(ValueError):
        deliver(driver, labels(1), confirm_every=101)
