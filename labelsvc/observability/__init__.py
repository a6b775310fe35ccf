"""Logs, metrics and the request id that follows a request into its print job.

Submodules are imported where needed: `context` has no Flask or Prometheus imports, so
services and workers can use it.
"""

from __future__ import annotations
