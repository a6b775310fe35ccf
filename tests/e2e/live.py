"""A live plant on loopback: `labelsvc serve`, a virtual Zebra printer, tokens, and Chromium.

Used by the browser tests and by docs/screenshots.py.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "system"))

from printers.sim import VirtualPrinter  # noqa: E402

from cluster import Api, Service, create_token, service_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROLES = ("admin", "line", "receiver", "viewer")
PRINTER = "line-1"


@dataclass
class Plant:
    """The service, its printer and one token per role."""

    service: Service
    printer: VirtualPrinter
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://127.0.0.1:{self.service.port}"

    def api(self, role: str = "admin") -> Api:
        """A JSON client with a role's token."""
        return Api(self.service.port, self.tokens[role])

    def stop(self) -> None:
        """Stop the service and the printer."""
        self.service.stop()
        self.printer.stop()


def start_plant(data_dir: Path, **settings: str) -> Plant:
    """Start `labelsvc serve` on SQLite with a fast print worker, a printer and tokens (and
    any further `LABELSVC_*` settings)."""
    env = service_env(f"sqlite:///{data_dir / 'labelsvc.sqlite3'}", data_dir,
                      LABELSVC_PRINT_POLL_SECONDS="0.1", LABELSVC_PRINTER_PROBE_SECONDS="1",
                      LABELSVC_TOKEN_CACHE_SECONDS="0", **settings)
    service = Service(env, workers=1).start()
    printer = VirtualPrinter(label_seconds=0.02).start()
    tokens = {role: create_token(env, role, f"{role}-web") for role in ROLES}
    plant = Plant(service, printer, tokens)
    status, body = plant.api().post("/api/v1/printers", {
        "name": PRINTER, "driver": "zpl-tcp", "host": "127.0.0.1", "port": printer.port,
        "dpi": 203, "site": "munich", "line": "3"})
    if status != 201:
        plant.stop()
        raise RuntimeError(f"could not add the printer: {status} {body}")
    return plant


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing reaching outside loopback."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)


def sign_in(page: Any, plant: Plant, role: str) -> None:
    """Sign in through the login page as a role."""
    page.goto(plant.url + "/login")
    page.get_by_label("API token").fill(plant.tokens[role])
    page.keyboard.press("Enter")
    page.wait_for_url(plant.url + "/")


def fill_receipt(page: Any, entries: dict[str, str], *, site: str, labels: str) -> None:
    """Fill the receive form (all but the supplier's lot, which is scanned last)."""
    for label, value in entries.items():
        # "Supplier" (with its required mark), not "Supplier's lot"
        page.get_by_label(re.compile(r"^Supplier(?!')") if label == "Supplier" else label).fill(
            value)
    page.get_by_label("Site").select_option(site)
    page.get_by_label("Printer").select_option(PRINTER)
    page.get_by_label("Labels to print").fill(labels)
