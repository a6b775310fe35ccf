"""The `file` spool driver: confirmed batches appear atomically, in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import DRIVERS, DeliveryInterrupted, FileDriver, PrinterUnreachable, deliver


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


@pytest.fixture
def confined(tmp_path: Path) -> Iterator[Path]:
    """A spool root, as `labelsvc serve` sets it; the driver is unconfined again afterwards."""
    root = tmp_path / "spool"
    (root / "dock-2").mkdir(parents=True)
    FileDriver.confine(root)
    yield root
    FileDriver.confine(None)


@pytest.mark.parametrize("directory", ["../outside", "/etc", "dock-2/../../outside"])
def test_a_spool_directory_outside_the_root_is_refused(confined: Path, directory: str) -> None:
    (confined.parent / "outside").mkdir(exist_ok=True)
    with pytest.raises(ValueError, match="not inside the spool root"):
        FileDriver(directory=confined / directory if not directory.startswith("/")
                   else directory)


def test_a_link_pointed_outside_after_definition_is_refused_before_writing(
        confined: Path) -> None:
    outside = confined.parent / "elsewhere"
    outside.mkdir()
    link = confined / "line-3"
    link.symlink_to(confined / "dock-2")
    driver = FileDriver(directory=link)  # inside while defined
    link.unlink()
    link.symlink_to(outside)
    with pytest.raises(DeliveryInterrupted):
        deliver(driver, [(1, b"^XA^XZ")])
    assert list(outside.iterdir()) == []


def test_the_file_extension_follows_the_label_format(confined: Path) -> None:
    with pytest.raises(ValueError, match="label_format must be one of zpl, pdf, png"):
        FileDriver(directory=confined / "dock-2", label_format="sh")
    deliver(FileDriver(directory=confined / "dock-2", label_format="png"), [(1, b"\x89PNG")],
            job_name="j")
    assert [p.name for p in (confined / "dock-2").iterdir()] == ["j-0001.png"]


def test_a_failed_write_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    import os

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(DeliveryInterrupted):
        deliver(FileDriver(directory=tmp_path), [(1, b"^XA^XZ")], job_name="j")
    assert list(tmp_path.iterdir()) == []
