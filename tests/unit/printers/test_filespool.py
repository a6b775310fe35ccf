"""The `file` spool driver: confirmed batches appear atomically, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import DRIVERS, DeliveryInterrupted, PrinterUnreachable, deliver


def test_batches_are_written_in_order(tmp_path: Path) -> None:
    driver = DRIVERS["file"](directory=tmp_path)
    result = deliver(
        driver, ((n, b"^XA^FD%d^FS^XZ\n" % n) for n in range(7)), job_name="job 42", confirm_every=3
    )
    assert result.confirmed == 7
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["job-42-0001.zpl", "job-42-0002.zpl", "job-42-0003.zpl"]
    joined = b"".join((tmp_path / name).read_bytes() for name in files)
    assert joined == b"".join(b"^XA^FD%d^FS^XZ\n" % n for n in range(7))


def test_unconfirmed_labels_leave_no_file(tmp_path: Path) -> None:
    driver = DRIVERS["file"](directory=tmp_path, label_format="pdf")
    with driver.connect("job") as connection:
        connection.status()
        connection.send(b"%PDF-1.4 first")
        connection.confirm(timeout=1)
        connection.send(b"%PDF-1.4 lost")
        assert len(list(tmp_path.iterdir())) == 2  # the batch file and a hidden part file
    assert [p.name for p in tmp_path.iterdir()] == ["job-0001.pdf"]


def test_missing_directory_is_unreachable(tmp_path: Path) -> None:
    driver = DRIVERS["file"](directory=tmp_path / "missing")
    with pytest.raises(PrinterUnreachable):
        driver.probe()
    with pytest.raises(DeliveryInterrupted) as raised:
        deliver(driver, [(1, b"x")])
    assert raised.value.reason == "unreachable"


def test_default_job_names_do_not_collide(tmp_path: Path) -> None:
    driver = DRIVERS["file"](directory=tmp_path)
    for _ in range(2):
        deliver(driver, [(1, b"^XA^XZ")])
    assert len(list(tmp_path.glob("*.zpl"))) == 2
