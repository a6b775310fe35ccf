"""The `file` driver: a spool directory that another program picks labels up from."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, ClassVar

from printers.base import PrinterConnection, PrinterDriver
from printers.errors import PrinterError, PrinterUnreachable
from printers.registry import register
from printers.status import PrinterStatus

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# The file each label format is written as: the extension follows the format, never a setting.
EXTENSIONS = {"zpl": "zpl", "pdf": "pdf", "png": "png"}


@register("file")
class FileDriver(PrinterDriver):
    """Writes each confirmed batch of a job as one file, atomically, into a directory.

    Files are named `<job>-<batch>.<extension>` (batch from 0001), so they sort in
    print order; a reader never sees a partial file. Labels sent but not confirmed
    are discarded when the connection closes, as a printer would lose them.
    """

    # Spool directories must lie below this folder (its real path), when set: an admin's
    # printer definition can then never write labels anywhere else on the host.
    spool_root: ClassVar[Path | None] = None

    def __init__(self, directory: str | os.PathLike[str], *, label_format: str = "zpl") -> None:
        if label_format not in EXTENSIONS:
            raise ValueError(f"label_format must be one of {', '.join(EXTENSIONS)}, "
                             f"not {label_format!r}")
        self.directory = Path(directory)
        self.label_format = label_format
        self._check_confined()

    @classmethod
    def confine(cls, root: str | os.PathLike[str] | None) -> None:
        """Keep every spool directory below `root` (None: anywhere)."""
        cls.spool_root = None if root is None else Path(os.path.realpath(root))

    def _check_confined(self) -> None:
        """ValueError when the directory's real path (links followed) leaves the spool root."""
        root = self.spool_root
        if root is None:
            return
        real = Path(os.path.realpath(self.directory))
        if real != root and root not in real.parents:
            raise ValueError(f"spool directory {self.directory} is not inside the spool root "
                             f"{root} (LABELSVC_SPOOL_ROOT)")

    def connect(self, job_name: str | None = None) -> FileSpoolConnection:
        """Check that the spool directory is inside the spool root, exists and is writable."""
        try:
            self._check_confined()  # again: a link inside may have been pointed elsewhere
        except ValueError as exc:
            raise PrinterError(str(exc)) from None
        if not self.directory.is_dir() or not os.access(self.directory, os.W_OK):
            raise PrinterUnreachable(f"spool directory {self.directory} is missing or read-only")
        stem = _UNSAFE.sub("-", job_name) if job_name else _default_job_name()
        return FileSpoolConnection(self.directory, stem, EXTENSIONS[self.label_format])


class FileSpoolConnection(PrinterConnection):
    """Labels go to a hidden temporary file that `confirm()` renames into place."""

    def __init__(self, directory: Path, stem: str, extension: str) -> None:
        self._directory = directory
        self._stem = stem
        self._extension = extension
        self._batch = 0
        self._file: IO[bytes] | None = None

    def status(self) -> PrinterStatus:
        """A spool directory is ready while it exists and is writable."""
        if not os.access(self._directory, os.W_OK):
            raise PrinterUnreachable(f"spool directory {self._directory} is not writable")
        return PrinterStatus()

    def send(self, label: bytes) -> None:
        """Append the label to the batch being written."""
        try:
            if self._file is None:
                self._file = tempfile.NamedTemporaryFile(
                    dir=self._directory, prefix=f".{self._stem}-", suffix=".part", delete=False
                )
            self._file.write(label)
        except OSError as exc:
            self.close()  # no .part file of a failed attempt is left behind
            raise PrinterError(f"cannot write to spool directory: {exc}") from exc

    def confirm(self, timeout: float) -> PrinterStatus:
        """Flush the batch to disk and rename it to its final name."""
        if self._file is not None:
            part = self._file
            self._file = None
            self._batch += 1
            target = self._directory / f"{self._stem}-{self._batch:04d}.{self._extension}"
            try:
                part.flush()
                os.fsync(part.fileno())
                part.close()
                os.replace(part.name, target)
                _fsync_directory(self._directory)
            except OSError as exc:
                part.close()
                Path(part.name).unlink(missing_ok=True)
                raise PrinterError(f"cannot write {target}: {exc}") from exc
        return PrinterStatus()

    def close(self) -> None:
        """Drop a batch that was never confirmed."""
        if self._file is not None:
            self._file.close()
            Path(self._file.name).unlink(missing_ok=True)
            self._file = None


def _default_job_name() -> str:
    """Name a job by time and a random suffix when the caller gives no name."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
