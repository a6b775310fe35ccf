"""Issuing identifiers: one seam in three steps, and the service that runs them.

- *prepare* (`prepare.prepare`): a request checked against one scheme version — fields,
  production date, counter key, the columns its rows share — before anything is written;
- *reserve* (`reserve.reserve_block`): a block of consecutive counter positions, taken by
  one atomic UPDATE … RETURNING that also checks the scheme version is still current;
- *record* (`record.record_block`, `record.record_values`): identifier rows and their
  `issued` events for a block's positions, optionally with a print job.

`Issuer` runs them in one transaction, or for a line's small requests on PostgreSQL as one
autocommitted statement (`statement`), and can reserve a block without recording identifiers
(a line that prints offline) and record identifiers made elsewhere inside such a block.
"""

from __future__ import annotations

from labelsvc.services.issuing.prepare import IssueRequest, Prepared
from labelsvc.services.issuing.reserve import Block, StaleScheme
from labelsvc.services.issuing.service import Issued, Issuer, Reservation
from labelsvc.services.printing import PrintRequest

__all__ = ["Block", "IssueRequest", "Issued", "Issuer", "PrintRequest", "Prepared",
           "Reservation", "StaleScheme"]
