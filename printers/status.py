"""The `~HS` host status answer of a Zebra printer: parse it, write it, name its fault."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum

from printers.errors import FAULT_ERRORS, StatusFormatError

STX = b"\x02"
ETX = b"\x03"
HOST_STATUS_REQUEST = b"~HS"
_FRAME = re.compile(rb"\x02([^\x03]*)\x03")
_FIELD_COUNTS = (12, 11, 2)


class Fault(StrEnum):
    """A printer condition that holds a job; the value is the job's reason slug."""

    PAPER_OUT = "paper-out"
    HEAD_OPEN = "head-open"
    RIBBON_OUT = "ribbon-out"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """One host status answer, field by field (ZPL `~HS`, strings 1 to 3)."""

    # String 1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l
    communication_settings: int = 0
    paper_out: bool = False
    paused: bool = False
    label_length_dots: int = 0
    formats_in_buffer: int = 0
    buffer_full: bool = False
    diagnostic_mode: bool = False
    partial_format: bool = False
    corrupt_ram: bool = False
    under_temperature: bool = False
    over_temperature: bool = False
    # String 2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www
    function_settings: int = 0
    head_open: bool = False
    ribbon_out: bool = False
    thermal_transfer: bool = False
    print_mode: int = 0
    print_width_mode: int = 0
    label_waiting: bool = False
    labels_remaining: int = 0
    format_while_printing: bool = True
    graphics_stored: int = 0
    # String 3: xxxx,y
    password: str = "0000"
    static_ram: bool = False

    @property
    def fault(self) -> Fault | None:
        """The condition that stops printing, or None when the printer can print."""
        if self.paper_out:
            return Fault.PAPER_OUT
        if self.head_open:
            return Fault.HEAD_OPEN
        if self.ribbon_out:
            return Fault.RIBBON_OUT
        if self.paused:
            return Fault.PAUSED
        return None

    @property
    def idle(self) -> bool:
        """True when nothing is waiting in the buffer or in the current batch."""
        return self.formats_in_buffer == 0 and self.labels_remaining == 0

    def raise_for_fault(self) -> None:
        """Raise the typed fault error when the answer reports a fault."""
        fault = self.fault
        if fault is not None:
            raise FAULT_ERRORS[fault.value](f"printer reports {fault.value}", self)

    def to_dict(self) -> dict[str, object]:
        """Return the fields plus `fault` as plain JSON-ready values."""
        data: dict[str, object] = dataclasses.asdict(self)
        fault = self.fault
        data["fault"] = fault.value if fault is not None else None
        return data


def host_status_complete(data: bytes | bytearray) -> bool:
    """Tell whether `data` holds all three framed strings of a `~HS` answer."""
    return data.count(ETX) >= len(_FIELD_COUNTS)


def parse_host_status(data: bytes | str) -> PrinterStatus:
    """Parse a three-string `~HS` answer (each string framed by STX and ETX)."""
    raw = data.encode("latin-1") if isinstance(data, str) else data
    frames = _FRAME.findall(raw)
    if len(frames) < len(_FIELD_COUNTS):
        raise StatusFormatError(f"host status has {len(frames)} framed strings, expected 3")
    fields = []
    for number, (frame, count) in enumerate(zip(frames, _FIELD_COUNTS, strict=False), 1):
        parts = [p.strip() for p in frame.decode("latin-1").split(",")]
        if len(parts) < count:
            raise StatusFormatError(
                f"host status string {number} has {len(parts)} fields, expected {count}"
            )
        fields.append(parts)
    s1, s2, s3 = fields
    try:
        return PrinterStatus(
            communication_settings=int(s1[0]),
            paper_out=_flag(s1[1]),
            paused=_flag(s1[2]),
            label_length_dots=int(s1[3]),
            formats_in_buffer=int(s1[4]),
            buffer_full=_flag(s1[5]),
            diagnostic_mode=_flag(s1[6]),
            partial_format=_flag(s1[7]),
            corrupt_ram=_flag(s1[9]),
            under_temperature=_flag(s1[10]),
            over_temperature=_flag(s1[11]),
            function_settings=int(s2[0]),
            head_open=_flag(s2[2]),
            ribbon_out=_flag(s2[3]),
            thermal_transfer=_flag(s2[4]),
            print_mode=int(s2[5]),
            print_width_mode=int(s2[6]),
            label_waiting=_flag(s2[7]),
            labels_remaining=int(s2[8]),
            format_while_printing=_flag(s2[9]),
            graphics_stored=int(s2[10]),
            password=s3[0],
            static_ram=_flag(s3[1]),
        )
    except ValueError as exc:
        raise StatusFormatError(f"host status field is not a number: {exc}") from exc


def format_host_status(status: PrinterStatus) -> bytes:
    """Write `status` as a printer would answer `~HS` (three framed strings)."""
    b = _bit
    s1 = (
        f"{status.communication_settings:03d},{b(status.paper_out)},{b(status.paused)},"
        f"{status.label_length_dots:04d},{status.formats_in_buffer:03d},"
        f"{b(status.buffer_full)},{b(status.diagnostic_mode)},{b(status.partial_format)},000,"
        f"{b(status.corrupt_ram)},{b(status.under_temperature)},{b(status.over_temperature)}"
    )
    s2 = (
        f"{status.function_settings:03d},0,{b(status.head_open)},{b(status.ribbon_out)},"
        f"{b(status.thermal_transfer)},{status.print_mode},{status.print_width_mode},"
        f"{b(status.label_waiting)},{status.labels_remaining:08d},"
        f"{b(status.format_while_printing)},{status.graphics_stored:03d}"
    )
    s3 = f"{status.password},{b(status.static_ram)}"
    return b"".join(STX + s.encode("ascii") + ETX + b"\r\n" for s in (s1, s2, s3))


def _flag(value: str) -> bool:
    """Read a one-digit status flag."""
    return value not in ("", "0")


def _bit(value: bool) -> str:
    """Write a one-digit status flag."""
    return "1" if value else "0"
