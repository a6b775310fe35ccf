"""Print workers: deliver durable print jobs, one leased printer at a time per worker."""

from __future__ import annotations

from labelsvc.worker.delivery import WorkerSettings
from labelsvc.worker.runner import PrintWorker, settings_from_config

__all__ = ["PrintWorker", "WorkerSettings", "settings_from_config"]
