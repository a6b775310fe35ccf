"""Splitting a raw stream into formats and control commands."""

from __future__ import annotations

from printers.zplstream import ControlCommand, ReceivedFormat, ZplStreamParser

STREAM = b"~HS^XA^FO1,1^FDone^FS^XZ\r\n^xa^FDtwo^PQ3^FS^xz~HQES~HS junk ^XA^FDthree^FS^XZ"


def test_whole_stream() -> None:
    events = ZplStreamParser().feed(STREAM)
    assert events == [
        ControlCommand("HS"),
        ReceivedFormat(b"^XA^FO1,1^FDone^FS^XZ"),
        ReceivedFormat(b"^xa^FDtwo^PQ3^FS^xz"),
        ControlCommand("HQ", "ES"),
        ControlCommand("HS"),
        ReceivedFormat(b"^XA^FDthree^FS^XZ"),
    ]
    assert [e.quantity for e in events if isinstance(e, ReceivedFormat)] == [1, 3, 1]


def test_byte_by_byte_gives_the_same_events() -> None:
    parser = ZplStreamParser()
    events = []
    for i in range(len(STREAM)):
        events.extend(parser.feed(STREAM[i : i + 1]))
    assert events == ZplStreamParser().feed(STREAM)
    assert not parser.partial_format


def test_partial_format_is_reported() -> None:
    parser = ZplStreamParser()
    assert parser.feed(b"^XA^FDhalf") == []
    assert parser.partial_format
    assert parser.feed(b"^FS^X") == []
    assert parser.feed(b"Z") == [ReceivedFormat(b"^XA^FDhalf^FS^XZ")]
    assert not parser.partial_format
