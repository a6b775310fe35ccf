"""Label rendering throughput: ZPL, PDF and PNG against WeasyPrint HTML and naive reportlab labels.

Run: .venv/bin/python bench/render.py [--labels 1000] [--peak-labels 100000]
Prints a table of labels per second for the 2 x 1 in serial label (Code 128 + Data Matrix + text)
and the peak memory of rendering a large PDF in a child process.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import Result  # noqa: E402
from templates import render_to, shipped_templates  # noqa: E402

TEMPLATE = "serial-50x25"


def records(count: int) -> Iterator[dict[str, Any]]:
    """Yield distinct serial records."""
    for n in range(count):
        yield {"value": f"41726470{n:05d}", "fields": {"model": "WIDGET-100"}}


def ours(fmt: str) -> Callable[[int], None]:
    """Return a runner rendering `count` labels with the product's renderer."""
    template = shipped_templates()[TEMPLATE]

    def run(count: int) -> None:
        render_to(template, records(count), fmt, io.BytesIO())  # type: ignore[arg-type]

    return run


def naive_reportlab(count: int) -> None:
    """Render labels the naive way: reportlab barcode widgets drawn per label on a canvas."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import createBarcodeDrawing
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(io.BytesIO(), pagesize=(50.8 * mm, 25.4 * mm))
    for record in records(count):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(3 * mm, 21 * mm, record["fields"]["model"])
        pdf.drawString(3 * mm, 2 * mm, f"S/N {record['value']}")
        bars = createBarcodeDrawing("Code128", value=record["value"], barWidth=0.25 * mm,
                                    barHeight=10 * mm, humanReadable=False)
        renderPDF.draw(bars, pdf, 3 * mm, 8 * mm)
        matrix = createBarcodeDrawing("ECC200DataMatrix", value=record["value"])
        renderPDF.draw(matrix, pdf, 36 * mm, 5 * mm)
        pdf.showPage()
    pdf.save()


def weasyprint_html(count: int) -> None:
    """Render labels as HTML pages with inline SVG barcodes through WeasyPrint (InvenTree's way)."""
    import barcode
    from barcode.writer import SVGWriter
    from weasyprint import HTML

    pages = []
    for record in records(count):
        svg = io.BytesIO()
        barcode.get("code128", record["value"], writer=SVGWriter()).write(
            svg, options={"write_text": False, "module_width": 0.25, "module_height": 10})
        body = svg.getvalue().decode().split("?>", 1)[-1]
        pages.append(f"<section><p>{record['fields']['model']}</p>{body}"
                     f"<p>S/N {record['value']}</p></section>")
    html = ("<style>@page{size:50.8mm 25.4mm;margin:0} section{page-break-after:always;"
            "font:8pt sans-serif} svg{width:40mm;height:10mm}</style>" + "".join(pages))
    HTML(string=html).write_pdf(io.BytesIO())


def rate(run: Callable[[int], None], count: int) -> float:
    """Return labels per second for one run of `count` labels."""
    start = time.perf_counter()
    run(count)
    return count / (time.perf_counter() - start)


def peak_pdf_memory(count: int) -> float:
    """Return the peak RSS (VmHWM) in MB of a child process rendering `count` labels to a file."""
    code = (
        "import sys, tempfile\n"
        "sys.path[:0] = sys.argv[1:3]\n"
        "from render import records, TEMPLATE\n"
        "from templates import render_to, shipped_templates\n"
        "with tempfile.TemporaryFile() as out:\n"
        "    render_to(shipped_templates()[TEMPLATE], records(int(sys.argv[3])), 'pdf', out)\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    here = Path(__file__).resolve().parent
    argv = [sys.executable, "-c", code, str(here.parent), str(here), str(count)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main(argv: list[str] | None = None) -> list[Result]:
    """Print the benchmark table; return the figures against their goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--peak-labels", type=int, default=100_000)
    args = parser.parse_args(argv)
    n = args.labels
    rows: list[tuple[str, str, str]] = []
    rates: dict[str, float] = {}
    for name, run in [("ZPL (labelsvc)", ours("zpl")), ("PDF (labelsvc)", ours("pdf")),
                      ("PNG (labelsvc)", ours("png")),
                      ("PDF naive reportlab widgets", naive_reportlab),
                      ("PDF WeasyPrint HTML", weasyprint_html)]:
        try:
            rates[name] = rate(run, n)
            rows.append((name, f"{rates[name]:,.0f}", ""))
        except ImportError as exc:
            rows.append((name, "n/a", f"not installed: {exc.name}"))
    pdf = rates["PDF (labelsvc)"]
    goals = {"ZPL (labelsvc)": (rates["ZPL (labelsvc)"] >= 20_000, "goal >= 20,000/s"),
             "PNG (labelsvc)": (rates["PNG (labelsvc)"] >= 1_000, "goal >= 1,000/s")}
    for other, factor in (("PDF naive reportlab widgets", 3), ("PDF WeasyPrint HTML", 20)):
        if other in rates:
            ratio = pdf / rates[other]
            goals[other] = (ratio >= factor, f"labelsvc PDF is {ratio:.1f}x (goal >= {factor}x)")
    print(f"{n:,} labels of {TEMPLATE}\n")
    print(f"{'renderer':<30} {'labels/s':>10}  note")
    print("-" * 78)
    for name, speed, note in rows:
        if name in goals:
            ok, text = goals[name]
            note = f"{text} {'met' if ok else 'MISSED'}"
        print(f"{name:<30} {speed:>10}  {note}")
    results = [Result("render", "ZPL labels", rates["ZPL (labelsvc)"], "/s",
                      goal="≥ 20,000/s", ok=goals["ZPL (labelsvc)"][0]),
               Result("render", "PNG labels", rates["PNG (labelsvc)"], "/s",
                      goal="≥ 1,000/s", ok=goals["PNG (labelsvc)"][0])]
    for other, factor in (("PDF naive reportlab widgets", 3), ("PDF WeasyPrint HTML", 20)):
        results.append(Result("render", f"PDF labels vs {other.removeprefix('PDF ')}", pdf,
                              "/s", rates.get(other), f"≥ {factor} × baseline",
                              goals[other][0] if other in goals else None))
    if args.peak_labels:
        mb = peak_pdf_memory(args.peak_labels)
        verdict = "met" if mb < 300 else "MISSED"
        label = f"peak memory, {args.peak_labels:,}-label PDF"
        print(f"\n{label}: {mb:,.0f} MB (goal < 300 MB {verdict})")
        results.append(Result("render", label, mb, "MB", goal="< 300 MB", ok=mb < 300))
    return results


if __name__ == "__main__":
    main()
