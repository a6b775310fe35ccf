"""Large answers stream: a CSV export is written while it is read, never built whole."""

from __future__ import annotations

from typing import Any


def test_csv_export_streams_every_row(api: Any) -> None:
    scheme = {"name": "stream-serial", "kind": "serial", "pattern": "ST{seq:6}",
              "charset": "0-9"}
    assert api.post("/api/v1/schemes", scheme).status_code == 201
    issued = api.post("/api/v1/serials", {"scheme": "stream-serial", "fields": {},
                                          "count": 3000}, role="line")
    assert issued.status_code == 201
    answer = api.get("/api/v1/identifiers?scheme=stream-serial",
                     headers={"Accept": "text/csv"}, buffered=False)
    assert answer.is_streamed
    assert answer.mimetype == "text/csv"
    chunks = list(answer.response)
    assert len(chunks) > 1, "the export was built in one piece"
    lines = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
    rows = lines.strip().split("\r\n")
    assert rows[0].startswith("value,")
    assert {r.split(",")[0] for r in rows[1:]} == {
        i["value"] for i in issued.get_json()["identifiers"]}
