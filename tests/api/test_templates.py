"""Template endpoints: define, version, override shipped, list, read, preview, ZPL, roles."""

from __future__ import annotations

import io

import pytest
from PIL import Image

pytestmark = pytest.mark.xdist_group("api-templates")

SHIPPED = {"datamatrix-25x12", "gs1-logistic-100x150", "receiving-100x50", "serial-50x25",
           "vin-100x25"}
BOX = {"type": "box", "x_mm": 1, "y_mm": 1, "width_mm": 48, "height_mm": 23}
CODE128 = {"type": "barcode", "symbology": "code128", "x_mm": 4, "y_mm": 5, "height_mm": 10,
           "module_mm": 0.25, "value": "{value}"}


def _template(name: str, *elements: dict[str, object], **extra: object) -> dict[str, object]:
    return {"name": name, "width_mm": 50.8, "height_mm": 25.4, "dpi": 203,
            "elements": list(elements) or [CODE128], **extra}


def _png_size(data: bytes) -> tuple[tuple[int, int], tuple[float, float]]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size, img.info["dpi"]


def test_shipped_templates_are_listed_as_version_0(api):
    r = api.get("/api/v1/templates?limit=1000", role="viewer")
    assert r.status_code == 200
    items = {t["name"]: t for t in r.get_json()["items"]}
    assert SHIPPED <= items.keys()
    serial = items["serial-50x25"]
    assert (serial["source"], serial["version"], serial["kind"]) == ("shipped", 0, "label")
    assert serial["placeholders"] == ["fields.model", "value"]
    r = api.get("/api/v1/templates/serial-50x25", role="line")
    assert r.status_code == 200 and r.get_json()["versions"] == []


def test_define_read_and_version(api, problem):
    r = api.post("/api/v1/templates", _template("case-50x25", CODE128, BOX))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["name"], body["version"], body["source"], body["kind"]) == \
        ("case-50x25", 1, "stored", "label")
    assert body["overrides_shipped"] is False
    assert r.headers["Location"] == "/api/v1/templates/case-50x25"
    problem(api.post("/api/v1/templates", _template("case-50x25")), 409, "template-exists")
    r = api.put("/api/v1/templates/case-50x25", _template("case-50x25", CODE128, owner="qa"))
    assert r.status_code == 200 and r.get_json()["version"] == 2
    detail = api.get("/api/v1/templates/case-50x25").get_json()
    assert detail["version"] == 2 and detail["definition"]["owner"] == "qa"
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert len(detail["versions"][0]["definition"]["elements"]) == 2
    assert detail["versions"][1]["created_by"] == "admin-token"


def test_put_overrides_a_shipped_template(api, problem):
    problem(api.post("/api/v1/templates", _template("vin-100x25")), 409, "template-exists")
    r = api.put("/api/v1/templates/vin-100x25", _template("vin-100x25", CODE128))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["version"], body["source"], body["overrides_shipped"]) == (1, "stored", True)
    listed = {t["name"]: t for t in api.get("/api/v1/templates?limit=1000").get_json()["items"]}
    assert listed["vin-100x25"]["source"] == "stored"
    assert sum(1 for t in api.get("/api/v1/templates?limit=1000").get_json()["items"]
               if t["name"] == "vin-100x25") == 1
    problem(api.put("/api/v1/templates/nothing-here", _template("nothing-here")), 404,
            "not-found")
    problem(api.get("/api/v1/templates/nothing-here"), 404, "not-found")
    body = problem(api.put("/api/v1/templates/vin-100x25", _template("other")), 422,
                   "validation-error")
    assert body["errors"] == {"name": "must be vin-100x25"}


def test_list_pages_through_stored_and_shipped_without_repeats(api):
    for name in ("aa-page", "zz-page", "r-page"):
        api.post("/api/v1/templates", _template(name))
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get("/api/v1/templates" + query).get_json()
        assert len(page["items"]) <= 2
        seen += [t["name"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {"aa-page", "zz-page", "r-page"} | SHIPPED <= set(seen)


@pytest.mark.parametrize(("element", "key", "words"), [
    ({**CODE128, "symbology": "code-12"}, "elements[1].symbology", "unknown symbology"),
    ({**CODE128, "value": "{serial}"}, "elements[1]", "unknown placeholder {serial}"),
    ({"type": "text", "y_mm": 2, "height_mm": 3, "value": "x"}, "elements[1].x_mm", "required"),
    ({**CODE128, "type": "ellipse"}, "elements[1]", "ellipse"),
    ({"type": "barcode", "symbology": "gs1-qr", "x_mm": 30, "y_mm": 2, "module_mm": 0.5,
      "value": "(05)x(01){value}"}, "elements[1]", "(05) is not a GS1"),
])
def test_definition_errors_are_keyed_by_element(api, problem, element, key, words):
    body = problem(api.post("/api/v1/templates", _template("bad-one", BOX, element)), 422,
                   "validation-error")
    assert key in body["errors"], body
    assert words in body["errors"][key]


def test_unsupported_dpi_and_mixed_kinds_are_refused(api, problem):
    body = problem(api.post("/api/v1/templates", _template("bad-dpi", dpi=250)), 422,
                   "validation-error")
    assert "203, 300 or 600" in body["errors"]["dpi"]
    body = problem(api.post("/api/v1/templates", {**_template("bad-mix"), "zpl": "^XA^XZ"}),
                   422, "validation-error")
    assert "either elements or zpl" in body["errors"]["zpl"]


def test_gs1_qr_templates_are_accepted(api):
    qr = {"type": "barcode", "symbology": "gs1-qr", "x_mm": 30, "y_mm": 2, "module_mm": 0.5,
          "value": "(01){attributes.gtin}(21){value}"}
    r = api.post("/api/v1/templates", _template("qr-50x25", qr))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["placeholders"] == ["attributes.gtin", "value"]


def test_roles(api, problem):
    problem(api.post("/api/v1/templates", _template("role-t"), role="line"), 403, "forbidden")
    body = problem(api.post("/api/v1/templates", _template("role-t"), role="viewer"), 403,
                   "forbidden")
    assert "label templates" in body["detail"]
    problem(api.put("/api/v1/templates/serial-50x25", _template("serial-50x25"),
                    role="receiver"), 403, "forbidden")
    problem(api.post("/api/v1/templates", _template("role-t"), role=None), 401, "unauthorized")
    problem(api.get("/api/v1/templates", role=None), 401, "unauthorized")
    for role in ("viewer", "line", "receiver", "admin"):
        assert api.get("/api/v1/templates/serial-50x25", role=role).status_code == 200


ZPL = ("^XA^PW406^LH0,0^FO20,20^A0N,30,30^FDLot {lot} for {fields.model}^FS"
       "^FO20,60^BY2^BCN,80,N,N,N^FD{value}^FS^XZ")


def test_zpl_format_upload(api, problem):
    r = api.post("/api/v1/templates", {"name": "byo-50x25", "zpl": ZPL, "width_mm": 50.8,
                                       "height_mm": 25.4, "dpi": 203})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "zpl" and body["definition"]["zpl"] == ZPL
    assert body["placeholders"] == ["fields.model", "lot", "value"]
    bad = {"name": "byo-bad", "zpl": "^XA^FD{nope}^FS^XZ", "width_mm": 50, "height_mm": 25}
    assert "unknown placeholder {nope}" in problem(api.post("/api/v1/templates", bad), 422,
                                                   "validation-error")["errors"]["zpl"]
    body = problem(api.post("/api/v1/templates", {**bad, "zpl": "^FDno format", "dpi": 150,
                                                  "width_mm": 0}), 422, "validation-error")
    assert body["errors"].keys() >= {"zpl", "dpi", "width_mm"}


@pytest.mark.parametrize("dpi", [203, 300])
def test_preview_of_a_shipped_template_with_sample_data(api, dpi):
    r = api.get(f"/api/v1/templates/gs1-logistic-100x150/preview.png?dpi={dpi}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "image/png"
    dpmm = {203: 8, 300: 12}[dpi]
    assert _png_size(r.data)[0] == (round(101.6 * dpmm), round(152.4 * dpmm))
    assert round(_png_size(r.data)[1][0]) == dpi


def test_preview_of_a_zpl_format_has_the_declared_size(api, problem):
    api.post("/api/v1/templates", {"name": "byo-preview", "zpl": ZPL, "width_mm": 50.8,
                                   "height_mm": 25.4, "dpi": 203})
    r = api.get("/api/v1/templates/byo-preview/preview.png")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _png_size(r.data)[0] == (406, 203)
    body = problem(api.get("/api/v1/templates/byo-preview/preview.png?dpi=300"), 422,
                   "validation-error")
    assert "203" in body["errors"]["dpi"]
    problem(api.get("/api/v1/templates/serial-50x25/preview.png?dpi=250"), 422,
            "validation-error")
    problem(api.get("/api/v1/templates/missing/preview.png"), 404, "not-found")


def test_openapi_documents_templates_and_binary_answers(api):
    doc = api.get("/api/v1/openapi.json", role=None).get_json()
    paths = doc["paths"]
    assert {"get", "post"} <= paths["/api/v1/templates"].keys()
    assert {"get", "put"} <= paths["/api/v1/templates/{name}"].keys()
    preview = paths["/api/v1/templates/{name}/preview.png"]["get"]["responses"]["200"]
    assert preview["content"]["image/png"]["schema"] == {"type": "string", "format": "binary"}
    render = paths["/api/v1/labels/render"]["post"]
    assert set(render["responses"]["200"]["content"]) == {"application/zpl", "application/pdf",
                                                           "image/png"}
    assert "application/problem+json" in render["responses"]["422"]["content"]
