"""ZPL field escaping via `^FH`: no `^`, `~` or indicator in a value acts as a command."""

from __future__ import annotations

import re
from functools import lru_cache

INDICATOR = "\\"
# Printable ASCII that passes through ^FD unchanged (no ^ ~ \); everything else becomes \HH bytes.
_SAFE = " !\"#$%&'()*+,\\-./0-9:;<=>?@A-Z\\[\\]_`a-z{|}"


@lru_cache(maxsize=16)
def _unsafe(indicator: str) -> re.Pattern[str]:
    return re.compile(f"[^{_SAFE}]|{re.escape(indicator)}")


def hex_escape(text: str, indicator: str = INDICATOR) -> str:
    """Return text with `^`, `~`, the indicator, control and non-ASCII characters as hex bytes."""
    return _unsafe(indicator).sub(
        lambda m: "".join(f"{indicator}{b:02X}" for b in m.group(0).encode("utf-8")), text
    )


def field(text: str) -> str:
    """Return `^FH\\^FD<escaped>^FS` for a value; the format must select `^CI28`."""
    return f"^FH\\^FD{hex_escape(text)}^FS"
