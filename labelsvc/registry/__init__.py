"""The registry: database models, connections, migrations and queries."""

from __future__ import annotations
