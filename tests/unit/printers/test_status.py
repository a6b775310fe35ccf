"""The `~HS` answer parser against the ZPL programming guide's field layout (three lines,
STX … ETX, fields by position)."""

from __future__ import annotations

import pytest

from printers import (
    Fault,
    HeadOpen,
    PaperOut,
    PrinterFault,
    PrinterPaused,
    PrinterStatus,
    RibbonOut,
    StatusFormatError,
    format_host_status,
    parse_host_status,
)

READY = (
    b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,0,0,1,2,4,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)


def test_ready_printer_fields() -> None:
    status = parse_host_status(READY)
    assert status.communication_settings == 30
    assert status.label_length_dots == 1245
    assert status.thermal_transfer is True
    assert status.print_mode == 2
    assert status.print_width_mode == 4
    assert status.password == "1234"
    assert status.fault is None
    assert status.idle


def test_busy_printer_counts_formats_and_labels() -> None:
    answer = (
        b"\x02030,0,0,1245,007,1,0,1,000,0,1,0\x03\r\n"
        b"\x02001,0,0,0,0,2,4,1,00000042,1,003\x03\r\n"
        b"\x021234,1\x03\r\n"
    )
    status = parse_host_status(answer)
    assert status.formats_in_buffer == 7
    assert status.buffer_full and status.partial_format and status.under_temperature
    assert status.labels_remaining == 42
    assert status.label_waiting and status.graphics_stored == 3 and status.static_ram
    assert not status.idle


@pytest.mark.parametrize(
    ("answer", "fault", "error"),
    [
        (
            "\x02030,1,0,1245,000,0,0,0,000,0,0,0\x03\x02001,0,0,0,0,2,4,0,00000000,1,000\x03"
            "\x021234,0\x03",
            Fault.PAPER_OUT,
            PaperOut,
        ),
        (
            "\x02030,0,1,1245,000,0,0,0,000,0,0,0\x03\x02001,0,0,0,0,2,4,0,00000000,1,000\x03"
            "\x021234,0\x03",
            Fault.PAUSED,
            PrinterPaused,
        ),
        (
            "\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\x02001,0,1,0,0,2,4,0,00000000,1,000\x03"
            "\x021234,0\x03",
            Fault.HEAD_OPEN,
            HeadOpen,
        ),
        (
            "\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\x02001,0,0,1,0,2,4,0,00000000,1,000\x03"
            "\x021234,0\x03",
            Fault.RIBBON_OUT,
            RibbonOut,
        ),
    ],
)
def test_fault_flags_name_the_reason(answer: str, fault: Fault, error: type[PrinterFault]) -> None:
    status = parse_host_status(answer)
    assert status.fault is fault
    assert status.to_dict()["fault"] == fault.value
    with pytest.raises(error) as raised:
        status.raise_for_fault()
    assert raised.value.reason == fault.value


def test_paper_out_outranks_pause() -> None:
    assert PrinterStatus(paper_out=True, paused=True).fault is Fault.PAPER_OUT


def test_written_answer_parses_back() -> None:
    status = PrinterStatus(
        formats_in_buffer=12, labels_remaining=345, paused=True, head_open=True, print_mode=3
    )
    written = format_host_status(status)
    assert written.count(b"\x02") == 3 and written.endswith(b"\x03\r\n")
    assert parse_host_status(written) == status


def test_noise_around_frames_is_ignored() -> None:
    assert parse_host_status(b"\r\n" + READY + b"\r\n").label_length_dots == 1245


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03",
        b"\x02030,0,0\x03\x02001,0,0,0,0,2,4,0,00000000,1,000\x03\x021234,0\x03",
        b"\x02030,x,0,12a5,000,0,0,0,000,0,0,0\x03\x02001,0,0,0,0,2,4,0,0,1,000\x03\x020,0\x03",
    ],
)
def test_malformed_answers_are_refused(answer: bytes) -> None:
    with pytest.raises(StatusFormatError):
        parse_host_status(answer)
